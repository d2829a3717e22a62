"""The offline backend: a GGUF model run in-process by llama.cpp's own server (the xllamacpp
binding: prebuilt wheels, no compiler), loaded lazily, once."""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import json
import logging
import os
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .. import models, paths, turns
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
    """Threads for the model, chosen when it loads: the cores nobody else is using. llama.cpp's workers wait
    for each other at every step by spinning, so one worker on a core that another program holds
    stalls all of them (measured: 13-25 s answers beside one busy process with a thread per core,
    under 4 s with one thread fewer); a thread too few costs far less."""
    free = (cores or os.cpu_count() or 1) - (busy_cores() if busy is None else busy)
    return max(1, min(MAX_THREADS, free))


DEFAULT_MODEL = str(BY_KEY["backend.embedded.model"].default)  # named once, in the settings

# Sequences llama.cpp decodes together: shells pressing at once share each step instead of queueing,
# and the reviewer's candidates are read side by side. Each slot may use the whole context.
SLOTS = 4


def _grammar(tokens: list[int]) -> str:
    """A grammar that allows exactly these tokens, in this order: the model then "writes" a given
    text token by token, and the log-probability it reports for each is the model's own (read
    before the grammar narrows the choice), which is what the reviewer needs."""
    return "root ::= " + " ".join(f"<[{t}]>" for t in tokens)


class _Local(http.client.HTTPConnection):
    """HTTP to the runtime's Unix socket (it answers /tokenize there, and nowhere else)."""

    def __init__(self, path: str):
        super().__init__("localhost", timeout=10)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self._path)


def _socket_path() -> tuple[Path, Path | None]:
    """Where the runtime's HTTP face listens: a Unix socket in caro's 0700 runtime directory, so no
    other local user can reach it (its default, a 127.0.0.1 TCP port, answers anyone on the
    machine), named by our pid and a token of this backend's own. A path too long for a socket
    address goes in a fresh private folder instead, returned second so it can be removed."""
    d = paths.runtime_dir()
    for old in d.glob("llama-*.sock"):  # left by a process that died: its pid names it
        pid = old.stem.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            old.unlink(missing_ok=True)
    path = d / f"llama-{os.getpid()}-{secrets.token_hex(4)}.sock"
    if len(os.fsencode(path)) <= 100:  # sun_path holds 108 bytes
        return path, None
    folder = Path(tempfile.mkdtemp(prefix="caro-"))
    return folder / "llama.sock", folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _error(reply: dict) -> str | None:
    """The runtime's error message in a reply, if it is one."""
    err = reply.get("error")
    if isinstance(err, dict):
        return str(err.get("message") or err)
    if err or (reply.get("code") and "choices" not in reply):
        return str(reply.get("message") or err or reply)
    return None


class EmbeddedBackend(Backend):
    name = "embedded"
    local = True
    can_score = True
    parallel = SLOTS

    @classmethod
    def from_settings(cls, section: dict, model: str | None = None) -> EmbeddedBackend:
        return cls(
            model or section.get("model") or DEFAULT_MODEL,
            int(section.get("threads", 0)),
            int(section.get("context", 2048)),
        )

    def __init__(self, model: str = DEFAULT_MODEL, threads: int = 0, context: int = 2048):
        self.model_spec = model
        self.fixed_threads = threads  # 0: the cores free when the model loads
        self.threads = threads or min(MAX_THREADS, os.cpu_count() or 1)
        self.context = context
        self._server: Any = None  # xllamacpp.Server, imported only when the model loads
        self._socket: Path | None = None
        # a private folder made for the socket, when the runtime dir's path is too long for one
        self._folder: Path | None = None
        self._key = ""
        self._load_lock = threading.Lock()  # the warm-up thread and a first request load it once
        # requests past the runtime's slots wait here, not in llama.cpp's queue: here a request
        # whose shell gave up is dropped before the runtime spends a prompt evaluation on it
        self._slots = threading.BoundedSemaphore(SLOTS)
        self._path: Path | None = None
        self._entry: models.Entry | None = None
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

    def load(self):
        with self._load_lock:
            if self._server is None:
                self._server = self._start()
            return self._server

    def _start(self):
        path = self._resolve()
        t = time.perf_counter()
        try:
            import xllamacpp
        except ImportError:
            raise BackendError("xllamacpp is not installed; reinstall caro with ./install.sh") from None
        try:
            sock, self._folder = _socket_path()
        except (paths.UnsafeDirectory, OSError) as e:
            raise BackendError(f"no private place for the model's socket: {e}") from None
        self.threads = self.fixed_threads or threads_now()
        p = xllamacpp.CommonParams()
        p.model.path = str(path)
        p.n_parallel = SLOTS
        p.kv_unified = True  # one cache for all slots, so one long request may use it all
        p.n_ctx = self.context * SLOTS
        p.cpuparams.n_threads = p.cpuparams_batch.n_threads = self.threads
        p.sampling.seed = 1
        # its HTTP face: the Unix socket only, behind a key, with the state-revealing endpoints off
        p.hostnames = [str(sock)]
        self._key = secrets.token_urlsafe(24)
        p.api_keys = [self._key]
        p.endpoint_slots = p.endpoint_props = p.endpoint_metrics = False
        p.verbosity = -1  # its chatter stays out of the helper's log; its failures come back in its replies
        old_umask = os.umask(0o077)  # the socket is born private, not made so after a window
        try:
            server = xllamacpp.Server(p)
        except (ValueError, RuntimeError) as e:
            self._remove_socket(sock)
            raise BackendError(
                f"could not load model {path}: {e}; the file may be corrupt. "
                f"Delete it and reinstall or run `caro model pull NAME`"
            ) from None
        finally:
            os.umask(old_umask)
        self._socket = sock
        self.load_ms = (time.perf_counter() - t) * 1000
        logging.getLogger("caro.embedded").info(
            "loaded model %s in %.0f ms (%d threads)", path.name, self.load_ms, self.threads
        )
        return server

    def _stream(self, body: dict, take: Callable[[dict], None]) -> None:
        """One request to the runtime, streamed: `take` sees each choice as it comes. It ends at
        the next token once the shell that asked stops waiting (turns.Abandoned: the callback
        tells llama.cpp to stop), and a failure comes back as the runtime worded it."""
        server = self.load()
        while not self._slots.acquire(timeout=0.1):
            if not turns.still_wanted():
                raise turns.Abandoned
        try:
            self._ask(server, body, take)
        finally:
            self._slots.release()

    def _ask(self, server: Any, body: dict, take: Callable[[dict], None]) -> None:
        if not turns.still_wanted():
            raise turns.Abandoned
        failed: list[str] = []
        raised: list[BaseException] = []
        gone = finished = False

        def chunk(reply: dict) -> bool:
            # the binding swallows what a callback raises (and stops): it is kept and raised below
            nonlocal gone, finished
            try:
                if (why := _error(reply)) is not None:
                    failed.append(why)
                    return True
                for choice in reply.get("choices") or []:
                    take(choice)
                    finished = finished or bool(choice.get("finish_reason"))
                gone = not turns.still_wanted()
                return gone
            except BaseException as e:  # Ctrl-C in the CLI included
                raised.append(e)
                return True

        server.handle_chat_completions({**body, "stream": True}, chunk)
        if raised:
            raise raised[0]
        if gone:
            raise turns.Abandoned
        if failed or not finished:
            why = failed[0] if failed else "its reply ended before the answer did"
            raise BackendError(f"the bundled model failed: {why}")

    def generate(self, prompt: Prompt, *, max_tokens: int = 128, temperature: float = 0.0) -> Generation:
        # the GGUF carries its own chat template; llama.cpp applies it
        t = time.perf_counter()
        pieces: list[str] = []
        body = {"messages": prompt.messages(), "max_tokens": max_tokens, "temperature": temperature, "stop": ["\n\n\n"]}
        self._stream(body, lambda choice: pieces.append((choice.get("delta") or {}).get("content") or ""))
        ms = (time.perf_counter() - t) * 1000
        return Generation("".join(pieces), self.model_name, ms, ms)

    def _tokens(self, text: str) -> list[int]:
        """The tokens of `text` alone, as the model reads it after the start of its reply."""
        assert self._socket is not None
        conn = _Local(str(self._socket))
        try:
            body = json.dumps({"content": text, "add_special": False, "parse_special": False})
            conn.request(
                "POST", "/tokenize", body, {"Content-Type": "application/json", "Authorization": f"Bearer {self._key}"}
            )
            got = conn.getresponse()
            reply = json.loads(got.read())
            if got.status != 200 or not isinstance(reply, dict):
                raise ValueError(f"HTTP {got.status}: {str(reply)[:200]}")
            return [int(t) for t in reply.get("tokens") or []]
        except (OSError, ValueError, TypeError) as e:
            raise BackendError(f"the bundled model could not read a text: {e}") from None
        finally:
            conn.close()

    def _mean_logprob(self, prompt: Prompt, tokens: list[int]) -> float:
        read: list[dict] = []
        body = {
            "messages": prompt.messages(),
            "max_tokens": len(tokens),
            "temperature": 0.0,
            "grammar": _grammar(tokens),
            "logprobs": True,
            "top_logprobs": 1,
        }
        self._stream(body, lambda choice: read.extend((choice.get("logprobs") or {}).get("content") or []))
        if [r.get("id") for r in read] != tokens:
            return float("-inf")  # the grammar was not followed: no score is better than a wrong one
        return sum(float(r["logprob"]) for r in read) / len(tokens)

    def score(self, pairs: list[tuple[Prompt, str]]) -> list[float]:
        """Each answer's mean log-probability, all read at once: one request per candidate, in
        parallel slots, so llama.cpp evaluates them in the same steps."""
        if not pairs:
            return []
        self.load()
        tokens = {a: self._tokens(a) for a in {a for _, a in pairs}}
        with ThreadPoolExecutor(max_workers=len(pairs)) as pool:  # each in the asker's context: who waits
            reads = [
                pool.submit(contextvars.copy_context().run, self._mean_logprob, p, tokens[a]) if tokens[a] else None
                for p, a in pairs
            ]
        return [r.result() if r else float("-inf") for r in reads]  # re-raises what a reading raised

    def _remove_socket(self, sock: Path) -> None:
        sock.unlink(missing_ok=True)
        if self._folder is not None:
            with contextlib.suppress(OSError):
                self._folder.rmdir()
            self._folder = None

    def close(self) -> None:
        if self._server is not None:
            self._server = None  # its destructor stops the runtime's loop and frees the model
        if self._socket is not None:
            self._remove_socket(self._socket)
            self._socket = None
