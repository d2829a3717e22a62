"""Replace a file's contents so a reader sees the old file or the new one, never half of it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def replace_text(path: Path, text: str, mode: int, backup: Path | None = None) -> None:
    """Temp file beside `path`, fsync, chmod `mode`, copy the old file to `backup` (if given and
    there is one), rename over `path`. The temp file never outlives a failure. A directory we may
    not write in raises PermissionError before anything changes. A symlinked `path` (dotfiles
    kept in a repository) is written at its target, so the link stays a link."""
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
