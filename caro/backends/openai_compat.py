"""vLLM and LM Studio: the OpenAI-compatible API (/v1/models, /v1/chat/completions)."""

from __future__ import annotations

import json
import os
import time

from .base import Availability, BackendError, Generation, Prompt
from .http import PROBE_BUDGET, HTTPBackend


def chat_payload(prompt: Prompt, model: str, max_tokens: int, temperature: float, stream: bool = False) -> dict:
    return {
        "model": model,
        "messages": prompt.messages(),
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stream": stream,
    }


def completion_payload(prompt: Prompt, model: str, max_tokens: int, temperature: float, stream: bool = False) -> dict:
    """For base models served without a chat template: the few-shot text, cut at the next request."""
    return {
        "model": model,
        "prompt": prompt.completion_text(),
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stop": ["\nRequest:", "\n\n"],
        "stream": stream,
    }


def reply_text(obj: dict) -> str:
    """choices[0].message.content, tool calls (OpenAI or FunctionGemma style), or choices[0].text."""
    choices = obj.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BackendError("the reply has no choices", raw_head=json.dumps(obj)[:200])
    c = choices[0]
    msg = c.get("message") or {}
    calls = msg.get("tool_calls") or []
    for call in calls:
        fn = call.get("function") or {}
        args = fn.get("arguments")
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except ValueError:
                args = None
        if isinstance(args, dict) and isinstance(args.get("command"), str):
            return json.dumps({"command": args["command"], "explanation": args.get("explanation", "")})
    content = msg.get("content") if msg else c.get("text")
    if not isinstance(content, str) or not content.strip():
        raise BackendError("the reply has no text", raw_head=json.dumps(obj)[:200])
    return content


def sse_text(lines) -> str:
    out = []
    done = False
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            done = True
            break
        try:
            obj = json.loads(data)
        except ValueError:
            raise BackendError("malformed stream chunk", raw_head=data[:200]) from None
        ch = (obj.get("choices") or [{}])[0]
        piece = (ch.get("delta") or {}).get("content") or ch.get("text") or ""
        out.append(piece)
    if not done:
        raise BackendError("the stream ended before [DONE] (truncated reply)", raw_head="".join(out)[:200])
    return "".join(out)


class OpenAICompatBackend(HTTPBackend):
    """A server that speaks the OpenAI API; subclasses name it (its defaults are its settings)."""

    name = "vllm"

    def __init__(self, url: str | None, model: str | None, settings: dict | None = None):
        settings = settings or {}
        base = (url or self.default("url")).rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        key = settings.get("api_key") or (
            os.environ.get(settings["api_key_env"]) if settings.get("api_key_env") else None
        )
        super().__init__(base, model or "", settings, {"Authorization": f"Bearer {key}"} if key else {})
        self.endpoint = settings.get("endpoint", "chat")
        self.served: list[str] = []

    def describe(self, status: int, body: str) -> str:
        if status in (401, 403):
            return f"{self.name} refused the API key (HTTP {status}); set backend.{self.name}.api_key or api_key_env"
        if status == 404:
            served = ", ".join(self.served) or "unknown"
            return f"{self.name} does not serve model {self.model!r} (HTTP 404); served: {served}"
        if status == 503:
            return f"{self.name} is busy or still loading (HTTP 503)"
        return f"{self.name} answered HTTP {status}: {body[:200]}"

    def probe(self) -> Availability:
        t = time.perf_counter()
        try:
            obj = self.http.get_json("/models", budget=PROBE_BUDGET)
        except BackendError as e:
            return Availability(False, str(e), (time.perf_counter() - t) * 1000)
        served = [m.get("id", "") for m in obj.get("data", []) if isinstance(m, dict)]
        ms = (time.perf_counter() - t) * 1000
        if not served:
            return Availability(False, self.no_model_message(), ms)
        av = Availability(True, f"{len(served)} model(s)", ms, served)
        self.adopt(av)
        return av

    def adopt(self, av: Availability) -> None:
        self.served = list(av.models)
        if not self.model and self.served:
            self.model = self.served[0]

    def no_model_message(self) -> str:
        return f"{self.name} at {self.url} serves no model"

    def answer(self, prompt: Prompt, *, max_tokens: int = 96, temperature: float = 0.0) -> Generation:
        if not self.model:
            self.probe()
        if self.endpoint == "completions":
            path, payload = "/completions", completion_payload(prompt, self.model, max_tokens, temperature, self.stream)
        else:
            path, payload = "/chat/completions", chat_payload(prompt, self.model, max_tokens, temperature, self.stream)
        t = time.perf_counter()
        if self.stream:
            text = sse_text(self.http.post_lines(path, payload))
        else:
            text = reply_text(self.http.post_json(path, payload))
        return Generation(text, self.model, (time.perf_counter() - t) * 1000)


class VLLMBackend(OpenAICompatBackend):
    name = "vllm"


class LMStudioBackend(OpenAICompatBackend):
    name = "lmstudio"

    def no_model_message(self) -> str:
        return "LM Studio has no model loaded; load one with: lms load NAME"

    def describe(self, status: int, body: str) -> str:
        if "no model" in body.lower() or "not loaded" in body.lower():
            return "LM Studio has no model loaded; load one with: lms load NAME"
        return super().describe(status, body)
