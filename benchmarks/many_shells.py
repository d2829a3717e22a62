"""Many real shells pressing Ctrl-G at once against one helper with the default model.

N interactive shells (zsh, bash, fish in turn) share one CARO_HOME and its warm helper. In each
round every shell gets its own request naming its own file ("show the last 7 lines of
app12r3.log"), and the hotkey is pressed in all of them within a few milliseconds. Each shell's
widget is wrapped so it logs when the press started, when the widget gave the line back, and
the line it left. Reported: per-press latency (median, p95, max), presses that ran into the
widget's timeout (their text came back unchanged), and cross-talk: a line that names another
shell's file. Nothing is pinned: every answer is the model's.

usage: python benchmarks/many_shells.py [--shells 50] [--rounds 4] [--timeout 30]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PROMPT = "MANY> "

WRAP = {
    # each wrapper keeps the real widget and appends "start end line" (seconds) to $__bench_log
    "bash": """eval "__bench_orig_$(declare -f caro-widget)"
caro-widget() { local t=$EPOCHREALTIME; __bench_orig_caro-widget; printf '%s %s %s\\n' "$t" "$EPOCHREALTIME" "$READLINE_LINE" >> "$__bench_log"; }
""",
    "zsh": """zmodload zsh/datetime
functions[__bench_orig]=$functions[caro-widget]
caro-widget() { local t=$EPOCHREALTIME; __bench_orig; print -r -- "$t $EPOCHREALTIME $BUFFER" >> $__bench_log; }
zle -N caro-widget
""",
    "fish": """functions -c caro-widget __bench_orig
function caro-widget
    set -l t (date +%s.%N)
    __bench_orig
    echo $t (date +%s.%N) (commandline -b) >> $__bench_log
end
""",
}


def spawn(shell: str, n: int, home: Path, tmp: Path, timeout: float) -> tuple[pexpect.spawn, Path]:
    d = tmp / f"s{n}"
    d.mkdir()
    log = d / "presses.log"
    hook = subprocess.run(
        [PY, "-m", "caro", "hook", shell],
        env=dict(os.environ, CARO_HOME=str(home)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (d / f"hook.{shell}").write_text(hook)
    env = dict(
        os.environ,
        CARO_HOME=str(home),
        TERM="xterm",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        HOME=str(d),
        CARO_TIMEOUT=str(timeout),
        CARO_NO_START="1",
    )
    env.pop("CARO_RUNTIME_DIR", None)
    setlog = f"set -g __bench_log {log}\n" if shell == "fish" else f"__bench_log={log}\n"
    body = f"source {d / f'hook.{shell}'}\n{setlog}{WRAP[shell]}"
    if shell == "zsh":
        (d / ".zshrc").write_text(f"unset zle_bracketed_paste\nPS1='{PROMPT}'\nRPS1=''\n{body}")
        env["ZDOTDIR"] = str(d)
        child = pexpect.spawn("zsh", ["-i"], env=env, encoding="utf-8", timeout=120, dimensions=(24, 200))
    elif shell == "bash":
        (d / ".bashrc").write_text(f"bind 'set enable-bracketed-paste off'\nPS1='{PROMPT}'\n{body}")
        child = pexpect.spawn(
            "bash", ["--rcfile", str(d / ".bashrc"), "-i"], env=env, encoding="utf-8", timeout=120, dimensions=(24, 200)
        )
    else:
        conf = d / ".config" / "fish"
        conf.mkdir(parents=True)
        # a fish that has never run starts generating man-page completions in the background, a
        # CPU-heavy job per shell that would starve the model; mark this one as initialised
        (conf / "fish_variables").write_text(
            "# This file contains fish universal variable definitions.\n"
            "# VERSION: 3.0\nSETUVAR __fish_initialized:3400\n"
        )
        (d / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
        (conf / "config.fish").write_text(
            f"function fish_prompt; echo -n '{PROMPT}'; end\nfunction fish_greeting; end\n{body}"
        )
        env["XDG_CONFIG_HOME"] = str(d / ".config")
        child = pexpect.spawn("fish", ["-i"], env=env, encoding="utf-8", timeout=120, dimensions=(24, 200))
    child.expect_exact(PROMPT)
    return child, log


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(p * len(xs)) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shells", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=30.0, help="CARO_TIMEOUT in every shell")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from caro import paths

    tmp = Path(tempfile.mkdtemp(prefix="caro-many-"))
    home = tmp / "home"
    home.mkdir()
    (home / "models").symlink_to(paths.models_dir())
    env = dict(os.environ, CARO_HOME=str(home))
    env.pop("CARO_RUNTIME_DIR", None)
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, check=True, capture_output=True)
    warm = subprocess.run(
        [PY, "-S", "-I", str(ROOT / "caro" / "daemon" / "relay.py"), str(home / "run" / "helper.sock"), "120", PY],
        input=b"op=suggest\0shell=bash\0cwd=/tmp\0index=0\0text=show the date\0",
        env=env,
        capture_output=True,
    ).stdout.split(b"\0")
    if warm[0] != b"insert":  # no model, broken setup: say so instead of timing errors
        subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True)
        print(f"many shells: the helper cannot answer ({warm[1].decode(errors='replace')})", file=sys.stderr)
        return 1
    shells = [s for s in ("zsh", "bash", "fish") if shutil.which(s)]
    kids = []
    try:
        t = time.perf_counter()
        for n in range(args.shells):
            kids.append((n, shells[n % len(shells)], *spawn(shells[n % len(shells)], n, home, tmp, args.timeout)))
            print(f"\rstarting shells: {n + 1}/{args.shells}", end="", file=sys.stderr, flush=True)
        print(
            f"\r{args.shells} shells ({', '.join(shells)}) started in {time.perf_counter() - t:.0f} s", file=sys.stderr
        )
        latencies, timeouts, crosstalk, wrong, past = [], 0, 0, 0, 0
        for r in range(1, args.rounds + 1):
            for n, shell, child, _ in kids:
                child.send(f"show the last {n % 9 + 2} lines of app{n}r{r}.log")
            time.sleep(1.0)
            for n, shell, child, _ in kids:
                child.send("\x07")
            deadline = time.monotonic() + args.timeout + 30
            pending = {n for n, *_ in kids}
            while pending and time.monotonic() < deadline:
                for n, shell, child, log in kids:
                    if n in pending and log.exists() and len(log.read_text().splitlines()) >= r:
                        pending.discard(n)
                    try:
                        child.read_nonblocking(65536, timeout=0)  # keep the pty drained
                    except (pexpect.TIMEOUT, pexpect.EOF):
                        pass
                time.sleep(0.05)
            for n, shell, child, log in kids:
                lines = log.read_text().splitlines() if log.exists() else []
                if len(lines) < r:
                    past += 1
                    continue
                start, end, line = (lines[r - 1].split(" ", 2) + [""])[:3]
                took = float(end) - float(start)
                latencies.append(took)
                mine = f"app{n}r{r}.log"
                others = set(re.findall(r"app\d+r\d+\.log", line)) - {mine}
                if line.startswith("show the last"):
                    timeouts += 1
                elif others:
                    crosstalk += 1
                elif mine not in line:
                    wrong += 1
                if took > args.timeout + 1:
                    past += 1
                child.send("\x15" if shell != "fish" else "\x03")  # clear the line for the next round
            time.sleep(0.5)
            print(f"round {r}: done", file=sys.stderr)
        total = args.shells * args.rounds
        print(
            f"many shells: {args.shells} real shells x {args.rounds} rounds = {total} presses, default model, "
            f"CARO_TIMEOUT={args.timeout:g}s"
        )
        print(
            f"  latency per press: median {statistics.median(latencies):.2f} s, p95 {pct(latencies, 0.95):.2f} s, "
            f"max {max(latencies):.2f} s"
        )
        print(
            f"  timed out (text back unchanged): {timeouts}; answered past the timeout: {past}; "
            f"cross-talk: {crosstalk}; answer without its own file name: {wrong}"
        )
    finally:
        for _, _, child, _ in kids:
            child.close(force=True)
        subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True)
        if not os.environ.get("CARO_BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
