"""Run a command in a throwaway file system and record what it did (execution scoring).

One module for every set scored by execution: the everyday/fresh fixture tree and InterCode-ALFA's
five file systems. Each world is a directory ROOT built once per run; every command runs in a
fresh copy of it, inside bubblewrap (Debian's `bubblewrap`):
  - the copy is `/` (so ALFA's `/testbed`, `/system`, `/index.html` … are the copy's), with the
    host's /usr, /bin, /lib*, /sbin and /etc bound read-only on top: programs work, nothing of the
    host can be written;
  - private /proc, /dev and /tmp; no network (--unshare-net); all capabilities dropped;
  - cwd as the world says (`/` for ALFA), a 10 s wall-clock limit on the whole process group,
    output capped at OUTPUT_CAP bytes;
  - caro's safety check first: a blocked command is never run and scores 0.
The outcome is the output plus a snapshot of the copy (mount points of the host excluded, as
ALFA's .gitignore excludes them), so two outcomes can be compared as the benchmark does.
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
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caro import safety

DAY = 86400
OUTPUT_CAP = 256 * 1024
HOST_RO = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
# top-level names that are mount points or the host's, never part of a world's state
IGNORED = frozenset(HOST_RO) | {"proc", "dev", "tmp", "sys", "run", "boot", "media", "mnt", "opt", "srv", "var"}
SHELLS = {
    "fish": ["fish", "--no-config", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "bash": ["bash", "--norc", "--noprofile", "-c"],
}


@dataclass
class Outcome:
    ran: bool
    code: int
    stdout: str
    tree: dict
    note: str = ""


@dataclass
class World:
    """A root directory to run commands in, with the cwd and environment its tasks expect."""

    root: Path
    cwd: str = "/"
    env: dict = field(default_factory=dict)
    ignore: frozenset = IGNORED


def bwrap_available() -> bool:
    if not shutil.which("bwrap"):
        return False
    probe = subprocess.run(
        ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--dev", "/dev", "--proc", "/proc", "true"],
        capture_output=True,
    )
    return probe.returncode == 0


def _bwrap_argv(root: Path, cwd: str) -> list[str]:
    argv = ["bwrap", "--bind", str(root), "/"]
    for d in HOST_RO:
        if Path("/" + d).exists():
            if Path("/" + d).is_symlink():
                if not (root / d).is_symlink():  # left from an earlier run in this root
                    argv += ["--symlink", os.readlink("/" + d), "/" + d]
            else:
                argv += ["--ro-bind", "/" + d, "/" + d]
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--new-session",
        "--chdir",
        cwd,
    ]
    return argv


def run_in(
    root: Path,
    command: str,
    cwd: str = "/",
    env: dict | None = None,
    shell: str = "bash",
    timeout: float = 10.0,
    stderr: bool = False,
) -> tuple[int, str, str]:
    """Run `command` with `root` as / (see the module docstring). Returns (code, stdout, note);
    with `stderr`, the error output is in stdout too (for reading a program's complaints)."""
    runner = SHELLS.get(shell) if shutil.which(SHELLS.get(shell, ["bash"])[0]) else SHELLS["bash"]
    base_env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "USER": "root",
        "TERM": "dumb",
    }
    if shell == "fish":
        # fish makes its own config and data folders (universal variables, history) at every start,
        # whatever the command: in the private /tmp they are not counted as the command's changes
        base_env |= {"XDG_CONFIG_HOME": "/tmp/.fish-config", "XDG_DATA_HOME": "/tmp/.fish-data"}
    proc = subprocess.Popen(
        [*_bwrap_argv(root, cwd), *(runner or SHELLS["bash"]), command],
        env={**base_env, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if stderr else subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out = b""
    note = ""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    while True:
        try:
            chunk = proc.stdout.read(65536)
        except BlockingIOError:
            chunk = None
        if chunk:
            out += chunk
            if len(out) > OUTPUT_CAP:
                out = out[:OUTPUT_CAP]
                note = "output capped"
                break
        elif chunk == b"" and proc.poll() is not None:
            break
        if time.monotonic() > deadline:
            note = "timed out"
            break
        if not chunk:
            time.sleep(0.005)
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    code = -9 if note == "timed out" else proc.returncode
    return code, out.decode("utf-8", "replace"), note


def snapshot(root: Path, ignore: frozenset = IGNORED) -> dict:
    """path → (kind, mode, content hash), for everything under root but the ignored top-level names."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in ignore]
            filenames = [f for f in filenames if f not in ignore]
        elif rel_dir.startswith("repo/.git"):
            dirnames[:] = []  # git's object store: too noisy to compare
            filenames = [f for f in filenames if f in ("HEAD", "index")]
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = os.path.normpath(os.path.join(rel_dir, name))
            try:
                if p.is_symlink():
                    out[rel] = ("link", os.readlink(p))
                elif p.is_dir():
                    out[rel] = ("dir", oct(p.stat().st_mode & 0o7777))
                else:
                    out[rel] = ("file", oct(p.stat().st_mode & 0o7777), hashlib.sha256(p.read_bytes()).hexdigest()[:16])
            except OSError:
                out[rel] = ("gone",)
    return out


class Sandbox:
    """Fresh copies of one world per run; refuses to work without bubblewrap (no network otherwise)."""

    def __init__(self, world: World | None = None, timeout: float = 10.0):
        if not bwrap_available():
            raise RuntimeError(
                "execution scoring needs bubblewrap (apt install bubblewrap); it refuses to run "
                "commands without a private, network-less file system"
            )
        self.timeout = timeout
        self.base = Path(tempfile.mkdtemp(prefix="caro-sandbox-"))
        self.world = world or World(build_fixture(self.base / "fixture"), cwd="/work", env={"HOME": "/work/home"})
        self._pristine: dict | None = None

    @property
    def fixture(self) -> Path:
        return self.world.root

    @property
    def pristine(self) -> dict:
        if self._pristine is None:
            self._pristine = snapshot(self.world.root, self.world.ignore)
        return self._pristine

    def run(self, command: str, shell: str = "bash", stderr: bool = False) -> Outcome:
        if safety.check(command, shell=shell).blocked:
            return Outcome(False, -1, "", {}, "blocked by caro's safety check; not run")
        work = Path(tempfile.mkdtemp(dir=self.base)) / "root"
        shutil.copytree(self.world.root, work, symlinks=True)
        try:
            code, stdout, note = run_in(work, command, self.world.cwd, self.world.env, shell, self.timeout, stderr)
            return Outcome(True, code, stdout, snapshot(work, self.world.ignore), note)
        finally:
            shutil.rmtree(work.parent, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def build_fixture(root: Path) -> Path:
    """The everyday sets' world (deterministic): files of known sizes, names and ages, a git repo.
    Commands run in /work inside it; HOME is /work/home."""
    work = root / "work"
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
        p = work / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
    (work / "emptydir").mkdir()
    (root / "root").mkdir()
    ages = {"logs/old.log": 40, "medium.log": 10, "notes.txt": 2}
    now = time.time()
    git = shutil.which("git")
    if git:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(work / "home"),
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "GIT_AUTHOR_DATE": "2023-11-14T00:00:00Z",
            "GIT_COMMITTER_DATE": "2023-11-14T00:00:00Z",
        }
        repo = work / "repo"
        repo.mkdir()
        (repo / "app.txt").write_text("v1\n")
        for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "first"]):
            subprocess.run([git, *args], cwd=repo, env=env, capture_output=True, check=True)
        (repo / "app.txt").write_text("v2\n")
    for p in sorted(work.rglob("*"), reverse=True):
        t = now - ages.get(str(p.relative_to(work)), 0.5) * DAY
        os.utime(p, (t, t), follow_symlinks=False)
    return root


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.strip().splitlines() if line.strip()]


def same_effect(a: Outcome, b: Outcome, normalised: bool = False) -> bool:
    """Equal file-system changes and equal output. Strict: byte-equal output. Normalised:
    whitespace collapsed and lines compared as a sorted list (order where none was asked)."""
    if not (a.ran and b.ran) or a.tree != b.tree:
        return False
    if a.stdout == b.stdout:
        return True
    return normalised and sorted(_lines(a.stdout)) == sorted(_lines(b.stdout))
