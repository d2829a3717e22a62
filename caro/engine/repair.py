"""Last-resort repairs: an answer that failed its checks only on its surface, mended by rule.

When every answer the model wrote for a request failed a check, the user gets no command at all,
which is always wrong. Often the answer was right but for one thing the model keeps repeating
however it is told (the dev sets' misses, docs/ablation.md): an option its program does not have
(`systemctl list-timers --all --format=…`), or bash's `${f%.txt}` in a fish line. Those parts are
mended mechanically here, and the result must then pass every check like any answer. Nothing is
repaired while an unrepaired answer passes.
"""

from __future__ import annotations

import re

from . import flagcheck

# bash's suffix and prefix removal, `${name%pattern}` / `${name#pattern}` (one character each: the
# longest-match `%%`/`##` forms differ only for patterns with wildcards, which are not rewritten)
_TRIM = re.compile(r"\$\{(\w+)(%|#)([^{}*?\[\]%#]+)\}")
_BRACED = re.compile(r"\$\{(\w+)\}")


def _fish_trim(m: re.Match) -> str:
    name, side, text = m.group(1), m.group(2), re.escape(m.group(3))
    pattern = f"{text}$" if side == "%" else f"^{text}"
    # `$(…)` works inside double quotes too (fish 3.4+), where the expansion usually stands
    return f"$(string replace -r -- '{pattern}' '' ${name})"


def fish_expansions(command: str) -> str:
    """bash parameter expansions a fish line cannot have, in fish's words."""
    return _BRACED.sub(r"{$\1}", _TRIM.sub(_fish_trim, command))


def without_options(command: str, options: list[str]) -> str:
    """The command with each of these options (and a value given with `=`) taken out."""
    for opt in dict.fromkeys(options):
        # a value after `=`, or a quoted one after a space (`--since "24 hours ago"`)
        value = r"(?:=(?:\"[^\"]*\"|'[^']*'|\S+)|\s+(?:\"[^\"]*\"|'[^']*'))?" if opt.startswith("--") else ""
        command = re.sub(rf"\s+{re.escape(opt)}{value}(?=\s|$)", "", command)
    return command


def surface(command: str, shell: str) -> str | None:
    """The command mended where it can be by rule, or None when nothing could be."""
    fixed = fish_expansions(command) if shell == "fish" else command
    invented, _ = flagcheck.option_problems(fixed, shell)
    if invented:
        fixed = without_options(fixed, invented)
    return fixed if fixed != command and fixed.strip() else None
