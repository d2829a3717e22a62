"""One loader for every part: defaults < config file < CARO_* environment < CLI flags.

The file is read with tomllib and written with tomlkit (comments and order survive),
atomically and with mode 0600. A broken file is reported with its line and is never
rewritten or replaced.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths
from .errors import ConfigError
from .files import present, read_toml, write_atomic
from .keys import parse_key
from .settings import BY_KEY, defaults, env_overrides

# Declared once in settings.py; these views keep the names the rest of caro reads.
DEFAULTS: dict[str, Any] = defaults()
ENV = env_overrides()  # CARO_… variable -> dotted key
SECRET_KEYS = re.compile(r"(api_key|token|password|secret)$")


@dataclass
class Config:
    data: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)  # dotted key -> "default" | file | env var | "flag"
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, dotted: str) -> dict:
        v = self.get(dotted, {})
        return v if isinstance(v, dict) else {}


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _set(d: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value


def _coerce(dotted: str, value: Any, origin: str) -> Any:
    """Check a value against the type of its default; strings from env/CLI are converted."""
    default = _flatten(DEFAULTS).get(dotted)
    if default is None:
        return value
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                if value.lower() in ("1", "true", "yes", "on"):
                    return True
                if value.lower() in ("0", "false", "no", "off", ""):
                    return False
                raise ValueError
            if not isinstance(value, bool):
                raise ValueError
        elif isinstance(default, (int, float)) and not isinstance(default, bool):
            if isinstance(value, bool):
                raise ValueError
            value = type(default)(value)
            if value < 0:
                raise ValueError
        elif isinstance(default, list):
            if isinstance(value, str):
                value = [v for v in value.split(",") if v]
            if not isinstance(value, list):
                raise ValueError
        elif isinstance(default, str) and not isinstance(value, str):
            raise ValueError
    except (ValueError, TypeError):
        raise ConfigError(
            f"{origin}: {dotted} = {value!r} is not valid; expected {type(default).__name__} (default {default!r})"
        )
    return value


def validate(dotted: str, value: Any, origin: str) -> Any:
    value = _coerce(dotted, value, origin)
    setting = BY_KEY.get(dotted)
    if setting is None:
        return value
    if setting.choices and value not in setting.choices:
        raise ConfigError(f"{origin}: {dotted} = {value!r}; expected one of {', '.join(setting.choices)}")
    if setting.form == "url" and value and not re.match(r"^https?://[^\s/]+", str(value)):
        raise ConfigError(f"{origin}: {dotted} = {value!r} needs a scheme and host, like http://localhost:11434")
    if setting.form == "token" and value and re.search(r"\s", str(value)):
        raise ConfigError(f"{origin}: {dotted} contains whitespace; paste the key without spaces or newlines")
    if setting.form == "hotkey":
        parse_key(str(value), origin)
    return value


def check_rules(rules: Any, origin: str) -> list[dict]:
    """[[safety.rules]] tables: pattern (a regular expression), optional risk and reason."""
    if not isinstance(rules, list):
        raise ConfigError(
            f"{origin}: safety.rules must be a list of tables, e.g. "
            '[[safety.rules]] with pattern = "terraform destroy" and risk = "high"'
        )
    for n, r in enumerate(rules, 1):
        where = f"{origin}: safety rule {n}"
        if not isinstance(r, dict) or not isinstance(r.get("pattern"), str) or not r["pattern"]:
            raise ConfigError(f'{where} needs pattern = "a regular expression"')
        try:
            re.compile(r["pattern"])
        except re.error as e:
            raise ConfigError(f"{where}: pattern {r['pattern']!r} is not a valid regular expression ({e})") from None
        if r.get("risk", "high") not in ("safe", "moderate", "high", "critical"):
            raise ConfigError(f"{where}: risk = {r.get('risk')!r}; expected moderate, high or critical")
        if not isinstance(r.get("reason", ""), str):
            raise ConfigError(f"{where}: reason must be text")
    return rules


def _known(dotted: str) -> bool:
    flat = _flatten(DEFAULTS)
    if dotted in flat:
        return True
    # free-form tables
    return dotted.startswith(("safety.rules", "safety.allow"))


def load(path: Path | None = None, env: dict | None = None, flags: dict[str, Any] | None = None) -> Config:
    env = dict(os.environ) if env is None else env
    path = path or paths.config_file()
    data = copy.deepcopy(DEFAULTS)
    sources = {k: "default" for k in _flatten(DEFAULTS)}
    warnings: list[str] = []
    if present(path):
        filedata = read_toml(path)
        for key, value in _flatten(filedata).items():
            if not _known(key):
                warnings.append(f"{path}: unknown key {key!r} ignored")
                continue
            _set(data, key, validate(key, value, str(path)))
            sources[key] = str(path)
        for tbl in ("safety.rules",):
            rules = filedata.get("safety", {}).get("rules")
            if rules is not None:
                data["safety"]["rules"] = check_rules(rules, str(path))
                sources[tbl] = str(path)
    for var, key in ENV.items():
        if env.get(var) not in (None, ""):
            _set(data, key, validate(key, env[var], f"environment {var}"))
            sources[key] = f"env {var}"
    for key, value in (flags or {}).items():
        if value is not None:
            _set(data, key, validate(key, value, "command line"))
            sources[key] = "flag"
    return Config(data, sources, path, warnings)


def masked(dotted: str, value: Any) -> Any:
    setting = BY_KEY.get(dotted)
    if (setting.secret if setting else SECRET_KEYS.search(dotted)) and value:
        s = str(value)
        return "****" + s[-2:] if len(s) > 8 else "****"
    if isinstance(value, str) and "://" in value:
        from .privacy import mask_url

        return mask_url(value)  # https://user:password@host: the password is a secret too
    return value


def set_value(dotted: str, value: str, path: Path | None = None) -> None:
    """Set one key in the file, keeping comments and order; atomic; mode 0600."""
    import tomlkit

    path = path or paths.config_file()
    if not _known(dotted):
        raise ConfigError(f"unknown key {dotted!r}; see `caro config show` for the keys")
    typed = validate(dotted, value, "command line")  # _coerce converts numbers, bools, lists
    text = ""
    if present(path):
        load(path, env={})  # refuse to touch a broken or invalid file
        text = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    set_in_document(doc, dotted, typed)
    write_atomic(path, tomlkit.dumps(doc))


def set_in_document(doc, dotted: str, value: Any) -> None:
    """Set a dotted key in a tomlkit document, creating [tables] as needed; the rest is untouched."""
    import tomlkit

    node = doc
    parts = dotted.split(".")
    for p in parts[:-1]:
        if p not in node:
            node[p] = tomlkit.table()
        node = node[p]
    node[parts[-1]] = value


def unset_value(dotted: str, path: Path | None = None) -> bool:
    import tomlkit

    path = path or paths.config_file()
    if not present(path):
        return False
    read_toml(path)
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    node = doc
    parts = dotted.split(".")
    for p in parts[:-1]:
        if p not in node:
            return False
        node = node[p]
    if parts[-1] not in node:
        return False
    del node[parts[-1]]
    write_atomic(path, tomlkit.dumps(doc))
    return True
