"""What the engine hands back: a request's judged options, best first, and the error it raises.

Kept apart from the engine so that a client of the helper (`caro "…"`) can rebuild a suggestion
from the helper's reply without importing the engine, the parser and the rule table (~75 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import Exit
from ..safety.verdict import Verdict

MAX_REQUEST = 2000


class EngineError(Exception):
    """A request caro could not answer; `code` is the exit status the CLI ends with."""

    def __init__(self, message: str, code: int = Exit.ERROR):
        super().__init__(message)
        self.code = code


@dataclass
class Option:
    command: str
    verdict: Verdict
    source: str  # yours | model


@dataclass
class Suggestion:
    request: str
    options: list[Option]  # judged candidates, best first; options[0] is the answer
    backend: str
    model: str
    elapsed_ms: float
    explanation: str = ""
    notices: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (command, why) the checks refused
    judge: Callable[[str], str | None] | None = None  # the check alternatives must pass (None: the request's)
    exhausted: bool = False  # the model had nothing more that passed: asking again repeats it (greedy)
    documented: bool = True  # a second answer was written with documentation (or could not be)

    @property
    def command(self) -> str:
        return self.options[0].command

    @property
    def verdict(self) -> Verdict:
        return self.options[0].verdict

    @property
    def source(self) -> str:
        return self.options[0].source

    @property
    def alternatives(self) -> list[str]:
        return [o.command for o in self.options[1:] if not o.verdict.blocked]

    def as_dict(self) -> dict:
        return {
            "command": self.command,
            "explanation": self.explanation,
            "risk": self.verdict.risk,
            "action": self.verdict.action,
            "reasons": self.verdict.reasons,
            "backend": self.backend,
            "model": self.model,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "alternatives": self.alternatives,
            "source": self.source,
        }


def check_request(request: str) -> str:
    text = request.replace("\x00", " ").strip()
    if not text:
        raise EngineError('empty request: say what you want, e.g. caro "list the 5 biggest files here"', Exit.USAGE)
    if len(text) > MAX_REQUEST:
        raise EngineError(
            f"request is {len(text)} characters; caro accepts up to {MAX_REQUEST}. "
            "Describe the task in a sentence or two",
            Exit.USAGE,
        )
    return " ".join(text.split())
