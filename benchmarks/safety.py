"""Safety figures: agreement with the public corpora, throughput and per-check latency.

    python benchmarks/safety.py            # both corpora, moderate mode
    python benchmarks/safety.py --misses   # also list the dangerous rows allowed and the safe rows blocked

A corpus row's label is that project's policy, not ground truth: `DISAGREE` in
tests/safety_corpora.py lists the rows where caro deliberately judges otherwise, with the reason.
The figures are printed twice: against the raw labels, and after those listed disagreements.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from caro.safety import check
from tests.safety_corpora import CORPORA, disagreement, load


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true")
    args = ap.parse_args()
    # From an empty directory: a warned `rm -rf *` walks the current tree to say how much it deletes
    # (up to 30 ms), which would make the figures depend on where the benchmark was started.
    os.chdir(tempfile.mkdtemp(prefix="caro-safety-bench-"))
    lat: list[float] = []
    for name in CORPORA:
        rows = load(name)
        tally = {("dangerous", a): 0 for a in ("block", "warn", "allow")}
        tally.update({("safe", a): 0 for a in ("block", "warn", "allow")})
        listed = {"dangerous": 0, "safe": 0}
        misses = []
        for row in rows:
            t = time.perf_counter()
            v = check(row["cmd"])
            lat.append((time.perf_counter() - t) * 1000)
            tally[(row["label"], v.action)] += 1
            wrong = (row["label"] == "dangerous" and v.action == "allow") or (
                row["label"] == "safe" and v.action == "block"
            )
            if wrong:
                if disagreement(name, row["cmd"]):
                    listed[row["label"]] += 1
                else:
                    misses.append((row["label"], v.action, row["cmd"], v.reasons[:1]))
        nd = sum(tally[("dangerous", a)] for a in ("block", "warn", "allow"))
        ns = sum(tally[("safe", a)] for a in ("block", "warn", "allow"))
        print(
            f"{name}: dangerous {nd} -> blocked {tally[('dangerous', 'block')]} / warned {tally[('dangerous', 'warn')]} / "
            f"allowed {tally[('dangerous', 'allow')]} ({tally[('dangerous', 'allow')] - listed['dangerous']} after "
            f"{listed['dangerous']} listed disagreements); safe {ns} -> blocked {tally[('safe', 'block')]} "
            f"({tally[('safe', 'block')] - listed['safe']} after {listed['safe']} listed) / warned {tally[('safe', 'warn')]}"
        )
        if args.misses:
            for label, action, cmd, why in misses:
                print(f"   {label:9} {action:5} {cmd!r} {why}")
    lat.sort()
    print(
        f"safety over the corpora: {len(lat) / (sum(lat) / 1000):.0f} commands/s; p50 {lat[len(lat) // 2]:.3f} ms, "
        f"p99 {lat[int(len(lat) * 0.99)]:.3f} ms, max {lat[-1]:.1f} ms"
    )
    bomb = "a(){" * 1024
    t = time.perf_counter()
    v = check(bomb)
    print(f"4 KB of 'a(){{': {(time.perf_counter() - t) * 1000:.1f} ms -> {v.action}")


if __name__ == "__main__":
    main()
