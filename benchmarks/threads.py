"""Answer time beside busy programs: the thread choice of the embedded backend, measured.

    python benchmarks/threads.py            # quiet, one hog, two hogs × adaptive, fixed 1, fixed = cores

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


def run(threads: int) -> list[float]:
    from caro import config
    from caro.backends.embedded import EmbeddedBackend
    from caro.engine.pipeline import Engine

    b = EmbeddedBackend(threads=threads)
    e = Engine(config.load(flags={"engine.docs": False}), b)
    e.warm()
    e.suggest("show the date", shell="bash", cwd="/tmp")  # the prompt caches warm
    out = []
    for r in REQUESTS:
        t = time.perf_counter()
        e.suggest(r, shell="bash", cwd="/tmp")
        out.append(time.perf_counter() - t)
    b.close()
    return out


def main() -> None:
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores · {time.strftime('%Y-%m-%d')} · {len(REQUESTS)} requests per cell, warm")
    print("| hogs | threads | p50 s | p95 s |")
    print("|---|---|---|---|")
    for hogs in (0, 1, 2):
        procs = [subprocess.Popen(["sh", "-c", "exec yes > /dev/null"]) for _ in range(hogs)]
        try:
            time.sleep(1)
            for threads, label in ((0, "adaptive (default)"), (1, "1"), (cores, f"{cores} (one per core)")):
                xs = sorted(run(threads))
                p95 = xs[min(len(xs) - 1, int(len(xs) * 0.95))]
                print(f"| {hogs} | {label} | {statistics.median(xs):.2f} | {p95:.2f} |", flush=True)
        finally:
            for p in procs:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
