"""The tiny client bash and fish run on every hotkey press: `python3 -S -I relay.py …`.

Standard library only and never imports caro. Start-up is the whole cost of a hotkey press,
so it uses the C `_socket` module directly (the `socket` wrapper pulls in enum and selectors
and costs ~15 ms more) and imports subprocess only when the helper has to be started.
usage: printf '%s\0' key=value… | relay.py SOCKET TIMEOUT PYTHON
The request fields come on stdin, NUL-separated, never as arguments: anything in argv is
visible to every local user in `ps`, and a request can hold a password.
Writes the helper's NUL-separated reply to stdout; on any failure writes
"error NUL message NUL" so the shell restores the user's text.
"""

import _socket
import os
import sys
import time

MAGIC = "caro1"
MAX_REQUEST = 64 * 1024  # the helper refuses more (protocol.MAX_REQUEST_BYTES)
TIMEOUT = 30.0  # when the shell passes none it can read: helper.timeout's default (tests tie them)


def _fail(msg):
    sys.stdout.buffer.write(("error\x00" + msg + "\x00").encode("utf-8", "replace"))
    sys.stdout.flush()
    return 1


def _private(directory):
    try:
        st = os.lstat(directory)  # a symlink is refused, not followed
    except OSError:
        return True  # not there yet: the helper will create it 0700
    return st.st_uid == os.getuid() and not (st.st_mode & 0o077) and (st.st_mode & 0o170000) == 0o040000


def _socket_ours(path):
    try:
        st = os.lstat(path)
    except OSError:
        return True  # not there yet: the helper creates it
    return st.st_uid == os.getuid() and (st.st_mode & 0o170000) == 0o140000


def _peer_ours(s):
    """The helper at the other end runs as us (Linux SO_PEERCRED; elsewhere the 0700 directory decides)."""
    opt = getattr(_socket, "SO_PEERCRED", None)
    if opt is None:
        return True
    creds = s.getsockopt(_socket.SOL_SOCKET, opt, 12)
    return int.from_bytes(creds[4:8], sys.byteorder) == os.getuid()


def _connect(s, path, deadline):
    # A Unix socket whose listen queue is full refuses a connect with EAGAIN rather than queueing
    # it (sockets with a timeout are non-blocking underneath), so a busy helper is retried briefly.
    while True:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            return s.connect(path)
        except BlockingIOError:
            if time.monotonic() + 0.02 > deadline:
                raise TimeoutError from None
            time.sleep(0.02)


def _ask(path, payload, deadline):
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        _connect(s, path, deadline)
        if not _peer_ours(s):
            raise PermissionError("the process behind the caro socket belongs to another user")
        s.sendall(payload)
        chunks = []
        while True:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)
    finally:
        s.close()


def _start_helper(python):
    import subprocess

    subprocess.call(
        [python, "-m", "caro", "helper", "start"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main(argv):
    if len(argv) != 4:
        return _fail("relay: bad arguments (the request goes on stdin)")
    path, python = argv[1], argv[3]
    try:
        timeout = float(argv[2])
    except ValueError:
        timeout = TIMEOUT
    fields = [f for f in sys.stdin.buffer.read(MAX_REQUEST).split(b"\x00") if f]
    payload = b"\x00".join([MAGIC.encode()] + fields) + b"\x00\x00"
    if not _private(os.path.dirname(path)):
        return _fail(f"{os.path.dirname(path)} is not a private directory; caro refuses to use it")
    if not _socket_ours(path):
        return _fail(f"{path} is not a socket of yours; caro refuses to use it")
    deadline = time.monotonic() + timeout
    for attempt in range(3):
        try:
            reply = _ask(path, payload, deadline)
        except (FileNotFoundError, ConnectionRefusedError):
            if attempt == 2 or time.monotonic() > deadline:
                return _fail("the caro helper could not be started; run: caro doctor")
            _start_helper(python)
            continue
        except PermissionError as e:
            return _fail(f"{e}; caro refuses to use it")
        except TimeoutError:
            return _fail(f"no answer within {timeout:g}s (CARO_TIMEOUT); your text is unchanged")
        except OSError as e:
            return _fail(f"cannot reach the caro helper ({e.strerror or e}); run: caro doctor")
        if reply.startswith(b"stale\x00"):
            _start_helper(python)  # replaces the old helper
            continue
        if not reply:
            if attempt < 2:
                _start_helper(python)
                continue
            return _fail("the caro helper closed the connection; run: caro doctor")
        sys.stdout.buffer.write(reply)
        sys.stdout.flush()
        return 0
    return _fail("the caro helper keeps restarting; run: caro doctor")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
