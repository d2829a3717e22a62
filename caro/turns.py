"""Whose turn it is at the model, and whether the shell that asked is still waiting.

The helper serves every shell at once, but one in-process model can run only one generation at
a time. `FairLock` hands the model out first come, first served (a plain Lock makes no such
promise: a busy thread can take it again and again). `waiting` is set by the helper for each
request to a function that says whether the asking shell still holds its end of the socket:
a request whose shell gave up (timeout, Ctrl-C) is dropped when its turn comes, and a
generation already running for it stops at the next token.
"""

from __future__ import annotations

import contextvars
import threading
from contextlib import contextmanager


class Abandoned(Exception):
    """The shell that asked has gone; nobody will read the answer."""


waiting: contextvars.ContextVar = contextvars.ContextVar("caro_waiting", default=lambda: True)


def still_wanted() -> bool:
    return bool(waiting.get()())


class FairLock:
    def __init__(self):
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    @contextmanager
    def turn(self):
        """Wait for this thread's turn in arrival order; raise Abandoned if by then nobody waits for it."""
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._cond.wait()
        try:
            if not still_wanted():
                raise Abandoned
            yield
        finally:
            with self._cond:
                self._serving += 1
                self._cond.notify_all()

    @property
    def queued(self) -> int:
        with self._cond:
            return self._next_ticket - self._serving
