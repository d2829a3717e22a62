"""InterCode-ALFA scored by execution, in its own five file systems (see sandbox.py).

Each `fs_N` world is built once per run by running ALFA's own `setup_nl2b_fs_N.sh` inside the
sandbox with an empty root as `/` (the script writes /testbed, /system, /index.html …), plus what
the task images have at `/` (the setup script itself, ALFA's .gitignore, ENV from the Dockerfile).
A task scores 1 when the prediction's outcome equals a gold command's outcome (either gold):
the same changed paths with the same contents, and the same stdout — strict (byte-equal output)
or normalised (whitespace collapsed, lines compared in any order), reported apart.

How this judge differs from the paper's: ALFA compares the file-system diff and output and, when
they differ, asks an embedding/LLM judge; we use no model judge, so outputs that differ only in
wording (dates, PIDs, another correct format) count as wrong. The gold-vs-gold check below
measures how often our judge disagrees with itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from sandbox import Outcome, Sandbox, World, run_in, same_effect

# what ALFA's images have installed beyond a base system (from their Dockerfiles)
PACKAGES = (
    "psmisc",
    "bsdmainutils",
    "cron",
    "imagemagick",
    "dnsutils",
    "git",
    "tree",
    "net-tools",
    "iputils-ping",
    "curl",
    "cpio",
    "jq",
    "lsof",
    "procps",
)
COMMANDS = {
    "psmisc": "killall",
    "bsdmainutils": "column",
    "cron": "crontab",
    "imagemagick": "convert",
    "dnsutils": "dig",
    "git": "git",
    "tree": "tree",
    "net-tools": "ifconfig",
    "iputils-ping": "ping",
    "curl": "curl",
    "cpio": "cpio",
    "jq": "jq",
    "lsof": "lsof",
    "procps": "ps",
}


def ensure_packages() -> list[str]:
    """Install (as root, with apt) the tools ALFA's tasks expect; return those still missing."""
    missing = [p for p in PACKAGES if not shutil.which(COMMANDS[p])]
    if missing and shutil.which("apt-get") and hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            capture_output=True,
            env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
    return [p for p in PACKAGES if not shutil.which(COMMANDS[p])]


def _dockerfile_env(text: str) -> dict:
    env = {}
    for m in re.finditer(r'^ENV\s+(\w+)="?([^"\n]*)"?', text, re.MULTILINE):
        env[m.group(1)] = m.group(2)
    return env


def build_worlds(fs_dir: Path, base: Path) -> dict[str, World]:
    worlds = {}
    for n in range(1, 6):
        setup = fs_dir / f"setup_nl2b_fs_{n}.sh"
        root = base / f"fs_{n}"
        (root / "root").mkdir(parents=True)
        shutil.copy(setup, root / setup.name)
        gi = fs_dir / "docker.gitignore"
        if gi.exists():
            shutil.copy(gi, root / ".gitignore")
        code, _, note = run_in(root, f"bash /{setup.name}", "/", timeout=60)
        if code != 0:
            raise RuntimeError(f"building ALFA fs_{n} failed (exit {code} {note})")
        docker = fs_dir / f"nl2bash{n}.Dockerfile"
        env = _dockerfile_env(docker.read_text()) if docker.exists() else {}
        worlds[f"fs_{n}"] = World(root, cwd="/", env=env, ignore=World(root).ignore | {".git"})
    return worlds


class Alfa:
    """The 300 tasks with their worlds; `score(task, prediction)` → (strict, normalised)."""

    def __init__(self, bench: Path):
        self.tasks = [json.loads(line) for line in (bench / "intercode_alfa" / "tasks.jsonl").read_text().splitlines()]
        self.missing = ensure_packages()
        self._boxes: dict[str, Sandbox] = {}
        import tempfile

        self.base = Path(tempfile.mkdtemp(prefix="caro-alfa-"))
        for name, world in build_worlds(bench / "intercode_alfa" / "fs", self.base).items():
            self._boxes[name] = Sandbox(world)
        self._gold: dict[int, list[Outcome]] = {}

    def golds(self, task: dict) -> list[Outcome]:
        if task["index"] not in self._gold:
            box = self._boxes[task["fs"]]
            self._gold[task["index"]] = [box.run(g) for g in (task.get("gold"), task.get("gold2")) if g]
        return self._gold[task["index"]]

    def score(self, task: dict, prediction: str) -> tuple[bool, bool]:
        if not prediction:
            return False, False
        got = self._boxes[task["fs"]].run(prediction)
        golds = self.golds(task)
        return (any(same_effect(got, g) for g in golds), any(same_effect(got, g, normalised=True) for g in golds))

    def judge_check(self) -> dict:
        """Gold against itself (run twice) and against the other gold: the judge's own error rate."""
        self_fail, pair_fail = [], []
        for t in self.tasks:
            box = self._boxes[t["fs"]]
            first = self.golds(t)
            again = box.run(t["gold"])
            if not same_effect(first[0], again, normalised=True):
                self_fail.append(t["index"])
            if len(first) > 1 and not same_effect(first[0], first[1], normalised=True):
                pair_fail.append(t["index"])
        return {"self_fail": self_fail, "pair_fail": pair_fail, "pairs": sum(1 for t in self.tasks if t.get("gold2"))}

    def close(self) -> None:
        for b in self._boxes.values():
            b.close()
        shutil.rmtree(self.base, ignore_errors=True)
