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


def runtime_dir(create: bool = True) -> Path:
    """`$XDG_RUNTIME_DIR/caro` when that is ours, else `CARO_HOME/run`; always mode 0700, owned by us."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if os.environ.get("CARO_RUNTIME_DIR"):
        d = Path(os.environ["CARO_RUNTIME_DIR"])
    elif xdg and Path(xdg).is_dir() and not os.environ.get("CARO_HOME"):
        d = Path(xdg) / "caro"
    else:
        d = home() / "run"
    if create:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(d)
    return d


def check_private(d: Path) -> None:
    try:
        st = d.stat()
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDirectory(f"{d} is not a directory; remove it so caro can create its runtime directory")
    if st.st_uid != os.getuid():
        raise UnsafeDirectory(f"{d} belongs to another user (uid {st.st_uid}); caro will not use it. "
                              f"Remove it or set CARO_RUNTIME_DIR to a private directory")
    if st.st_mode & 0o077:
        raise UnsafeDirectory(f"{d} can be read or written by other users (mode {oct(st.st_mode & 0o777)}); "
                              f"fix it with: chmod 700 {d}")


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
