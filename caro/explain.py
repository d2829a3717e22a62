"""Explain a command word by word from the programs' own manuals.

For each program: its one-line summary (the NAME line of its man page, `whatis`); for each option:
the sentence its man page gives it, found the way a reader would (`-l`, then `-n` of `-n10`,
then each letter of a cluster like `-czf`); for a subcommand (`git status`): the summary of
`git-status`. Manuals are read with `man`, which only formats text files: nothing on the line is
run. Results are cached per program, since the helper explains the same tools again and again.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

from .safety.commands import basename, unwrap
from .safety.shellparse import parse

_NOTES = {
    "|": "pipe: the output of the left side becomes the input of the right side",
    "&&": "run the next command only if this one succeeded",
    "||": "run the next command only if this one failed",
    ";": "then run the next command",
}
MAX_MEANING = 90


_MAN_ROOTS = (
    "/usr/share/man",
    "/usr/local/share/man",
    "/usr/local/man",
    "/opt/homebrew/share/man",
    "/opt/local/share/man",
)
_PAGE_FILE = re.compile(r"(.+?)\.[0-9n][\w]*(?:\.(?:gz|bz2|xz|lzma|zst|Z))?")


@functools.lru_cache(maxsize=1)
def pages() -> frozenset[str]:
    """The names of the man pages on this machine, read from the manual folders themselves.

    `man` is only ever asked for a name in this set, so no word the user typed reaches another
    process's argv unless it already is a page name: `ps` is readable by every user, and a line
    like `zip -P Hunter3 …` once showed there as `man -P cat zip-Hunter3`."""
    roots = [d for d in os.environ.get("MANPATH", "").split(":") if d] + list(_MAN_ROOTS)
    names: set[str] = set()
    for root in dict.fromkeys(roots):
        try:
            sections = [e.path for e in os.scandir(root) if e.name.startswith("man") and e.is_dir()]
        except OSError:
            continue
        for section in sections:
            try:
                names.update(m.group(1) for f in os.listdir(section) if (m := _PAGE_FILE.fullmatch(f)))
            except OSError:
                continue
    return frozenset(names)


@functools.lru_cache(maxsize=128)
def manual(topic: str) -> str:
    """The man page as plain text, unwrapped (one paragraph per line), or "" when there is none."""
    if not shutil.which("man") or not re.fullmatch(r"[\w.+-]+", topic) or topic not in pages():
        return ""
    env = {
        "PATH": "/usr/bin:/bin",
        "MANWIDTH": "1000",
        "MANPAGER": "cat",
        "PAGER": "cat",
        "LC_ALL": "C.UTF-8",
        "HOME": "/nonexistent",
        "MAN_DISABLE_SECCOMP": "1",
    }
    try:
        out = subprocess.run(
            ["man", "-P", "cat", topic], capture_output=True, text=True, timeout=3, stdin=subprocess.DEVNULL, env=env
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return re.sub(r".\x08", "", out)  # overstrike bold/underline, should a man page keep it


def summary(topic: str) -> str:
    """The NAME line's description: `ls - list directory contents` → "list directory contents"."""
    m = re.search(r"^NAME\n\s+(.+?)\n", manual(topic), re.MULTILINE)
    if not m or " - " not in m.group(1):
        return ""
    return _short(m.group(1).split(" - ", 1)[1])


def _short(text: str) -> str:
    text = " ".join(text.split())
    first = re.split(r"(?<=[a-z)])\.\s", text, maxsplit=1)[0].rstrip(".")
    return first if len(first) <= MAX_MEANING else first[: MAX_MEANING - 1].rstrip() + "…"


def _option_in(page: str, flag: str) -> str:
    """The description the man page gives `flag`, or ""."""
    # an option line: indented, the flag among comma-separated spellings, then the text on the same
    # line after two spaces or on the next indented line
    pat = re.compile(
        r"^( {2,})((?:[-+][^\s,]*(?:[ =][^\s,-][^\s,]*)?,?\s)*?)" + re.escape(flag) + r"(?![\w-])[^\n]*\n", re.MULTILINE
    )
    for m in pat.finditer(page):
        line = m.group(0)
        spec_end = re.search(r"\S(\s{2,})\S", line[len(m.group(1)) :])
        if spec_end:  # "-a, --all   do not ignore entries"
            return _short(line[len(m.group(1)) + spec_end.end() - 1 :])
        nxt = page[m.end() :].split("\n", 1)[0]
        if len(nxt) - len(nxt.lstrip()) > len(m.group(1)) and nxt.strip():
            return _short(nxt)
    return ""


def option_meaning(program: str, word: str) -> str:
    page = manual(program)
    if not page:
        return ""
    flag = word.split("=", 1)[0]
    if meaning := _option_in(page, flag):
        return meaning
    if not flag.startswith("--") and len(flag) > 2:
        if (meaning := _option_in(page, flag[:2])) and not flag[2:].isalpha():
            return f"{meaning} ({flag[2:]})"  # -n10: -n with its value attached
        letters = [_option_in(page, "-" + c) for c in flag[1:]]
        if all(letters):  # -czf: a cluster of single-letter options
            return "; ".join(f"-{c}: {m}" for c, m in zip(flag[1:], letters))
    return ""


def explain(command: str, shell: str = "bash") -> list[tuple[str, str]]:
    """(word, meaning) for every part of the command, in order."""
    parts: list[tuple[str, str]] = []
    parsed = parse(command, shell)
    for i, pipeline in enumerate(parsed.pipelines):
        if i:
            op = parsed.operators[i - 1]
            parts.append((op.strip() or ";", _NOTES.get(op.strip() or ";", "run in the background, then go on")))
        for j, simple in enumerate(pipeline):
            if j:
                parts.append(("|", _NOTES["|"]))
            words = [w.text for w in simple.words]
            if not words:
                continue
            real = unwrap(words)[0]
            lead = words[: len(words) - len(real)]
            for w in lead:  # sudo, env, VAR=value, timeout 5 …
                parts.append(
                    (
                        w,
                        summary(basename(w))
                        or ("sets a variable for this command" if "=" in w else "runs the program after it"),
                    )
                )
            if not real:
                continue
            prog = basename(real[0])
            found = shutil.which(prog)
            parts.append(
                (real[0], summary(prog) or ("a program on your PATH" if found else "not found on this machine"))
            )
            sub = ""
            for w in real[1:]:
                if w.startswith("-") and len(w) > 1 and w != "--":
                    meaning = option_meaning(f"{prog}-{sub}" if sub else prog, w) or (
                        option_meaning(prog, w) if sub else ""
                    )
                    parts.append(
                        (
                            w,
                            meaning
                            or f"an option of {prog}{' ' + sub if sub else ''} (its manual does not describe it)",
                        )
                    )
                elif not sub and len(parts) and manual(f"{prog}-{w}") and re.fullmatch(r"[a-z][\w-]*", w):
                    sub = w
                    parts.append((w, summary(f"{prog}-{w}") or f"a {prog} subcommand"))
                else:
                    parts.append((w, _argument(w)))
            for r in simple.redirects:
                parts.append((r.op + " " + r.target, _redirect(r.op)))
    return parts


def _argument(word: str) -> str:
    if os.path.isdir(os.path.expanduser(word)):
        return "a directory"
    if os.path.exists(os.path.expanduser(word)):
        return "a file"
    if re.fullmatch(r"\d+", word):
        return "a number"
    if any(c in word for c in "*?["):
        return "a pattern the shell expands to matching files"
    return "an argument"


def _redirect(op: str) -> str:
    return {
        ">": "write the output to this file, replacing it",
        ">>": "append the output to this file",
        "<": "read the input from this file",
        "2>": "write errors to this file",
        "2>&1": "send errors where the output goes",
        "&>": "write output and errors to this file",
    }.get(op, "a redirection")


def one_line(command: str, verdict, shell: str = "bash") -> str:
    """The whole explanation on one line, for the shell's message area."""
    from .verdicts import sentence

    bits = [f"{w}: {m}" for w, m in explain(command, shell)]
    risk = sentence(verdict) or f"risk: {verdict.risk}"
    return " · ".join(bits + [risk])
