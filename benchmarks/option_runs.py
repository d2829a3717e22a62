"""Run commands past the real programs and count the ones whose options they refuse (issue 31).

caro's option check reads help texts and manuals; this asks the programs themselves. Every
accepted answer of the sets (and, with --answers, every answer caro gave in a saved
`quality.py --save` run) is run in the execution sandbox (a throwaway copy of the fixture tree, no
network, 10 s, caro's safety check first: blocked commands are not run), and its error output is
read for the complaints getopt, argparse, git and BSD tools make about options ("invalid option",
"unrecognized option", "option requires an argument" …). A command whose programs are not all
installed here is skipped and counted as such. Other failures (a file the fixture lacks, a
service that is not running) are not option failures and are not counted. Failures among the
held-out sets' answers are counted, not shown.

  python benchmarks/option_runs.py --sets heldout,heldout2,heldout3,fresh-dev,readonly,everyday \\
      [--answers run.json]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from quality import load
from sandbox import Sandbox

from caro.engine.checks import missing_programs

OPTION_ERROR = re.compile(
    r"(?i)(?:invalid|unrecogni[sz]ed|unknown|illegal|ambiguous) (?:option|switch|argument)|"
    r"option (?:'[^']*' |`[^']*' )?requires an argument|unrecognized arguments:|"
    r"missing argument to|no such option"
)


def commands(sets: list[str], answers: list[Path]) -> list[tuple[str, str, str]]:
    """(origin, shell, command), each distinct (shell, command) once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for name in sets:
        for r in load(name):
            for g in r["golds"]:
                if (r.get("shell", "bash"), g) not in seen:
                    seen.add((r.get("shell", "bash"), g))
                    out.append((f"{name} accepted", r.get("shell", "bash"), g))
    for f in answers:
        for label, res in json.loads(f.read_text()).items():
            # runs saved before items carried their shell: the set's row says it
            shells = {r["request"]: r.get("shell", "bash") for r in load(label.split(" · ")[0])}
            for item in res.get("items", []):
                shell = item.get("shell") or shells.get(item["request"], "bash")
                if item.get("pred") and (shell, item["pred"]) not in seen:
                    seen.add((shell, item["pred"]))
                    out.append((f"{label} answer", shell, item["pred"]))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="heldout,heldout2,heldout3,fresh-dev,readonly,everyday,languages")
    ap.add_argument("--answers", nargs="*", default=[], type=Path, help="quality.py --save files")
    args = ap.parse_args(argv)
    todo = commands([s for s in args.sets.split(",") if s], args.answers)
    box = Sandbox()
    ran = skipped = blocked = 0
    failures = []
    try:
        for origin, shell, cmd in todo:
            if missing_programs(cmd, lambda p: bool(shutil.which(p)), shell):
                skipped += 1
                continue
            got = box.run(cmd, shell, stderr=True)
            if not got.ran:
                blocked += 1
                continue
            ran += 1
            m = OPTION_ERROR.search(got.stdout)
            # the fixture is no git repository: there `git diff` takes only --no-index's options
            # (`--cached` is "unknown"), which says nothing of the answer in a repository
            if m and "git diff --no-index" not in got.stdout:
                failures.append((origin, cmd, got.stdout[max(0, m.start() - 60) : m.end() + 40].strip()))
            print(
                f"\r{ran + skipped + blocked}/{len(todo)} commands, {len(failures)} option failures",
                end="",
                file=sys.stderr,
                flush=True,
            )
    finally:
        box.close()
    print(file=sys.stderr)
    print(
        f"{len(todo)} commands: {ran} run, {skipped} skipped (a program not installed here), "
        f"{blocked} blocked by safety; option failures: {len(failures)}"
    )
    for origin, cmd, said in failures:
        if origin.startswith("heldout"):  # held out: counted, never shown (nothing is tuned on them)
            print(f"  [{origin}] (a held-out answer; not shown)")
        else:
            print(f"  [{origin}] {cmd}\n      {' '.join(said.split())[:160]}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
