"""`caro check`: the safety verdict for a command, or one per stdin line."""

from __future__ import annotations

import json
import sys

from ..visible import command_shown
from .common import load_config
from .status import Exit


def cmd_check(args) -> int:
    from .. import safety

    cfg = load_config({"safety.mode": args.safety})
    policy = safety.Policy.from_config(cfg.section("safety"))
    if args.command == ["-"]:
        # one command per "\n" only: str.splitlines() also splits at NEL, U+2028 and other characters
        # that can sit inside a quoted argument, and would judge the halves apart
        lines = (l.rstrip("\r") for l in sys.stdin.buffer.read().decode("utf-8", "replace").split("\n"))
        commands = [l for l in lines if l.strip()]
    else:
        commands = [" ".join(args.command)]
    worst = Exit.OK
    for c in commands:
        v = safety.check(c, shell=args.shell, policy=policy)
        if v.blocked:
            worst = Exit.BLOCKED
        if args.json:
            print(json.dumps(v.as_dict()))
        else:
            print(f"{v.action:5} {v.risk:8} {command_shown(c)}")
            for r in v.reasons:
                print(f"      - {r}")
    return worst
