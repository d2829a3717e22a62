"""How a backend is built: the class its row in caro/settings.py names, from its settings section.

A backend is a small class with one job (as in simonw/llm); it builds itself from its settings
section (`from_settings`). The class is imported only when its backend is chosen.
"""

from __future__ import annotations

import importlib

from ..config import Config
from ..settings import BACKEND_CLASSES
from .base import Backend, BackendError


def names() -> tuple[str, ...]:
    return tuple(BACKEND_CLASSES)


def backend_class(name: str) -> type[Backend]:
    target = BACKEND_CLASSES.get(name)
    if target is None:
        raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(names())}")
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)


def make(name: str, config: Config, model: str | None = None) -> Backend:
    return backend_class(name).from_settings(config.section(f"backend.{name}"), model)
