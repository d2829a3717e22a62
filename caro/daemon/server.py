"""The persistent helper: one per user, model loaded once, serving every shell.

Lifecycle follows atuin's daemon: a pidfile guarded by a lock held for the helper's
life, a version handshake (a helper older than its client, or speaking an older protocol,
answers `stale` and exits), stale-socket cleanup and exit after an idle period. The client
side (the start lock so two shells never spawn two helpers, spawn then poll, stop over the
socket) is caro/daemon/client.py.
"""

from __future__ import annotations

import fcntl
import logging
import os
import select
import signal
import socket
import socketserver
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__, paths, privacy, turns
from ..errors import Exit
from . import client, protocol

if TYPE_CHECKING:
    from ..safety import Verdict

log = logging.getLogger("caro.helper")


def _with_note(reply: bytes, extra: str) -> bytes:
    kind, command, *note = protocol.decode_reply(reply)
    joined = "; ".join(n for n in (*note, extra) if n)
    return protocol.encode_reply(kind, command, joined)


def _as_json(s, engine, mode: str, shell: str, cwd: str | None) -> str:
    """The whole suggestion for the CLI, every option with its verdict. The CLI may run under
    another safety mode than the helper (`--safety`, CARO_SAFETY): its mode is sent, and the
    options are judged again under it here, so the CLI never loads the validator itself."""
    import dataclasses
    import json

    from .. import safety

    judged = [(o.command, o.source, o.verdict) for o in s.options]
    if mode and mode != engine.policy.mode and mode in safety.MODES:
        policy = dataclasses.replace(engine.policy, mode=mode)
        judged = [(c, src, safety.check(c, shell=shell, cwd=cwd, home=None, policy=policy)) for c, src, _ in judged]
    options = [{**v.as_dict(), "command": c, "source": src} for c, src, v in judged]
    return json.dumps({**s.as_dict(), "notices": s.notices, "options": options})


class _Entry:
    """One cached suggestion; its lock keeps two shells cycling the same request from asking twice."""

    def __init__(self, suggestion):
        self.suggestion = suggestion
        self.lock = threading.Lock()


class Service:
    """Turns protocol requests into replies; owns the engine and the alternatives cache.

    Requests run concurrently, one thread each: pings, cached answers and the user's own examples
    never wait for the model; the embedded model decodes a few at once in its slots and queues the
    rest in arrival order, and remote servers are asked in parallel.
    """

    def __init__(self, engine_factory, idle_seconds: float, verbose: bool = False):
        self._engine_factory = engine_factory  # (previous engine or None) -> Engine
        self._engine = None
        self._settings: tuple | None = None  # settings_stamp() the engine was built from
        self._engine_built = threading.Lock()  # the warm-up and the first request build it once
        self._cache_lock = threading.Lock()
        self.idle_seconds = idle_seconds
        self.last_activity = time.monotonic()
        self.verbose = verbose
        self.cache: OrderedDict = OrderedDict()
        self.stop = threading.Event()
        self.proof = b""  # the secret this helper proves itself with to zsh (see write_proof)

    def engine(self):
        """The engine for the settings on disk now: `caro config set`, `caro init`, `caro model use`
        or an edited config.toml reach the next key press, so the CLI and Ctrl-G always agree."""
        with self._engine_built:
            stamp = settings_stamp()
            if self._engine is None or stamp != self._settings:
                keep = self._engine
                if keep is not None:
                    log.info("settings changed: rebuilding the engine")
                    with self._cache_lock:
                        self.cache.clear()  # judged under the old safety settings
                    if self._settings is None or stamp[1] != self._settings[1]:
                        keep = None  # a model was pulled or removed: select again
                self._engine = self._engine_factory(keep)
                self._settings = stamp
            return self._engine

    def handle(self, fields: dict[str, str]) -> bytes:
        self.last_activity = time.monotonic()
        op = fields.get("op", "suggest")
        client = fields.get("v") or __version__
        spoken = int(fields["p"]) if fields.get("p", "").isdigit() else 1
        if spoken > protocol.PROTOCOL or protocol.newer(client, __version__):
            log.info(
                "client %s (protocol %d) is newer than %s (protocol %d): exiting so a new helper starts",
                client,
                spoken,
                __version__,
                protocol.PROTOCOL,
            )
            self.stop.set()
            return protocol.encode_reply("stale", __version__)
        if op == "ping":
            return protocol.encode_reply("pong", __version__)
        if op == "shutdown":
            log.info("asked to shut down over the socket")
            self.stop.set()
            return protocol.encode_reply("pong", __version__)
        if op == "suggest":
            reply = self.suggest(fields)
            if fields.get("proof") == "1" and self.proof:
                # zsh cannot ask the kernel who is behind a socket (SO_PEERCRED); the helper shows
                # the secret it wrote where only this user can read it
                reply = b"proof\x00" + self.proof + b"\x00" + reply
            if spoken < protocol.PROTOCOL and reply.startswith(b"insert\x00"):
                reply = _with_note(
                    reply, "this shell's caro bindings speak an older protocol: open a new shell to load the new ones"
                )
            # "0": a snippet sourced as a static file, which cannot know its version: no note
            elif client not in (__version__, "0") and reply.startswith(b"insert\x00"):
                # A shell opened before an upgrade still holds the old snippet; the wire format
                # is shared (MAGIC), so it is served, and told how to load the new bindings.
                reply = _with_note(reply, f"caro was upgraded to {__version__}: open a new shell to load it")
            return reply
        return protocol.encode_reply("error", f"unknown operation {op!r}")

    def _cached(self, key):
        with self._cache_lock:
            entry = self.cache.get(key)
            if entry is not None:
                self.cache.move_to_end(key)
            return entry

    def _remember(self, key, suggestion) -> _Entry:
        with self._cache_lock:
            entry = self.cache.setdefault(key, _Entry(suggestion))
            self.cache.move_to_end(key)
            while len(self.cache) > 64:
                self.cache.popitem(last=False)
            return entry

    def _suggestion(self, engine, text: str, shell: str, cwd: str | None, index: int, improve: bool = False):
        """The cached suggestion for this request (or, `improve`, for this command) and its option
        number `index`, asking the model for one more when the shell cycles past the known ones.
        `engine` comes from self.engine() before the cache is read: a settings change empties it."""
        from ..engine.pipeline import MAX_OPTIONS

        key = (improve, text, shell, cwd)
        entry = self._cached(key)
        if entry is None:
            t = time.perf_counter()
            s = engine.improve(text, shell, cwd) if improve else engine.suggest(text, shell=shell, cwd=cwd)
            log.info(
                "%s %s in %.0f ms%s",
                "improve" if improve else "suggest",
                s.verdict.action,
                (time.perf_counter() - t) * 1000,
                # verbose logs name the request and the answer, with the secrets taken out like
                # those a remote server is sent: a log file outlives the terminal
                f": {privacy.redact(text)!r} -> {privacy.redact(s.command)!r}" if self.verbose else "",
            )
            entry = self._remember(key, s)
        with entry.lock:
            s = entry.suggestion
            while index >= len(s.options) and len(s.options) < MAX_OPTIONS and not s.exhausted:
                if engine.alternative(s, shell=shell, cwd=cwd) is None:
                    break
        return s

    def suggest(self, fields: dict[str, str]) -> bytes:
        from ..backends.base import BackendError
        from ..config import ConfigError
        from ..engine.pipeline import EngineError

        text = fields.get("text", "")
        shell = fields.get("shell") or "bash"
        cwd = fields.get("cwd") or None
        try:
            index = max(0, int(fields.get("index", "0") or 0))
        except ValueError:
            index = 0
        try:
            engine = self.engine()
            if fields.get("format") == "json":  # the CLI: the whole suggestion, every option
                s = self._suggestion(engine, text, shell, cwd, 0)
                return protocol.encode_reply("json", _as_json(s, engine, fields.get("safety", ""), shell, cwd))
            got = engine.press(
                text, shell, cwd, index, lambda improve: self._suggestion(engine, text, shell, cwd, index, improve)
            )
        except turns.Abandoned:
            raise
        except EngineError as e:  # the exit status rides along, for the CLI (the shells show the text)
            return protocol.encode_reply("error", str(e), str(int(e.code)))
        except BackendError as e:
            return protocol.encode_reply("error", str(e), str(int(Exit.NO_BACKEND)))
        except ConfigError as e:  # edited while the helper runs: say so, keep the user's text
            return protocol.encode_reply("error", f"{e}; fix it, then press the key again")
        except Exception as e:  # the helper must answer, whatever happens
            log.exception("suggest failed")
            return protocol.encode_reply("error", f"internal error ({type(e).__name__}); see {paths.logs_dir()}")
        if got.kind == "explain":
            return protocol.encode_reply("explain", got.notes[0])
        if got.kind == "none" or got.verdict is None:
            return protocol.encode_reply("error", "; ".join(got.notes))
        return _widget_reply(got.command, got.verdict, got.notes)


def _widget_reply(command: str, verdict: Verdict, notes: list[str]) -> bytes:
    """The widget's reply: a block keeps the user's text; a warning is inserted with its reason."""
    if verdict.action == "block":
        return protocol.encode_reply("block", "; ".join(verdict.reasons[:2]) or "blocked")
    from ..safety.wording import sentence

    said = sentence(verdict)
    if verdict.action == "warn":
        return protocol.encode_reply("confirm", command, "; ".join([said, *notes]))
    return protocol.encode_reply("insert", command, "; ".join(n for n in [*notes, said] if n))


def _still_connected(conn: socket.socket) -> bool:
    """Has the shell kept its end open? It sends its whole request and then only waits, so a
    readable end-of-file means it gave up (timeout, Ctrl-C, the shell closed)."""
    try:
        # poll first: on a socket with a timeout Python waits for data even with MSG_DONTWAIT
        readable, _, _ = select.select([conn], [], [], 0)
        return not readable or conn.recv(1, socket.MSG_PEEK) != b""
    except (OSError, ValueError):
        return False


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        service: Service = self.server.service  # type: ignore[attr-defined]
        self.request.settimeout(5)
        data = b""
        uid = client.peer_uid(self.request)
        if uid is not None and uid != os.getuid():
            # another local user reached the socket (the directory check failed somewhere):
            # never serve them, they would learn requests and could drive the helper
            log.warning("refused a client with uid %d", uid)
            return
        try:
            while not protocol.complete(data):
                chunk = self.request.recv(65536)
                if not chunk:
                    break
                data += chunk
            turns.waiting.set(lambda: _still_connected(self.request))
            try:
                reply = service.handle(protocol.decode_request(data))
            except protocol.ProtocolError as e:
                reply = protocol.encode_reply("error", str(e))
            except turns.Abandoned:
                log.info("dropped a request whose shell stopped waiting")
                return
            self.request.sendall(reply)
        except OSError:
            pass


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: with more shells pressing the hotkey at once, a full
    # queue makes a Unix-socket connect fail at once with EAGAIN instead of waiting its turn.
    request_queue_size = 128


def settings_stamp() -> tuple:
    """What the engine is built from, cheaply: the config file and the models folder (a pull or
    remove changes its mtime). One stat each per request."""

    def stat(p: Path):
        try:
            st = p.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    return stat(paths.config_file()), stat(paths.models_dir())


def _default_engine(previous=None):
    from .. import config
    from ..backends.select import select
    from ..engine.pipeline import Engine

    cfg = config.load()
    if previous is not None and previous.config.section("backend") == cfg.section("backend"):
        # same backend settings: keep the loaded model, take the new safety mode and rules
        return Engine(cfg, previous.backend)
    backend, notices = select(cfg)
    eng = Engine(cfg, backend, notices)
    eng.warm()  # load the model and the documentation now, not on the first key press
    return eng


def _warm(service: Service) -> None:
    try:
        service.engine()
    except Exception as e:  # the first request reports it to the shell that asked
        log.warning("warm-up failed: %s", e)


def write_proof() -> bytes:
    """A fresh secret for this helper's life, in CARO_HOME (mode 0600, written to a new file then
    renamed): what a helper of another user cannot know, however it reached the socket."""
    import secrets

    token = secrets.token_hex(16).encode()
    path = paths.proof_file()
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(token + b"\n")
        os.replace(tmp, path)
    except OSError as e:
        log.warning("could not write %s (%s): zsh will refuse this helper's answers", path, e)
        return b""
    return token


def serve(engine_factory=_default_engine, idle_seconds: float | None = None, verbose: bool | None = None) -> int:
    from .. import config

    _d, sock, pidfile, lockfile, _ = client.files()
    try:
        cfg = config.load()
    except config.ConfigError as e:
        log.error("not starting: %s", e)
        print(f"caro: {e}", file=sys.stderr)
        return 1
    if idle_seconds is None:
        idle_seconds = float(cfg.get("helper.idle_minutes", 30)) * 60
    if verbose is None:
        verbose = bool(cfg.get("logging.verbose", False))
    lock_fd = os.open(lockfile, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # a POSIX lock, not flock(): its holder's PID can be asked of the kernel (lock_holder)
        fcntl.lockf(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock_fd)
        print("caro: a helper is already running", file=sys.stderr)
        return 1
    if sock.exists() or sock.is_symlink():
        sock.unlink()  # we hold the lock, so any socket left is stale
    service = Service(engine_factory, idle_seconds, verbose)
    old_umask = os.umask(0o177)
    try:
        server = _Server(str(sock), _Handler)
    finally:
        os.umask(old_umask)
    server.service = service  # type: ignore[attr-defined]
    service.proof = write_proof()
    pidfile.write_text(f"{os.getpid()} {__version__}\n")
    try:
        from ..hooks.rcfiles import refresh_snippets

        if stale := refresh_snippets():
            log.info("rendered the %s snippet(s) again for caro %s", ", ".join(stale), __version__)
    except Exception as e:  # never a reason not to serve
        log.warning("could not refresh the shell snippets: %s", e)
    threading.Thread(target=_warm, args=(service,), daemon=True).start()  # load the model in the background

    def watchdog():
        while not service.stop.wait(1.0):
            if time.monotonic() - service.last_activity > service.idle_seconds:
                log.info("idle for %.0f s: exiting", service.idle_seconds)
                service.stop.set()
        server.shutdown()

    signal.signal(signal.SIGTERM, lambda *a: service.stop.set())
    threading.Thread(target=watchdog, daemon=True).start()
    log.info("helper %s serving on %s (pid %d)", __version__, sock, os.getpid())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if service._engine is not None:
            service._engine.backend.close()  # the model runtime's socket goes with the helper
        for f in (sock, pidfile):
            try:
                f.unlink()
            except FileNotFoundError:
                pass
        os.close(lock_fd)
    return 0


def log_to(logfile: Path, also_stderr: bool) -> None:
    """The helper's log goes to its file whoever started it (a shell, the relay, a terminal),
    so it is never lost to a /dev/null the starter chose; a terminal sees it too."""
    handlers: list[logging.Handler] = [logging.FileHandler(logfile)]
    if also_stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", handlers=handlers, force=True
    )
