"""`caro config show|get|set|unset|path|edit`, and what a changed setting reaches."""

from __future__ import annotations

import json
import os
import subprocess

from .. import config as configmod
from .. import files, paths
from .common import load_config
from .status import Exit, err


def cmd_config(args) -> int:
    path = paths.config_file()
    if args.action == "path":
        print(path)
        return Exit.OK
    try:
        if args.action == "show":
            cfg = load_config()
            flat = configmod._flatten(cfg.data)
            if args.json:
                print(
                    json.dumps(
                        {
                            k: {"value": configmod.masked(k, v), "source": cfg.sources.get(k, "default")}
                            for k, v in flat.items()
                        }
                    )
                )
            else:
                for k, v in flat.items():
                    print(f"{k} = {json.dumps(configmod.masked(k, v))}    # {cfg.sources.get(k, 'default')}")
            return Exit.OK
        if not args.key:
            err(f"caro config {args.action} needs a key, like safety.mode")
            return Exit.USAGE
        if args.action == "get":
            cfg = load_config()
            v = cfg.get(args.key)
            if v is None:
                err(f"unknown key {args.key}")
                return Exit.ERROR
            print(
                json.dumps(configmod.masked(args.key, v)) if not isinstance(v, str) else configmod.masked(args.key, v)
            )
            return Exit.OK
        if args.action == "set":
            if args.value is None:
                err("caro config set KEY VALUE")
                return Exit.USAGE
            configmod.set_value(args.key, args.value)
            settings_changed(args.key)
            return Exit.OK
        if args.action == "unset":
            if not configmod.unset_value(args.key):
                err(f"{args.key} is not set in {path}")
            else:
                settings_changed(args.key)
            return Exit.OK
        if args.action == "edit":
            editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
            if not path.exists():
                files.write_atomic(path, "# caro settings: see `caro config show` for every key\n")
            return subprocess.call([*editor.split(), str(path)])
    except configmod.ConfigError as e:
        err(str(e))
        return Exit.ERROR
    return Exit.USAGE


def settings_changed(key: str) -> None:
    """Say what a change reaches. The helper re-reads config.toml on its next request by itself;
    the hotkey lives in the snippet the rc files source, so that is rendered again here."""
    if key != "shell.key":
        return
    from ..hooks import rcfiles
    from ..hooks.render import key_spec

    shells = list(rcfiles.present())
    if shells:
        rcfiles.render_snippets(shells)
        err(f"the hotkey is now {key_spec()} for {', '.join(shells)}; open a new shell to use it")
    else:
        err(f"the hotkey is now {key_spec()}; it takes effect where the hook is loaded: see `caro hook --help`")
