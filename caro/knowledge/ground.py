"""Which documentation examples an answer should be written with.

Two ways in, because the model's misses are of two kinds:
- the request's own words find the example that does the task ("keep the original" → `xz -k`),
  which fixes the wrong tool or a forgotten option;
- the draft's programs (and their subcommand pages: `git stash` → git-stash) give the examples of
  the tool the model already chose, ranked by the request, which fixes argument order and options.
Only examples whose program is installed here or named in the request are used: a page for a tool
the user does not have (`sfdk`, `pve-firewall`) is a distraction the 1.5B copies. A handful at most:
more examples made the answers worse (the probe in the issue: 4 in the prompt lost 8 of 180).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..cmdline.commands import basename, unwrap
from ..cmdline.shellparse import parse
from .docs import Docs, words
from .programs import subcommand
from .tldr import Example

# BM25 below this finds words in common, not a task in common: nothing worth a second answer
MIN_SCORE = 9.0
MAX_EXAMPLES = 4


def programs(command: str, shell: str = "bash") -> list[str]:
    """The programs a command runs, with `prog-sub` page names for the first non-option word."""
    out: list[str] = []
    for argv in parse(command, shell).argvs():
        real = unwrap(argv)[0]
        if not real:
            continue
        prog = basename(real[0])
        out.append(prog)
        sub = subcommand([prog, *real[1:]])[1]
        if sub and sub.isidentifier():
            out.append(f"{prog}-{sub}")
    return list(dict.fromkeys(out))


def _runs(e: Example) -> str:
    argv = e.template.split()
    argv = argv[1:] if argv[:1] == ["sudo"] else argv
    return basename(argv[0]) if argv else ""


def examples(
    docs: Docs, request: str, draft: str | None, has: Callable[[str], bool], shell: str = "bash"
) -> list[Example]:
    """Examples to write a second answer with: [] when nothing close enough was found."""
    named = set(words(request))

    def usable(e: Example) -> bool:
        prog = _runs(e)
        return bool(prog) and (prog in named or has(prog))

    picked: list[tuple[float, Example]] = docs.search(request, k=2, allow=usable)
    if draft:
        pages = {p for p in programs(draft, shell) if docs.page(p)}
        if pages:
            picked += docs.search(request, k=2, allow=lambda e: e.page in pages and usable(e))
    picked = [(s, e) for s, e in picked if s >= MIN_SCORE]
    seen: set[str] = set()
    out = []
    for _, e in sorted(picked, key=lambda se: -se[0]):
        if e.template not in seen:
            seen.add(e.template)
            out.append(e)
    return out[:MAX_EXAMPLES]


def _words(command: str, dashless: bool = False) -> list[str]:
    """A command's words for matching against examples: option clusters split (`-czf` → -c -z -f),
    and with `dashless` the cluster as tar and ps also take it (`czf`)."""
    out = []
    for w in command.split():
        w = w.strip("'\"")
        if not w:
            continue  # the quotes a placeholder stood in (`'{{*.ext}}'`): no word is fixed there
        if len(w) > 2 and w[0] == "-" and w[1] != "-" and w[1:].isalpha():
            out += ["-" + c for c in w[1:]] + ([w[1:]] if dashless else [])
        else:
            out.append(w)
    return out


def _fixed(e: Example) -> list[str]:
    """The words an example fixes: program, subcommand, options (not its placeholders)."""
    return [w for w in _words(re.sub(r"\{\{.*?\}\}", " ", e.template)) if w not in ("|", "sudo")]


def instance(e: Example, command: str) -> bool:
    """Is the command this example filled in (every word the example fixes is on the line)?"""
    have = set(_words(command, dashless=True))
    fixed = _fixed(e)
    return bool(fixed) and all(w in have for w in fixed)


def describe(docs: Docs, command: str, shell: str = "bash") -> Example | None:
    """The example of the command's own pages that this command is an instance of; the one that
    fixes the most words wins."""
    found = [
        e for p in programs(command, shell) if docs.page(p) for e in docs.pages[p].examples if instance(e, command)
    ]
    return max(found, key=lambda e: len(_fixed(e)), default=None)
