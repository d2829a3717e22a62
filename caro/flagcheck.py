"""Catch options a program does not have, by reading that program's own `--help`.

A small model invents flags (`mkdir -r -d`). For well-known tools installed in system
directories, caro reads `--help` once per program and checks each option the model wrote
against it. Only programs on the list below are ever run, only with `--help`, and only from
system directories, so nothing the model names is executed. Unknown programs, odd option
styles (find, dd, ps, tar's old form) and tools without usable help are not judged.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

from .safety.commands import unwrap
from .safety.shellparse import parse

CHECKABLE = frozenset(
    "ls cp mv rm mkdir rmdir ln chmod chown chgrp touch cat head tail wc sort uniq cut tr grep egrep fgrep sed "
    "du df date uname stat readlink realpath basename dirname mktemp split tee nl od seq sleep xargs shuf "
    "gzip gunzip zcat bzip2 xz zip unzip rsync wget md5sum sha1sum sha256sum base64 comm join paste fold "
    "fmt expand unexpand column rev tac truncate shred env nohup timeout id who whoami groups hostname free "
    "uptime pgrep pkill kill diff cmp file which journalctl systemctl".split()
)
SYSTEM_DIRS = ("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/", "/usr/local/bin/", "/opt/homebrew/bin/")


@functools.lru_cache(maxsize=256)
def help_text(program: str) -> str | None:
    """The program's --help output, or None when it cannot be judged."""
    if program not in CHECKABLE:
        return None
    path = shutil.which(program)
    if not path or not os.path.realpath(path).startswith(SYSTEM_DIRS) and not path.startswith(SYSTEM_DIRS):
        return None
    try:
        out = subprocess.run(
            [path, "--help"],
            capture_output=True,
            text=True,
            timeout=2,
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/nonexistent"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = out.stdout + out.stderr
    # BSD tools print a one-line usage; a help with few options listed is too thin to judge by
    return text if len(re.findall(r"(?:^|\s)--?[A-Za-z]", text)) >= 3 else None


def _known(flag: str, help_: str) -> bool:
    if flag.startswith("--"):
        return re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", help_) is not None
    # "-x," "-x " "[-x]" "-xVALUE" in a usage line, or x inside a cluster like [-abcx]
    return (
        re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![A-Za-z])", help_) is not None
        or re.search(r"\[-[A-Za-z0-9]*" + re.escape(flag[1]) + r"[A-Za-z0-9]*\]", help_) is not None
    )


def unknown_flags(command: str, shell: str = "bash") -> list[str]:
    """Options in `command` that the named programs' own help does not mention."""
    try:
        parsed = parse(command, shell)
    except Exception:
        return []
    bad: list[str] = []
    for argv in parsed.argvs():
        argv = unwrap(argv)[0]  # the program proper, past sudo/env/timeout/VAR=… and their options
        if not argv:
            continue
        help_ = help_text(os.path.basename(argv[0]))
        if help_ is None:
            continue
        for arg in argv[1:]:
            if arg == "--":
                break
            if arg.startswith("--") and len(arg) > 2:
                name = arg.split("=", 1)[0]
                if not _known(name, help_):
                    bad.append(name)
            elif (cluster := re.match(r"-([A-Za-z]+)", arg)) and re.fullmatch(r"-[A-Za-z][A-Za-z0-9]*", arg):
                for ch in cluster.group(1):
                    if not _known("-" + ch, help_):
                        bad.append("-" + ch)
    return bad
