"""context → retrieval → prompt → backend → parse → safety → suggestion.

Small local models are better judges than writers, so with them caro first builds
a `find` or an archive command from requests that describe files or archives
(findspec, archivespec), else retrieves filled-in candidates from its example
library and lets the model rank them; it asks the model to write a command only
when nothing fits.
Larger models write, with retrieved examples as guidance, and library candidates
become alternatives. Every command, from any path, goes through `safety.check`.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from . import context as contextmod
from . import archivespec, findspec, flagcheck, parse, paths, prompt, safety
from .backends.base import Backend, BackendError
from .config import Config
from .examples import SLOT_RE, Candidate, Library

MAX_REQUEST = 2000
RETRIEVAL_CONFIDENT = 2.5      # BM25+slot score above which a library candidate is trusted
RANK_MARGIN = 2.5              # a lead this large over the runner-up needs no model judgement
MIN_USABLE = 2.5               # below this a library entry is a guess, not an answer
RANK_PRIOR = 2.0               # weight of each retrieval-score point against the model's mean log-prob
PLACEHOLDER_LEAD = 6.0         # an entry this far ahead of every complete one wins with its blanks shown


def _placeholder_wins(cands: list[Candidate]) -> bool:
    if not cands or cands[0].complete or cands[0].score < RETRIEVAL_CONFIDENT:
        return False
    complete = [c.score for c in cands if c.complete]
    return cands[0].score - max(complete, default=0.0) >= PLACEHOLDER_LEAD


def _from_examples(c: Candidate) -> str:
    return "from caro's examples: " + SLOT_RE.sub(lambda m: m.group(1).upper(), c.example.request)


class EngineError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


@dataclass
class Suggestion:
    request: str
    command: str
    explanation: str
    verdict: safety.Verdict
    backend: str
    model: str
    elapsed_ms: float
    source: str                       # library | rules | model
    alternatives: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"command": self.command, "explanation": self.explanation, "risk": self.verdict.risk,
                "action": self.verdict.action, "reasons": self.verdict.reasons, "backend": self.backend,
                "model": self.model, "elapsed_ms": round(self.elapsed_ms, 1), "alternatives": self.alternatives,
                "source": self.source}


def check_request(request: str) -> str:
    text = request.replace("\x00", " ").strip()
    if not text:
        raise EngineError("empty request: say what you want, e.g. caro \"list the 5 biggest files here\"", 2)
    if len(text) > MAX_REQUEST:
        raise EngineError(f"request is {len(text)} characters; caro accepts up to {MAX_REQUEST}. "
                          "Describe the task in a sentence or two", 2)
    return " ".join(text.split())


# "save the md5 sum of x.iso in variable sum", "… and store the result in variable OUT"
_INTO_VARIABLE = re.compile(
    r"^(?:(?:save|store|put|assign|keep|capture|set)\s+(?:the\s+)?(?P<what>.+?)|(?P<what2>.+?),?\s+and\s+(?:save|store|put|assign|keep)"
    r"\s+(?:it|them|the\s+(?:output|result|value|list|count|number))?)\s+(?:in|into|to|as)\s+(?:a\s+|the\s+)?(?:shell\s+)?"
    r"variable\s+['\"`]?\$?(?P<name>[A-Za-z_]\w*)['\"`]?\s*\.?$", re.I)


def into_variable(request: str) -> tuple[str, str] | None:
    """(inner request, variable name) when the request asks to keep a command's output in a variable."""
    m = _INTO_VARIABLE.match(request)
    if not m:
        return None
    inner = (m.group("what") or m.group("what2") or "").strip()
    return (inner, m.group("name")) if len(inner.split()) >= 2 else None


def looks_like_command(line: str) -> bool:
    """A single line whose first word could be a program."""
    if not line or "\n" in line or len(line) > 1000:
        return False
    first = line.split()[0]
    return bool(re.match(r"^([A-Za-z0-9_./~+-]+|\(|\{|sudo|!|\$\(.*)$", first)) and not first.endswith(":")


class Engine:
    def __init__(self, config: Config, backend: Backend, notices: list[str] | None = None):
        self.config = config
        self.backend = backend
        self.notices = list(notices or [])
        self._library: Library | None = None
        self.policy = safety.Policy.from_config(config.section("safety"))

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = Library.load(paths.user_examples())
        return self._library

    def strategy(self) -> str:
        s = self.config.get("engine.strategy", "auto")
        if s != "auto":
            return s
        return "retrieve" if getattr(self.backend, "small", False) else "generate"

    def verdict(self, command: str, shell: str, cwd: str | None) -> safety.Verdict:
        return safety.check(command, shell=shell, cwd=cwd, home=None, policy=self.policy)

    def _rank(self, request: str, ctx, cands: list[Candidate]) -> list[Candidate]:
        """Let the model judge the top library candidates; keep the retrieval order as a prior."""
        top = [c for c in cands if c.complete][:4] or cands[:4]
        if len(top) < 2 or top[0].score - top[1].score >= RANK_MARGIN:
            return top      # retrieval is decisive: don't spend model time
        p = prompt.build(request, ctx, [])
        try:
            logps = self.backend.score(p, [c.command for c in top])
        except BackendError:
            logps = None
        if not logps:
            return top
        best = top[0].score
        combined = []
        for c, lp in zip(top, logps):
            combined.append(((c.score - best) * RANK_PRIOR + lp, c))
        combined.sort(key=lambda t: -t[0])
        return [c for _, c in combined]

    def _generate(self, request: str, ctx, cands: list[Candidate]) -> tuple[str, str]:
        shots = [(c.example.request, c.command) for c in cands[:3] if c.complete][::-1]
        # JSON under a grammar (engine.json_output) helped the writer on everyday requests but hurt on
        # NL2Bash and is slower (README, ablations), so the plain one-line reply is the default
        p = prompt.build(request, ctx, shots, json_output=bool(self.config.get("engine.json_output", False)))
        gen = self.backend.generate(p, max_tokens=96)
        parsed = parse.extract(gen.text)
        return parsed.command, parsed.explanation

    def suggest(self, request: str, shell: str | None = None, cwd: str | None = None) -> Suggestion:
        t0 = time.perf_counter()
        request = check_request(request)
        wrapped = into_variable(request)
        ctx = contextmod.detect(shell, cwd)
        if wrapped:
            # solve the inner request, then keep its output: NAME=$(command)
            inner = self.suggest(wrapped[0], shell, cwd)
            wrap = lambda c: f"{wrapped[1]}=$({c})"     # noqa: E731
            cmd = wrap(inner.command)
            alts = [wrap(a) for a in inner.alternatives]
            return Suggestion(request, cmd, inner.explanation, self.verdict(cmd, ctx.shell, ctx.cwd), inner.backend,
                              inner.model, (time.perf_counter() - t0) * 1000, inner.source, alts, inner.notices)
        cands = self.library.candidates(request, ctx.flavour, k=8, have_program=ctx.has)
        strategy = self.strategy()
        confident = bool(cands) and cands[0].score >= RETRIEVAL_CONFIDENT and cands[0].complete
        composed = archivespec.compose(request) or findspec.compose(request, ctx.flavour)
        ordered: list[str] = []
        explanation = ""
        source = "library"
        if strategy == "retrieve" and composed:
            # the request describes files: a command built from its parts measured better than the
            # library's answer on both the everyday and NL2Bash sets (README, ablations)
            ordered = [composed.command] + [c.command for c in cands if c.complete and c.score >= MIN_USABLE]
            explanation = "built from the request: " + ", ".join(dict.fromkeys(composed.parts))
            source = "rules"
        elif strategy == "retrieve" and _placeholder_wins(cands):
            # "copy without overwriting existing files": the right command with SRC/DST to fill in
            # beats a complete command for another task
            best = cands[0]
            ordered = [best.command] + [c.command for c in cands[1:] if c.complete and c.score >= MIN_USABLE]
            explanation = _from_examples(best)
            self.notices.append("replace " + ", ".join(m.upper() for m in dict.fromkeys(best.missing)) + " with your own values")
        elif strategy == "retrieve" and confident:
            ranked = self._rank(request, ctx, cands)
            ordered = [c.command for c in ranked] + [c.command for c in cands if c not in ranked]
            explanation = _from_examples(ranked[0])
        else:
            try:
                cmd, explanation = self._generate(request, ctx, cands)
                prog = cmd.split()[0] if cmd.split() else ""
                invented = flagcheck.unknown_flags(cmd) if looks_like_command(cmd) else []
                if invented:
                    self.notices.append(f"the model's command used options its program does not have "
                                        f"({', '.join(dict.fromkeys(invented))}); using caro's examples")
                elif looks_like_command(cmd) and len(cmd) < 300 and (ctx.has(prog) or prog in ("cd", "sudo", "for", "export")):
                    ordered.append(cmd)
                    source = "model"
            except parse.NoCommand as e:
                self.notices.append(f"the model's reply had no command ({e}); using caro's examples")
            if composed:
                ordered.append(composed.command)
            usable = [c for c in cands if c.score >= MIN_USABLE]
            ordered += [c.command for c in usable if c.complete] + [c.command for c in usable if not c.complete]
        seen, unique = set(), []
        for c in ordered:
            c = c.strip()
            if c and c not in seen:
                seen.add(c)
                unique.append(c)
        if not unique:
            raise EngineError("caro could not find a command for that request; try rephrasing it "
                              "(name the tool or the files involved)", 4)
        verdicts = {c: self.verdict(c, ctx.shell, ctx.cwd) for c in unique[: 1 + int(self.config.get("engine.alternatives", 3)) + 2]}
        main = unique[0]
        alts = [c for c in unique[1:] if c in verdicts and not verdicts[c].blocked][: int(self.config.get("engine.alternatives", 3))]
        notices, self.notices = self.notices + self.backend.take_notices(), []
        return Suggestion(request, main, explanation, verdicts[main], self.backend.name, self.backend.model_name,
                          (time.perf_counter() - t0) * 1000, source, alts, notices)
