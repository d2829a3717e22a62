"""Lint and types: ruff's default rules (less the few pyproject.toml names, with reasons) and ruff
format over everything we ship, test and measure with; mypy over the package (untyped bodies
checked, and engine and safety fully annotated)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def _tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(path).exists():
        pytest.skip(f"{name} is not installed (it is in the test extra)")
    return path


def test_pyflakes_clean():
    r = subprocess.run(
        [_tool("ruff"), "check", "--isolated", "--select", "F,E9", "caro", "benchmarks", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-3000:]


def test_ruff_default_rules_clean():
    r = subprocess.run(
        [_tool("ruff"), "check", "caro", "benchmarks", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout[-3000:]


def test_mypy_clean_on_the_package():
    r = subprocess.run([_tool("mypy"), "caro"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:]


def test_ruff_format_leaves_the_code_as_it_is():
    r = subprocess.run(
        [_tool("ruff"), "format", "--check", "caro", "benchmarks", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout[-3000:]
