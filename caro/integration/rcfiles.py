"""Put caro's hook into the user's shell start-up files, and take it out again.

One marked block per file, `# >>> caro >>>` … `# <<< caro <<<`. The block sources a snippet
rendered once into CARO_HOME/shell (so a new shell does not start Python). Adding is
idempotent, removing takes out exactly the block, and files are replaced atomically with the
version before caro's first change kept as `<file>.caro-backup` (never overwritten; removed by
the uninstall once it holds nothing the file does not). Symlinked rc files (dotfile managers) are edited
at their target so the link survives. install.sh and `caro init` both come through here.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from . import shells

START = "# >>> caro >>>"
END = "# <<< caro <<<"
SHELLS = shells.NAMES
_BLOCK = re.compile(r"(?m)^# >>> caro >>>\n.*?^# <<< caro <<<\n?", re.DOTALL)


class RcError(Exception):
    pass


@dataclass
class Change:
    shell: str
    path: Path
    action: str  # added | updated | unchanged | removed | absent


def rc_path(shell: str, home: Path | None = None, env: dict | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    home = home or Path(env.get("HOME") or Path.home())
    try:
        return shells.get(shell).rc_path(home, env)
    except shells.UnknownShell as e:
        raise RcError(str(e)) from None


def detect(env: dict | None = None, home: Path | None = None) -> list[str]:
    """The login shell from $SHELL, plus any other supported shell the user has set up."""
    env = dict(os.environ) if env is None else env
    found = []
    login = Path(env.get("SHELL", "")).name
    if login in SHELLS:
        found.append(login)
    for sh in SHELLS:
        if sh in found or not shutil.which(sh):
            continue
        rc = rc_path(sh, home, env)
        if rc.exists() or (sh == "fish" and rc.parent.parent.exists()):
            found.append(sh)
    return found


def snippet_file(shell: str) -> Path:
    return paths.home() / "shell" / f"caro.{shell}"


def block(shell: str) -> str:
    """The marked block: `caro` on PATH, then the rendered snippet (the shell's class words both)."""
    path, body = shells.get(shell).block_lines(
        shlex.quote(str(snippet_file(shell))), shlex.quote(str(paths.home() / "bin"))
    )
    return (
        f"{START}\n# Ctrl-G turns your request into a command; remove with: caro hook --uninstall\n"
        f"{path}\n{body}\n{END}\n"
    )


def with_block(text: str, new_block: str) -> str:
    """`text` with exactly one caro block equal to `new_block` (in place if one exists)."""
    if _BLOCK.search(text):
        first = True

        def repl(_m):
            nonlocal first
            out, first = (new_block if first else ""), False
            return out

        return _BLOCK.sub(repl, text)
    if text and not text.endswith("\n"):
        text += "\n"
    return text + new_block


def without_block(text: str) -> str:
    return _BLOCK.sub("", text)


def _target(path: Path) -> Path:
    return path.resolve() if path.is_symlink() else path


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError:
        raise RcError(f"{path} is not UTF-8 text; caro will not edit it. Add the hook by hand: see `caro hook --help`")
    except IsADirectoryError:
        raise RcError(f"{path} is a directory; caro will not edit it")
    except PermissionError:
        raise RcError(f"{path} cannot be read (permission denied); caro left it alone")


def _backup(target: Path) -> Path:
    return target.with_name(target.name + ".caro-backup")


def _write(path: Path, text: str, backup: bool = True) -> None:
    """Atomic replace keeping the file's mode. The version before caro's first change is kept as
    `<file>.caro-backup`; an existing backup is never overwritten (it is the user's way back)."""
    from ..files import replace_text

    target = _target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
    keep = _backup(target) if backup and not _backup(target).exists() else None
    try:
        replace_text(target, text, mode, backup=keep)
    except OSError as e:  # permission, read-only file system, full disk
        raise RcError(f"cannot write in {target.parent} ({e.strerror or e}); {target} was not changed") from None


def render_snippets(shells) -> None:
    """Write the rendered hooks the rc blocks source (absolute paths of this install inside)."""
    from ..files import write_atomic
    from .render import render

    for sh in shells:
        f = snippet_file(sh)
        f.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(f, render(sh))
        os.chmod(f, 0o644)


def refresh_snippets() -> list[str]:
    """Render again the installed snippets that an older caro wrote (after `pip install -U`), so a
    new shell loads the current one; the helper calls this when it starts. Returns the shells."""
    from .. import __version__

    stale = []
    for sh in SHELLS:
        f = snippet_file(sh)
        try:
            text = f.read_text(encoding="utf-8")
        except OSError:
            continue
        if f"__caro_version={__version__}\n" not in text and f"__caro_version {__version__}\n" not in text:
            stale.append(sh)
    if stale:
        render_snippets(stale)
    return stale


def install(shells, home: Path | None = None, env: dict | None = None, dry_run: bool = False) -> list[Change]:
    changes = []
    if not dry_run:
        render_snippets(shells)
    for sh in shells:
        path = rc_path(sh, home, env)
        old = _read(path)
        new = with_block(old, block(sh))
        if new == old:
            changes.append(Change(sh, path, "unchanged"))
            continue
        action = "updated" if _BLOCK.search(old) else "added"
        if not dry_run:
            _write(path, new)
        changes.append(Change(sh, path, action))
    return changes


def uninstall(shells=SHELLS, home: Path | None = None, env: dict | None = None, dry_run: bool = False) -> list[Change]:
    changes = []
    for sh in shells:
        path = rc_path(sh, home, env)
        old = _read(path)
        if not _BLOCK.search(old):
            changes.append(Change(sh, path, "absent"))
            continue
        new = without_block(old)
        if not dry_run:
            target = _target(path)
            if not new.strip() and (sh == "fish" or not new):
                target.unlink()  # the file held nothing but our block: it was ours
            else:
                _write(path, new, backup=False)
            bak = _backup(target)
            if bak.exists() and _read(bak) in (new, ""):
                bak.unlink()  # the backup caro made holds nothing the file does not
            snippet = snippet_file(sh)
            if snippet.exists():
                snippet.unlink()
        changes.append(Change(sh, path, "removed"))
    return changes


def present(home: Path | None = None, env: dict | None = None) -> dict[str, Path]:
    """Which rc files hold the block (for `caro doctor`)."""
    out = {}
    for sh in SHELLS:
        p = rc_path(sh, home, env)
        try:
            if _BLOCK.search(_read(p)):
                out[sh] = p
        except RcError:
            pass
    return out
