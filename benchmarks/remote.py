"""Remote-backend figures: availability checks, the cache, and HTTP overhead over server time.

Servers are on loopback: nothing listening (refused), a socket that never answers (silent),
the tests' Ollama stand-in, and the real llama.cpp server for the OpenAI-compatible path.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from servers import FakeOllama, LlamaServer, free_port, silent_listener

from caro.backends.availability import AvailabilityCache as _State
from caro.backends.base import Availability, Prompt
from caro.backends.ollama import OllamaBackend
from caro.backends.openai_compat import VLLMBackend

PROMPT = Prompt("Reply with one shell command.", [("list files", "ls -la")], "show disk usage of this folder")


def ms(fn, n: int) -> list[float]:
    xs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t) * 1000)
    return sorted(xs)


def show(label: str, xs: list[float], unit_us: bool = False) -> None:
    med, p95 = statistics.median(xs), xs[max(0, int(len(xs) * 0.95) - 1)]
    if unit_us:
        print(f"{label}: median {med * 1000:.1f} µs, p95 {p95 * 1000:.1f} µs")
    else:
        print(f"{label}: median {med:.1f} ms, p95 {p95:.1f} ms")


def main() -> None:
    refused = VLLMBackend(f"http://127.0.0.1:{free_port()}/v1", None, {})
    show("availability check, refused port", ms(refused.probe, 20))
    sock = silent_listener()
    silent = VLLMBackend(f"http://127.0.0.1:{sock.getsockname()[1]}/v1", None, {})
    show("availability check, silent server (budget 500 ms)", ms(silent.probe, 5))
    sock.close()
    with FakeOllama(eval_ms=200) as srv:
        ollama = OllamaBackend(srv.base, None, {})
        show("availability check, healthy Ollama stand-in", ms(ollama.probe, 20))
        over = []
        for _ in range(10):
            g = ollama.generate(PROMPT)
            over.append(g.elapsed_ms - g.server_ms)
        show("HTTP path overhead above Ollama-reported eval time (200 ms)", sorted(over))
    llama = LlamaServer().wait()
    try:
        vllm = VLLMBackend(llama.url, None, {})
        show("availability check, healthy llama.cpp server", ms(vllm.probe, 20))
        gen = ms(lambda: vllm.generate(PROMPT, max_tokens=24), 5)
        show("generate via llama.cpp server (24 tokens, default model)", gen)
        vllm.close()
    finally:
        llama.stop()
    state = _State(Path(tempfile.mkdtemp()) / "availability.json")
    state.remember("vllm:x", Availability(True, "1 model(s)", 3.0, ["m"]))
    show("availability cache hit (in memory)", ms(lambda: state.cached("vllm:x"), 2000), unit_us=True)
    show(
        "availability cache hit (file, a new CLI run)",
        ms(lambda: _State(state.file).cached("vllm:x"), 500),
        unit_us=True,
    )


if __name__ == "__main__":
    main()
