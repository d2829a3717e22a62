"""What several subcommands share: loading the settings with worded errors, saying a verdict."""

from __future__ import annotations

from .. import config as configmod
from .status import Exit, err


def load_config(flags: dict | None = None):
    try:
        cfg = configmod.load(flags=flags)
    except configmod.ConfigError as e:
        err(str(e))
        raise SystemExit(Exit.ERROR)
    for w in cfg.warnings:
        err(w)
    return cfg


def say_verdict(verdict) -> None:
    from ..safety.wording import sentence

    said = sentence(verdict)
    if said:
        err(said)
