"""Whether the shell that asked is still waiting.

`waiting` is set by the helper for each request to a function that says whether the asking shell
still holds its end of the socket: a request whose shell gave up (timeout, Ctrl-C) is not started,
and a generation already running for it stops at the next token. (Who goes first is the model
runtime's business: llama.cpp's server decodes a few requests together in its slots and queues
the rest in arrival order.)
"""

from __future__ import annotations

import contextvars


class Abandoned(Exception):
    """The shell that asked has gone; nobody will read the answer."""


waiting: contextvars.ContextVar = contextvars.ContextVar("caro_waiting", default=lambda: True)


def still_wanted() -> bool:
    return bool(waiting.get()())
