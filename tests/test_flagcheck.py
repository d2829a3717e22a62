"""Invented options are caught by reading the real programs' --help; nothing else is run."""

import os
import stat
import subprocess

import pytest

from caro.engine import flagcheck


def test_invented_options_are_named():
    assert flagcheck.unknown_flags("mkdir -r -d a/b/c") == ["-r", "-d"]
    assert flagcheck.unknown_flags("cp --no-such-option a b") == ["--no-such-option"]


def test_real_options_pass():
    for cmd in (
        "mkdir -p a/b/c",
        "ls -lah",
        "grep -rn foo .",
        "sort -k2,2nr f",
        "head -n 5 f",
        "du -sh .",
        "cp --remove-destination a b",
        "sudo chown -R a b",
        "tail -f log | grep -v x",
        "wc -L f",
    ):
        assert flagcheck.unknown_flags(cmd) == [], cmd


def test_unknown_programs_and_odd_styles_are_not_judged():
    assert flagcheck.unknown_flags("./build.sh -zz") == []
    assert flagcheck.unknown_flags("find . -name x -newer y") == []
    assert flagcheck.unknown_flags("ps aux") == []


def test_only_programs_in_system_directories_are_asked(tmp_path, monkeypatch):
    # a program named like a known tool, first on PATH but outside the system directories, never runs
    fake = tmp_path / "mkdir"
    marker = tmp_path / "ran"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\necho '-r -d -p'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    flagcheck.help_text.cache_clear()
    try:
        assert flagcheck.unknown_flags("mkdir -r x") == []  # not judged: not a system program
        assert not marker.exists()
    finally:
        flagcheck.help_text.cache_clear()


@pytest.mark.parametrize(
    "command,unknown,bare",
    [
        ("zip -r proj.zip proj --exclude=*.git*", [], []),  # zip --help leaves it out; its manual has it
        ("nl -ba notes.txt", [], []),  # -b's value attached
        ("head -n5 notes.txt", [], []),
        ("kill -KILL 999", [], []),  # a signal, not four options
        ("date -ud", [], ["-d"]),  # fails when run: -d needs a date
        ("date -u -d yesterday", [], []),
        ("mkdir -r build", ["-r"], []),
        ("jobs -w", ["-w"], []),  # bash's own help: jobs has -lnprs
        ("read -rp 'Name: ' name", [], []),
        ("read -a words -d , line", [], []),  # `[-a array]`: -a takes a word
        ("lscpu -e", [], []),  # `-e, --extended[=<list>]`: an optional value is attached or absent
        ("lslogins -u", [], []),  # its manual: `-u[=UID]`
        ("lsblk -o", [], ["-o"]),  # `-o, --output <list>`
        ("swapon --show --bytes", [], []),
        ("dmesg -T --level=err", [], []),
        ("lsblk --sizes", ["--sizes"], []),  # lsblk has --bytes, not --sizes
        ("fuser -k -TERM 8080/tcp", [], []),  # a signal, as for kill
    ],
)
def test_option_check_refuses_only_with_evidence(command, unknown, bare):
    from caro.engine import flagcheck

    assert flagcheck.unknown_flags(command) == unknown and flagcheck.missing_values(command) == bare


@pytest.mark.skipif(
    subprocess.run(["man", "-w", "git-stash"], capture_output=True).returncode != 0, reason="git's manuals not here"
)
@pytest.mark.parametrize(
    "command,unknown",
    [
        ("git log -1 --name-onlyy", ["--name-onlyy"]),  # git: "unrecognized argument"
        ("git -C repo log --oneline --no-merges -p", []),  # `-C repo` by `man git`, the rest by git-log(1)
        ("git stash list --date=relative", []),  # git-stash(1): "takes options applicable to git log"
        ("git commit --no-verify -am x", []),  # git's parser takes --no-X for its boolean options
        ("git --no-pagr log", ["--no-pagr"]),
        ("git frobnicate --x", []),  # no manual, no evidence: not judged
        ("git status -uno", []),  # `-u[<mode>]`: the value is glued to the letter
        ("git log -Sfoo --oneline", []),
        ("git commit --verify -m x", []),  # the manual writes `--[no-]verify` (or only --no-verify)
        ("git log --help", []),
        ("git bisect run make -j4", []),  # the words after `run` are make's
        ("git submodule foreach git pull --ff-only", []),
    ],
)
def test_git_subcommands_are_judged_by_their_own_manuals(command, unknown):
    from caro.engine import flagcheck

    assert flagcheck.unknown_flags(command) == unknown


def test_no_gold_answer_of_any_set_is_refused_by_the_option_check():
    """A wrong "does not have" is a failure: every accepted answer of every set passes."""
    import json
    from pathlib import Path

    from caro.engine import flagcheck

    sets = Path(__file__).parent.parent / "benchmarks" / "sets"
    refused = []
    for f in sorted(sets.glob("*.jsonl")):
        for line in f.read_text().splitlines():
            row = json.loads(line)
            for gold in row["accept"]:
                shell = row.get("shell", "bash")
                if flagcheck.unknown_flags(gold, shell) or flagcheck.missing_values(gold, shell):
                    refused.append((f.name, row["id"]))
    assert refused == []
