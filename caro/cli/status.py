"""How `caro` ends: its exit statuses, and the one way it speaks on stderr."""

from __future__ import annotations

import sys

from ..errors import Exit

__all__ = ["Exit", "err"]


def err(msg: str) -> None:
    """One line on stderr; text from servers and models arrives here too, so controls are escaped."""
    from ..visible import shown

    print(f"caro: {shown(msg, 2000)}", file=sys.stderr)
