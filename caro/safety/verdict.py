"""A verdict as data: what the validator found and what caro does about it (no rules imported,
so a client that only shows a verdict the helper made stays light)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    rule: str
    risk: str
    reason: str


@dataclass
class Verdict:
    command: str
    risk: str
    action: str
    reasons: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.action == "block"

    def as_dict(self) -> dict:
        return {"command": self.command, "risk": self.risk, "action": self.action, "reasons": self.reasons}

    @classmethod
    def from_dict(cls, d: dict) -> Verdict:
        """The helper's JSON form back into a verdict (findings are not sent)."""
        return cls(str(d.get("command", "")), str(d["risk"]), str(d["action"]), [str(r) for r in d.get("reasons", [])])
