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
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
    """Threads for the model: the cores nobody else is using. llama.cpp's workers wait for each other
    at every step, so one worker on a core that another program holds stalls all of them (measured:
    13-25 s answers beside one busy process with a thread per core, under 4 s with one thread
    fewer); a thread too few costs far less."""
    free = (cores or os.cpu_count() or 1) - (busy_cores() if busy is None else busy)
    return max(1, min(MAX_THREADS, free))


# llama.cpp's server fixes its thread count when it starts. A watcher looks at the free cores every
# WATCH_EVERY seconds; when they have differed from the runtime's count at every look for
# REFIT_AFTER seconds (a build started, or ended), the runtime is started again with the new count
# beside the old one, warmed on the last prompt, and swapped in between requests ...
WATCH_EVERY = 2.0
# 4 s, not 10: the presses made before the restart run on a thread too many, and they set the p95
# beside a program that has just started (one hog, 10 presses 2 s apart, two rounds alternating:
# p95 7.1 and 3.4 s at 10 s, 3.2 and 2.9 s at 4 s; quiet 0.9-1.2 s either way)
REFIT_AFTER = 4.0
# ... once no request has run for this long: the binding holds Python's lock while a model loads
# (2.5 s here, 5 s beside a busy core), so the restart waits for the user to be reading an answer
REFIT_WHEN_IDLE = 1.0
REFIT_BACKOFF = 300.0

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


@dataclass
class _Runtime:
    """One started llama.cpp server and how to reach its HTTP face."""

    server: Any  # xllamacpp.Server
    socket: Path
    folder: Path | None  # a private folder made for the socket, when the runtime dir's path is too long
    key: str
    threads: int

    def close(self) -> None:
        self.server = None  # its destructor stops the runtime's loop and frees its context
        self.socket.unlink(missing_ok=True)
        if self.folder is not None:
            with contextlib.suppress(OSError):
                self.folder.rmdir()

    def __del__(self) -> None:
        # dropped without close(): its backend was replaced (new settings) and freed
        with contextlib.suppress(Exception):
            self.close()


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
        self.fixed_threads = threads  # 0: the free cores, followed as they change (_watch)
        self.threads = threads or min(MAX_THREADS, os.cpu_count() or 1)
        self.context = context
        self._rt: _Runtime | None = None  # started when the model is first needed
        self._load_lock = threading.Lock()  # the warm-up thread and a first request load it once
        self._stop = threading.Event()  # ends the watcher of the current runtime
        self._refit_lock = threading.Lock()
        self._last_body: dict | None = None  # the last prompt, to warm a refitted runtime on
        self._in_flight = 0  # requests running now (under _count_lock), and when the last one ended
        self._count_lock = threading.Lock()
        self._last_end = 0.0
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

    def load(self) -> _Runtime:
        with self._load_lock:
            if self._rt is None:
                self._rt = self._start(self.fixed_threads or threads_now())
                if not self.fixed_threads:
                    # the watcher holds the backend weakly: a backend the helper replaced (new
                    # settings) is freed as before, and its watcher ends with it
                    self._stop = threading.Event()
                    args = (weakref.ref(self), self._stop)
                    threading.Thread(target=EmbeddedBackend._watch, args=args, name="caro-threads", daemon=True).start()
            self.threads = self._rt.threads
            return self._rt

    def _start(self, threads: int) -> _Runtime:
        path = self._resolve()
        t = time.perf_counter()
        try:
            import xllamacpp
        except ImportError:
            raise BackendError("xllamacpp is not installed; reinstall caro with ./install.sh") from None
        try:
            sock, folder = _socket_path()
        except (paths.UnsafeDirectory, OSError) as e:
            raise BackendError(f"no private place for the model's socket: {e}") from None
        p = xllamacpp.CommonParams()
        p.model.path = str(path)
        p.n_parallel = SLOTS
        p.kv_unified = True  # one cache for all slots, so one long request may use it all
        p.n_ctx = self.context * SLOTS
        p.cpuparams.n_threads = p.cpuparams_batch.n_threads = threads
        p.sampling.seed = 1
        # workers sleep between steps instead of spinning (llama.cpp's default polls at level 50): a
        # spinning worker on a core another program holds stalls every step of the others. Measured
        # with one busy core after load (2 threads): p95 4.4 s → 3.4 s; quiet unchanged (1.25 s).
        p.cpuparams.poll = p.cpuparams_batch.poll = 0
        # its HTTP face: the Unix socket only, behind a key, with the state-revealing endpoints off
        p.hostnames = [str(sock)]
        key = secrets.token_urlsafe(24)
        p.api_keys = [key]
        p.endpoint_slots = p.endpoint_props = p.endpoint_metrics = False
        p.verbosity = -1  # its chatter stays out of the helper's log; its failures come back in its replies
        old_umask = os.umask(0o077)  # the socket is born private, not made so after a window
        try:
            server = xllamacpp.Server(p)
        except (ValueError, RuntimeError) as e:
            _Runtime(None, sock, folder, key, threads).close()
            raise BackendError(
                f"could not load model {path}: {e}; the file may be corrupt. "
                f"Delete it and reinstall or run `caro model pull NAME`"
            ) from None
        finally:
            os.umask(old_umask)
        self.load_ms = (time.perf_counter() - t) * 1000
        logging.getLogger("caro.embedded").info(
            "loaded model %s in %.0f ms (%d threads)", path.name, self.load_ms, threads
        )
        return _Runtime(server, sock, folder, key, threads)

    @staticmethod
    def _watch(ref: weakref.ref[EmbeddedBackend], stop: threading.Event) -> None:
        """Follow the free cores while the runtime lives: a count that differs at every look for
        REFIT_AFTER seconds is worth a restart (a passing process is not; a build or a video call
        is), done while nobody waits for an answer. A restart that failed is not tried again for
        REFIT_BACKOFF seconds (each try holds the helper for seconds)."""
        since: tuple[int, float] | None = None  # (free cores, first seen) while they differ
        failed_at = -REFIT_BACKOFF
        while not stop.wait(WATCH_EVERY):
            b = ref()
            rt = b._rt if b is not None else None
            if b is None or rt is None:
                return
            want = threads_now()
            now = time.monotonic()
            if want == rt.threads:
                since = None
            elif since is None or since[0] != want:
                since = (want, now)
            elif now - since[1] >= REFIT_AFTER and now - failed_at >= REFIT_BACKOFF and b._idle():
                if not b._refit(want):
                    failed_at = now
                since = None
            del b, rt  # not held across the wait

    def _idle(self) -> bool:
        with self._count_lock:
            return not self._in_flight and time.monotonic() - self._last_end >= REFIT_WHEN_IDLE

    def _refit(self, threads: int) -> bool:
        """Start the runtime again with `threads`, beside the old one (the weights are mapped from
        the file once, so the second costs its caches, not another model), warm its prompt cache
        on the last prompt, and swap it in once no request is in flight. False when it failed (the
        old runtime then goes on serving)."""
        log = logging.getLogger("caro.embedded")
        if not self._refit_lock.acquire(blocking=False):
            return True  # another watcher is at it (one refit at a time: each takes every slot)
        new: _Runtime | None = None
        try:
            new = self._start(threads)
            if self._last_body is not None:
                with contextlib.suppress(Exception):
                    new.server.handle_chat_completions({**self._last_body, "max_tokens": 1, "stream": False})
            for _ in range(SLOTS):  # every slot: the requests in flight on the old runtime end first
                self._slots.acquire()
            try:
                with self._load_lock:
                    old = self._rt
                    if old is not None:  # not closed while the new one loaded
                        self._rt, new = new, None
                        self.threads = threads
            finally:
                for _ in range(SLOTS):
                    self._slots.release()
            if old is not None:
                old.close()
                log.info("restarted the model on %d threads (the free cores changed)", threads)
            return True
        except Exception as e:  # the binding may raise anything; the old runtime goes on serving
            log.warning("could not restart the model on %d threads: %s", threads, e)
            return False
        finally:
            if new is not None:  # loaded but not swapped in
                new.close()
            self._refit_lock.release()

    def _stream(self, body: dict, take: Callable[[dict], None]) -> None:
        """One request to the runtime, streamed: `take` sees each choice as it comes. It ends at
        the next token once the shell that asked stops waiting (turns.Abandoned: the callback
        tells llama.cpp to stop), and a failure comes back as the runtime worded it."""
        self.load()
        while not self._slots.acquire(timeout=0.1):
            if not turns.still_wanted():
                raise turns.Abandoned
        with self._count_lock:
            self._in_flight += 1
        try:
            rt = self.load()  # after the slot: a refit swaps runtimes only while it holds every slot
            self._ask(rt.server, body, take)
        finally:
            with self._count_lock:
                self._in_flight -= 1
                self._last_end = time.monotonic()
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
        read: list[float] = []
        body = {
            "messages": prompt.messages(),
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stop": ["\n\n\n"],
            "logprobs": True,
            "top_logprobs": 1,  # the chosen token's own; llama.cpp's server would list 20 alternatives
        }
        self._last_body = body

        def take(choice: dict) -> None:
            pieces.append((choice.get("delta") or {}).get("content") or "")
            read.extend(
                float(r["logprob"]) for r in (choice.get("logprobs") or {}).get("content") or [] if "logprob" in r
            )

        self._stream(body, take)
        ms = (time.perf_counter() - t) * 1000
        return Generation("".join(pieces), self.model_name, ms, ms, logprob=sum(read) / len(read) if read else None)

    def _tokens(self, text: str) -> list[int]:
        """The tokens of `text` alone, as the model reads it after the start of its reply (the
        same for every runtime of this model, so whichever is current may answer)."""
        with self._slots:  # a slot, so a refit does not close this runtime under the request
            return self._tokenize(self.load(), text)

    def _tokenize(self, rt: _Runtime, text: str) -> list[int]:
        conn = _Local(str(rt.socket))
        try:
            body = json.dumps({"content": text, "add_special": False, "parse_special": False})
            conn.request(
                "POST", "/tokenize", body, {"Content-Type": "application/json", "Authorization": f"Bearer {rt.key}"}
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

    def close(self) -> None:
        with self._load_lock:
            self._stop.set()
            rt, self._rt = self._rt, None
        if rt is not None:
            rt.close()
