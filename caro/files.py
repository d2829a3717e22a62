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


def read_toml(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, expected a TOML file; move it away and run `caro init`")
    except PermissionError:
        raise ConfigError(f"{path} cannot be read (permission denied); fix with: chmod 600 {path}")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; caro left it untouched")
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}. caro left the file untouched; fix it or run `caro config edit`")


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
