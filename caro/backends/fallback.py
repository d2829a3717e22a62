"""A remote backend that answers from the embedded model whenever the remote fails."""

from __future__ import annotations

import threading

from .availability import AvailabilityCache
from .base import Availability, Backend, BackendError, Generation, Prompt


class FallbackBackend(Backend):
    """A remote backend wrapped so that any failure answers from the embedded model instead.

    One instance serves every shell of the helper at once, so it keeps no per-request state:
    who answered and why travel in the Generation.
    """

    def __init__(self, primary: Backend, fallback_factory, state: AvailabilityCache, key: str, verbose: bool):
        self.primary = primary
        self._fallback_factory = fallback_factory
        self._fallback: Backend | None = None
        self._fallback_lock = threading.Lock()
        self.state = state
        self.key = key
        self.verbose = verbose

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.primary.name

    @property
    def model_name(self) -> str:
        return self.primary.model_name

    @property
    def url(self) -> str:
        return getattr(self.primary, "url", "")

    @property
    def local(self) -> bool:  # type: ignore[override]
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

    @property
    def can_score(self) -> bool:  # type: ignore[override]
        return self.primary.can_score

    def score(self, pairs: list[tuple[Prompt, str]]) -> list[float] | None:
        return self.primary.score(pairs)

    def probe(self) -> Availability:
        return self.primary.probe()

    def close(self) -> None:
        self.primary.close()
        if self._fallback:
            self._fallback.close()
