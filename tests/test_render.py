"""The zsh snippet loads the documented way (`eval "$(caro hook zsh)"`) under options and aliases
that used to break it, in a real interactive zsh, twice, and leaves the user's options as they were."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed")

BIN = str(Path(sys.executable).parent)


@pytest.mark.parametrize("setup", ["setopt ignore_braces", "setopt no_unset ksh_arrays",
                                   "alias local=typeset; alias typeset=echo; alias builtin=echo"])
def test_eval_of_the_hook_defines_the_widget_under_hostile_options(setup, tmp_path):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), HOME=str(tmp_path),
               CARO_HOME=str(tmp_path / "carohome"), TERM="xterm", PS1="%% ")
    child = pexpect.spawn("zsh", ["-f", "-i"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 200))
    try:
        child.sendline(f"{setup}; eval \"$(caro hook zsh)\"; eval \"$(caro hook zsh)\"; "
                       "print -r -- RESULT=${+widgets[caro-widget]}:$?")
        child.expect(r"RESULT=(\d):(\d+)")
        assert child.match.group(1) == "1", child.before
        assert "parse error" not in child.before and "command not found" not in child.before, child.before
        first = setup.split(";")[0].split()
        if first[0] == "setopt":
            child.sendline(f"[[ -o {first[1]} ]] && print -r -- KEPT=yes || print -r -- KEPT=no")
            child.expect(r"KEPT=(yes|no)")
            assert child.match.group(1) == "yes"       # the user's options come back
    finally:
        child.sendline("exit")
        child.close(force=True)
