"""Hotkey figures per shell, the CLI, and caro against the same-model shell_gpt peer, in one run.

Overhead above model time: the widget's transport is timed inside each real shell (bash
EPOCHREALTIME around caro-widget, zsh EPOCHREALTIME around __caro_call, fish's `time`
around the relay pipeline) for a request the helper already answered, so its model time is ~0
and what is left is the shell → helper → shell round trip.

Warm end to end: distinct requests through the same path with the helper warm (model time
included), `caro --print` for the same requests (it asks the same helper), and the peer:
`sgpt --shell` against llama.cpp's server serving the very same GGUF (benchmarks/peer.py).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
N = int(os.environ.get("CARO_BENCH_N", "40"))
# the everyday requests every speed benchmark times (run.py takes the first six, threads.py adds two)
REQUESTS = [
    "list files bigger than 100MB here",
    "show the 5 biggest files",
    "compress the logs folder",
    "what is using port 8080",
    "undo the last commit but keep my changes",
    "find python files containing TODO",
    "how much disk space is free",
    "count lines in main.py",
]


def stats(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"median {statistics.median(xs):.1f} ms, p95 {xs[max(0, int(len(xs) * 0.95) - 1)]:.1f} ms"


def hook(shell: str, env: dict) -> str:
    return subprocess.run([PY, "-m", "caro", "hook", shell], env=env, capture_output=True, text=True, check=True).stdout


def bash_times(env: dict, text: str, n: int) -> list[float]:
    script = (
        hook("bash", env)
        + f"""
for ((i = 0; i < {n}; i++)); do
  READLINE_LINE={text!r}; READLINE_POINT=0
  t=$EPOCHREALTIME; caro-widget 2>/dev/null; e=$EPOCHREALTIME
  printf 'T %s %s %s\\n' "$t" "$e" "$READLINE_LINE"
done
"""
    )
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-i"], input=script, env=env, capture_output=True, text=True
    ).stdout
    return _pairs(out)


def zsh_times(env: dict, text: str, n: int) -> list[float]:
    script = (
        hook("zsh", env)
        + f"""
zmodload zsh/datetime
for ((i = 0; i < {n}; i++)); do
  local -a __caro_reply
  t=$EPOCHREALTIME; __caro_call {text!r} 0; e=$EPOCHREALTIME
  print -r -- "T $t $e ${{__caro_reply[2]}}"
done
"""
    )
    # sourced from a file, as the rc block does: zsh does not treat `#` as a comment in
    # interactive input read from stdin (no interactive_comments), so piping the snippet breaks it
    with tempfile.NamedTemporaryFile("w", suffix=".zsh", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["zsh", "-f", "-i", "-c", f"source {f.name}"], env=env, capture_output=True, text=True
        ).stdout
    finally:
        os.unlink(f.name)
    return _pairs(out)


def fish_times(env: dict, text: str, n: int) -> list[float]:
    script = (
        hook("fish", env)
        + f"""
for i in (seq {n})
    time builtin printf '%s\\0' "v=$__caro_version" op=suggest shell=fish "cwd=$PWD" index=0 "text={text}" | \\
        $__caro_python -S -I $__caro_relay (__caro_runtime_dir)/helper.sock 30 $__caro_python | string split0 >/dev/null
end
"""
    )
    r = subprocess.run(["fish", "--no-config", "-i", "-c", script], env=env, capture_output=True, text=True)
    xs = []
    for m in re.finditer(r"Executed in\s+([\d.]+)\s+(millis|micros|secs)", r.stderr):
        v = float(m.group(1))
        xs.append(v / 1000 if m.group(2) == "micros" else v * 1000 if m.group(2) == "secs" else v)
    return xs


def _pairs(out: str) -> list[float]:
    xs = []
    for line in out.splitlines():
        if line.startswith("T "):
            _, t, e, *_ = line.split(" ")
            xs.append((float(e) - float(t)) * 1000)
    return xs


def bench_env() -> dict:
    """A throwaway CARO_HOME that sees the user's downloaded models (read-only, by symlink)."""
    sys.path.insert(0, str(ROOT))
    from caro import paths

    models = paths.models_dir()
    home = tempfile.mkdtemp(prefix="caro-bench-")
    if models.is_dir():
        os.symlink(models, os.path.join(home, "models"))
    env = dict(os.environ, CARO_HOME=home, CARO_NO_BIND="1", TERM="dumb")
    env.pop("CARO_RUNTIME_DIR", None)
    # the tldr pages as a user with `caro docs pull` has them (the shared snapshot of the release
    # archive); CARO_BENCH_DOCS=none measures the path without them
    tldr = os.environ.get("CARO_BENCH_DOCS") or str(ROOT.parent / "shared" / "tldr" / "tldr-pages.en.zip")
    if tldr != "none" and os.path.isfile(tldr):
        env["CARO_DOCS"] = tldr
    return env


def main() -> None:
    env = bench_env()
    t = time.perf_counter()
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, capture_output=True, check=True)
    started = (time.perf_counter() - t) * 1000
    # ready = the model is loaded: the first real answer
    subprocess.run(
        [
            PY,
            "-S",
            "-I",
            str(ROOT / "caro" / "daemon" / "relay.py"),
            os.path.join(env["CARO_HOME"], "run", "helper.sock"),
            "120",
            PY,
        ],
        input=b"op=suggest\0shell=bash\0cwd=/tmp\0index=0\0text=show the date\0",
        env=env,
        capture_output=True,
    )
    print(
        f"helper start: answers pings after {started:.0f} ms, first answer (model loaded) after "
        f"{(time.perf_counter() - t) * 1000:.0f} ms"
    )
    try:
        runners = {"zsh": zsh_times, "bash": bash_times, "fish": fish_times}
        ends: dict[str, list[float]] = {}
        for shell, run in runners.items():
            if not shutil.which(shell):
                print(f"{shell}: not installed, skipped")
                continue
            run(env, "list files bigger than 100MB here", 1)  # warm the helper's answer cache
            xs = run(env, "list files bigger than 100MB here", N)
            print(f"{shell}: hotkey overhead above model time: {stats(xs)} (n={len(xs)})")
            ends[shell] = []
            for rnd in range(2):
                for i, req in enumerate(REQUESTS):
                    ends[shell] += run(env, f"{req} ({shell} {rnd}{i})", 1)  # uncached: the model writes
            print(f"{shell}: warm Ctrl-G end to end (model included): {stats(ends[shell])} (n={len(ends[shell])})")

        def cli_once(text: str) -> float:
            t = time.perf_counter()
            subprocess.run([PY, "-m", "caro", "--print", text], env=env, capture_output=True, timeout=120)
            return (time.perf_counter() - t) * 1000

        # the CLI's own cost, as for the shells: a request the helper already answered
        cli_once("list files bigger than 100MB here")
        xs = [cli_once("list files bigger than 100MB here") for _ in range(20)]
        print(
            f"cli: caro --print overhead above model time (a new Python process each time): {stats(xs)} (n={len(xs)})"
        )
        cli = [cli_once(f"{req} (cli {rnd}{i})") for rnd in range(2) for i, req in enumerate(REQUESTS)]
        print(f"cli: caro --print, warm helper, model included: {stats(cli)} (n={len(cli)})")
        if "--peer" in sys.argv or os.environ.get("CARO_BENCH_PEER"):
            sys.path.insert(0, str(ROOT / "benchmarks"))
            os.environ["CARO_HOME"] = env["CARO_HOME"]
            from peer import SgptRunner

            r = SgptRunner()
            peer = []
            try:
                for req in REQUESTS:
                    t = time.perf_counter()
                    r(req)
                    peer.append((time.perf_counter() - t) * 1000)
            finally:
                r.close()
            ours = statistics.median([x for xs in ends.values() for x in xs])
            print(
                f"peer sgpt --shell + llama.cpp server, same GGUF, same requests: {stats(peer)}; "
                f"caro's warm Ctrl-G is {statistics.median(peer) / ours:.1f}x faster (median/median)"
            )
    finally:
        subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True)


if __name__ == "__main__":
    main()
