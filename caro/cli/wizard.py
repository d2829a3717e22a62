"""`caro init`: see what is there, pick a backend, test it live, choose safety mode and hotkey,
show the config diff, write it (comments kept), and offer the shell hook.

Non-interactive (`--yes`, or no terminal): the defaults, no questions, rc files untouched.
Ctrl-C or Ctrl-D at any question: nothing is written.
"""

from __future__ import annotations

import difflib
import sys
import time

from .. import config, files, paths
from ..backends.base import Availability

SAMPLE = "list the 5 biggest files here"


def detect(cfg) -> list[tuple[str, Availability]]:
    """Embedded model, Ollama on :11434, LM Studio on :1234, and a vLLM URL if configured."""
    from ..backends.registry import make
    from ..settings import SERVERS

    found = []
    for name in ("embedded", *SERVERS):
        # vLLM has no port of its own (8000 is every dev server's): probed only where it was set
        if name == "vllm" and cfg.sources.get("backend.vllm.url", "default") == "default":
            continue
        try:
            found.append((name, make(name, cfg).probe()))
        except Exception as e:  # a probe must never stop the wizard
            found.append((name, Availability(False, str(e))))
    return found


def live_test(cfg, name: str) -> tuple[bool, str]:
    from ..backends.base import BackendError
    from ..backends.registry import make
    from ..engine.pipeline import Engine, EngineError

    t = time.perf_counter()
    try:
        backend = make(name, cfg)
        s = Engine(cfg, backend).suggest(SAMPLE)
    except (BackendError, EngineError) as e:
        return False, str(e)
    return True, f"{s.command}   ({(time.perf_counter() - t) * 1000:.0f} ms with {s.backend}/{s.model})"


def plan(old_text: str, values: dict) -> str:
    """The new config text: the user's file with only our keys changed (tomlkit keeps the rest)."""
    import tomlkit

    doc = tomlkit.parse(old_text)
    for dotted, value in values.items():
        config.set_in_document(doc, dotted, value)
    return tomlkit.dumps(doc)


def _ask_url(prompt_fn) -> str:
    while True:
        url = prompt_fn("vLLM URL (e.g. http://gpu-box:8000/v1): ").strip()
        try:
            return config.validate("backend.vllm.url", url, "your answer")
        except config.ConfigError as e:
            print(f"  {e}")


def _ask_key(prompt_fn, current: str) -> str:
    from ..keys import parse_key

    while True:
        key = prompt_fn("Hotkey (like ^G or alt-g): ", default=current).strip() or current
        try:
            parse_key(key, "your answer")
            return key
        except config.ConfigError as e:
            print(f"  {e}")


def run(yes: bool = False) -> int:
    try:
        cfg = config.load()
    except config.ConfigError as e:
        print(f"caro: {e}", file=sys.stderr)
        return 1
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not yes
    print("Looking for backends…")
    found = detect(cfg)
    for name, av in found:
        print(f"  {'✓' if av.ok else '·'} {name:9} {av.detail[:90]}")
    values: dict = {}
    backend = cfg.get("backend.preferred")
    backend = backend if backend != "auto" else "embedded"
    mode, key = cfg.get("safety.mode"), cfg.get("shell.key")
    old_key = key
    try:
        if interactive:
            from prompt_toolkit import prompt
            from prompt_toolkit.shortcuts import choice, confirm

            options = [(n, f"{n}  ({av.detail[:50]})") for n, av in found if av.ok]
            options.append(("vllm-new", "vllm  (type the server's URL)"))
            pick = choice(
                message="Which backend should answer?",
                options=options,
                default=backend if any(o[0] == backend for o in options) else "embedded",
            )
            if pick == "vllm-new":
                values["backend.vllm.url"] = _ask_url(prompt)
                env_name = prompt("Name of the env var holding its API key (empty for none): ").strip()
                if env_name:
                    values["backend.vllm.api_key_env"] = env_name
                pick = "vllm"
            backend = pick
            mode = choice(
                message="Safety mode:",
                default=mode,
                options=[
                    ("moderate", "moderate: block critical, warn on risky (recommended)"),
                    ("strict", "strict: also block what moderate only warns about"),
                    ("permissive", "permissive: block critical only"),
                ],
            )
            key = _ask_key(prompt, key)
        values.update({"backend.preferred": backend, "safety.mode": mode, "shell.key": key})
        trial = config.load(flags=values)
        print(f"Testing {backend} with: {SAMPLE!r} …")
        ok, result = live_test(trial, backend)
        print(f"  {'→' if ok else '✗'} {result}")
        if not ok and interactive and not confirm("The test failed. Save this choice anyway?"):
            print("nothing written")
            return 1
        path = paths.config_file()
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = plan(old, values)
        diff = "".join(
            difflib.unified_diff(old.splitlines(True), new.splitlines(True), str(path) + " (now)", str(path) + " (new)")
        )
        print(diff or f"{path}: no change needed")
        if diff and interactive and not confirm("Write this config?"):
            print("nothing written")
            return 0
        if diff:
            files.write_atomic(path, new)
            print(f"wrote {path}; shells already open pick up the new settings on the next key press")
            if key != old_key:
                from .config import settings_changed

                settings_changed("shell.key")  # re-render the installed hooks with the new key
        if interactive and confirm("Add the Ctrl-G hook to your shell rc files?"):
            from .hook import hook_rc

            hook_rc([], remove=False)
        elif not interactive:
            print("shell hook: run `caro hook --install` (or ./install.sh) to add Ctrl-G to your rc files")
    except (KeyboardInterrupt, EOFError):
        print("\ncancelled; nothing was changed", file=sys.stderr)
        return 130
    except config.ConfigError as e:
        print(f"caro: {e}", file=sys.stderr)
        return 1
    return 0
