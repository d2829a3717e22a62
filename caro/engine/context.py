"""What the command will run on: OS, distro, shell, cwd, and which tools exist (GNU or BSD)."""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field

RELEVANT_TOOLS = (
    "find",
    "grep",
    "sed",
    "awk",
    "xargs",
    "ls",
    "du",
    "df",
    "ps",
    "ss",
    "netstat",
    "ip",
    "ifconfig",
    "lsof",
    "tar",
    "zip",
    "unzip",
    "git",
    "docker",
    "kubectl",
    "systemctl",
    "journalctl",
    "apt",
    "dnf",
    "yum",
    "pacman",
    "brew",
    "rsync",
    "ssh",
    "curl",
    "wget",
    "jq",
    "rg",
    "fd",
    "python3",
    "tac",
)


@dataclass(frozen=True)
class Context:
    os: str  # linux | darwin | freebsd | windows
    distro: str
    shell: str
    cwd: str
    flavour: str  # gnu | bsd
    tools: frozenset = field(default_factory=frozenset)

    def has(self, program: str) -> bool:
        return program in self.tools or _which(program)


@functools.lru_cache(maxsize=512)
def _which(program: str) -> bool:
    return shutil.which(program) is not None


@functools.lru_cache(maxsize=1)
def _distro() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    if platform.system() == "Darwin":
        return "macOS " + platform.mac_ver()[0]
    return platform.system()


@functools.lru_cache(maxsize=1)
def _flavour() -> str:
    system = platform.system().lower()
    try:
        out = subprocess.run(["sed", "--version"], capture_output=True, text=True, timeout=2)
        if out.returncode == 0 and "GNU" in out.stdout:
            return "gnu"
    except (OSError, subprocess.SubprocessError):
        pass
    return "bsd" if system in ("darwin", "freebsd", "openbsd", "netbsd") else "gnu"


@functools.lru_cache(maxsize=1)
def _tools() -> frozenset:
    return frozenset(t for t in RELEVANT_TOOLS if shutil.which(t))


def detect(shell: str | None = None, cwd: str | None = None) -> Context:
    if not shell:
        shell = os.path.basename(os.environ.get("SHELL", "bash")) or "bash"
    if cwd is None:
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = "/"
    return Context(
        os=platform.system().lower(), distro=_distro(), shell=shell, cwd=cwd, flavour=_flavour(), tools=_tools()
    )
