"""Errors that several layers raise and the CLI, the helper and the wizard word for the user.

Kept on the ground floor so that, for example, the hotkey parser (keys.py) can refuse a spelling
without importing the config module that uses it."""

from __future__ import annotations


class ConfigError(Exception):
    """A config problem the user must fix; the message names the file and what was expected."""
