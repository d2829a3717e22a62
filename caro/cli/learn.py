"""`caro learn REQUEST COMMAND`: add one of your own examples."""

from __future__ import annotations

from .. import config as configmod
from .. import files, paths
from .status import Exit, err


def cmd_learn(args) -> int:
    import tomlkit

    from .. import safety

    v = safety.check(args.command)
    if v.blocked:
        err("not learned: the command is blocked: " + "; ".join(v.reasons[:1]))
        return Exit.BLOCKED
    f = paths.user_examples()
    try:
        text = f.read_text(encoding="utf-8") if f.exists() else "# your own examples: caro prefers these\n"
        files.read_toml(f) if f.exists() else None
        doc = tomlkit.parse(text)
        arr = doc.get("example")
        if arr is None:
            arr = tomlkit.aot()
            doc["example"] = arr
        item = tomlkit.table()
        item["request"] = args.request
        item["command"] = args.command
        arr.append(item)
        files.write_atomic(f, tomlkit.dumps(doc))
    except configmod.ConfigError as e:
        err(str(e))
        return Exit.ERROR
    print(f"learned: {args.request!r} → {args.command} (in {f})")
    return Exit.OK
