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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..cmdline.commands import basename
from ..cmdline.shellparse import parse
from ..knowledge import programs

if TYPE_CHECKING:
    from ..safety.verdict import Verdict

_NOTES = {
    "|": "pipe: the output of the left side becomes the input of the right side",
    "&&": "run the next command only if this one succeeded",
    "||": "run the next command only if this one failed",
    ";": "then run the next command",
    "&": "run in the background, then go on",
}
MAX_MEANING = 110


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
    if len(first) <= MAX_MEANING:
        return first
    return first[: MAX_MEANING - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"  # at a word, never inside one


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


@dataclass
class Part:
    """One word of a command line and the role it plays there."""

    word: str
    role: (
        str  # program wrapper subcommand option value argument pattern literal placeholder redirect operator assignment
    )
    program: str = ""  # the program the word belongs to (for options, values, arguments)
    option: str = ""  # for a value: the option it belongs to


# Options that take the next word as their value, for programs where getting it wrong misleads most
# (`find -mtime -1`: -1 is -mtime's, not an option). Other programs: read from their manual's spec.
VALUE_OPTIONS: dict[str, frozenset[str]] = {
    prog: frozenset(opts.split())
    for prog, opts in {
        "find": "-name -iname -path -ipath -wholename -regex -iregex -type -xtype -mtime -mmin -atime -amin -ctime "
        "-cmin -size -user -group -uid -gid -perm -newer -maxdepth -mindepth -links -inum -samefile -fstype "
        "-printf -fprint -used -newermt",
        "grep": "-e -f -m -A -B -C --regexp --file --max-count --include --exclude --exclude-dir --color --label",
        "head": "-n -c --lines --bytes",
        "tail": "-n -c --lines --bytes --pid -s",
        "sort": "-k -t -o -S -T --key --field-separator --output",
        "cut": "-d -f -c -b --delimiter --fields",
        "tar": "-f -C -T -X --file --directory --exclude -I",
        "xargs": "-n -I -P -d -L -a -E -s",
        "ssh": "-p -i -l -o -F -L -R -D -J -W -b -c -E -e -m -O -Q -S -w",
        "scp": "-P -i -o -F -l -c -J",
        "awk": "-F -v -f",
        "sed": "-e -f",
        "date": "-d -r --date --reference",
        "du": "-d --max-depth",
        "ps": "-p -u -U -o -C --sort",
        "pgrep": "-u -U -g -G -P -s -t",
        "pkill": "-u -U -g -G -P -s -t",
        "kill": "-s -n",
        "docker": "-v -p -e -w -u --name --volume --publish --env --workdir --user --network --entrypoint",
        "curl": "-o -H -d -X -u -A -e -T -F -w --output --header --data --request --user --max-time",
        "wget": "-O -P -o --output-document --directory-prefix",
        "zip": "-x -i -P",
        "chmod": "--reference",
        "rsync": "-e --exclude --include --rsh",
        "ls": "--color --sort --time-style -w -I --ignore",
        "git": "",  # its options before the subcommand (-C dir, -c k=v) are added below
    }.items()
}
for _prog in VALUE_OPTIONS:  # the options a program takes before its subcommand, written once
    VALUE_OPTIONS[_prog] |= programs.GLOBAL_VALUE_OPTIONS.get(_prog, frozenset())
_TERMINATORS = (";", "+")


def _wrapper_value_opts(name: str) -> set[str]:
    from ..cmdline.commands import _WRAPPERS

    return {"-" + c for c in _WRAPPERS.get(name, set())}


def _spec_takes_value(program: str, flag: str) -> bool:
    """From the manual's option line: `-n, --lines=NUM`, `-t DATE`, `-mtime n` take a value."""
    page = manual(program)
    if not page:
        return False
    m = re.search(
        r"^ {2,}(?:[-+][^\s,]*(?:[ =][^\s,-][^\s,]*)?,?\s)*?" + re.escape(flag) + r"([ =\[][^\s,]+)?",
        page,
        re.MULTILINE,
    )
    return bool(m and m.group(1) and not m.group(1).strip(" =[").startswith("-"))


def _takes_value(program: str, flag: str) -> bool:
    if "=" in flag:
        return False  # --lines=5: the value is attached
    table = VALUE_OPTIONS.get(program)
    if table is not None and (flag in table or (len(flag) > 2 and not flag.startswith("--"))):
        return flag in table
    return flag in _wrapper_value_opts(program) or _spec_takes_value(program, flag)


def roles(command: str, shell: str = "bash") -> list[Part]:
    """Every word of the command with the role it plays, read from the shell parser's tree:
    quoted words are literals, an option's value belongs to the option, and what `-exec`,
    `xargs`, `sudo` and other wrappers run is read as a command of its own."""
    from ..cmdline.commands import _WRAPPERS

    parts: list[Part] = []
    parsed = parse(command, shell)
    for i, pipeline in enumerate(parsed.pipelines):
        if i:
            parts.append(Part(parsed.operators[i - 1].strip() or ";", "operator"))
        for j, simple in enumerate(pipeline):
            if j:
                parts.append(Part("|", "operator"))
            _simple_roles(list(simple.words), parts, _WRAPPERS)
            for r in simple.redirects:
                parts.append(Part(r.op + " " + r.target, "redirect"))
    return parts


def _simple_roles(words: list, parts: list[Part], wrappers: dict) -> None:
    """Roles of one simple command's words (`words`: the parser's Word objects)."""
    k = 0
    while k < len(words) and re.match(r"^[A-Za-z_]\w*=", words[k].text) and not words[k].quoted:
        parts.append(Part(words[k].text, "assignment"))
        k += 1
    if k >= len(words):
        return
    prog = basename(words[k].text)
    is_wrapper = prog in wrappers or prog in ("env", "xargs")
    parts.append(Part(words[k].text, "wrapper" if is_wrapper else "program", prog))
    k += 1
    sub = ""
    while k < len(words):
        w = words[k]
        text = w.text
        if is_wrapper and not (text.startswith("-") and len(text) > 1) and not (prog == "env" and "=" in text):
            if prog in ("timeout", "gtimeout") and re.fullmatch(r"[\d.]+[smhd]?", text):
                parts.append(Part(text, "value", prog, "duration"))
                k += 1
                continue
            return _simple_roles(words[k:], parts, wrappers)  # what the wrapper runs is a command
        if prog == "find" and text in ("-exec", "-execdir", "-ok", "-okdir"):
            parts.append(Part(text, "option", prog))
            end = next((n for n in range(k + 1, len(words)) if words[n].text in _TERMINATORS), len(words))
            inner = words[k + 1 : end]
            mark = len(parts)
            _simple_roles(inner, parts, wrappers)
            for p in parts[mark:]:
                if p.word == "{}":
                    p.role = "placeholder"
            if end < len(words):
                parts.append(Part(words[end].text, "operator", prog))
            k = end + 1
            continue
        if text.startswith("-") and len(text) > 1 and not w.quoted and text != "--":
            parts.append(Part(text, "option", f"{prog}-{sub}" if sub else prog))
            # `-n 5`, and in a cluster the last letter's value: `tar -czf out.tgz`
            cluster = not text.startswith("--") and len(text) > 2 and text[1:].isalpha()
            last = text if _takes_value(prog, text) or not cluster else "-" + text[-1]
            if k + 1 < len(words) and _takes_value(f"{prog}-{sub}" if sub else prog, last):
                parts.append(Part(words[k + 1].text, "value", prog, last))
                k += 2
                continue
        elif text == "--":
            parts.append(Part(text, "operator", prog))
        elif not sub and not w.quoted and re.fullmatch(r"[a-z][\w-]*", text) and f"{prog}-{text}" in pages():
            sub = text
            parts.append(Part(text, "subcommand", prog))
        elif w.quoted:
            parts.append(Part(text, "literal", prog))
        elif w.glob:
            parts.append(Part(text, "pattern", prog))
        else:
            parts.append(Part(text, "argument", prog))
        k += 1


def _meaning(p: Part) -> str:
    if p.role == "operator":
        return _NOTES.get(p.word, "ends the command -exec runs" if p.word in _TERMINATORS else "an operator")
    if p.role == "assignment":
        return "sets a variable for this command"
    if p.role in ("program", "wrapper"):
        found = shutil.which(p.program)
        said = summary(p.program) or ("a program on your PATH" if found else "not found on this machine")
        return said + (" (runs the command after it)" if p.role == "wrapper" else "")
    if p.role == "subcommand":
        return summary(f"{p.program}-{p.word}") or f"a {p.program} subcommand"
    if p.role == "option":
        base = p.program.split("-", 1)[0] if p.program not in pages() else p.program
        meaning = option_meaning(p.program, p.word) or (option_meaning(base, p.word) if base != p.program else "")
        return meaning or f"an option of {p.program.replace('-', ' ')} (its manual does not describe it)"
    if p.role == "value":
        return f"the value of {p.option}"
    if p.role == "placeholder":
        return "each file find found"
    if p.role == "literal":
        return "quoted text, passed as it is"
    if p.role == "pattern":
        return "a pattern the shell expands to matching files"
    if p.role == "redirect":
        return _redirect(p.word.split(" ", 1)[0])
    return _argument(p.word)


def explain(command: str, shell: str = "bash") -> list[tuple[str, str]]:
    """(word, meaning) for every part of the command, in order."""
    return [(p.word, _meaning(p)) for p in roles(command, shell)]


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


def one_line(command: str, verdict: Verdict, shell: str = "bash") -> str:
    """The whole explanation on one line, for the shell's message area."""
    from ..safety.wording import sentence

    bits = [f"{w}: {m}" for w, m in explain(command, shell)]
    risk = sentence(verdict) or f"risk: {verdict.risk}"
    return " · ".join(bits + [risk])
