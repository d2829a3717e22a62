"""The user's own request → command pairs (`caro learn`, CARO_HOME/examples.toml).

They are the user's word on how things are done here: the same request (after normalising case,
spaces and punctuation) gets the user's command as is, and the nearest pairs are shown to the
model as earlier turns, so it writes in the user's style ("my servers are called web1, web2").
The file is re-read when it changes, so `caro learn` reaches a running helper at once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the this that these those my me i to of in on for and or with all here please".split())


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


@dataclass
class UserExamples:
    pairs: list[tuple[str, str]]
    path: Path | None = None
    stamp: tuple | None = None

    @classmethod
    def load(cls, path: Path) -> UserExamples:
        from ..files import read_toml

        try:
            st = path.stat()
        except FileNotFoundError:
            if os.path.lexists(path):
                read_toml(path)  # a dangling link: say so
            return cls([], path, None)
        except OSError:
            return cls([], path, None)
        data = read_toml(path)
        pairs = [
            (str(i["request"]).strip(), str(i["command"]).strip())
            for i in data.get("example", []) or []
            if isinstance(i, dict) and i.get("request") and i.get("command")
        ]
        return cls(pairs, path, (st.st_mtime_ns, st.st_size))

    def fresh(self) -> UserExamples:
        """Itself, or a re-read copy when the file changed since it was loaded."""
        if self.path is None:
            return self
        try:
            st = self.path.stat()
            stamp: tuple | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        return self if stamp == self.stamp else UserExamples.load(self.path)

    def exact(self, request: str) -> str | None:
        want = _norm(request)
        return next((cmd for req, cmd in reversed(self.pairs) if _norm(req) == want), None)

    def nearest(self, request: str, k: int = 3) -> list[tuple[str, str]]:
        """Up to k pairs sharing content words with the request, closest last (nearest the question)."""
        words = _content(request)
        if not words:
            return []
        scored = []
        for i, (req, cmd) in enumerate(self.pairs):
            theirs = _content(req)
            overlap = len(words & theirs) / max(1, len(words | theirs))
            if overlap >= 0.2:
                scored.append((overlap, i, req, cmd))
        scored.sort(reverse=True)
        return [(req, cmd) for _, _, req, cmd in scored[:k]][::-1]
