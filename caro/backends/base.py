"""The backend interface: small, one job each (like simonw/llm's Model)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Availability:
    ok: bool
    detail: str = ""
    latency_ms: float = 0.0
    models: list[str] = field(default_factory=list)


@dataclass
class Prompt:
    system: str
    shots: list[tuple[str, str]]  # (request, command) pairs shown as earlier turns
    request: str
    json_output: bool = False

    def messages(self) -> list[dict]:
        msgs = [{"role": "system", "content": self.system}]
        for req, cmd in self.shots:
            msgs.append({"role": "user", "content": req})
            msgs.append({"role": "assistant", "content": _answer(cmd, self.json_output)})
        msgs.append({"role": "user", "content": self.request})
        return msgs

    def completion_text(self) -> str:
        """For base (non-chat) models and /completions endpoints."""
        lines = [self.system, ""]
        for req, cmd in self.shots:
            lines += [f"Request: {req}", f"Command: {cmd}", ""]
        lines += [f"Request: {self.request}", "Command:"]
        return "\n".join(lines)


def _answer(cmd: str, as_json: bool) -> str:
    if as_json:
        import json

        return json.dumps({"command": cmd, "explanation": ""})
    return cmd


@dataclass
class Generation:
    text: str
    model: str
    elapsed_ms: float = 0.0
    server_ms: float | None = None  # generation time the server reported, when it does
    backend: str = ""  # who answered (a fallback may answer for a remote)
    notices: list[str] = field(default_factory=list)  # one-line notices raised while answering
    # the mean log-probability of the generated tokens, when the backend reports it (the model's
    # own confidence in what it wrote; the bundled runtime gives it at no cost)
    logprob: float | None = None


class BackendError(Exception):
    """A failure with a message a user can act on. `retryable` marks transient failures."""

    def __init__(self, message: str, *, retryable: bool = False, raw_head: str = ""):
        from ..privacy import mask_url
        from ..visible import shown

        # may quote a server's body or a URL with a password in it: one safe line, password masked
        super().__init__(mask_url(shown(message, 400)))
        self.retryable = retryable
        self.raw_head = raw_head[:200]


class Backend:
    name = "base"
    local = True  # runs on this machine (no privacy notice needed)
    can_score = False  # `score` answers: the engine's reviewer can rank candidates
    parallel = 1  # sequences it decodes at once (more requests wait their turn)

    @classmethod
    def from_settings(cls, section: dict, model: str | None = None) -> Backend:
        """Build from this backend's settings section (defaults filled in from caro/settings.py)."""
        raise NotImplementedError

    def probe(self) -> Availability:
        raise NotImplementedError

    def generate(self, prompt: Prompt, *, max_tokens: int = 96, temperature: float = 0.0) -> Generation:
        raise NotImplementedError

    def score(self, pairs: list[tuple[Prompt, str]]) -> list[float] | None:
        """For each (prompt, answer): the mean log-probability of that answer as the model's reply
        to that prompt. None when the backend cannot tell (a server that returns no token scores):
        the engine then keeps the model's first answer, as it did before it had a reviewer."""
        return None

    @property
    def model_name(self) -> str:
        return ""

    def adopt(self, av: Availability) -> None:
        """Take what a (possibly cached) probe learned, e.g. which models the server has."""

    def close(self) -> None:
        pass
