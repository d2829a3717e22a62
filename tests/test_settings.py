"""The settings table is the one source: config defaults, env overrides, secrets, CLI choices,
completions and docs/configuration.md's table must all agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from caro import config, settings
from caro.cli import request_parser, sub_parser


def test_config_defaults_and_env_come_from_the_table():
    flat = config._flatten(config.DEFAULTS)
    assert set(flat) == {s.key for s in settings.SETTINGS}
    for s in settings.SETTINGS:
        assert flat[s.key] == s.default, s.key
    assert config.ENV == {s.env: s.key for s in settings.SETTINGS if s.env}
    assert len(config.ENV) == len([s for s in settings.SETTINGS if s.env])  # no variable used twice


def test_every_default_passes_its_own_validation():
    for s in settings.SETTINGS:
        assert config.validate(s.key, s.default, "default") == s.default, s.key


@pytest.mark.parametrize("s", [s for s in settings.SETTINGS if s.choices], ids=lambda s: s.key)
def test_choices_are_enforced(s):
    for ok in s.choices:
        assert config.validate(s.key, ok, "test") == ok
    with pytest.raises(config.ConfigError, match="expected one of"):
        config.validate(s.key, "no-such-choice", "test")


def test_secrets_are_masked_and_only_secrets():
    for s in settings.SETTINGS:
        if isinstance(s.default, str):
            shown = config.masked(s.key, "sk-abcdefghijkl")
            assert (shown != "sk-abcdefghijkl") == s.secret, s.key


def test_cli_choices_are_the_tables():
    def choices(parser, dest):
        return next(tuple(a.choices) for a in parser._actions if a.dest == dest)

    assert choices(request_parser(), "backend") == settings.BACKENDS
    assert choices(request_parser(), "safety") == settings.BY_KEY["safety.mode"].choices
    check = next(a for a in sub_parser()._actions if a.dest == "cmd").choices["check"]
    assert choices(check, "safety") == settings.BY_KEY["safety.mode"].choices


def test_the_documented_table_is_the_generated_one():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    m = re.search(r"<!-- settings:[^\n]*-->\n(.*?)\n<!-- /settings -->", doc, re.DOTALL)
    assert m, "the settings table markers in docs/configuration.md are missing"
    assert m.group(1) == settings.markdown_table(), "regenerate: python -m caro.settings"


def test_every_declared_backend_is_registered_and_builds_from_its_settings():
    from caro.backends import registry

    cfg = config.load(path=ROOT / "no-such-config.toml", env={})
    for name in registry.names():
        if name == "mlx":
            continue  # builds only on Apple silicon with mlx-lm installed
        backend = registry.make(name, cfg)
        assert backend.name == name
        if name != "embedded":
            assert backend.url.startswith(cfg.get(f"backend.{name}.url").rstrip("/")), name


def test_every_declared_setting_is_read_somewhere():
    """A setting the README documents but nothing reads (helper.timeout once) is a lie to the user.
    A backend's own settings are read by its class (as keys of its section) or by name elsewhere;
    every other setting by its dotted name outside caro/settings.py."""
    code = {p: p.read_text() for p in (ROOT / "caro").rglob("*.py") if p.name != "settings.py"}
    everywhere = "\n".join(code.values())
    unread = []
    for s in settings.SETTINGS:
        quoted = re.compile(rf"""["']{re.escape(s.key)}["']""")
        parts = s.key.split(".")
        if parts[0] == "backend" and parts[1] in settings.BACKEND_CLASSES and len(parts) == 3:
            module = settings.BACKEND_CLASSES[parts[1]].split(":")[0]
            own = [ROOT / Path(*module.split(".")).with_suffix(".py")]
            own += [ROOT / "caro" / "backends" / f for f in ("http.py", "base.py")]  # what they build on
            leaf = re.compile(rf"""["']{parts[2]}["']""")
            if any(leaf.search(code[p]) for p in own) or quoted.search(everywhere):
                continue
        elif quoted.search(everywhere):
            continue
        unread.append(s.key)
    assert not unread


@pytest.mark.parametrize("char", ["a", "é", "字"])
def test_a_request_on_stdin_is_read_far_enough_to_be_told_it_is_too_long(char, caro_home):
    """`caro -` reads at most what a request may hold (plus one character), in any encoding width."""
    from conftest import run_caro

    from caro.engine.suggestion import MAX_REQUEST

    r = run_caro("-", input=char * (MAX_REQUEST + 500), env={"CARO_HOME": str(caro_home)})
    assert r.returncode == 2 and f"caro accepts up to {MAX_REQUEST}" in r.stderr, r.stderr
