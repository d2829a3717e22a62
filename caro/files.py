"""caro's own file I/O: TOML read with worded errors, and atomic replacement (a reader sees the
old file or the new one, never half of it)."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


def replace_text(path: Path, text: str, mode: int, backup: Path | None = None) -> None:
    """Temp file beside `path`, fsync, chmod `mode`, copy the old file to `backup` (if given and
    there is one), rename over `path`. The temp file never outlives a failure. A directory we may
    not write in raises PermissionError before anything changes. A symlinked `path` (dotfiles
    kept in a repository) is written at its target, so the link stays a link."""
    import shutil  # imported here: every `caro` call reads config, few write (start-up time)
    import tempfile

    if path.is_symlink():
        path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".caro-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if backup is not None and path.exists():
            shutil.copy2(path, backup)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


MAX_TOML_BYTES = 1 << 20  # caro's config and examples are a few KB; more is a mistake, not a setting


def present(path: Path) -> bool:
    """Whether the user put something at `path`: a dangling symlink counts (reading it is then an
    error to show, not a silent "defaults" that turns a user's `strict` into `moderate`)."""
    return os.path.lexists(path)


def read_toml(path: Path) -> dict:
    """A TOML file of the user's, read only if it is a regular file of at most MAX_TOML_BYTES:
    `/dev/zero` as config once grew the helper to 21 GB, and a FIFO blocked it for good."""
    import stat

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore the flag
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, expected a TOML file; move it away and run `caro init`") from None
    except PermissionError:
        raise ConfigError(f"{path} cannot be read (permission denied); fix with: chmod 600 {path}") from None
    except FileNotFoundError:
        target = os.readlink(path) if os.path.islink(path) else path
        raise ConfigError(f"{path} points to {target}, which does not exist; fix or remove the link") from None
    except OSError as e:
        raise ConfigError(f"{path} cannot be read ({e.strerror or e}); caro left it untouched") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"{path} is a directory, expected a TOML file; move it away and run `caro init`")
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path} is not a regular file (a device, pipe or socket); replace it with a TOML file")
        raw = f.read(MAX_TOML_BYTES + 1)
    if len(raw) > MAX_TOML_BYTES:
        raise ConfigError(f"{path} is larger than {MAX_TOML_BYTES >> 20} MB; caro reads no TOML file that big")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; caro left it untouched") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            f"{path}: invalid TOML: {e}. caro left the file untouched; fix it or run `caro config edit`"
        ) from None


def write_atomic(path: Path, text: str) -> None:
    """Replace a file of caro's (config, examples, rendered snippets) atomically, mode 0600."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot create {path.parent} ({e.strerror or e}); it was not changed") from None
    if path.exists() and path.is_dir():
        raise ConfigError(f"{path} is a directory; caro will not replace it")
    try:
        replace_text(path, text, 0o600)
    except OSError as e:  # permission, read-only file system, full disk
        raise ConfigError(f"cannot write in {path.parent} ({e.strerror or e}); it was not changed") from None
