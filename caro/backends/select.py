"""Pick the backend: CLI flag > CARO_BACKEND > config > automatic; fall back to embedded.

Availability is cached for 60 s (in memory, and in CARO_HOME/cache/availability.json
across CLI runs); a backend that failed repeatedly is skipped for a cool-down.
"""
from __future__ import annotations

import json
import platform
import threading
import time
from pathlib import Path

from .. import atomic, paths
from ..config import Config
from ..privacy import mask_url
from .base import Availability, Backend, BackendError, Generation, Prompt

CACHE_TTL = 60.0
BREAKER_FAILURES = 3               # consecutive failures, each within BREAKER_WINDOW of the last,
BREAKER_WINDOW = 60.0              # open the circuit: the remote is skipped for BREAKER_COOLDOWN
BREAKER_COOLDOWN = 120.0
REMOTE = ("ollama", "vllm", "lmstudio")


def make(name: str, config: Config, model: str | None = None) -> Backend:
    sect = config.section(f"backend.{name}")
    if name == "embedded":
        from .embedded import EmbeddedBackend
        return EmbeddedBackend(model or sect.get("model") or "qwen2.5-coder-1.5b", int(sect.get("threads", 0)),
                               int(sect.get("context", 2048)))
    if name == "ollama":
        from .ollama import OllamaBackend
        return OllamaBackend(sect.get("url"), model or sect.get("model"), sect)
    if name in ("vllm", "lmstudio"):
        from .openai_compat import LMStudioBackend, VLLMBackend
        cls = VLLMBackend if name == "vllm" else LMStudioBackend
        return cls(sect.get("url"), model or sect.get("model"), sect)
    if name == "mlx":
        from .mlx import MLXBackend
        return MLXBackend(model or sect.get("model"))
    raise BackendError(f"unknown backend {name!r}; choose one of embedded, mlx, ollama, vllm, lmstudio")


def _mlx_ready() -> bool:
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return False
    import importlib.util
    return importlib.util.find_spec("mlx_lm") is not None


class _State:
    """Availability cache and circuit breaker, shared by every Selector in the process."""

    def __init__(self, file: Path):
        self.file = file
        self.data: dict[str, dict] = {}
        try:
            self.data = json.loads(file.read_text())
        except (OSError, ValueError):
            self.data = {}

    def save(self) -> None:
        try:
            paths.private_dir(self.file.parent)
            atomic.replace_text(self.file, json.dumps(self.data), 0o600)
        except OSError:
            pass                # a read-only or full disk costs the cache, nothing else

    def cached(self, key: str) -> Availability | None:
        e = self.data.get(key)
        if e and time.time() - e.get("at", 0) < CACHE_TTL:
            return Availability(e["ok"], e.get("detail", ""), 0.0, e.get("models", []))
        return None

    def remember(self, key: str, av: Availability) -> None:
        e = self.data.setdefault(key, {})
        e.update(at=time.time(), ok=av.ok, detail=av.detail, models=av.models)
        self.save()

    def failed(self, key: str) -> None:
        e = self.data.setdefault(key, {})
        now = time.time()
        run = e.get("failures", 0) if now - e.get("last_failure", 0) < BREAKER_WINDOW else 0
        e["failures"] = run + 1
        e["last_failure"] = now
        self.save()

    def succeeded(self, key: str) -> None:
        e = self.data.setdefault(key, {})
        if e.get("failures"):
            e["failures"] = 0
            self.save()

    def open_circuit(self, key: str) -> bool:
        e = self.data.get(key, {})
        return e.get("failures", 0) >= BREAKER_FAILURES and time.time() - e.get("last_failure", 0) < BREAKER_COOLDOWN


def choose_name(config: Config, flag: str | None) -> str:
    if flag:
        return flag
    preferred = config.get("backend.preferred", "auto")
    if preferred != "auto":
        return preferred
    return "mlx" if _mlx_ready() else "embedded"


class FallbackBackend(Backend):
    """A remote backend wrapped so that any failure answers from the embedded model instead.

    One instance serves every shell of the helper at once, so it keeps no per-request state:
    who answered and why travel in the Generation.
    """

    def __init__(self, primary: Backend, fallback_factory, state: _State, key: str, verbose: bool):
        self.primary = primary
        self._fallback_factory = fallback_factory
        self._fallback: Backend | None = None
        self._fallback_lock = threading.Lock()
        self.state = state
        self.key = key
        self.verbose = verbose

    @property
    def name(self) -> str:          # type: ignore[override]
        return self.primary.name

    @property
    def model_name(self) -> str:
        return self.primary.model_name

    @property
    def url(self) -> str:
        return getattr(self.primary, "url", "")

    @property
    def local(self) -> bool:        # type: ignore[override]
        return self.primary.local

    def fallback(self) -> Backend:
        with self._fallback_lock:
            if self._fallback is None:
                self._fallback = self._fallback_factory()
            return self._fallback

    def generate(self, prompt: Prompt, **kw) -> Generation:
        # Each request tries the remote again unless its circuit is open: a long-lived helper
        # must not stay on the fallback forever after one blip. The fallback gets the same
        # prompt the remote would have had, so it answers as the local path does.
        notices = []
        if not self.state.open_circuit(self.key):
            try:
                g = self.primary.generate(prompt, **kw)
                self.state.succeeded(self.key)
                g.backend = g.backend or self.primary.name
                return g
            except BackendError as e:
                msg = f"{self.primary.name} failed: {e}; answering with the embedded model"
                if self.verbose and e.raw_head:
                    msg += f" (reply began: {e.raw_head!r})"
                notices.append(msg)
                self.state.failed(self.key)
        g = self.fallback().generate(prompt, **kw)
        g.backend = g.backend or self.fallback().name
        g.notices = notices + g.notices
        return g

    def score(self, prompt: Prompt, candidates: list[str]):
        return self.primary.score(prompt, candidates)

    def probe(self) -> Availability:
        return self.primary.probe()

    def close(self) -> None:
        self.primary.close()
        if self._fallback:
            self._fallback.close()


def select(config: Config, flag: str | None = None, model: str | None = None, no_fallback: bool = False,
           verbose: bool = False, state_file: Path | None = None) -> tuple[Backend, list[str]]:
    """Return a ready backend and one-line notices for the user."""
    notices: list[str] = []
    name = choose_name(config, flag)
    if name == "embedded":
        backend = make("embedded", config, model)
        av = backend.probe()          # cheap (path + GGUF magic): a broken model is reported even
        if not av.ok:                 # when the library answers without loading it
            raise BackendError(av.detail)
        return backend, notices
    state = _State(state_file or paths.cache_dir() / "availability.json")
    backend = make(name, config, model)
    allow_fallback = config.get("backend.fallback", True) and not no_fallback
    key = f"{name}:{mask_url(getattr(backend, 'url', ''))}"      # the cache file holds no password

    def embedded():
        return make("embedded", config)

    if allow_fallback and state.open_circuit(key):
        notices.append(f"{name} failed several times recently; using the embedded model for a while")
        return embedded(), notices
    cached = state.cached(key)
    if cached is None:
        av = backend.probe()
        state.remember(key, av)
    else:
        av = cached
        if av.ok:
            backend.adopt(av)
    if not av.ok:
        if not allow_fallback:
            raise BackendError(av.detail)
        notices.append(f"{name} is not available ({av.detail}); using the embedded model")
        return embedded(), notices
    if not allow_fallback:
        return backend, notices
    return FallbackBackend(backend, embedded, state, key, verbose), notices
