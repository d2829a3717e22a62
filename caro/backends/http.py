"""Shared HTTP plumbing for remote backends: timeouts, retries with backoff and jitter
(only for connection errors, 502, 503, 504), bounded reads, and error translation."""
from __future__ import annotations

import json
import random
import time
from typing import Callable, Iterator

from .base import Backend, BackendError

MAX_BODY = 2 * 1024 * 1024         # a command never needs more; a 10 MB reply is cut off here
RETRY_STATUS = (502, 503, 504)
PROBE_BUDGET = 0.5                 # seconds: an availability check never takes longer


class HTTPClient:
    def __init__(self, base_url: str, *, headers: dict | None = None, connect_timeout: float = 5.0,
                 timeout: float = 30.0, retries: int = 2, describe: Callable[[int, str], str] | None = None):
        import httpx
        self.httpx = httpx
        self.base = base_url.rstrip("/")
        self.headers = headers or {}
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
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
                return BackendError(f"TLS certificate of {self.base} was not accepted ({text[:120]}); "
                                    f"fix the server certificate or use the right URL", retryable=False)
            return BackendError(f"cannot connect to {self.base} (connection refused or host down)", retryable=True)
        if isinstance(e, httpx.ConnectTimeout):
            return BackendError(f"connecting to {self.base} timed out", retryable=True)
        if isinstance(e, httpx.ReadTimeout):
            return BackendError(f"{self.base} did not answer within {self.timeout.read:g}s", retryable=False)
        if isinstance(e, httpx.RemoteProtocolError):
            return BackendError(f"{self.base} closed the connection mid-reply", retryable=True)
        return BackendError(f"request to {self.base} failed: {type(e).__name__}", retryable=False)

    def _with_retries(self, fn):
        delay = 0.25
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except BackendError as e:
                if not e.retryable or attempt == self.retries:
                    raise
            time.sleep(delay + random.uniform(0, delay / 2))
            delay *= 2

    def _check(self, status: int, body: bytes) -> None:
        if status >= 400:
            text = body[:2000].decode("utf-8", "replace")
            raise BackendError(self.describe(status, text), retryable=status in RETRY_STATUS, raw_head=text)

    def get_json(self, path: str, timeout: float | None = None) -> dict:
        def once():
            try:
                with self.client.stream("GET", self._url(path), timeout=timeout or self.timeout) as r:
                    body = _bounded(r.iter_bytes())
                    self._check(r.status_code, body)
            except self.httpx.HTTPError as e:
                raise self._error_for(e) from None
            return _json(body)
        if timeout is not None:             # probes: one quick attempt, no retries
            return once()
        return self._with_retries(once)

    def post_json(self, path: str, payload: dict) -> dict:
        def once():
            try:
                with self.client.stream("POST", self._url(path), json=payload) as r:
                    body = _bounded(r.iter_bytes())
                    self._check(r.status_code, body)
            except self.httpx.HTTPError as e:
                raise self._error_for(e) from None
            return _json(body)
        return self._with_retries(once)

    def post_lines(self, path: str, payload: dict) -> Iterator[str]:
        """Streaming: yield decoded lines (NDJSON or SSE) as they arrive; bounded in total size."""
        try:
            with self.client.stream("POST", self._url(path), json=payload) as r:
                if r.status_code >= 400:
                    self._check(r.status_code, _bounded(r.iter_bytes()))
                total = 0
                for line in r.iter_lines():
                    total += len(line)
                    if total > MAX_BODY:
                        raise BackendError("the streamed reply exceeded 2 MB; stopped reading")
                    yield line
        except self.httpx.HTTPError as e:
            raise self._error_for(e) from None

    def close(self) -> None:
        self.client.close()


def _bounded(chunks) -> bytes:
    buf = bytearray()
    for c in chunks:
        buf += c
        if len(buf) > MAX_BODY:
            raise BackendError(f"the reply exceeded {MAX_BODY >> 20} MB; stopped reading", raw_head=bytes(buf[:200]).decode("utf-8", "replace"))
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

    small = False

    def __init__(self, url: str, model: str, settings: dict, headers: dict | None = None):
        self.url = url
        self.model = model
        self.stream = bool(settings.get("stream", False))
        self.http = HTTPClient(url, headers=headers, connect_timeout=float(settings.get("connect_timeout", 5.0)),
                               timeout=float(settings.get("timeout", 30.0)), describe=self.describe)

    def describe(self, status: int, body: str) -> str:
        return f"{self.name} answered HTTP {status}: {body[:200]}"

    @property
    def local(self) -> bool:        # type: ignore[override]
        from ..privacy import is_remote
        return not is_remote(self.url)

    @property
    def model_name(self) -> str:
        return self.model

    def close(self) -> None:
        self.http.close()
