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

    def __enter__(self) -> Spinner:
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


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


class Transfer:
    """Bytes done / total, rate and ETA for a long copy or download.

    On a terminal it redraws one line (at most 10 times a second); otherwise it prints a line at
    every quarter, so logs of install.sh still show that something is moving.
    """

    def __init__(self, label: str, total: int, stream=None):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self._last = 0.0
        self._quarter = 0
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False

    def line(self, done: int) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-6)
        rate = done / elapsed
        text = f"{self.label}: {_size(done)}"
        if self.total:
            text += f" / {_size(self.total)} ({done * 100 // self.total}%)"
        text += f"  {_size(rate)}/s"
        if self.total and rate > 0 and done < self.total:
            text += f"  ETA {int((self.total - done) / rate)}s"
        return text

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not hasattr(self, "_began"):
            self._began = True
            self.start = now  # the rate counts from the first byte, not from construction
        if self.tty:
            if final or now - self._last >= 0.1:
                self.stream.write("\r\033[K" + self.line(done) + ("\n" if final else ""))
                self.stream.flush()
                self._last = now
            return
        quarter = done * 4 // self.total if self.total else 0
        if quarter > self._quarter or final and quarter < 4:
            self._quarter = quarter
            self.stream.write(self.line(done) + "\n")
            self.stream.flush()
