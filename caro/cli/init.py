"""`caro init`: the guided setup."""

from __future__ import annotations


def cmd_init(args) -> int:
    from .wizard import run

    return run(yes=args.yes)
