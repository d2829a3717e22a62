"""How a safety verdict is worded, once, for the CLI, the interactive offer and the helper reply."""

from __future__ import annotations

import re

from .integration import protocol
from .safety import Verdict


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


def helper_reply(command: str, verdict: Verdict, notes: list[str]) -> bytes:
    """The widget's reply: a block keeps the user's text; a warning is inserted with its reason."""
    if verdict.action == "block":
        return protocol.encode_reply("block", "; ".join(verdict.reasons[:2]) or "blocked")
    said = sentence(verdict)
    if verdict.action == "warn":
        return protocol.encode_reply("confirm", command, "; ".join([said, *notes]))
    return protocol.encode_reply("insert", command, "; ".join(n for n in [*notes, said] if n))
