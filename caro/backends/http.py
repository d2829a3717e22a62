"""Shared HTTP plumbing for remote backends: wall-clock deadlines (a probe 0.5 s, a generation
`timeout` seconds, whatever the server drips), retries with backoff and jitter within the
deadline (only for connection errors, 502, 503, 504), bounded reads, and error translation."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ..privacy import Redaction, is_remote
from .base import Backend, BackendError, Generation, Prompt

MAX_BODY = 2 * 1024 * 1024  # a command never needs more; a 10 MB reply is cut off here
RETRY_STATUS = (502, 503, 504)
PROBE_BUDGET = 0.5  # seconds: an availability check never takes longer


class HTTPClient:
    def __init__(
        self,
        base_url: str,
        *,
        headers: dict | None = None,
        connect_timeout: float = 5.0,
        timeout: float = 30.0,
        retries: int = 2,
        describe: Callable[[int, str], str] | None = None,
    ):
        import httpx

        self.httpx = httpx
        self.base = base_url.rstrip("/")
        self.headers = headers or {}
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.deadline = timeout  # wall-clock seconds for a whole generation, retries included
        self.retries = retries
        self.describe = describe or (lambda status, body: f"HTTP {status}: {body[:200]}")
        self.client = httpx.Client(headers=self.headers, timeout=self.timeout, follow_redirects=False)

    def _url(self, path: str) -> str:
        return self.base + path

    def _error_for(self, e: Exception) -> BackendError:
        httpx = self.httpx
        if isinstance(e, httpx.ConnectError):
            text = str(e)
            if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
                return BackendError(
                    f"TLS certificate of {self.base} was not accepted ({text[:120]}); "
                    f"fix the server certificate or use the right URL",
                    retryable=False,
                )
            return BackendError(f"cannot connect to {self.base} (connection refused or host down)", retryable=True)
        if isinstance(e, httpx.ConnectTimeout):
            return BackendError(f"connecting to {self.base} timed out", retryable=True)
        if isinstance(e, httpx.ReadTimeout):
            return BackendError(f"{self.base} did not answer within {self.timeout.read:g}s", retryable=False)
        if isinstance(e, httpx.RemoteProtocolError):
            return BackendError(f"{self.base} closed the connection mid-reply", retryable=True)
        return BackendError(f"request to {self.base} failed: {type(e).__name__}", retryable=False)

    def _with_retries(self, fn, deadline: float):
        delay = 0.25
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except BackendError as e:
                pause = delay + random.uniform(0, delay / 2)
                if not e.retryable or attempt == self.retries or time.monotonic() + pause >= deadline:
                    raise
            time.sleep(pause)
            delay *= 2

    def _check(self, status: int, body: bytes) -> None:
        if status >= 400:
            text = body[:2000].decode("utf-8", "replace")
            raise BackendError(self.describe(status, text), retryable=status in RETRY_STATUS, raw_head=text)

    def _by(self, budget: float, fn):
        """fn() or a BackendError once `budget` seconds have passed, whatever the server does.

        httpx's timeouts are per read: a server that drips a byte every few seconds is never
        cut off by them. The call runs in a worker thread, and the caller stops waiting at the
        deadline; the worker's own reads are bounded too (see _bounded), so it ends soon after.
        """
        deadline = time.monotonic() + budget
        box: dict = {}

        def work():
            try:
                box["value"] = fn(deadline)
            except BaseException as e:  # handed to the caller below
                box["error"] = e

        worker = threading.Thread(target=work, daemon=True, name="caro-http")
        worker.start()
        worker.join(budget)
        if worker.is_alive():
            raise BackendError(f"{self.base} did not answer within {budget:g}s", retryable=False)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _timeout(self, budget: float):
        return self.httpx.Timeout(
            min(self.timeout.read or budget, budget), connect=min(self.timeout.connect or budget, budget)
        )

    def _json_once(self, method: str, path: str, total: float, deadline: float, **kw) -> dict:
        try:
            with self.client.stream(method, self._url(path), timeout=self._timeout(total), **kw) as r:
                body = _bounded(r.iter_bytes(), deadline)
                self._check(r.status_code, body)
        except self.httpx.HTTPError as e:
            raise self._error_for(e) from None
        return _json(body)

    def get_json(self, path: str, budget: float | None = None) -> dict:
        """GET a JSON object. With a budget (probes): one attempt, all of it within `budget` seconds."""
        total = budget if budget is not None else self.deadline

        def call(deadline):
            once = lambda: self._json_once("GET", path, total, deadline)
            return once() if budget is not None else self._with_retries(once, deadline)

        return self._by(total, call)

    def post_json(self, path: str, payload: dict) -> dict:
        def call(deadline):
            return self._with_retries(
                lambda: self._json_once("POST", path, self.deadline, deadline, json=payload), deadline
            )

        return self._by(self.deadline, call)

    def post_lines(self, path: str, payload: dict) -> list[str]:
        """Streaming: the decoded lines (NDJSON or SSE), bounded in total size and in time."""

        def call(deadline):
            lines: list[str] = []
            try:
                with self.client.stream(
                    "POST", self._url(path), json=payload, timeout=self._timeout(self.deadline)
                ) as r:
                    if r.status_code >= 400:
                        self._check(r.status_code, _bounded(r.iter_bytes(), deadline))
                    total = 0
                    for line in r.iter_lines():
                        total += len(line)
                        if total > MAX_BODY:
                            raise BackendError("the streamed reply exceeded 2 MB; stopped reading")
                        if time.monotonic() > deadline:
                            break  # _by has already answered the caller
                        lines.append(line)
            except self.httpx.HTTPError as e:
                raise self._error_for(e) from None
            return lines

        return self._by(self.deadline, call)

    def close(self) -> None:
        self.client.close()


def _bounded(chunks, deadline: float) -> bytes:
    buf = bytearray()
    for c in chunks:
        buf += c
        if len(buf) > MAX_BODY:
            raise BackendError(
                f"the reply exceeded {MAX_BODY >> 20} MB; stopped reading",
                raw_head=bytes(buf[:200]).decode("utf-8", "replace"),
            )
        if time.monotonic() > deadline:
            break  # nobody waits for the rest (see HTTPClient._by)
    return bytes(buf)


def _json(body: bytes) -> dict:
    try:
        obj = json.loads(body)
    except ValueError:
        raise BackendError("the server's reply is not JSON", raw_head=body[:200].decode("utf-8", "replace")) from None
    if not isinstance(obj, dict):
        raise BackendError("the server's reply is not a JSON object", raw_head=body[:200].decode("utf-8", "replace"))
    return obj


class HTTPBackend(Backend):
    """What every server backend shares: its URL, its model, its HTTP client, locality."""

    @classmethod
    def default(cls, key: str) -> str:
        """This backend's default for `key` (url, model), from the settings table: written once."""
        from ..settings import BY_KEY

        return str(BY_KEY[f"backend.{cls.name}.{key}"].default)

    @classmethod
    def from_settings(cls, section: dict, model: str | None = None):
        # the servers' classes take None for "use my default address / the first model listed"
        url: Any = section.get("url")
        chosen: Any = model or section.get("model")
        return cls(url, chosen, section)

    def __init__(self, url: str, model: str, settings: dict, headers: dict | None = None):
        self.url = url
        self.model = model
        self.stream = bool(settings.get("stream", False))
        self.http = HTTPClient(
            url,
            headers=headers,
            connect_timeout=float(settings.get("connect_timeout", 5.0)),
            timeout=float(settings.get("timeout", 30.0)),
            describe=self.describe,
        )

    def describe(self, status: int, body: str) -> str:
        return f"{self.name} answered HTTP {status}: {body[:200]}"

    @property
    def local(self) -> bool:  # type: ignore[override]
        return not is_remote(self.url)

    def generate(self, prompt: Prompt, **kw) -> Generation:
        """Ask the server; for a host that is not this machine, with the secrets taken out first
        (request, context, examples) and put back into the answer."""
        if self.local:
            return self.answer(prompt, **kw)
        r = Redaction()
        sent = Prompt(
            r.text(prompt.system),
            [(r.text(q), r.text(a)) for q, a in prompt.shots],
            r.text(prompt.request),
            prompt.json_output,
        )
        g = self.answer(sent, **kw)
        g.text = r.restore(g.text)
        if r.withheld:
            g.notices.append(
                f"the server put a secret of yours into a network address or request data; caro left "
                f"{', '.join(sorted(set(r.withheld)))} in its place. Check the command before you run it"
            )
        return g

    def answer(self, prompt: Prompt, *, max_tokens: int = 96, temperature: float = 0.0) -> Generation:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        return self.model

    def close(self) -> None:
        self.http.close()
