"""Checks a written command must pass before anyone sees it (then safety judges it).

1. It parses in the target shell (`bash -n`, `zsh -n`, `fish --no-execute`): fish rejects bash
   loops, and a line that does not parse is never what the user wanted.
2. Every program it runs exists here: on PATH, a shell builtin or keyword. A missing one is a
   note, not a refusal: "show my crontab" is `crontab -l` even where cron is not installed yet.
3. Its options exist, by the program's own --help (flagcheck).
4. The intent guard: a read-only request gets no command that changes state.
Each check returns a reason in words the model can act on when asked again, or None.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Callable

from ..cmdline.commands import basename, unwrap
from ..cmdline.dialect import SYNTAX_CHECK
from ..cmdline.shellparse import parse
from ..knowledge import programs
from ..knowledge.tldr import unfilled
from ..visible import hidden
from . import flagcheck, intent
from .parse import degenerate

# whether a program is installed here: shutil.which in use, a set in the benchmarks
Has = Callable[[str], bool]

SYNTAX_TIMEOUT = 2.0
# each shell's own parse-only run (cmdline/dialect.py)
_SYNTAX_CMD = {name: list(argv) for name, argv in SYNTAX_CHECK.items()}

_BUILTINS = frozenset(
    "alias bg bind break builtin caller cd command compgen complete continue declare dirs disown echo enable eval "
    "exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd "
    "read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask "
    "unalias unset wait . : [ [[ ]] ]] { } ( ) if then else elif fi for while until do done case esac in function select "
    "time coproc ! "
    # zsh
    "autoload bindkey print zmodload zle setopt unsetopt whence where which noglob emulate zmv vared functions "
    # fish
    "and or not begin end switch string math count contains set_color fish_add_path abbr functions funced funcsave "
    "argparse path status commandline realpath random".split()
)


@functools.lru_cache(maxsize=8)
def _shell_available(shell: str) -> bool:
    cmd = _SYNTAX_CMD.get(shell)
    return bool(cmd and shutil.which(cmd[0]))


def syntax_error(command: str, shell: str) -> str | None:
    """The target shell's own complaint about the line, or None when it parses (or the shell is absent)."""
    shell = shell if shell in _SYNTAX_CMD else "bash"
    if not _shell_available(shell):
        return None
    argv = _SYNTAX_CMD[shell]
    try:
        out = subprocess.run(
            argv,
            input=command + "\n",
            capture_output=True,
            text=True,
            timeout=SYNTAX_TIMEOUT,
            env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LC_ALL": "C.UTF-8"},
        )
    except (OSError, subprocess.SubprocessError):
        return None

    if out.returncode == 0:
        return None

    first = next((ln.strip() for ln in out.stderr.splitlines() if ln.strip()), "syntax error")
    first = re.sub(r"^(?:bash|zsh|fish|-|Standard input|\(stdin\)|fish: )[:\s]*(?:line \d+:\s*)?", "", first)
    return f"it is not valid {shell} syntax ({first[:120]})"


def missing_programs(command: str, has: Has, shell: str = "bash") -> list[str]:
    """Programs the command runs that are neither installed nor shell builtins."""
    out = []
    for argv in parse(command, shell).argvs():
        real = unwrap(argv)[0]
        outer = next((w for w in argv if not re.match(r"^\w+=", w)), "")
        for word in dict.fromkeys([outer, real[0] if real else ""]):  # the wrapper (sudo) and the program
            if not word or "$" in word or "=" in word or "/" in word:
                continue  # a variable, an assignment, or a path the user names
            name = basename(word)
            if name in _BUILTINS or not re.fullmatch(r"[\w.+-]+", name):
                continue
            if not has(name):
                out.append(name)
    return list(dict.fromkeys(out))


# Words that ask for the whole machine, in the languages caro has been measured in (English,
# German, Spanish, French, Chinese): without one, an answer that walks / widened the request
# (a German "finde alle PDF-Dateien" was once answered `find / -name '*.pdf'`).
_EVERYWHERE = re.compile(
    r"(?i)(?:^|\s|\b)/(?:\s|$|\w)|\b(?:root|system|systems|everywhere|anywhere|whole|entire|all\s+over|computer|"
    r"machine|disk|drive|filesystem|file\s+system|überall|ganze[nmr]?|gesamte[nmr]?|rechner|festplatte|dateisystem|"
    r"en\s+todas\s+partes|todo\s+el|toda\s+la|sistema|equipo|disco|partout|tout\s+le|toute\s+la|système|ordinateur)\b"
    r"|整个|全部|系统|根目录|电脑|磁盘|所有地方|任何地方"
)


def whole_system(command: str, shell: str) -> str | None:
    """What in the command walks the whole file system (`find /`, `du /`, `grep -r … /`), or None."""
    for argv in parse(command, shell).argvs():
        real = unwrap(argv)[0]
        if not real:
            continue
        name = basename(real[0])
        ops = [a for a in real[1:] if not a.startswith("-")]
        if name in ("find", "fd", "locate") and ops[:1] == ["/"]:
            return f"searches the whole file system ({name} /)"
        if (
            name in ("du", "ls", "grep", "rg", "chmod", "chown", "tree")
            and "/" in ops
            and (name in ("du", "tree") or any(a.startswith("-") and ("r" in a or "R" in a) for a in real[1:]))
        ):
            return f"walks the whole file system ({name} … /)"
    return None


def _misordered(command: str, shell: str) -> str | None:
    """An archiver given its words in the wrong order (programs.misordered)."""
    try:
        argvs = parse(command, shell).argvs()
    except Exception:
        return None
    return next((why for argv in argvs if (why := programs.misordered(unwrap(argv)[0]))), None)


_HOURS = re.compile(r"\b(\d+)\s*(?:hours?|hrs?|h)\b|\b(?:an|one|the last|past)\s+(hour)\b", re.IGNORECASE)
_MINUTES = re.compile(r"\b(\d+)\s*(?:minutes?|mins?)\b", re.IGNORECASE)


def _wrong_unit(command: str, request: str) -> str | None:
    """find's -mtime/-atime/-ctime count whole days: "the last 24 hours" written `-mtime -24` asks
    for 24 days. The request's hours or minutes given as days."""
    m = re.search(r"\s-([mac])time\s+([-+]?)(\d+)\b", command)
    if not m:
        return None
    which, sign, n = m.group(1), m.group(2), int(m.group(3))
    hours = _HOURS.search(request)
    minutes = _MINUTES.search(request)
    if hours and (int(hours.group(1)) if hours.group(1) else 1) == n and n != 1:
        return (
            f"find's -{which}time counts days, so {sign}{n} is {n} days; for {n} hours use -{which}min {sign}{n * 60}"
        )
    if minutes and int(minutes.group(1)) == n:
        return f"find's -{which}time counts days, so {sign}{n} is {n} days; for minutes use -{which}min {sign}{n}"
    return None


def asks_everywhere(request: str) -> bool:
    return bool(_EVERYWHERE.search(request))


def problem(command: str, shell: str, has: Has, read_only: bool, request: str = "") -> str | None:
    """Why this command must not be offered for this request, or None."""
    if not command.strip():
        return "the answer was empty"
    if "\n" in command.strip():
        return "it spans several lines; one line is needed"
    if hidden(command):
        return f"it contains terminal control characters ({', '.join(hidden(command)[:4])}); plain text is needed"
    loop = degenerate(command)
    if loop:
        return loop
    slot = unfilled(command, request)
    if slot:
        return f"it has a placeholder ({slot}); use the names the request gives"
    if request and (wide := whole_system(command, shell)) and not asks_everywhere(request):
        return f"it {wide}, which the request did not ask for; work in the current folder (.)"
    why = syntax_error(command, shell)
    if why:
        return why
    if order := _misordered(command, shell) or _wrong_unit(command, request):
        return order
    invented, bare = flagcheck.option_problems(command, shell)  # one reading of the line and the helps
    if invented:
        return f"it uses options its program does not have ({', '.join(dict.fromkeys(invented))})"
    if bare:
        return f"{bare[0]} needs a value and has none"
    if read_only:
        changes = intent.state_changes(command, shell)
        if changes:
            return f"the request only asks to look, but {changes[0]}"
    return None


def notes(command: str, has: Has, shell: str = "bash") -> list[str]:
    """What the user should know about a command that passed: programs it needs that are missing here."""
    missing = missing_programs(command, has, shell)
    return [f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed here"] if missing else []
