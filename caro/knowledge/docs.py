"""The documentation caro searches: tldr pages found on this machine, read once into an index.

Where the pages come from, first found wins (`sources()`):
1. caro's own copy, `CARO_HOME/docs/tldr-pages.en.zip`, put there by `caro docs pull`;
2. a tldr client's cache: tealdeer, tlrc, tldr-python and the node client keep the same page tree
   (`…/common/tar.md`) in their own folders.
Only the pages for this platform are read: common + linux here, common + osx on macOS and the BSDs
(a page in the platform folder replaces the common page of the same name).

Search is BM25 over each example's description and page name: the request "compress big.log
but keep the original" finds xz's "Compress a file, keeping the original". Hand-written (40 lines):
the PyPI implementations pull in NumPy for what is a few dictionary look-ups at this size.
"""

from __future__ import annotations

import functools
import math
import os
import platform
import re
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from .tldr import Example, Page, parse_page

ARCHIVE_NAME = "tldr-pages.en.zip"
MIN_PAGES = 1000  # an archive with fewer `common/` pages is not the tldr release


def caro_archive() -> Path:
    return paths.home() / "docs" / ARCHIVE_NAME


def _client_caches() -> list[tuple[str, Path]]:
    """Page trees of the tldr clients (each a folder holding `common/`), in the order tried."""
    home = Path.home()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    mac = home / "Library" / "Caches"
    out = []
    for base in (cache, mac):
        out += [
            ("tealdeer", base / "tealdeer" / "tldr-pages" / "pages.en"),
            ("tealdeer", base / "tealdeer" / "tldr-master" / "pages"),
            ("tlrc", base / "tlrc" / "pages.en"),
            ("tldr-python", base / "tldr" / "pages"),
        ]
    out.append(("tldr node client", home / ".tldr" / "cache" / "pages"))
    if os.environ.get("TEALDEER_CACHE_DIR"):
        out.insert(0, ("tealdeer", Path(os.environ["TEALDEER_CACHE_DIR"]) / "tldr-pages" / "pages.en"))
    return out


@dataclass(frozen=True)
class Source:
    kind: str  # "caro docs pull" or the client's name
    path: Path  # the archive or the folder holding common/
    modified: float  # when the pages were last fetched (seconds since the epoch)

    def describe(self) -> str:
        days = max(0, int((time.time() - self.modified) // 86400))
        return f"tldr pages from {self.kind} ({self.path}), {days} day{'s' * (days != 1)} old"


def sources() -> list[Source]:
    """Every usable page source here, best first."""
    found = []
    env = os.environ.get("CARO_DOCS")  # a page archive or tree chosen by hand (tests, offline machines)
    candidates = ([("CARO_DOCS", Path(env))] if env else []) + [("caro docs pull", caro_archive())]
    for kind, path in candidates + _client_caches():
        try:
            if path.is_file() and zipfile.is_zipfile(path):
                found.append(Source(kind, path, path.stat().st_mtime))
            elif (path / "common").is_dir():
                found.append(Source(kind, path, (path / "common").stat().st_mtime))
        except OSError:
            continue
    return found


def platforms(system: str | None = None) -> tuple[str, ...]:
    system = (system or platform.system()).lower()
    if system == "linux":
        return ("common", "linux")
    return ("common", "osx")  # macOS and the BSDs share their tools' flavour


def _page_texts(path: Path, wanted: tuple[str, ...]) -> Iterator[tuple[str, str, str]]:
    """(platform, page name, text) for every page of the wanted platforms, archive or folder."""
    if path.is_file():
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                parts = name.split("/")
                if len(parts) == 2 and parts[0] in wanted and parts[1].endswith(".md"):
                    yield parts[0], parts[1][:-3], z.read(name).decode("utf-8", "replace")
        return
    for plat in wanted:
        for f in sorted((path / plat).glob("*.md")):
            yield plat, f.stem, f.read_text("utf-8", "replace")


class InvalidArchive(Exception):
    pass


def check_archive(path: Path) -> int:
    """The number of common pages in a tldr page archive; InvalidArchive when it is not one."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.startswith("common/") and n.endswith(".md")]
            if len(names) < MIN_PAGES:
                raise InvalidArchive(f"{path} holds {len(names)} common pages; a tldr release holds thousands")
            if parse_page(z.read("common/tar.md").decode("utf-8", "replace"), "common") is None:
                raise InvalidArchive(f"{path}: common/tar.md is not a tldr page")
            return len(names)
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise InvalidArchive(f"{path} is not a tldr page archive ({e})") from None


_STOP = frozenset(
    "a an the of to in on for from with and or by at as is are be it its this that these those my me i you your "
    "all any some into onto over under than then there here how do does what which who can please want need "
    "using use via show".split()
)


def words(text: str) -> list[str]:
    """Lower-case content words, plurals made singular, so "files" meets "file"."""
    out = []
    for w in re.findall(r"[a-z0-9][a-z0-9+.-]*", text.lower()):
        w = w.strip(".-")
        if not w or w in _STOP:
            continue
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"  # directories → directory, entries → entry
        elif len(w) > 4 and w.endswith("es") and w[:-2].endswith(("ss", "x", "ch", "sh")):
            w = w[:-2]  # processes → process, boxes → box
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]  # files → file (not class, status, analysis)
        out.append(w)
        if _SIZE.fullmatch(w):
            out.append("size")  # "bigger than 100MB" is a size, as the pages say ("a given size range")
    return out


_SIZE = re.compile(r"(?:\d+(?:\.\d+)?)?[kmgt]i?b")


class Docs:
    """The examples of one platform's pages, searchable by what they do."""

    K1, B = 1.2, 0.75

    def __init__(self, pages: dict[str, Page], source: Source | None = None):
        self.pages = pages
        self.source = source
        self.examples: list[Example] = [e for p in pages.values() for e in p.examples]
        self._terms = [Counter(words(e.description) + words(e.page.replace("-", " "))) for e in self.examples]
        self._lengths = [sum(t.values()) for t in self._terms]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for i, terms in enumerate(self._terms):
            for t in terms:
                self._postings[t].append(i)
        n = len(self.examples) or 1
        self._avg = sum(self._lengths) / n
        self._idf = {t: math.log(1 + (n - len(ix) + 0.5) / (len(ix) + 0.5)) for t, ix in self._postings.items()}

    @classmethod
    def load(cls, source: Source, system: str | None = None) -> Docs:
        wanted = platforms(system)
        pages: dict[str, Page] = {}
        for plat, name, text in _page_texts(source.path, wanted):
            page = parse_page(text, plat, name)
            if page and (name not in pages or plat != "common"):  # the platform's page wins
                pages[name] = page
        return cls(pages, source)

    def search(
        self, text: str, k: int = 5, allow: Callable[[Example], bool] | None = None
    ) -> list[tuple[float, Example]]:
        """The k examples whose descriptions best match the text, best first, with their BM25 scores."""
        scores: dict[int, float] = defaultdict(float)
        for t in set(words(text)):
            idf = self._idf.get(t)
            if idf is None:
                continue
            for i in self._postings[t]:
                tf = self._terms[i][t]
                norm = 1 - self.B + self.B * self._lengths[i] / self._avg
                scores[i] += idf * tf * (self.K1 + 1) / (tf + self.K1 * norm)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        out = []
        for i, s in ranked:
            e = self.examples[i]
            if allow is None or allow(e):
                out.append((s, e))
                if len(out) == k:
                    break
        return out

    def page(self, name: str) -> Page | None:
        return self.pages.get(name)


@functools.lru_cache(maxsize=2)
def _load(path: Path, mtime: float, kind: str, system: str) -> Docs:
    return Docs.load(Source(kind, path, mtime), system)


def current(system: str | None = None) -> Docs | None:
    """The index of the best page source here (read once, again when the source changes), or None."""
    found = sources()
    if not found:
        return None
    s = found[0]
    try:
        return _load(s.path, s.modified, s.kind, (system or platform.system()).lower())
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, KeyError) as e:
        # a damaged archive or cache must not cost the user an answer: without pages caro answers
        # as it did before it had them (`caro docs pull` replaces the archive)
        import logging

        logging.getLogger("caro.docs").warning("cannot read the tldr pages at %s: %s", s.path, e)
        return None


RELEASE_URL = "https://github.com/tldr-pages/tldr/releases/latest/download/" + ARCHIVE_NAME


class PullError(Exception):
    pass


def pull(url: str | None = None, src: Path | None = None, progress=None, timeout: float = 30.0) -> tuple[Path, int]:
    """Put a checked tldr page archive at `caro_archive()`: copied from `src`, else downloaded from
    `url` (the official release asset by default). Returns (path, number of common pages). The
    archive in place is replaced only by one that passed the check."""
    dest = caro_archive()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".partial")
    try:
        if src is not None:
            if not src.is_file():
                raise PullError(f"{src} does not exist")
            import shutil

            shutil.copyfile(src, part)
        else:
            _download(url or os.environ.get("CARO_DOCS_URL") or RELEASE_URL, part, progress, timeout)
        try:
            pages = check_archive(part)
        except InvalidArchive as e:
            raise PullError(str(e).replace(str(part), "the download" if src is None else str(src))) from None
        os.replace(part, dest)
        return dest, pages
    finally:
        part.unlink(missing_ok=True)


def _download(url: str, out: Path, progress, timeout: float) -> None:
    import httpx

    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=httpx.Timeout(timeout, connect=5.0)) as r:
            if r.status_code != 200:
                raise PullError(f"download of {url} failed: HTTP {r.status_code}")
            total = int(r.headers.get("content-length") or 0)
            done = 0
            with open(out, "wb") as f:
                for chunk in r.iter_bytes():
                    f.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total, False)
            if progress:
                progress(done, total, True)
    except httpx.HTTPError as e:
        raise PullError(
            f"could not download the tldr pages from {url} ({type(e).__name__}); "
            f"offline? fetch {ARCHIVE_NAME} elsewhere and run: caro docs pull --from FILE"
        ) from None
