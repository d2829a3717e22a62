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


# what runtime_path reads from the environment; the render bakes their values beside its answer,
# in this order, and the shells compare them to know whether that answer is theirs
RUNTIME_INPUTS = ("CARO_RUNTIME_DIR", "XDG_RUNTIME_DIR", "CARO_HOME", "HOME")


def runtime_path() -> Path:
    """The rule, written only here (the shells get its answer baked into their render, or ask
    `caro helper dir`): CARO_RUNTIME_DIR, else `$XDG_RUNTIME_DIR/caro` when XDG_RUNTIME_DIR is a
    directory and CARO_HOME is not set, else `CARO_HOME/run`."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if os.environ.get("CARO_RUNTIME_DIR"):
        return Path(os.environ["CARO_RUNTIME_DIR"])
    if xdg and Path(xdg).is_dir() and not os.environ.get("CARO_HOME"):
        return Path(xdg) / "caro"
    return home() / "run"


def runtime_dir(create: bool = True) -> Path:
    """The runtime directory, always mode 0700 and owned by us (else UnsafeDirectory)."""
    d = runtime_path()
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


def socket_path() -> Path:
    return runtime_dir() / "helper.sock"


def package_root() -> Path:
    return Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Top-level folders (shell/, completions/, models/) ship inside the package when
    installed from a wheel and sit next to it in a source checkout."""
    inside = package_root() / name
    if inside.is_dir():
        return inside
    return package_root().parent / name
