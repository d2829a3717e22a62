"""`caro "request"`: ask the warm helper (or a one-off engine) and print or offer the command."""

from __future__ import annotations

import json
import os
import sys

from ..visible import shown
from .common import load_config, say_verdict
from .status import Exit, err


def build_engine(args, cfg):
    from ..backends.base import BackendError
    from ..backends.select import select
    from ..engine.pipeline import Engine

    try:
        backend, notices = select(
            cfg,
            getattr(args, "backend", None),
            getattr(args, "model", None),
            getattr(args, "no_fallback", False),
            getattr(args, "verbose", False),
        )
    except BackendError as e:
        err(str(e))
        raise SystemExit(Exit.NO_BACKEND)
    return Engine(cfg, backend, notices)


def _uses_helper(args) -> bool:
    """The CLI asks the running helper (one warm model for every entry point) unless a backend or
    model is chosen for this call only, which the shared helper does not serve."""
    return not (
        getattr(args, "backend", None)
        or getattr(args, "model", None)
        or getattr(args, "no_fallback", False)
        or os.environ.get("CARO_BACKEND")
        or os.environ.get("CARO_MODEL")
        or os.environ.get("CARO_NO_HELPER")
    )


def _suggest_via_helper(request: str, shell: str | None, cfg):
    """Ask the helper (starting it when needed) for the whole suggestion, judged under this call's
    safety mode; rebuilt here from its reply without importing the engine or the validator."""
    from ..daemon import client
    from ..engine.suggestion import EngineError, Option, Suggestion
    from ..safety.verdict import Verdict

    try:
        client.start()
        kind, *fields = client.ask(
            {
                "op": "suggest",
                "format": "json",
                "text": request,
                "index": "0",
                "shell": shell or os.path.basename(os.environ.get("SHELL", "bash")) or "bash",
                "cwd": os.getcwd(),
                "safety": str(cfg.get("safety.mode", "moderate")),
            },
            timeout=float(os.environ.get("CARO_TIMEOUT", "60")),
        )
    except (RuntimeError, OSError) as e:
        raise EngineError(f"the caro helper could not answer ({e}); run: caro doctor", Exit.NO_BACKEND) from None
    if kind != "json":
        msg = fields[0] if fields else "no answer"
        # the helper sends the exit status with the error (an older helper does not: 4)
        code = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else Exit.NO_BACKEND
        raise EngineError(msg, code)
    try:
        got = json.loads(fields[0])
        judged = [Option(o["command"], Verdict.from_dict(o), o.get("source", "model")) for o in got["options"]]
        if not judged:
            raise ValueError("it holds no command")
        return Suggestion(
            request,
            judged,
            got["backend"],
            got["model"],
            got["elapsed_ms"],
            got.get("explanation", ""),
            got.get("notices", []),
        )
    except (ValueError, KeyError, TypeError, IndexError) as e:
        raise EngineError(
            f"the caro helper sent a reply this caro cannot read ({e}); run: caro helper stop", Exit.NO_BACKEND
        ) from None


def cmd_request(args, request: str) -> int:
    from ..backends.base import BackendError
    from ..engine.suggestion import EngineError, check_request

    flags = {"safety.mode": args.safety}
    cfg = load_config(flags)
    from ..progress import Spinner

    try:
        check_request(request)
        if _uses_helper(args):
            with Spinner("thinking"):
                s = _suggest_via_helper(request, args.shell, cfg)
        else:
            engine = build_engine(args, cfg)
            with Spinner(f"waiting for {engine.backend.name}"):
                s = engine.suggest(request, shell=args.shell)
    except EngineError as e:
        err(str(e))
        return e.code
    except BackendError as e:
        err(str(e))
        return Exit.NO_BACKEND
    for n in s.notices:
        err(n)
    if args.json:
        out = s.as_dict()
        if s.verdict.blocked:
            out["command"] = ""
            out["blocked_command"] = s.command
        print(json.dumps(out))
        return Exit.BLOCKED if s.verdict.blocked else Exit.OK
    if s.verdict.blocked:
        say_verdict(s.verdict)
        err(f"not shown: the command is judged critical (it was: {shown(s.command, 120)})")
        return Exit.BLOCKED
    if args.explain:
        # the model's own words when it gave some; else (the default model gives none) the manuals'
        from ..engine import context
        from ..engine.pipeline import explain_line

        err(s.explanation or explain_line(s.command, s.verdict, context.detect(args.shell, None)))
    if args.verbose:
        err(f"{s.backend}/{s.model} · {s.source} · {s.elapsed_ms:.0f} ms · risk {s.verdict.risk}")
    interactive = sys.stdout.isatty() and sys.stdin.isatty() and not args.print_only
    if not interactive:
        say_verdict(s.verdict)
        print(s.command)
        return Exit.OK
    from .interactive import offer

    return offer(s, cfg)
