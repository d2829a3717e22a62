"""Shell-aware safety validator: every command caro shows passes `check` first."""
from .rules import CRITICAL, HIGH, MODERATE, RISK_ORDER, RULES, SAFE
from .validator import MODES, Policy, Verdict, check

__all__ = ["check", "Verdict", "Policy", "MODES", "RULES", "RISK_ORDER", "SAFE", "MODERATE", "HIGH", "CRITICAL"]
