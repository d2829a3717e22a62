"""Answer time beside busy programs: the thread choice of the embedded backend, measured.

    python benchmarks/threads.py            # quiet, one hog, two hogs × adaptive, fixed 1, fixed = cores

The thread count is chosen when the model loads (llama.cpp's server fixes it then): the cells start
their hogs first, and the "busy after load" rows start them once the model is loaded on a quiet machine.
There a watcher restarts the runtime with the new count once the change has held for
embedded.REFIT_AFTER seconds and nobody is waiting: "a while after load" starts the hogs 30 s
before the first press (a build that has been running), "just after load" right before it (the
switch itself: the presses during the restart wait for it), both with a 2 s pause between
presses (an answer read and the next request typed, faster than anyone does).

A hog is `yes > /dev/null` (one core kept busy, at normal priority, like a build or a browser tab).
Each cell runs the same requests through the engine's draft path (no pages: every cell does the same
work, and the question is the thread count, not the pipeline) with the model warm; p50 and p95 of the
whole answer, in one run, so the cells compare.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hotkey import REQUESTS as EVERYDAY

REQUESTS = [
    *EVERYDAY,
    "show kernel messages with human readable timestamps",
    "stash my changes including untracked files",
]


def hogs(n: int) -> list[subprocess.Popen]:
    procs = [subprocess.Popen(["sh", "-c", "exec yes > /dev/null"]) for _ in range(n)]
    time.sleep(1)
    return procs


def run(threads: int, busy_after_load: int = 0, pause: float = 0.0, head_start: float = 0.0) -> list[float]:
    from caro import config
    from caro.backends.embedded import EmbeddedBackend
    from caro.engine.pipeline import Engine

    b = EmbeddedBackend(threads=threads)
    e = Engine(config.load(flags={"engine.docs": False}), b)
    e.warm()
    e.suggest("show the date", shell="bash", cwd="/tmp")  # the prompt caches warm
    procs = hogs(busy_after_load)
    time.sleep(head_start if busy_after_load else 0)
    out = []
    try:
        for r in REQUESTS:
            t = time.perf_counter()
            e.suggest(r, shell="bash", cwd="/tmp")
            out.append(time.perf_counter() - t)
            time.sleep(pause)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    b.close()
    return out


def row(hogs_label: str, label: str, xs: list[float]) -> None:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(len(xs) * 0.95))]
    print(f"| {hogs_label} | {label} | {statistics.median(xs):.2f} | {p95:.2f} |", flush=True)


def main() -> None:
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores · {time.strftime('%Y-%m-%d')} · {len(REQUESTS)} requests per cell, warm")
    print("| hogs | threads | p50 s | p95 s |")
    print("|---|---|---|---|")
    cells = ((0, "free cores at load (default)"), (1, "1"), (cores, f"{cores} (one per core)"))
    for n in (0, 1, 2):
        procs = hogs(n)
        try:
            for threads, label in cells:
                row(str(n), label, run(threads))
        finally:
            for p in procs:
                p.kill()
                p.wait()
    for n in (1, 2):
        row(f"{n}, a while after load", cells[0][1], run(0, busy_after_load=n, pause=2.0, head_start=30))
        row(f"{n}, just after load", cells[0][1], run(0, busy_after_load=n, pause=2.0))


if __name__ == "__main__":
    main()
