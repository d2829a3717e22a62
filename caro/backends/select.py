"""Pick the backend: CLI flag > CARO_BACKEND > config > automatic; fall back to embedded.

Building one is the registry's job (registry.py), remembering remotes' health the availability
cache's (availability.py), answering when a remote fails the fallback proxy's (fallback.py).
"""

from __future__ import annotations

import platform
from pathlib import Path

from .. import paths
from ..config import Config
from ..privacy import mask_url
from .availability import AvailabilityCache
from .base import Backend, BackendError
from .fallback import FallbackBackend
from .registry import make


def _mlx_ready() -> bool:
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return False
    import importlib.util

    return importlib.util.find_spec("mlx_lm") is not None


def choose_name(config: Config, flag: str | None) -> str:
    if flag:
        return flag
    preferred = config.get("backend.preferred", "auto")
    if preferred != "auto":
        return preferred
    return "mlx" if _mlx_ready() else "embedded"


def select(
    config: Config,
    flag: str | None = None,
    model: str | None = None,
    no_fallback: bool = False,
    verbose: bool = False,
    state_file: Path | None = None,
) -> tuple[Backend, list[str]]:
    """Return a ready backend and one-line notices for the user."""
    notices: list[str] = []
    name = choose_name(config, flag)
    if name == "embedded":
        backend = make("embedded", config, model)
        av = backend.probe()  # cheap (path + GGUF magic): a broken model is reported even
        if not av.ok:  # when the library answers without loading it
            raise BackendError(av.detail)
        return backend, notices
    state = AvailabilityCache(state_file or paths.cache_dir() / "availability.json")
    backend = make(name, config, model)
    allow_fallback = config.get("backend.fallback", True) and not no_fallback
    key = f"{name}:{mask_url(getattr(backend, 'url', ''))}"  # the cache file holds no password

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
