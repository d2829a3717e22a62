"""caro: a request typed at the shell prompt becomes a checked command on the line."""

__version__ = "0.1.0"

# The layers, bottom to top: a module may import from its own layer and the ones below, never from
# one above (tests/test_structure.py checks every import, including those inside functions).
# Names are top-level modules and packages of caro.
LAYERS: tuple[tuple[str, ...], ...] = (
    # ground floor: errors, settings and where things live; what every layer may use
    (
        "caro",
        "errors",
        "keys",
        "files",
        "paths",
        "settings",
        "config",
        "visible",
        "turns",
        "progress",
        "privacy",
        "models",
    ),
    # the shell language (parser, expander, command anatomy) and what caro knows about programs
    ("cmdline", "knowledge"),
    # judging and answering parts: the safety check, the model backends, what a suggestion is
    ("safety", "verdicts", "suggestion", "backends", "context", "user_examples"),
    # the pipeline: prompts, reading replies, the checks an answer passes, explain, the engine
    ("prompt", "parse", "explain", "flagcheck", "intent", "checks", "linekind", "engine"),
    # serving shells: the helper process and the shell side (snippets, rc files, protocol, relay)
    ("integration", "helper"),
    # the command line
    ("cli", "__main__"),
)
