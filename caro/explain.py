"""Explain a command word by word from the program's own manual summary and caro's notes."""
from __future__ import annotations

import re
import shutil
import subprocess

from .safety.commands import basename
from .safety.shellparse import parse

_NOTES = {
    "|": "pipe: the output of the left side becomes the input of the right side",
    "&&": "run the next command only if this one succeeded",
    "||": "run the next command only if this one failed",
    ";": "then run the next command",
}


def _whatis(program: str) -> str:
    if not shutil.which("whatis"):
        return ""
    try:
        out = subprocess.run(["whatis", program], capture_output=True, text=True, timeout=2).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    line = out.splitlines()[0] if out else ""
    return line.split(" - ", 1)[1].strip() if " - " in line else ""


def explain(command: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    parsed = parse(command)
    for i, pipeline in enumerate(parsed.pipelines):
        for j, simple in enumerate(pipeline):
            if j:
                parts.append(("|", _NOTES["|"]))
            if not simple.words:
                continue
            prog = basename(simple.words[0].text)
            found = shutil.which(prog)
            parts.append((prog, _whatis(prog) or ("a program on your PATH" if found else "not found on this machine")))
            for w in simple.words[1:]:
                t = w.text
                if re.match(r"^-", t):
                    parts.append((t, "option of " + prog))
                else:
                    parts.append((t, "argument"))
            for r in simple.redirects:
                parts.append((r.op + " " + r.target, "redirection"))
    return parts
