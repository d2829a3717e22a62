"""Scoring a predicted shell command against gold commands (pure functions).

structure(cmd): the utilities in order, each with its set of flags. Pipelines, `&&`/`;` lists,
command substitutions, `find -exec …` and `xargs …` all contribute utilities; wrappers such as
sudo/env/time/nohup are looked through; argument values are ignored.

nlc2cmd(pred, gold), after the NeurIPS 2020 NLC2CMD definition: for each position i up to the
longer utility list, u = 1 if the utilities match; flag score f = (2|Fg∩Fp| − |Fg∪Fp|) /
max(1, |Fp|, |Fg|) (1 when both have none); s_i = u·(1+f)/2 − (1−u); the score is the mean of
s_i (range −1..1). Against several golds the best one counts.

template_match(pred, gold): same utilities in the same order with the same flag sets and the same
control operators and redirections — only argument values may differ; for subcommand tools
(git, systemctl, docker…) the subcommand is part of the template (`systemctl start` ≠ `systemctl status`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caro.cmdline.shellparse import parse

WRAPPERS = {"sudo", "env", "time", "nohup", "nice", "command", "builtin", "exec", "doas"}
EXEC_PRIMARIES = {"-exec", "-execdir", "-ok", "-okdir"}
# utilities whose single-dash words are words, not letter clusters
WORD_FLAG_TOOLS = {"find", "java", "gcc", "cc", "clang", "dd", "tmux", "ffmpeg", "convert", "xdotool"}

Unit = tuple[str, frozenset]


def _flags(tool: str, args: list[str]) -> frozenset:
    out: set[str] = set()
    for a in args:
        if a == "--":
            break
        if a.startswith("--") and len(a) > 2:
            out.add(a.split("=", 1)[0])
        elif a.startswith("-") and len(a) > 1 and not re.fullmatch(r"-\d+(\.\d+)?[kKmMgGcbw]?", a):
            if tool in WORD_FLAG_TOOLS:
                out.add(a)
            elif tool == "chmod" and re.fullmatch(r"-[rwxXst]+", a):
                continue  # chmod -x is a mode, not a flag
            else:
                out.update("-" + ch for ch in a[1:] if ch.isalpha())
    return frozenset(out)


def _unwrap(argv: list[str]) -> list[str]:
    """The command proper: VAR=value prefixes and wrappers (sudo, env, time…) with their options removed."""
    while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):
        argv = argv[1:]  # VAR=value prefixes
    while argv and argv[0].rsplit("/", 1)[-1] in WRAPPERS:
        rest = argv[1:]
        while rest and (rest[0].startswith("-") or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", rest[0])):
            rest = rest[1:]
        if not rest:
            break  # `env` or `time` on its own is the utility itself
        argv = rest
    return argv


def _units_of_argv(argv: list[str]) -> list[Unit]:
    argv = _unwrap(argv)
    if not argv:
        return []
    tool = argv[0].rsplit("/", 1)[-1]
    rest = argv[1:]
    nested: list[Unit] = []
    if tool == "find":
        own = []
        i = 0
        while i < len(rest):
            if rest[i] in EXEC_PRIMARIES:
                own.append(rest[i])
                j = i + 1
                while j < len(rest) and rest[j] not in (";", "+", "\\;"):
                    j += 1
                nested += _units_of_argv(rest[i + 1 : j])
                i = j + 1
            else:
                own.append(rest[i])
                i += 1
        return [(tool, _flags(tool, own))] + nested
    if tool == "xargs":
        i = 0
        while i < len(rest) and rest[i].startswith("-"):
            takes = rest[i] in ("-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a")
            i += 2 if takes else 1
        return [(tool, _flags(tool, rest[:i]))] + _units_of_argv(rest[i:])
    return [(tool, _flags(tool, rest))]


def structure(cmd: str, shell: str = "bash") -> list[Unit]:
    # read in the shell the command is for: a fish loop (`for f in *; …; end`) is no bash
    try:
        p = parse(cmd, shell)
    except Exception:
        return []
    units: list[Unit] = []
    for argv in p.argvs():
        units += _units_of_argv(argv)
    for sub in p.subs:
        units += structure(sub, shell)
    return units


def _operators(cmd: str) -> tuple:
    """Control operators and redirection kinds, in order (quoted text removed first)."""
    bare = re.sub(r"'[^']*'|\"(\\.|[^\"\\])*\"", "Q", cmd)
    return tuple(re.findall(r"\|\||&&|\||;|>>|2>&1|&>|>|<", bare))


def flag_score(fp: frozenset, fg: frozenset) -> float:
    if not fp and not fg:
        return 1.0
    return (2 * len(fp & fg) - len(fp | fg)) / max(1, len(fp), len(fg))


def nlc2cmd_one(pred: str, gold: str, shell: str = "bash") -> float:
    P, G = structure(pred, shell), structure(gold, shell)
    T = max(len(P), len(G))
    if T == 0:
        return 0.0
    total = 0.0
    for i in range(T):
        if i < len(P) and i < len(G) and P[i][0] == G[i][0]:
            total += (1 + flag_score(P[i][1], G[i][1])) / 2
        else:
            total -= 1
    return total / T


def nlc2cmd(pred: str, golds: list[str], shell: str = "bash") -> float:
    if not pred or not pred.strip():
        return -1.0 if golds else 0.0
    return max(nlc2cmd_one(pred, g, shell) for g in golds)


# tools whose first word names the action: `systemctl start` and `systemctl status` are different commands
SUBCOMMAND_TOOLS = {
    "git",
    "systemctl",
    "docker",
    "kubectl",
    "apt",
    "apt-get",
    "brew",
    "pip",
    "pip3",
    "npm",
    "cargo",
    "ip",
    "journalctl",
    "service",
    "dnf",
    "yum",
    "pacman",
    "snap",
    "go",
    "podman",
    "timedatectl",
    "hostnamectl",
    "nmcli",
    "ufw",
    "conda",
    "uv",
    "poetry",
    "yarn",
    "pnpm",
    "helm",
    "gh",
}


def subcommands(cmd: str, shell: str = "bash") -> tuple:
    """(tool, first non-flag word) for each subcommand-style tool in the command."""
    try:
        p = parse(cmd, shell)
    except Exception:
        return ()
    out = []
    for argv in map(_unwrap, p.argvs()):
        if argv and argv[0].rsplit("/", 1)[-1] in SUBCOMMAND_TOOLS:
            words = [a for a in argv[1:] if not a.startswith("-")]
            out.append((argv[0].rsplit("/", 1)[-1], words[0] if words else ""))
    return tuple(out)


def template_match(pred: str, golds: list[str], shell: str = "bash") -> bool:
    if not pred:
        return False
    sp, op, sc = structure(pred, shell), _operators(pred), subcommands(pred, shell)
    return any(sp and sp == structure(g, shell) and op == _operators(g) and sc == subcommands(g, shell) for g in golds)


def best_of(preds: list[str], golds: list[str], shell: str = "bash") -> float:
    """Several predictions (the Ctrl-G cycle): the best if any is positive, as NLC2CMD did."""
    scores = [nlc2cmd(p, golds, shell) for p in preds if p]
    if not scores:
        return -1.0
    best = max(scores)
    return best if best > 0 else sum(scores) / len(scores)
