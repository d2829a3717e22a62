"""What caro knows about each shell it binds a key in, one small class per shell.

Each class answers the same questions (where its start-up file is, the block that goes in it, how
it spells the hotkey, the head of the rendered snippet, how it checks a file's syntax) so that the
installer, the render and the tests ask one object instead of branching on a name in four places.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ..cmdline.dialect import SYNTAX_CHECK
from ..keys import parse_key


class Shell:
    name = ""
    # `name -n`-style syntax check of a file without running it (the render matrix uses it)
    syntax_check: tuple[str, ...] = ()

    def rc_path(self, home: Path, env: dict) -> Path:
        raise NotImplementedError

    def key(self, spec: str) -> dict[str, str]:
        """The hotkey for this shell's bind command, named as the snippet's variables."""
        raise NotImplementedError

    def block_lines(self, snippet: str, bindir: str) -> tuple[str, str]:
        """Two lines, both harmless when run twice: `bindir` on PATH (install.sh links `caro` there;
        login shells of zsh and fish do not read ~/.profile, where ~/.local/bin usually comes from),
        then the rendered snippet sourced if it is readable."""
        path = f'case ":$PATH:" in *:{bindir}:*) ;; *) PATH={bindir}:$PATH; export PATH ;; esac'
        return path, f"if [ -r {snippet} ]; then . {snippet}; fi"

    def assign(self, name: str, value: str) -> str:
        return f"{name}={value}\n"

    def head(self, values: dict[str, str]) -> str:
        """The render's first lines: this install's absolute paths and numbers as shell variables."""
        return "".join(self.assign(f"__caro_{k}", v) for k, v in values.items())

    def wrap(self, body: str) -> str:
        """The static snippet as the render hands it to the shell."""
        return body


class Zsh(Shell):
    name = "zsh"
    syntax_check = SYNTAX_CHECK["zsh"]

    def rc_path(self, home: Path, env: dict) -> Path:
        return Path(env.get("ZDOTDIR") or home) / ".zshrc"

    def key(self, spec: str) -> dict[str, str]:
        mod, letter = parse_key(spec)
        return {"key": shlex.quote(f"^{letter.upper()}" if mod == "ctrl" else f"^[{letter}")}

    def wrap(self, body: str) -> str:
        # `eval "$(caro hook zsh)"` parses the whole text under the user's options before any of it
        # runs, so an `ignore_braces` broke every function body. Handed over as one quoted word,
        # the body is parsed inside `emulate zsh -c`, with zsh's own options and no aliases; the
        # user's options come back when it returns, and the functions it defines keep zsh's
        # options when they run (sticky emulation). Sourcing the rendered file gets the same.
        return f"'builtin' 'emulate' 'zsh' '-o' 'no_aliases' '-c' {shlex.quote(body)}\n"


class Bash(Shell):
    name = "bash"
    syntax_check = SYNTAX_CHECK["bash"]

    def rc_path(self, home: Path, env: dict) -> Path:
        return home / ".bashrc"

    def key(self, spec: str) -> dict[str, str]:
        mod, letter = parse_key(spec)
        return {"key": shlex.quote(f"\\C-{letter}" if mod == "ctrl" else f"\\e{letter}")}


class Fish(Shell):
    name = "fish"
    syntax_check = SYNTAX_CHECK["fish"]

    def rc_path(self, home: Path, env: dict) -> Path:
        return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "fish" / "conf.d" / "caro.fish"

    def key(self, spec: str) -> dict[str, str]:
        # fish 3 binds escape spellings (\cg, \eg); fish 4 names keys (ctrl-g, alt-g) and warns on
        # the old spelling. Both come from the one parsed key; the snippet picks by version.
        mod, letter = parse_key(spec)
        return {"key3": f"\\c{letter}" if mod == "ctrl" else f"\\e{letter}", "key4": f"{mod}-{letter}"}

    def block_lines(self, snippet: str, bindir: str) -> tuple[str, str]:
        return (
            f"contains -- {bindir} $PATH; or set -gx PATH {bindir} $PATH",
            f"test -r {snippet}; and source {snippet}",
        )

    def assign(self, name: str, value: str) -> str:
        return f"set -g {name} {value}\n"


SHELLS: dict[str, Shell] = {s.name: s for s in (Zsh(), Bash(), Fish())}
NAMES = tuple(SHELLS)


class UnknownShell(ValueError):
    pass


def get(name: str) -> Shell:
    try:
        return SHELLS[name]
    except KeyError:
        raise UnknownShell(f"unknown shell {name!r}; choose from {', '.join(NAMES)}") from None
