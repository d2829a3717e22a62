"""Print caro's speed figures on this machine (ratios are within one run)."""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


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
    lat = []
    for _ in range(20):
        for c in cmds:
            t = time.perf_counter()
            check(c)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    print(f"safety: {len(lat) / (sum(lat) / 1000):.0f} commands/s; p50 {lat[len(lat) // 2]:.3f} ms, p99 {lat[int(len(lat) * 0.99)]:.3f} ms")
    home = tempfile.mkdtemp()
    env = dict(os.environ, CARO_HOME=home)
    t = time.perf_counter()
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, capture_output=True)
    print(f"helper start until it answers (model loads in background): {(time.perf_counter() - t) * 1000:.0f} ms")
    sock = f"{home}/run/helper.sock"
    relay = [PY, "-S", "-I", str(ROOT / "caro" / "relay.py"), sock, "30", PY, "v=0.1.0"]
    ping = timeit(relay + ["op=ping"], n=30, env=env)
    print(f"hotkey transport overhead (relay round trip, bash/fish): median {ping[0]:.1f} ms, p95 {ping[1]:.1f} ms")
    reqs = ["list files bigger than 100MB here", "show the 5 biggest files", "compress the logs folder",
            "what is using port 8080", "undo the last commit but keep my changes", "find python files containing TODO"]
    xs = []
    for i, r in enumerate(reqs * 3):
        x = timeit(relay + ["op=suggest", "shell=bash", "cwd=/tmp", f"index=0", f"text={r} #{i}"], n=1, env=env)
        xs.append(x[0])
    xs.sort()
    print(f"warm end-to-end request via helper: median {statistics.median(xs):.0f} ms, p95 {xs[int(len(xs) * .95) - 1]:.0f} ms")
    subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True)
    from caro import config
    from caro.backends.embedded import EmbeddedBackend
    from caro.engine import Engine
    b = EmbeddedBackend()
    t = time.perf_counter()
    b.llm()
    print(f"model load (smollm2-135m): {(time.perf_counter() - t) * 1000:.0f} ms")
    e = Engine(config.load(), b)
    xs = []
    for r in reqs * 2:
        t = time.perf_counter()
        try:
            e.suggest(r + " now")
        except Exception:
            pass
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    print(f"in-process request latency: median {statistics.median(xs):.0f} ms, p95 {xs[-1]:.0f} ms")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import hotkey
    import remote
    hotkey.main()
    remote.main()


if __name__ == "__main__":
    main()
