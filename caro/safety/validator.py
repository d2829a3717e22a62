"""The one validator every suggestion passes through.

`check(command, ...)` parses the line as a shell would, looks through wrappers and
into nested code (substitutions, `bash -c`, `eval`, interpreter one-liners, encoded
payloads), applies the rule table and turns the worst finding into an action for
the configured mode. Work is bounded by a length limit and a nesting limit.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import re
import shutil
import time
from dataclasses import dataclass, replace
from typing import cast

from ..cmdline.commands import (
    DECODERS,
    FETCHERS,
    INTERPRETERS,
    SHELLS,
    Cmd,
    basename,
    build,
    find_info,
    shell_script_arg,
    split_flags,
    ssh_remote_command,
)
from ..cmdline.shellparse import Redirect, Simple, Word, parse
from ..settings import BY_KEY
from ..visible import command_shown, hidden
from . import devices, effects, extent
from . import paths as P
from .rules import CRITICAL, HIGH, MODERATE, RISK_ORDER, RULES, SAFE, SHELL_BINARIES, Ctx, Rule, makes_setuid
from .verdict import Finding, Verdict

MODES = ("strict", "moderate", "permissive")
DEFAULT_MAX_LENGTH: int = cast(int, BY_KEY["safety.max_length"].default)  # the setting's default, written once
DEFAULT_BUDGET_MS = 50.0
MAX_DEPTH = 6

_ACTIONS = {
    "strict": {SAFE: "allow", MODERATE: "allow", HIGH: "block", CRITICAL: "block"},
    "moderate": {SAFE: "allow", MODERATE: "allow", HIGH: "warn", CRITICAL: "block"},
    # permissive still never offers a critical command; it only stops asking about high ones
    "permissive": {SAFE: "allow", MODERATE: "allow", HIGH: "allow", CRITICAL: "block"},
}

# A name starts at a word boundary and is at most 64 characters: without both, a long run of
# name characters is rescanned from every position (7.6 KB of `x` took 0.9 s).
_DEFINITION = re.compile(r"(?<![^\s;&|(){}])([^\s(){}|;&<>]{1,64})\s*\(\s*\)\s*\{")
_OTHER_BOMBS = re.compile(r"\bfork\s*while\s*fork|%0\|%0")


def is_fork_bomb(src: str) -> bool:
    """`f(){ f|f& };f` under any name, Perl's `fork while fork`, cmd's `%0|%0`.

    A scan, not one backtracking regex: each definition's body ends at its first `}`, so the work
    is linear in the text per definition (a 4 KB run of `a(){` took 248 s with the old pattern).
    """
    if _OTHER_BOMBS.search(src):
        return True
    for n, m in enumerate(_DEFINITION.finditer(src)):
        if n >= 64:
            break
        end = src.find("}", m.end())
        if end < 0:
            continue
        name = re.escape(m.group(1))
        if re.search(name + r"\s*\|\s*" + name, src[m.end() : end]) and re.search(
            r"(?:^|[\s;&|])" + name + r"(?:$|[\s;&|])", src[end + 1 :]
        ):
            return True
    return False


# Used only when the text cannot be parsed or nests too deeply: a coarse net for the worst cases.
_CRUDE_CRITICAL = re.compile(
    r"\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)\b.*?\s(/|/\*|~/?|\$HOME/?|\"\$HOME\"/?)(\s|$|;|&|\||\"|'|\)|`)"
    r"|\bmkfs\S*\s+\S*/dev/|\bdd\b[^\n]*\bof=/dev/(sd|nvme|hd|vd|disk|mmcblk)"
    r"|>\s*/dev/(sd[a-z]|nvme\d|disk\d)|/proc/sysrq-trigger|\bkill\s+-9\s+-1\b|\bchmod\s+-R\s+\S+\s+/(\s|$)"
)
# Programs that destroy data or run other code. A line caro cannot finish judging (nested too deep,
# over the time or size budget, an internal failure) is blocked when it names one, warned otherwise:
# padding must not buy a softer verdict for what it hides.
_RISKY = re.compile(
    r"(?<![\w.-])(rm|rmdir|unlink|dd|mkfs(\.\w+)?|mke2fs|shred|wipefs|truncate|find|chmod|chown|chgrp|mv|cp"
    r"|fdisk|sfdisk|parted|kill|pkill|killall|shutdown|reboot|halt|poweroff|sh|bash|zsh|fish|dash|ksh|csh|tcsh"
    r"|eval|exec|source|python[\d.]*|perl|ruby|node|php|lua|awk|gawk|sed|xargs|parallel|sudo|doas|su|pkexec"
    r"|env|nohup|setsid|timeout|curl|wget|nc|ncat|netcat|socat|crontab|at|systemctl|git|tee|install)(?![\w.-])"
)
_LIMITS = ("nested more than", "too large to read")  # the reader's own limits, not syntax errors
# text that fetches and runs code: stored in an rc file or a crontab, it runs at every start
_FETCH_EXEC = re.compile(
    r"\b(?:curl|wget|fetch)\b[^\n]*\|\s*(?:sudo\s+)?(?:\w*sh|python\d?|perl|ruby|node|source|\.)(?:\s|$|[;&|)'\"])"
    r"|\b(?:bash|sh|zsh|source|\.)\s+<\(\s*(?:curl|wget)|\b(?:curl|wget)\b[^\n]*(?:&&|;)\s*(?:\w*sh|chmod)\b"
)
# a service unit's command lines (`ExecStart=-/bin/sh -c …`; the prefixes only change how it is run)
_UNIT_EXEC = re.compile(r"^\s*Exec\w*\s*=\s*[-@:+!]*")
_SYSTEM_CRON_LINE = re.compile(r"^\s*(?:@\w+\s+|(?:\S+\s+){5})\S+\s+")
_CRON_LINE = re.compile(r"^\s*(?:@\w+|(?:\S+\s+){5})")


# a substitution naming one of these is judged by decode-exec or download-exec, not as unread code
_JUDGED_ELSEWHERE = frozenset("base64 base32 xxd openssl curl wget".split())


def _names_any(text: str, names: frozenset[str]) -> bool:
    """Whether a command text names one of these programs anywhere (`$(echo … | base64 -d)`)."""
    return any(w in names for w in re.findall(r"[\w-]+", text))


# tools whose output is their own shell setup, meant to be eval'd or sourced (`eval "$(pyenv init -)"`,
# `source <(kubectl completion bash)`): code from a program already installed, not from elsewhere
_SHELL_SETUP = re.compile(
    r"(?:ssh-agent(?:\s+-[sc])?|gpg-agent\s+--daemon|keychain\s+--eval(?:\s+[\w.-]+)*"
    r"|(?:pyenv|rbenv|nodenv|goenv|jenv|plenv)\s+(?:virtualenv-)?init(?:\s+-(?:\s+\w+)?)?"
    r"|(?:direnv|mcfly)\s+hook\s+\w+|(?:zoxide|starship|atuin|oh-my-posh|mcfly)\s+init\s+\w+(?:\s+--[\w-]+)*"
    r"|fzf\s+--(?:bash|zsh|fish)|brew\s+shellenv|dircolors(?:\s+-[bc])?|thefuck\s+--alias|conda\s+shell\.\w+\s+hook"
    r"|micromamba\s+shell\s+hook(?:\s+-s\s+\w+)?|fnm\s+env(?:\s+--[\w-]+)*|mise\s+activate\s+\w+|opam\s+env"
    r"|luarocks\s+path|minikube\s+docker-env|docker-machine\s+env\s+[\w.-]+|register-python-argcomplete\s+[\w.-]+"
    r"|(?:kubectl|helm|gh|glab|npm|pip3?|poetry|pdm|rustup|just|deno|terraform|kind|k3d|flux|argocd|istioctl|velero"
    r"|eksctl|doctl|stern|uv|pixi|devbox)\s+(?:completions?|generate-shell-completion)(?:\s+-{0,2}\w+)*)"
)
# where package managers put those tools (`eval "$(/opt/homebrew/bin/brew shellenv)"`)
_INSTALLED_AT = re.compile(
    r"^(?:/usr(?:/local)?|/opt/homebrew|/home/linuxbrew/\.linuxbrew|(?:~|\$HOME|\$\{HOME\})/\.(?:local|cargo|pyenv|rbenv))?/s?bin/"
)
# a string put together at run time: chr(114)+chr(109), String.fromCharCode, bytes.fromhex, b64decode
_BUILT_STRINGS = re.compile(
    r"\bchr\s*\(|fromCharCode|\.fromhex\(|b64decode|base64\.|unhexlify|\\x[0-9a-fA-F]{2}|\bpack\s*\(|decode\(|reverse|\[::-1\]"
)
_CODE_RUNNERS = re.compile(
    r"os\.execute|io\.popen|os\.system|subprocess|popen|\bsystem\s*\(|\b(system|exec)\s+[\"'\[qx]|\bexec(Sync|File)?\s*\(|spawn|`|qx|%x|IO\.popen|shell_exec|passthru|Runtime"
)
_CODE_DELETERS = re.compile(
    r"rmtree|file\s+delete|os\.remove|os\.unlink|os\.rmdir|unlink|rm_rf|rm_r\b|FileUtils\.rm|rmSync|rmdirSync|rimraf|File\.delete|remove_tree|rmdir"
)
_STRING_LIT = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|`([^`]*)`")
# the home folder as interpreters spell it (python, perl, ruby, node, php, awk)
_HOME_IN_CODE = re.compile(
    r"os\.path\.expanduser\(\s*['\"]~['\"]\s*\)|Path\.home\(\)|os\.environ\[\s*['\"]HOME['\"]\s*\]"
    r"|os\.(?:environ\.get|getenv)\(\s*['\"]HOME['\"]\s*\)|\$ENV\{\s*['\"]?HOME['\"]?\s*\}|ENV\[\s*['\"]HOME['\"]\s*\]"
    r"|ENVIRON\[\s*\"HOME\"\s*\]|process\.env\.HOME|process\.env\[\s*['\"]HOME['\"]\s*\]|os\.homedir\(\)|Dir\.home\b"
    r"|getenv\(\s*['\"]HOME['\"]\s*\)|require\(\s*['\"](?:node:)?os['\"]\s*\)\.homedir\(\)|\$env\(HOME\)"
)
# a program that fetches text from the web and runs it as code (`exec(urlopen(…).read())`)
_FETCHES_IN_CODE = re.compile(
    r"urlopen|urllib|requests\.get|http\.client|https?\.get\(|\bfetch\(|Net::HTTP|LWP::|open-uri|URI\.open"
    r"|file_get_contents\(\s*['\"]https?:|http::geturl"
)
_EVALS_IN_CODE = re.compile(r"\bexec\s*\(|\beval\s*[\s(]|\bFunction\s*\(|instance_eval|\bexecfile\b|\bloadstring\b")
_PHP_INCLUDES = re.compile(r"\b(?:include|require)(?:_once)?\b")  # php runs the file it includes
# a program that decodes base64 (and may run what it decodes)
_DECODES_IN_CODE = re.compile(r"decode_base64|b64decode|base64\.decode|Base64\.decode|atob\(|['\"]base64['\"]")


# a descriptor a line opened itself: `>&3`, `<&$REPLY` (not the terminal's 0, 1, 2)
_DESCRIPTOR = re.compile(r"\$\{?\w+\}?|[3-9]")


# commands every shell has, whether or not a program of that name is installed
_BUILTINS = frozenset("cd echo pwd exit clear history type source printf test read kill jobs fg bg".split())


def _everyday(name: str) -> bool:
    """A name the user already types for something else: a builtin or an installed program."""
    return name in _BUILTINS or shutil.which(name) is not None


def _first_stage(src: str, shell: str) -> list[Simple]:
    """The first command of a substitution's text, as a list of none or one."""
    pipelines = parse(src, shell).pipelines
    return pipelines[0][:1] if pipelines else []


def _commands(simples: list[Simple]) -> list[Cmd]:
    """The commands these simple commands run, each read on its own (wrappers unwrapped)."""
    return [c for s in simples if (c := build(_resolved(s), [s.argv[0] if s.argv else ""], 0)[0]) is not None]


def _file_key(path: str) -> str:
    """One spelling per file for the line's bookkeeping (`./k.tgz` and `k.tgz` are one file)."""
    p = P.normalise(path)
    return p.removeprefix("./")


def _decoded(blob: str, base: int = 64, errors: str = "replace") -> str | None:
    """The text base64 (or base32) `blob` holds, padded as the decoders let it be left; None when
    it is not such text."""
    width, decode = (4, base64.b64decode) if base == 64 else (8, base64.b32decode)
    try:
        return decode(blob + "=" * (-len(blob) % width)).decode("utf-8", errors)
    except (binascii.Error, ValueError):
        return None


def _base64_text(blob: str) -> str | None:
    """The text a base64 literal holds, when it is one (16+ characters, decodes to printable text)."""
    if not re.fullmatch(r"[A-Za-z0-9+/]{16,}={0,2}", blob):
        return None
    text = _decoded(blob, errors="strict")
    return text if text is not None and all(c.isprintable() or c in "\n\t" for c in text) else None


# a one-line program that opens a connection and gives it a shell (the classic reverse shells)
_SOCKETS = re.compile(
    r"\.connect\s*\(|create_connection|TCPSocket|fsockopen|net\.connect|createConnection|IO::Socket::INET|socket\.tcp"
    r"|\bconnect\s*\(\s*\w+\s*,"  # perl's socket(S, …); connect(S, …)
)
# … and hands it a shell, or runs what it reads from it (`IO.popen(cmd)`, `system($line)`)
_SHELL_HANDED = re.compile(
    r"dup2|pty\.spawn|\b(?:ba|z|da)?sh\b[\"',\s]+-i|cmd\.exe|\.pipe\(\s*\w+\.stdin"
    r"|IO\.popen\s*\(\s*\$?\w+|\bsystem\s*\(?\s*\$\w+|\bopen\s*\(\s*STDIN\s*,\s*[\"']?>&"
)


def _joined_strings(code: str) -> str:
    """A program's strings as they are put together: the home folder spelt `$HOME`, and
    `"curl -T " + process.env.HOME + "/.aws/credentials …"` joined into one literal."""
    # inside a string the home is interpolated (perl's "rm -rf $ENV{HOME}", ruby's "#{Dir.home}")
    code = re.sub(
        r'"(?:[^"\\]|\\.)*"',
        lambda m: re.sub(r"#\{\s*\$HOME\s*\}", "$HOME", _HOME_IN_CODE.sub("$HOME", m.group(0))),
        code,
    )
    code = _HOME_IN_CODE.sub('"$HOME"', code)
    joined = re.compile(r"\"((?:[^\"\\]|\\.)*)\"\s*(?:\+|\.|\.\.)\s*\"((?:[^\"\\]|\\.)*)\"")
    for _ in range(20):  # each pass joins a pair; the cap only bounds hostile text
        new = joined.sub(lambda m: '"' + m.group(1) + m.group(2) + '"', code)
        if new == code:
            break
        code = new
    return code


@dataclass
class Policy:
    mode: str = "moderate"
    allow: tuple[str, ...] = ()  # glob patterns of commands the user trusts
    extra_rules: tuple[tuple[re.Pattern, str, str], ...] = ()  # (regex, risk, reason)
    max_length: int = DEFAULT_MAX_LENGTH
    budget_ms: float = DEFAULT_BUDGET_MS  # past this, the line is "too complex to judge" (high)

    @classmethod
    def from_config(cls, safety: dict) -> Policy:
        extra = []
        for r in safety.get("rules", []) or []:
            extra.append(
                (re.compile(r["pattern"]), r.get("risk", HIGH), r.get("reason", f"matches your rule {r['pattern']!r}"))
            )
        return cls(
            mode=safety.get("mode", "moderate"),
            allow=tuple(safety.get("allow", []) or ()),
            extra_rules=tuple(extra),
            max_length=int(safety.get("max_length", DEFAULT_MAX_LENGTH)),
        )


class _Analysis:
    def __init__(self, ctx: Ctx, policy: Policy, rules: tuple[Rule, ...]):
        self.ctx = ctx
        self.policy = policy
        self.rules = rules
        self.findings: list[Finding] = []
        self.src = ""  # the whole line (for effects that span its parts)
        self.files: dict[str, str] = {}  # files the line writes with text it spells out, for a later `bash FILE`
        self.secret_files: dict[str, str] = {}  # files the line filled from a secret (for a later upload)
        self.shell_copies: set[str] = set()  # where the line copied a shell or interpreter to (for a later chmod u+s)
        self.links: dict[str, str] = {}  # symbolic links the line made: link → target
        self.secret_vars: dict[str, str] = {}  # variables the line filled with a secret: name → which
        self.socket = False  # the line opened a network connection on a descriptor (ztcp, exec 3<>/dev/tcp/…)
        self.budget = 400  # simple commands we are willing to look at
        # The budget is this thread's CPU time, so a busy machine (the model generating on both cores)
        # does not turn an ordinary line into "too complex"; waiting (lsblk, the disk walk) has its
        # own limits, and 40 budgets (2 s) of wall-clock time is the hard stop for a stalled machine.
        self.cpu_deadline = time.thread_time() + policy.budget_ms / 1000
        self.wall_deadline = time.perf_counter() + 40 * policy.budget_ms / 1000

    def add(self, rule: str, risk: str, reason: str) -> None:
        if not any(f.reason == reason for f in self.findings):
            self.findings.append(Finding(rule, risk, reason))

    def out_of_time(self) -> bool:
        return time.thread_time() > self.cpu_deadline or time.perf_counter() > self.wall_deadline

    def worst(self) -> str:
        return max((f.risk for f in self.findings), key=RISK_ORDER.__getitem__, default=SAFE)

    # -- the walk --------------------------------------------------------------------------
    def text(self, src: str, depth: int, shell: str | None = None, positional: list[str] | None = None) -> None:
        shell = shell or self.ctx.shell
        late = self.out_of_time()
        if depth > MAX_DEPTH or self.budget <= 0 or late:
            if late:
                self.unjudged(src, "too-complex", f"is too complex to judge within {int(self.policy.budget_ms)} ms")
            else:
                self.unjudged(src, "too-deep", "nests commands too deeply for caro to check")
            return
        parsed = parse(src, shell, positional)
        self.src = src if depth == 0 else self.src
        if limit := next((e for e in parsed.errors if e.startswith(_LIMITS)), None):
            self.unjudged(src, "too-deep", f"is {limit}, past what caro can check")
        # a definition is only code when the parser saw one: the same text quoted is data
        if (_OTHER_BOMBS.search(src) or (parsed.functions or parsed.errors)) and is_fork_bomb(src):
            self.add("fork-bomb", CRITICAL, "is a fork bomb: it starts processes until the machine freezes")
        if parsed.errors:
            flat = _open_braces(src)
            if flat != src:
                self.text(flat, depth + 1, shell)  # `{rm,-rf,/}` is not bash syntax but runs as rm -rf /
            if (spaced := _split_double_parens(src)) != src:
                self.text(spaced, depth + 1, shell)  # what bash runs when `((…))` is not arithmetic
            if self.crude(src, flat):
                self.add(
                    "unparsed-critical",
                    CRITICAL,
                    f"cannot be read cleanly ({parsed.errors[0]}) and contains a destructive command",
                )
            else:
                self.add(
                    "unparsed",
                    HIGH,
                    f"is not valid {shell} ({parsed.errors[0]}), so caro cannot tell what it would run",
                )
        for pipeline in parsed.pipelines:
            names = [basename(s.words[0].text) if s.words else "" for s in pipeline]
            resolved = []
            for idx, simple in enumerate(pipeline):
                self.budget -= 1
                cmd, _ = build(_resolved(simple), names, idx)
                resolved.append(cmd)
                if cmd is not None:
                    names[idx] = cmd.name
            for idx, simple in enumerate(pipeline):
                for w in simple.words:  # bare, after export/declare/env, or before a command
                    if code := effects.assignment_code(w.text):
                        self.text(code, depth + 1)  # PROMPT_COMMAND=…, EDITOR=… git commit: run later
                    if assigned := re.match(r"(\w+)\+?=(?:\$\((.*)\)|`(.*)`)", w.text):
                        # a bare assignment keeps its text whole: its substitution is read from it
                        self.keep_secret(assigned.group(1), [], [assigned.group(2) or assigned.group(3) or ""])
                if shared := effects.shared_dir_first_on_path([w.text for w in simple.words]):
                    self.add(
                        "path-hijack",
                        HIGH,
                        f"puts {shared} first on PATH: any user of this machine can put a program there that runs instead of yours",
                    )
                if resolved[idx] is None and simple.argv and basename(simple.argv[0]) in ("env", "printenv"):
                    # `env | curl -d @- …`: bare env prints the environment (the wrapper reading found no command)
                    resolved[idx] = Cmd("printenv", [])
            for idx, cmd in enumerate(resolved):
                if cmd is None:
                    continue
                cmd.pipe_before, cmd.pipe_after = names[:idx], names[idx + 1 :]
                self.spelling(cmd, pipeline[idx], depth)
                self.command(cmd, depth, pipeline[idx], pipeline)
                if cmd.name == "eval":
                    words = pipeline[idx].words[-len(cmd.args) :] if cmd.args else []
                    if any(w.opaque and w.subs for w in words):
                        self.produced(cmd, [s for w in words for s in w.subs], depth)
                    else:  # literal text, or with variables only (`eval "zsh -i <&$REPLY"`): read as written
                        self.text(" ".join(cmd.args), depth + 1)
                before_it = resolved[idx - 1] if idx > 0 else None
                if cmd.from_stdin and before_it is None and any(r.target == "<(…)" for r in cmd.redirects):
                    # `xargs rm -rf < <(find / …)`: fed by a process substitution as by a pipe
                    finds = [c for sub in parsed.subs for c in _commands(_first_stage(sub, shell)) if c.name == "find"]
                    before_it = finds[0] if finds else None
                if cmd.from_stdin and before_it is not None and before_it.name == "find":
                    self.fed_by_find(cmd, before_it, depth, pipeline[idx], pipeline)
                elif cmd.from_stdin and idx > 0 and (fed := _simple_output(pipeline[idx - 1])) is not None:
                    # `echo / | xargs rm -rf` is `rm -rf /`
                    args = cmd.args + fed.split()
                    flags, ops = split_flags(cmd.name, args)
                    inner = replace(cmd, args=args, flags=flags, operands=ops, from_stdin=False)
                    self.command(inner, depth + 1, pipeline[idx], pipeline)
                self.generated(cmd, idx, pipeline, depth)
            self.flows(resolved, pipeline, depth)
        for sub in parsed.subs:
            self.text(sub, depth + 1)

    def unjudged(self, src: str, rule: str, why: str) -> None:
        """A line (or part) caro could not finish reading: high, critical when it holds what harms."""
        if self.crude(src):
            self.add(rule, CRITICAL, "hides a destructive command too deep to check")
        elif _RISKY.search(src):
            self.add(rule, CRITICAL, f"{why}, and it runs a program that can delete data or run code")
        else:
            self.add(rule, HIGH, why)

    def crude(self, src: str, flat: str | None = None) -> bool:
        """The coarse net for text that cannot be read: also tried with braces opened (`{rm,-rf,/}`)."""
        flat = _open_braces(src) if flat is None else flat
        return bool(_CRUDE_CRITICAL.search(src) or _CRUDE_CRITICAL.search(flat) or is_fork_bomb(src))

    def count_edits(self, find: Cmd, roots: list[str], found: list[Finding], ctx: Ctx) -> None:
        """`find … -name '*.js' -exec sed -i …`: how many files the names select, as for rm."""
        edit = next((f for f in found if f.rule == "mass-edit"), None)
        if edit is None or any(P.classify(r, ctx.cwd, ctx.home) in (P.ROOT, P.HOME, P.SYSTEM) for r in roots):
            return
        names = [find.args[k + 1] for k, a in enumerate(find.args[:-1]) if a in ("-name", "-iname")]
        seconds = min(0.03, self.wall_deadline - time.perf_counter() - 0.05)
        result = extent.count_named(roots, names, ctx.cwd, seconds)
        if result is not None:
            edit.reason += f" ({extent.wording('matches', result)} here)"

    def measure(self, cmd: Cmd, ctx: Ctx, found: list[Finding]) -> None:
        """Say how much a warned or noted recursive delete / permission change would touch."""
        hits = [f for f in found if f.rule in _MEASURED and f.risk in (MODERATE, HIGH)]
        if not hits or cmd.from_stdin or any(f.risk == CRITICAL for f in found):
            return  # a blocked line needs no size, and walking / would only cost time
        if cmd.name == "find":
            paths, verb = find_info(cmd).roots, "searches"
        elif cmd.name == "rm":
            paths, verb = cmd.operands, "deletes"
        else:
            edits = any(f.rule == "mass-edit" for f in hits)
            paths = cmd.operands[1:] if len(cmd.operands) > 1 else cmd.operands
            verb = "edits" if edits else "changes"
        if any(P.classify(p, ctx.cwd, ctx.home) in (P.ROOT, P.HOME, P.SYSTEM, P.SYSTEM_DEEP) for p in paths):
            return  # "at least 9,000 files" of / or a system tree adds nothing to the warning
        if any("**" in p for p in paths):
            return  # a recursive glob is expanded in one call that no time limit can stop
        result = extent.measure(paths, ctx.cwd, min(0.03, self.wall_deadline - time.perf_counter() - 0.05))
        if result is not None:
            hits[0].reason += f" ({extent.wording(verb, result)} here)"

    def disk(self, cmd: Cmd, rule: Rule, path: str) -> None:
        """A raw write to a device is judged by what the device holds: a mounted file system
        (above all /) is critical; a present, unmounted device (a USB stick) is high and named."""
        dev = devices.lookup(P.normalise(path))
        reason = f"{cmd.name}: " + rule.reason.format(path)
        if dev is None:
            self.add(rule.id, rule.risk, reason)
        elif dev.mounts:
            self.add(rule.id, CRITICAL, f"{reason} ({dev.describe()})")
        else:
            self.add(rule.id, HIGH, f"{reason} ({dev.describe()}; check it is the right one)")

    def spelling(self, cmd: Cmd, simple: Simple, depth: int) -> None:
        """Fail closed when what runs is not written plainly: a computed command name, or tricks
        that no honest answer to a plain-English request needs."""
        tricks = sorted({t for w in simple.words for t in w.tricks})
        if tricks:
            self.add("obfuscated", HIGH, f"is obfuscated ({', '.join(tricks)}): no plain answer is spelled this way")
        if cmd.name in ("rm", "chmod", "chown", "chgrp") and cmd.has("r", "R", "--recursive"):
            hidden_ops = [w.text for w in simple.words[1:] if w.opaque and w.subs]
            if hidden_ops:
                self.add(
                    "hidden-operand",
                    HIGH,
                    f"{cmd.name}: works recursively on whatever {hidden_ops[0]} prints, which caro cannot see",
                )
        k = len(simple.words) - len(cmd.args) - 1
        word = simple.words[k] if 0 <= k < len(simple.words) else None
        if word is None or not word.dynamic:
            return
        if cmd.args[:1] == ["-c"] and len(cmd.args) > 1:
            # `$SHELL -c '…'`, `$(which bash) -c '…'`: whatever the name is, the script is shell
            self.text(cmd.args[1], depth + 1)
        if word.opaque:
            self.add("computed-command", HIGH, f"runs a command whose name is only known when it runs ({word.text})")
            for prog in _DESTRUCTIVE:
                flags, ops = split_flags(prog, cmd.args)
                probe = Cmd(prog, cmd.args, redirects=cmd.redirects, flags=flags, operands=ops)
                worst = [r for r in self.rules if r.risk == CRITICAL and _hit(r, probe, self.ctx)]
                if worst:
                    self.add(
                        "computed-command",
                        CRITICAL,
                        f"runs a computed command whose arguments would be destructive for {prog}",
                    )
                    return
        else:
            self.add("computed-command", HIGH, f"spells its command name indirectly ({cmd.name} built from expansions)")

    def produced(self, cmd: Cmd, subs: list[str], depth: int) -> None:
        """Code that is the output of substitutions: read it when the producer is literal."""
        for sub in subs:
            out = literal_output(sub)
            if out is not None and _ESCAPED.search(sub):
                self.hidden(cmd, out, depth)  # `eval "$(printf '\x63\x75…')"`
            elif out is not None:
                self.text(out, depth + 1, _dialect_of(cmd.name))
            elif _SHELL_SETUP.fullmatch(_INSTALLED_AT.sub("", sub.strip())):
                continue  # an installed tool printing its own setup: `eval "$(ssh-agent -s)"`
            elif not _names_any(sub, _JUDGED_ELSEWHERE):
                self.add(
                    "runs-generated-code",
                    HIGH,
                    f"{cmd.name}: runs code that $({sub.strip()[:30]}) prints, which caro cannot read first",
                )

    def fed_by_find(self, cmd: Cmd, find: Cmd, depth: int, simple: Simple, pipeline: list[Simple]) -> None:
        """`find / | xargs rm -rf` is `rm -rf` of what find lists: judged like find's roots."""
        fi = find_info(find)
        if fi.filtered:
            return
        flags, ops = split_flags(cmd.name, cmd.args + fi.roots)
        self.command(
            replace(cmd, args=cmd.args + fi.roots, operands=ops, flags=flags, from_stdin=False),
            depth + 1,
            simple,
            pipeline,
        )

    def generated(self, cmd: Cmd, idx: int, pipeline: list[Simple], depth: int) -> None:
        """Text piped into a shell is code: judge it when the producer is literal, else rate it high."""
        runs_stdin = (
            (
                cmd.name in SHELLS
                and shell_script_arg(cmd) is None
                and not [o for o in cmd.operands if o not in ("-", "-s")]
            )
            # fish's `source` with no file reads its stdin; so does `at`/`batch` without -f
            or (cmd.name in ("source", ".") and (not cmd.operands or cmd.operands[:1] in (["/dev/stdin"], ["-"])))
            or (cmd.name in ("at", "batch") and not any(a.startswith(("-f", "-l", "-r", "-c")) for a in cmd.args))
            or (cmd.name in INTERPRETERS and not cmd.operands and not any(a in ("-c", "-e", "-E") for a in cmd.args))
        )
        if not runs_stdin or idx == 0:
            return
        producer = pipeline[idx - 1]
        argv = producer.argv
        if not argv and producer.heredoc is None:
            self.add(
                "runs-generated-code",
                HIGH,
                f"{cmd.name}: runs code produced by another command, which caro cannot read",
            )
            return
        name = basename(argv[0]) if argv else ""
        out = _filtered_output(pipeline[:idx])
        if out is not None:
            if cmd.name not in INTERPRETERS:  # a program's text is read as one by `interpreter`
                self.text(out, depth + 1, _dialect_of(cmd.name))
        elif any(n in DECODERS or n in FETCHERS for n in cmd.pipe_before):
            return  # decoded_code and download-exec judge these
        else:
            self.add(
                "runs-generated-code",
                HIGH,
                f"{cmd.name}: runs code that {name or 'another command'} produces, which caro cannot read first",
            )

    def through_links(self, cmd: Cmd) -> Cmd:
        """`ln -s "$HOME" cache && rm -rf cache/`: a path that goes through a link the line made is
        its target's (a trailing slash follows the link; `rm -rf cache` alone removes only the link)."""

        def follow(word: str) -> str:
            w = word.removeprefix("./")
            for link, target in self.links.items():
                if w.startswith(link + "/"):
                    return target.rstrip("/") + w[len(link) :]
            return word

        if not self.links:
            return cmd
        return replace(cmd, args=[follow(a) for a in cmd.args], operands=[follow(o) for o in cmd.operands])

    def command(self, cmd: Cmd, depth: int, simple: Simple, pipeline: list[Simple]) -> None:
        cmd = self.through_links(cmd)
        if cmd.name == "ln" and cmd.has("s", "--symbolic") and len(cmd.operands) == 2:
            link = cmd.operands[1]
            self.links[(link.removeprefix("./")).rstrip("/")] = cmd.operands[0]
        # judged where an earlier `cd` on the line left it
        ctx = self.ctx if simple.cwd is None else replace(self.ctx, cwd=simple.cwd)
        before = len(self.findings)
        for rule in self.rules:
            hit = _hit(rule, cmd, ctx)
            if hit and rule.category == "disk" and P.is_disk(str(hit)):
                self.disk(cmd, rule, str(hit))
            elif hit:
                self.add(rule.id, rule.risk, f"{cmd.name}: " + rule.reason.format(hit))
        if simple.cwd is not None:
            for f in self.findings[before:]:
                f.reason += f" (it runs in {simple.cwd}, after the cd)"
        self.measure(cmd, ctx, self.findings[before:])
        raw = " ".join([cmd.name] + cmd.args)
        if _dry_run(cmd):
            # a rehearsal changes nothing: what the real run would do is worth a note, not a warning
            for f in self.findings[before:]:
                if f.risk in (HIGH, CRITICAL) and f.rule not in _NOT_REHEARSED:
                    f.risk = MODERATE if f.risk == HIGH else HIGH
                    f.reason += " (dry run: nothing is changed)"
        for pattern, risk, reason in self.policy.extra_rules:
            if pattern.search(raw):
                self.add("user-rule", risk, reason)
        script = shell_script_arg(cmd)
        if script is not None:
            word = next((w for w in simple.words if w.text == script), None)
            if word is not None and word.opaque:
                # `sh -c "$(…)"`: the script is what the substitution prints
                self.produced(cmd, word.subs, depth)
            else:
                self.text(script, depth + 1, _dialect_of(cmd.name), _positional(cmd, script))
        remote = ssh_remote_command(cmd)
        if remote:
            self.text(remote, depth + 1)
        if cmd.name in SHELLS or cmd.name in ("source", ".") or cmd.name in INTERPRETERS:
            for w in simple.words[1:]:
                if w.subs and (w.text.startswith(("/dev/fd/", "<(")) or (w.opaque and not w.quoted)):
                    self.produced(cmd, w.subs, depth)  # `bash <(…)`, `source <(…)`: the output is the script
        for target in [cmd.name, *cmd.operands[:1]]:
            written = self.files.get(P.normalise(target)) or self.files.get(P.normalise("./" + target))
            if written is not None and (target != cmd.name or "/" in (simple.argv[0] if simple.argv else "")):
                self.text(written, depth + 1)  # `echo … > x.sh && bash x.sh`, `./x.sh`: what was written runs
        if cmd.name in ("make", "gmake", "bmake") and (recipes := self.recipes(cmd)):
            self.text(recipes, depth + 1)  # `printf 'all:\n\tcurl … | sh\n' > Makefile && make`
        if cmd.name == "find":
            fi = find_info(cmd)
            root = fi.roots[0] if not fi.filtered else "FOUND"
            for part in fi.execs:
                if part:
                    argv = [basename(part[0])] + [root if a == "{}" else a for a in part[1:]]
                    flags, ops = split_flags(argv[0], argv[1:])
                    inner = Cmd(argv[0], argv[1:], via=["find"], flags=flags, operands=ops)
                    start = len(self.findings)
                    self.command(inner, depth + 1, simple, pipeline)
                    self.count_edits(cmd, fi.roots, self.findings[start:], ctx)
        if cmd.name == "funcsave" and _FETCH_EXEC.search(self.src):
            # fish keeps the function for every later shell (~/.config/fish/functions/)
            self.add("persistence", CRITICAL, f"{cmd.name}: keeps code downloaded from the internet to run later")
        if sabotage := effects.alias_sabotage(cmd, _everyday):
            name, prog = sabotage
            self.add(
                "alias-sabotage", CRITICAL, f"alias: makes `{name}` run {prog}, so whatever you next give it is lost"
            )
        for code in effects.later_code(cmd):
            if _FETCH_EXEC.search(code):
                # fetched afresh each time it runs, out of sight: whoever serves the URL runs code here
                self.add("persistence", CRITICAL, f"{cmd.name}: keeps code downloaded from the internet to run later")
            self.text(code, depth + 1)  # stored or handed on to run: judged as if it ran now
        overwritten = []
        if cmd.name == "find":  # find writes its list into the file after -fprint
            overwritten += [
                cmd.args[k + 1] for k, a in enumerate(cmd.args[:-1]) if a in ("-fprint", "-fprint0", "-fprintf", "-fls")
            ]
        if cmd.name in ("ed", "ex") and cmd.operands and _edits_file(cmd, simple, pipeline):
            overwritten.append(cmd.operands[-1])  # `printf '1,$d\nw\nq\n' | ed -s FILE` rewrites FILE
        for path in overwritten:  # judged as `> FILE`, by the rules for writes
            self.command(Cmd(":", [], redirects=[Redirect(">", path)]), depth + 1, simple, pipeline)
        if inside := effects.container_command(cmd):
            self.text(inside, depth + 1)  # what the container does to the host folders it mounts
        if secret := effects.uploaded_secret(cmd):
            self.add("secret-upload", CRITICAL, f"{cmd.name}: sends {secret} off this machine")
        if cmd.name == "set" and (named := [a for a in cmd.args if not a.startswith("-")]):
            self.keep_secret(named[0], simple.words)  # fish: set -l e (env | string collect)
        sink = effects.network_sink(cmd)
        if (sink or cmd.name in effects.DNS_TOOLS | FETCHERS) and (held := self.var_secret(cmd)):
            self.add("secret-exfiltration", CRITICAL, f"{cmd.name}: sends {held} off this machine")
        # `cp $(which bash) /tmp/x`: the shell found where it is installed
        sources = cmd.operands[:-1] + ["/bin/" + basename(x) for x in effects.located(cmd)]
        if cmd.name in ("cp", "install", "ln", "rsync") and any(SHELL_BINARIES.match(o) for o in sources):
            self.shell_copies.add(P.normalise(cmd.operands[-1]))
        elif (
            cmd.name == "chmod"
            and any(makes_setuid(o) for o in cmd.operands)
            and (copy := next((o for o in cmd.operands if P.normalise(o) in self.shell_copies), None))
        ):
            self.add(
                "setuid-shell",
                CRITICAL,
                f"chmod: makes {copy}, a copy of a shell, setuid: anyone could get a root shell",
            )
        if self.secret_files and sink:
            # `-F f=@FILE;type=…`, `-T FILE`, `--post-file=FILE`, `< FILE`: the files it sends
            named = [re.sub(r"^(?:[^=@]*=)?@?|;.*$", "", a) for a in cmd.args]
            named += [r.target for r in cmd.redirects if r.op == "<"]
            if sent := next((f for f in named if _file_key(f) in self.secret_files), None):
                made_from = self.secret_files[_file_key(sent)]
                self.add(
                    "secret-upload", CRITICAL, f"{cmd.name}: sends {sent}, made from {made_from}, off this machine"
                )
        at = next((k for k, st in enumerate(pipeline) if st is simple), 0)  # this command's place in the pipeline
        if cmd.name == "ztcp" or any(
            r.target.startswith(("/dev/tcp/", "/dev/udp/")) for r in cmd.redirects if cmd.name == ":"
        ):
            self.socket = True  # zsh's ztcp, bash's `exec 3<>/dev/tcp/host/port`
        elif (
            self.socket
            and cmd.name in SHELLS
            and any(  # `sh <&3`, or `cat <&3 | sh`: its commands come from the socket
                r.op == "<&" and _DESCRIPTOR.fullmatch(r.target)
                for st in [*pipeline[:at], simple]
                for r in st.redirects
            )
        ):
            self.add(
                "remote-access",
                CRITICAL,
                f"{cmd.name}: runs what comes in on the network connection the line opened: "
                "whoever is there controls this account",
            )
        elif (
            self.socket
            and (secret := effects.secret_source(cmd))
            and any(r.op in (">", ">&") and _DESCRIPTOR.fullmatch(r.target) for r in cmd.redirects)
        ):
            self.add(
                "secret-upload", CRITICAL, f"{cmd.name}: sends {secret} into the network connection the line opened"
            )
        if effects.root_account(cmd):
            self.add("root-account", CRITICAL, f"{cmd.name}: makes an account with uid 0, a second root")
        if cmd.name in INTERPRETERS:
            self.interpreter(cmd, depth, self.written_text(cmd, at, pipeline) if at else None)
        if cmd.name in ("awk", "gawk", "mawk", "nawk"):
            self.awk(cmd, depth)
        self.fetched_code(cmd, simple)
        self.decoded_code(cmd, simple, pipeline, depth)
        if cmd.name in SHELLS or cmd.name in ("eval", "source", "."):
            if cmd.heredoc:
                self.text(cmd.heredoc, depth + 1)
            for r in cmd.redirects:
                if r.op == "<<<":
                    self.text(r.target, depth + 1)

    def flows(self, resolved: list, pipeline: list[Simple], depth: int) -> None:
        """Effects across a pipeline: secrets reaching the network, and what is written into files
        that run or grant access later (judged as code; downloaded there, critical)."""
        cmds = [(i, c) for i, c in enumerate(resolved) if c is not None]
        sinks = [(j, sink) for j, c in cmds if (sink := effects.network_sink(c))]
        # a group's output is its commands' (`{ cat ~/.bash_history; } | curl -T - …`)
        grouped = [(i, c) for i, s in enumerate(pipeline) if not s.words for c in _commands(s.inner)]
        for i, src in cmds + grouped:
            secret = effects.secret_source(src) or self.var_secret(src)
            sink = next((sink for j, sink in sinks if j > i), None)
            if secret:  # files made from it (`tar czf /tmp/k.tgz ~/.ssh`) hold it too, for a later upload
                for _, c in cmds[i:]:
                    for f in [*effects.writes(c), effects.archive_output(c)]:
                        if f and f not in ("-", "/dev/stdout", "/dev/null"):
                            self.secret_files[_file_key(f)] = secret
            if secret and sink:
                self.add("secret-exfiltration", CRITICAL, f"sends {secret} to the network ({sink})")
        listed = any(
            c.name == "git" and c.args[:1] == ["branch"] and any(a.startswith("--merged") for a in c.args)
            for _, c in cmds
        )
        unfiltered = listed and not any(
            c.name in ("grep", "egrep", "rg") and c.has("v", "--invert-match") for _, c in cmds
        )
        if unfiltered and any(
            c.name == "git" and c.from_stdin and {"-d", "-D", "--delete"} & set(c.args) for _, c in cmds
        ):
            self.add(
                "deletes-listed-branches",
                HIGH,
                "git branch: deletes every branch listed, and `--merged` lists the branch you are on and the one "
                "merged into (main itself): filter them out first (grep -v)",
            )
        # `sort data.csv > data.csv`: the shell empties the file before the program reads it
        read = {o for _, c in cmds for o in c.operands if not o.startswith("-")}
        for _, c in cmds:
            emptied = next((r.target for r in c.redirects if r.op == ">" and r.target in read), None)
            if emptied and c.name not in ("tee", "sponge"):
                self.add(
                    "truncates-input",
                    HIGH,
                    f"empties {emptied} before it is read (the output goes to the file it reads)",
                )
                break
        for i, cmd in cmds:
            written = effects.writes(cmd)
            content = self.written_text(cmd, i, pipeline) if written or cmd.name == "crontab" else None
            if content is not None:
                self.files.update((P.normalise(target), content) for target in written)
            if cmd.name in effects.DNS_TOOLS | effects.NETCAT | FETCHERS:
                for w in pipeline[i].words[1:]:
                    if w.subs and any(
                        effects.secret_in(x) or x in ("env", "printenv") for sub in w.subs for x in sub.split()
                    ):
                        self.add("secret-exfiltration", CRITICAL, f"{cmd.name}: puts a secret into a network address")
                    elif w.subs and "." in w.text:
                        self.add(
                            "network-from-output", HIGH, f"{cmd.name}: builds a network address from command output"
                        )
            targets = [t for t in written if effects.persistent_target(t)]
            installs = cmd.name == "crontab" and (not cmd.operands or cmd.operands[-1] == "-" or i > 0)
            if installs and not any(a in ("-l", "-r", "-e", "-i") for a in cmd.args):
                targets.append("your crontab")
            if not targets:
                continue
            where = targets[0]
            # what is written, or else the whole line (a crontab fed by a group: `(crontab -l; echo …)`)
            text = content if content is not None else " ".join(" ".join(x.argv) for x in pipeline) + " " + self.src
            if effects.fed_from_network(cmd) or _FETCH_EXEC.search(text):
                self.add("persistence", CRITICAL, f"installs downloaded code into {where}, which runs it later")
            elif content is not None:
                if re.search(r"authorized_keys2?$", where) and re.search(r"\b(?:ssh|ecdsa|sk)-[\w@.-]+ AAAA", content):
                    # a key written out on the line: the user cannot tell from it whose it is
                    self.add("persistence", HIGH, f"{cmd.name}: lets whoever holds the key written here log in as you")
                for line in content.splitlines():
                    if where == "your crontab":
                        code = _CRON_LINE.sub("", line)
                    elif re.search(r"etc/(?:crontab|cron\.d/)", where):
                        code = _SYSTEM_CRON_LINE.sub("", line)  # the system's lines name a user first
                    else:
                        code = _UNIT_EXEC.sub("", line)
                    if code.strip():
                        self.text(code, depth + 1)
            elif cmd.name not in ("cp", "mv", "ln", "install"):
                # what is written cannot be read here (a variable, another program's output): a note,
                # since adding a key or a PATH line this way is everyday work
                self.add("persistence", MODERATE, f"{cmd.name}: writes to {where}, which runs or grants access later")

    def keep_secret(self, name: str, words: list[Word], subs: list[str] | None = None) -> None:
        """Remember a variable the line fills with a secret (`k=$(cat ~/.ssh/id_rsa)`)."""
        texts = (subs or []) + [sub for w in words for sub in w.subs]
        found = next((x for sub in texts if (x := effects.substituted_secret(sub))), None)
        if found:
            self.secret_vars[name] = found

    def var_secret(self, cmd: Cmd) -> str | None:
        """The secret a command's words carry through a variable the line filled with one."""
        for name, secret in self.secret_vars.items():
            if any(re.search(rf"\$(?:{name}\b|\{{{name}\}})", a) for a in cmd.args):
                return f"{secret} (kept in ${name})"
        return None

    def recipes(self, cmd: Cmd) -> str | None:
        """The shell lines of a makefile this line wrote (a recipe line starts with a tab; `@`, `-`
        and `+` in front only change how make prints or minds it), one per line."""
        named = [cmd.args[k + 1] for k, a in enumerate(cmd.args[:-1]) if a in ("-f", "--file", "--makefile")]
        for name in named or ["GNUmakefile", "makefile", "Makefile"]:
            text = self.files.get(P.normalise(name)) or self.files.get(P.normalise("./" + name))
            if text is not None:
                return "\n".join(x[1:].lstrip("@-+ ") for x in text.splitlines() if x.startswith("\t")) or None
        return None

    def written_text(self, cmd: Cmd, i: int, pipeline: list[Simple]) -> str | None:
        """What a command writes, when the line says it plainly: its own echo/printf, a heredoc, or
        a literal producer before it in the pipeline (all such producers of a group)."""
        if cmd.name in ("echo", "printf"):
            out = _simple_output(pipeline[i])
            return effects.decode_escapes(out) if out is not None else None
        if cmd.heredoc is not None:
            return cmd.heredoc
        if here := [r.target for r in cmd.redirects if r.op == "<<<"]:
            return here[-1] + "\n"  # `tee FILE <<< 'text'`: a here-string is its input, with a newline
        if i > 0 and not pipeline[i - 1].words and pipeline[i - 1].inner:
            # `(crontab -l; echo '* * * * * …') | crontab -`: what the group's literal commands print
            said = [out for s in pipeline[i - 1].inner if (out := _simple_output(s)) is not None]
            return effects.decode_escapes("\n".join(said)) if said else None
        if i > 0:
            out = _simple_output(pipeline[i - 1])
            return effects.decode_escapes(out) if out is not None else None
        return None

    def interpreter(self, cmd: Cmd, depth: int, piped: str | None = None) -> None:
        """A one-line program (`-c`/`-e`, a here-document or string, or literal text piped in)."""
        code = None
        for k, a in enumerate(cmd.args):
            if a in ("-c", "-e", "-E", "-r", "--eval", "-p", "-pe", "-ne", "-le") and k + 1 < len(cmd.args):
                code = cmd.args[k + 1]
                break
        if code is None:
            here = [r.target for r in cmd.redirects if r.op == "<<<"]
            if cmd.heredoc:
                code = cmd.heredoc
            elif here:
                code = here[0]  # `python3 <<< '…'` is a program like `python3 -c '…'`
            elif piped is not None and not [o for o in cmd.operands if not o.startswith("-")]:
                code = piped  # `echo '…' | tclsh`: with no script named, the program is what comes in
            else:
                return
        code = _joined_strings(code)
        literals = [next(g for g in m.groups() if g is not None) for m in _STRING_LIT.finditer(code)]
        if _DECODES_IN_CODE.search(code) and depth < MAX_DEPTH:
            # `perl -MMIME::Base64 -e 'eval decode_base64 shift' 'c3lzdGVt…'`: the decoded text is the program
            after = cmd.args[cmd.args.index(code) + 1 :] if code in cmd.args else []
            for blob in literals + after:
                hidden = _base64_text(blob)
                if hidden is not None:
                    self.interpreter(Cmd(cmd.name, ["-e", hidden]), depth + 1)
        if _SOCKETS.search(code) and _SHELL_HANDED.search(code):
            self.add(
                "remote-access",
                CRITICAL,
                f"{cmd.name}: the one-line program connects to a host and hands it a shell: "
                "whoever is there controls this account",
            )
        evals = _EVALS_IN_CODE.search(code) or cmd.name == "php" and _PHP_INCLUDES.search(code)
        if _FETCHES_IN_CODE.search(code) and evals:
            self.add(
                "download-exec",
                HIGH,
                f"{cmd.name}: the one-line program runs code it downloads from the internet, unseen",
            )
        if _CODE_RUNNERS.search(code) and _BUILT_STRINGS.search(code):
            self.add(
                "obfuscated-code",
                HIGH,
                f"{cmd.name}: runs a command built from character codes or decoded text, which caro cannot read",
            )
        if _CODE_RUNNERS.search(code):
            # subprocess.run(["rm", "-rf", "/"]) : join list elements into one command line
            for group in re.findall(r"\[([^\]]*)\]", code):
                items = [next(g for g in m.groups() if g is not None) for m in _STRING_LIT.finditer(group)]
                if items:
                    literals.append(" ".join(items))
            for lit in literals:
                if lit.strip():
                    self.text(lit, depth + 1)
            if len(literals) > 1:
                # perl's `system "rm","-rf","/"`: the list is one command line
                self.text(" ".join(lit for lit in literals if lit.strip()), depth + 1)
        if _CODE_DELETERS.search(code):
            bad = next(
                (
                    lit
                    for lit in literals
                    if P.classify(lit, self.ctx.cwd, self.ctx.home) in (P.ROOT, P.HOME, P.SYSTEM)
                    or lit in ("/", "~")
                    or re.fullmatch(r"(/\w+)", lit)
                    and lit in P.SYSTEM_DIRS
                ),
                None,
            )
            deep = next((lit for lit in literals if P.classify(lit) == P.SYSTEM_DEEP), None)
            if bad is not None:
                self.add("code-delete", CRITICAL, f"{cmd.name}: the one-line program deletes {bad}")
            elif deep is not None:
                self.add(
                    "code-delete", HIGH, f"{cmd.name}: the one-line program deletes {deep}, which belongs to the system"
                )
            else:
                self.add("code-delete", MODERATE, f"{cmd.name}: the one-line program deletes files")

    def awk(self, cmd: Cmd, depth: int) -> None:
        """awk runs shell code through system("…") and `print … | "sh"`."""
        program = next((o for o in cmd.operands if not re.fullmatch(r"\w+=.*", o)), None)
        if program is None or "-f" in cmd.args:
            return
        program = _HOME_IN_CODE.sub('"$HOME"', program)  # `"rm -rf " ENVIRON["HOME"]`
        calls = re.findall(r"\bsystem\s*\(([^()]{0,400})\)", program)
        piped = re.findall(r"print[^|;{}]{0,400}\|\s*\"(?:sh|bash|/bin/sh|/bin/bash)\"", program)
        for arg in calls + piped:
            lits = re.findall(r'"((?:[^"\\]|\\.)*)"', arg)
            if lits:
                self.text("".join(lits) if calls and arg in calls else " ".join(lits), depth + 1)
            if not lits or re.search(r"\$\d|\b[a-z_]\w*\s*(?=[,)]|$)", arg.replace('"', " ")):
                self.add("runs-generated-code", HIGH, f"{cmd.name}: runs shell commands built while it runs")

    def fetched_code(self, cmd: Cmd, simple: Simple) -> None:
        runner = cmd.name in SHELLS or cmd.name in ("eval", "source", ".", "iex") or cmd.name in INTERPRETERS
        if not runner:
            return
        for w in simple.words:
            for sub in w.subs:
                first = sub.strip().split()[:1]
                if first and basename(first[0]) in FETCHERS:
                    self.add(
                        "download-exec",
                        HIGH,
                        f"{cmd.name}: runs code downloaded from the internet ({first[0]} …) without showing it first",
                    )

    def decoded_code(self, cmd: Cmd, simple: Simple, pipeline: list[Simple], depth: int) -> None:
        """`echo B64 | base64 -d | sh` and `bash -c "$(echo B64 | base64 -d)"`."""
        runner = cmd.name in SHELLS or cmd.name in ("eval", "source", ".") or cmd.name in INTERPRETERS
        if not runner:
            return
        payloads: list[str | None] = []
        if any(n in DECODERS for n in cmd.pipe_before):
            idx = next((k for k, s in enumerate(pipeline) if s is simple), len(pipeline))
            whole = " | ".join(" ".join(s.argv) for s in pipeline)
            payloads.append(_filtered_output(pipeline[:idx]) or _decode_payload(whole))
        for w in simple.words:
            for sub in w.subs:
                if _names_any(sub, DECODERS):
                    payloads.append(literal_output(sub) or _decode_payload(sub))
        # the decoded text reaches the runner another way: a here-string (`bash <<< "$(… | base64 -d)"`)
        # or a variable the line filled (`set -x P (… | base64 -d); eval $P`)
        indirect = any(r.op == "<<<" and "$" in r.target for r in cmd.redirects) or (
            cmd.name == "eval" and cmd.args and all(a.startswith("$") for a in cmd.args)
        )
        if not payloads and indirect and _names_any(self.src, DECODERS):
            payloads.append(_decode_payload(self.src))
        for payload in payloads:
            if payload is None and _names_any(self.src, FETCHERS):
                # downloaded and decoded before it runs: what runs is hidden from everyone but its sender
                self.add("decode-exec", CRITICAL, f"{cmd.name}: runs downloaded code it decodes first, unreadable here")
            elif payload is None:
                self.add("decode-exec", HIGH, f"{cmd.name}: runs a hidden (encoded) command that cannot be read")
            else:
                self.hidden(cmd, payload, depth)

    def hidden(self, cmd: Cmd, payload: str, depth: int) -> None:
        """Code the line spells in an encoding (base64, `\x72\x6d` escapes) and then runs: nobody
        writes a plain command that way, so one that is risky in plain text is critical here."""
        inner = _Analysis(self.ctx, self.policy, self.rules)
        inner.text(payload, depth + 1)
        shown = payload.strip().splitlines()[0][:60] if payload.strip() else ""
        if RISK_ORDER[inner.worst()] >= RISK_ORDER[HIGH]:
            self.add("decode-exec", CRITICAL, f"{cmd.name}: decodes and runs a hidden destructive command ({shown})")
        else:
            self.add("decode-exec", HIGH, f"{cmd.name}: decodes and runs a hidden command ({shown})")


# characters written as escape codes (`\x72`, `\162`, `\u0072`): how code is hidden from a reader
_ESCAPED = re.compile(r"\\(?:x[0-9a-fA-F]{2}|0?[0-7]{3}|u[0-9a-fA-F]{4})")

# What a computed command name is tried as: if its arguments would be critical for one of these,
# the line is critical (`$x -rf /`).
_DESTRUCTIVE = ("rm", "dd", "chmod", "chown", "mkfs", "mv", "find", "shred")


# Programs whose dry-run spelling is real; on anything else a "--dry-run" proves nothing.
_DRY_RUN = {
    "rsync": ("-n", "--dry-run"),
    "git": ("-n", "--dry-run"),
    "kubectl": ("--dry-run",),
    "oc": ("--dry-run",),
    "helm": ("--dry-run",),
    "terraform": ("-dry-run",),
    "tofu": ("-dry-run",),
    "rclone": ("-n", "--dry-run"),
    "aws": ("--dryrun", "--dry-run"),
    "apt": ("-s", "--simulate", "--dry-run"),
    "apt-get": ("-s", "--simulate", "--dry-run"),
    "make": ("-n", "--dry-run"),
    "ansible-playbook": ("--check", "-C"),
    "docker": ("--dry-run",),
    "find": (),
}
_NOT_REHEARSED = frozenset(
    {
        "obfuscated",
        "computed-command",
        "runs-generated-code",
        "unparsed",
        "unparsed-critical",
        "download-exec",
        "decode-exec",
        "fork-bomb",
    }
)


def _dry_run(cmd: Cmd) -> bool:
    spellings = _DRY_RUN.get(cmd.name, ())
    shorts = [f[1:] for f in spellings if len(f) == 2]
    return any(a.split("=", 1)[0] in spellings for a in cmd.args) or any(cmd.has(f) for f in shorts)


# Findings that get a measured size: the path is real and the user may well mean it.
_MEASURED = frozenset(
    {
        "rm-recursive",
        "rm-everything-here",
        "rm-system-files",
        "find-delete",
        "find-delete-wide",
        "chmod-wide",
        "mass-edit",
    }
)


def _hit(rule: Rule, cmd: Cmd, ctx: Ctx) -> str | None:
    """What the rule found in the command, or None; a check that trips over a short argv finds nothing."""
    try:
        return rule.check(cmd, ctx)
    except (IndexError, KeyError, ValueError):
        return None


def _split_double_parens(src: str) -> str:
    """bash reads `((` that does not hold arithmetic as two subshells, `( (`: `((rm -rf /))` runs."""
    return re.sub(r"(?<!\$)\(\(", "( (", src).replace("))", ") )")


def _open_braces(src: str) -> str:
    """`{rm,-rf,/}` as the words bash's brace expansion makes of it."""
    return re.sub(
        r"(?<![\w$])\{([^{}\s]{1,200},[^{}\s]{0,200})\}", lambda m: " ".join(m.group(1).split(",")), src[:8192]
    )


def _simple_output(simple: Simple) -> str | None:
    """What a literal producer prints: `echo …`, `printf …`, `cat <<EOF … EOF`; None if unknowable."""
    argv = simple.argv
    if any(w.opaque for w in simple.words):
        return None
    name = basename(argv[0]) if argv else ""
    if name in ("echo", "printf"):
        # printf and `echo -e` decode escapes: `printf '\\x72\\x6d …'` prints `rm …`
        words = [a for a in argv[1:] if not re.fullmatch(r"-[neE]+", a)]
        text = " ".join(words).replace("\\n", "\n")
        decodes = name == "printf" or any(re.fullmatch(r"-[nE]*e[nE]*", a) for a in argv[1:])
        return effects.decode_escapes(text) if decodes else text
    if name == "print":
        # zsh's print: words joined by spaces (by lines with -l), escapes decoded unless -r
        opts = "".join(a[1:] for a in argv[1:] if re.fullmatch(r"-[nrlR]+", a))
        words = [a for a in argv[1:] if not re.fullmatch(r"-[nrlR]+|--", a)]
        text = ("\n" if "l" in opts else " ").join(words)
        return text if "r" in opts or "R" in opts else effects.decode_escapes(text)
    if name == "string" and argv[1:2] == ["join"] and len(argv) > 3:
        return argv[2].join(argv[3:])  # fish: `string join SEP WORD…`
    if name == "string" and argv[1:2] == ["unescape"] and len(argv) > 2:
        return "\n".join(effects.decode_escapes(a) for a in argv[2:])
    if name in ("cat", "") and simple.heredoc is not None:
        return simple.heredoc
    return None


def literal_output(src: str) -> str | None:
    """What a substitution prints when that is plain: a literal producer, or one passed through
    text filters caro can run itself (`echo … | rev`, `xxd -r -p <<< 726d…`, `tr a-z n-za-m`)."""
    parsed = parse(src)
    if parsed.errors or len(parsed.pipelines) != 1:
        return None
    return _filtered_output(parsed.pipelines[0])


def _filtered_output(stages: list[Simple]) -> str | None:
    """The output of a pipeline of a literal producer and pure text filters, worked out here
    without running anything; None as soon as a stage is something else."""
    data: str | None = None
    for k, stage in enumerate(stages):
        here = [r.target for r in stage.redirects if r.op == "<<<"]
        if k == 0 and (out := _simple_output(stage)) is not None:
            data = out
            continue
        if k == 0:
            data = stage.heredoc if stage.heredoc is not None else (here[0] + "\n" if here else None)
        if data is None or any(w.opaque for w in stage.words):
            return None
        data = _filter(stage.argv, data)
    return data


def _tr_set(spec: str) -> str:
    spec = effects.decode_escapes(spec)
    return re.sub(r"(.)-(.)", lambda m: "".join(map(chr, range(ord(m[1]), ord(m[2]) + 1))), spec)


def _filter(argv: list[str], data: str) -> str | None:
    """One text filter applied to `data`, or None when caro does not know it (or it fails)."""
    name, args = (basename(argv[0]), argv[1:]) if argv else ("", [])
    try:
        if name == "cat" and not args:
            return data
        if name == "rev":
            return "\n".join(line[::-1] for line in data.split("\n"))
        if name in ("base64", "gbase64", "base32") and set(args) & {"-d", "--decode", "-D"}:
            return _decoded("".join(data.split()), 32 if name == "base32" else 64)
        if name == "xxd" and {"-r", "-p"} <= set(args) | {"-" + c for a in args if a.startswith("-") for c in a[1:]}:
            return bytes.fromhex("".join(data.split())).decode("utf-8", "replace")
        if name == "tr" and len(args) == 2 and not args[0].startswith("-"):
            src, dst = _tr_set(args[0]), _tr_set(args[1])
            dst = dst + dst[-1:] * (len(src) - len(dst))  # tr pads the second set with its last character
            return data.translate(str.maketrans(src, dst[: len(src)]))
        if name == "tr" and len(args) == 2 and args[0] == "-d":
            return data.translate({ord(c): None for c in _tr_set(args[1])})
    except (binascii.Error, ValueError):
        return None
    return None


def _edits_file(cmd: Cmd, simple: Simple, pipeline: list[Simple]) -> bool:
    """Whether ed's script (piped, a here-document or a here-string) writes its file back: a literal
    script is read for a `w`; one caro cannot read is taken to write."""
    idx = next((k for k, s in enumerate(pipeline) if s is simple), 0)
    here = [r.target for r in cmd.redirects if r.op == "<<<"]
    if cmd.heredoc is not None or here:
        script: str | None = cmd.heredoc if cmd.heredoc is not None else here[0]
    elif idx > 0:
        out = _simple_output(pipeline[idx - 1])
        script = effects.decode_escapes(out).replace("\\n", "\n") if out is not None else None
    else:
        return False
    return script is None or bool(re.search(r"(?m)^\s*(?:[\d,$.]*)(?:w|wq|x)\b", script))


def _dialect_of(name: str) -> str:
    return name if name in ("zsh", "fish") else "bash"


def _positional(cmd: Cmd, script: str) -> list[str]:
    """`sh -c 'rm -rf "$1"' _ /`: the words after the script are $0, $1, …"""
    k = cmd.args.index(script) if script in cmd.args else len(cmd.args)
    rest = cmd.args[k + 1 :]
    return rest[1:]


def _resolved(simple: Simple) -> Simple:
    """Words as they would arrive: `rm -rf /[a-z]*` names the system directories the glob hits,
    and a whole-word substitution of a literal producer (`$(echo /)`) is what it prints."""
    if not any((w.glob and w.text.startswith("/")) or (w.opaque and w.subs) for w in simple.words):
        return simple
    words = []
    for w in simple.words:
        if w.glob and w.text.startswith("/") and P.classify(w.text) != P.ROOT:  # `/*` is named as itself
            words.extend([replace(w, text=h) for h in P.root_glob_matches(w.text)] or [w])
        elif w.opaque and len(w.subs) == 1 and w.text in ("$(…)", "`…`") and words:
            out = literal_output(w.subs[0])
            if out is None or not out.strip():
                words.append(w)
            elif w.quoted:  # "$(…)" stays one word
                words.append(replace(w, text=out, opaque=False))
            else:
                words.extend(replace(w, text=t, opaque=False) for t in out.split())
        else:
            words.append(w)
    return replace(simple, words=words)


def _decode_payload(src: str) -> str | None:
    m = re.search(r"(?:echo|printf)\s+(?:-[ne]+\s+)?['\"]?([A-Za-z0-9+/=]{8,})['\"]?", src) or re.search(
        r"<<<\s*['\"]?([A-Za-z0-9+/=]{8,})", src
    )
    if not m:
        return None
    blob = m.group(1)
    if re.search(r"\brev\b", src) and not re.search(r"base64|base32", src):
        return blob[::-1]
    return _decoded(blob, 32 if re.search(r"\bbase32\b", src) else 64)


def _allowed(command: str, patterns: tuple[str, ...]) -> bool:
    c = " ".join(command.split())
    return any(fnmatch.fnmatchcase(c, p) or c == p for p in patterns)


def check(
    command: str,
    *,
    shell: str = "bash",
    mode: str = "moderate",
    cwd: str | None = None,
    home: str | None = None,
    policy: Policy | None = None,
    rules: tuple[Rule, ...] = RULES,
) -> Verdict:
    """The verdict on one command line. Never raises: every input gets a verdict, and where caro
    fails or gives up part-way the verdict is cautious (high, critical with a risky program)."""
    try:
        return _check(command, shell, mode, cwd, home, policy, rules)
    except Exception as e:  # (the walk catches its own; this is for the steps around it)
        reason = f"could not be checked (caro failed: {type(e).__name__})"
        return Verdict(str(command)[:200], CRITICAL, "block", [reason], [Finding("internal-error", CRITICAL, reason)])


def _check(
    command: str,
    shell: str,
    mode: str,
    cwd: str | None,
    home: str | None,
    policy: Policy | None,
    rules: tuple[Rule, ...],
) -> Verdict:
    policy = policy or Policy(mode=mode)
    mode = policy.mode if policy.mode in MODES else "moderate"
    if len(command) > policy.max_length:
        return _verdict(
            command[:200],
            [
                Finding(
                    "too-long",
                    HIGH,
                    f"is {len(command)} characters long, over the {policy.max_length}-character limit caro can check",
                )
            ],
            "strict",
        )
    if "\x00" in command:
        return _verdict(
            command.replace("\x00", "\\0"),
            [Finding("nul", HIGH, "contains NUL bytes, which no shell command line can hold")],
            "strict",
        )
    if hide := hidden(command):
        # what the terminal would show is not what would run (ESC sequences, bidi overrides, …)
        return _verdict(
            command_shown(command),
            [
                Finding(
                    "control-characters",
                    CRITICAL,
                    f"contains terminal control characters ({', '.join(hide[:4])}): what you would see is not what would run",
                )
            ],
            mode,
        )
    if not command.strip():
        return Verdict(command, SAFE, "allow", [])
    a = _Analysis(Ctx(cwd=cwd, home=home, shell=shell), policy, rules)
    try:
        a.text(command, 0)
    except Exception as e:  # a check never raises: a failure inside it is a verdict, and a cautious one
        try:
            a.unjudged(command, "internal-error", f"could not be checked (caro failed: {type(e).__name__})")
        except Exception:
            a.add("internal-error", CRITICAL, f"could not be checked (caro failed: {type(e).__name__})")
    if policy.allow and _allowed(command, policy.allow):
        kept = [f for f in a.findings if f.risk == CRITICAL]
        if not kept:
            return Verdict(command, SAFE, "allow", ["allowed by your safety.allow list"], a.findings)
    return _verdict(command, a.findings, mode)


def _verdict(command: str, findings: list[Finding], mode: str) -> Verdict:
    risk = max((f.risk for f in findings), key=RISK_ORDER.__getitem__, default=SAFE)
    ordered = sorted(findings, key=lambda f: -RISK_ORDER[f.risk])
    return Verdict(command, risk, _ACTIONS[mode][risk], [f.reason for f in ordered], ordered)
