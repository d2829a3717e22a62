"""Remote backends against real sockets on loopback.

vLLM and LM Studio: the real llama.cpp server (OpenAI-compatible) serving the bundled GGUF.
Ollama: tests/servers.py FakeOllama, a stand-in that speaks Ollama's documented API, because
Ollama itself cannot be installed on this machine. Faults: ScriptedServer and a silent socket.
Every fault must end with a clear message on stderr AND a command from the embedded fallback.
"""

import io
import json
import time

import pytest
from conftest import run_caro
from servers import (
    FakeOllama,
    LlamaServer,
    Reply,
    ScriptedServer,
    free_port,
    openai_chat,
    openai_models,
    silent_listener,
)

from caro import config as configmod
from caro.backends import availability
from caro.backends import select as selectmod
from caro.backends.base import BackendError, Prompt
from caro.backends.ollama import OllamaBackend
from caro.backends.openai_compat import LMStudioBackend, VLLMBackend, reply_text, sse_text

API_KEY = "sk-test-Zq8vJ3mK0pL5nR2tW7xY"
PROMPT = Prompt("Reply with one shell command.", [("list files", "ls -la")], "show disk usage of this folder")


@pytest.fixture(scope="module")
def llama():
    srv = LlamaServer().wait()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def llama_keyed():
    srv = LlamaServer(api_key=API_KEY).wait()
    yield srv
    srv.stop()


def write_config(home, text: str):
    (home / "config.toml").write_text(text)


def fallback_answered(r) -> dict:
    """The run succeeded with a command from the embedded model."""
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["backend"] == "embedded" and obj["command"], obj
    return obj


# ---------------------------------------------------------------- real OpenAI-compatible server


@pytest.mark.parametrize("backend", ["vllm", "lmstudio"])
def test_openai_compatible_backends_against_real_llama_server(llama, backend):
    r = run_caro(
        "--backend", backend, "--json", "show disk usage of this folder", env={f"CARO_{backend.upper()}_URL": llama.url}
    )
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["backend"] == backend and obj["model"] == "qwen-served"
    assert obj["command"] and obj["action"] in ("allow", "warn")
    assert "failed" not in r.stderr and "not available" not in r.stderr


@pytest.mark.parametrize(
    "settings", ["stream = true", 'endpoint = "completions"', 'endpoint = "completions"\nstream = true']
)
def test_streaming_and_completions_endpoint_real_server(llama, caro_home, settings):
    write_config(caro_home, f'[backend.vllm]\nurl = "{llama.url}"\n{settings}\n')
    b = VLLMBackend(llama.url, None, configmod.load().section("backend.vllm"))
    assert b.probe().ok and b.model == "qwen-served"
    g = b.generate(PROMPT, max_tokens=24)
    assert g.text.strip() and g.model == "qwen-served"
    r = run_caro("--backend", "vllm", "--json", "count lines in every python file")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["backend"] == "vllm"


def test_api_key_from_env_var_named_in_config(llama_keyed, caro_home):
    write_config(caro_home, f'[backend.vllm]\nurl = "{llama_keyed.url}"\napi_key_env = "TEAM_VLLM_KEY"\n')
    r = run_caro("--backend", "vllm", "--json", "--verbose", "list files", env={"TEAM_VLLM_KEY": API_KEY})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["backend"] == "vllm"
    assert API_KEY not in r.stdout + r.stderr


def test_wrong_api_key_real_server_clear_message_and_no_leak(llama_keyed, caro_home):
    write_config(
        caro_home,
        f'[backend.vllm]\nurl = "{llama_keyed.url}"\nmodel = "qwen-served"\napi_key = "sk-wrong-key-000000000000"\n',
    )
    r = run_caro("--backend", "vllm", "--no-fallback", "--verbose", "list files")
    # the real server rejects the key already at /v1/models, so the probe reports it
    assert r.returncode == 4 and "API key" in r.stderr, r.stderr
    r = run_caro("--backend", "vllm", "--json", "--verbose", "list files")
    fallback_answered(r)
    assert "API key" in r.stderr
    shown = run_caro("config", "show").stdout
    for out in (r.stdout, r.stderr, shown):
        assert "sk-wrong-key-000000000000" not in out
    for f in caro_home.rglob("*"):
        if f.is_file() and f.name != "config.toml":
            assert b"sk-wrong-key" not in f.read_bytes(), f


# ---------------------------------------------------------------- Ollama (stand-in server)


@pytest.mark.parametrize("endpoint,stream", [("generate", False), ("generate", True), ("chat", False), ("chat", True)])
def test_ollama_generate_chat_stream(caro_home, endpoint, stream):
    with FakeOllama() as srv:
        write_config(
            caro_home,
            f'[backend.ollama]\nurl = "{srv.base}"\nendpoint = "{endpoint}"\nstream = {str(stream).lower()}\n',
        )
        r = run_caro("--backend", "ollama", "--json", "show disk usage of this folder")
        assert r.returncode == 0, r.stderr
        obj = json.loads(r.stdout)
        assert obj["backend"] == "ollama" and obj["command"] == "du -sh * | sort -h"
        route, _, payload = srv.script.requests[-1]
        assert route == f"POST /api/{endpoint}" and payload["stream"] is stream
        assert payload["options"]["num_predict"] > 0 and "temperature" in payload["options"]


def test_ollama_reports_server_time():
    with FakeOllama(eval_ms=30) as srv:
        g = OllamaBackend(srv.base, None, {}).generate(PROMPT)
        assert g.server_ms == pytest.approx(30, abs=1) and g.elapsed_ms >= 30


def test_ollama_model_not_pulled(caro_home):
    with FakeOllama(models=["llama3:latest"]) as srv:
        write_config(caro_home, f'[backend.ollama]\nurl = "{srv.base}"\nmodel = "qwen2.5-coder:7b"\n')
        r = run_caro("--backend", "ollama", "--json", "list files")
        fallback_answered(r)
        assert "ollama pull qwen2.5-coder:7b" in r.stderr
        # and at generate time (model deleted after the probe): 404 body -> the same advice
        b = OllamaBackend(srv.base, "qwen2.5-coder:7b", {})
        with pytest.raises(BackendError, match="ollama pull qwen2.5-coder:7b"):
            b.generate(PROMPT)


def test_ollama_not_running(caro_home):
    port = free_port()
    write_config(caro_home, f'[backend.ollama]\nurl = "http://127.0.0.1:{port}"\n')
    r = run_caro("--backend", "ollama", "--json", "list files")
    fallback_answered(r)
    assert "ollama serve" in r.stderr
    r = run_caro("--backend", "ollama", "--no-fallback", "list files")
    assert r.returncode == 4 and "ollama serve" in r.stderr and not r.stdout


def test_ollama_500_shows_its_error_no_retry_then_fallback(caro_home):
    with FakeOllama() as srv:
        srv.overrides["POST /api/generate"] = [
            Reply(500, {"error": "llama runner process has terminated: signal: killed"})
        ]
        write_config(caro_home, f'[backend.ollama]\nurl = "{srv.base}"\n')
        r = run_caro("--backend", "ollama", "--json", "list files")
        fallback_answered(r)
        assert "llama runner process has terminated" in r.stderr
        assert srv.hits("POST /api/generate") == 1


# ---------------------------------------------------------------- fault matrix (OpenAI-compatible)


def vllm_server(*post: Reply, models=("served-model",)) -> ScriptedServer:
    return ScriptedServer(
        {"GET /v1/models": [Reply(200, openai_models(*models))], "POST /v1/chat/completions": list(post)}
    )


def use_vllm(home, srv_or_url, extra: str = ""):
    url = srv_or_url if isinstance(srv_or_url, str) else srv_or_url.base + "/v1"
    write_config(home, f'[backend.vllm]\nurl = "{url}"\ntimeout = 2.0\n{extra}\n')


GOOD = Reply(200, openai_chat('{"command": "df -h .", "explanation": "free space"}'))


def test_retry_503_then_200(caro_home):
    with vllm_server(Reply(503, "busy"), GOOD) as srv:
        use_vllm(caro_home, srv)
        r = run_caro("--backend", "vllm", "--json", "how much disk space is free")
        assert r.returncode == 0, r.stderr
        obj = json.loads(r.stdout)
        assert obj["backend"] == "vllm" and obj["command"] == "df -h ."
        assert srv.hits("POST /v1/chat/completions") == 2


@pytest.mark.parametrize(
    "reply,message,posts",
    [
        (Reply(500, {"error": {"message": "CUDA error: out of memory"}}), "CUDA error: out of memory", 1),
        (Reply(401, {"error": "invalid api key"}), "API key", 1),
        (Reply(403, "forbidden"), "API key", 1),
        (Reply(404, {"error": "model not found"}), "served: served-model", 1),
        (Reply(503, "overloaded"), "busy", 3),  # retried twice, then gives up
        (Reply(200, "<html>gateway says hi</html>", content_type="text/html"), "not JSON", 1),
        (Reply(200, {"id": "x", "object": "chat.completion"}), "no choices", 1),
        (Reply(200, {"choices": [{"message": {"role": "assistant", "content": ""}}]}), "no text", 1),
        (Reply(200, "x" * (10 * 1024 * 1024)), "exceeded 2 MB", 1),
        (Reply(200, json.dumps(openai_chat("ls -la")), cut_after=40), "closed the connection", 3),
    ],
)
def test_fault_ends_in_message_and_fallback(caro_home, reply, message, posts):
    with vllm_server(reply) as srv:
        use_vllm(caro_home, srv)
        t = time.monotonic()
        r = run_caro("--backend", "vllm", "--json", "list files")
        elapsed = time.monotonic() - t
        fallback_answered(r)
        assert message in r.stderr and "answering with the embedded model" in r.stderr, r.stderr
        assert srv.hits("POST /v1/chat/completions") == posts
        assert elapsed < 30


def test_truncated_sse_stream(caro_home):
    chunk = json.dumps({"choices": [{"index": 0, "delta": {"content": "ls "}}]})
    with vllm_server(Reply(200, chunks=[f"data: {chunk}", ""], content_type="text/event-stream")) as srv:
        use_vllm(caro_home, srv, "stream = true")
        r = run_caro("--backend", "vllm", "--json", "list files")
        fallback_answered(r)
        assert "truncated" in r.stderr


def test_verbose_shows_raw_head_only_in_verbose(caro_home):
    with vllm_server(Reply(200, "<html>" + "junk " * 200)) as srv:
        use_vllm(caro_home, srv)
        quiet = run_caro("--backend", "vllm", "--json", "list files")
        assert "reply began" not in quiet.stderr
    with vllm_server(Reply(200, "<html>" + "junk " * 200)) as srv:
        use_vllm(caro_home, srv)
        (caro_home / "cache" / "availability.json").unlink()
        loud = run_caro("--backend", "vllm", "--json", "--verbose", "list files")
        head = loud.stderr.split("reply began: ")[1].splitlines()[0]
        assert head.startswith("'<html>") and len(head) <= 204


def test_refused_port_probe_is_fast_and_falls_back(caro_home):
    port = free_port()
    use_vllm(caro_home, f"http://127.0.0.1:{port}/v1")
    b = VLLMBackend(f"http://127.0.0.1:{port}/v1", None, {})
    av = b.probe()
    assert not av.ok and "cannot connect" in av.detail and av.latency_ms < 500
    r = run_caro("--backend", "vllm", "--json", "list files")
    fallback_answered(r)
    assert "vllm is not available" in r.stderr


def test_silent_server_probe_within_500ms(caro_home):
    sock = silent_listener()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        t = time.monotonic()
        av = VLLMBackend(url, None, {}).probe()
        assert not av.ok and (time.monotonic() - t) < 0.75  # 0.5 s budget plus scheduling slack
        use_vllm(caro_home, url)
        r = run_caro("--backend", "vllm", "--json", "list files")
        fallback_answered(r)
    finally:
        sock.close()


def test_server_hangs_during_generation(caro_home):
    with vllm_server(Reply(200, openai_chat("ls"), delay=20)) as srv:
        use_vllm(caro_home, srv)  # timeout = 2.0 s
        t = time.monotonic()
        r = run_caro("--backend", "vllm", "--json", "list files")
        assert time.monotonic() - t < 15
        fallback_answered(r)
        assert "did not answer within 2s" in r.stderr
        assert srv.hits("POST /v1/chat/completions") == 1  # a read timeout is not retried


def test_no_fallback_flag_and_config(caro_home):
    with vllm_server(Reply(500, "boom")) as srv:
        use_vllm(caro_home, srv)
        r = run_caro("--backend", "vllm", "--no-fallback", "list files")
        assert r.returncode == 4 and "boom" in r.stderr and not r.stdout


def test_availability_cached_across_runs_and_circuit_breaker(caro_home):
    with vllm_server(Reply(500, "boom")) as srv:
        use_vllm(caro_home, srv)
        for _ in range(availability.BREAKER_FAILURES):
            fallback_answered(run_caro("--backend", "vllm", "--json", "list files"))
        assert srv.hits("GET /v1/models") == 1  # probe cached for 60 s across CLI runs
        posts = srv.hits("POST /v1/chat/completions")
        r = run_caro("--backend", "vllm", "--json", "list files")
        fallback_answered(r)
        assert "failed several times recently" in r.stderr
        assert srv.hits("POST /v1/chat/completions") == posts  # skipped during the cool-down


def test_remote_commands_go_through_safety(caro_home):
    with vllm_server(Reply(200, openai_chat('{"command": "rm -rf / --no-preserve-root"}'))) as srv:
        use_vllm(caro_home, srv)
        r = run_caro("--backend", "vllm", "--json", "clean up")
        assert r.returncode in (3, 4)
        assert "rm -rf /" not in json.loads(r.stdout or '{"command": ""}')["command"]


def test_notice_once_per_remote_host(caro_home):
    from caro.privacy import remote_notice

    b = VLLMBackend("https://gpu.example.com/v1", "m", {})
    assert "gpu.example.com" in remote_notice(b)
    assert remote_notice(b) is None
    assert remote_notice(VLLMBackend("http://127.0.0.1:9/v1", "m", {})) is None
    assert (caro_home / "acknowledged-hosts").stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------- pure translation


def test_tool_call_and_functiongemma_replies():
    from caro.engine.parse import extract

    calls = {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "type": "function",
                            "function": {"name": "run_shell", "arguments": '{"command": "git status -sb"}'},
                        }
                    ],
                }
            }
        ]
    }
    assert extract(reply_text(calls)).command == "git status -sb"
    fg = openai_chat('{"name": "run_shell", "arguments": {"command": "ps aux --sort=-%mem | head"}}')
    assert extract(reply_text(fg)).command == "ps aux --sort=-%mem | head"
    assert extract(reply_text(openai_chat("```bash\nfree -h\n```"))).command == "free -h"
    assert reply_text({"choices": [{"text": " uptime", "finish_reason": "stop"}]}) == " uptime"


def test_sse_parsing():
    c = lambda s: "data: " + json.dumps({"choices": [{"delta": {"content": s}}]})
    assert sse_text([c("ls"), "", c(" -la"), "data: [DONE]"]) == "ls -la"
    with pytest.raises(BackendError, match="malformed"):
        sse_text(["data: {nope", "data: [DONE]"])


def test_lmstudio_no_model_loaded():
    with ScriptedServer({"GET /v1/models": [Reply(200, openai_models())]}) as srv:
        av = LMStudioBackend(srv.base + "/v1", None, {}).probe()
        assert not av.ok and "lms load" in av.detail


def test_mlx_translation_with_stand_in_module():
    from caro.backends.mlx import MLXBackend

    class Tok:
        def apply_chat_template(self, messages, add_generation_prompt, tokenize):
            assert add_generation_prompt and not tokenize
            return "|".join(m["content"] for m in messages)

    class StandIn:  # mlx_lm cannot run off Apple silicon; same call shapes
        loads = 0

        def load(self, name):
            StandIn.loads += 1
            return object(), Tok()

        def generate(self, model, tokenizer, prompt, max_tokens):
            assert prompt.endswith(PROMPT.request) and max_tokens == 40
            return '{"command": "du -sh ."}'

    b = MLXBackend("some/model", module=StandIn())
    assert b.generate(PROMPT, max_tokens=40).text == '{"command": "du -sh ."}'
    b.generate(PROMPT, max_tokens=40)
    assert StandIn.loads == 1 and b.probe().ok


def test_spinner_only_on_tty_and_only_after_delay():
    from caro.progress import Spinner

    class TTY(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = TTY(), io.StringIO()
    with Spinner("waiting for vllm", after=0.05, stream=tty, interval=0.01):
        time.sleep(0.2)
    with Spinner("waiting", after=0.0, stream=pipe):
        time.sleep(0.05)
    with Spinner("waiting", after=5.0, stream=TTY()) as quick:
        pass
    assert "waiting for vllm" in tty.getvalue() and tty.getvalue().endswith("\r\033[K")
    assert pipe.getvalue() == "" and not quick.drawn


def test_long_lived_fallback_tries_the_remote_again(caro_home):
    """In the helper one FallbackBackend serves many requests: a blip must not pin it to embedded."""
    with vllm_server(Reply(500, "blip"), GOOD) as srv:
        use_vllm(caro_home, srv)
        backend, notices = selectmod.select(configmod.load(), "vllm")
        assert not notices
        first = backend.generate(PROMPT, max_tokens=16)
        assert first.backend == "embedded" and first.model == "qwen2.5-coder-1.5b"
        assert len(first.notices) == 1 and "blip" in first.notices[0]
        second = backend.generate(PROMPT, max_tokens=16)
        assert second.backend == "vllm" and "df -h" in second.text and second.notices == []
        backend.close()
