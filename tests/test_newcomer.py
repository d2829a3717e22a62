"""A newcomer's first hour (issue 17): CLI typos, the single-key offer, honest copy, completions
in real shells, a helper that follows settings, a line that already is a command, zsh's Ctrl-R
and vi undo, and install.sh on a machine that lacks a compiler or python3-venv."""

import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pexpect
import pytest
from conftest import COMPILERS, PY, ROOT, ask_helper, bare_path, pin_examples, run_caro, run_relay
from servers import StandInHelper
from test_helper_shells import PROMPT, SHELLS, VI_MODE, _hook, _line, spawn

from caro.cli import mistyped
from caro.cli.interactive import copy
from caro.daemon import protocol
from caro.engine.linekind import is_command

# ---------------------------------------------------------------- CLI polish


def test_a_mistyped_subcommand_is_named_not_sent_to_the_model():
    r = run_caro("modle", "list", timeout=30)
    assert r.returncode == 2 and r.stdout == ""
    assert "did you mean `caro model`" in r.stderr and 'caro "modle list"' in r.stderr


@pytest.mark.parametrize(
    "argv,meant",
    [
        ("modle list", "model"),
        ("docotr", "doctor"),
        ("confg set safety.mode strict", "config"),
        ("helpr stop", "helper"),
        ("hok zsh", "hook"),
        ("cehck rm -rf /", "check"),
        ("expalin ls -l", "explain"),
        ("expain ls -la", "explain"),
        # requests that begin with a word close to a subcommand stay requests
        ("clean up old logs", None),
        ("look for big files", None),
        ("init my repo", None),
        ("chek the disk", None),
        ("find big files", None),
        ("learn me some awk", None),
    ],
)
def test_typo_detection(argv, meant):
    assert mistyped(argv.split()) == meant


@pytest.mark.parametrize(
    "argv,said",
    [
        ("model lsit", "unknown action 'lsit' for caro model; did you mean `caro model list`?"),
        ("config shwo", "did you mean `caro config show`?"),
        ("hook zhs", "unknown shell 'zhs' for caro hook"),
        ("helper stpo", "did you mean `caro helper stop`?"),
        ("docs pul", "did you mean `caro docs pull`?"),
    ],
)
def test_a_mistyped_action_is_named(argv, said):
    r = run_caro(*argv.split(), timeout=30)
    assert r.returncode == 2 and said in r.stderr and r.stderr.count("caro:") == 1, r.stderr


def test_a_subcommand_alone_does_its_everyday_action(tmp_path):
    r = run_caro("config", timeout=30)
    assert r.returncode == 0 and "safety.mode" in r.stdout  # show
    r = run_caro("model", timeout=30)
    assert r.returncode == 0 and "qwen2.5-coder-1.5b" in r.stdout  # list


def _tool(bindir: Path, name: str, body: str) -> None:
    f = bindir / name
    f.write_text("#!/bin/sh\n" + body + "\n")
    f.chmod(0o755)


def test_copy_says_which_tool_is_missing_or_failed(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done, said = copy("ls -l", env={"PATH": str(empty)})
    assert not done and "no clipboard tool found" in said and "xclip" in said
    bad = tmp_path / "bad"
    bad.mkdir()
    _tool(bad, "xsel", 'echo "xsel: Can\'t open display" >&2; exit 1')
    done, said = copy("ls -l", env={"PATH": f"{bad}:/usr/bin:/bin"})
    assert not done and "xsel (xsel: Can't open display) failed" in said
    good = tmp_path / "good"
    good.mkdir()
    _tool(good, "wl-copy", f"cat > {tmp_path / 'clip'}")
    done, said = copy("ls -l", env={"PATH": f"{good}:/usr/bin:/bin"})
    assert done and said == "copied with wl-copy" and (tmp_path / "clip").read_text() == "ls -l"


def test_the_offer_takes_a_single_key_and_copy_failure_is_honest(tmp_path, caro_home):
    pin_examples(caro_home)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=f"{empty}:{Path(PY).parent}:/usr/bin:/bin", TERM="xterm")
    for tool in ("wl-copy", "xclip", "xsel", "pbcopy"):
        assert not shutil.which(tool, path=env["PATH"]) or pytest.skip(f"{tool} is installed here")
    child = pexpect.spawn(
        PY, ["-m", "caro", "show the kernel version"], env=env, cwd=str(ROOT), encoding="utf-8", timeout=120
    )
    child.expect_exact("uname -r")
    child.expect_exact("[q]uit > ")
    child.send("c")  # no Enter
    child.expect("could not copy: no clipboard tool found")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    child = pexpect.spawn(
        PY, ["-m", "caro", "show the kernel version"], env=env, cwd=str(ROOT), encoding="utf-8", timeout=120
    )
    child.expect_exact("[q]uit > ")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# what shows the last few history entries, in each shell
RECENT_HISTORY = {"bash": "history 4", "zsh": "fc -ln -4", "fish": "history search --max 4 | cat"}


@pytest.mark.parametrize("shell", SHELLS)
def test_run_from_the_offer_lands_in_the_shell_history(shell, shared_home, tmp_path):
    """[r]un through the hook's `caro` function: the command is in the shell's history after the
    request, so the up arrow finds it; without the function caro says it is not."""
    child = spawn(shell, shared_home, tmp_path)
    # fish merges its history file only once the clock has passed the second the session began
    # (or last merged); a person takes longer than that to type a request, a warm test does not
    time.sleep(1.2)
    child.sendline('caro "show the kernel version"')
    child.expect_exact("[q]uit > ", timeout=120)
    child.send("r")
    child.expect_exact(os.uname().release)
    child.expect_exact(PROMPT)
    child.sendline(RECENT_HISTORY[shell] + "; echo __E''ND__")
    child.expect("__END__")
    recent = child.before
    assert "uname -r" in recent and 'caro "show the kernel version"' in recent
    entries = [e for e in ('caro "show the kernel version"', "uname -r") if e in recent]
    entries.sort(key=recent.index)
    # the command comes after the request (fish lists the newest first)
    assert entries == (['caro "show the kernel version"', "uname -r"][:: -1 if shell == "fish" else 1])
    child.sendline("exit")
    # the program alone (no hook function): it runs, and says the history does not have it
    env = dict(os.environ, CARO_HOME=str(shared_home), TERM="xterm")
    env.pop("CARO_HISTORY_FILE", None)
    alone = pexpect.spawn(PY, ["-m", "caro", "show the kernel version"], env=env, encoding="utf-8", timeout=120)
    alone.expect_exact("[q]uit > ")
    alone.send("r")
    alone.expect_exact("not in your shell's history")
    alone.expect(pexpect.EOF)


# ---------------------------------------------------------------- completions in real shells


def test_bash_completes_subcommands_actions_models_and_option_values():
    script = (
        f"source {ROOT / 'completions' / 'caro.bash'}\n"
        'c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _caro; echo "${COMPREPLY[*]}"; }\n'
        "c caro mo; c caro model pu; c caro model pull qwen2.5-coder-0; c caro --shell fi; "
        "c caro config set safety.mo; c caro helper sto; c caro check --sa\n"
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["model", "pull", "qwen2.5-coder-0.5b", "fish", "safety.mode", "stop", "--safety"]


@pytest.mark.skipif(not shutil.which("fish"), reason="fish not installed")
def test_fish_completes_subcommands_actions_models_and_option_values():
    f = ROOT / "completions" / "caro.fish"

    def complete(line):
        r = subprocess.run(
            ["fish", "--no-config", "-c", f"source {f}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            check=True,
        )
        return [ln.split("\t")[0] for ln in r.stdout.splitlines()]

    assert complete("caro mod") == ["model"]
    assert "pull" in complete("caro model ")
    assert complete("caro model use smol") == ["smollm2-135m"]
    assert complete("caro config get shell.") == ["shell.key"]
    assert complete("caro --safety str") == ["strict"]


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed")
def test_zsh_completes_subcommands_and_model_names(tmp_path):
    (tmp_path / ".zshrc").write_text(
        f"unset zle_bracketed_paste\nPS1='{PROMPT}'\nRPS1=''\n"
        "autoload -Uz compinit; compinit -u -d $HOME/.zcompdump\n"
        f"source {tmp_path / 'hook.zsh'}\n"
    )
    (tmp_path / "hook.zsh").write_text(_hook("zsh", tmp_path))
    env = dict(
        os.environ,
        ZDOTDIR=str(tmp_path),
        HOME=str(tmp_path),
        TERM="xterm",
        CARO_NO_START="1",
        CARO_HOME=str(tmp_path / "carohome"),
    )
    child = pexpect.spawn("zsh", ["-i"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 200))
    child.expect_exact(PROMPT)
    child.send("caro mod\t")
    child.expect_exact("caro model")
    child.send("us\t")
    child.expect_exact("use")
    child.send("qwen2.5-coder-0.\t")
    child.expect_exact("qwen2.5-coder-0.5b")
    child.sendcontrol("c")
    child.sendline("exit")


def test_completions_follow_the_cli_definition():
    from caro.cli.completion import FILES, render

    for sh, name in FILES.items():
        assert (ROOT / "completions" / name).read_text() == render(sh), "regenerate: python -m caro.cli.completion"


# ---------------------------------------------------------------- the helper follows your settings


def _ask(home, text, index=0, shell="bash"):
    return ask_helper(home, text, index, shell, timeout=60)


def test_a_running_helper_follows_config_and_examples(caro_home):
    env = dict(os.environ, CARO_HOME=str(caro_home))
    assert run_caro("learn", "throw away my local edits", "git restore .", env=env).returncode == 0
    assert run_caro("helper", "start", env=env).returncode == 0
    assert _ask(caro_home, "throw away my local edits")[:2] == ["confirm", "git restore ."]  # moderate: a warning
    assert run_caro("config", "set", "safety.mode", "strict", env=env).returncode == 0
    reply = _ask(caro_home, "throw away my local edits")
    assert reply[0] == "block"  # the same request, the new mode, no restart
    cli = run_caro("--print", "throw away my local edits", env=env)
    assert cli.returncode == 3  # the CLI agrees
    # an example learned while the helper runs answers the next press
    assert run_caro("learn", "show my shell's open file limit", "ulimit -n", env=env).returncode == 0
    assert _ask(caro_home, "show my shell's open file limit")[:2] == ["insert", "ulimit -n"]
    # a config broken while it runs is reported on the line, and the text is the shell's to keep
    (caro_home / "config.toml").write_text("[safety\nmode = 'strict'\n")
    reply = _ask(caro_home, "show my shell's open file limit")
    assert reply[0] == "error" and "config.toml" in reply[1] and "fix it" in reply[1]
    log = (caro_home / "logs" / "helper.log").read_text()
    assert log.count("loaded model") == 1  # safety changes kept the loaded model


def test_a_key_change_renders_the_installed_hook_again(tmp_path, caro_home):
    env = dict(os.environ, CARO_HOME=str(caro_home), HOME=str(tmp_path), SHELL="/bin/zsh")
    env.pop("ZDOTDIR", None)
    assert run_caro("hook", "--install", "zsh", "bash", env=env).returncode == 0
    snippet = caro_home / "shell" / "caro.zsh"
    assert "__caro_key='^G'" in snippet.read_text() or "__caro_key=^G" in snippet.read_text()
    r = run_caro("config", "set", "shell.key", "alt-g", env=env)
    assert r.returncode == 0 and "open a new shell" in r.stderr
    assert "^[g" in snippet.read_text() and "\\eg" in (caro_home / "shell" / "caro.bash").read_text()
    bad = run_caro("config", "set", "shell.key", "F5", env=env)
    assert bad.returncode != 0 and "ctrl-LETTER or alt-LETTER" in bad.stderr


# ---------------------------------------------------------------- a line that already is a command


@pytest.mark.parametrize(
    "line,kind",
    [
        ("tar -czf a.tgz dir", True),
        ("kill -9 1234", True),
        ("ls -S | head -n10", True),
        ("git status", True),
        ("uptime", True),
        ("find . -name '*.py'", True),
        ("sleep 10", True),
        ("kill process 4242", False),
        ("find large files in my home", False),
        ("list files bigger than 100MB here", False),
        ("top processes by memory", False),
        ("kill the process on port 8080", False),
        ("free memory", False),
        ("delete node_modules folders recursively", False),
        ("echo hello world", False),
    ],
)
def test_which_lines_are_commands(line, kind):
    assert is_command(line, lambda p: bool(shutil.which(p)) or p in ("kill", "echo"), "/") == kind


def test_explanations_come_from_the_manuals():
    if not shutil.which("man") or subprocess.run(["man", "-w", "tar"], capture_output=True).returncode != 0:
        pytest.skip("man pages are not installed here")
    r = run_caro("explain", "--json", "tar -czf a.tgz dir | head -n10", timeout=60)
    import json

    parts = dict(json.loads(r.stdout)["parts"])
    assert "archiv" in parts["tar"]
    assert "Create a new archive" in parts["-czf"] and "gzip" in parts["-czf"]
    assert "first" in parts["-n10"].lower()


@pytest.mark.parametrize("shell", SHELLS)
def test_ctrl_g_on_a_command_explains_it_then_improves_that_command(shell, shared_home, tmp_path):
    if subprocess.run(["man", "-w", "tar"], capture_output=True).returncode != 0:
        pytest.skip("man pages are not installed here")
    child = spawn(shell, shared_home, tmp_path)
    line = "ls -S | head -n10"
    child.send(line)
    child.send("\x07")
    child.expect("sort by file size", timeout=60)  # the explanation, from ls's manual
    time.sleep(0.5)
    assert _line(child, shell) == line  # never replaced by another task
    line = "tar -czf a.tgz dir"
    child.send(line)
    child.send("\x07")
    child.expect("Create a new archive", timeout=60)
    time.sleep(0.3)
    child.send("\x07")  # again, on the unchanged line: improve it
    child.expect(r"improvement 1/1 of your command: adds|no improvement of your command", timeout=90)
    time.sleep(0.5)
    got = _line(child, shell)
    assert got == line or (got.startswith("tar ") and all(w in got for w in ("a.tgz", "dir")))
    child.sendline("exit")


def test_improvements_keep_every_word_and_the_programs():
    from caro.engine.pipeline import added_words

    assert added_words("tar -czf a.tgz dir", "tar -czvf a.tgz dir") == ["-v"]
    assert added_words("rsync -a src/ dst/", "rsync -avz src/ dst/") == ["-v", "-z"]
    assert added_words("kill -9 1234", "kill -9 -1234") == []  # a process group instead
    assert added_words("du -sh *", "du -sh .") == []
    assert added_words("ls -S | head -n10", "ls -S | head -n10 | sort -r") == []
    assert added_words("kill -9 1234", "pkill -9 1234") == []


# ---------------------------------------------------------------- zsh: Ctrl-R and vi undo


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed")
def test_zsh_ctrl_g_during_ctrl_r_aborts_the_search(shared_home, tmp_path):
    child = spawn("zsh", shared_home, tmp_path)
    child.sendline("echo from-history-xyz")
    child.expect_exact(PROMPT)
    child.send("show the kernel version")
    child.sendcontrol("r")
    child.send("from-hist")
    time.sleep(0.5)
    child.send("\x07")  # abort the search, as Ctrl-G does in zsh
    time.sleep(1.0)
    assert _line(child, "zsh") == "show the kernel version"
    child.sendline("exit")


# Ctrl-X prints the buffer in either vi keymap (the emacs-mode keys _line uses are not bound there)
DUMP = {
    "zsh": "__dump() { zle -M \"__BUF__${BUFFER}__BUF__\" }; zle -N __dump; bindkey -M vicmd '^X' __dump; "
    "bindkey -M viins '^X' __dump",
    "bash": 'bind -m vi-command -x \'"\\C-x": printf "__BUF__%s__BUF__\\n" "$READLINE_LINE"\'; '
    'bind -m vi-insert -x \'"\\C-x": printf "__BUF__%s__BUF__\\n" "$READLINE_LINE"\'',
    "fish": "bind -M default \\cx 'echo __BUF__(commandline)__BUF__'; bind -M insert \\cx 'echo __BUF__(commandline)__BUF__'",
}


@pytest.mark.parametrize("shell", SHELLS)
def test_vi_undo_returns_to_the_request(shell, shared_home, tmp_path):
    child = spawn(shell, shared_home, tmp_path, extra=VI_MODE[shell] + "\n" + DUMP[shell])
    req = "show the last 3 lines of notes.txt"
    child.send(req)
    child.send("\x07")
    child.expect_exact("tail -n 3 notes.txt", timeout=60)
    time.sleep(0.5)
    child.send("\x1b")  # command mode
    time.sleep(0.3)
    child.send("u")  # vi undo
    time.sleep(0.5)
    child.send("\x18")
    child.expect("__BUF__(.*?)__BUF__")
    assert child.match.group(1) == req
    child.sendline("exit")


# ---------------------------------------------------------------- install.sh on a bare machine


def test_a_native_install_names_a_missing_compiler_and_cmake_before_anything_long_starts(tmp_path):
    """The default install needs no compiler (the real install in test_install runs without one);
    --native builds llama.cpp, so it asks for one, and for cmake, before it starts."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": bare_path(tmp_path, (*COMPILERS, "cmake")), "LANG": "C.UTF-8", "TERM": "dumb"}
    t = time.monotonic()
    r = subprocess.run(
        [str(ROOT / "install.sh"), "--yes", "--native"], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 1 and time.monotonic() - t < 10
    assert "missing: a C and C++ compiler and make" in r.stderr and "missing: cmake" in r.stderr
    assert "sudo apt-get install -y build-essential cmake" in r.stderr
    assert not (home / ".caro" / "venv").exists()


def test_install_names_a_missing_venv_module(tmp_path):
    fake = tmp_path / "py"
    fake.mkdir()
    real = shutil.which("python3")
    _tool(
        fake,
        "python3",
        f'case "$*" in *ensurepip*) echo "No module named ensurepip" >&2; exit 1 ;; esac\nexec {real} "$@"',
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": f"{fake}:" + bare_path(tmp_path, ("uv",)), "LANG": "C.UTF-8", "TERM": "dumb"}
    r = subprocess.run([str(ROOT / "install.sh"), "--yes"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "missing: python3-venv" in r.stderr and "python3-venv" in r.stderr.splitlines()[-2]
    assert not (home / ".caro" / "venv").exists()


def test_the_rc_block_puts_caro_on_path_once(tmp_path, caro_home):
    env = dict(os.environ, CARO_HOME=str(caro_home), HOME=str(tmp_path), SHELL="/bin/zsh")
    env.pop("ZDOTDIR", None)
    (caro_home / "bin").mkdir()
    (caro_home / "bin" / "caro").symlink_to(shutil.which("true") or "/bin/true")
    assert run_caro("hook", "--install", "zsh", "bash", "fish", env=env).returncode == 0
    clean = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "TERM": "dumb",
        "CARO_NO_START": "1",
        "CARO_HOME": str(caro_home),
    }
    for sh, argv in (("zsh", ["zsh", "-i", "-c"]), ("bash", ["bash", "-i", "-c"]), ("fish", ["fish", "-i", "-c"])):
        if not shutil.which(sh):
            continue
        script = (
            "source ~/.zshrc; "
            if sh == "zsh"
            else "source ~/.bashrc; "
            if sh == "bash"
            else "source ~/.config/fish/conf.d/caro.fish; "
        ) + (
            # the program's path (caro is also a function the hook defines, for [r]un's history)
            {"zsh": "whence -p caro", "bash": "type -P caro", "fish": "command -v caro"}[sh] + "; echo $PATH"
        )
        out = subprocess.run(argv + [script], env=clean, capture_output=True, text=True, timeout=30).stdout
        assert f"{caro_home}/bin/caro" in out, (sh, out)
        assert out.count(f"{caro_home}/bin") == 2, (sh, out)  # the path once, though the block ran twice


def test_uninstall_keeps_the_users_own_backup(tmp_path, caro_home):
    env = dict(os.environ, CARO_HOME=str(caro_home), HOME=str(tmp_path), SHELL="/bin/bash")
    (tmp_path / ".bashrc").write_text("# mine\n")
    (tmp_path / ".bashrc.caro-backup").write_text("# my own older copy\n")
    assert run_caro("hook", "--install", "bash", env=env).returncode == 0
    assert run_caro("hook", "--install", "bash", env=env).returncode == 0
    assert run_caro("hook", "--uninstall", "bash", env=env).returncode == 0
    assert (tmp_path / ".bashrc").read_text() == "# mine\n"
    assert (tmp_path / ".bashrc.caro-backup").read_text() == "# my own older copy\n"
    # a backup caro itself made, identical to the file once the block is gone, goes with it
    (tmp_path / ".bashrc.caro-backup").unlink()
    assert run_caro("hook", "--install", "bash", env=env).returncode == 0
    assert (tmp_path / ".bashrc.caro-backup").read_text() == "# mine\n"
    assert run_caro("hook", "--uninstall", "bash", env=env).returncode == 0
    assert not (tmp_path / ".bashrc.caro-backup").exists()
    assert stat.S_IMODE((tmp_path / ".bashrc").stat().st_mode) == 0o644


# ---------------------------------------------------------------- what the shells show while waiting


def SlowHelper(run_dir: Path, delay: float) -> StandInHelper:
    """A stand-in helper on a private socket: reads one request, waits, answers `insert ls -l`."""
    run_dir.mkdir(mode=0o700)
    return StandInHelper(run_dir / "helper.sock", "ls -l", delay)


@pytest.mark.parametrize("shell", [s for s in ("bash", "fish") if shutil.which(s)])
def test_prompt_and_request_stay_visible_while_thinking(shell, tmp_path, caro_home):
    run = tmp_path / "run"
    helper = SlowHelper(run, 2.0)
    child = spawn(shell, caro_home, tmp_path)
    child.sendline("export CARO_RUNTIME_DIR=" + str(run) if shell == "bash" else f"set -gx CARO_RUNTIME_DIR {run}")
    child.expect_exact(PROMPT)
    req = "show me the files"
    child.send(req)
    child.send("\x07")
    # bash draws prompt and request again before the mark; fish puts the mark after the text and
    # moves the cursor back, so neither is overwritten
    child.expect("thinking", timeout=10)
    shown = child.before
    if shell == "bash":
        assert shown.endswith(f"{PROMPT}{req}  \x1b[2mcaro: ")
    else:
        assert req in shown and shown.endswith("  caro: ")  # after the text, not "\rcaro:" over the prompt
    child.expect_exact("ls -l", timeout=10)
    time.sleep(0.3)
    assert _line(child, shell) == "ls -l"
    child.sendline("exit")
    helper.close()


@pytest.mark.skipif(not shutil.which("fish"), reason="fish not installed")
def test_fish_ctrl_c_says_cancelled_once(tmp_path, caro_home):
    run = tmp_path / "run"
    helper = SlowHelper(run, 5.0)
    child = spawn("fish", caro_home, tmp_path)
    child.sendline(f"set -gx CARO_RUNTIME_DIR {run}")
    child.expect_exact(PROMPT)
    child.send("show me the files")
    child.send("\x07")
    child.expect("thinking", timeout=10)
    child.send("\x03")
    child.expect("cancelled", timeout=5)
    with pytest.raises(pexpect.TIMEOUT):
        child.expect("gave no answer|no answer within", timeout=2)
    assert _line(child, "fish") == "show me the files"
    child.sendline("exit")
    helper.close()


@pytest.mark.parametrize("shell", SHELLS)
def test_caro_key_in_the_environment_wins_over_the_rendered_key(shell, tmp_path):
    f = tmp_path / f"hook.{shell}"
    f.write_text(_hook(shell, tmp_path))  # rendered with the default, Ctrl-G
    listing = {
        "zsh": ["zsh", "-f", "-i", "-c", f"source {f}; bindkey"],
        "bash": ["bash", "--norc", "-i", "-c", f"source {f}; bind -X"],
        "fish": ["fish", "--no-config", "-i", "-c", f"source {f}; bind"],
    }[shell]
    want = {
        "zsh": ('"^[g" caro-widget', '"^E" caro-widget'),
        "bash": ('"\\eg": "caro-widget"', '"\\C-e": "caro-widget"'),
        "fish": ("bind \\eg caro-widget", "bind \\ce caro-widget"),
    }[shell]
    for spec, expected in zip(("alt-g", "ctrl-e"), want):
        env = dict(os.environ, CARO_KEY=spec, CARO_NO_START="1", HOME=str(tmp_path))
        out = subprocess.run(listing, env=env, capture_output=True, text=True, timeout=30).stdout
        assert expected in out, (spec, out[-500:])


def test_no_request_of_the_quality_sets_is_taken_for_a_command():
    """A request mistaken for a command would be explained instead of answered: 0 of the 327
    requests in our sets may be (and most real commands are recognised: docs/usage.md)."""
    import json

    from caro.engine import context

    has = context.detect("bash", "/tmp").has
    for f in (ROOT / "benchmarks" / "sets").glob("*.jsonl"):
        for row in map(json.loads, filter(str.strip, f.read_text().splitlines())):
            assert not is_command(row["request"], has, "/tmp"), (f.name, row["request"])


def _runtime_dir_in(sh: str, snippet, env, python=None) -> str:
    """The runtime dir the shell's snippet picks in `env` (with `python` as the snippet's Python)."""
    swap = (
        {
            "zsh": f"__caro_python={python}; ",
            "bash": f"__caro_python={python}; ",
            "fish": f"set -g __caro_python {python}; ",
        }[sh]
        if python
        else ""
    )
    argv = {
        "zsh": ["zsh", "-f", "-i", "-c", f"source {snippet}; {swap}__caro_runtime_dir; print -r -- $REPLY"],
        "bash": ["bash", "--norc", "-i", "-c", f"source {snippet}; {swap}__caro_runtime_dir; echo $__caro_rundir_now"],
        "fish": ["fish", "--no-config", "-i", "-c", f"source {snippet}; {swap}__caro_runtime_dir"],
    }[sh]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30).stdout.strip()


def test_every_part_agrees_on_the_runtime_dir(tmp_path):
    """The rule is written once (caro/paths.py): the render bakes its answer for the environment it
    saw, and a shell in that environment uses it without starting Python (the snippet's Python is
    swapped for a missing program to prove it); in any other environment (CARO_HOME="" exported,
    CARO_HOME set later, a static copy of the snippet) the shell asks `caro helper dir` and gets
    what Python picks."""
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    base = dict(os.environ, HOME=str(tmp_path), XDG_RUNTIME_DIR=str(xdg), CARO_NO_START="1", CARO_NO_BIND="1")
    base.pop("CARO_RUNTIME_DIR", None)
    base.pop("CARO_HOME", None)
    render_env = dict(base)
    f = {}
    for sh in SHELLS:
        f[sh] = tmp_path / f"h.{sh}"
        f[sh].write_text(
            subprocess.run(
                [PY, "-m", "caro", "hook", sh], env=render_env, capture_output=True, text=True, check=True
            ).stdout
        )
    for sh in SHELLS:
        assert _runtime_dir_in(sh, f[sh], base, python="/nonexistent/python") == str(xdg / "caro"), sh
    for caro_home in ("", str(tmp_path / "ch")):
        env = dict(base, CARO_HOME=caro_home)
        want = subprocess.run(
            [PY, "-m", "caro", "helper", "dir"], env=env, capture_output=True, text=True, cwd=str(ROOT)
        ).stdout.strip()
        assert want == (str(xdg / "caro") if not caro_home else f"{caro_home}/run")
        for sh in SHELLS:
            assert _runtime_dir_in(sh, f[sh], env) == want, (sh, repr(caro_home))
            static = ROOT / "shell" / f"caro.{sh}"  # no rendered head at all
            assert _runtime_dir_in(sh, static, dict(env, CARO_PYTHON=PY)) == want, (sh, "static")


def test_cycling_says_which_alternative_this_is(shared_home):
    req = "list files bigger than 100MB here"
    first = _ask(shared_home, req)
    assert first[:2] == ["insert", "find . -type f -size +100M"] and "alternative" not in first[2]
    second = _ask(shared_home, req, index=1)
    assert (second[0] in ("insert", "confirm") and re.match(r"alternative 2(/\d)?\b", second[2])) or (
        second[0] == "error" and "no other suggestion passed caro's checks" in second[1]
    )


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed")
def test_zsh_snippet_ignores_the_users_options_and_aliases_and_restores_them(tmp_path):
    f = tmp_path / "hook.zsh"
    f.write_text(_hook("zsh", tmp_path))
    env = dict(os.environ, CARO_NO_START="1", HOME=str(tmp_path))
    script = (
        f"setopt ignore_braces ksh_arrays; alias local=typeset; source {f}; whence -w caro-widget; "
        "functions caro-widget | grep -c 'typeset orig'; [[ -o ignore_braces && -o ksh_arrays ]] && echo kept"
    )
    out = subprocess.run(["zsh", "-f", "-i", "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["caro-widget:", "function", "0", "kept"], out.stdout + out.stderr


def test_a_new_helper_renders_stale_snippets_again_and_static_snippets_get_no_upgrade_note(caro_home):
    """After `pip install -U`, the rc block still sources the copy an older caro rendered: the helper
    renders it again when it starts, so "open a new shell" helps. A snippet sourced as a static
    file sends v=0 and must not be told to upgrade on every press."""
    env = dict(os.environ, CARO_HOME=str(caro_home))
    pin_examples(caro_home)
    shell_dir = caro_home / "shell"
    shell_dir.mkdir()
    (shell_dir / "caro.zsh").write_text("__caro_version=0.0.1\n# an older caro's render\n")
    (shell_dir / "caro.fish").write_text("set -g __caro_version 0.0.1\n")
    assert run_caro("helper", "start", env=env).returncode == 0
    from caro import __version__

    assert f"__caro_version={__version__}\n" in (shell_dir / "caro.zsh").read_text()
    assert f"set -g __caro_version {__version__}\n" in (shell_dir / "caro.fish").read_text()
    assert not (shell_dir / "caro.bash").exists()  # only what was installed is rendered
    r = protocol.decode_reply(
        run_relay(
            caro_home / "run" / "helper.sock",
            "v=0",
            "op=suggest",
            "shell=zsh",
            "cwd=/tmp",
            "index=0",
            "text=show the kernel version",
            env=env,
        )
    )
    assert r[:2] == ["insert", "uname -r"] and "upgraded" not in "".join(r)


def test_copy_falls_back_to_tmux_inside_tmux(tmp_path):
    """xsel fails with "Can't open display" inside tmux or over SSH: tmux's own buffer takes it."""
    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed")
    sock = tmp_path / "tmux.sock"
    subprocess.run(["tmux", "-S", str(sock), "new-session", "-d", "-s", "t", "sleep 30"], check=True, timeout=10)
    try:
        bad = tmp_path / "bad"
        bad.mkdir()
        _tool(bad, "xsel", 'echo "xsel: Can\'t open display" >&2; exit 1')
        env = {"PATH": f"{bad}:/usr/bin:/bin", "TMUX": f"{sock},1,0", "HOME": str(tmp_path)}
        done, said = copy("ls -l", env=env)
        assert done and "tmux" in said
        got = subprocess.run(["tmux", "-S", str(sock), "show-buffer"], capture_output=True, text=True, timeout=10)
        assert got.stdout == "ls -l"
    finally:
        subprocess.run(["tmux", "-S", str(sock), "kill-server"], capture_output=True, timeout=10)


@pytest.mark.parametrize(
    "line,kind",
    [
        ("pgrep nginx", True),
        ("ping example.com", True),
        ("man tar", True),
        ("kill the nginx process", False),
        ("ssh into the web server", False),
    ],
)
def test_a_program_that_takes_names_with_its_names_is_a_command(line, kind):
    """Ctrl-G on `pgrep nginx` showed nothing: it was taken for a request and answered with itself."""
    has = lambda p: p in ("pgrep", "ping", "man", "kill", "ssh")
    assert is_command(line, has, "/") is kind
