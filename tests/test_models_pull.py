"""`caro model pull` against a loopback HTTP server (model hubs are unreachable here)."""
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from caro import models

BLOB = b"GGUF" + bytes(range(256)) * 4096


class _Handler(http.server.BaseHTTPRequestHandler):
    cut = None

    def log_message(self, *a):
        pass

    def do_GET(self):
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
        body = BLOB[start:]
        if _Handler.cut is not None:
            body = body[: _Handler.cut]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(BLOB) - start))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/model.gguf"
    srv.shutdown()


def test_pull_resume_and_verify(server, tmp_path, monkeypatch):
    entry = models.find("qwen2.5-coder-0.5b")
    monkeypatch.setattr(models, "find", lambda name: models.Entry(name, "m.gguf", server, hashlib.sha256(BLOB).hexdigest(), len(BLOB)))
    _Handler.cut = 1000
    with pytest.raises(models.ModelError, match="resume"):
        models.pull("x", url=server, dest_dir=tmp_path, timeout=2)
    assert (tmp_path / "m.gguf.partial").stat().st_size == 1000
    _Handler.cut = None
    seen = []
    path = models.pull("x", url=server, dest_dir=tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == BLOB and seen[-1][0] == len(BLOB)
    assert entry is not None


def test_pull_rejects_bad_checksum(server, tmp_path, monkeypatch):
    monkeypatch.setattr(models, "find", lambda name: models.Entry(name, "m.gguf", server, "0" * 64, len(BLOB)))
    with pytest.raises(models.ModelError, match="sha256 mismatch"):
        models.pull("x", url=server, dest_dir=tmp_path)
    assert not (tmp_path / "m.gguf").exists()


def test_catalogue_resolves_bundled_models():
    path, entry = models.resolve("smollm2-135m")
    assert path.is_file() and entry.sha256 == models.sha256_of(path)
    path, entry = models.resolve("gemma3-270m")          # reassembled from four part packages
    assert path.is_file() and models.sha256_of(path) == entry.sha256
    with pytest.raises(models.ModelError, match="unknown model"):
        models.resolve("no-such-model")
    with pytest.raises(models.ModelError, match="caro model pull"):
        models.resolve("qwen2.5-coder-1.5b")
