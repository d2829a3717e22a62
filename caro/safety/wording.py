"""How a safety verdict is worded, once, for the CLI, the interactive offer and the helper's reply."""

from __future__ import annotations

import re

from . import Verdict


def _clause(reason: str) -> str:
    """A reason as a clause: "rm: deletes ~ …" → "rm deletes ~ …", "reboot: reboot shuts down …" →
    "reboot shuts down …", "is obfuscated …" → "this command is obfuscated …"."""
    m = re.match(r"^([\w.+-]+): (.+)$", reason, re.DOTALL)
    if not m:
        return "this command " + reason
    prog, rest = m.groups()
    return rest if rest.startswith(prog + " ") else f"{prog} {rest}"


def sentence(verdict: Verdict) -> str:
    """One line for stderr / the widget message, empty for a safe command."""
    reasons = "; ".join(_clause(r) for r in verdict.reasons[:2])
    if verdict.action == "block":
        return "blocked: " + (reasons or "this command is judged critical")
    if verdict.action == "warn":
        return "warning: " + reasons
    if verdict.reasons and verdict.risk != "safe":
        return "note: " + _clause(verdict.reasons[0])
    return ""
