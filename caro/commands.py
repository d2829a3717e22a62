"""What each `caro` command does. cli.py only parses; this module acts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from . import config as configmod
from . import paths
from .cli import (EXIT_BLOCKED, EXIT_ERROR, EXIT_NO_BACKEND, EXIT_OK, EXIT_USAGE, err)


def _load_config(flags: dict | None = None):
    try:
        cfg = configmod.load(flags=flags)
    except configmod.ConfigError as e:
        err(str(e))
        raise SystemExit(EXIT_ERROR)
    for w in cfg.warnings:
        err(w)
    return cfg


def _print_verdict_notes(verdict) -> None:
    if verdict.action == "block":
        err("blocked: this command " + "; ".join(verdict.reasons[:2]))
    elif verdict.action == "warn":
        err("warning: this command " + "; ".join(verdict.reasons[:2]))
    elif verdict.reasons and verdict.risk != "safe":
        err("note: this command " + verdict.reasons[0])


def build_engine(args, cfg):
    from .backends.base import BackendError
    from .backends.select import select
    from .engine import Engine
    try:
        backend, notices = select(cfg, getattr(args, "backend", None), getattr(args, "model", None),
                                  getattr(args, "no_fallback", False), getattr(args, "verbose", False))
    except BackendError as e:
        err(str(e))
        raise SystemExit(EXIT_NO_BACKEND)
    from .privacy import remote_notice
    remote_notice(backend)
    return Engine(cfg, backend, notices)


def cmd_request(args, request: str) -> int:
    from .backends.base import BackendError
    from .engine import EngineError
    flags = {"safety.mode": args.safety}
    cfg = _load_config(flags)
    engine = build_engine(args, cfg)
    from .progress import Spinner
    try:
        with Spinner(f"waiting for {engine.backend.name}"):
            s = engine.suggest(request, shell=args.shell)
    except EngineError as e:
        err(str(e))
        return e.code
    except BackendError as e:
        err(str(e))
        return EXIT_NO_BACKEND
    for n in s.notices:
        err(n)
    if args.json:
        out = s.as_dict()
        if s.verdict.blocked:
            out["command"] = ""
            out["blocked_command"] = s.command
        print(json.dumps(out))
        return EXIT_BLOCKED if s.verdict.blocked else EXIT_OK
    if s.verdict.blocked:
        _print_verdict_notes(s.verdict)
        err(f"caro will not show a command it judges critical (it suggested: {s.command[:120]})")
        return EXIT_BLOCKED
    if args.explain and s.explanation:
        err(s.explanation)
    if args.verbose:
        err(f"{s.backend}/{s.model} · {s.source} · {s.elapsed_ms:.0f} ms · risk {s.verdict.risk}")
    interactive = sys.stdout.isatty() and sys.stdin.isatty() and not args.print_only
    if not interactive:
        _print_verdict_notes(s.verdict)
        print(s.command)
        return EXIT_OK
    from .interactive import offer
    return offer(s)


def cmd_check(args) -> int:
    from . import safety
    cfg = _load_config({"safety.mode": args.safety})
    policy = safety.Policy.from_config(cfg.section("safety"))
    if args.command == ["-"]:
        lines = (l.rstrip("\n") for l in sys.stdin.buffer.read().decode("utf-8", "replace").splitlines())
        commands = [l for l in lines if l.strip()]
    else:
        commands = [" ".join(args.command)]
    worst = EXIT_OK
    for c in commands:
        v = safety.check(c, shell=args.shell, policy=policy)
        if v.blocked:
            worst = EXIT_BLOCKED
        if args.json:
            print(json.dumps(v.as_dict()))
        else:
            print(f"{v.action:5} {v.risk:8} {c}")
            for r in v.reasons:
                print(f"      - {r}")
    return worst


def cmd_explain(args) -> int:
    from . import safety
    from .explain import explain
    command = " ".join(args.command)
    v = safety.check(command)
    parts = explain(command)
    if args.json:
        print(json.dumps({"command": command, "parts": parts, **{k: v.as_dict()[k] for k in ("risk", "action", "reasons")}}))
        return EXIT_OK
    for word, meaning in parts:
        print(f"{word:24} {meaning}")
    print(f"risk: {v.risk} ({v.action})")
    for r in v.reasons:
        print(f"  - {r}")
    return EXIT_OK


def cmd_hook(args) -> int:
    bad = [x for x in args.shell if x not in ("zsh", "bash", "fish")]
    if bad:
        err(f"unknown shell {bad[0]!r}; choose zsh, bash or fish")
        return EXIT_USAGE
    if not (args.install or args.uninstall):
        if len(args.shell) != 1:
            err("caro hook zsh|bash|fish prints one snippet; to edit rc files use --install or --uninstall")
            return EXIT_USAGE
        from .hook import render
        sys.stdout.write(render(args.shell[0]))
        return EXIT_OK
    return hook_rc(args.shell, args.uninstall, args.dry_run)


def hook_rc(shells: list[str], remove: bool, dry_run: bool = False) -> int:
    """Add or remove the rc-file blocks; shared by install.sh and `caro init`."""
    from . import rcfiles
    try:
        if remove:
            changes = rcfiles.uninstall(shells or rcfiles.SHELLS, dry_run=dry_run)
        else:
            shells = shells or rcfiles.detect()
            if not shells:
                err("no supported shell found ($SHELL is not zsh, bash or fish); name one: caro hook --install zsh")
                return EXIT_ERROR
            changes = rcfiles.install(shells, dry_run=dry_run)
    except (rcfiles.RcError, OSError) as e:
        err(str(e))
        return EXIT_ERROR
    verb = {"added": "added the caro block to", "updated": "updated the caro block in",
            "unchanged": "already set up:", "removed": "removed the caro block from", "absent": "no caro block in"}
    if dry_run:
        verb.update(added="would add the caro block to", updated="would update the caro block in",
                    removed="would remove the caro block from")
    for c in changes:
        if remove and c.action == "absent" and not c.path.exists():
            continue
        print(f"{c.shell}: {verb[c.action]} {c.path}")
    if not remove and not dry_run and any(c.action != "unchanged" for c in changes):
        print("open a new terminal (or source the file), type a request and press Ctrl-G")
    return EXIT_OK


def cmd_helper(args) -> int:
    from . import helper
    return helper.command(args.action, foreground=args.foreground)


def cmd_model(args) -> int:
    from . import models
    if args.action == "list":
        cfg = _load_config()
        current = cfg.get("backend.embedded.model")
        for e in models.catalogue():
            try:
                path, _ = models.resolve(e.name)
                where = str(path)
            except models.ModelError:
                where = "not installed" if e.source.startswith("pypi:") else f"caro model pull {e.name}"
            mark = "*" if e.name == current else " "
            print(f"{mark} {e.name:22} {e.params:>5} {e.licence:18} {where}")
        if paths.models_dir().is_dir():
            known = {e.file for e in models.catalogue()}
            for f in sorted(paths.models_dir().glob("*.gguf")):
                if f.name not in known:
                    print(f"{'*' if str(f) == current else ' '} {f.name:22} {'':>5} {'':18} {f}")
        return EXIT_OK
    if not args.name:
        err(f"caro model {args.action} needs a model name; see `caro model list`")
        return EXIT_USAGE
    try:
        if args.action == "pull":
            return _pull(args.name, args.url)
        if args.action == "path":
            print(models.resolve(args.name)[0])
            return EXIT_OK
        if args.action == "use":
            models.resolve(args.name)
            configmod.set_value("backend.embedded.model", args.name)
            print(f"backend.embedded.model = {args.name} (in {paths.config_file()})")
            return EXIT_OK
        if args.action == "remove":
            entry = models.find(args.name)
            f = paths.models_dir() / (entry.file if entry else args.name)
            if not f.is_file():
                err(f"{f} is not a downloaded model")
                return EXIT_ERROR
            f.unlink()
            print(f"removed {f}")
            return EXIT_OK
    except (models.ModelError, configmod.ConfigError) as e:
        err(str(e))
        return EXIT_ERROR
    return EXIT_USAGE


def _pull(name: str, url: str | None) -> int:
    from . import models
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if not tty:
            return
        if total:
            pct = done * 100 // total
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r  {bar:25} {pct:3d}%  {done >> 20} / {total >> 20} MiB")
        else:
            sys.stderr.write(f"\r  {done >> 20} MiB")
        sys.stderr.flush()

    path = models.pull(name, url=url, progress=progress)
    if tty:
        sys.stderr.write("\n")
    print(path)
    return EXIT_OK


def cmd_config(args) -> int:
    path = paths.config_file()
    if args.action == "path":
        print(path)
        return EXIT_OK
    try:
        if args.action == "show":
            cfg = _load_config()
            flat = configmod._flatten(cfg.data)
            if args.json:
                print(json.dumps({k: {"value": configmod.masked(k, v), "source": cfg.sources.get(k, "default")} for k, v in flat.items()}))
            else:
                for k, v in flat.items():
                    print(f"{k} = {json.dumps(configmod.masked(k, v))}    # {cfg.sources.get(k, 'default')}")
            return EXIT_OK
        if not args.key:
            err(f"caro config {args.action} needs a key, like safety.mode")
            return EXIT_USAGE
        if args.action == "get":
            cfg = _load_config()
            v = cfg.get(args.key)
            if v is None:
                err(f"unknown key {args.key}")
                return EXIT_ERROR
            print(json.dumps(configmod.masked(args.key, v)) if not isinstance(v, str) else configmod.masked(args.key, v))
            return EXIT_OK
        if args.action == "set":
            if args.value is None:
                err("caro config set KEY VALUE")
                return EXIT_USAGE
            configmod.set_value(args.key, args.value)
            return EXIT_OK
        if args.action == "unset":
            if not configmod.unset_value(args.key):
                err(f"{args.key} is not set in {path}")
            return EXIT_OK
        if args.action == "edit":
            editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
            if not path.exists():
                configmod.write_atomic(path, "# caro settings: see `caro config show` for every key\n")
            return subprocess.call([*editor.split(), str(path)])
    except configmod.ConfigError as e:
        err(str(e))
        return EXIT_ERROR
    return EXIT_USAGE


def cmd_learn(args) -> int:
    import tomlkit
    from . import safety
    v = safety.check(args.command)
    if v.blocked:
        err("caro will not learn a command it blocks: " + "; ".join(v.reasons[:1]))
        return EXIT_BLOCKED
    f = paths.user_examples()
    try:
        text = f.read_text(encoding="utf-8") if f.exists() else "# your own examples: caro prefers these\n"
        configmod.read_toml(f) if f.exists() else None
        doc = tomlkit.parse(text)
        arr = doc.get("example")
        if arr is None:
            arr = tomlkit.aot()
            doc["example"] = arr
        item = tomlkit.table()
        item["request"] = args.request
        item["command"] = args.command
        arr.append(item)
        configmod.write_atomic(f, tomlkit.dumps(doc))
    except configmod.ConfigError as e:
        err(str(e))
        return EXIT_ERROR
    print(f"learned: {args.request!r} → {args.command} (in {f})")
    return EXIT_OK


def cmd_init(args) -> int:
    from .wizard import run
    return run(yes=args.yes)


def cmd_doctor(args) -> int:
    from .doctor import run
    return run(as_json=args.json)
