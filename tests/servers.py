"""Loopback servers for the remote-backend tests.

- LlamaServer: the REAL OpenAI-compatible server, llama.cpp's own (tests/llama_http.py), serving
  the bundled GGUF. vLLM and LM Studio speak this same API; neither can run here.
- FakeOllama: a STAND-IN for Ollama (which cannot be installed on this machine) written for
  these tests. It follows Ollama's documented API: GET /api/tags, POST /api/generate and
  /api/chat, `stream` false (one JSON object) or true (NDJSON chunks ending with done=true),
  and {"error": "..."} bodies with 404 for a model that is not pulled.
- ScriptedServer: answers each path with a scripted list of faults (status, body, delay,
  connection cut mid-body) so every failure mode is reproduced on a real socket.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bundled_gguf() -> Path:
    """The default model caro bundles (the shared test copy, see conftest)."""
    from conftest import _cached_model

    return _cached_model()


class LlamaServer:
    """Also the same-model peer's server in benchmarks/peer.py (`gguf` names the model to serve)."""

    def __init__(self, alias: str = "qwen-served", api_key: str | None = None, gguf: Path | None = None):
        self.port = free_port()
        self.alias = alias
        self.url = f"http://127.0.0.1:{self.port}/v1"
        cmd = [sys.executable, str(Path(__file__).with_name("llama_http.py")), str(gguf or bundled_gguf())]
        cmd += [str(self.port), alias] + ([api_key] if api_key else [])
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        import tempfile

        self.log = tempfile.TemporaryFile()  # a pipe nobody reads would stall the server
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)

    def wait(self, timeout: float = 120) -> LlamaServer:
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("llama.cpp server exited: " + self.log.read().decode()[-2000:])
            try:
                if httpx.get(self.url + "/models", headers=self.headers, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("llama.cpp server did not come up")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict = b""
    delay: float = 0.0  # seconds before anything is sent
    cut_after: int | None = None  # send this many body bytes, then drop the connection
    content_type: str = "application/json"
    chunks: list[str] | None = None  # stream these lines one by one (NDJSON / SSE)
    drip: float = 0.0  # send the body one byte at a time, this many seconds apart


@dataclass
class Script:
    replies: dict[str, list[Reply]] = field(default_factory=dict)  # "METHOD /path" -> queue; last one repeats
    hits: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, dict, dict]] = field(default_factory=list)  # (route, headers, json body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *a):  # keep test output clean
        pass

    def setup(self):
        super().setup()
        # headers and body go out as two writes; without this, Nagle + delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {}
        route = f"{method} {self.path.split('?')[0]}"
        self.server.script.requests.append((route, dict(self.headers), payload))
        self.server.script.hits[route] = self.server.script.hits.get(route, 0) + 1
        reply = self.server.respond(route, payload)
        if reply is None:
            reply = Reply(404, {"error": f"no route {route}"})
        if reply.delay:
            self.server.release.wait(reply.delay)
        body = reply.body
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        if reply.chunks is not None:
            self.send_header("Connection", "close")
            self.end_headers()
            for line in reply.chunks:
                self.wfile.write(line.encode() + b"\n")
                self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.drip:
            for i in range(len(body)):
                if self.server.release.wait(reply.drip):
                    return
                try:
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                except OSError:
                    return
            return
        if reply.cut_after is not None:
            self.wfile.write(body[: reply.cut_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner, host: str):
        super().__init__((host, 0), _Handler)
        self.owner = owner
        self.script = owner.script
        self.release = threading.Event()

    def respond(self, route: str, payload: dict) -> Reply | None:
        return self.owner.respond(route, payload)


class ScriptedServer:
    """Answers from a per-route queue of Replies (the last reply repeats)."""

    def __init__(self, replies: dict[str, list[Reply]] | None = None, host: str = "127.0.0.1"):
        self.script = Script(replies or {})
        self.httpd = _Server(self, host)
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def respond(self, route: str, payload: dict) -> Reply | None:
        queue = self.script.replies.get(route)
        if not queue:
            return None
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def hits(self, route: str) -> int:
        return self.script.hits.get(route, 0)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.release.set()  # wake handlers parked in a long delay
        self.httpd.shutdown()
        self.httpd.server_close()


def openai_chat(content: str, model: str = "served-model") -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }


def openai_models(*names: str) -> dict:
    return {"object": "list", "data": [{"id": n, "object": "model"} for n in names]}


class FakeOllama(ScriptedServer):
    """Stand-in for Ollama (see module docstring). `answer` is what the 'model' replies."""

    def __init__(
        self,
        models=("qwen2.5-coder:1.5b",),
        answer='{"command": "du -sh * | sort -h", "explanation": "sizes"}',
        eval_ms: float = 0.0,
    ):
        super().__init__()
        self.models = list(models)
        self.answer = answer
        self.eval_ms = eval_ms
        self.overrides: dict[str, list[Reply]] = {}

    def respond(self, route: str, payload: dict) -> Reply | None:
        if route in self.overrides:
            q = self.overrides[route]
            return q.pop(0) if len(q) > 1 else q[0]
        if route == "GET /api/tags":
            return Reply(200, {"models": [{"name": m, "model": m, "size": 1, "digest": "0" * 12} for m in self.models]})
        if route == "GET /api/version":
            return Reply(200, {"version": "0.0.0-test-stand-in"})
        if route not in ("POST /api/generate", "POST /api/chat"):
            return None
        model = payload.get("model", "")
        if model not in self.models and model + ":latest" not in self.models:
            return Reply(404, {"error": f"model '{model}' not found, try pulling it first"})
        if self.eval_ms:
            time.sleep(self.eval_ms / 1000)
        chat = route.endswith("/chat")

        def piece(text, done):
            obj = {"model": model, "created_at": "2026-11-25T00:00:00Z", "done": done}
            if chat:
                obj["message"] = {"role": "assistant", "content": text}
            else:
                obj["response"] = text
            if done:
                obj.update(
                    done_reason="stop",
                    total_duration=int(self.eval_ms * 1e6) + 1000,
                    eval_count=len(self.answer.split()),
                    eval_duration=int(self.eval_ms * 1e6) or 1000,
                )
            return obj

        if payload.get("stream", True):  # Ollama streams unless told otherwise
            words = [w + " " for w in self.answer.split(" ")]
            words[-1] = words[-1][:-1]
            lines = [json.dumps(piece(w, False)) for w in words] + [json.dumps(piece("", True))]
            return Reply(200, chunks=lines, content_type="application/x-ndjson")
        return Reply(200, piece(self.answer, True))


def non_loopback_address() -> str | None:
    """This machine's address on its outward interface: a server bound there is reached without
    leaving the machine, but caro counts it as remote (it is not loopback). None if there is none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") or addr == "0.0.0.0" else addr


def silent_listener():
    """A socket that accepts connections and never says a word."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def env_with(home: Path, **extra) -> dict:
    e = dict(os.environ, CARO_HOME=str(home))
    e.update({k: str(v) for k, v in extra.items()})
    return e


class StandInHelper:
    """Something at the helper's socket that is not caro's helper: it reads each request the way
    the helper does, records it, waits `delay` seconds and answers `insert COMMAND`."""

    def __init__(self, path: Path, command: str, delay: float = 0.0):
        from caro.daemon import protocol

        self._protocol = protocol
        self.command, self.delay = command, delay
        self.heard: list[bytes] = []
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(str(path))
        self.srv.listen(8)
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            data = b""
            conn.settimeout(2)
            try:
                while not self._protocol.complete(data):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.heard.append(data)
                time.sleep(self.delay)
                conn.sendall(self._protocol.encode_reply("insert", self.command))
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self.srv.close()
