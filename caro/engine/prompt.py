"""The prompt every backend gets: where the command runs, the shell's syntax, the request.

Kept short: a 1.5B model follows a few plain sentences better than a page of rules. Each line
is here because the fresh dev split showed the model needed it (docs/ablation.md).
"""

from __future__ import annotations

from ..backends.base import Prompt
from ..knowledge import tldr
from ..knowledge.tldr import Example
from .context import Context

_SYNTAX = {
    "fish": (
        "fish syntax, not bash: `for f in *.txt; echo $f; end`, `for i in (seq 3); echo $i; end`, `set -gx NAME value`, "
        "`(command)` for substitution, `; and` / `; or`, `if test -f x; …; end`. Never `do`/`done` or `${…}`."
    ),
    "zsh": "",
    "bash": "",
    "sh": "",
}
_TOOLS = {"bsd": "BSD/macOS ones (`sed -i ''`, `stat -f`, `date -v`, no `find -printf`)"}


def system_text(ctx: Context) -> str:
    # A long prompt listing tools and rules scored 60.0 % on the fresh dev split, this short one
    # 75.0 % (docs/ablation.md): the 1.5B copies whatever the prompt names (`find -printf`
    # everywhere) and, told the cwd's path, wrote it instead of `.`; so only what it must not get
    # wrong is said.
    shell = ctx.shell if ctx.shell in _SYNTAX else "bash"
    fish = (" " + _SYNTAX["fish"]) if shell == "fish" else ""
    bsd = f" The tools are {_TOOLS['bsd']}." if ctx.flavour == "bsd" else ""
    return (
        f"You are an expert in the {shell} shell on {ctx.distro or ctx.os}.{fish}{bsd} "
        "Turn the user's request into exactly one command line. A request to show, list, find, count or check "
        "something gets a command that only reads. Reply with the command only."
    )


def build(
    request: str, ctx: Context, shots: list[tuple[str, str]], avoid: list[tuple[str, str]] | None = None
) -> Prompt:
    text = request.strip()
    if avoid:
        # asked again: say which answers were refused and why, so the model can correct itself
        said = "; ".join(f"`{cmd}` ({why})" for cmd, why in avoid[-4:])
        text += f"\n(Not these, they do not fit: {said}. Give another single command.)"
    return Prompt(system=system_text(ctx), shots=shots[:4], request=text)


def with_references(p: Prompt, references: list[Example]) -> Prompt:
    """The same prompt with documentation examples in the system text (after the shared part, so
    the runtime reuses the cached start). `<…>` marks a value the request must supply."""
    lines = "\n".join(f"- {e.description}: `{tldr.render(e.template)}`" for e in references)
    system = (
        f"{p.system}\nExamples from the tldr pages (replace each <…> with the request's own names, "
        f"and adapt the options to the request):\n{lines}"
    )
    return Prompt(system=system, shots=p.shots, request=p.request)


def review(command: str, request: str, ctx: Context) -> tuple[Prompt, str]:
    """The reviewer's question, read backwards: given the command, how likely is the request?
    (The model's likelihood of the request, not of the command: it rewards commands that do all
    the request says, where the forward likelihood rewards short, common ones.)"""
    shell = ctx.shell if ctx.shell in _SYNTAX else "bash"
    system = f"Given a {shell} command, write the request a user typed to get it."
    return Prompt(system=system, shots=[], request=command), request
