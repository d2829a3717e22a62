"""Run a command in a throwaway directory and record what it did (execution scoring).

Every run gets a fresh copy of a fixture tree (files of known sizes, names and dates, a log
folder, a small git repo), HOME pointed inside it, a minimal environment, a timeout, and no
network: when `unshare` can make a private network namespace the command runs inside one;
otherwise the run is refused unless allow_network=True is passed explicitly. Commands the
safety validator blocks are never run. The result is the output plus a snapshot of the tree.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caro import safety  # noqa: E402

DAY = 86400                      # file ages are set relative to now, so "older than N days" holds


@dataclass
class Outcome:
    ran: bool
    code: int
    stdout: str
    tree: dict
    note: str = ""


def build_fixture(root: Path) -> Path:
    """The world every request is run against (deterministic)."""
    files = {
        "notes.txt": "alpha\nbeta\ngamma\nbeta\nTODO: write more\n",
        "README.md": "# demo\nTODO fix docs\n",
        "main.py": "import os\n# TODO: refactor\nprint('hi')\n" + "x = 1\n" * 20,
        "util.py": "def f():\n    return 2\n",
        "data.csv": "name,age\nann,31\nbob,25\ncid,47\n",
        "big.bin": b"\0" * (3 * 1024 * 1024),
        "medium.log": "line\n" * 5000,
        "logs/app.log": "INFO start\nERROR failed to bind\nINFO ok\nERROR disk full\n",
        "logs/old.log": "INFO ancient\n",
        "src/lib.py": "# TODO: tests\nVALUE = 3\n",
        "src/deep/mod.py": "pass\n",
        "photos/a.jpg": b"\xff\xd8jpeg" * 100,
        "photos/b.JPG": b"\xff\xd8jpeg" * 10,
        "empty.txt": "",
        "script.sh": "#!/bin/sh\necho run\n",
        "home/.bashrc": "# sandbox home\n",
    }
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
    (root / "emptydir").mkdir()
    ages = {"logs/old.log": 40, "medium.log": 10, "notes.txt": 2}
    now = time.time()
    for p in sorted(root.rglob("*"), reverse=True):
        t = now - ages.get(str(p.relative_to(root)), 0.5) * DAY
        os.utime(p, (t, t), follow_symlinks=False)
    git = shutil.which("git")
    if git:
        env = _env(root)
        repo = root / "repo"
        repo.mkdir()
        (repo / "app.txt").write_text("v1\n")
        for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "first"]):
            subprocess.run([git, *args], cwd=repo, env=env, capture_output=True, check=True)
        (repo / "app.txt").write_text("v2\n")
    return root


def _env(root: Path) -> dict:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(root / "home"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TZ": "UTC", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "GIT_AUTHOR_DATE": "2023-11-14T00:00:00Z", "GIT_COMMITTER_DATE": "2023-11-14T00:00:00Z",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "TMPDIR": str(root / "home")}


def snapshot(root: Path) -> dict:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if rel.startswith("repo/.git/") and not rel.endswith(("HEAD", "index")):
            continue                          # git's object store: too noisy to compare
        try:
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", oct(p.stat().st_mode & 0o777), hashlib.sha256(p.read_bytes()).hexdigest()[:16])
        except OSError:
            out[rel] = ("gone",)              # removed while we looked (a command still running)
    return out


def _netless_prefix() -> list[str] | None:
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
    if probe.returncode == 0:
        return [unshare, "-rn"]
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True)
    return [unshare, "-n"] if probe.returncode == 0 else None


class Sandbox:
    def __init__(self, timeout: float = 5.0, allow_network: bool = False):
        self.timeout = timeout
        self.prefix = _netless_prefix()
        if self.prefix is None and not allow_network:
            raise RuntimeError("cannot make a network-less namespace here (unshare -n failed); "
                               "execution scoring refuses to run without one")
        self.base = Path(tempfile.mkdtemp(prefix="caro-sandbox-"))
        self.fixture = build_fixture(self.base / "fixture")

    @property
    def pristine(self) -> dict:
        if not hasattr(self, "_pristine"):
            self._pristine = self.run("true").tree
        return self._pristine

    def run(self, command: str, shell: str = "bash") -> Outcome:
        if safety.check(command, shell=shell).blocked:
            return Outcome(False, -1, "", {}, "blocked by caro's safety check; not run")
        work = Path(tempfile.mkdtemp(dir=self.base))
        root = work / "w"
        shutil.copytree(self.fixture, root, symlinks=True)
        # own process group, so a timeout kills everything the command started
        runner = {"fish": ["fish", "--no-config", "-c"], "zsh": ["zsh", "-f", "-c"]}.get(shell, ["/bin/bash", "--norc", "--noprofile", "-c"])
        if not shutil.which(runner[0]):
            runner = ["/bin/bash", "--norc", "--noprofile", "-c"]
        proc = subprocess.Popen([*(self.prefix or []), *runner, command],
                                cwd=root, env=_env(root), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            stdout, _ = proc.communicate(timeout=self.timeout)
            out = Outcome(True, proc.returncode, stdout.decode("utf-8", "replace").replace(str(root), "<root>"),
                          snapshot(root))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
            out = Outcome(True, -9, "", snapshot(root), "timed out")
        shutil.rmtree(work, ignore_errors=True)
        return out

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def same_effect(a: Outcome, b: Outcome) -> bool:
    """Equal output (exactly, or as the same lines in another order) and equal file trees."""
    if not (a.ran and b.ran) or a.tree != b.tree:
        return False
    if a.stdout == b.stdout:
        return True
    return sorted(a.stdout.split()) == sorted(b.stdout.split())
