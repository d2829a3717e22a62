"""The offline backend: a GGUF model run in-process by llama-cpp-python, loaded lazily, once."""
from __future__ import annotations

import os
import threading
import time

from .. import models
from .base import Availability, Backend, BackendError, Generation, Prompt

_JSON_GRAMMAR = r'''
root ::= "{" ws "\"command\"" ws ":" ws str ws "," ws "\"explanation\"" ws ":" ws str ws "}"
str ::= "\"" ( [^"\\\n] | "\\" ["\\/nt] )* "\""
ws ::= [ ]?
'''


def _format_chatml(prompt: Prompt) -> tuple[str, str]:
    parts = []
    for m in prompt.messages():
        parts.append(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n")
    return "".join(parts) + "<|im_start|>assistant\n", "<|im_end|>"


def _format_gemma(prompt: Prompt) -> tuple[str, str]:
    parts = []
    for m in prompt.messages()[1:]:
        role = "model" if m["role"] == "assistant" else "user"
        content = m["content"] if parts else prompt.system + "\n\n" + m["content"]
        parts.append(f"<start_of_turn>{role}\n{content}<end_of_turn>\n")
    return "".join(parts) + "<start_of_turn>model\n", "<end_of_turn>"


def _format_completion(prompt: Prompt) -> tuple[str, str]:
    return prompt.completion_text() + " ", "\n"


FORMATS = {"chatml": _format_chatml, "gemma": _format_gemma, "completion": _format_completion}


class EmbeddedBackend(Backend):
    name = "embedded"
    local = True

    def __init__(self, model: str = "smollm2-135m", threads: int = 0, context: int = 2048):
        self.model_spec = model
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self.context = context
        self._llm = None
        self._lock = threading.Lock()
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
    def family(self) -> str:
        self._resolve()
        if self._entry is not None:
            return self._entry.family
        name = self._path.name.lower()
        if "gemma" in name:
            return "gemma"
        return "chatml"

    @property
    def small(self) -> bool:          # type: ignore[override]
        try:
            return self._resolve().stat().st_size < 600 * 1024 * 1024
        except (BackendError, OSError):
            return True

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
        if self._llm is None:
            path = self._resolve()
            t = time.perf_counter()
            try:
                from llama_cpp import Llama
            except ImportError:
                raise BackendError("llama-cpp-python is not installed; reinstall caro with ./install.sh") from None
            try:
                self._llm = Llama(model_path=str(path), n_ctx=self.context, n_threads=self.threads,
                                  logits_all=True, verbose=False, seed=1)
            except (ValueError, RuntimeError) as e:
                raise BackendError(f"could not load model {path}: {e}; the file may be corrupt. "
                                   f"Delete it and reinstall or run `caro model pull NAME`") from None
            self.load_ms = (time.perf_counter() - t) * 1000
        return self._llm

    def generate(self, prompt: Prompt, *, max_tokens: int = 96, temperature: float = 0.0) -> Generation:
        text, stop = FORMATS[self.family](prompt)
        with self._lock:
            llm = self.llm()
            t = time.perf_counter()
            kwargs = {}
            if prompt.json_output:
                from llama_cpp import LlamaGrammar
                kwargs["grammar"] = LlamaGrammar.from_string(_JSON_GRAMMAR, verbose=False)
            out = llm.create_completion(text, max_tokens=max_tokens, temperature=temperature,
                                        stop=[stop, "\n\n"] if not prompt.json_output else [stop], **kwargs)
        ms = (time.perf_counter() - t) * 1000
        return Generation(out["choices"][0]["text"], self.model_name, ms, ms)

    def score(self, prompt: Prompt, candidates: list[str]) -> list[float]:
        """Mean log-probability of each candidate as the assistant's answer, sharing the prompt's KV cache."""
        import numpy as np
        text, stop = FORMATS[self.family](prompt)
        with self._lock:
            llm = self.llm()
            prefix = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
            if len(prefix) + 64 > self.context:
                prefix = prefix[-(self.context - 64):]
            # reuse the KV cache for the part of the prompt shared with the last call (the system text)
            common = 0
            for a, b in zip(llm.input_ids[: llm.n_tokens].tolist(), prefix):
                if a != b:
                    break
                common += 1
            llm.n_tokens = min(common, len(prefix) - 1)
            llm.eval(prefix[llm.n_tokens:])
            out = []
            for cand in candidates:
                toks = llm.tokenize((cand + stop).encode("utf-8"), add_bos=False, special=True)[:60]
                llm.n_tokens = len(prefix)
                llm.eval(toks)
                logits = np.asarray(llm.scores[len(prefix) - 1: len(prefix) - 1 + len(toks)], dtype=np.float64)
                m = logits.max(axis=1, keepdims=True)
                logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
                out.append(float(np.mean(logp[np.arange(len(toks)), toks])))
            return out

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close() if hasattr(self._llm, "close") else None
            self._llm = None
