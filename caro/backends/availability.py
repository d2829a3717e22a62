"""What caro remembers about remote backends between requests and CLI runs.

Availability is cached for 60 s (in memory, and in CARO_HOME/cache/availability.json across CLI
runs); a backend that failed repeatedly is skipped for a cool-down (a circuit breaker).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from .. import files, paths
from .base import Availability

CACHE_TTL = 60.0
BREAKER_FAILURES = 3  # consecutive failures, each within BREAKER_WINDOW of the last,
BREAKER_WINDOW = 60.0  # open the circuit: the remote is skipped for BREAKER_COOLDOWN
BREAKER_COOLDOWN = 120.0


class AvailabilityCache:
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
            files.replace_text(self.file, json.dumps(self.data), 0o600)
        except OSError:
            pass  # a read-only or full disk costs the cache, nothing else

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
