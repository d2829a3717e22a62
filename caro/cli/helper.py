"""`caro helper start|stop|status|run`."""
from __future__ import annotations


def cmd_helper(args) -> int:
    from .. import helper
    return helper.command(args.action, foreground=args.foreground)
