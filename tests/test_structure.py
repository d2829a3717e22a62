"""The layout's promises, checked on the source: no import circles anywhere in caro/ (imports
inside functions count too), and nothing below the CLI package imports from it."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PKG = ROOT / "caro"


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = p
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        here = m.split(".") if p.name == "__init__.py" else m.split(".")[:-1]
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = here[: len(here) - (node.level - 1)] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods]
                # `from . import paths` imports the submodule, not the package's own names
                for t in subs if len(subs) == len(node.names) else [target, *subs]:
                    if t in mods and t != m:
                        edges[m].add(t)
            elif isinstance(node, ast.Import):
                edges[m].update(a.name for a in node.names if a.name in mods and a.name != m)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root, targets in edges.items():
        if root in index:
            continue
        work = [(root, iter(sorted(targets)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = stack.pop()
                        on.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
            elif w not in index:
                index[w] = low[w] = counter
                counter += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(edges[w]))))
            elif w in on:
                low[v] = min(low[v], index[w])
    return found


def test_no_import_circles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_planted_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "caro"


def _upward(graph: dict[str, set[str]], layers) -> list[tuple[str, str]]:
    layer = {name: i for i, names in enumerate(layers) for name in names}
    return sorted((m, t) for m, ts in graph.items() for t in ts if layer[_unit(t)] > layer[_unit(m)])


def test_no_import_runs_upward():
    """caro.LAYERS is the architecture: each import goes to the same layer or one below."""
    from caro import LAYERS

    placed = {name for names in LAYERS for name in names}
    assert {_unit(m) for m in _graph()} - placed == set(), "a new module or package: place it in caro.LAYERS"
    assert _upward(_graph(), LAYERS) == []


def test_the_layer_check_finds_a_planted_upward_import():
    from caro import LAYERS

    planted = {"caro.config": {"caro.hooks.shells", "caro.paths"}, "caro.hooks.shells": {"caro.config"}}
    assert _upward(planted, LAYERS) == [("caro.config", "caro.hooks.shells")]


def test_nothing_below_the_cli_imports_it():
    up = sorted(
        (m, t)
        for m, ts in _graph().items()
        for t in ts
        if t.startswith("caro.cli") and not m.startswith("caro.cli") and m != "caro.__main__"
    )
    assert up == []


def test_every_package_is_shipped():
    """pyproject.toml lists the packages by hand: one left out installs without its modules (a
    non-editable install then fails with ModuleNotFoundError, as `caro docs` once did)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PKG.rglob("__init__.py")}
    assert found - listed == set()
