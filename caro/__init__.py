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
    # judging and answering parts: the safety check and the model backends
    ("safety", "backends"),
    # the pipeline: a request or a line in, a judged answer out (caro/engine/__init__.py reads it in order)
    ("engine",),
    # serving shells: the helper process and its wire (daemon), the shell side and rc files (hooks)
    ("daemon", "hooks"),
    # the command line
    ("cli", "__main__"),
)
