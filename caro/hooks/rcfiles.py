"""Put caro's hook into the user's shell start-up files, and take it out again.

One marked block per file, `# >>> caro >>>` … `# <<< caro <<<`. The block sources a snippet
rendered once into CARO_HOME/shell (so a new shell does not start Python). Every byte outside the
block is the user's and comes back unchanged: files are read and written as bytes split only at
"\n" (CRLF endings, stray CRs and a missing final newline survive a round trip), a hard-linked
file is rewritten in place, owner and mode are kept, and a copy goes to CARO_HOME/backups before
every change (the version before caro's first change also stays beside the file as
`<file>.caro-backup`). A file whose markers caro cannot pair (one missing, two blocks) is not
touched: the message says what to fix. A block the user edited (a line added, a line commented
out) is theirs: an upgrade leaves it as it is, and an uninstall takes out only caro's own lines.
Symlinked rc files (dotfile managers) are edited at their target. install.sh and `caro init`
both come through here.
"""

from __future__ import annotations

import functools
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
COMMENT = "# Ctrl-G turns your request into a command; remove with: caro hook --uninstall"
# on the comment line when the file did not end in a newline and caro added one before its block,
# so that taking the block out gives the file back as it was
ADDED_EOL = " (caro ended the line above)"
SHELLS = shells.NAMES


class RcError(Exception):
    pass


@dataclass
class Change:
    shell: str
    path: Path
    action: str  # added | updated | unchanged | kept (edited by the user) | removed | absent


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


def block(shell: str, eol: str = "\n", added_eol: bool = False) -> str:
    """The marked block: `caro` on PATH, then the rendered snippet (the shell's class words both)."""
    path, body = shells.get(shell).block_lines(
        shlex.quote(str(snippet_file(shell))), shlex.quote(str(paths.home() / "bin"))
    )
    lines = [START, COMMENT + (ADDED_EOL if added_eol else ""), path, body, END]
    return "".join(line + eol for line in lines)


# -- reading a file's block -------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """Lines with their endings, split at "\n" only (str.splitlines also splits at a lone CR,
    form feeds and U+2028, which would change the user's bytes)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _bare(line: str) -> str:
    return line.rstrip(" \t\r\n")


def _eol(text: str) -> str:
    """The file's line ending: CRLF when every line ends so, else LF."""
    return "\r\n" if "\r\n" in text and text.count("\n") == text.count("\r\n") else "\n"


_PATHS = re.compile(r"'[^']*'|[^\s';]*/[^\s';]*")


def _shape(line: str) -> str:
    """A line with its paths blanked: caro's lines from any install location look alike."""
    return _PATHS.sub("P", _bare(line))


@functools.lru_cache(maxsize=1)
def _caro_lines() -> tuple[frozenset[str], frozenset[str]]:
    """The lines caro writes in its block, exactly (this install) and as shapes (any install)."""
    exact: set[str] = set()
    shaped: set[str] = set()
    for sh in SHELLS:
        exact.update(_bare(x) for x in _lines(block(sh)))
        for snippet, bindir in (("/s", "/b"), ("'/s'", "'/b'")):  # paths shlex.quote left bare, or quoted
            shaped.update(_shape(x) for x in shells.get(sh).block_lines(snippet, bindir))
    return frozenset(exact), frozenset(shaped)


def _ours(line: str) -> bool:
    """Is this a line caro writes inside its block (for any shell, any install location)?"""
    bare = _bare(line)
    exact, shaped = _caro_lines()
    return not bare or bare.startswith(COMMENT) or bare in exact or _shape(bare) in shaped


@dataclass
class _Found:
    lines: list[str]
    start: int  # index of the start marker line
    end: int  # index of the end marker line

    @property
    def body(self) -> list[str]:
        return self.lines[self.start + 1 : self.end]

    @property
    def edited(self) -> bool:
        return not all(_ours(x) for x in self.body)

    @property
    def added_eol(self) -> bool:
        return any(_bare(x).endswith(ADDED_EOL) for x in self.body)


def _find(text: str, path: Path) -> _Found | None:
    """caro's block in `text`, None when there is none; RcError when the markers do not pair."""
    lines = _lines(text)
    starts = [i for i, x in enumerate(lines) if _bare(x) == START]
    ends = [i for i, x in enumerate(lines) if _bare(x) == END]
    if not starts and not ends:
        return None
    if len(starts) == 1 and len(ends) == 1 and starts[0] < ends[0]:
        return _Found(lines, starts[0], ends[0])
    where = ", ".join(f"line {i + 1}: {_bare(lines[i])}" for i in sorted(starts + ends))
    raise RcError(
        f"{path}: caro's block markers do not pair ({where}); caro changed nothing. Keep exactly one "
        f"`{START}` line and one `{END}` line after it around caro's lines (or delete them all), then run this again"
    )


def with_block(text: str, shell: str, path: Path = Path("rc file")) -> str:
    """`text` with caro's current block for `shell`: appended, or replaced in place; a block the
    user edited is left as it is."""
    found = _find(text, path)
    eol = _eol(text)
    if found is None:
        added = bool(text) and not text.endswith("\n")
        return text + (eol if added else "") + block(shell, eol, added)
    if found.edited:
        return text
    lines = found.lines
    return "".join(lines[: found.start]) + block(shell, eol, found.added_eol) + "".join(lines[found.end + 1 :])


def without_block(text: str, path: Path = Path("rc file")) -> str:
    """`text` without caro's block: its markers and caro's own lines go, lines the user added stay."""
    found = _find(text, path)
    if found is None:
        return text
    lines = found.lines
    before = "".join(lines[: found.start])
    kept = [x for x in found.body if not _ours(x)]
    after = "".join(lines[found.end + 1 :])
    if found.added_eol and not kept and not after:
        before = before[:-2] if before.endswith("\r\n") else before[:-1]
    return before + "".join(kept) + after


# -- writing ----------------------------------------------------------------------------------


def _target(path: Path) -> Path:
    return path.resolve() if path.is_symlink() else path


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ""
    except IsADirectoryError:
        raise RcError(f"{path} is a directory; caro will not edit it") from None
    except PermissionError:
        raise RcError(f"{path} cannot be read (permission denied); caro left it alone") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RcError(
            f"{path} is not UTF-8 text; caro will not edit it. Add the hook by hand: see `caro hook --help`"
        ) from None


def _backup(target: Path) -> Path:
    return target.with_name(target.name + ".caro-backup")


def _keep_copy(target: Path, raw: bytes) -> None:
    """A copy of the file as it was, in CARO_HOME/backups, before every change caro makes."""
    import time

    d = paths.home() / "backups"
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = target.name.lstrip(".") or "rc"
    for n in range(100):
        f = d / f"{name}.{stamp}{'.' + str(n) if n else ''}"
        try:
            fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        return


def _home_owner(path: Path) -> tuple[int, int] | None:
    """Who should own a file caro creates at `path` when it runs as root for another user's HOME."""
    if os.geteuid() != 0:
        return None
    try:
        st = Path(os.environ.get("HOME") or Path.home()).stat()
    except OSError:
        return None
    return (st.st_uid, st.st_gid) if st.st_uid != 0 and str(path).startswith(str(Path.home())) else None


def _write(path: Path, text: str, backup: bool = True) -> None:
    """Replace the file's bytes, keeping what the file is: a read-only file is refused, a hard-linked
    one rewritten in place (a rename would split it from its other names), owner and mode kept.
    Before: a copy in CARO_HOME/backups, and on caro's first change `<file>.caro-backup`."""
    from ..files import replace_text

    target = _target(path)
    st = target.stat() if target.exists() else None
    if st is not None and not st.st_mode & 0o200:
        raise RcError(
            f"{target} is read-only (mode {st.st_mode & 0o777:o}); caro left it alone. Make it writable "
            f"(chmod u+w {target}) and run this again, or add the lines of `caro hook --dry-run` yourself"
        )
    data = text.encode("utf-8")
    try:
        made = [] if target.parent.exists() else [p for p in [target.parent, *target.parent.parents] if not p.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        if st is not None:
            _keep_copy(target, target.read_bytes())
        keep = _backup(target) if backup and st is not None and not _backup(target).exists() else None
        if st is not None and st.st_nlink > 1:
            if keep is not None:
                shutil.copy2(target, keep)
            with open(target, "r+b") as f:
                f.write(data)
                f.truncate()
                f.flush()
                os.fsync(f.fileno())
        else:
            replace_text(target, text, st.st_mode & 0o7777 if st else 0o644, backup=keep)
            if st is not None and os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
                os.chown(target, st.st_uid, st.st_gid)
        owner = _home_owner(target) if st is None else None
        if owner:
            for p in [target, *made]:
                os.chown(p, *owner)
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
        found = _find(old, path)
        if found is not None and found.edited:
            changes.append(Change(sh, path, "kept"))
            continue
        new = with_block(old, sh, path)
        if new == old:
            changes.append(Change(sh, path, "unchanged"))
            continue
        if not dry_run:
            _write(path, new)
        changes.append(Change(sh, path, "updated" if found else "added"))
    return changes


def uninstall(shells=SHELLS, home: Path | None = None, env: dict | None = None, dry_run: bool = False) -> list[Change]:
    changes = []
    for sh in shells:
        path = rc_path(sh, home, env)
        old = _read(path)
        if _find(old, path) is None:
            changes.append(Change(sh, path, "absent"))
            continue
        new = without_block(old, path)
        if not dry_run:
            target = _target(path)
            if not new.strip() and (sh == "fish" or not new) and not _backup(target).exists():
                _keep_copy(target, old.encode("utf-8"))
                target.unlink()  # nothing but our block, and no file before caro's first change: ours
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
            if _find(_read(p), p) is not None:
                out[sh] = p
        except RcError:
            pass
    return out
