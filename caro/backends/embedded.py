"""The offline backend: a GGUF model run in-process by llama-cpp-python, loaded lazily, once."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from .. import models, turns
from ..settings import BY_KEY
from .base import Availability, Backend, BackendError, Generation, Prompt

MAX_THREADS = 4  # past four cores a 1.5B model's decoding is bound by memory, not arithmetic


_KTHREADS: tuple[float, list[str]] = (0.0, [])


def _kernel_threads() -> list[str]:
    """The pids of the kernel's own threads (children of kthreadd, pid 2), listed once a minute."""
    global _KTHREADS
    if time.monotonic() - _KTHREADS[0] > 60:
        found = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        if f.read().rsplit(")", 1)[1].split()[1] in ("2", "0"):
                            found.append(pid)
                except (OSError, IndexError):
                    continue
        _KTHREADS = (time.monotonic(), found)
    return _KTHREADS[1]


def _running(stat_path: str) -> bool:
    try:
        with open(stat_path) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "R"
    except (OSError, IndexError):
        return False


def _busy_once() -> int | None:
    """Runnable threads right now that are neither ours nor the kernel's (its housekeeping threads,
    kdamond and kworkers, wake for a moment and are counted by /proc/loadavg like any program)."""
    try:
        with open("/proc/loadavg") as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None
    own = sum(_running(f"/proc/self/task/{t}/stat") for t in os.listdir("/proc/self/task"))
    others = running - max(own, 1)
    if others <= 0:
        return 0  # the common case, and the cheap one: the kernel's threads are only read when needed
    return max(0, others - sum(_running(f"/proc/{pid}/stat") for pid in _kernel_threads()))


def busy_cores(samples: int = 3) -> int:
    """How many other programs want a CPU right now: the kernel's count of runnable threads less
    this process's own (its llama.cpp workers spin for a moment after each step, and the thread
    asking is running too); elsewhere the 1-minute load average.

    The least of a few quick samples: a worker that stops spinning between reading the kernel's
    count and reading its own state looked like another program, and on a quiet machine one
    press in four ran on one thread, twice as slow (measured on fresh-dev, 25 presses). A program
    that really holds a core is running in every sample."""
    least = None
    for _ in range(samples):
        n = _busy_once()
        if n is not None:
            least = n if least is None else min(least, n)
        if least == 0:
            return 0
    if least is not None:
        return least
    try:
        return int(os.getloadavg()[0] + 0.5)
    except OSError:
        return 0


def threads_now(cores: int | None = None, busy: int | None = None) -> int:
    """Threads for the next evaluation: the cores nobody else is using. llama.cpp's workers wait
    for each other at every step by spinning, so one worker on a core that another program holds
    stalls all of them (measured: 13-25 s answers beside one busy process with a thread per core,
    under 4 s with one thread fewer); a thread too few costs far less."""
    free = (cores or os.cpu_count() or 1) - (busy_cores() if busy is None else busy)
    return max(1, min(MAX_THREADS, free))


def _common(a: list[int], b: list[int]) -> int:
    """The length of the start two token lists share."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


DEFAULT_MODEL = str(BY_KEY["backend.embedded.model"].default)  # named once, in the settings


class _Scorer:
    """Log-probabilities of given answers, on a second llama.cpp context over the same weights.

    The generation context keeps its own prompt cache untouched; this one keeps the reviewer's.
    All candidates are read in one decode: the start they share (the reviewer's system prompt) is
    held in sequence 0 and copied to one sequence per candidate, so only each command and the
    request are evaluated, as one batch, with logits asked only where they predict the answer.
    """

    MAX_CANDIDATES = 7

    def __init__(self, llm, threads: int, n_ctx: int = 2048):
        import llama_cpp
        from llama_cpp import _internals
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        params = llama_cpp.llama_context_default_params()
        params.n_ctx = params.n_batch = params.n_ubatch = n_ctx
        params.n_seq_max = self.MAX_CANDIDATES + 1
        params.kv_unified = True  # the candidates share one long prefix
        params.n_threads = params.n_threads_batch = threads
        self._llm = llm
        self._ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
        self._batch = _internals.LlamaBatch(n_tokens=n_ctx, embd=0, n_seq_max=1, verbose=False)
        self._n_ctx = n_ctx
        self._shared: list[int] = []  # the tokens sequence 0 holds
        model = llm._model
        self._format = Jinja2ChatFormatter(
            template=llm.metadata["tokenizer.chat_template"],
            eos_token=model.token_get_text(model.token_eos()),
            bos_token=model.token_get_text(model.token_bos()) if model.token_bos() != -1 else "",
        )

    def _tokens(self, messages: list[dict], answer: str) -> tuple[list[int], int]:
        """The whole text's tokens, and how many of them come before the answer."""
        head = self._llm.tokenize(self._format(messages=messages).prompt.encode(), special=True)  # type: ignore[arg-type]
        tail = self._llm.tokenize(answer.encode(), add_bos=False, special=False)
        return head + tail, len(head)

    def _fill(self, items: list[tuple[list[int], int, int, int]]) -> list[list[int]]:
        """Put each (tokens, from position, sequence, answer start) into the batch, logits on where
        an answer token is predicted; returns, per item, the batch indices of those logits."""
        b = self._batch.batch
        n, rows = 0, []
        for tokens, start, seq, answer_at in items:
            mine = []
            for pos in range(start, len(tokens)):
                b.token[n], b.pos[n], b.n_seq_id[n] = tokens[pos], pos, 1
                b.seq_id[n][0] = seq
                b.logits[n] = answer_at - 1 <= pos < len(tokens) - 1
                if b.logits[n]:
                    mine.append(n)
                n += 1
            rows.append(mine)
        b.n_tokens = n
        return rows

    def mean_logprobs(self, pairs: list[tuple[list[dict], str]]) -> list[float]:
        import llama_cpp
        import numpy as np

        texts = [self._tokens(m, a) for m, a in pairs[: self.MAX_CANDIDATES]]
        if sum(len(t) for t, _ in texts) >= self._n_ctx or any(len(t) <= h for t, h in texts):
            return [float("-inf")] * len(pairs)
        # the start all candidates share, up to the token before the earliest answer (whose logits
        # must be computed per candidate); sequence 0 keeps it from one press to the next
        first = texts[0][0]
        shared = min([h - 1 for _, h in texts] + [_common(t, first) for t, _ in texts])
        keep = min(_common(self._shared, first), shared)
        self._ctx.kv_cache_seq_rm(-1, keep, -1)  # also empties every candidate's sequence
        self._shared = first[:keep]
        if keep < shared:
            self._fill([(first[:shared], keep, 0, shared + 1)])
            self._ctx.decode(self._batch)
            self._shared = first[:shared]
        for i in range(len(texts)):
            self._ctx.kv_cache_seq_cp(0, i + 1, -1, -1)
        rows = self._fill([(t, shared, i + 1, h) for i, (t, h) in enumerate(texts)])
        self._ctx.decode(self._batch)
        n_vocab = self._llm.n_vocab()
        out = []
        for (t, h), mine in zip(texts, rows):
            total = 0.0
            for pos, index in zip(range(h - 1, len(t) - 1), mine):
                row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self._ctx.ctx, index), shape=(n_vocab,))
                top = float(row.max())
                total += float(row[t[pos + 1]]) - top - float(np.log(np.exp(row - top).sum()))
            out.append(total / (len(t) - h))
        for i in range(len(texts)):
            self._ctx.kv_cache_seq_rm(i + 1, -1, -1)
        return out + [float("-inf")] * (len(pairs) - len(texts))

    def close(self) -> None:
        self._batch.close()
        self._ctx.close()


class EmbeddedBackend(Backend):
    name = "embedded"
    local = True
    can_score = True

    @classmethod
    def from_settings(cls, section: dict, model: str | None = None) -> EmbeddedBackend:
        return cls(
            model or section.get("model") or DEFAULT_MODEL,
            int(section.get("threads", 0)),
            int(section.get("context", 2048)),
        )

    def __init__(self, model: str = DEFAULT_MODEL, threads: int = 0, context: int = 2048):
        self.model_spec = model
        self.fixed_threads = threads  # 0: chosen before each evaluation by what the machine has free
        self.threads = threads or min(MAX_THREADS, os.cpu_count() or 1)
        self.context = context
        self._llm: Any = None  # llama_cpp.Llama, imported only when the model loads
        self._load_lock = threading.Lock()  # the warm-up thread and a first request load it once
        self._turns = turns.FairLock()  # one generation at a time, first come first served
        self._path: Path | None = None
        self._entry: models.Entry | None = None
        self._scorer: _Scorer | None = None
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
            self._set_threads(llm._ctx.ctx)
            pieces = []
            for chunk in llm.create_chat_completion(
                messages=prompt.messages(), max_tokens=max_tokens, temperature=temperature, stop=["\n\n\n"], stream=True
            ):
                pieces.append(chunk["choices"][0]["delta"].get("content") or "")
                if not turns.still_wanted():
                    raise turns.Abandoned
        ms = (time.perf_counter() - t) * 1000
        return Generation("".join(pieces), self.model_name, ms, ms)

    def _set_threads(self, ctx) -> None:
        import llama_cpp

        n = self.fixed_threads or threads_now()
        llama_cpp.llama_set_n_threads(ctx, n, n)  # sets two fields of the context: no need to remember it

    def score(self, pairs: list[tuple[Prompt, str]]) -> list[float]:
        llm = self.llm()
        with self._turns.turn():
            if self._scorer is None:
                self._scorer = _Scorer(llm, self.threads)
            self._set_threads(self._scorer._ctx.ctx)
            return self._scorer.mean_logprobs([(prompt.messages(), answer) for prompt, answer in pairs])

    def close(self) -> None:
        if self._scorer is not None:
            self._scorer.close()
            self._scorer = None
        if self._llm is not None:
            self._llm.close() if hasattr(self._llm, "close") else None
            self._llm = None
