"""Shell-aware safety validator: every command caro shows passes `check` first.

The names below are loaded on first use (PEP 562): the rule table and the parser cost ~45 ms to
import, which a client that only shows a verdict the helper already made does not need to pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .verdict import Finding, Verdict

if TYPE_CHECKING:
    from .rules import CRITICAL, HIGH, MODERATE, RISK_ORDER, RULES, SAFE
    from .validator import MODES, Policy, check

_FROM = {
    **dict.fromkeys(("CRITICAL", "HIGH", "MODERATE", "RISK_ORDER", "RULES", "SAFE"), "rules"),
    **dict.fromkeys(("MODES", "Policy", "check"), "validator"),
}

__all__ = [
    "CRITICAL",
    "HIGH",
    "MODERATE",
    "MODES",
    "RISK_ORDER",
    "RULES",
    "SAFE",
    "Finding",
    "Policy",
    "Verdict",
    "check",
]


def __getattr__(name: str) -> object:
    if name in _FROM:
        value = getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
