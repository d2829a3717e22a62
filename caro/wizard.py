"""`caro init`: pick a backend, test it live, choose safety mode, write config.toml."""
from __future__ import annotations

import difflib
import sys
import time

from . import config, paths


def _detect():
    from .backends.select import make
    cfg = config.load()
    found = [("embedded", make("embedded", cfg).probe())]
    for b in ("ollama", "lmstudio"):
        found.append((b, make(b, cfg).probe()))
    return cfg, found


def _test(cfg, name: str) -> str:
    from .backends.select import make
    from .engine import Engine
    t = time.perf_counter()
    s = Engine(cfg, make(name, cfg)).suggest("list the 5 biggest files here")
    return f"{s.command}  ({(time.perf_counter() - t) * 1000:.0f} ms)"


def run(yes: bool = False) -> int:
    try:
        cfg, found = _detect()
    except config.ConfigError as e:
        print(f"caro: {e}", file=sys.stderr)
        return 1
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not yes
    backend, mode = "embedded", cfg.get("safety.mode")
    for name, av in found:
        print(f"  {'✓' if av.ok else '·'} {name:9} {av.detail[:80]}")
    try:
        if interactive:
            from prompt_toolkit.shortcuts import choice
            backend = choice(message="Backend:", options=[(n, n) for n, av in found if av.ok], default="embedded")
            mode = choice(message="Safety mode:", options=[(m, m) for m in ("moderate", "strict", "permissive")], default=mode)
        print("testing", backend, "…")
        print("  →", _test(cfg, backend))
        path = paths.config_file()
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        import tomlkit
        doc = tomlkit.parse(old)
        doc.setdefault("backend", tomlkit.table())["preferred"] = backend
        doc.setdefault("safety", tomlkit.table())["mode"] = mode
        new = tomlkit.dumps(doc)
        diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), str(path), str(path)))
        print(diff or "config unchanged")
        if interactive:
            from prompt_toolkit.shortcuts import confirm
            if not confirm("Write this config?"):
                print("nothing written")
                return 0
        config.write_atomic(path, new)
        print(f"wrote {path}")
    except (KeyboardInterrupt, EOFError):
        print("\ncancelled; nothing was changed", file=sys.stderr)
        return 130
    return 0
