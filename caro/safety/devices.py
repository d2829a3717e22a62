"""What a block device holds, so a raw write to it can be judged by what it would destroy.

`lsblk` (Linux) or `diskutil` (macOS) is asked once per device with a short time limit, and the
answer is kept for a few seconds (one Ctrl-G judges several candidates). If neither answers, the
device is "unknown" and the rule's own risk stands.
"""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

TIME_LIMIT = 0.5
_KEEP = 5.0
_cache: dict[str, tuple[float, Device | None]] = {}


@dataclass(frozen=True)
class Device:
    path: str
    size: int  # bytes
    model: str
    mounts: tuple[str, ...]  # mount points of the device and anything on it

    @property
    def holds_root(self) -> bool:
        return "/" in self.mounts

    def describe(self) -> str:
        size = _human(self.size)
        what = " ".join(x for x in (size, self.model) if x)
        if self.holds_root:
            state = "holds / (the running system)"
        elif self.mounts:
            state = "mounted at " + ", ".join(self.mounts[:3])
        else:
            state = "not mounted"
        return f"{self.path}: {what + ', ' if what else ''}{state}"


def _human(size: int) -> str:
    n = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def _mounts(node: dict) -> list[str]:
    found = [m for m in (node.get("mountpoints") or []) if m]
    for child in node.get("children") or []:
        found += _mounts(child)
    return found


def _lsblk(path: str) -> Device | None:
    out = subprocess.run(
        ["lsblk", "-J", "-b", "-o", "NAME,PATH,SIZE,MODEL,MOUNTPOINTS", path],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    if out.returncode != 0:
        return None
    nodes = json.loads(out.stdout).get("blockdevices") or []
    if not nodes:
        return None
    node = nodes[0]
    return Device(path, int(node.get("size") or 0), (node.get("model") or "").strip(), tuple(_mounts(node)))


def _diskutil(path: str) -> Device | None:
    out = subprocess.run(["diskutil", "info", "-plist", path], capture_output=True, timeout=TIME_LIMIT)
    if out.returncode != 0:
        return None
    info = plistlib.loads(out.stdout)
    mounts = [info["MountPoint"]] if info.get("MountPoint") else []
    return Device(path, int(info.get("TotalSize") or info.get("Size") or 0), info.get("MediaName", ""), tuple(mounts))


def lookup(path: str) -> Device | None:
    """The device at `path`, or None when it is not present or cannot be asked about."""
    now = time.monotonic()
    hit = _cache.get(path)
    if hit and now - hit[0] < _KEEP:
        return hit[1]
    dev = None
    if os.path.exists(path):
        try:
            if sys.platform == "darwin" and shutil.which("diskutil"):
                dev = _diskutil(path)
            elif shutil.which("lsblk"):
                dev = _lsblk(path)
        except (OSError, subprocess.SubprocessError, ValueError, KeyError):
            dev = None
    _cache[path] = (now, dev)
    return dev
