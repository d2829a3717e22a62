"""The bundled model's runtime (llama.cpp's server, in-process through xllamacpp), on the real
GGUF: a generation nobody waits for stops at once, several shells' requests decoded together get
their own answers, and its socket lives where no one else can reach it (the second-user test is
in test_hardening)."""

from __future__ import annotations

import os
import threading

import pytest

from caro import config, turns
from caro.backends import embedded
from caro.backends.base import BackendError, Prompt
from caro.backends.embedded import EmbeddedBackend

SYSTEM = "Translate the request into one bash command. Answer with the command only."


@pytest.fixture(scope="module")
def backend():
    b = EmbeddedBackend(config.load().get("backend.embedded.model"))
    yield b
    b.close()


def test_a_generation_nobody_waits_for_stops_at_the_next_token(backend):
    asked = []

    def still_there():
        asked.append(1)
        return len(asked) < 3  # the shell goes away after the second token

    long_one = Prompt("Answer at length.", [], "Write the numbers from 1 to 300, one per line.")
    token = turns.waiting.set(still_there)
    try:
        with pytest.raises(turns.Abandoned):
            backend.generate(long_one, max_tokens=400)
    finally:
        turns.waiting.reset(token)
    assert len(asked) == 3  # asked once per token, and nothing was decoded for it after the answer "no"
    # its slot is free again: the next request is answered
    assert "x.log" in backend.generate(Prompt(SYSTEM, [], "show the last 7 lines of x.log")).text


def test_a_request_nobody_waits_for_is_not_started(backend):
    token = turns.waiting.set(lambda: False)
    try:
        with pytest.raises(turns.Abandoned):
            backend.generate(Prompt(SYSTEM, [], "list files"))
    finally:
        turns.waiting.reset(token)


def test_the_runtimes_own_error_comes_back_worded_and_what_a_reader_raises_is_not_lost(backend):
    with pytest.raises(BackendError, match="the bundled model failed"):
        backend._stream({"messages": [{"role": "user", "content": "hi"}], "grammar": "root ::= <[999999999]>"}, print)

    def take(choice):
        raise ValueError("a reader's own failure")

    with pytest.raises(ValueError, match="a reader's own failure"):  # the binding would swallow it
        backend._stream({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}, take)


def test_shells_asking_at_once_each_get_their_own_answer(backend):
    names = [f"app{n}r{n * 7}.log" for n in range(6)]  # more requests than slots: some wait their turn
    got: dict[str, str] = {}

    def ask(name: str) -> None:
        got[name] = backend.generate(Prompt(SYSTEM, [], f"show the last 7 lines of {name}")).text

    threads = [threading.Thread(target=ask, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for name in names:
        assert name in got[name] and not any(other in got[name] for other in names if other != name), got


def test_the_socket_goes_where_only_its_owner_reaches_and_stale_ones_are_cleared(tmp_path, monkeypatch):
    run = tmp_path / "run"
    monkeypatch.setenv("CARO_RUNTIME_DIR", str(run))
    run.mkdir(mode=0o700)
    dead = run / "llama-999999999-ab12cd34.sock"  # no such process
    dead.touch()
    path, folder = embedded._socket_path()
    again, _ = embedded._socket_path()
    assert path.parent == run and path.name.startswith(f"llama-{os.getpid()}-") and folder is None
    assert again != path and not dead.exists()  # two backends in one process never share a socket
    # a runtime directory whose path is too long for a socket address: a fresh private folder
    deep = tmp_path / ("d" * 90) / "run"
    deep.mkdir(mode=0o700, parents=True)
    monkeypatch.setenv("CARO_RUNTIME_DIR", str(deep))
    path, folder = embedded._socket_path()
    assert folder is not None and path.parent == folder and folder.stat().st_mode & 0o777 == 0o700
    folder.rmdir()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores: one for a busy program, one for caro")
def test_the_runtime_follows_the_free_cores_when_a_busy_program_starts_and_ends(caro_home):
    """llama.cpp fixes its thread count at start. A program that keeps every core busy (two real
    `yes` processes here) makes caro restart its runtime on one thread, between requests; when
    they end it goes back to one per free core. Every request in between is answered, and the old
    runtime's socket goes with it."""
    import subprocess
    import time

    def hogs() -> list[subprocess.Popen]:
        return [subprocess.Popen(["sh", "-c", "exec yes > /dev/null"]) for _ in range(2)]

    def settle(b: EmbeddedBackend, want, limit: float = 90) -> list[str]:
        """Ask with the pauses a user leaves until the runtime has `want` threads."""
        answers = []
        end = time.monotonic() + limit
        while not want(b.threads) and time.monotonic() < end:
            answers.append(b.generate(Prompt(SYSTEM, [], "list files"), max_tokens=8).text)
            time.sleep(embedded.REFIT_WHEN_IDLE + 0.5)
        return answers

    running = hogs()
    b = EmbeddedBackend(config.load().get("backend.embedded.model"))
    try:
        b.load()
        assert b.threads == 1  # both cores taken when it loaded
        first_socket = b._rt.socket
        for p in running:
            p.kill()
            p.wait()
        running = []
        answers = settle(b, lambda n: n > 1)
        assert b.threads > 1 and all(answers)
        assert not first_socket.exists()  # the replaced runtime is gone with its socket
        running = hogs()
        answers = settle(b, lambda n: n == 1)
        assert b.threads == 1 and all(answers)
        assert b.generate(Prompt(SYSTEM, [], "show the last 7 lines of x.log")).text
    finally:
        for p in running:
            p.kill()
            p.wait()
        b.close()


def test_a_generation_carries_the_models_confidence_in_it(backend):
    """The mean log-probability of the generated tokens (the doc-pass gate reads it): a sure answer
    is near 0, and it is never positive."""
    got = backend.generate(Prompt(SYSTEM, [], "show the last 7 lines of x.log"))
    assert got.logprob is not None and -5.0 < got.logprob <= 0.0, got.logprob
