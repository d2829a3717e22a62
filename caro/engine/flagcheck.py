"""Catch options a program does not have, by reading what that program says of itself.

A small model invents flags (`mkdir -r -d`, `git log --name-onlyy`). For well-known tools
installed in system directories, caro reads `--help` once per program, and the manual, and checks
each option the model wrote against them; git's subcommands against their own manuals (git itself
is never run). Only programs on the lists below are ever run, only with `--help` (bash's builtins:
`help NAME`), and only from system directories, so nothing the model names is executed. Unknown
programs, odd option styles (find, dd, ps, tar's old form) and tools without usable help are not
judged: a refusal needs evidence.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

from ..cmdline.commands import unwrap
from ..cmdline.shellparse import parse
from ..knowledge import programs

CHECKABLE = frozenset(
    "ls cp mv rm mkdir rmdir ln chmod chown chgrp touch cat head tail wc sort uniq cut tr grep egrep fgrep sed "
    "du df date uname stat readlink realpath basename dirname mktemp split tee nl od seq sleep xargs shuf "
    "gzip gunzip zcat bzip2 xz zip unzip rsync wget md5sum sha1sum sha256sum base64 comm join paste fold "
    "fmt expand unexpand column rev tac truncate shred env nohup timeout id who whoami groups hostname free "
    "uptime pgrep pkill kill diff cmp file which journalctl systemctl".split()
    # more of GNU coreutils, util-linux, procps, psmisc and diffutils: tools whose --help is getopt's
    # ("-x, --long VALUE"), so an option they lack is evidence; none of them runs a command given as
    # its arguments (those are wrappers, which cmdline.commands.unwrap looks through)
    + "b2sum sha224sum sha384sum sha512sum cksum base32 basenc csplit nproc numfmt printenv pr tsort "
    "lsblk findmnt blkid dmesg lscpu lsmem lslocks lsipc lsns lslogins last lastb namei whereis mountpoint "
    "wdctl zramctl swapon losetup mount pmap pwdx vmstat pidwait fuser killall pstree sdiff diff3 hexdump "
    "look logger renice fallocate".split()
)
# bash's own commands, judged by bash's `help NAME` when the answer is for bash (`jobs -w` was
# answered for "which at jobs are waiting"; bash refused it: jobs has -lnprs)
BASH_BUILTINS = frozenset(
    "jobs cd pushd popd dirs read ulimit umask hash type history wait disown export declare typeset local "
    "readonly unset shopt enable complete compgen bind fc trap alias unalias".split()
)
SYSTEM_DIRS = ("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/", "/usr/local/bin/", "/opt/homebrew/bin/")


def _ask(argv: list[str]) -> subprocess.CompletedProcess | None:
    """Run a help command quietly: no input, C locale, no home, two seconds at most."""
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=2,
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/nonexistent"},
        )
    except (OSError, subprocess.SubprocessError):
        return None


@functools.lru_cache(maxsize=256)
def help_text(program: str) -> str | None:
    """The program's --help output, or None when it cannot be judged."""
    if program not in CHECKABLE:
        return None
    path = shutil.which(program)
    if not path or not os.path.realpath(path).startswith(SYSTEM_DIRS) and not path.startswith(SYSTEM_DIRS):
        return None
    out = _ask([path, "--help"])
    if out is None:
        return None
    text = out.stdout + out.stderr
    # BSD tools print a one-line usage; a help with few options listed is too thin to judge by
    return text if len(re.findall(r"(?:^|\s)--?[A-Za-z]", text)) >= 3 else None


@functools.lru_cache(maxsize=64)
def builtin_help(name: str) -> str | None:
    """bash's `help NAME` (a fixed list of names, so nothing the model wrote is run)."""
    if name not in BASH_BUILTINS or not shutil.which("bash"):
        return None
    out = _ask(["bash", "--norc", "--noprofile", "-c", f"help {name}"])
    return out.stdout if out and out.returncode == 0 and out.stdout.startswith(name + ":") else None


def _evidence(name: str, shell: str) -> str | None:
    """What the program says of its options: bash's help for its builtins (in bash), else the
    program's --help and its manual (`zip --help` leaves out --exclude, which `man zip` lists)."""
    if shell == "bash" and name in BASH_BUILTINS:
        return builtin_help(name)
    help_ = help_text(name)
    return None if help_ is None else help_ + "\n" + _manual(name)


def _manual(program: str) -> str:
    from .explain import manual

    return manual(program)


def _known(flag: str, help_: str) -> bool:
    if flag.startswith("--"):
        return re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", help_) is not None
    # "-x," "-x " "[-x]" "-xVALUE" in a usage line, or x inside a cluster like [-abcx]
    return (
        re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![A-Za-z])", help_) is not None
        or re.search(r"\[-[A-Za-z0-9]*" + re.escape(flag[1]) + r"[A-Za-z0-9]*\]", help_) is not None
    )


_SIGNAL_TAKERS = frozenset("kill pkill killall fuser".split())


def _value_letter(ch: str, help_: str) -> str | None:
    """Does option -ch take a value, by its help: "required" (`-b, --body-numbering=STYLE`, `-n NUM`,
    `-d <date>`, a usage line's `[-a array]`), "optional" (`-e, --extended[=<list>]`, `-u[=UID]`:
    only attached), or None."""
    seps = re.findall(r"(?<![\w-])-" + re.escape(ch) + r"(?:,\s*--[\w-]+)?(=|\s|\[=)(?:[A-Z][A-Z_]+\b|<[\w-]+>)", help_)
    if any(sep != "[=" for sep in seps) or re.search(r"\[-" + re.escape(ch) + r" [a-z][\w-]*\]", help_):
        return "required"
    return "optional" if seps else None


# git subcommands whose words from this one on are a command they run (`git bisect run make -j4`)
_GIT_RUNS = {"bisect": "run", "submodule": "foreach"}


def _parts(argv: list[str], shell: str) -> list[tuple[str, list[str], str | None]]:
    """(program, its words from the program or subcommand on, what it says of those options).
    git's options before the subcommand are judged by `man git`, the rest by the subcommand's own
    manual (`git log -h` lists 9 of log's options; `man git-log` all of them) and, for a command
    with commands of its own (`git lfs track`), that one's manual too; only when the manual is
    here: a refusal needs evidence."""
    name = os.path.basename(argv[0])
    if name != "git":
        return [(name, argv, _evidence(name, shell))]
    i, sub = programs.subcommand(argv)
    parts: list[tuple[str, list[str], str | None]] = [(name, argv[:i], _manual("git") or None)]
    if not (sub and re.fullmatch(r"[a-z][a-z-]*", sub)):
        return parts
    words = argv[i:]
    if _GIT_RUNS.get(sub) in words:
        words = words[: words.index(_GIT_RUNS[sub])]
    page = _git_manual(sub)
    if page and len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*", words[1]):
        page += "\n" + _git_manual(f"{sub}-{words[1]}")
    parts.append((name, words, page or None))
    return parts


# "The command takes options applicable to the git log command" (git-stash(1)), "accepts any of the
# options accepted by git log" (git-reflog(1)): those options are the subcommand's too
_BORROWS = re.compile(r"options (?:applicable to|accepted by) (?:the )?git[- ]([a-z][a-z-]*)")


@functools.lru_cache(maxsize=64)
def _git_manual(sub: str, depth: int = 0) -> str:
    """`man git-SUB` with the manuals of the commands whose options it says it takes ("" if none)."""
    page = _manual(f"git-{sub}")
    if page and depth < 2:
        for other in dict.fromkeys(_BORROWS.findall(page)):
            if other != sub:
                page += "\n" + _git_manual(other, depth + 1)
    return page


def _git_knows(flag: str, help_: str) -> bool:
    """git's parser gives its boolean options both forms, and every command -h and --help; its
    manuals write `--[no-]X`, `--X` or `--no-X`."""
    base = flag[5:] if flag.startswith("--no-") else flag[2:]
    return (
        flag in ("-h", "--help")
        or _known(flag, help_)
        or _known("--" + base, help_)
        or _known("--no-" + base, help_)
        or "--[no-]" + base in help_
    )


def _judge(name: str, words: list[str], help_: str, bad: list[str], bare: list[str]) -> None:
    """The options in words[1:] that help_ does not mention, or that end the line wanting a value."""
    for k, arg in enumerate(words[1:], 1):
        if arg == "--":
            break
        if name in _SIGNAL_TAKERS and re.fullmatch(r"-(?:\d+|[A-Z][A-Z0-9+-]*)", arg):
            continue  # kill -KILL, kill -9: a signal, not options
        if arg.startswith("--") and len(arg) > 2:
            flag = arg.split("=", 1)[0]
            if not (_git_knows(flag, help_) if name == "git" else _known(flag, help_)):
                bad.append(flag)
        elif (cluster := re.match(r"-([A-Za-z]+)", arg)) and re.fullmatch(r"-[A-Za-z][A-Za-z0-9]*", arg):
            letters = cluster.group(1)
            if name == "git":
                # git's manuals glue values to letters (`-u[<mode>]`, `-S<string>`, `-X<option>`) and
                # their prose is full of examples (`git log -p <path>`): only the first letter is judged
                if not _git_knows("-" + letters[0], help_):
                    bad.append("-" + letters[0])
                continue
            for i, ch in enumerate(letters):
                if not _known("-" + ch, help_):
                    bad.append("-" + ch)
                    break
                if takes := _value_letter(ch, help_):
                    # `nl -ba`, `head -n5`: the rest of the word is the value; `date -ud` at the
                    # end of the line has none (`lscpu -e` may have none: its value is optional)
                    if takes == "required" and i == len(letters) - 1 and arg == "-" + letters and k == len(words) - 1:
                        bare.append("-" + ch)
                    break


def option_problems(command: str, shell: str = "bash") -> tuple[list[str], list[str]]:
    """(options the programs' help and manual do not mention, options given no value that need one)."""
    try:
        parsed = parse(command, shell)
    except Exception:
        return [], []
    bad: list[str] = []
    bare: list[str] = []
    for argv in parsed.argvs():
        argv = unwrap(argv)[0]  # the program proper, past sudo/env/timeout/VAR=… and their options
        if not argv:
            continue
        for name, words, help_ in _parts(argv, shell):
            # a refusal needs evidence: the option is in none of what the program says of itself
            if help_ is not None:
                _judge(name, words, help_, bad, bare)
    return bad, bare


def unknown_flags(command: str, shell: str = "bash") -> list[str]:
    """Options in `command` that the named programs' own help and manual do not mention."""
    return option_problems(command, shell)[0]


def missing_values(command: str, shell: str = "bash") -> list[str]:
    """Options at the end of a program's words that need a value and have none (`date -ud`)."""
    return option_problems(command, shell)[1]
