import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


@pytest.fixture(autouse=True)
def caro_home(tmp_path, monkeypatch):
    """Every test gets its own CARO_HOME; the real home is never touched."""
    home = tmp_path / "carohome"
    home.mkdir()
    monkeypatch.setenv("CARO_HOME", str(home))
    monkeypatch.delenv("CARO_RUNTIME_DIR", raising=False)
    for var in ("CARO_BACKEND", "CARO_MODEL", "CARO_SAFETY", "CARO_KEY"):
        monkeypatch.delenv(var, raising=False)
    return home


def run_caro(*args, input=None, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([PY, "-m", "caro", *args], input=input, capture_output=True, text=True,
                          timeout=timeout, env=e, cwd=str(ROOT))


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory):
    """One CARO_HOME with a running helper, shared by the slow integration tests."""
    home = tmp_path_factory.mktemp("shared") / "carohome"
    home.mkdir()
    env = dict(os.environ, CARO_HOME=str(home))
    env.pop("CARO_RUNTIME_DIR", None)
    subprocess.run([PY, "-m", "caro", "helper", "start"], env=env, check=True, capture_output=True, timeout=120)
    yield home
    subprocess.run([PY, "-m", "caro", "helper", "stop"], env=env, capture_output=True, timeout=30)
