"""Every render of every shell, loaded the way users load it, under the options and aliases that
break careless snippets: it must print nothing at all, bind exactly the key it was given (or none
with CARO_NO_BIND=1), and pass the shell's own checks (`zsh -n`, `fish --no-execute`, fish_indent,
shellcheck with every optional check on for bash). The shells run interactively on a real pty,
because that is where binding happens; their own output goes to files so the pty's noise does not
count."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from test_helper_shells import _hook

BIN = str(Path(sys.executable).parent)
SHELLS = [s for s in ("zsh", "bash", "fish") if shutil.which(s)]

# (render-time CARO_KEY, CARO_NO_BIND) and what each shell's listing then shows for caro-widget
KEYS = [("", ""), ("alt-g", ""), ("ctrl-e", ""), ("", "1")]
BOUND = {
    "zsh": {"": '"^G" caro-widget', "alt-g": '"^[g" caro-widget', "ctrl-e": '"^E" caro-widget'},
    "bash": {"": '"\\C-g": "caro-widget"', "alt-g": '"\\eg": "caro-widget"', "ctrl-e": '"\\C-e": "caro-widget"'},
    "fish": {"": "bind \\cg caro-widget", "alt-g": "bind \\eg caro-widget", "ctrl-e": "bind \\ce caro-widget"},
}
LISTING = {"zsh": "bindkey", "bash": "bind -X", "fish": "bind"}
# options and definitions users really have; each one broke a snippet somewhere
SETUPS = {
    "zsh": [
        "",
        "setopt no_unset err_return ignore_braces ksh_arrays sh_word_split no_glob",
        "alias local=typeset; alias typeset=echo; alias builtin=echo; alias bindkey=echo; alias zle=echo",
    ],
    "bash": [
        "",
        "set -u -o pipefail; shopt -s nullglob failglob extglob",
        "alias printf=false; alias read=false; alias bind=echo; alias local=declare; alias trap=echo",
    ],
    "fish": [
        "",
        "set -g fish_key_bindings fish_vi_key_bindings",
        "function printf; echo hijacked; end; function string; echo hijacked; end; function bind; echo hijacked; end",
    ],
}


def _load(shell: str, setup: str, snippet: Path, tmp: Path, no_bind: str) -> tuple[str, str, str]:
    """Source `snippet` after `setup` in an interactive shell on a pty; (stdout, stderr, key listing)."""
    out, err, keys, done = (tmp / n for n in ("out", "err", "keys", "done"))
    env = dict(
        os.environ,
        HOME=str(tmp),
        CARO_HOME=str(tmp / "ch"),
        CARO_NO_START="1",
        TERM="xterm",
        PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
    )
    env.pop("CARO_KEY", None)
    env.pop("CARO_NO_BIND", None)
    if no_bind:
        env["CARO_NO_BIND"] = no_bind
    argv = {"zsh": ["-f", "-i"], "bash": ["--norc", "--noprofile", "-i"], "fish": ["--no-config", "-i"]}[shell]
    # the listing runs with the user's definitions out of the way (`builtin`/`command`), so a
    # hijacked `bind` cannot hide what the snippet did
    listing = {"zsh": "'builtin' bindkey", "bash": "builtin bind -X", "fish": "builtin bind"}[shell]
    line = (
        f"{setup}{';' if setup else ''} source {snippet} >{out} 2>{err}; {listing} >{keys} 2>&1; command touch {done}"
    )
    child = pexpect.spawn(shell, argv, env=env, encoding="utf-8", timeout=30, dimensions=(24, 400))
    try:
        child.sendline(line)
        for _ in range(300):
            if done.exists():
                break
            child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=0.1)
        assert done.exists(), f"{shell} never finished loading the snippet: {child.before!r}"
    finally:
        child.sendline("exit")
        child.close(force=True)
    return out.read_text(), err.read_text(), keys.read_text()


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("key,no_bind", KEYS, ids=["ctrl-g", "alt-g", "ctrl-e", "no-bind"])
@pytest.mark.parametrize("setup", [0, 1, 2], ids=["plain", "strict-options", "hostile-aliases"])
def test_every_render_loads_silently_and_binds_its_key(shell, key, no_bind, setup, tmp_path):
    snippet = tmp_path / f"caro.{shell}"
    snippet.write_text(_hook(shell, tmp_path / "ch", key))
    out, err, keys = _load(shell, SETUPS[shell][setup], snippet, tmp_path, no_bind)
    assert (out, err) == ("", ""), (out, err)
    widget_lines = [ln for ln in keys.splitlines() if "caro-widget" in ln and "\\C-x\\C-c" not in ln]
    if no_bind:
        assert widget_lines == [], keys
    else:
        assert BOUND[shell][key] in keys, keys
        assert all(key == "" or BOUND[shell][""] not in ln for ln in widget_lines), keys


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shells_own_syntax_checks_pass_on_every_render(shell, tmp_path):
    from caro.hooks import shells

    for key in ("", "alt-g"):
        f = tmp_path / f"caro-{key or 'default'}.{shell}"
        f.write_text(_hook(shell, tmp_path / "ch", key))
        r = subprocess.run([*shells.get(shell).syntax_check, str(f)], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout == r.stderr == "", r.stdout + r.stderr
        if shell == "fish":
            r = subprocess.run(["fish_indent", "--check", str(f)], capture_output=True, text=True)
            assert r.returncode == 0, subprocess.run(
                ["fish_indent", "-D", str(f)], capture_output=True, text=True
            ).stdout
        if shell == "bash" and shutil.which("shellcheck"):
            r = subprocess.run(["shellcheck", "--enable=all", "-s", "bash", str(f)], capture_output=True, text=True)
            assert r.returncode == 0, r.stdout


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed")
@pytest.mark.parametrize(
    "setup",
    [
        "setopt ignore_braces",
        "setopt no_unset ksh_arrays",
        "alias local=typeset; alias typeset=echo; alias builtin=echo",
    ],
)
def test_eval_of_the_hook_defines_the_widget_under_hostile_options(setup, tmp_path):
    """`eval "$(caro hook zsh)"`, twice, under options and aliases that used to break it (the text
    was parsed under the user's options before any of it ran); the user's options come back."""
    env = dict(
        os.environ,
        PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
        HOME=str(tmp_path),
        CARO_HOME=str(tmp_path / "carohome"),
        TERM="xterm",
        PS1="%% ",
    )
    child = pexpect.spawn("zsh", ["-f", "-i"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 200))
    try:
        child.sendline(
            f'{setup}; eval "$(caro hook zsh)"; eval "$(caro hook zsh)"; '
            "print -r -- RESULT=${+widgets[caro-widget]}:$?"
        )
        child.expect(r"RESULT=(\d):(\d+)")
        assert child.match.group(1) == "1", child.before
        assert "parse error" not in child.before and "command not found" not in child.before, child.before
        first = setup.split(";")[0].split()
        if first[0] == "setopt":
            child.sendline(f"[[ -o {first[1]} ]] && print -r -- KEPT=yes || print -r -- KEPT=no")
            child.expect(r"KEPT=(yes|no)")
            assert child.match.group(1) == "yes"  # the user's options come back
    finally:
        child.sendline("exit")
        child.close(force=True)


def test_shell_key_in_the_config_reaches_both_fish_spellings(tmp_path):
    """fish 4 binds `__caro_key4` (ctrl-g / alt-g names), fish 3 `__caro_key3` (escapes): both come
    from the one key in config.toml (before, fish 4 kept Ctrl-G). Only fish 3.6 is installed here,
    so fish 4's own binding is checked as the rendered variable, not in a fish 4 process."""
    home = tmp_path / "ch"
    home.mkdir()
    (home / "config.toml").write_text('[shell]\nkey = "alt-g"\n')
    head = _hook("fish", home)
    assert "set -g __caro_key4 alt-g\n" in head and "set -g __caro_key3 \\eg\n" in head


def test_helper_timeout_from_config_reaches_every_render(caro_home):
    """helper.timeout was documented but read by nothing: the shells waited 30 s whatever it said."""
    from caro.hooks.render import render

    (caro_home / "config.toml").write_text("[helper]\ntimeout = 7\n")
    for shell in ("bash", "zsh", "fish"):
        text = render(shell)
        assert "__caro_timeout" in text and ("__caro_timeout=7" in text or "__caro_timeout 7" in text), shell
