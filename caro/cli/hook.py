"""`caro hook`: print a shell snippet, or add/remove the marked block in rc files."""

from __future__ import annotations

import sys

from .status import Exit, err


def cmd_hook(args) -> int:
    bad = [x for x in args.shell if x not in ("zsh", "bash", "fish")]
    if bad:
        err(f"unknown shell {bad[0]!r}; choose zsh, bash or fish")
        return Exit.USAGE
    if not (args.install or args.uninstall):
        if len(args.shell) != 1:
            err("caro hook zsh|bash|fish prints one snippet; to edit rc files use --install or --uninstall")
            return Exit.USAGE
        from ..hooks.render import render

        sys.stdout.write(render(args.shell[0]))
        return Exit.OK
    return hook_rc(args.shell, args.uninstall, args.dry_run)


def hook_rc(shells: list[str], remove: bool, dry_run: bool = False) -> int:
    """Add or remove the rc-file blocks; shared by install.sh and `caro init`."""
    from ..hooks import rcfiles

    try:
        if remove:
            changes = rcfiles.uninstall(shells or rcfiles.SHELLS, dry_run=dry_run)
        else:
            shells = shells or rcfiles.detect()
            if not shells:
                err("no supported shell found ($SHELL is not zsh, bash or fish); name one: caro hook --install zsh")
                return Exit.ERROR
            changes = rcfiles.install(shells, dry_run=dry_run)
    except (rcfiles.RcError, OSError) as e:
        err(str(e))
        return Exit.ERROR
    verb = {
        "added": "added the caro block to",
        "updated": "updated the caro block in",
        "unchanged": "already set up:",
        "kept": "you edited the caro block, so it stays as it is in",
        "removed": "removed the caro block from",
        "absent": "no caro block in",
    }
    if dry_run:
        verb.update(
            added="would add the caro block to",
            updated="would update the caro block in",
            removed="would remove the caro block from",
        )
    for c in changes:
        if remove and c.action == "absent" and not c.path.exists():
            continue
        print(f"{c.shell}: {verb[c.action]} {c.path}")
    changed = [c for c in changes if c.action in ("added", "updated")]
    if not remove and not dry_run and changed:
        print(f"open a new terminal (or run: source {changed[0].path}), type a request and press Ctrl-G")
    return Exit.OK
