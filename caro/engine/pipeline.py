"""request → candidates → checks → reviewer → safety → result. One way through, top to bottom.

`Engine.suggest`:
1. the user's own examples win when they say the same as the request;
2. the model writes a draft (`prompt.build`); a draft that fails a check is asked for once more
   with the reason;
3. documentation: tldr examples found for the request and for the draft's programs
   (`knowledge.ground`) let the model write a second answer, which passes the same checks;
4. the reviewer reads each distinct candidate backwards — the model's likelihood of the request
   given the command (`prompt.review`) — and ranks them; the rest are the Ctrl-G alternatives;
5. safety judges each option once; the result carries the judged (command, verdict) pairs.
Work that cannot change the answer, or rarely changes it for the better, is skipped: no second
answer when the model was sure of its draft (its tokens' mean surprise below `engine.sure_draft`)
or retrieval finds nothing close, no scoring when the candidates agree or the backend cannot score
(remote servers).
Notices belong to the result, never to the engine: the helper is long-lived and serves every shell.
`Engine.alternative` writes the skipped documented answer first, then asks the model for one
more candidate on demand (a later Ctrl-G).
A line that already is a command (`linekind`) takes another way: `Engine.explain` describes it,
`Engine.improve` asks for better versions of that same command, judged by the same checks plus
"same program, and read-only stays read-only".
`Engine.press` is what a key press means (explain, improve, answer, the next alternative, and how
each is worded): the helper only decodes the shell's request, keeps suggestions between presses,
calls it and encodes the `Press` it returns.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from .. import paths, privacy, safety, turns
from ..backends.base import Backend, Generation
from ..config import Config
from ..errors import Exit
from ..knowledge import docs as docsmod
from ..knowledge import ground, tldr
from . import checks, intent, linekind, parse, prompt, repair
from . import context as contextmod
from . import explain as explainmod
from .context import Context
from .suggestion import EngineError, Option, Suggestion, check_request
from .user_examples import UserExamples

# a check an answer must pass: the reason it fails, or None
Judge = Callable[[str], "str | None"]


@dataclass
class _Early:
    """A candidate whose reading was started before the others existed."""

    command: str
    stop: threading.Event  # set: the reading ends at its next token
    score: Future[list[float] | None]  # the backend's list of one


_REVIEWS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="caro-review")

MAX_TOKENS = 128
MAX_OPTIONS = 5  # candidates one request may have, asked for one press at a time
# The reviewer's head start for the answer written with documentation (in mean log-probability
# per request token): on the dev split the two candidates' scores often differ by less than the
# reviewer's noise (pkill -9 vs -f: 0.07), and there the documented answer, which rests on a
# page, was right more often. Chosen from the flat middle of the dev curve (0.1-1.0 all gained;
# docs/ablation.md), not its peak.
DOCS_PRIOR = 0.3


def _shape(command: str) -> list[tuple[str, Counter]]:
    """Per simple command: its program and its words, short-option clusters split (`-czf` is
    -c -z -f), so an improvement can be compared word by word with the original."""
    from ..cmdline.commands import basename, unwrap
    from ..cmdline.shellparse import parse as shparse

    out = []
    for argv in shparse(command).argvs():
        real = unwrap(argv)[0]
        if not real:
            continue
        words: Counter = Counter()
        for w in real[1:]:
            if len(w) > 2 and w[0] == "-" and w[1:].isalpha():
                words.update("-" + c for c in w[1:])
            else:
                words[w] += 1
        out.append((basename(real[0]), words))
    return out


def _additions(a: list[tuple[str, Counter]], b: list[tuple[str, Counter]]) -> list[str] | None:
    """The words shape `b` adds to shape `a`; None when the programs differ, [] when a word is gone
    or nothing was added."""
    if [p for p, _ in a] != [p for p, _ in b]:
        return None
    added: list[str] = []
    for (_, old), (_, new) in zip(a, b):
        if old - new:  # a word of the original is gone
            return []
        added += list((new - old).elements())
    return added


def added_words(original: str, improved: str) -> list[str]:
    """What the improvement adds to the original, or [] when it is not an extension of it."""
    return _additions(_shape(original), _shape(improved)) or []


def _improvement_problem(original: str, checks_problem: Judge, cmd: str) -> str | None:
    a, b = _shape(original), _shape(cmd)
    added = _additions(a, b)
    if added is None:
        return (
            f"it runs {' | '.join(p for p, _ in b) or 'nothing'} instead of {' | '.join(p for p, _ in a)}; "
            "keep the same programs and add options"
        )
    if not added:
        return "it drops or changes words of the original, or adds nothing; keep every word and add options"
    return checks_problem(cmd)


def _spaced(command: str) -> str:
    """A command with its spacing made plain: two answers that differ only there are one."""
    return " ".join(command.split())


def _fit(command: str, ctx: Context) -> str:
    """The answer made to fit this machine: no `sudo` in front where there is none (the note
    "sudo is not installed here" once sat beside `sudo apt list --upgradable`)."""
    rest = command[5:].lstrip() if command.startswith("sudo ") else ""
    # only in front of a program: `sudo -l` (what sudo allows you) is a question to sudo itself
    if rest and not rest.startswith("-") and not ctx.has("sudo"):
        return rest
    return command


@dataclass
class Press:
    """What one press of the key gets (the shells' contract, DESIGN.md): `kind` "answer" puts
    `command` in the line (judged: `verdict`), "explain" leaves the line as typed and says what it
    does, "none" leaves it and says why; `notes` are said under the line."""

    kind: str
    command: str = ""
    verdict: safety.Verdict | None = None
    notes: list[str] = field(default_factory=list)


def explain_line(command: str, verdict: safety.Verdict, ctx: Context) -> str:
    """One line on what a command does: the tldr description of the example it is an instance of
    (credited), then each word from the manuals, then the verdict. No model is involved."""
    line = explainmod.one_line(command, verdict, ctx.shell)
    docs = docsmod.current(ctx.os)
    example = ground.describe(docs, command, ctx.shell) if docs else None
    return f"{example.description} (tldr-pages) · {line}" if example else line


class Engine:
    def __init__(self, config: Config, backend: Backend, notices: list[str] | None = None):
        self.config = config
        self.backend = backend
        self.start_notices = list(notices or [])  # from backend selection: shown once, on the first answer
        self.policy = safety.Policy.from_config(config.section("safety"))
        self._examples: UserExamples | None = None
        self._told_remote = False
        # what the last suggestion on this thread cost and weighed, for benchmarks and tests: the
        # helper answers each shell on a thread of its own, so one shell's figures never mix with another's
        self._last = threading.local()
        self._asking = 0  # suggestions in progress: the helper serves every shell at once
        self._asking_lock = threading.Lock()

    @property
    def work(self) -> Counter:
        """Model calls of the last suggestion on this thread: generations, candidates scored, sure drafts."""
        return self._last.__dict__.setdefault("work", Counter())

    @property
    def last_draft(self) -> tuple[str, float | None] | None:
        """The last draft on this thread and the model's mean log-probability of it."""
        return getattr(self._last, "draft", None)

    @property
    def last_scores(self) -> dict[str, float]:
        """The reviewer's scores of the last suggestion's candidates on this thread (prior not added)."""
        return self._last.__dict__.setdefault("scores", {})

    @property
    def examples(self) -> UserExamples:
        # re-read when examples.toml changed, so `caro learn` reaches a running helper at once
        self._examples = UserExamples.load(paths.user_examples()) if self._examples is None else self._examples.fresh()
        return self._examples

    def warm(self) -> None:
        """Load what the first answer needs: the model, and the documentation index."""
        if hasattr(self.backend, "load"):
            self.backend.load()
        if self.backend.can_score:
            docsmod.current(contextmod.detect(None, None).os)

    def verdict(self, command: str, shell: str, cwd: str | None) -> safety.Verdict:
        return safety.check(command, shell=shell, cwd=cwd, home=None, policy=self.policy)

    def _write(
        self,
        request: str,
        ctx: Context,
        avoid: list[tuple[str, str]],
        notices: list[str],
        judge: Judge,
        references: Sequence[tldr.Example] = (),
    ) -> tuple[str, str, Generation] | None:
        """One answer from the model: (command, problem or "", the generation) — None when it gave no command."""
        shots = self.examples.nearest(request, k=3)
        p = prompt.build(request, ctx, shots, avoid)
        if references:
            p = prompt.with_references(p, list(references))
        gen = self.backend.generate(p, max_tokens=MAX_TOKENS)
        self.work["generations"] += 1
        notices += [n for n in gen.notices if n not in notices]
        try:
            cmd = _fit(tldr.fill(parse.extract(gen.text).command, request), ctx)
        except parse.NoCommand as e:
            notices.append(f"the model's reply had no command ({e})")
            return None
        return cmd, judge(cmd) or "", gen

    def _judge(self, request: str, ctx: Context) -> Judge:
        """The checks an answer to this request must pass."""
        look = intent.read_only(request)
        return lambda cmd: checks.problem(cmd, ctx.shell, ctx.has, look, request)

    def _model_candidate(
        self,
        request: str,
        ctx: Context,
        avoid: list[tuple[str, str]],
        rejected: list[tuple[str, str]],
        notices: list[str],
        judge: Judge | None = None,
        tries: int = 2,
    ) -> tuple[str, Generation] | None:
        """Ask the model; when its answer fails a check, ask once more with the reason."""
        judge = judge or self._judge(request, ctx)
        offered = {a for a, _ in avoid}
        failed: list[tuple[str, Generation]] = []
        for _ in range(tries):
            got = self._write(request, ctx, avoid + rejected, notices, judge)
            if got is None:
                continue
            cmd, why, gen = got
            if not why and cmd not in offered:
                return cmd, gen
            rejected.append((cmd, why or "it was offered already"))
            failed.append((cmd, gen))
        # every answer failed: one mended by rule (an option dropped, a bash expansion in fish)
        # is better than none, if it passes the same checks
        for cmd, gen in failed:
            fixed = repair.surface(cmd, ctx.shell)
            if fixed and not judge(fixed) and fixed not in offered:
                self.work["repaired"] += 1
                return fixed, gen
        return None

    def _references(self, request: str, ctx: Context, draft: str | None) -> list[tldr.Example] | None:
        """The documentation examples a second answer is written with; None when there are none,
        or the draft already is the best-matching example."""
        docs = docsmod.current(ctx.os)
        if docs is None:
            return None
        refs = ground.examples(docs, request, draft, ctx.has, ctx.shell)
        if not refs or (draft and ground.instance(refs[0], draft)):
            return None
        return refs

    def _grounded(
        self,
        request: str,
        ctx: Context,
        refs: list[tldr.Example],
        judge: Judge,
        rejected: list[tuple[str, str]],
        notices: list[str],
    ) -> str | None:
        """A second answer, written with documentation examples; None when it fails a check (one
        try: it is a second opinion, not the only one)."""
        got = self._write(request, ctx, [], notices, judge, refs)
        if got is None:
            return None
        cmd, why, _ = got
        if why:
            rejected.append((cmd, why))
            return None
        return cmd

    def _crowded(self) -> bool:
        """More shells are waiting than the model can serve with a second answer each: the
        documentation pass is left out, and each gets the model's draft. A press with documentation
        keeps two sequences busy (the second answer and the draft's reading), so the backend's
        parallel sequences, halved, is how many such presses fit (benchmarks/many_shells.py)."""
        return self._asking > max(1, self.backend.parallel // 2)

    def _review_early(self, command: str, request: str, ctx: Context) -> _Early:
        """Start reading `command` backwards on another thread; it stops once `stop` is set."""
        stop = threading.Event()
        asker = turns.waiting.get()
        run = contextvars.copy_context()
        run.run(turns.waiting.set, lambda: asker() and not stop.is_set())
        return _Early(
            command, stop, _REVIEWS.submit(run.run, self.backend.score, [prompt.review(command, request, ctx)])
        )

    def _ranked(
        self, request: str, ctx: Context, candidates: list[tuple[str, str]], early: _Early | None = None
    ) -> list[tuple[str, str]]:
        """Distinct candidates, best first by the reviewer (the request's likelihood given the
        command); in the order given when they agree or the backend cannot score. `early` is a
        candidate whose score was started before the others existed."""
        seen: set[str] = set()
        distinct = []
        for c, src in candidates:  # the first of two that differ only in spacing stays
            if _spaced(c) not in seen:
                seen.add(_spaced(c))
                distinct.append((c, src))
        if len(distinct) < 2:
            return distinct
        if not self.config.get("engine.review"):
            # (measured as an ablation) without the reviewer the documented answer goes first
            return sorted(distinct, key=lambda c: c[1] != "docs")
        known: dict[str, float] = {}
        if early is not None and (got := early.score.result()) is not None:
            known[early.command] = got[0]
        rest = [c for c, _ in distinct if c not in known]
        if rest:
            more = self.backend.score([prompt.review(c, request, ctx) for c in rest])
            if more is None:
                return distinct
            known.update(zip(rest, more))
        self.work["scored"] += len(distinct)
        self.last_scores.update(known)
        scores = [known[c] for c, _ in distinct]
        prior = [DOCS_PRIOR if src == "docs" else 0.0 for _, src in distinct]
        order = sorted(range(len(distinct)), key=lambda i: -(scores[i] + prior[i]))
        return [distinct[i] for i in order]

    def suggest(self, request: str, shell: str | None = None, cwd: str | None = None) -> Suggestion:
        with self._asking_lock:
            self._asking += 1
        try:
            return self._suggest(request, shell, cwd)
        finally:
            with self._asking_lock:
                self._asking -= 1

    def _suggest(self, request: str, shell: str | None, cwd: str | None) -> Suggestion:
        t0 = time.perf_counter()
        request = check_request(request)
        ctx = contextmod.detect(shell, cwd)
        self._last.work, self._last.draft, self._last.scores = Counter(), None, {}
        notices, self.start_notices = self.start_notices, []
        if not self._told_remote:
            # once per remote host, on the widget's line as much as in the CLI
            self._told_remote = True
            if said := privacy.remote_notice(self.backend):
                notices.insert(0, said)
        rejected: list[tuple[str, str]] = []
        candidates: list[tuple[str, str]] = []
        # 1. the user's own examples win when they say the same thing
        mine = self.examples.exact(request)
        if mine:
            candidates.append((mine, "yours"))
        # 2. the model writes a draft, 3. and a second answer with documentation examples
        answered_by = (self.backend.name, self.backend.model_name)
        sure = False  # the model was sure of its draft, so the documented answer waits for the next press
        if not candidates:
            judge = self._judge(request, ctx)
            got = self._model_candidate(request, ctx, [], rejected, notices, judge)
            self._last.draft = (got[0], got[1].logprob) if got else None
            if got:
                candidates.append((got[0], "model"))
                answered_by = (got[1].backend or self.backend.name, got[1].model or self.backend.model_name)
            early: _Early | None = None
            try:
                draft = got[0] if got else None
                # a draft the model wrote with high confidence is usually right, and a second answer
                # then more often breaks it than fixes it (docs/ablation.md): only unsure drafts get one
                surprise = -got[1].logprob if got and got[1].logprob is not None else None
                sure = surprise is not None and surprise < self.config.get("engine.sure_draft")
                if sure:
                    self.work["sure"] += 1
                if self.backend.can_score and self.config.get("engine.docs") and not self._crowded() and not sure:
                    refs = self._references(request, ctx, draft)
                    if refs and draft and self.config.get("engine.review"):
                        # the draft is read backwards while the second answer is written: the runtime
                        # decodes both in the same steps, so the review costs about one reading, not two
                        early = self._review_early(draft, request, ctx)
                    doc = self._grounded(request, ctx, refs, judge, rejected, notices) if refs else None
                    if doc:
                        candidates.append((doc, "docs"))
                # 4. the reviewer picks
                candidates = self._ranked(request, ctx, candidates, early)
            finally:
                if early is not None:
                    early.stop.set()  # a reading nobody needs (the answers agreed, or a failure) stops at its next token
        if not candidates:
            if rejected:
                cmd, why = rejected[-1]
                raise EngineError(
                    f"no fitting command: the model suggested `{cmd}`, but {why}. "
                    "Try rephrasing the request (name the tool or the files involved)",
                    Exit.NO_BACKEND,
                )
            raise EngineError(
                "no command found for that request; try rephrasing it (name the tool or the files involved)",
                Exit.NO_BACKEND,
            )
        notices += checks.notes(candidates[0][0], ctx.has, ctx.shell)
        options = [Option(c, self.verdict(c, ctx.shell, ctx.cwd), src) for c, src in candidates]
        return Suggestion(
            request,
            options,
            *answered_by,
            (time.perf_counter() - t0) * 1000,
            notices=notices,
            rejected=rejected,
            documented=not sure,
        )

    def line_is_command(self, line: str, shell: str | None = None, cwd: str | None = None) -> bool:
        ctx = contextmod.detect(shell, cwd)
        return linekind.is_command(line, ctx.has, ctx.cwd, ctx.shell)

    def explain(self, command: str, shell: str | None = None, cwd: str | None = None) -> str:
        """What a command on the prompt does, option by option, with its verdict, on one line."""
        ctx = contextmod.detect(shell, cwd)
        return explain_line(command, self.verdict(command, ctx.shell, ctx.cwd), ctx)

    def describe_additions(self, original: str, improved: str) -> str:
        """`adds -v (verbose …)`: what an improvement changes, from the program's manual."""
        shape = _shape(improved)
        prog = shape[0][0] if shape else ""
        said = [
            f"{w} ({explainmod.option_meaning(prog, w) or 'see its manual'})" if w.startswith("-") else w
            for w in _additions(_shape(original), shape) or []
        ]
        return "adds " + ", ".join(said) if said else "a variant"

    def improve(self, command: str, shell: str | None = None, cwd: str | None = None) -> Suggestion:
        """Better versions of the user's own command, never another task: the same programs in the
        same order, every word of the original kept (options may be added: `-czf` → `-czvf`), and
        a command that only reads stays one that only reads. options[0] is the command itself."""
        t0 = time.perf_counter()
        ctx = contextmod.detect(shell, cwd)
        looks = not intent.state_changes(command, ctx.shell)
        judge = functools.partial(_improvement_problem, command, lambda c: checks.problem(c, ctx.shell, ctx.has, looks))
        request = (
            f"Here is a {ctx.shell} command: {command}\nWrite a better version of it that does the same job "
            "with the same program and the same files, for example with one useful extra option. Keep it "
            "short. It must differ from the original."
        )
        s = Suggestion(request, [], self.backend.name, self.backend.model_name, 0.0, judge=judge)
        s.options.append(Option(command, self.verdict(command, ctx.shell, ctx.cwd), "yours"))
        # one try: the small model rarely improves on a second attempt, and the user is waiting
        got = self._model_candidate(
            request, ctx, [(command, "that is the command itself")], s.rejected, [], judge, tries=1
        )
        if got:
            s.options.append(Option(got[0], self.verdict(got[0], ctx.shell, ctx.cwd), "model"))
        else:
            s.exhausted = True
        s.elapsed_ms = (time.perf_counter() - t0) * 1000
        return s

    def press(
        self, line: str, shell: str, cwd: str | None, index: int, suggestion: Callable[[bool], Suggestion]
    ) -> Press:
        """One press of the key on `line`, the `index`-th press on the same line. A line that
        already is a command is explained (first press) or improved (next presses), never replaced
        by an answer to another task; a request gets its answer, then the next alternatives in turn.
        `suggestion(improve)` gives the suggestion for this line (the helper keeps them between
        presses, with up to `index` + 1 options when the model has them)."""
        improve = self.line_is_command(line, shell, cwd)
        if improve and index == 0:
            return Press(
                "explain", notes=[self.explain(line, shell, cwd) + " · press the key again for an improved version"]
            )
        s = suggestion(improve)
        offered = [o for o in s.options if not o.verdict.blocked] or s.options[:1]
        if index and len(offered) < 2:
            what = "improvement of your command" if improve else "other suggestion"
            return Press("none", notes=[f"no {what} passed caro's checks; undo (Ctrl-_) brings your text back"])
        n = index % len(offered)
        opt = offered[n]
        notes = list(s.notices) if index == 0 else []
        if improve:
            notes.insert(
                0,
                "your command, unchanged"
                if opt.source == "yours"
                else f"improvement {n}/{len(offered) - 1} of your command: "
                + self.describe_additions(line, opt.command),
            )
        elif index:
            # the total only once it is known: "2/2" then "3/3" as more were found read like a bug
            known = s.exhausted or len(s.options) >= MAX_OPTIONS
            notes.insert(0, f"alternative {n + 1}/{len(offered)}" if known else f"alternative {n + 1}")
        return Press("answer", opt.command, opt.verdict, notes)

    def alternative(self, s: Suggestion, shell: str | None = None, cwd: str | None = None) -> Option | None:
        """One more checked and judged candidate for the same request, different from those offered."""
        ctx = contextmod.detect(shell, cwd)
        if not s.documented and self.backend.can_score and self.config.get("engine.docs"):
            # the draft was sure enough to skip the documented answer: the next press offers it first
            s.documented = True
            judge = s.judge or self._judge(s.request, ctx)
            refs = self._references(s.request, ctx, s.command if s.options else None)
            doc = self._grounded(s.request, ctx, refs, judge, s.rejected, []) if refs else None
            if doc and _spaced(doc) not in {_spaced(o.command) for o in s.options}:
                opt = Option(doc, self.verdict(doc, ctx.shell, ctx.cwd), "docs")
                s.options.append(opt)
                return opt
        offered = [(o.command, "it was offered already; give a different command") for o in s.options]
        got = self._model_candidate(
            s.request, ctx, offered, s.rejected, [], s.judge, tries=1 if s.judge is not None else 2
        )
        if got is None:
            s.exhausted = True
            return None
        cmd = got[0]
        opt = Option(cmd, self.verdict(cmd, ctx.shell, ctx.cwd), "model")
        s.options.append(opt)
        return opt
