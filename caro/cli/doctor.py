"""`caro doctor`: one screen that says why something does not work."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess

from .. import __version__, config, models, paths
from ..daemon import client


def checks() -> list[tuple[str, bool, str]]:
    out: list[tuple[str, bool, str]] = []
    out.append(("caro", True, f"{__version__} on Python {platform.python_version()}"))
    try:
        import importlib.metadata as md

        out.append(("model runtime", True, f"xllamacpp {md.version('xllamacpp')} (llama.cpp)"))
    except Exception:
        out.append(("model runtime", False, "xllamacpp is not installed: reinstall with ./install.sh"))
    cfg = None
    try:
        cfg = config.load()
        out.append(
            ("config", True, f"{paths.config_file()} ({'present' if paths.config_file().exists() else 'defaults'})")
        )
        for w in cfg.warnings:
            out.append(("config", False, w))
    except config.ConfigError as e:
        out.append(("config", False, str(e)))
    out.append(_writable(paths.home()))
    try:
        d = paths.runtime_dir()
        xdg = os.environ.get("XDG_RUNTIME_DIR")
        passed = paths.xdg_problem(xdg) if xdg and not os.environ.get("CARO_HOME") else None
        out.append(("runtime dir", True, f"{d} (0700, yours)" + (f"; not in {xdg}: {passed}" if passed else "")))
    except paths.UnsafeDirectory as e:
        out.append(("runtime dir", False, str(e)))
    except OSError as e:
        out.append(
            (
                "runtime dir",
                False,
                f"cannot create it ({e.strerror or e}); Ctrl-G needs a writable place for its socket",
            )
        )
    name = (cfg.get("backend.embedded.model") if cfg else None) or models.default_entry().name
    try:
        path, entry = models.resolve(name)
        models.check_file(path)
        # the sha256 recorded when the file was verified, while size and mtime are unchanged (hashing
        # 1.1 GB on every doctor run would take seconds); a changed file is hashed again
        ok = not entry or not entry.sha256 or models.is_verified(entry, path) or models.sha256_of(path) == entry.sha256
        out.append(("model", ok, f"{name}: {path}" + ("" if ok else " (sha256 mismatch: reinstall or pull again)")))
    except models.ModelError as e:
        out.append(("model", False, str(e)))
    out.append(_threads(cfg))
    out.append(_docs())
    v = None
    try:
        v = client.ping()
    except (paths.UnsafeDirectory, OSError):
        pass
    out.append(("helper", v in (None, __version__), "running " + v if v else "not running (starts on first Ctrl-G)"))
    if cfg:
        from ..backends.registry import make
        from ..settings import SERVERS

        for b in SERVERS:
            if cfg.sources.get(f"backend.{b}.url", "default") != "default" or cfg.get("backend.preferred") == b:
                av = make(b, cfg).probe()
                out.append((b, av.ok, f"{av.detail} ({av.latency_ms:.0f} ms)"))
    from ..hooks import rcfiles

    hooked = rcfiles.present()
    for sh in rcfiles.SHELLS:
        if shutil.which(sh):
            rc = rcfiles.rc_path(sh)
            out.append(
                (
                    f"{sh} hook",
                    True,
                    f"present in {rc}" if sh in hooked else f"not in {rc} (add it: caro hook --install {sh})",
                )
            )
    if shutil.which("bash"):
        ver = subprocess.run(["bash", "-c", "echo ${BASH_VERSINFO[0]}"], capture_output=True, text=True).stdout.strip()
        out.append(
            (
                "bash version",
                ver.isdigit() and int(ver) >= 4,
                f"bash {ver} (Ctrl-G needs 4+; it replaces readline's abort)",
            )
        )
    if shutil.which("fish"):
        ver = subprocess.run(["fish", "--version"], capture_output=True, text=True).stdout.strip().split()[-1]
        major, minor = (ver.split(".") + ["0"])[:2]
        out.append(("fish version", (int(major), int(minor)) >= (3, 4), f"fish {ver} (needs 3.4+)"))
    out.append(("zsh key", True, "Ctrl-G replaces zsh's send-break in emacs/vi keymaps (set CARO_KEY to change)"))
    return out


def _threads(cfg) -> tuple[str, bool, str]:
    from ..backends.embedded import MAX_THREADS, busy_cores, threads_now

    fixed = int(cfg.get("backend.embedded.threads") or 0) if cfg else 0
    if fixed:
        return (
            "threads",
            True,
            f"{fixed} (backend.embedded.threads; 0 lets caro follow the free cores)",
        )
    now = f"now {threads_now()}; {busy_cores()} other program(s) running"
    return (
        "threads",
        True,
        f"the free cores, at most {MAX_THREADS}; the model restarts on a new count when they change for a while ({now})",
    )


def _docs() -> tuple[str, bool, str]:
    """Which documentation answers are written with. None is not a fault: caro then answers with
    the model alone, as it did before it had documentation, so the line says how to get them."""
    from ..knowledge import docs

    found = docs.sources()
    if not found:
        return ("docs", True, "none: answers come from the model alone; add the tldr pages with `caro docs pull`")
    return ("docs", True, found[0].describe())


def _writable(home) -> tuple[str, bool, str]:
    """Can caro write its logs, cache and settings? Names a read-only or full disk."""
    import os
    import tempfile

    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home, prefix=".doctor-") as f:
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        return (
            "caro home",
            False,
            (
                f"{home} is not writable ({e.strerror or e}); logs, cache and settings "
                "cannot be saved (free some space or set CARO_HOME to a writable directory)"
            ),
        )
    return ("caro home", True, f"{home} (writable)")


def run(as_json: bool = False) -> int:
    res = checks()
    if as_json:
        print(json.dumps([{"check": n, "ok": ok, "detail": d} for n, ok, d in res]))
    else:
        for n, ok, d in res:
            print(f"{'ok ' if ok else 'BAD'} {n:18} {d}")
    return 0 if all(ok for _, ok, _ in res) else 1


def cmd_doctor(args) -> int:
    return run(as_json=args.json)
