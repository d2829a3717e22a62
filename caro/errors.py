"""Errors that several layers raise and the CLI, the helper and the wizard word for the user.

Kept on the ground floor so that, for example, the hotkey parser (keys.py) can refuse a spelling
without importing the config module that uses it."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """caro's exit statuses, for the CLI, and carried by the helper's error replies."""

    OK = 0
    ERROR = 1  # something went wrong and the message says what to do
    USAGE = 2  # the command line itself was wrong
    BLOCKED = 3  # safety blocked the command: nothing was printed to run
    NO_BACKEND = 4  # no model could answer
    INTERRUPTED = 130  # Ctrl-C


class ConfigError(Exception):
    """A config problem the user must fix; the message names the file and what was expected."""
