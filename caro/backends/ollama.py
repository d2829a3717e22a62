"""Ollama: GET /api/tags to probe, POST /api/generate (stream false or NDJSON) to answer."""

from __future__ import annotations

import json
import time

from .base import Availability, BackendError, Generation, Prompt
from .http import PROBE_BUDGET, HTTPBackend


def generate_payload(prompt: Prompt, model: str, max_tokens: int, temperature: float, stream: bool) -> dict:
    return {
        "model": model,
        "system": prompt.system,
        "prompt": _user_text(prompt),
        "stream": stream,
        "options": {"temperature": temperature, "num_predict": max_tokens},
    }


def chat_payload(prompt: Prompt, model: str, max_tokens: int, temperature: float, stream: bool) -> dict:
    return {
        "model": model,
        "messages": prompt.messages(),
        "stream": stream,
        "options": {"temperature": temperature, "num_predict": max_tokens},
    }


def _user_text(prompt: Prompt) -> str:
    lines = []
    for req, cmd in prompt.shots:
        lines += [f"Request: {req}", f"Command: {cmd}", ""]
    lines += [f"Request: {prompt.request}", "Command:"]
    return "\n".join(lines)


def reply_text(obj: dict) -> str:
    if "error" in obj:
        raise BackendError(f"Ollama: {obj['error']}")
    text = obj.get("response")
    if text is None:
        text = (obj.get("message") or {}).get("content")
    if not isinstance(text, str) or not text.strip():
        raise BackendError("Ollama's reply has no text", raw_head=json.dumps(obj)[:200])
    return text


def ndjson_text(lines) -> str:
    out = []
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise BackendError("malformed stream chunk from Ollama", raw_head=line[:200]) from None
        if "error" in obj:
            raise BackendError(f"Ollama: {obj['error']}")
        out.append(obj.get("response") or (obj.get("message") or {}).get("content") or "")
        if obj.get("done"):
            return "".join(out)
    raise BackendError("Ollama's stream ended before done (truncated reply)", raw_head="".join(out)[:200])


class OllamaBackend(HTTPBackend):
    name = "ollama"

    def __init__(self, url: str | None, model: str | None, settings: dict | None = None):
        settings = settings or {}
        super().__init__((url or self.default("url")).rstrip("/"), model or self.default("model"), settings)
        self.use_chat = settings.get("endpoint", "generate") == "chat"

    def describe(self, status: int, body: str) -> str:
        try:
            msg = json.loads(body).get("error", body)
        except (ValueError, AttributeError):
            msg = body
        if status == 404:
            return f"Ollama does not have model {self.model!r}; pull it: ollama pull {self.model}"
        return f"Ollama answered HTTP {status}: {str(msg)[:200]}"

    def probe(self) -> Availability:
        t = time.perf_counter()
        try:
            obj = self.http.get_json("/api/tags", budget=PROBE_BUDGET)
        except BackendError as e:
            detail = str(e)
            if "connect" in detail:
                detail = f"Ollama is not running at {self.url}: start it with `ollama serve`"
            return Availability(False, detail, (time.perf_counter() - t) * 1000)
        names = [m.get("name", "") for m in obj.get("models", []) if isinstance(m, dict)]
        ms = (time.perf_counter() - t) * 1000
        wanted = self.model if ":" in self.model else self.model + ":latest"
        if self.model not in names and wanted not in names:
            return Availability(
                False, f"Ollama does not have model {self.model!r}; pull it: ollama pull {self.model}", ms, names
            )
        return Availability(True, f"{len(names)} model(s)", ms, names)

    def answer(self, prompt: Prompt, *, max_tokens: int = 96, temperature: float = 0.0) -> Generation:
        t = time.perf_counter()
        path = "/api/chat" if self.use_chat else "/api/generate"
        make = chat_payload if self.use_chat else generate_payload
        try:
            if self.stream:
                text = ndjson_text(self.http.post_lines(path, make(prompt, self.model, max_tokens, temperature, True)))
                server_ms = None
            else:
                obj = self.http.post_json(path, make(prompt, self.model, max_tokens, temperature, False))
                text = reply_text(obj)
                server_ms = obj.get("eval_duration", 0) / 1e6 if obj.get("eval_duration") else None
        except BackendError as e:
            if "cannot connect" in str(e):
                raise BackendError(f"Ollama is not running at {self.url}: start it with `ollama serve`") from None
            raise
        return Generation(text, self.model, (time.perf_counter() - t) * 1000, server_ms)
