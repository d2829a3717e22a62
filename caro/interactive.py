"""On a terminal: show the command, then edit / run / copy / quit. Nothing runs without a key press."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from .cli import EXIT_BLOCKED, EXIT_OK, err


def _copy(text: str) -> bool:
    for tool in (["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "-ib"], ["pbcopy"]):
        if shutil.which(tool[0]):
            try:
                subprocess.run(tool, input=text.encode(), check=True, timeout=5)
                return True
            except (OSError, subprocess.SubprocessError):
                continue
    # OSC 52: most terminals put this on the clipboard
    import base64
    sys.stderr.write(f"\033]52;c;{base64.b64encode(text.encode()).decode()}\a")
    return True


def _read_key(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line.strip().lower()[:1] if line else "q"


def offer(s) -> int:
    command = s.command
    verdict = s.verdict
    print(command)
    sys.stdout.flush()
    from .verdicts import sentence
    if sentence(verdict):
        err(sentence(verdict))
    while True:
        key = _read_key("[e]dit  [r]un  [c]opy  [q]uit > ")
        if key == "e":
            from prompt_toolkit import prompt as pt_prompt
            command = pt_prompt("$ ", default=command)
            from . import safety
            verdict = safety.check(command)
            if verdict.blocked:
                err(sentence(verdict))
                return EXIT_BLOCKED
            continue
        if key == "r":
            if verdict.action == "warn":
                sys.stderr.write("this command is risky; type 'yes' to run it: ")
                sys.stderr.flush()
                if sys.stdin.readline().strip().lower() != "yes":
                    err("not run")
                    continue
            shell = os.environ.get("SHELL", "/bin/sh")
            return subprocess.call([shell, "-c", command])
        if key == "c":
            _copy(command)
            err("copied")
            return EXIT_OK
        if key in ("q", ""):
            return EXIT_OK
