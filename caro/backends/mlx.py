"""mlx-lm on Apple silicon: same prompt and parsing as every backend; only load/generate differ."""

from __future__ import annotations

import time
from typing import Any

from .base import Availability, Backend, BackendError, Generation, Prompt


class MLXBackend(Backend):
    name = "mlx"
    local = True

    @classmethod
    def from_settings(cls, section: dict, model: str | None = None) -> MLXBackend:
        return cls(model or section.get("model"))

    def __init__(self, model: str | None, module=None):
        self.model = model or "mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit"
        self._module = module  # tests pass a stand-in with load/generate
        self._loaded: tuple[Any, Any] | None = None

    @property
    def model_name(self) -> str:
        return self.model

    def _mlx(self):
        if self._module is None:
            try:
                import mlx_lm
            except ImportError:
                raise BackendError(
                    "mlx-lm is not installed; install caro with the mlx extra: pip install 'caro[mlx]'"
                ) from None
            self._module = mlx_lm
        return self._module

    def probe(self) -> Availability:
        try:
            self._mlx()
        except BackendError as e:
            return Availability(False, str(e))
        return Availability(True, self.model, 0.0, [self.model])

    def generate(self, prompt: Prompt, *, max_tokens: int = 96, temperature: float = 0.0) -> Generation:
        mlx = self._mlx()
        if self._loaded is None:
            self._loaded = mlx.load(self.model)
        model, tokenizer = self._loaded
        text = tokenizer.apply_chat_template(prompt.messages(), add_generation_prompt=True, tokenize=False)
        t = time.perf_counter()
        out = mlx.generate(model, tokenizer, prompt=text, max_tokens=max_tokens)
        return Generation(out, self.model, (time.perf_counter() - t) * 1000)
