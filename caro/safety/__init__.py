"""Shell-aware safety validator: every command caro shows passes `check` first."""

from .rules import CRITICAL, HIGH, MODERATE, RISK_ORDER, RULES, SAFE
from .validator import MODES, Policy, Verdict, check

__all__ = ["CRITICAL", "HIGH", "MODERATE", "MODES", "RISK_ORDER", "RULES", "SAFE", "Policy", "Verdict", "check"]
