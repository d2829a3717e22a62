"""Is the line on the prompt a request in words, or already a command?

Ctrl-G on `tar -czf a.tgz dir` must explain that command, never swap in another task; Ctrl-G on
"find large files in my home" must answer the request, although `find` is a program. A line is
taken as a command when it parses in the target shell, its first program exists here, it has
none of the small words sentences are made of, and it carries a sign of being shell (an option,
an operator or redirection, a glob, quotes, `VAR=value`), is a single program (`uptime`), a program
and its subcommand or a file here (`git status`, `cat notes`), or a program followed only by
paths, numbers and file names (`sleep 10`, `mv a.py b.py`; "make script.sh executable" has a
plain word and stays a request). Everything else is a request: when in doubt, the user gets an answer, as before.
"""

from __future__ import annotations

import re

from ..cmdline.commands import basename, unwrap
from ..cmdline.shellparse import parse
from .checks import _BUILTINS, Has

# words that sentences need and command lines almost never contain as bare words
_SENTENCE = frozenset(
    "a an the my me i we our your all any every each some this that these those than then there here "
    "in of to for with from into onto by about on at as and or but not no is are was were be been it its "
    "which what where when who how why please can could would should will whose whom".split()
)
# programs whose arguments are names (of processes, programs, hosts, pages), so that the program
# followed by a few plain words is a command line (`pgrep nginx` once got no answer at all)
_NAME_TAKERS = frozenset(
    "pgrep pkill killall pidof which whereis whatis apropos man info ping ping6 host dig nslookup whois "
    "traceroute mtr ssh mosh telnet id groups finger getent".split()
)
_STRONG = re.compile(r"[|&;<>$`=*?\[]|^-")  # options, operators, globs, variables
_NAMES = re.compile(r"[/~]|^\.{1,2}$|^\d+$|\w\.[A-Za-z]\w*$|^[A-Z][A-Z0-9_]+$")  # paths, numbers, file.ext, TODO


def is_command(line: str, has: Has, cwd: str | None = None, shell: str = "bash") -> bool:
    """`has(name)` says whether a program or builtin exists (the context's `has`)."""
    text = line.strip()
    if not text or "\n" in text or len(text) > 1000:
        return False
    try:
        parsed = parse(text, shell)
    except Exception:
        return False
    if parsed.errors or not parsed.pipelines:
        return False
    words = [w.text for p in parsed.pipelines for s in p for w in s.words]
    bare = [w.text.lower() for p in parsed.pipelines for s in p for w in s.words if not w.quoted]
    if any(w in _SENTENCE for w in bare):
        return False
    first = unwrap(parsed.pipelines[0][0].argv)[0] if parsed.pipelines[0][0].words else []
    if not first:
        return bool(parsed.pipelines[0][0].redirects)
    program = first[0]
    known = "/" in program or has(basename(program)) or basename(program) in _BUILTINS
    if not known:
        return False  # "extract site.zip": a verb, not a program here
    if len(words) == 1 or (len(words) == 2 and _named(program, words[1], cwd)):
        return True
    if basename(program) in _NAME_TAKERS and len(words) <= 4:
        return True  # `pgrep nginx`, `which python3`, `ping example.com`: the words are names
    strong = (
        any(_STRONG.search(w) for w in words[1:])
        or any(s.redirects for p in parsed.pipelines for s in p)
        or len(parsed.pipelines) > 1
        or any(len(p) > 1 for p in parsed.pipelines)
        or any(w.quoted for p in parsed.pipelines for s in p for w in s.words)
    )
    if strong:
        return True
    # only names besides the program: `sleep 10`, `cat notes.txt`, `cd /tmp` are commands;
    # "kill process 4242" or "make script.sh executable" have a plain word and stay requests
    return all(_NAMES.search(w) for w in words[1:])


def _named(program: str, word: str, cwd: str | None) -> bool:
    """`git status`, `cat notes`: the second word is a subcommand with its own manual, or a file here."""
    import os

    from .explain import manual

    if os.path.exists(os.path.join(cwd or os.getcwd(), os.path.expanduser(word))):
        return True
    return bool(re.fullmatch(r"[a-z][\w-]*", word)) and bool(manual(f"{basename(program)}-{word}"))
