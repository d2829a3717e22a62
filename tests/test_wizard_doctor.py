"""`caro init` driven through a real terminal (pexpect) and `caro doctor` on good and bad setups.
The OpenAI-compatible path talks to the real llama.cpp server on loopback (tests/servers.py)."""

import json
import os

import pexpect
import pytest
from conftest import PY, ROOT, run_caro
from servers import LlamaServer

DOWN = "\x1b[B"
COMMENTED = "# my settings, keep this comment\n[safety]\n# why strict: shared box\nmax_length = 4096\n"


def spawn_init(caro_home, *args):
    env = dict(
        os.environ, CARO_HOME=str(caro_home), TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(caro_home.parent)
    )
    return pexpect.spawn(
        PY, ["-m", "caro", "init", *args], env=env, cwd=str(ROOT), encoding="utf-8", timeout=90, dimensions=(40, 120)
    )


def write_config_no_hook(child):
    """The wizard's last two questions: write the config (yes), install the hook (no)."""
    child.expect("Write this config")
    child.send("y")
    child.expect("Add the Ctrl-G hook")
    child.send("n")
    child.expect(pexpect.EOF)


def test_init_non_interactive_takes_defaults_and_keeps_comments(caro_home):
    (caro_home / "config.toml").write_text(COMMENTED)
    r = run_caro("init", "--yes")
    assert r.returncode == 0, r.stderr
    assert "Testing embedded" in r.stdout and "→" in r.stdout
    text = (caro_home / "config.toml").read_text()
    assert text.startswith("# my settings, keep this comment\n") and "# why strict: shared box" in text
    assert 'preferred = "embedded"' in text and "max_length = 4096" in text
    assert (caro_home / "config.toml").stat().st_mode & 0o777 == 0o600
    assert run_caro("init", "--yes").stdout.count("no change needed") == 1  # second run: nothing to do


def test_init_interactive_embedded_with_arrow_keys(caro_home):
    (caro_home / "config.toml").write_text(COMMENTED)
    child = spawn_init(caro_home)
    child.expect("Which backend")
    child.send("\r")  # default: embedded
    child.expect("Safety mode")
    child.send(DOWN + "\r")  # moderate -> strict
    child.expect("Hotkey")
    child.send("\x15alt-g\r")  # clear the default, type a new key
    child.expect("→ (.+?)\\(\\d+ ms with embedded/qwen2.5-coder-1.5b\\)")
    write_config_no_hook(child)
    text = (caro_home / "config.toml").read_text()
    assert 'mode = "strict"' in text and 'key = "alt-g"' in text and "# why strict: shared box" in text


def test_init_rejects_bad_hotkey_then_accepts(caro_home):
    child = spawn_init(caro_home)
    child.expect("Which backend")
    child.send("\r")
    child.expect("Safety mode")
    child.send("\r")
    child.expect("Hotkey")
    child.send("\x15F13\r")
    child.expect("cannot be bound in every shell")
    child.expect("Hotkey")
    child.send("\x15^T\r")
    write_config_no_hook(child)
    assert 'key = "^T"' in (caro_home / "config.toml").read_text()


@pytest.fixture(scope="module")
def llama():
    srv = LlamaServer().wait()
    yield srv
    srv.stop()


def test_init_vllm_url_against_real_server(caro_home, llama):
    child = spawn_init(caro_home)
    child.expect("Which backend")
    child.send(DOWN + "\r")  # embedded, then "vllm (type the server's URL)"
    child.expect("vLLM URL")
    child.send("gpu-box:8000\r")  # no scheme: explained, asked again
    child.expect("needs a scheme and host")
    child.expect("vLLM URL")
    child.send(llama.url + "\r")
    child.expect("API key")
    child.send("\r")
    child.expect("Safety mode")
    child.send("\r")
    child.expect("Hotkey")
    child.send("\r")
    child.expect("with vllm/qwen-served\\)")
    write_config_no_hook(child)
    text = (caro_home / "config.toml").read_text()
    assert 'preferred = "vllm"' in text and llama.url in text


def test_init_ctrl_c_leaves_everything_untouched(caro_home):
    (caro_home / "config.toml").write_text(COMMENTED)
    before = (caro_home / "config.toml").read_bytes()
    child = spawn_init(caro_home)
    child.expect("Which backend")
    child.send("\x03")
    child.expect("nothing was changed")
    child.expect(pexpect.EOF)
    assert (caro_home / "config.toml").read_bytes() == before
    assert not any(p.name.endswith((".tmp", ".caro-tmp")) for p in caro_home.iterdir())


def test_doctor_healthy_setup(caro_home):
    r = run_caro("doctor", "--json", env={"HOME": str(caro_home.parent)})
    rows = json.loads(r.stdout)
    bad = [x for x in rows if not x["ok"]]
    assert r.returncode == 0 and not bad, bad
    names = {x["check"] for x in rows}
    assert {"caro", "model runtime", "config", "runtime dir", "model", "helper"} <= names


def test_doctor_broken_setup_explains_each_problem(caro_home):
    (caro_home / "config.toml").write_text("[safety\nmode = 1\n")
    run_dir = caro_home / "run"
    run_dir.mkdir()
    os.chmod(run_dir, 0o777)
    r = run_caro("doctor", env={"HOME": str(caro_home.parent)})
    assert r.returncode == 1
    assert "BAD config" in r.stdout and "invalid TOML" in r.stdout and str(caro_home / "config.toml") in r.stdout
    assert "BAD runtime dir" in r.stdout and "chmod 700" in r.stdout
    assert (caro_home / "config.toml").read_text() == "[safety\nmode = 1\n"  # never rewritten
