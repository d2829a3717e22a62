"""Pyflakes-level lint (ruff F, E9: unused imports, undefined names, syntax) over the code we ship and measure with."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def test_pyflakes_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it is in the test extra)")
    r = subprocess.run([ruff, "check", "--isolated", "--select", "F,E9", "caro", "benchmarks", "tests"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]
