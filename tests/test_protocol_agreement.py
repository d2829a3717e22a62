"""The wire format is written in four places (protocol.py, relay.py, the zsh snippet's native
socket code, the snippets' protocol defaults); these tests tie them together, and check the
helper's rule: a newer protocol replaces the helper, an older one is served with a note."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from caro.daemon import protocol, relay
from caro.hooks import render

ROOT = Path(__file__).resolve().parent.parent
SHELL_DIR = ROOT / "shell"


def test_the_magic_is_one_string_everywhere():
    assert relay.MAGIC == protocol.MAGIC
    zsh = (SHELL_DIR / "caro.zsh").read_text()
    sent = re.findall(r'print -rn -u \$fd -- "(\w+)"', zsh)
    assert sent == [protocol.MAGIC]
    assert relay.MAX_REQUEST == protocol.MAX_REQUEST_BYTES


def test_the_snippets_default_to_the_current_protocol_and_the_render_sets_it():
    defaults = {
        "zsh": r"__caro_protocol=\"\$\{__caro_protocol:-(\d+)\}\"",
        "bash": r"__caro_protocol=\$\{__caro_protocol:-(\d+)\}",
        "fish": r"set -g __caro_protocol (\d+)",
    }
    for shell, pattern in defaults.items():
        body = (SHELL_DIR / f"caro.{shell}").read_text()
        assert [int(n) for n in re.findall(pattern, body)] == [protocol.PROTOCOL], shell
        assert '"p=$__caro_protocol"' in body or '"p=${__caro_protocol}"' in body, shell
        head = render.render(shell).split("\n", 8)
        assert any(str(protocol.PROTOCOL) in line and "__caro_protocol" in line for line in head), shell


def _handle(fields: dict[str, str]) -> list[str]:
    """One request through the helper's handler, without a model (ping and shutdown only)."""
    code = (
        "import sys, json\n"
        "from caro.daemon import server as helper\nfrom caro.daemon import protocol\n"
        "svc = helper.Service.__new__(helper.Service)\n"
        "import threading, time\n"
        "svc.stop = threading.Event(); svc.last_activity = time.monotonic()\n"
        "reply = svc.handle(json.loads(sys.argv[1]))\n"
        "print(json.dumps([protocol.decode_reply(reply), svc.stop.is_set()]))\n"
    )
    import json

    out = subprocess.run([sys.executable, "-c", code, json.dumps(fields)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_line_limit_is_rendered_and_the_static_default_agrees():
    """The widgets refuse a line longer than protocol.MAX_LINE_CHARS before any work per
    character: the render sets it, and a static copy of a snippet falls back to the same number."""
    for shell in ("zsh", "bash", "fish"):
        body = (SHELL_DIR / f"caro.{shell}").read_text()
        defaults = re.findall(r"__caro_max_line:-(\d+)\}|or echo (\d+)\)", body)
        assert [int(a or b) for a, b in defaults] == [protocol.MAX_LINE_CHARS], shell
        head = render.render(shell).replace("'", "").replace("set -g __caro_max_line ", "__caro_max_line=")
        assert f"__caro_max_line={protocol.MAX_LINE_CHARS}" in head, shell


def test_the_snippets_find_the_helper_where_python_puts_it():
    """Each snippet recomputes the runtime-directory key from the same environment variables, in
    the same order, as caro/paths.py, and looks for the socket by the name the helper binds."""
    from caro import paths

    for shell in ("zsh", "bash", "fish"):
        body = (SHELL_DIR / f"caro.{shell}").read_text()
        lines = [x for x in body.splitlines() if re.match(r"\s*(local|set -l) key[= ]", x)]
        keys = [tuple(re.findall(r"\b[A-Z][A-Z_]+[A-Z]\b", x)) for x in lines]
        assert keys == [paths.RUNTIME_INPUTS], shell
        socks = set(re.findall(r"/(\w+\.sock)\b", body))
        assert socks == {paths.SOCKET}, shell


def test_the_timeout_fallback_is_the_settings_default():
    """helper.timeout is rendered into each snippet (__caro_timeout); a static copy falls back to a
    number written in the snippet, which must be the setting's default."""
    from caro.settings import BY_KEY

    default = BY_KEY["helper.timeout"].default
    for shell in ("zsh", "bash", "fish"):
        body = (SHELL_DIR / f"caro.{shell}").read_text()
        found = re.findall(r"__caro_timeout:-(\d+)\}|set -l timeout (\d+)", body)
        assert found and {int(a or b) for a, b in found} == {default}, shell
    assert relay.TIMEOUT == default  # the relay's own fallback, should a shell pass it no number


def test_a_newer_protocol_replaces_the_helper_and_an_equal_one_is_served():
    reply, stopping = _handle({"op": "ping", "v": "0.1.0", "p": str(protocol.PROTOCOL + 1)})
    assert reply[0] == "stale" and stopping
    reply, stopping = _handle({"op": "ping", "v": "0.0.1", "p": str(protocol.PROTOCOL)})
    assert reply[0] == "pong" and not stopping
    reply, stopping = _handle({"op": "ping", "v": "0"})  # no p=: protocol 1, a static snippet
    assert reply[0] == "pong" and not stopping


def test_the_cli_leaves_a_newer_helper_serving(tmp_path, monkeypatch):
    """`caro helper start` (and `caro "…"`) from an older install must not replace a newer helper
    that serves it anyway: only a newer client, or a newer protocol, restarts the helper."""
    import socket
    import threading

    from caro.daemon import client

    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("CARO_RUNTIME_DIR", str(run))
    monkeypatch.setenv("CARO_HOME", str(tmp_path))
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(run / "helper.sock"))
    srv.listen(4)
    heard = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            data = b""
            while not protocol.complete(data):
                data += conn.recv(65536)
            heard.append(data)
            conn.sendall(protocol.encode_reply("pong", "99.0.0"))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        assert client.start(timeout=5) == "99.0.0"
        assert all(b"op=shutdown" not in h for h in heard) and heard
    finally:
        srv.close()
    assert protocol.newer("0.2.0", "0.1.9") and not protocol.newer("0.1.0", "0.1.0")
    assert not protocol.newer("junk", "0.1.0")
