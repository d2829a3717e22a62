"""The same-model peer: shell_gpt (`sgpt --shell`) against llama.cpp's own OpenAI-compatible
server serving the very GGUF caro uses. Both are real programs from PyPI (the `bench` extra);
sgpt runs as a user would run it, one process per request, with its own shell prompt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import LlamaServer


class SgptRunner:
    def __init__(self, model: str | None = None):
        from caro import models

        sgpt = shutil.which("sgpt") or str(Path(sys.executable).parent / "sgpt")
        if not Path(sgpt).exists():
            raise SystemExit("the shell_gpt peer needs sgpt: pip install -e '.[bench]'")
        self.sgpt = sgpt
        path, entry = models.resolve(model or models.default_entry().name)
        self.alias = entry.name if entry else path.stem
        self.server = LlamaServer(self.alias, gguf=path).wait()
        self.home = Path(tempfile.mkdtemp(prefix="caro-sgpt-"))
        self.label = f"shell_gpt --shell + llama.cpp server ({self.alias})"
        self.last_source = "sgpt"

    def __call__(self, request: str, shell: str = "bash") -> list[str]:
        env = dict(
            os.environ,
            HOME=str(self.home),
            OPENAI_API_KEY="sk-local",
            API_BASE_URL=self.server.url,
            DEFAULT_MODEL=self.alias,
            SHELL_INTERACTION="false",
            OPENAI_USE_FUNCTIONS="false",
            PRETTIFY_MARKDOWN="false",
            CACHE_PATH=str(self.home / "cache"),
            CHAT_CACHE_PATH=str(self.home / "chat"),
            SHELL=f"/bin/{shell}",
            DISABLE_STREAMING="true",
            REQUEST_TIMEOUT="60",
        )
        try:
            out = subprocess.run(
                [self.sgpt, "--shell", "--no-interaction", "--no-cache", request],
                env=env,
                capture_output=True,
                text=True,
                timeout=90,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return [""]
        lines = [ln for ln in out.stdout.strip().splitlines() if ln.strip()]
        return [lines[0].strip() if lines else ""]

    def close(self) -> None:
        self.server.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class LlmCmdRunner:
    """The second same-model peer: simonw/llm with the llm-gguf plugin serving the very GGUF caro
    uses, asked with llm-cmd's own system prompt (what `llm cmd -m NAME "…"` sends). Run in-process,
    so the model loads once (`llm cmd` would load it on every call); only the answers and the
    generation time are compared. The plugin samples at llama-cpp-python's default temperature
    (0.2), as a user's `llm cmd` does."""

    def __init__(self, model: str | None = None):
        from caro import models

        path, entry = models.resolve(model or models.default_entry().name)
        self.alias = entry.name if entry else path.stem
        self.home = Path(tempfile.mkdtemp(prefix="caro-llm-"))
        os.environ["LLM_USER_PATH"] = str(self.home)  # llm reads it on every call: never the user's
        llm_cli = Path(sys.executable).parent / "llm"
        if not llm_cli.exists():
            raise SystemExit("the llm peer needs llm, llm-gguf and llm-cmd: pip install -e '.[bench]'")
        # registered the way a user would, with caro's context size
        subprocess.run(
            [str(llm_cli), "gguf", "register-model", self.alias, str(path), "--n-ctx", "2048"],
            check=True,
            capture_output=True,
            text=True,
        )
        import llm
        from llm_cmd import SYSTEM_PROMPT

        self.model = llm.get_model(f"gguf/{self.alias}")
        self.system = SYSTEM_PROMPT
        self.label = f"llm cmd + llm-gguf ({self.alias})"
        self.last_source = "llm"

    def __call__(self, request: str, shell: str = "bash") -> list[str]:
        text = self.model.prompt(request, system=self.system).text().strip()
        # `llm cmd` puts the whole reply on the editable line; its first line is what would run first
        lines = [ln for ln in text.splitlines() if ln.strip()]
        return [lines[0].strip() if lines else ""]

    def close(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
