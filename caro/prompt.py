"""Build the prompt shared by every backend: context, retrieved examples, the request."""
from __future__ import annotations

from .backends.base import Prompt
from .context import Context


def system_text(ctx: Context, json_output: bool = False) -> str:
    shell = ctx.shell if ctx.shell in ("bash", "zsh", "fish", "sh") else "bash"
    flavour = "GNU" if ctx.flavour == "gnu" else "BSD/macOS"
    fmt = ('Reply with JSON: {"command": "...", "explanation": "..."}.' if json_output
           else "Reply with the command only, on one line, no explanation.")
    return (f"You turn a request into one {shell} command for {ctx.distro or ctx.os} with {flavour} tools. "
            f"Use only real options. Work in the current directory unless a path is given. {fmt}")


def build(request: str, ctx: Context, shots: list[tuple[str, str]], json_output: bool = False) -> Prompt:
    return Prompt(system=system_text(ctx, json_output), shots=shots[:4], request=request.strip(), json_output=json_output)
