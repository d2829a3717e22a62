"""Invented options are caught by reading the real programs' --help; nothing else is run."""
import os
import stat

from caro import flagcheck


def test_invented_options_are_named():
    assert flagcheck.unknown_flags("mkdir -r -d a/b/c") == ["-r", "-d"]
    assert flagcheck.unknown_flags("cp --no-such-option a b") == ["--no-such-option"]


def test_real_options_pass():
    for cmd in ("mkdir -p a/b/c", "ls -lah", "grep -rn foo .", "sort -k2,2nr f", "head -n 5 f", "du -sh .",
                "cp --remove-destination a b", "sudo chown -R a b", "tail -f log | grep -v x", "wc -L f"):
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
        assert flagcheck.unknown_flags("mkdir -r x") == []      # not judged: not a system program
        assert not marker.exists()
    finally:
        flagcheck.help_text.cache_clear()
