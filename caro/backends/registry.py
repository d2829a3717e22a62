"""Which backends exist and how each is built: one `register()` per backend.

A backend is a small class with one job (as in simonw/llm); it builds itself from its settings
section (`from_settings`), whose defaults live in caro/settings.py. Entries name the module and
class, so a backend's heavy library (llama_cpp, httpx, mlx) is imported only when it is chosen.
"""

from __future__ import annotations

import importlib

from ..config import Config
from .base import Backend, BackendError

_ENTRIES: dict[str, str] = {}


def register(name: str, target: str) -> None:
    """`target` is "module:Class"; the class has `from_settings(section, model)`."""
    _ENTRIES[name] = target


def names() -> tuple[str, ...]:
    return tuple(_ENTRIES)


def backend_class(name: str) -> type[Backend]:
    target = _ENTRIES.get(name)
    if target is None:
        raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(names())}")
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)


def make(name: str, config: Config, model: str | None = None) -> Backend:
    return backend_class(name).from_settings(config.section(f"backend.{name}"), model)


register("embedded", "caro.backends.embedded:EmbeddedBackend")
register("mlx", "caro.backends.mlx:MLXBackend")
register("ollama", "caro.backends.ollama:OllamaBackend")
register("vllm", "caro.backends.openai_compat:VLLMBackend")
register("lmstudio", "caro.backends.openai_compat:LMStudioBackend")
