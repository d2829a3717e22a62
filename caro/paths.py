"""Where caro keeps things. Runtime files live in a 0700 directory we verify, because
whoever can write there can put commands into your prompt."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnsafeDirectory(Exception):
    pass


def home() -> Path:
    return Path(os.environ.get("CARO_HOME") or Path.home() / ".caro").expanduser()


def config_file() -> Path:
    return home() / "config.toml"


def models_dir() -> Path:
    return home() / "models"


def logs_dir() -> Path:
    return home() / "logs"


def user_examples() -> Path:
    return home() / "examples.toml"


def cache_dir() -> Path:
    return home() / "cache"


def proof_file() -> Path:
    """The running helper's secret, which it shows zsh (mode 0600; see helper.write_proof)."""
    return home() / "helper.proof"


# what runtime_path reads from the environment; the render bakes their values beside its answer,
# in this order, and the shells compare them to know whether that answer is theirs
RUNTIME_INPUTS = ("CARO_RUNTIME_DIR", "XDG_RUNTIME_DIR", "CARO_HOME", "HOME")
# the helper's socket in the runtime directory (the snippets name it too; tests tie them)
SOCKET = "helper.sock"


def runtime_path() -> Path:
    """The rule, written only here (the shells get its answer baked into their render, or ask
    `caro helper dir`): CARO_RUNTIME_DIR, else `$XDG_RUNTIME_DIR/caro` when XDG_RUNTIME_DIR is a
    directory of ours that no other user can swap (see `chain_problem`) and CARO_HOME is not set,
    else `CARO_HOME/run`. (A plain `su` keeps the caller's XDG_RUNTIME_DIR, a folder the caller
    owns: there she could swap caro's folder between a check and a use.)"""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if os.environ.get("CARO_RUNTIME_DIR"):
        return Path(os.environ["CARO_RUNTIME_DIR"])
    if xdg and not os.environ.get("CARO_HOME") and xdg_problem(xdg) is None:
        return Path(xdg) / "caro"
    return home() / "run"


def xdg_problem(xdg: str) -> str | None:
    """Why $XDG_RUNTIME_DIR is no place for caro's runtime files, or None."""
    try:
        st = os.stat(xdg)
    except OSError:
        return f"XDG_RUNTIME_DIR ({xdg}) does not exist"
    if not stat.S_ISDIR(st.st_mode):
        return f"XDG_RUNTIME_DIR ({xdg}) is not a directory"
    if st.st_uid != os.getuid():
        return f"XDG_RUNTIME_DIR ({xdg}) belongs to uid {st.st_uid}, not you (a `su` session?)"
    return chain_problem(Path(xdg))


def chain_problem(d: Path) -> str | None:
    """Why another user could rename `d` or a folder above it (and so swap caro's files between a
    check and a use), or None: every folder on the way must be ours or root's, and writable by
    nobody else, unless sticky (in /tmp others may not rename what is ours)."""
    uid, gid = os.getuid(), os.getgid()
    real = Path(os.path.realpath(d))
    for folder in (real, *real.parents):
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            continue  # made later, by us
        except OSError as e:
            return f"{folder} cannot be checked ({e.strerror or e})"
        if st.st_uid not in (0, uid):
            return f"{folder} belongs to uid {st.st_uid}"
        others_write = st.st_mode & 0o002 or (st.st_mode & 0o020 and st.st_gid != gid)
        if others_write and not st.st_mode & stat.S_ISVTX:
            return f"{folder} can be written by other users (mode {oct(st.st_mode & 0o7777)})"
    return None


def runtime_dir(create: bool = True) -> Path:
    """The runtime directory, always mode 0700, owned by us, in a chain of folders nobody else can
    write (else UnsafeDirectory)."""
    d = runtime_path()
    if problem := chain_problem(d.parent):
        raise UnsafeDirectory(f"runtime files cannot go in {d}: {problem}. Set CARO_RUNTIME_DIR to a private directory")
    if create:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(d)
    return d


def check_private(d: Path) -> None:
    try:
        st = d.lstat()  # a symlink is refused, not followed: the shells do the same
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeDirectory(f"{d} is a symlink; caro wants a real directory there (remove the link)")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDirectory(f"{d} is not a directory; remove it so caro can create its runtime directory")
    if st.st_uid != os.getuid():
        raise UnsafeDirectory(
            f"{d} belongs to another user (uid {st.st_uid}); caro will not use it. "
            f"Remove it or set CARO_RUNTIME_DIR to a private directory"
        )
    if st.st_mode & 0o077:
        raise UnsafeDirectory(
            f"{d} can be read or written by other users (mode {oct(st.st_mode & 0o777)}); fix it with: chmod 700 {d}"
        )


def private_dir(d: Path) -> Path:
    """A directory of caro's own data (logs, cache): created 0700, tightened to 0700 if it is ours."""
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = d.lstat()
    if st.st_uid == os.getuid() and stat.S_ISDIR(st.st_mode) and st.st_mode & 0o077:
        d.chmod(0o700)
    return d


def private_file(path: Path) -> Path:
    """`path` made ready for writing and readable by us alone: its directory 0700, the file 0600.
    Logs and caches hold requests and hostnames; other local users have no business reading them."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def package_root() -> Path:
    return Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Top-level folders (shell/, completions/, models/) ship inside the package when
    installed from a wheel and sit next to it in a source checkout."""
    inside = package_root() / name
    if inside.is_dir():
        return inside
    return package_root().parent / name
