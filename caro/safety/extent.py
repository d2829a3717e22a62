"""How much a recursive delete, permission change or in-place edit would touch, measured read-only.

The walk never follows symlinks, never leaves the named trees, and stops at a time limit or an
entry cap; a cut-short count is reported as "at least". Nothing is opened for writing.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import time


def measure(paths: list[str], cwd: str | None, seconds: float, cap: int = 200_000) -> tuple[int, int, bool] | None:
    """(files, bytes, complete) under `paths`, or None if none of them exists."""
    deadline = time.perf_counter() + max(seconds, 0.0)
    base = cwd or os.getcwd()
    files = size = seen = 0
    found = False
    stack: list[str] = []
    for raw in paths:
        p = os.path.expanduser(raw.replace("${HOME}", "~").replace("$HOME", "~"))
        p = p if os.path.isabs(p) else os.path.join(base, p)
        names = glob.glob(p)[:1000] if any(c in p for c in "*?[") else [p]
        for name in names:
            if os.path.lexists(name):
                found = True
                stack.append(name)
    if not found:
        return None
    while stack:
        if seen >= cap or time.perf_counter() > deadline:
            return files, size, False
        p = stack.pop()
        seen += 1
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if os.path.isdir(p) and not os.path.islink(p):
            try:
                with os.scandir(p) as it:
                    stack.extend(e.path for e in it)
            except OSError:
                continue
        else:
            files += 1
            size += st.st_size
    return files, size, True


def count_named(
    roots: list[str], names: list[str], cwd: str | None, seconds: float, cap: int = 200_000
) -> tuple[int, int, bool] | None:
    """(files, bytes, complete) under `roots` whose names match one of the patterns (find's
    `-name`; all files without one), or None if no root exists. Same limits as `measure`."""
    deadline = time.perf_counter() + max(seconds, 0.0)
    base = cwd or os.getcwd()
    tops = [os.path.join(base, os.path.expanduser(r)) for r in roots]
    if not any(os.path.isdir(t) for t in tops):
        return None
    files = size = seen = 0
    for top in tops:
        for folder, dirs, found in os.walk(top):  # does not follow symlinks
            seen += len(dirs) + len(found)
            if seen >= cap or time.perf_counter() > deadline:
                return files, size, False
            for name in found:
                if not names or any(fnmatch.fnmatch(name, n) for n in names):
                    files += 1
                    try:
                        size += os.lstat(os.path.join(folder, name)).st_size
                    except OSError:
                        pass
    return files, size, True


def wording(verb: str, result: tuple[int, int, bool]) -> str:
    files, size, complete = result
    amount = f"{size / 1e6:.0f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB" if size >= 1e3 else f"{size} bytes"
    lead = "" if complete else "at least "
    return f"{verb} {lead}{files:,} file{'s' if files != 1 else ''}, {lead}{amount}"
