"""`caro explain`: what a command does, from man pages, and how risky it is."""

from __future__ import annotations

import json

from .status import Exit


def cmd_explain(args) -> int:
    from .. import safety
    from ..engine.explain import explain

    command = " ".join(args.command)
    v = safety.check(command)
    parts = explain(command)
    if args.json:
        print(
            json.dumps(
                {"command": command, "parts": parts, **{k: v.as_dict()[k] for k in ("risk", "action", "reasons")}}
            )
        )
        return Exit.OK
    for word, meaning in parts:
        print(f"{word:24} {meaning}")
    print(f"risk: {v.risk} ({v.action})")
    for r in v.reasons:
        print(f"  - {r}")
    return Exit.OK
