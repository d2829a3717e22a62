"""caro's example library and the user's own examples: loading, retrieval, slot filling.

The library (caro/data/examples.txt) pairs requests with parametrised commands.
`Library.candidates(request)` retrieves the nearest entries with BM25 over the
requests (slot values replaced by their type), fills each command's slots from
the request, and returns ranked, filled candidates.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import slots as S

SLOT_RE = re.compile(r"\{(size|path|file|dir|count|days|minutes|hours|pattern|name|ext|host|user|port|url|pid|branch|"
                     r"src|dst|archive|package|service|container|image|text|message|mode|col|lstart|lend|newext)(?:=([^{}]*))?\}")
# When a slot has no value of its own kind, these kinds may stand in, in order.
_FALLBACK = {
    "file": ("file", "any", "path", "word"), "dir": ("dir", "path", "any", "word"), "path": ("path", "dir", "any"),
    "name": ("name", "quoted", "service", "container", "package", "pattern"), "pattern": ("pattern", "quoted", "name"),
    "text": ("text",), "container": ("container", "name"), "service": ("service", "name"), "package": ("package", "name"),
    "image": ("image", "name"), "archive": ("archive", "file"), "src": ("src",), "dst": ("dst",), "branch": ("branch", "name"),
    "message": ("message", "quoted"), "user": ("user",), "host": ("host",),
}
# One request value in two different slots (`ln -s build build`) almost always means the entry
# is about something else; the penalty is measured in the README ablations.
CLASH_PENALTY = 3.0
# An entry whose request does something the user did not ask for ("stop all running containers"
# for "list running containers") is pushed down: words it shares must not outvote the verb.
UNASKED_ACTION_PENALTY = 3.0
_ACTION_WORDS = ("stop kill delete reboot shutdown poweroff reload restart verify prune clean reset push overwrite "
                 "format truncate drop disable enable install upgrade wipe move start pull commit merge rebase discard add replace count")
_LIBRARY_PATH = Path(__file__).parent / "data" / "examples.txt"


@dataclass
class Example:
    request: str
    command: str
    bsd: str | None = None
    category: str = ""
    source: str = "library"       # library | user

    def template(self, flavour: str) -> str:
        return self.bsd if flavour == "bsd" and self.bsd else self.command


@dataclass
class Candidate:
    command: str
    example: Example
    score: float
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def parse_library(text: str, source: str = "library") -> list[Example]:
    out: list[Example] = []
    category = ""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if " " not in line[2:].strip() and len(line) < 30:
                category = line[1:].strip()
            continue
        if " => " not in line:
            continue
        request, command = line.split(" => ", 1)
        bsd = None
        if " @bsd " in command:
            command, bsd = command.split(" @bsd ", 1)
        out.append(Example(request.strip(), command.strip(), bsd.strip() if bsd else None, category, source))
    return out


def load_user_examples(path: Path) -> list[Example]:
    """`[[example]] request = "…" command = "…"` entries from CARO_HOME/examples.toml."""
    from .config import read_toml
    if not path.is_file():
        return []
    data = read_toml(path)
    out = []
    for item in data.get("example", []) or []:
        if isinstance(item, dict) and item.get("request") and item.get("command"):
            out.append(Example(str(item["request"]), str(item["command"]), item.get("bsd"), "user", "user"))
    return out


def _retrieval_text(ex: Example) -> str:
    return SLOT_RE.sub(lambda m: f" {S.slot_token(m.group(1))} ", ex.request)


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.3, b: float = 0.6):
        self.k1, self.b = k1, b
        self.docs = [Counter(d) for d in docs]
        self.lens = [len(d) for d in docs]
        self.avg = sum(self.lens) / max(1, len(docs))
        df: Counter = Counter()
        for d in docs:
            df.update(set(d))
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for t in d:
                self.postings.setdefault(t, []).append(i)

    def scores(self, query: list[str]) -> dict[int, float]:
        out: dict[int, float] = {}
        for t in set(query):
            idf = self.idf.get(t)
            if idf is None:
                continue
            for i in self.postings[t]:
                tf = self.docs[i][t]
                denom = tf + self.k1 * (1 - self.b + self.b * self.lens[i] / self.avg)
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1) / denom
        return out


def _stem(t: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(t) > len(suf) + 2 and t.endswith(suf):
            t = t[: -len(suf)]
            break
    # enable/enables/enabled all end as "enabl"
    return t[:-1] if len(t) > 4 and t.endswith("e") else t


_SYNONYMS = {"biggest": "largest", "bigger": "larger", "big": "large", "huge": "large", "erase": "delete",
             "remove": "delete", "rm": "delete", "folder": "directory", "folders": "directory", "dir": "directory",
             "dirs": "directory", "directories": "directory", "show": "list", "display": "list", "print": "list",
             "lookup": "look", "locate": "find", "search": "find", "seek": "find", "grep": "find", "greater": "larger",
             "exceeding": "larger", "over": "larger", "above": "larger", "under": "smaller", "below": "smaller",
             "less": "smaller", "kill": "kill", "terminate": "kill", "stop": "stop", "compress": "compress",
             "zip": "compress", "archive": "compress", "unpack": "extract", "decompress": "extract", "uncompress": "extract",
             "untar": "extract", "size": "size", "space": "usage", "usage": "usage", "edited": "modified",
             "changed": "modified", "updated": "modified", "recent": "recently", "latest": "recently", "newest": "recently",
             "last": "recently", "count": "count", "number": "count", "many": "count", "copy": "copy", "duplicate": "copy",
             "machine": "system", "computer": "system", "pc": "system", "running": "running", "processes": "process",
             "programs": "process", "program": "process", "app": "process", "ram": "memory", "mem": "memory",
             "uninstall": "delete", "purge": "delete", "contents": "content", "inside": "content", "word": "pattern",
             "text": "pattern", "string": "pattern", "containing": "contain", "contains": "contain", "with": "contain",
             "mentioning": "contain", "include": "contain", "including": "contain", "rename": "move", "username": "user",
             "login": "user", "stop": "kill", "halt": "kill", "symlink": "link", "symlinks": "link", "called": "named", "repo": "repository"}


def query_tokens(text: str) -> list[str]:
    out = []
    for t in S.tokens(text):
        t = _SYNONYMS.get(t, t)
        out.append(_stem(t))
    return out


_ACTION_STEMS = frozenset(query_tokens(_ACTION_WORDS))


def _fill(template: str, slots: S.Slots) -> tuple[str, list[str], set[str], int]:
    """The filled command, the slots nothing filled, the kinds of value used, and how many
    times one value landed in two different slots (`mount build build`: a sign of a poor match)."""
    used_kinds: set[str] = set()
    missing: list[str] = []
    counters: Counter = Counter()
    filled_by: dict[str, set[str]] = {}

    def repl(m: re.Match) -> str:
        kind, default = m.group(1), m.group(2)
        start = m.start()
        in_single = template[:start].count("'") % 2 == 1
        value = None
        for k in _FALLBACK.get(kind, (kind,)):
            idx = counters[k] if k == kind and kind in ("file", "dir") else 0
            v = slots.get(k, idx)
            if v is not None:
                value = v
                used_kinds.add(k)
                break
        if value is not None:
            filled_by.setdefault(value, set()).add(kind)
        if value is None and default is not None:
            value = default
        if value is None:
            missing.append(kind)
            value = kind.upper()
        if in_single:
            return value.replace("'", "'\\''")
        if template[start - 2:start] == "${":       # "${name}" → an env var name
            return value
        return S.shell_value(value)

    filled = SLOT_RE.sub(repl, template)
    # the same slot twice ({dir}.tar.gz {dir}) fills identically and is no clash
    clashes = sum(len(kinds) - 1 for kinds in filled_by.values())
    return filled, missing, used_kinds, clashes


class Library:
    def __init__(self, examples: list[Example]):
        self.examples = examples
        self.index = BM25([query_tokens(_retrieval_text(e)) for e in examples])

    @classmethod
    def load(cls, user_file: Path | None = None) -> "Library":
        examples = parse_library(_LIBRARY_PATH.read_text(encoding="utf-8"))
        if user_file is not None:
            examples = load_user_examples(user_file) + examples
        return cls(examples)

    def candidates(self, request: str, flavour: str = "gnu", k: int = 8,
                   have_program=None) -> list[Candidate]:
        slots = S.extract(request)
        q = query_tokens(S.normalise(request, slots)) + [S.slot_token(kind) for kind in slots.values if kind not in ("any", "quoted", "word")]
        scores = self.index.scores(q)
        asked = set(q)
        pool = sorted(scores.items(), key=lambda kv: -kv[1])[: k * 3]
        out: list[Candidate] = []
        seen: set[str] = set()
        significant = {k for k in slots.values if k in ("size", "days", "minutes", "ext", "port", "pid", "url", "host",
                                                         "pattern", "file", "dir", "count", "branch", "user", "archive")}
        for i, base in pool:
            ex = self.examples[i]
            cmd, missing, used, clashes = _fill(ex.template(flavour), slots)
            template_kinds = {m.group(1) for m in SLOT_RE.finditer(ex.template(flavour))}
            score = base
            score += 0.8 * len(significant & (used | template_kinds))
            score -= 0.4 * len(significant - used - template_kinds - {"file", "dir", "count", "user"})
            score -= 2.0 * len(missing)
            score -= CLASH_PENALTY * clashes
            score -= UNASKED_ACTION_PENALTY * len(_ACTION_STEMS.intersection(self.index.docs[i]) - asked)
            score -= 0.02 * len(cmd)          # between equals, the simpler command
            if ex.source == "user":
                score += 1.5
            prog = cmd.split()[0] if cmd.split() else ""
            if prog == "sudo" and len(cmd.split()) > 1:
                prog = cmd.split()[1]
            if have_program is not None and prog and not have_program(prog):
                score -= 1.0
            if cmd in seen:
                continue
            seen.add(cmd)
            out.append(Candidate(cmd, ex, score, missing))
        out.sort(key=lambda c: -c.score)
        return out[:k]
