"""llama.cpp's own OpenAI-compatible HTTP server (the one `llama-server` runs), started through the
xllamacpp binding caro already installs, on a loopback TCP port: the real server the remote-backend
tests talk to. Runs until terminated.

usage: python tests/llama_http.py MODEL.gguf PORT ALIAS [API_KEY]
"""

from __future__ import annotations

import signal
import sys
import threading

import xllamacpp


def main(model: str, port: str, alias: str, key: str = "") -> None:
    p = xllamacpp.CommonParams()
    p.model.path = model
    p.hostnames = ["127.0.0.1"]
    p.port = int(port)
    p.model_alias = {alias}
    p.n_ctx = 2048
    p.verbosity = -1
    if key:
        p.api_keys = [key]
    server = xllamacpp.Server(p)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    del server


if __name__ == "__main__":
    main(*sys.argv[1:])
