"""Every setting caro has, declared once.

Validation, the defaults `caro config show` prints, the environment overrides, which values are
secrets, the CLI's `--backend`/`--safety` choices, the shell completions and the settings table in
docs/configuration.md are all read from `SETTINGS` (tests/test_settings.py checks the table;
`python -m caro.settings` prints the table).
"""

from __future__ import annotations

# every backend, one row: its name and the class that answers ("module:Class", imported only when
# chosen, so xllamacpp, httpx or mlx load only for the backend in use); its settings are below
BACKEND_CLASSES: dict[str, str] = {
    "embedded": "caro.backends.embedded:EmbeddedBackend",
    "mlx": "caro.backends.mlx:MLXBackend",
    "ollama": "caro.backends.ollama:OllamaBackend",
    "vllm": "caro.backends.openai_compat:VLLMBackend",
    "lmstudio": "caro.backends.openai_compat:LMStudioBackend",
}
BACKENDS = tuple(BACKEND_CLASSES)
SAFETY_MODES = ("strict", "moderate", "permissive")


class Setting:
    """One setting. A plain class, not a dataclass or NamedTuple: the CLI reads this table on every
    start, and dataclasses (with inspect) or typing cost 5-20 ms of import time there."""

    __slots__ = ("choices", "default", "doc", "env", "form", "key", "secret")

    def __init__(
        self,
        key: str,
        default: object,
        doc: str,
        choices: tuple[str, ...] = (),
        env: str | None = None,
        secret: bool = False,
        form: str | None = None,
    ):
        self.key = key  # dotted, as in config.toml
        self.default = default  # its type is the setting's type
        self.doc = doc
        self.choices = choices
        self.env = env  # CARO_… variable that overrides the file
        self.secret = secret  # masked by `caro config show`, never logged
        self.form = form  # "url" | "hotkey" | "token": checked beyond the type

    def __repr__(self) -> str:
        return f"Setting({self.key!r})"


def _server(
    name: str, url: str, model: str, env: str, endpoints: tuple[str, ...], what: str, keyed: bool
) -> tuple[Setting, ...]:
    b = f"backend.{name}"
    out = [
        Setting(f"{b}.url", url, f"{what} address", env=env, form="url"),
        Setting(
            f"{b}.model",
            model,
            "model name on that server (empty: the first one it lists)" if not model else "model name on that server",
        ),
    ]
    if keyed:
        out += [
            Setting(f"{b}.api_key", "", "Bearer key for the server", secret=True, form="token"),
            Setting(f"{b}.api_key_env", "", "name of an environment variable holding the key instead"),
        ]
    out += [
        Setting(f"{b}.endpoint", endpoints[0], " or ".join(f"`{e}`" for e in endpoints) + " API", choices=endpoints),
        Setting(f"{b}.stream", False, "stream the reply (SSE for OpenAI-compatible servers, NDJSON for Ollama)"),
        Setting(f"{b}.connect_timeout", 5.0, "seconds to wait for a connection"),
        Setting(f"{b}.timeout", 30.0, "seconds to wait for an answer"),
    ]
    return tuple(out)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "backend.preferred",
        "auto",
        "which backend answers (auto: embedded, or mlx on Apple silicon)",
        choices=("auto",) + BACKENDS,
        env="CARO_BACKEND",
    ),
    Setting("backend.fallback", True, "fall back to the embedded model when a server fails"),
    Setting("backend.embedded.model", "qwen2.5-coder-1.5b", "catalogue name or path to a .gguf", env="CARO_MODEL"),
    Setting(
        "backend.embedded.threads",
        0,
        "CPU threads for the bundled model (0: the free cores, followed as they change, at most 4)",
    ),
    Setting(
        "backend.embedded.context", 2048, "tokens of context per request (the model keeps room for 4 requests at once)"
    ),
    Setting(
        "engine.docs", True, "write a second answer with tldr examples (when docs are here and the backend can score)"
    ),
    Setting("engine.review", True, "let the model rank the candidates by how well each explains the request"),
    Setting(
        "engine.sure_draft",
        0.36,
        "skip that second answer when the model was this sure of its draft: its tokens' mean surprise "
        "(minus their log-probability) is below this (0: never skip)",
    ),
    Setting("backend.mlx.model", "mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit", "mlx-lm model on Apple silicon"),
    *_server(
        "ollama",
        "http://localhost:11434",
        "qwen2.5-coder:1.5b",
        "CARO_OLLAMA_URL",
        ("generate", "chat"),
        "Ollama server",
        keyed=False,
    ),
    *_server(
        "vllm",
        "http://localhost:8000/v1",
        "",
        "CARO_VLLM_URL",
        ("chat", "completions"),
        "vLLM (or any OpenAI-compatible) server",
        keyed=True,
    ),
    *_server(
        "lmstudio",
        "http://localhost:1234/v1",
        "",
        "CARO_LMSTUDIO_URL",
        ("chat", "completions"),
        "LM Studio server",
        keyed=True,
    ),
    Setting(
        "safety.mode",
        "moderate",
        "strict blocks high, moderate warns on high, permissive blocks only critical",
        choices=SAFETY_MODES,
        env="CARO_SAFETY",
    ),
    Setting("safety.allow", [], "glob patterns of commands you trust (critical ones are still blocked)"),
    Setting("safety.rules", [], "extra rules: tables with pattern (a regular expression), risk, reason"),
    Setting("safety.max_length", 8192, "longest command the validator judges (longer: high)"),
    Setting("helper.idle_minutes", 30, "the helper exits after this many idle minutes", env="CARO_IDLE_MINUTES"),
    Setting("helper.timeout", 30, "seconds a shell waits for the helper's answer"),
    Setting(
        "shell.key", "^G", "the hotkey: ctrl-LETTER or alt-LETTER (like ^G or alt-g)", env="CARO_KEY", form="hotkey"
    ),
    Setting("logging.verbose", False, "also log request text in ~/.caro/logs", env="CARO_VERBOSE"),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
# the backends that are servers somewhere (they have an address): what doctor probes and the wizard offers
SERVERS: tuple[str, ...] = tuple(b for b in BACKENDS if f"backend.{b}.url" in BY_KEY)


def defaults() -> dict:
    """The nested table of defaults, shaped like config.toml."""
    out: dict = {}
    for s in SETTINGS:
        node = out
        *parents, leaf = s.key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = list(s.default) if isinstance(s.default, list) else s.default
    return out


def env_overrides() -> dict[str, str]:
    """CARO_… variable -> dotted key."""
    return {s.env: s.key for s in SETTINGS if s.env}


def markdown_table() -> str:
    def shown(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if v == "" or v == []:
            return "(empty)" if v == "" else "[]"
        return str(v)

    rows = ["| key | default | env | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        meaning = s.doc + (f"; one of {', '.join(s.choices)}" if s.choices and "auto" not in s.doc else "")
        meaning += " (secret: masked in `caro config show`)" if s.secret else ""
        rows.append(f"| {s.key} | {shown(s.default)} | {s.env or ''} | {meaning} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
