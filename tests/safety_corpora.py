"""The public safety corpora (../shared/bench/safety) and the rows where caro disagrees with a label.

The corpora are test data only; nothing here is copied into caro. Each disagreement says why caro
judges the row differently from the corpus's own policy. A listed row is still checked: the test
asserts caro's verdict for it is the one written here, so a list entry cannot hide a regression.
"""
from __future__ import annotations

import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "safety"
CORPORA = ("dcg", "shellfirm")


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (BENCH / f"{name}.jsonl").read_text().splitlines() if line.strip()]


# (corpus, command) -> (caro's action, why). Filled from reading the misses, one by one.
DISAGREE: dict[tuple[str, str], tuple[str, str]] = {}


def disagreement(name: str, cmd: str) -> tuple[str, str] | None:
    return DISAGREE.get((name, cmd))
