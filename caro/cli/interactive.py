"""On a terminal: show the command, then edit / run / copy / quit. Nothing runs without a key press."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

from .status import Exit, err

CLIPBOARD_TOOLS = (["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "-ib"], ["pbcopy"])


def copy(text: str, env=None) -> tuple[bool, str]:
    """Put text on the clipboard; (done, what happened), worded for the user either way."""
    env = os.environ if env is None else env
    failed = []
    for tool in CLIPBOARD_TOOLS:
        if not shutil.which(tool[0], path=env.get("PATH")):
            continue
        try:
            r = subprocess.run(tool, input=text.encode(), capture_output=True, timeout=5, env=env)
        except (OSError, subprocess.SubprocessError) as e:
            failed.append(f"{tool[0]} ({type(e).__name__})")
            continue
        if r.returncode == 0:
            return True, f"copied with {tool[0]}"
        why = r.stderr.decode(errors="replace").strip().splitlines()
        failed.append(f"{tool[0]} ({why[0][:80] if why else 'exit ' + str(r.returncode)})")
    # no clipboard program works (inside tmux, over SSH): tmux's own buffer, then the terminal's
    # clipboard by escape sequence (OSC 52), which many terminals accept and some refuse
    if env.get("TMUX") and shutil.which("tmux", path=env.get("PATH")):
        for args in (["tmux", "load-buffer", "-w", "-"], ["tmux", "load-buffer", "-"]):
            try:
                r = subprocess.run(args, input=text.encode(), capture_output=True, timeout=5, env=env)
            except (OSError, subprocess.SubprocessError):
                break
            if r.returncode == 0:
                return True, "copied into tmux's paste buffer (paste with prefix ])"
    if env.get("TERM", "dumb") != "dumb" and _osc52(text):
        return True, "sent to your terminal's clipboard (OSC 52; some terminals ignore it)"
    if failed:
        return False, "could not copy: " + ", ".join(failed) + " failed"
    return False, (
        "could not copy: no clipboard tool found; install wl-clipboard (Wayland), "
        "xclip or xsel (X11), or select the command above with the mouse"
    )


HISTORY_FILE = "CARO_HISTORY_FILE"


def remember(command: str, env=None) -> str:
    """Leave the command that [r]un is about to run where the shell's `caro` function (from
    `caro hook`) puts it into the shell's history once caro exits, so the arrow key finds it as if
    it was typed: a program cannot write its parent shell's history itself. The file is the one the
    function made for this call (mktemp: ours, private, regular); anything else is left alone.
    Returns a note for the user, or "" when the command will be in the history."""
    env = os.environ if env is None else env
    target = env.get(HISTORY_FILE, "")
    if not target:
        return "not in your shell's history (load caro's shell hook and it will be: caro hook --help)"
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        return f"not in your shell's history: cannot write {target} ({e.strerror})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return f"not in your shell's history: {target} is not a private file of yours"
        os.ftruncate(fd, 0)
        os.write(fd, command.encode())
        return ""
    finally:
        os.close(fd)


def _osc52(text: str) -> bool:
    """Ask the terminal itself to take `text` as its clipboard (OSC 52), written to /dev/tty."""
    import base64

    try:
        with open("/dev/tty", "w") as tty:
            tty.write("\x1b]52;c;" + base64.b64encode(text.encode()).decode() + "\x07")
        return True
    except OSError:
        return False


def _read_key(prompt: str) -> str:
    """One key press, no Enter needed on a terminal (a pipe gives a line)."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    if sys.stdin.isatty():
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            # keys typed before the question are not the answer (`echo rc=$?` typed ahead once
            # became [e]dit and `rebootcho rc=$?`): drop them, then wait for a deliberate key
            termios.tcflush(fd, termios.TCIFLUSH)
            ch = os.read(fd, 1).decode(errors="replace")
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        sys.stderr.write((ch if ch.isprintable() else "") + "\n")
        if ch == "\x03":
            raise KeyboardInterrupt
        return "q" if ch in ("\x04", "\x1b") else ch.strip().lower()
    line = sys.stdin.readline()
    return line.strip().lower()[:1] if line else "q"


def offer(s, cfg) -> int:
    """Show the command and let the user edit, run, copy or leave it; an edited command is judged
    again under the same safety settings (mode, allow-list, rules) as the suggestion."""
    command = s.command
    verdict = s.verdict
    print(command)
    sys.stdout.flush()
    from ..safety.wording import sentence

    if sentence(verdict):
        err(sentence(verdict))
    while True:
        key = _read_key("[e]dit  [r]un  [c]opy  [q]uit > ")
        if key == "e":
            from prompt_toolkit import prompt as pt_prompt

            command = pt_prompt("$ ", default=command)
            from .. import safety

            verdict = safety.check(command, policy=safety.Policy.from_config(cfg.section("safety")))
            if verdict.blocked:
                err(sentence(verdict))
                return Exit.BLOCKED
            continue
        if key == "r":
            if verdict.action == "warn":
                sys.stderr.write("this command is risky; type 'yes' to run it: ")
                sys.stderr.flush()
                if sys.stdin.readline().strip().lower() != "yes":
                    err("not run")
                    continue
            said = remember(command)
            if said:
                err(said)
            shell = os.environ.get("SHELL", "/bin/sh")
            return subprocess.call([shell, "-c", command])
        if key == "c":
            done, said = copy(command)
            err(said)
            return Exit.OK if done else Exit.ERROR
        if key in ("q", ""):
            return Exit.OK
