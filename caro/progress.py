"""A quiet progress line: nothing for fast answers, elapsed time once a wait gets long.

Only drawn when stderr is a terminal, so pipes, --json and the shell widgets never see it.
"""
from __future__ import annotations

import sys
import threading
import time

FRAMES = "|/-\\"


class Spinner:
    def __init__(self, label: str, after: float = 5.0, stream=None, interval: float = 0.2):
        self.label = label
        self.after = after
        self.stream = stream or sys.stderr
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.drawn = False

    def _run(self, start: float) -> None:
        if self._stop.wait(self.after):
            return
        i = 0
        while not self._stop.is_set():
            self.stream.write(f"\r{FRAMES[i % len(FRAMES)]} {self.label} {time.monotonic() - start:.0f}s ")
            self.stream.flush()
            self.drawn = True
            i += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> "Spinner":
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        if tty:
            self._thread = threading.Thread(target=self._run, args=(time.monotonic(),), daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
            if self.drawn:
                self.stream.write("\r\033[K")
                self.stream.flush()
