"""Render the shell snippets: the static files in shell/ with absolute paths put in front."""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from . import __version__, paths
from .keys import for_shell, parse_key
from .protocol import PROTOCOL


def key_spec() -> str:
    """The hotkey as the user wrote it: CARO_KEY, else shell.key in config.toml, else Ctrl-G."""
    spec = os.environ.get("CARO_KEY")
    if not spec:
        try:
            from .config import load
            spec = load().get("shell.key", "^G")
        except Exception:           # a broken config must not cost the user their hotkey
            spec = "^G"
    return spec


def snippet_path(shell: str) -> Path:
    return paths.resource_dir("shell") / f"caro.{shell}"


def render(shell: str) -> str:
    python = sys.executable
    relay = str(Path(__file__).resolve().parent / "relay.py")
    body = snippet_path(shell).read_text(encoding="utf-8")
    spec = key_spec()
    key = for_shell(spec, shell)
    comp = str(paths.resource_dir("completions"))
    if shell == "fish":
        mod, letter = parse_key(spec)
        head = (f"set -g __caro_python {shlex.quote(python)}\n"
                f"set -g __caro_completions {shlex.quote(comp)}\n"
                f"set -g __caro_relay {shlex.quote(relay)}\n"
                f"set -g __caro_version {__version__}\n"
                f"set -g __caro_protocol {PROTOCOL}\n"
                f"set -g __caro_key3 {key}\n"
                f"set -g __caro_key4 {'ctrl' if mod == 'ctrl' else 'alt'}-{letter}\n")
    else:
        head = (f"__caro_python={shlex.quote(python)}\n"
                f"__caro_completions={shlex.quote(comp)}\n"
                f"__caro_relay={shlex.quote(relay)}\n"
                f"__caro_version={__version__}\n"
                f"__caro_protocol={PROTOCOL}\n"
                f"__caro_key={shlex.quote(key)}\n")
    if shell == "zsh":
        # `eval "$(caro hook zsh)"` parses the whole text under the user's options before any of it
        # runs, so an `ignore_braces` broke every function body. Handed over as one quoted word,
        # the body is parsed inside `emulate zsh -c`, with zsh's own options and no aliases; the
        # user's options come back when it returns, and the functions it defines keep zsh's
        # options when they run (sticky emulation). Sourcing the rendered file gets the same.
        return head + f"'builtin' 'emulate' 'zsh' '-o' 'no_aliases' '-c' {shlex.quote(body)}\n"
    return head + body
