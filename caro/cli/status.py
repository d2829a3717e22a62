"""How `caro` ends: its exit statuses, and the one way it speaks on stderr."""

from __future__ import annotations

import sys
from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    ERROR = 1  # something went wrong and the message says what to do
    USAGE = 2  # the command line itself was wrong
    BLOCKED = 3  # safety blocked the command: nothing was printed to run
    NO_BACKEND = 4  # no model could answer
    INTERRUPTED = 130  # Ctrl-C


def err(msg: str) -> None:
    """One line on stderr; text from servers and models arrives here too, so controls are escaped."""
    from ..visible import shown

    print(f"caro: {shown(msg, 2000)}", file=sys.stderr)
