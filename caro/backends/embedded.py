"""The offline backend: a GGUF model run in-process by llama-cpp-python, loaded lazily, once."""

from __future__ import annotations

import logging
import os
import threading
import time

from .. import models, turns
from .base import Availability, Backend, BackendError, Generation, Prompt


class EmbeddedBackend(Backend):
    name = "embedded"
    local = True

    @classmethod
    def from_settings(cls, section: dict, model: str | None = None) -> EmbeddedBackend:
        return cls(
            model or section.get("model") or "qwen2.5-coder-1.5b",
            int(section.get("threads", 0)),
            int(section.get("context", 2048)),
        )

    def __init__(self, model: str = "qwen2.5-coder-1.5b", threads: int = 0, context: int = 2048):
        self.model_spec = model
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self.context = context
        self._llm = None
        self._load_lock = threading.Lock()  # the warm-up thread and a first request load it once
        self._turns = turns.FairLock()  # one generation at a time, first come first served
        self._path, self._entry = None, None
        self.load_ms = 0.0

    def _resolve(self):
        if self._path is None:
            try:
                path, entry = models.resolve(self.model_spec)
                models.check_file(path)
                self._path, self._entry = path, entry
            except models.ModelError as e:
                raise BackendError(str(e)) from None
        return self._path

    @property
    def model_name(self) -> str:
        return self._entry.name if self._entry else os.path.basename(self.model_spec)

    def probe(self) -> Availability:
        t = time.perf_counter()
        try:
            path = self._resolve()
        except BackendError as e:
            return Availability(False, str(e))
        return Availability(True, str(path), (time.perf_counter() - t) * 1000, [self.model_name])

    def llm(self):
        with self._load_lock:
            return self._load()

    def _load(self):
        if self._llm is None:
            path = self._resolve()
            t = time.perf_counter()
            try:
                from llama_cpp import Llama
            except ImportError:
                raise BackendError("llama-cpp-python is not installed; reinstall caro with ./install.sh") from None
            try:
                self._llm = Llama(
                    model_path=str(path), n_ctx=self.context, n_threads=self.threads, verbose=False, seed=1
                )
            except (ValueError, RuntimeError) as e:
                raise BackendError(
                    f"could not load model {path}: {e}; the file may be corrupt. "
                    f"Delete it and reinstall or run `caro model pull NAME`"
                ) from None
            self.load_ms = (time.perf_counter() - t) * 1000
            logging.getLogger("caro.embedded").info("loaded model %s in %.0f ms", path.name, self.load_ms)
        return self._llm

    def generate(self, prompt: Prompt, *, max_tokens: int = 128, temperature: float = 0.0) -> Generation:
        # the GGUF carries its own chat template; llama-cpp-python applies it. Streamed, so a
        # generation for a shell that has stopped waiting ends at the next token.
        llm = self.llm()
        with self._turns.turn():
            t = time.perf_counter()
            pieces = []
            for chunk in llm.create_chat_completion(
                messages=prompt.messages(), max_tokens=max_tokens, temperature=temperature, stop=["\n\n\n"], stream=True
            ):
                pieces.append(chunk["choices"][0]["delta"].get("content") or "")
                if not turns.still_wanted():
                    raise turns.Abandoned
        ms = (time.perf_counter() - t) * 1000
        return Generation("".join(pieces), self.model_name, ms, ms)

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close() if hasattr(self._llm, "close") else None
            self._llm = None
