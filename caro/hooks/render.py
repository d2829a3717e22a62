"""Render a shell's snippet: the static file in shell/ behind a head with this install's paths."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from .. import __version__, paths
from ..daemon.protocol import MAX_LINE_CHARS, PROTOCOL
from ..settings import BY_KEY
from . import shells


def key_spec() -> str:
    """The hotkey as the user wrote it: CARO_KEY, else shell.key in config.toml, else Ctrl-G."""
    spec = os.environ.get("CARO_KEY")
    if not spec:
        try:
            from ..config import load

            spec = load().get("shell.key") or str(BY_KEY["shell.key"].default)
        except Exception:  # a broken config must not cost the user their hotkey
            spec = str(BY_KEY["shell.key"].default)
    return spec


def helper_timeout() -> str:
    """helper.timeout from config.toml (seconds a shell waits), baked into the render; CARO_TIMEOUT
    in the shell's environment still wins."""
    try:
        from ..config import load

        return str(int(load().get("helper.timeout")))
    except Exception:  # a broken config must not cost the user their hotkey
        return str(BY_KEY["helper.timeout"].default)


def snippet_path(shell: str) -> Path:
    return paths.resource_dir("shell") / f"caro.{shell}"


def relay_path() -> Path:
    return Path(__file__).resolve().parent.parent / "daemon" / "relay.py"


def runtime_values() -> dict[str, str]:
    """The runtime dir, computed once here and baked into the render with the environment it was
    computed for: a shell in that environment uses it as is; in another one (CARO_HOME exported
    later, another login session) it asks `caro helper dir` once, so the rule is never rewritten
    in shell. Whether the directory is safe is checked by each shell when it is used."""
    return {
        "rundir": shlex.quote(str(paths.runtime_path())),
        "rundir_key": shlex.quote("|".join(os.environ.get(k, "") for k in paths.RUNTIME_INPUTS)),
    }


def render(shell: str) -> str:
    sh = shells.get(shell)
    values = {
        "python": shlex.quote(sys.executable),
        "completions": shlex.quote(str(paths.resource_dir("completions"))),
        "relay": shlex.quote(str(relay_path())),
        "proof": shlex.quote(str(paths.proof_file())),
        "version": __version__,
        "protocol": str(PROTOCOL),
        "timeout": helper_timeout(),
        "max_line": str(MAX_LINE_CHARS),
        **runtime_values(),
        **sh.key(key_spec()),
    }
    return sh.head(values) + sh.wrap(snippet_path(shell).read_text(encoding="utf-8"))
