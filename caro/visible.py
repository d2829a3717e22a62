"""Text that reaches a terminal: what is shown must be what is there.

A suggestion or a server's error body can carry ESC sequences (clear the line, retitle the
window, hide the tail of a command), C1 controls, or Unicode format characters that reorder or
hide text. Commands holding any of them are refused by the validator (`hidden`); messages are
shown with those characters escaped (`shown`), never interpreted.
"""

from __future__ import annotations

import re

# C0 except tab and newline, DEL, C1 (U+0080-U+009F, incl. NEL), the line/paragraph separators,
# the interlinear annotation marks, and every default-ignorable code point of Unicode
# (DerivedCoreProperties.txt: soft hyphen, zero-width and bidi controls, Hangul fillers, Mongolian
# and other variation selectors, the BOM, tags U+E0000-U+E0FFF …): a terminal draws them as nothing,
# so they can hide what a path or an option really is.
_CONTROLS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufff9-\ufffb"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_HIDDEN = re.compile(f"[{_CONTROLS}]")
_HIDDEN_IN_LINE = re.compile(f"[{_CONTROLS}\t\n]")  # a message is one line: tab and newline too


def hidden(command: str) -> list[str]:
    """The characters in a command that a terminal would not show as themselves, escaped."""
    return sorted({_escape(m.group()) for m in _HIDDEN.finditer(command)})


def _escape(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def shown(text: str, limit: int = 300) -> str:
    """One line fit for a terminal: controls (newlines too) escaped, runs of space folded, cut at `limit`."""
    text = _HIDDEN_IN_LINE.sub(lambda m: " " if m.group() in "\t\n" else _escape(m.group()), text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def command_shown(command: str) -> str:
    """A command for display: newlines kept (a multi-line command is real), everything else escaped."""
    return _HIDDEN.sub(lambda m: _escape(m.group()), command)
