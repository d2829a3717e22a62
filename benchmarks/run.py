"""Print caro's speed figures on this machine (ratios are within one run)."""

import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
PY = sys.executable

from hotkey import REQUESTS


def timeit(cmd, n=15, env=None):
    xs = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env)
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    return statistics.median(xs), xs[int(len(xs) * 0.95) - 1]


def main():
    base = timeit([PY, "-c", "pass"])
    ver = timeit([PY, "-m", "caro", "--version"])
    print(f"start-up: python -c pass {base[0]:.0f} ms; caro --version {ver[0]:.0f} ms (ratio {ver[0] / base[0]:.2f})")
    from caro.safety import check
    from tests.test_safety import MUST_ALLOW, MUST_BLOCK, MUST_WARN

    cmds = MUST_BLOCK + MUST_WARN + MUST_ALLOW
    # from an empty directory: a warned `rm -rf *` measures the current tree (up to 30 ms), which
    # would make this figure depend on where the benchmark was started
    import os
    import tempfile

    here = os.getcwd()
    os.chdir(tempfile.mkdtemp(prefix="caro-bench-"))
    lat = []
    for _ in range(20):
        for c in cmds:
            t = time.perf_counter()
            check(c)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    os.chdir(here)
    print(
        f"safety: {len(lat) / (sum(lat) / 1000):.0f} commands/s; p50 {lat[len(lat) // 2]:.3f} ms, p99 {lat[int(len(lat) * 0.99)]:.3f} ms"
    )
    import resource

    from caro import config, models
    from caro.backends.embedded import EmbeddedBackend
    from caro.engine.pipeline import Engine

    b = EmbeddedBackend()
    t = time.perf_counter()
    b.load()
    print(
        f"model load ({models.default_entry().name}): {(time.perf_counter() - t) * 1000:.0f} ms; "
        f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    e = Engine(config.load(), b)
    reqs = REQUESTS[:6]
    xs = []
    for r in reqs * 2:
        t = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal is an answer too: only the time counts
            e.suggest(r + " now")
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    print(f"in-process request latency (model included): median {statistics.median(xs):.0f} ms, p95 {xs[-1]:.0f} ms")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import hotkey
    import remote

    hotkey.main()
    remote.main()


if __name__ == "__main__":
    main()
