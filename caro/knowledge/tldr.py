"""tldr pages (tldr-pages contributors, CC BY 4.0) read into examples caro can search.

A page is `# name`, a `> ` summary, then pairs of `- description:` and a backticked example.
Parsing keeps what generation and explain need and nothing else:
- an option written `{{[-k|--keep]}}` (one option, two spellings) becomes its first spelling (`-k`):
  the short form is what people type and what the model's own answers look like;
- any other `{{…}}` is a placeholder the user must fill; it stays marked as `{{…}}` so a candidate
  that copies one can be caught (`unfilled()`), and `render()` decides how it is shown;
- the mnemonic brackets of descriptions (`[c]reate a [f]ile`) are dropped (`create a file`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `{{[-k|--keep]}}`, `{{[rm|container rm]}}` and `{{[-o|--output] path/to/file}}`: alternative
# spellings of one option or subcommand
_OPTION_ALTS = re.compile(r"\{\{\[([^|\]]*)\|[^\]]*\]\}\}")
_OPTION_ALTS_WITH_VALUE = re.compile(r"\{\{\[(-[^|\]]*)\|[^\]]*\]\s*([^}]*)\}\}")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_MNEMONIC = re.compile(r"\[(\w+)\]")


@dataclass(frozen=True)
class Example:
    page: str  # the page's name with spaces as dashes: `tar`, `git-stash`
    platform: str  # common | linux | osx | …
    description: str  # "Stash current changes, including new untracked files"
    template: str  # `git stash -u`, placeholders kept as {{…}}


@dataclass(frozen=True)
class Page:
    name: str
    platform: str
    summary: str
    examples: tuple[Example, ...]


def _option_spelling(template: str) -> str:
    """`{{[-k|--keep]}}` → `-k`; `{{[-o|--output] path}}` → `-o {{path}}`."""
    template = _OPTION_ALTS.sub(lambda m: m.group(1), template)
    return _OPTION_ALTS_WITH_VALUE.sub(lambda m: f"{m.group(1)} {{{{{m.group(2).strip()}}}}}", template)


def parse_page(text: str, platform: str, name: str | None = None) -> Page | None:
    """One page's summary and examples; None when the text is not a tldr page."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), None)
    if title is None:
        return None
    page = name or "-".join(title.lower().split())
    summary = " ".join(ln[2:].strip() for ln in lines if ln.startswith("> ") and "More information" not in ln)
    examples: list[Example] = []
    description = None
    for ln in lines:
        if ln.startswith("- "):
            description = _MNEMONIC.sub(r"\1", ln[2:].strip().rstrip(":")).strip()
        elif ln.startswith("`") and ln.endswith("`") and len(ln) > 2 and description:
            examples.append(Example(page, platform, description, _option_spelling(ln[1:-1].strip())))
            description = None
    return Page(page, platform, summary, tuple(examples))


def render(template: str) -> str:
    """How an example is shown to the model: each placeholder as `<what>`, which the model reads
    as "put the real name here" (a bare `path/to/file` it copies as if it were a path)."""

    def one(m: re.Match) -> str:
        return "<" + m.group(1).strip().replace("path/to/", "") + ">"

    return _PLACEHOLDER.sub(one, template)


# what a filled-in answer must never still contain: a tldr placeholder left as the page wrote it,
# a slot in angle brackets (`<container_id>`, `<file>`; not an HTML tag like `<div>`, which a grep
# may look for), or a dummy path
_SLOT_WORDS = (
    "file|filename|path|dir|directory|folder|name|user|username|host|hostname|container|id|pid|port|branch|url|"
    "package|pattern|command|remote|server|ip|address|number|value|text|string|target|source|destination|dest"
)
_LEFT_OVER = re.compile(
    r"\{\{|\}\}|(?<![<\w])<(?:[\w.-]*_[\w.:/-]*|(?:" + _SLOT_WORDS + r")\d*)>"
    r"|(?:^|[\s='\"])/?path/to/|\buser@(?:host|remote_host|server)\b",
    re.IGNORECASE,
)


def unfilled(command: str, request: str = "") -> str | None:
    """The first placeholder a command still carries, or None. A name the request itself wrote
    (`user@host` when the user said it) is the user's, not a placeholder."""
    for m in _LEFT_OVER.finditer(command):
        word = m.group(0).strip(" ='\"")
        if word and word in request:
            continue
        return word
    return None


_DUMMY_PATH = re.compile(r"(?<![\w/])/?path/to/([\w.-]+)(/?)")


# "the server web1", "host db-2": the machine a request names
_HOST_NAMED = re.compile(r"\b(?:server|host|machine|box|vm)\s+(?!is\b|in\b|at\b|on\b)([A-Za-z][\w.-]*\w)")
_USER_NAMED = re.compile(r"\bas\s+(?:the\s+)?(?:user\s+)?([a-z_][\w-]*)\b(?!\s+(?:file|folder|root\b))")
_DUMMY_LOGIN = re.compile(r"\buser@(?:host|hostname|remote_host|server)\b")


def fill(command: str, request: str) -> str:
    """Placeholders the request answers, filled in; the others stay (and fail the check):
    - `/path/to/app.log` → `app.log` when the request names `app.log` (the model copied the
      documentation's dummy directory in front of the user's own name);
    - `/path/to/directory` (a folder the request did not name) → `.`: caro answers in the folder
      the user is in, as its prompt says;
    - `user@server` → `web1` when the request names "server web1" (and `alice@web1` with "as alice")."""
    named = set(re.findall(r"[\w.-]+", request.lower()))

    def one(m: re.Match) -> str:
        name = m.group(1).lower()
        generic = re.fullmatch(_SLOT_WORDS, name)  # `path/to/directory` names no directory
        if name in named and not generic:
            return m.group(1) + m.group(2)
        if re.fullmatch(r"dir|directory|folder|root|root_path|search_path|path", name) and not m.group(2):
            return "."
        return m.group(0)

    command = _DUMMY_PATH.sub(one, command)
    host = _HOST_NAMED.search(request)
    if host and _DUMMY_LOGIN.search(command):
        user = _USER_NAMED.search(request)
        command = _DUMMY_LOGIN.sub((user.group(1) + "@" if user else "") + host.group(1), command)
    return command
