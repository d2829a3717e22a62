"""Compose archive commands from what the request says and the archive's own file name.

"pack src into src.tar.gz", "unzip site.zip into public", "what is inside backup.tar",
"decompress data.gz": the verb says create, extract or list, and the name's extension says
which tool and which flags. Retrieval alone mixes these up (a zip handed to `tar -xf`), so
this reads them directly. Pure functions; `compose(request)` answers None when the request
names no archive or no archive action.
"""
from __future__ import annotations

import re

from . import slots as S
from .findspec import Composed

# longest first, so "x.tar.gz" is a gzipped tar and not a gzip of "x.tar"
_FORMATS = [(".tar.gz", "tgz"), (".tgz", "tgz"), (".tar.bz2", "tbz"), (".tbz2", "tbz"), (".tar.xz", "txz"),
            (".txz", "txz"), (".tar.zst", "tzst"), (".tar", "tar"), (".zip", "zip"), (".7z", "7z"), (".rar", "rar"),
            (".gz", "gz"), (".bz2", "bz2"), (".xz", "xz"), (".zst", "zst"), (".jar", "zip"), (".whl", "zip")]

_CREATE_FLAG = {"tgz": "z", "tbz": "j", "txz": "J", "tzst": "", "tar": ""}
_SINGLE = {"gz": ("gzip", "gunzip", "gzip -l"), "bz2": ("bzip2", "bunzip2", None), "xz": ("xz", "unxz", "xz -l"),
           "zst": ("zstd", "unzstd", None)}

_EXTRACT = re.compile(r"\b(extract\w*|unpack\w*|unzip\w*|untar\w*|decompress\w*|uncompress\w*|inflate|expand|open up|unarchive)\b")
_LIST = re.compile(r"\b(list\w*|show\w*|view\w*|what(?:'s| is)? (?:is )?inside|contents? of|look inside|see inside|peek)\b")
_CREATE = re.compile(r"\b(pack\w*|compress\w*|zip|zip up|tar up|archiv\w*|bundle|create|make|build|put)\b")


def _fmt(name: str) -> str | None:
    low = name.lower()
    for ext, fmt in _FORMATS:
        if low.endswith(ext) and len(low) > len(ext):
            return fmt
    return None


def _q(value: str) -> str:
    """Quote for the shell; a glob among the inputs is left for the shell to expand."""
    return S.shell_value(value, keep_globs=True)


def _words(request: str) -> list[str]:
    return [w.strip("\"'`,;") for w in request.split()]


def compose(request: str) -> Composed | None:
    low = request.lower()
    if re.match(r"\s*(find|search|locate|look for|get all)\b", low) or re.search(r"\b(recursive\w*|tree|all \S+ files)\b", low):
        return None             # a search whose matches go into an archive: findspec builds that
    words = _words(request)
    archives = [w for w in words if _fmt(w) and not w.startswith("*") and "://" not in w]
    if not archives:
        return None
    archive = archives[0]
    fmt = _fmt(archive)
    # a place: "into dir", "to dir", "in dir" (not the archive itself, not a filler word)
    dest = None
    m = re.search(r"\b(?:into|to|in|under|inside) (?:the |a )?(?:directory |folder |dir )?([~./\w-][^\s,;'\"]*)", request)
    if m and m.group(1) != archive and m.group(1).lower() not in ("here", "the", "a", "it", "place", "this", "current",
                                                                    "directory", "folder", "dir", "there"):
        dest = m.group(1)
    # "list archive.zip without extracting it": a negated verb is no verb
    extract = _EXTRACT.search(re.sub(r"\b(?:without|not|no|never|don'?t)\s+(?:\w+\s+)?(?:extract|unpack|unzip|decompress)\w*", " ", low))
    listing = _LIST.search(low) and not extract
    create = _CREATE.search(low) and not extract and not listing
    if fmt in _SINGLE:
        pack, unpack, lister = _SINGLE[fmt]
        if extract:
            return Composed(f"{unpack} {_q(archive)}", 2, ["extract", fmt])
        if listing and lister:
            return Composed(f"{lister} {_q(archive)}", 2, ["list", fmt])
        return None
    if extract:
        if fmt == "zip":
            cmd = f"unzip {_q(archive)}" + (f" -d {_q(dest)}" if dest else "")
        elif fmt == "7z":
            cmd = f"7z x {_q(archive)}" + (f" -o{_q(dest)}" if dest else "")
        elif fmt == "rar":
            cmd = f"unrar x {_q(archive)}" + (f" {_q(dest)}/" if dest else "")
        else:
            cmd = f"tar -xf {_q(archive)}" + (f" -C {_q(dest)}" if dest else "")
        return Composed(cmd, 2, ["extract", fmt])
    if listing:
        lister = {"zip": "unzip -l", "7z": "7z l", "rar": "unrar l"}.get(fmt, "tar -tf")
        return Composed(f"{lister} {_q(archive)}", 2, ["list", fmt])
    if create:
        # what goes in: the other path-like words, or the named directory/file before "into"
        sources = [w for w in words if w != archive and (("/" in w or "." in w.strip(".")) and not _fmt(w))
                   and re.fullmatch(r"[~./\w*-]+", w) and not w.endswith(".")]
        m = re.search(r"\b(?:the )?([\w./~-]+) (?:directory|folder|dir)\b|\b(?:directory|folder|dir) ([\w./~-]+)", request)
        if m and (m.group(1) or m.group(2)) not in ("current", "this", "the", "a", "whole", "entire"):
            sources.insert(0, m.group(1) or m.group(2))
        if not sources and re.search(r"\b(here|this (?:directory|folder)|current (?:directory|folder))\b", low):
            sources = ["."]
        if not sources:
            return None
        src = " ".join(_q(s) for s in dict.fromkeys(sources))
        if fmt == "zip":
            return Composed(f"zip -r {_q(archive)} {src}", 2, ["create", fmt])
        if fmt == "7z":
            return Composed(f"7z a {_q(archive)} {src}", 2, ["create", fmt])
        if fmt == "rar":
            return None
        flag = _CREATE_FLAG.get(fmt, "")
        zstd = " --zstd" if fmt == "tzst" else ""
        return Composed(f"tar -c{flag}f {_q(archive)}{zstd} {src}", 2, ["create", fmt])
    return None
