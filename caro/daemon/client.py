"""The client side of the helper: find it, ask it, start it, stop it.

Used by `caro "…"`, `caro helper start|stop|status` and `caro doctor` (the shells have their own
clients: zsh's native socket and relay.py). Lifecycle as atuin's daemon: a start lock so two shells
never spawn two helpers, spawn then poll, a stop over the socket, and liveness decided by the life
lock the helper holds, never by a PID read from a file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from .. import __version__, paths
from . import protocol

log = logging.getLogger("caro.helper")


def files():
    d = paths.runtime_dir()
    return d, d / paths.SOCKET, d / "helper.pid", d / "helper.lock", d / "start.lock"


# `caro "…"` waits longer than a shell's key press (helper.timeout): it may have started the helper
# and be waiting for the model to load first
ASK_TIMEOUT = 60.0


def ask(fields: dict[str, str], timeout: float = ASK_TIMEOUT, sock: Path | None = None) -> list[str]:
    """One request to the running helper; its reply split into fields. Raises OSError."""
    sock = sock or files()[1]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(str(sock))
        if peer_uid(s) not in (None, os.getuid()):
            raise PermissionError("the process behind the caro socket belongs to another user")
        s.sendall(protocol.encode_request({"v": __version__, "p": str(protocol.PROTOCOL), **fields}))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return protocol.decode_reply(data)
    except protocol.ProtocolError as e:
        raise OSError(f"malformed reply from the helper ({e})") from None
    finally:
        s.close()


def ping(sock: Path | None = None, timeout: float = 1.0) -> str | None:
    """The running helper's version, or None."""
    try:
        parts = ask({"op": "ping"}, timeout, sock)
    except OSError:
        return None
    return parts[1] if parts[0] in ("pong", "stale") and len(parts) > 1 else None


_LINUX = sys.platform.startswith("linux")
# struct flock: Linux l_type, l_whence, l_start, l_len, l_pid; BSD/macOS l_start, l_len, l_pid, l_type, l_whence
_FLOCK = "hhxxxxqqixxxx" if _LINUX else "qqihh"


def lock_holder(lockfile: Path | None = None) -> int | None:
    """The PID of the process holding the helper's life lock, as the kernel reports it, or None.

    The helper holds a POSIX write lock on helper.lock for as long as it lives. Asking the
    kernel (F_GETLK) who holds it is the only PID caro ever signals: a number read from a file
    may belong to an unrelated process after a crash and PID reuse, the lock holder cannot.
    """
    lockfile = lockfile or files()[3]
    try:
        fd = os.open(lockfile, os.O_RDONLY)
    except OSError:
        return None
    try:
        # a read-lock query on a read-only fd: the helper's write lock conflicts with it
        query = (
            struct.pack(_FLOCK, fcntl.F_RDLCK, 0, 0, 0, 0) if _LINUX else struct.pack(_FLOCK, 0, 0, 0, fcntl.F_RDLCK, 0)
        )
        answer = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))
    except OSError:
        return None
    finally:
        os.close(fd)
    kind, pid = (answer[0], answer[4]) if _LINUX else (answer[3], answer[2])
    return pid if kind != fcntl.F_UNLCK and pid > 0 else None


def peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket (SO_PEERCRED / getpeereid)."""
    try:
        if hasattr(socket, "SO_PEERCRED"):
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            return struct.unpack("3i", creds)[1]
        if hasattr(os, "getpeereid"):
            return os.getpeereid(conn.fileno())[0]  # type: ignore[attr-defined]
        local_peercred = getattr(socket, "LOCAL_PEERCRED", 0x001)
        creds = conn.getsockopt(0, local_peercred, struct.calcsize("iih16i"))
        return struct.unpack("iih16i", creds)[1]
    except OSError:
        return None


def _shutdown_over_socket(sock: Path, timeout: float = 1.0) -> bool:
    try:
        ask({"op": "shutdown"}, timeout, sock)
        return True
    except OSError:
        return False


def _wait_unlocked(lockfile: Path, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if lock_holder(lockfile) is None:
            return True
        time.sleep(0.05)
    return lock_holder(lockfile) is None


def is_our_helper(pid: int) -> bool:
    """Is `pid` a caro helper of this user? Asked before any signal: the lock file could have been
    swapped for one that an unrelated process holds (a 0700 runtime directory makes that hard;
    this makes it harmless)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            uid = next(int(x.split()[1]) for x in f if x.startswith("Uid:"))
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except (OSError, StopIteration, ValueError):
        import subprocess  # no /proc (macOS, BSD): ps says the same

        try:
            out = subprocess.run(
                ["ps", "-o", "uid=,command=", "-p", str(pid)], capture_output=True, text=True, timeout=5
            ).stdout.split(None, 1)
            uid, argv = int(out[0]), [a.encode() for a in out[1].split()]
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return False
    words = [a.decode("utf-8", "replace") for a in argv]
    return uid == os.getuid() and "helper" in words and any(w == "caro" or w.endswith("/caro") for w in words)


def stop(wait: float = 5.0) -> bool:
    """Stop the running helper: ask it over the socket; only a helper that holds the life lock
    and does not answer is signalled, by the PID the kernel gives for that lock."""
    _d, sock, _pidfile, lockfile, _ = files()
    if lock_holder(lockfile) is None:
        return False  # nothing alive holds the lock: any pidfile is stale
    if _shutdown_over_socket(sock) and _wait_unlocked(lockfile, wait):
        return True
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pid = lock_holder(lockfile)
        if pid is None:
            return True
        if not is_our_helper(pid):
            log.warning("pid %d holds the helper's lock but is not a caro helper of yours: not signalled", pid)
            return False
        log.info("helper pid %d holds the lock but does not answer: sending %s", pid, sig.name)
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        if _wait_unlocked(lockfile, wait if sig == signal.SIGTERM else 2.0):
            return True
    return lock_holder(lockfile) is None


# how long a helper that holds its life lock may stay silent before it is taken for hung: loading the
# model holds Python's lock for 2.5-5 s on two busy cores
BUSY_PATIENCE = 10.0


def start(timeout: float = 60.0) -> str:
    """Make sure a current helper is running; return its version. Safe to call from many shells at once."""
    _d, sock, _pidfile, lockfile, startlock = files()
    fd = os.open(startlock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        v = ping(sock)
        deadline = time.monotonic() + BUSY_PATIENCE
        while v is None and lock_holder(lockfile) is not None and time.monotonic() < deadline:
            # alive but silent: a helper (re)loading its model holds Python's lock for seconds
            # (the bundled runtime follows the free cores by restarting); it is not dead. A refused
            # connection returns at once, so the looks are spaced rather than spun
            time.sleep(0.1)
            v = ping(sock)
        if v is not None and not protocol.newer(__version__, v):
            return v  # as new as this client or newer: it serves older clients too (the protocol says so)
        if v is not None or lock_holder(lockfile) is not None:
            stop()
        logf = open(paths.private_file(paths.logs_dir() / "helper.log"), "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "caro", "helper", "run"],
            stdin=subprocess.DEVNULL,
            stdout=logf,
            stderr=logf,
            start_new_session=True,
            close_fds=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None and ping(sock, timeout=0.5) is None:
                raise RuntimeError(
                    f"the helper exited at start (code {proc.returncode}); see {paths.logs_dir() / 'helper.log'}"
                )
            v = ping(sock, timeout=0.5)
            if v == __version__:
                return v
            time.sleep(0.05)
        raise RuntimeError(f"the helper did not start within {timeout:.0f}s; see {paths.logs_dir() / 'helper.log'}")
    finally:
        os.close(fd)
