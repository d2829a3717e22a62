"""The helper on a real socket and the Ctrl-G widgets in real zsh, bash and fish (pexpect)."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pexpect
import pytest
from conftest import PY, link_models, pin_examples, run_relay

from caro.daemon import protocol


def relay(home, *fields, timeout=30, version="0.1.0"):
    return protocol.decode_reply(
        run_relay(
            home / "run" / "helper.sock",
            f"v={version}",
            *fields,
            timeout=timeout,
            env=dict(os.environ, CARO_HOME=str(home)),
        )
    )


def test_relay_suggest_block_and_cycle(shared_home):
    r = relay(shared_home, "op=suggest", "shell=bash", "cwd=/tmp", "index=0", "text=list files bigger than 100MB here")
    assert r[0] == "insert" and r[1] == "find . -type f -size +100M"
    r2 = relay(shared_home, "op=suggest", "shell=bash", "cwd=/tmp", "index=1", "text=list files bigger than 100MB here")
    assert r2[0] == "insert" and r2[1] != r[1]
    assert relay(shared_home, "op=suggest", "text=")[0] == "error"
    mode = (shared_home / "run").stat().st_mode & 0o777
    assert mode == 0o700


def test_twenty_concurrent_clients_get_their_own_answers(shared_home):
    reqs = [f"show the last {n} lines of file{n}.txt" for n in range(1, 21)]
    results = {}

    def go(req):
        # the twenty wait in line for the one model: a budget for the whole queue, not one answer
        results[req] = relay(shared_home, "op=suggest", "shell=bash", "cwd=/tmp", "index=0", f"text={req}", timeout=120)

    threads = [threading.Thread(target=go, args=(r,)) for r in reqs]
    [t.start() for t in threads]
    [t.join(120) for t in threads]
    for n, req in enumerate(reqs, 1):
        assert results[req][0] == "insert"
        assert f"file{n}.txt" in results[req][1] and f" {n} " in results[req][1] + " "


def test_relay_waits_when_the_listen_queue_is_full(tmp_path):
    # A full Unix-socket backlog makes connect fail with EAGAIN at once; the relay must wait its turn.
    import socket

    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    path = str(run / "helper.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(0)
    fillers = []
    for _ in range(8):  # fill the queue until the kernel refuses
        c = socket.socket(socket.AF_UNIX)
        c.setblocking(False)
        try:
            c.connect(path)
        except BlockingIOError:
            c.close()
            break
        fillers.append(c)
    else:
        pytest.fail("listen queue never filled")

    def serve_late():
        time.sleep(0.5)
        for _ in range(len(fillers) + 1):
            conn, _ = srv.accept()
            conn.settimeout(0.3)  # the fillers never send anything
            data = b""
            try:
                while not data.endswith(b"\x00\x00"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except TimeoutError:
                pass
            if data:
                conn.sendall(protocol.encode_reply("insert", "echo served"))
            conn.close()

    t = threading.Thread(target=serve_late)
    t.start()
    started = time.monotonic()
    r = relay(tmp_path, "op=suggest", "shell=bash", "cwd=/tmp", "index=0", "text=anything", timeout=10)
    assert r[:2] == ["insert", "echo served"] and time.monotonic() - started >= 0.4
    [c.close() for c in fillers]
    t.join(10)
    srv.close()


def test_helper_older_than_the_shell_is_replaced_newer_one_serves_old_shells(tmp_path):
    home = tmp_path / "h"
    link_models(home)
    pin_examples(home)
    env = dict(os.environ, CARO_HOME=str(home))
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, check=True, capture_output=True, timeout=120)
    pid1 = int((home / "run" / "helper.pid").read_text().split()[0])
    # A shell opened before `pip install -U caro` still sends the old version: it keeps being served
    # by the new helper, with a note, instead of restarting the helper on every key press.
    same = relay(home, "op=suggest", "shell=bash", "cwd=/tmp", "index=0", "text=show the last 3 lines of notes.txt")
    assert same[:2] == ["insert", "tail -n 3 notes.txt"] and "upgraded" not in "".join(same)
    r = protocol.decode_reply(
        run_relay(
            home / "run" / "helper.sock",
            "v=0.0.9",
            "op=suggest",
            "shell=bash",
            "cwd=/tmp",
            "index=0",
            "text=show the last 3 lines of notes.txt",
            env=env,
        )
    )
    assert r[0] == "insert" and r[1] == "tail -n 3 notes.txt" and "open a new shell" in r[2]
    assert int((home / "run" / "helper.pid").read_text().split()[0]) == pid1
    # A shell newer than the helper means the helper is the stale one: it answers `stale` and goes.
    import socket

    s = socket.socket(socket.AF_UNIX)
    s.connect(str(home / "run" / "helper.sock"))
    s.sendall(protocol.encode_request({"v": "99.0.0", "op": "ping"}))
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    assert protocol.decode_reply(data)[0] == "stale"
    time.sleep(2.5)
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, check=True, capture_output=True, timeout=120)
    pid2 = int((home / "run" / "helper.pid").read_text().split()[0])
    assert pid1 != pid2
    subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True, timeout=30)


def test_unsafe_runtime_dir_is_refused(tmp_path):
    home = tmp_path / "h"
    (home / "run").mkdir(parents=True)
    os.chmod(home / "run", 0o777)
    r = subprocess.run(
        [PY, "-m", "caro", "helper", "start"],
        env=dict(os.environ, CARO_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1 and str(home / "run") in r.stderr and "chmod 700" in r.stderr


# ---- real shells -------------------------------------------------------------------------

PROMPT = "CARO-PROMPT> "


def _environ(home, changes=None):
    """os.environ for CARO_HOME=home, then `changes` (a None value unsets the variable)."""
    env = dict(os.environ, CARO_HOME=str(home))
    for k, v in (changes or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def _hook(shell, home, key="", changes=None):
    """`caro hook SHELL` for CARO_HOME=home (with CARO_KEY=key when given)."""
    env = dict(_environ(home, changes), **({"CARO_KEY": key} if key else {}))
    return subprocess.run([PY, "-m", "caro", "hook", shell], capture_output=True, text=True, env=env, check=True).stdout


def spawn(shell, home, tmp_path, extra="", changes=None):
    """An interactive `shell` in a pty with caro's hook sourced (twice, as a re-sourced rc file
    does); `changes` edit its environment (None unsets)."""
    hook = tmp_path / f"hook.{shell}"
    changes = {"CARO_RUNTIME_DIR": None, **(changes or {})}
    hook.write_text(_hook(shell, home, changes=changes))
    env = dict(_environ(home, changes), TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(tmp_path))
    if shell == "zsh":
        rc = tmp_path / ".zshrc"
        rc.write_text(f"unset zle_bracketed_paste\nPS1='{PROMPT}'\nRPS1=''\nsource {hook}\nsource {hook}\n{extra}\n")
        env["ZDOTDIR"] = str(tmp_path)
        child = pexpect.spawn("zsh", ["-i"], env=env, encoding="utf-8", timeout=60, dimensions=(24, 200))
    elif shell == "bash":
        rc = tmp_path / ".bashrc"
        rc.write_text(f"bind 'set enable-bracketed-paste off'\nPS1='{PROMPT}'\nsource {hook}\nsource {hook}\n{extra}\n")
        child = pexpect.spawn(
            "bash", ["--rcfile", str(rc), "-i"], env=env, encoding="utf-8", timeout=60, dimensions=(24, 200)
        )
    else:
        conf = tmp_path / ".config" / "fish"
        conf.mkdir(parents=True, exist_ok=True)
        # a fish that never ran generates man-page completions in the background, a CPU-heavy job
        # that starves the model (and would time the widget out): mark this one as initialised
        (conf / "fish_variables").write_text(
            "# This file contains fish universal variable definitions.\n"
            "# VERSION: 3.0\nSETUVAR __fish_initialized:3400\n"
        )
        (tmp_path / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True, exist_ok=True)
        (conf / "config.fish").write_text(
            f"function fish_prompt; echo -n '{PROMPT}'; end\nfunction fish_greeting; end\nset -g fish_autosuggestion_enabled 0\n"
            f"source {hook}\nsource {hook}\n{extra}\n"
        )
        env["XDG_CONFIG_HOME"] = str(tmp_path / ".config")
        child = pexpect.spawn("fish", ["-i"], env=env, encoding="utf-8", timeout=60, dimensions=(24, 200))
    child.expect_exact(PROMPT)
    return child


# insert a literal newline into the buffer (emacs keymap): zsh/fish Alt-Enter, bash C-v C-j
NEWLINE = {"zsh": "\x1b\r", "fish": "\x1b\r", "bash": "\x16\n"}
# start / end of the whole buffer, also when it spans lines
# (zsh: ^A at the start of a line moves to the line above; ^E likewise downwards)
HOME_KEY = {"zsh": "\x01\x01\x01", "fish": "\x1b<", "bash": "\x01"}
END_KEY = {"zsh": "\x05\x05\x05", "fish": "\x1b>", "bash": "\x05"}


def _line(child, shell):
    """Run the current buffer through printf inside single quotes, so we read exactly what the
    shell holds (test buffers contain no single quotes)."""
    marker = "__CARO_BUF__"
    child.send(HOME_KEY[shell])
    child.send("printf '\\x5f_CARO_BUF__%s\\x5f_CARO_BUF__\\n' ")
    child.send("'")
    child.send(END_KEY[shell])
    child.send("'\r")
    child.expect(marker + "(.*?)" + marker + r"\r\n")
    out = child.match.group(1).replace("\r\n", "\n")
    child.expect_exact(PROMPT)
    return out


def press(child, text, expect):
    """Type a request, press Ctrl-G, wait for the expected command to be drawn."""
    child.send(text)
    child.send("\x07")
    child.expect(expect, timeout=60)
    time.sleep(0.3)


SHELLS = [s for s in ("zsh", "bash", "fish") if shutil.which(s)]


@pytest.mark.parametrize("shell", SHELLS)
def test_ctrl_g_replaces_line_and_cycles(shell, shared_home, tmp_path):
    child = spawn(shell, shared_home, tmp_path)
    press(child, "list files bigger than 100MB here", "find \\. -type f -size \\+100M")
    assert _line(child, shell) == "find . -type f -size +100M"
    press(child, "list files bigger than 100MB here", "size")
    child.send("\x07")  # again: next alternative
    time.sleep(1.5)
    second = _line(child, shell)
    assert second != "find . -type f -size +100M" and second.strip()  # the model's alternative
    child.sendline("exit")


@pytest.mark.parametrize("shell", SHELLS)
def test_block_restores_text(shell, shared_home, tmp_path):
    child = spawn(shell, shared_home, tmp_path)
    req = "delete everything in my home directory ünïcode"
    child.send(req)
    child.send("\x07")
    time.sleep(3)
    line = _line(child, shell)
    assert line == req or "rm -rf ~" not in line
    child.sendline("exit")


@pytest.mark.parametrize("shell", SHELLS)
def test_dead_helper_restores_text_and_restarts(shell, tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    link_models(home)
    pin_examples(home)
    env = dict(os.environ, CARO_HOME=str(home))
    child = spawn(shell, home, tmp_path, extra="")
    # no helper yet: the first press starts one
    child.send("how much disk space is free")
    child.send("\x07")
    child.expect("df -h", timeout=120)
    time.sleep(0.3)
    assert _line(child, shell) == "df -h"
    pid = int((home / "run" / "helper.pid").read_text().split()[0])
    os.kill(pid, signal.SIGSTOP)  # hung helper: accepts, never answers
    child.sendline("CARO_TIMEOUT=2" if shell != "fish" else "set -gx CARO_TIMEOUT 2")
    child.expect_exact(PROMPT)
    # multi-line, unicode text must come back exactly after the timeout
    first, second = "find the größten Dateien ✓ 日本", '  and then "quote" it $HOME'
    child.send(first)
    child.send(NEWLINE[shell])
    child.send(second)
    child.send("\x07")
    child.expect("no answer within", timeout=30)
    time.sleep(0.5)
    assert _line(child, shell) == first + "\n" + second
    # Ctrl-C while waiting cancels at once and keeps the text
    child.send("show the kernel ✓ version")
    child.send("\x07")
    time.sleep(1)
    child.send("\x03")
    child.expect("cancelled", timeout=5)
    time.sleep(0.5)
    assert _line(child, shell) == "show the kernel ✓ version"
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    # back to the normal timeout: this press has to start a new helper and load the model
    child.sendline("unset CARO_TIMEOUT" if shell != "fish" else "set -e CARO_TIMEOUT")
    child.expect_exact(PROMPT)
    child.send("show the kernel version")
    child.send("\x07")
    child.expect("uname -r", timeout=120)
    child.sendline("exit")
    subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True, timeout=30)


@pytest.mark.parametrize("shell", SHELLS)
def test_snippet_is_silent_under_strict_flags(shell, tmp_path):
    text = _hook(shell, tmp_path)
    f = tmp_path / f"s.{shell}"
    f.write_text(text)
    if shell == "fish":
        r = subprocess.run(["fish", "--no-config", "-c", f"source {f}"], capture_output=True, text=True)
    else:
        r = subprocess.run(
            [shell, "-euc", f"source {f}"] if shell == "bash" else ["zsh", "-f", "-euc", f"source {f}"],
            capture_output=True,
            text=True,
        )
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""


VI_MODE = {"zsh": "bindkey -v", "bash": "set -o vi", "fish": "fish_vi_key_bindings"}


@pytest.mark.parametrize("shell", SHELLS)
def test_vi_mode_insert_and_command_keymaps(shell, shared_home, tmp_path):
    req = "list files bigger than 100MB here"
    second = relay(shared_home, "op=suggest", f"shell={shell}", f"cwd={tmp_path}", "index=1", f"text={req}")[1]
    child = spawn(shell, shared_home, tmp_path, extra=VI_MODE[shell])
    press(child, req, r"find \. -type f -size \+100M")  # vi insert mode
    child.send("\x1b")  # to command mode
    time.sleep(0.5)
    child.send("\x07")  # next alternative, from command mode
    # the alternative the relay was given, or (when the helper wrote it again: llama.cpp's answers
    # may differ in a character between two runs of one prompt) the note that one was drawn
    child.expect([re.escape(second), r"alternative 2"], timeout=60)
    time.sleep(0.5)
    child.send("A")  # back to insert mode at end of line
    time.sleep(0.2)
    child.send(" #EOL\r")  # run it: a find with a comment, harmless
    child.expect(r"#EOL")
    child.expect_exact(PROMPT)
    child.sendline("exit")


@pytest.mark.parametrize("shell", SHELLS)
def test_undo_returns_to_the_request(shell, shared_home, tmp_path):
    child = spawn(shell, shared_home, tmp_path)
    req = "list files bigger than 100MB here"
    press(child, req, r"find \. -type f -size \+100M")
    child.send("\x1f")  # Ctrl-_ : undo in zsh, readline and fish
    time.sleep(0.5)
    assert _line(child, shell) == req
    child.sendline("exit")


@pytest.mark.parametrize("shell", SHELLS)
def test_a_new_shell_warms_the_helper_in_the_background(shell, tmp_path):
    home = tmp_path / "h"
    link_models(home)
    env = dict(os.environ, CARO_HOME=str(home))
    child = spawn(shell, home, tmp_path)  # the prompt comes at once: the start runs in the background
    sock = home / "run" / "helper.sock"
    deadline = time.monotonic() + 60
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sock.exists(), "the snippet did not start the helper"
    child.sendline("exit")
    subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True, timeout=60)
