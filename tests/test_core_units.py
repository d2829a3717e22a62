"""Pure parts: reply parsing, protocol, config, prompt."""

import pytest

from caro import config
from caro.backends.base import Prompt
from caro.daemon import protocol
from caro.engine import parse


@pytest.mark.parametrize(
    "reply,expected",
    [
        ('{"command": "ls -la", "explanation": "list"}', "ls -la"),
        ("{'command': 'df -h',}", "df -h"),
        ('Sure! {"command": "du -sh .", "explanation": "size"', "du -sh ."),
        ("```bash\n$ find . -size +100M\n```", "find . -size +100M"),
        ("Here is the command:\n\n    ls -S | head -n 5", "ls -S | head -n 5"),
        ("$ git status", "git status"),
        ('{"name": "run_shell", "arguments": {"command": "uptime"}}', "uptime"),
        ('{"name": "run_shell", "arguments": "{\\"command\\": \\"whoami\\"}"}', "whoami"),
        ("You can use `ps aux` to see processes.", "ps aux"),
        ("<think>the user wants disk usage, df is right</think>\ndf -h", "df -h"),
        ("<think>unfinished reasoning that never closes", None),
        # a code block of several lines becomes one: steps run only if the one before worked, loops keep their shape
        ("```bash\ngit add .\ngit commit -m 'fix typo'\n```", "git add . && git commit -m 'fix typo'"),
        (
            '```bash\nfor f in *.txt; do\n  mv "$f" "${f%.txt}.md"\ndone\n```',
            'for f in *.txt; do mv "$f" "${f%.txt}.md"; done',
        ),
        ("```fish\nfor f in *.log\n    gzip $f\nend\n```", "for f in *.log; gzip $f; end"),
        ("```bash\ntar -czf a.tgz \\\n    src\n```", "tar -czf a.tgz src"),
        ("```bash\nps aux |\n  grep nginx\n```", "ps aux | grep nginx"),
        ("```bash\n# list\nls -l\n```", "ls -l"),
        ("```bash\na\nb\nc\nd\ne\n```", "a"),  # a script, not a one-liner: its first line only
    ],
)
def test_extract(reply, expected):
    if expected is None:
        with pytest.raises(parse.NoCommand):
            parse.extract(reply)
    else:
        assert parse.extract(reply).command == expected


@pytest.mark.parametrize(
    "cmd,bad",
    [
        ("docker build -t myapp:latest myapp:latest -t myapp:latest myapp:latest -t myapp:latest myapp:latest", True),
        ("nproc 1000000000000000000000000000000000000", True),
        ("ls " + "a/" * 300, True),
        ("find . -name '*.py' -newer a -newer b", False),
        ("echo a a a", False),
    ],
)
def test_repetition_guard(cmd, bad):
    assert (parse.degenerate(cmd) is not None) == bad


@pytest.mark.parametrize("reply", ["", "   ", "I cannot help with that.", "Sure, here you go:"])
def test_extract_rejects(reply):
    with pytest.raises(parse.NoCommand):
        parse.extract(reply)


def test_protocol_roundtrip():
    data = protocol.encode_request({"op": "suggest", "text": "héllo\nworld", "extra": "x"})
    assert protocol.complete(data)
    assert protocol.decode_request(data)["text"] == "héllo\nworld"
    assert protocol.decode_reply(protocol.encode_reply("insert", "ls", "")) == ["insert", "ls", ""]
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_request(b"nope\x00\x00")
    # a NUL inside a value must not start a field that overrides a real one
    with pytest.raises(protocol.ProtocolError, match="given twice"):
        protocol.decode_request(b"caro1\x00op=suggest\x00text=ls\x00op=shutdown\x00\x00")


def test_prompt_shapes():
    p = Prompt("sys", [("a", "b")], "req")
    assert [m["role"] for m in p.messages()] == ["system", "user", "assistant", "user"]
    assert p.completion_text().endswith("Request: req\nCommand:")


def test_config_precedence(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text('# mine\n[safety]\nmode = "strict"\n[helper]\nidle_minutes = 5\n')
    c = config.load(f, env={})
    assert c.get("safety.mode") == "strict" and c.sources["safety.mode"] == str(f)
    c = config.load(f, env={"CARO_SAFETY": "permissive"})
    assert c.get("safety.mode") == "permissive"
    c = config.load(f, env={"CARO_SAFETY": "permissive"}, flags={"safety.mode": "moderate"})
    assert c.get("safety.mode") == "moderate" and c.sources["safety.mode"] == "flag"
    assert config.load(tmp_path / "missing.toml", env={}).get("helper.idle_minutes") == 30


def test_config_errors_leave_file_untouched(tmp_path):
    f = tmp_path / "config.toml"
    for bad in (
        "[safety\nmode = 1",
        '[safety]\nmode = "loud"\n',
        "a = 1\na = 2\n",
        '[backend.ollama]\nurl = "localhost:11434"\n',
    ):
        f.write_text(bad)
        with pytest.raises(config.ConfigError) as e:
            config.load(f, env={})
        assert str(f) in str(e.value)
        with pytest.raises(config.ConfigError):
            config.set_value("helper.idle_minutes", "3", f)
        assert f.read_text() == bad


def test_config_set_keeps_comments(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text('# my settings\n[safety]\nmode = "strict"  # careful\n')
    config.set_value("helper.idle_minutes", "10", f)
    text = f.read_text()
    assert "# my settings" in text and "# careful" in text and "idle_minutes = 10" in text
    assert (f.stat().st_mode & 0o777) == 0o600
    with pytest.raises(config.ConfigError):
        config.set_value("backend.vllm.api_key", "has space", f)
    with pytest.raises(config.ConfigError):
        config.set_value("shell.key", "F13", f)


def test_unknown_key_warns(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("[helper]\nidle_minuts = 3\n")
    assert any("idle_minuts" in w for w in config.load(f, env={}).warnings)
