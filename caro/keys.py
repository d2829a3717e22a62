"""Hotkey names: one spelling in config, the right spelling for each shell."""

from __future__ import annotations

import re

from .errors import ConfigError


def parse_key(spec: str, origin: str = "CARO_KEY") -> tuple[str, str]:
    """'^G', 'ctrl-g', 'C-g', 'alt-e', 'M-e' -> ('ctrl'|'alt', letter)."""
    s = spec.strip()
    m = (
        re.fullmatch(r"\^([A-Za-z])", s)
        or re.fullmatch(r"(?i)(?:ctrl|control|c)[-+]([a-z])", s)
        or re.fullmatch(r"\\C-([a-z])", s)
    )
    if m:
        return "ctrl", m.group(1).lower()
    m = re.fullmatch(r"(?i)(?:alt|meta|m)[-+]([a-z])", s) or re.fullmatch(r"\\e([a-z])", s)
    if m:
        return "alt", m.group(1).lower()
    raise ConfigError(
        f"{origin}: hotkey {spec!r} cannot be bound in every shell; use ctrl-LETTER or alt-LETTER (like ^G or alt-g)"
    )
