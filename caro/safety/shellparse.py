"""A small, bounded shell reader for the safety validator.

It reads a command line the way bash would split it into simple commands:
operators (; && || | & newline), words with quotes removed, redirections,
heredoc bodies, and the *source text* of every command substitution,
backtick and process substitution so the validator can judge those too.
It never executes or expands anything, never raises on bad input, and does
linear work in the length of the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Longest first, so "&&" wins over "&".
_OPERATORS = ("&&", "||", "|&", ";;", ";", "|", "&", "(", ")")
_REDIRECTS = ("&>>", "<<<", "<<-", "&>", ">>", ">|", ">&", "<&", "<>", "<<", ">", "<")
_META = set(" \t\n;&|<>()")


@dataclass
class Word:
    text: str                 # value with quotes removed ($VARS left as written)
    quoted: bool = False      # any part was quoted
    subs: list[str] = field(default_factory=list)   # sources of $( ) / ` ` inside


@dataclass
class Redirect:
    op: str
    target: str


@dataclass
class Simple:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    heredoc: str | None = None

    @property
    def argv(self) -> list[str]:
        return [w.text for w in self.words]


@dataclass
class Parsed:
    pipelines: list[list[Simple]]
    subs: list[str]           # every nested source found, for recursive checks
    errors: list[str]
    operators: list[str] = field(default_factory=list)   # what follows each pipeline: && || ; & or newline

    def argvs(self) -> list[list[str]]:
        """The words of every simple command, pipelines in order (nested sources not included)."""
        return [simple.argv for pipeline in self.pipelines for simple in pipeline]


def _read_balanced(src: str, i: int, open_ch: str = "(", close_ch: str = ")") -> tuple[str, int, bool]:
    """Read from just after an opening paren to its match. Returns (inner, next index, closed)."""
    depth = 1
    start = i
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = src.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i += 1
            while i < n and src[i] != '"':
                i += 2 if src[i] == "\\" else 1
            i += 1
            continue
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return src[start:i], i + 1, True
        i += 1
    return src[start:], n, False


class _Lexer:
    def __init__(self, src: str):
        self.src = src
        self.i = 0
        self.subs: list[str] = []
        self.errors: list[str] = []
        self.pending_heredocs: list[tuple[str, bool]] = []
        self.heredoc_bodies: list[str] = []

    def _dollar(self, buf: list[str], word_subs: list[str]) -> None:
        s, i = self.src, self.i
        if s.startswith("$((", i):
            inner, self.i, closed = _read_balanced(s, i + 3)
            buf.append("$((" + inner + ")")
            if not closed:
                self.errors.append("unclosed $((")
        elif s.startswith("$(", i):
            inner, self.i, closed = _read_balanced(s, i + 2)
            word_subs.append(inner)
            buf.append("$(…)")
            if not closed:
                self.errors.append("unclosed $(")
        elif s.startswith("${", i):
            inner, self.i, closed = _read_balanced(s, i + 2, "{", "}")
            buf.append("${" + inner + "}")
        else:
            buf.append("$")
            self.i += 1

    def _backtick(self, buf: list[str], word_subs: list[str]) -> None:
        s = self.src
        j = self.i + 1
        while j < len(s) and s[j] != "`":
            j += 2 if s[j] == "\\" else 1
        word_subs.append(s[self.i + 1:j].replace("\\`", "`"))
        if j >= len(s):
            self.errors.append("unclosed backtick")
        buf.append("`…`")
        self.i = j + 1

    def word(self) -> Word:
        s, n = self.src, len(self.src)
        buf: list[str] = []
        subs: list[str] = []
        quoted = False
        while self.i < n:
            c = s[self.i]
            if c in _META:
                # <( and >( are process substitutions, part of the word
                if c in "<>" and s.startswith("(", self.i + 1) and not buf:
                    inner, self.i, closed = _read_balanced(s, self.i + 2)
                    subs.append(inner)
                    buf.append(c + "(…)")
                    if not closed:
                        self.errors.append("unclosed process substitution")
                    continue
                break
            if c == "\\":
                if self.i + 1 < n and s[self.i + 1] != "\n":
                    buf.append(s[self.i + 1])
                    quoted = True
                self.i += 2
            elif c == "'":
                quoted = True
                j = s.find("'", self.i + 1)
                if j < 0:
                    self.errors.append("unclosed single quote")
                    j = n
                buf.append(s[self.i + 1:j])
                self.i = j + 1
            elif c == '"':
                quoted = True
                self.i += 1
                while self.i < n and s[self.i] != '"':
                    d = s[self.i]
                    if d == "\\" and self.i + 1 < n and s[self.i + 1] in '"\\$`\n':
                        buf.append(s[self.i + 1])
                        self.i += 2
                    elif d == "$":
                        self._dollar(buf, subs)
                    elif d == "`":
                        self._backtick(buf, subs)
                    else:
                        buf.append(d)
                        self.i += 1
                if self.i >= n:
                    self.errors.append("unclosed double quote")
                self.i += 1
            elif c == "$":
                if s.startswith("$'", self.i):   # ANSI-C quoting: keep the escapes' letters
                    quoted = True
                    j = s.find("'", self.i + 2)
                    j = n if j < 0 else j
                    buf.append(s[self.i + 2:j])
                    self.i = j + 1
                else:
                    self._dollar(buf, subs)
            elif c == "`":
                self._backtick(buf, subs)
            else:
                buf.append(c)
                self.i += 1
        self.subs.extend(subs)
        return Word("".join(buf), quoted, subs)

    def read_heredocs(self) -> None:
        s = self.src
        for delim, strip in self.pending_heredocs:
            lines = []
            while self.i < len(s):
                j = s.find("\n", self.i)
                j = len(s) if j < 0 else j
                line = s[self.i:j]
                self.i = j + 1
                if (line.lstrip("\t") if strip else line) == delim:
                    break
                lines.append(line)
            self.heredoc_bodies.append("\n".join(lines))
        self.pending_heredocs.clear()


def parse(src: str) -> Parsed:
    lx = _Lexer(src)
    pipelines: list[list[Simple]] = []
    pipe: list[Simple] = []
    cur = Simple()
    heredoc_owners: list[Simple] = []
    s, n = src, len(src)

    def end_simple() -> None:
        nonlocal cur
        if cur.words or cur.redirects:
            pipe.append(cur)
        cur = Simple()

    after: list[str] = []

    def end_pipeline(op: str = "\n") -> None:
        nonlocal pipe
        end_simple()
        if pipe:
            pipelines.append(pipe)
            after.append(op)
        pipe = []

    while lx.i < n:
        c = s[lx.i]
        if c in " \t":
            lx.i += 1
            continue
        if c == "\\" and s.startswith("\n", lx.i + 1):
            lx.i += 2
            continue
        if c == "#" and not cur.words:
            j = s.find("\n", lx.i)
            lx.i = n if j < 0 else j
            continue
        if c == "\n":
            end_pipeline()
            lx.i += 1
            owners = heredoc_owners[:]
            heredoc_owners.clear()
            before = len(lx.heredoc_bodies)
            lx.read_heredocs()
            for owner, body in zip(owners, lx.heredoc_bodies[before:]):
                owner.heredoc = body
            continue
        # fd-number prefixed redirection: 2>file, 2>&1
        k = lx.i
        while k < n and s[k].isdigit():
            k += 1
        start = k if (k > lx.i and k < n and s[k] in "<>" and not s.startswith("(", k + 1)) else lx.i
        red = next((r for r in _REDIRECTS if s.startswith(r, start)), None)
        if red and not (red in ("<", ">") and s.startswith("(", start + 1)):
            lx.i = start + len(red)
            while lx.i < n and s[lx.i] in " \t":
                lx.i += 1
            target = lx.word()
            if red in ("<<", "<<-"):
                lx.pending_heredocs.append((target.text, red == "<<-"))
                heredoc_owners.append(cur)
            cur.redirects.append(Redirect(red, target.text))
            continue
        op = next((o for o in _OPERATORS if s.startswith(o, lx.i)), None)
        if op:
            lx.i += len(op)
            if op in ("|", "|&"):
                end_simple()
            else:
                end_pipeline(op)
            continue
        before = lx.i
        w = lx.word()
        if lx.i == before:      # defensive: never loop without progress
            lx.i += 1
            continue
        if w.text in ("{", "}", "!") and not w.quoted and not cur.words:
            continue
        cur.words.append(w)
    end_pipeline()
    if lx.pending_heredocs:
        lx.errors.append("heredoc without body")
    return Parsed(pipelines, lx.subs, lx.errors, after[:-1])
