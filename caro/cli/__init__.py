"""The `caro` command line: argument parsing and dispatch, one module per subcommand beside it.

Heavy modules (xllamacpp, httpx, prompt_toolkit) are imported only inside the subcommands that need
them, so --help and --version stay fast. Everything below this package (engine, safety, helper,
shell integration) never imports from it."""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..paths import UnsafeDirectory
from ..settings import BACKENDS, SAFETY_MODES
from .status import Exit, err

SUBCOMMANDS = ("check", "explain", "hook", "init", "doctor", "helper", "model", "config", "learn", "docs")
SHELLS = ("bash", "zsh", "fish", "sh", "powershell", "cmd")


def request_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="caro",
        description="Turn a request into a shell command, checked for safety before you see it.",
        epilog="subcommands: " + ", ".join(SUBCOMMANDS) + " (caro SUBCOMMAND --help)",
    )
    p.add_argument("request", nargs="*", help="what you want to do, in words")
    p.add_argument("--backend", choices=BACKENDS, help="backend to use")
    p.add_argument("--model", help="model name or path (for the chosen backend)")
    p.add_argument("--shell", choices=SHELLS, help="shell to write the command for (default: $SHELL)")
    p.add_argument("--safety", choices=SAFETY_MODES, help="safety mode for this run")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the command")
    p.add_argument("--explain", action="store_true", help="also print the explanation on stderr")
    p.add_argument("--no-fallback", action="store_true", help="fail instead of falling back to the embedded model")
    p.add_argument(
        "--print", dest="print_only", action="store_true", help="print the command only, never offer to run it"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="more diagnostics on stderr")
    p.add_argument("-V", "--version", action="version", version=f"caro {__version__}")
    return p


def sub_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="caro")
    sp = p.add_subparsers(dest="cmd", required=True)
    c = sp.add_parser("check", help="safety verdict for a command (or - for one per stdin line)")
    c.add_argument("command", nargs="+")
    c.add_argument("--json", action="store_true")
    c.add_argument("--shell", choices=SHELLS, default="bash")
    c.add_argument("--safety", choices=SAFETY_MODES)
    e = sp.add_parser("explain", help="explain what a command does and how risky it is")
    e.add_argument("command", nargs="+")
    e.add_argument("--json", action="store_true")
    h = sp.add_parser("hook", help="print the shell integration snippet, or add/remove it in your rc files")
    h.add_argument(
        "shell",
        nargs="*",
        metavar="zsh|bash|fish",  # checked in commands: argparse rejects [] with choices
        help="print this shell's snippet; with --install/--uninstall, the shells to change",
    )
    h.add_argument("--install", action="store_true", help="add the marked caro block to the shells' rc files")
    h.add_argument("--uninstall", action="store_true", help="remove the caro block from the rc files")
    h.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    i = sp.add_parser("init", help="guided setup: pick and test a backend")
    i.add_argument("--yes", action="store_true", help="accept the defaults without asking")
    d = sp.add_parser("doctor", help="diagnose the installation")
    d.add_argument("--json", action="store_true")
    hp = sp.add_parser("helper", help="the persistent helper process")
    hp.add_argument("action", nargs="?", default="status", choices=("start", "stop", "status", "run", "dir"))
    hp.add_argument("--foreground", action="store_true")
    m = sp.add_parser("model", help="list, download and choose models")
    m.add_argument("action", nargs="?", default="list", choices=("list", "pull", "use", "remove", "path"))
    m.add_argument("name", nargs="?")
    m.add_argument("--url", help="download from this URL instead of the catalogue source")
    cf = sp.add_parser("config", help="show or change settings")
    cf.add_argument("action", nargs="?", default="show", choices=("show", "get", "set", "unset", "path", "edit"))
    cf.add_argument("key", nargs="?")
    cf.add_argument("value", nargs="?")
    cf.add_argument("--json", action="store_true")
    ln = sp.add_parser("learn", help="teach caro your own request → command pair")
    ln.add_argument("request")
    ln.add_argument("command")
    dc = sp.add_parser("docs", help="fetch or check the tldr pages caro writes answers with")
    dc.add_argument("action", nargs="?", default="status", choices=("pull", "status"))
    dc.add_argument(
        "--from", dest="from_file", metavar="FILE", help="use this tldr-pages.en.zip instead of downloading"
    )
    dc.add_argument("--url", help="download from this URL instead of the tldr-pages release")
    return p


def _distance(a: str, b: str) -> int:
    """Edit distance with adjacent swaps counting one (Damerau's optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def subcommand_words() -> dict[str, list[str] | None]:
    """What each subcommand's first positional accepts, from the parser itself: its choices, the
    shells for `hook`, [] when it takes none, None when it is free text (check, explain, learn)."""
    sp = next(a for a in sub_parser()._actions if isinstance(a, argparse._SubParsersAction))
    out: dict[str, list[str] | None] = {}
    for name in SUBCOMMANDS:
        first = next((a for a in sp.choices[name]._actions if not a.option_strings and a.dest != "help"), None)
        out[name] = [] if first is None else list(first.choices) if first.choices else None
    out["hook"] = ["zsh", "bash", "fish"]
    return out


def mistyped(argv: list[str]) -> str | None:
    """The subcommand a near-miss first word was meant to be (`caro modle list` → model), or None.

    Only when the rest of the line fits that subcommand too, or for a swap of two letters in a
    free-form one (`caro cehck …`): otherwise the words are a request."""
    if not argv or argv[0].startswith("-"):
        return None
    word, rest = argv[0].lower(), argv[1:]
    known: dict[str, list[str] | None] = {}
    for sub in SUBCOMMANDS:
        d = _distance(word, sub)
        if d == 0 or d > (2 if len(sub) >= 6 else 1):
            continue
        known = known or subcommand_words()  # built only for a near miss: requests stay fast
        follows = known[sub]
        if follows is not None:  # a near miss must be followed by what this subcommand takes
            words = [w for w in rest if not w.startswith("-")]
            if (
                (not rest and sub in ("doctor", "init", "helper", "model", "config"))
                or (words and words[0] in follows)
                or (rest and not words and not follows)
            ):
                return sub
        elif (sorted(word) == sorted(sub) and len(word) == len(sub)) or (d == 1 and len(word) >= 5):
            return sub  # check / explain / learn: two letters swapped, or one letter off a long word
    return None


def mistyped_action(argv: list[str]) -> str | None:
    """`caro model lsit` → "list": the action of a subcommand a near-miss second word was meant to be."""
    if len(argv) < 2 or argv[1].startswith("-"):
        return None
    follows = subcommand_words().get(argv[0])
    if not follows or argv[1] in follows:
        return None
    near = sorted((_distance(argv[1].lower(), a), a) for a in follows)
    return near[0][1] if near and near[0][0] <= (2 if len(near[0][1]) >= 5 else 1) else None


def _read_request(words: list[str]) -> str:
    text = " ".join(words)
    if text == "-" and not sys.stdin.isatty():
        from ..engine.suggestion import MAX_REQUEST

        # enough bytes to hold one character more than a request may have (UTF-8: 4 bytes at most),
        # so an overlong one is told as such, and never the whole of a huge input
        data = sys.stdin.buffer.read(4 * MAX_REQUEST + 4)
        text = data.decode("utf-8", errors="replace")
    return text


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            if action := mistyped_action(argv):
                err(
                    f"unknown {'shell' if argv[0] == 'hook' else 'action'} {argv[1]!r} for caro {argv[0]}; "
                    f"did you mean `caro {argv[0]} {action}`?"
                )
                return Exit.USAGE
            args = sub_parser().parse_args(argv)
            module = importlib.import_module(f".{args.cmd}", __name__)
            return getattr(module, "cmd_" + args.cmd)(args)
        meant = mistyped(argv)
        if meant:
            err(
                f"unknown subcommand {argv[0]!r}: did you mean `caro {meant}`? "
                f'(to ask for a command, quote the request: caro "{" ".join(argv)}")'
            )
            return Exit.USAGE
        args = request_parser().parse_args(argv)
        if not args.request:
            request_parser().print_usage(sys.stderr)
            err('give a request, e.g. caro "list the 5 biggest files here"')
            return Exit.USAGE
        from .request import cmd_request

        return cmd_request(args, _read_request(args.request))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return Exit.INTERRUPTED
    except BrokenPipeError:
        return Exit.OK
    except UnsafeDirectory as e:
        err(str(e))  # one line that says what to fix, never a traceback
        return Exit.ERROR
    except OSError as e:
        # a read-only or full disk, a vanished directory: one line that names it, never a traceback
        where = f" ({e.filename})" if e.filename else ""
        err(f"{e.strerror or e}{where}; check that CARO_HOME ({_home()}) is writable and has free space")
        return Exit.ERROR


def _home() -> str:
    from ..paths import home

    return str(home())


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
