"""Device-aware disk rules against a real block device: a loop device over a file in a temp dir.

Nothing writes to the device except `mkfs` in the test itself (on the loop file); caro only reads
`lsblk`. Skipped where loop devices cannot be set up (not root, no losetup, no loop support).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from caro.safety import check, devices


@pytest.fixture
def loop_device(tmp_path):
    if os.geteuid() != 0 or not shutil.which("losetup") or not shutil.which("lsblk"):
        pytest.skip("a loop device needs root, losetup and lsblk")
    image = tmp_path / "stick.img"
    with open(image, "wb") as f:
        f.truncate(16 * 1024 * 1024)
    made = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"losetup failed here: {made.stderr.strip()}")
    dev = made.stdout.strip()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    try:
        yield dev, mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        subprocess.run(["losetup", "-d", dev], capture_output=True)
        devices._cache.clear()


def test_an_unmounted_device_is_high_and_named(loop_device):
    dev, _ = loop_device
    devices._cache.clear()
    v = check(f"dd if=/dev/zero of={dev} bs=1M")
    assert (v.action, v.risk) == ("warn", "high"), v.reasons
    assert "16.8 MB" in v.reasons[0] and "not mounted" in v.reasons[0]
    v = check(f"sudo mkfs.vfat {dev}")
    assert v.action == "warn" and "not mounted" in v.reasons[0]


def test_a_mounted_device_is_critical(loop_device):
    dev, mnt = loop_device
    if (
        subprocess.run(["mkfs.ext4", "-q", dev], capture_output=True).returncode != 0
        or subprocess.run(["mount", dev, str(mnt)], capture_output=True).returncode != 0
    ):
        pytest.skip("cannot format and mount a loop device here")
    devices._cache.clear()
    for cmd in (f"dd if=/dev/zero of={dev}", f"mkfs.ext4 {dev}", f"cat backup.img > {dev}", f"wipefs -a {dev}"):
        v = check(cmd)
        assert (v.action, v.risk) == ("block", "critical"), (cmd, v.reasons)
        assert f"mounted at {mnt}" in v.reasons[0]


def test_the_root_disk_is_named_as_holding_the_system():
    root = (
        subprocess.run(["findmnt", "-n", "-o", "SOURCE", "/"], capture_output=True, text=True).stdout.strip()
        if shutil.which("findmnt")
        else ""
    )
    if not root.startswith("/dev/") or not shutil.which("lsblk"):
        pytest.skip("the root file system is not on a local block device here")
    v = check(f"dd if=/dev/zero of={root}")
    assert v.risk == "critical" and "holds /" in v.reasons[0], v.reasons


def test_a_warned_recursive_delete_says_how_much_it_touches(tmp_path, monkeypatch):
    (tmp_path / "build" / "sub").mkdir(parents=True)
    (tmp_path / "build" / "sub" / "big.bin").write_bytes(b"x" * 2_200_000)
    for n in range(3):
        (tmp_path / "build" / f"f{n}.o").write_bytes(b"y" * 10)
    (tmp_path / "outside").write_bytes(b"z" * 1_000_000)
    (tmp_path / "build" / "link").symlink_to(tmp_path / "outside")  # counted as a link, not followed
    monkeypatch.chdir(tmp_path / "build")
    v = check("rm -rf *")
    assert v.action == "warn" and "deletes 5 files, 2 MB here" in v.reasons[0], v.reasons
    v = check("rm -rf build", cwd=str(tmp_path))
    assert "deletes 5 files, 2 MB here" in v.reasons[0], v.reasons
    assert check("rm -rf missing-dir").reasons[0].endswith("everything in it")
