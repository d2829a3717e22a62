"""Read a command line into caro's normalised model, with tree-sitter's bash grammar.

The grammar gives the structure (pipelines, lists, compound commands, functions, redirections,
here-documents, substitutions, comments). On top of it sits a small *static expander*, so the
rules see what would run rather than how it was spelled:

- quote removal, `$'…'` escapes, backslashes;
- brace expansion (bounded), `${IFS}` and unquoted re-splitting of known values (bash; zsh and
  fish do not re-split);
- constants set earlier on the same line (`X=…`, `export`, `set --`, fish `set`), `${X:-…}`;
- `cd`/`pushd` tracking, so a later `rm -rf *` is judged in the directory it would run in.

Whatever cannot be known statically is marked on the word (`opaque`, `glob`, `tricks`) instead
of being guessed, so the validator can fail closed. zsh and fish lines are first rewritten into
the bash forms that mean the same (`dialect.py`). Nothing is ever executed, and the work is
bounded: the parser is linear, brace expansion and the walk have caps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from . import dialect

_PARSER = Parser(Language(tree_sitter_bash.language()))

MAX_BRACE_WORDS = 64
MAX_BRACE_DEPTH = 40
MAX_NODES = 20000  # a walk that would visit more is cut short and reported as an error
# Python's own stack ends near 1,000 calls; a line nesting deeper than this is reported as an error
# (so judged "cannot be read", never a RecursionError); honest lines nest a handful of levels.
MAX_NEST = 150

# Stand-ins for characters that were quoted, so brace expansion, globbing and re-splitting
# (which only apply to unquoted text) can work on one plain string.
_Q = {"{": "\ue000", ",": "\ue001", "}": "\ue002", "*": "\ue003", "?": "\ue004", "[": "\ue005", ".": "\ue006"}
_UNQ = {v: k for k, v in _Q.items()}
_SPLIT = "\ue007"  # a field break produced by re-splitting an unquoted expansion
_QUOTE_TABLE = str.maketrans(_Q)
_UNQUOTE_TABLE = str.maketrans(_UNQ)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"  # look like `-`, are not options to any program
_KNOWN_VARS = frozenset("HOME PWD OLDPWD USER LOGNAME SHELL TMPDIR".split())


@dataclass
class Word:
    text: str  # value after quote removal and static expansion ($VARS we cannot know stay as written)
    quoted: bool = False  # any part was quoted
    subs: list[str] = field(default_factory=list)  # sources of $( ), ` `, <( ) inside
    dynamic: bool = False  # not a plain literal: expansions, substitutions, braces, globs were involved
    opaque: bool = False  # holds something whose value cannot be known here ($X unknown, $( ), $(( )))
    glob: bool = False  # unquoted * ? [ remain
    tricks: list[str] = field(default_factory=list)  # spellings no honest answer uses (${IFS}, $'\x..', r''m)


@dataclass
class Redirect:
    op: str
    target: str
    opaque: bool = False


@dataclass
class Simple:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    heredoc: str | None = None
    cwd: str | None = None  # where an earlier cd on the line left us (None: where caro was asked)
    # a group's stand-in in a pipeline (`{ a; b; } | c`): the commands that run inside it, whose
    # output is what the group passes on (they are judged on their own as well)
    inner: list[Simple] = field(default_factory=list)

    @property
    def argv(self) -> list[str]:
        return [w.text for w in self.words]


@dataclass
class Parsed:
    pipelines: list[list[Simple]]
    subs: list[str]  # every nested source found, for recursive checks
    errors: list[str]
    operators: list[str] = field(default_factory=list)  # what follows each pipeline: && || ; & or newline
    functions: list[str] = field(default_factory=list)  # names defined on the line

    def argvs(self) -> list[list[str]]:
        """The words of every simple command, pipelines in order (nested sources not included)."""
        return [simple.argv for pipeline in self.pipelines for simple in pipeline]


# -- expansion helpers (pure) ------------------------------------------------------------------

_ANSI = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)", re.DOTALL)
_SIMPLE_ESC = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def ansi_c(body: str) -> tuple[str, bool]:
    """Decode the inside of `$'…'`. Returns (text, whether numeric escapes spelled letters)."""
    numeric = False

    def one(m: re.Match) -> str:
        nonlocal numeric
        e = m.group(1)
        if e[0] in "xuU":
            numeric = True
            return chr(int(e[1:], 16)) if int(e[1:], 16) < 0x110000 else ""
        if e[0] in "01234567":
            numeric = True
            return chr(int(e, 8) & 0xFF)
        if e[0] == "c":
            return chr(ord(e[1]) & 0x1F)
        return _SIMPLE_ESC.get(e, "\\" + e)

    return _ANSI.sub(one, body), numeric


def _brace_alternatives(s: str) -> list[str] | None:
    """Split the text of an unquoted `{…}` group at its top-level commas, or expand `{a..b}`."""
    m = re.fullmatch(r"(-?\d{1,6})\.\.(-?\d{1,6})(?:\.\.(-?\d{1,4}))?|([A-Za-z])\.\.([A-Za-z])", s)
    if m:
        if m.group(4):
            a, b = ord(m.group(4)), ord(m.group(5))
            step = 1 if b >= a else -1
            return [chr(c) for c in range(a, b + step, step)][: MAX_BRACE_WORDS + 1]
        a, b = int(m.group(1)), int(m.group(2))
        inc = abs(int(m.group(3) or 1)) or 1
        step = inc if b >= a else -inc
        return [str(n) for n in range(a, b + (1 if step > 0 else -1), step)][: MAX_BRACE_WORDS + 1]
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts if len(parts) > 1 else None


class BraceLimit(Exception):
    """Brace expansion that would be cut short: more words than MAX_BRACE_WORDS, or groups nested
    deeper than MAX_BRACE_DEPTH. Never judged as if complete (`rm -rf {{1..64},/}` once was)."""


def brace_expand(s: str, limit: int = MAX_BRACE_WORDS, _depth: int = 0) -> list[str]:
    """bash brace expansion of unquoted text (quoted braces were replaced by stand-ins); raises
    BraceLimit rather than return a partial list."""
    if _depth > MAX_BRACE_DEPTH:
        raise BraceLimit(f"braces nested more than {MAX_BRACE_DEPTH} deep")
    depth, start = 0, -1
    for i, ch in enumerate(s):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                alts = _brace_alternatives(s[start + 1 : i])
                if alts is None:
                    continue  # `{x}` is literal: look for a later group (a loop, not recursion: `{x}`×987)
                out: list[str] = []
                tails = brace_expand(s[i + 1 :], limit, _depth + 1)
                for a in alts:
                    for head in brace_expand(s[:start] + a, limit, _depth + 1):
                        for t in tails:
                            out.append(head + t)
                            if len(out) > limit:
                                raise BraceLimit(f"brace expansion of more than {limit} words")
                return out
    return [s]


# -- the reader -------------------------------------------------------------------------------

_STATEMENT_OPS = {";", "&&", "||", "&", ";;", "\n", "|&"}
_DECLARE = frozenset("export declare typeset local readonly".split())


class _Reader:
    def __init__(self, src: str, shell: str):
        self.shell = shell
        self.raw = src.encode("utf-8", "surrogatepass")
        self.pipelines: list[list[Simple]] = []
        self.subs: list[str] = []
        self.errors: list[str] = []
        self.after: list[str] = []
        self.functions: list[str] = []
        self.env: dict[str, str] = {}
        self.patterns: set[str] = set()  # loop variables that stand for any name a pattern matches
        self.lists: dict[str, list[str]] = {}  # bash arrays and fish lists set on the line: one word per item
        self.positional: list[str] = []
        self.cwd: str | None = None
        self.visited = 0
        self.nest = 0  # statements and word pieces open around the one being read
        self.bodies: dict[str, Node] = {}  # functions defined on the line, read again at each call
        self.calls = 0
        self.extra: list[Word] = []  # arguments the grammar hung off the last redirection read
        self.tail: list[Simple] = []  # pipeline stages the grammar hung off a here-document

    def text(self, node: Node) -> str:
        return self.raw[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # statements --------------------------------------------------------------------------
    def block(self, node: Node) -> None:
        for child in node.children:
            self.statement(child)

    def refuse(self, why: str) -> None:
        if why not in self.errors:
            self.errors.append(why)

    def statement(self, node: Node) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            return self.refuse("too large to read")
        if self.nest >= MAX_NEST:
            return self.refuse(f"nested more than {MAX_NEST} levels deep")
        self.nest += 1
        try:
            self._statement(node)
        finally:
            self.nest -= 1

    def _statement(self, node: Node) -> None:
        t = node.type
        if t in _STATEMENT_OPS:
            if self.after:
                self.after[-1] = t
            return
        if t == "comment":
            return
        if node.is_error:
            self.block(node)
            return
        if t == "command":
            head = self.simple(node)
            self.add([head] + self.take_tail())
            body = self.bodies.get(head.argv[0]) if head.argv else None
            if body is not None and self.calls < 4:
                # `f(){ rm -rf "$1"; }; f /`: a call reads the body again with its arguments as $1 …
                outer_args, self.positional = self.positional, head.argv[1:]
                self.calls += 1
                self.block(body)
                self.positional = outer_args
        elif t == "pipeline":
            self.pipeline(node)
        elif t == "redirected_statement":
            self.redirected(node)
        elif t in ("variable_assignment", "variable_assignments"):
            self.add([self.assignments(node)])
        elif t in ("declaration_command", "unset_command"):
            self.add([self.simple(node)])
        elif t == "function_definition":
            name = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if name is not None:
                self.functions.append(self.text(name))
                if body is not None:
                    self.bodies[self.text(name)] = body
            if body is not None:
                self.block(body)  # judged as if it ran: a definition is there to be called
        elif t == "subshell":
            saved = self.cwd, dict(self.env)
            self.block(node)
            self.cwd, self.env = saved
        elif t == "for_statement":
            var = node.child_by_field_name("variable")
            values = [w for c in node.children_by_field_name("value") for w in self.words_of(c, Simple())]
            body = node.child_by_field_name("body")
            known = values and len(values) <= 8 and not any(w.opaque for w in values)
            if var is not None and body is not None and known:
                # `for d in / ~; do rm -rf $d; done`: the body once per value; for a pattern
                # (`for f in ~/*`) once, with the variable standing for every name it matches
                for w in values:
                    self.env[self.text(var)] = w.text
                    if w.glob:
                        self.patterns.add(self.text(var))
                    self.block(body)
                    self.patterns.discard(self.text(var))
                self.env.pop(self.text(var), None)
                return
            if var is not None:
                self.env.pop(self.text(var), None)
            if body is not None:
                self.block(body)
        else:
            # list, program-like groups, if/while/case/compound/negated/test commands …
            for child in node.children:
                if child.type in (
                    "word",
                    "string",
                    "raw_string",
                    "concatenation",
                    "simple_expansion",
                    "expansion",
                    "command_substitution",
                    "number",
                ):
                    self.words_of(child, Simple())
                else:
                    self.statement(child)

    def syntax_errors(self, root: Node) -> None:
        """The grammar's ERROR and MISSING nodes as messages (a bare `X=1 > f` is valid bash:
        the grammar marks its command name missing, which is not an error)."""
        if not root.has_error:
            return
        stack = [root]
        seen = 0
        while stack and seen < MAX_NODES:
            n = stack.pop()
            seen += 1
            if n.is_missing:
                if n.parent is not None and n.parent.type == "command_name":
                    continue
                self.errors.append(f"missing {n.type!r} near {self._near(n)!r}")
            elif n.is_error:
                self.errors.append(f"cannot be parsed near {self._near(n)!r}")
                continue
            if n.has_error:
                stack.extend(reversed(n.children))
            if len(self.errors) >= 3:
                return

    def _near(self, node: Node) -> str:
        start = max(0, node.start_byte - 10)
        return self.raw[start : node.end_byte + 10].decode("utf-8", "replace").strip()[:40]

    def take_tail(self) -> list[Simple]:
        tail, self.tail = self.tail, []
        return tail

    def add(self, pipeline: list[Simple]) -> None:
        pipeline = [s for s in pipeline if s.words or s.redirects or s.inner]
        if pipeline:
            self.pipelines.append(pipeline)
            self.after.append("\n")

    def pipeline(self, node: Node) -> None:
        simples: list[Simple] = []
        for child in node.children:
            if child.type in ("|", "|&"):
                continue
            simples.extend(self.stage(child))
        self.add(simples)

    def stage(self, node: Node) -> list[Simple]:
        """One element of a pipeline as the simple commands that stand in it."""
        if node.type == "command":
            head = self.simple(node)
            return [head] + self.take_tail()
        if node.type == "redirected_statement":
            return self.redirected(node, standalone=False)
        # a compound element ({ …; }, ( … ), while …): its own commands are judged on their own,
        # and a word-less stand-in keeps its place in the pipeline
        return [self.group(node)]

    def group(self, node: Node) -> Simple:
        start = len(self.pipelines)
        self.statement(node)
        return Simple(cwd=self.cwd, inner=[s for p in self.pipelines[start:] for s in p])

    def redirected(self, node: Node, standalone: bool = True) -> list[Simple]:
        body = node.child_by_field_name("body")
        reds: list[Redirect] = []
        heredoc: str | None = None
        rest: list[Simple] = []
        extra_words: list[Word] = []
        for child in node.children_by_field_name("redirect"):
            r, doc, tail = self.redirect(child)
            extra_words.extend(self.extra)
            if r is not None:
                reds.append(r)
            if doc is not None:
                heredoc = doc
            rest.extend(tail)
        front: list[Simple] = []  # the stages of a pipeline before the one the redirections belong to
        while body is not None and body.type == "list":
            # the grammar hangs `a && b > f` off the whole list too; bash gives `> f` to the last command
            kids = [c for c in body.children if c.type not in ("&&", "||", ";", "&")]
            for c in kids[:-1]:
                self.statement(c)
            body = kids[-1] if kids else None
        if body is not None and body.type == "command":
            head = self.simple(body)
        elif body is not None and body.type in ("variable_assignment", "variable_assignments"):
            head = self.assignments(body)
        elif body is not None and body.type == "pipeline":
            # the grammar hangs `a | b > f` off the whole pipeline; bash gives `> f` to its last command
            for child in body.children:
                if child.type not in ("|", "|&"):
                    front.extend(self.stage(child))
            head = front.pop() if front else Simple(cwd=self.cwd)
        else:
            head = self.group(body) if body is not None else Simple(cwd=self.cwd)
        head.redirects.extend(reds)
        head.words.extend(extra_words)
        if heredoc is not None:
            head.heredoc = heredoc
        stages = front + [head] + rest
        if standalone:
            self.add(stages)
        return stages

    def redirect(self, node: Node) -> tuple[Redirect | None, str | None, list[Simple]]:
        """A redirection; for a here-document also its body and what the grammar hung off it
        (`cat <<EOF | sh` puts `| sh` inside the redirect node)."""
        op = ""
        target = ""
        opaque = False
        body: str | None = None
        tail: list[Simple] = []
        extra: list[Word] = []
        got_target = False
        strip_tabs = False
        for c in node.children:
            t = c.type
            if t in ("<<", "<<-", "<<<", ">", ">>", "<", "&>", "&>>", ">&", "<&", ">|", "<>", ">&-", "<&-"):
                op = t
                strip_tabs = t == "<<-"
            elif t == "file_descriptor":
                continue
            elif t == "heredoc_start":
                target = self.text(c).strip("'\"")
            elif t == "heredoc_body":
                body = self.text(c)
                self.subs.extend(self.find_subs(c))
                if strip_tabs:
                    body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
            elif t == "heredoc_end":
                continue
            elif t in ("pipeline", "command", "redirected_statement"):
                tail.extend(
                    self.stage(c)
                    if t != "pipeline"
                    else [s for cc in c.children if cc.type not in ("|", "|&") for s in self.stage(cc)]
                )
            elif t in _STATEMENT_OPS:
                continue
            elif t in ("list",):
                self.statement(c)
            elif got_target:
                # `echo > f hello`: words after the target are the command's arguments (a bare
                # number there is the descriptor of the next redirection: `>& file 0>&1`)
                if t != "number":
                    extra.extend(self.words_of(c, Simple()))
            else:
                words = self.words_of(c, Simple())
                target = " ".join(w.text for w in words)
                opaque = any(w.opaque for w in words)
                got_target = True
        if body is not None and body.endswith("\n"):
            body = body[:-1]
        self.extra = extra
        return (Redirect(op, target, opaque) if op else None), body, tail

    def find_subs(self, node: Node) -> list[str]:
        out = []
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in ("command_substitution", "process_substitution"):
                out.append(self.inner(n))
                continue
            stack.extend(n.children)
        return out

    def inner(self, node: Node) -> str:
        """Source text inside `$( … )`, `` ` … ` ``, `<( … )`."""
        kids = node.children
        if len(kids) >= 2:
            s = self.raw[kids[0].end_byte : kids[-1].start_byte].decode("utf-8", "replace")
        else:
            s = self.text(node)
        if self.text(node).startswith("`"):
            s = s.replace("\\`", "`").replace("\\\\", "\\").replace("\\$", "$")
        return s

    # simple commands -------------------------------------------------------------------
    def simple(self, node: Node) -> Simple:
        s = Simple(cwd=self.cwd)
        for c in node.children:
            t = c.type
            if t == "variable_assignment":
                self.assign(c)
                s.words.append(Word(self.text(c)))
            elif t in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                r, doc, tail = self.redirect(c)
                self.tail.extend(tail)
                s.words.extend(self.extra)
                if r is not None:
                    s.redirects.append(r)
                if doc is not None:
                    s.heredoc = doc
            elif t == "command_name":
                if not c.children or (len(c.children) == 1 and c.children[0].is_missing):
                    continue
                for cc in c.children:
                    s.words.extend(self.words_of(cc, s))
            elif t in _DECLARE or t == "unset":
                s.words.append(Word(t))
            elif t in ("variable_name",):
                s.words.append(Word(self.text(c)))
            elif t == "comment" or c.is_missing:
                continue
            else:
                s.words.extend(self.words_of(c, s))
        self.track(s, node)
        return s

    def assignments(self, node: Node) -> Simple:
        """`X=1` or `X=1 Y=2` on its own: remembered for later words, kept as a word-only command."""
        for c in [node] if node.type == "variable_assignment" else node.children:
            if c.type == "variable_assignment":
                self.assign(c)
        return Simple([Word(self.text(node))], cwd=self.cwd)

    def assign(self, node: Node) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None:
            return
        key = self.text(name)
        before = self.lists.pop(key, [])
        adds = any(c.type == "+=" for c in node.children)
        kept = before if adds else []  # `a+=(x)` adds to the array
        if value is None:
            if not adds:
                self.env[key] = ""
            return
        if value.type == "array":  # `cmd=(rm -rf "$HOME")`: "${cmd[@]}" is those words, $cmd the first
            items = [w for c in value.named_children for w in self.words_of(c, Simple())]
            if items and not any(w.opaque for w in items):
                self.lists[key] = kept + [w.text for w in items]
                self.env[key] = self.lists[key][0]
            else:
                self.env.pop(key, None)
            return
        words = self.words_of(value, Simple(), split=False)
        if words and not any(w.opaque for w in words) and (not adds or key in self.env):
            # `x+=more` appends to the string (to the first item of an array, as bash does)
            self.env[key] = (self.env[key] if adds else "") + " ".join(w.text for w in words)
            if adds and kept:
                self.lists[key] = [self.env[key], *kept[1:]]
        else:
            self.env.pop(key, None)

    def track(self, s: Simple, node: Node) -> None:
        """Follow cd/pushd and `set --` so later commands are judged where and with what they run."""
        argv = s.argv
        if not argv:
            return
        if argv[0] == "set" and len(argv) > 1 and argv[1] == "--":
            self.positional = argv[2:]
        elif argv[0] == "set" and self.shell == "fish":
            k = 1
            while k < len(s.words) and s.words[k].text.startswith("-"):
                k += 1  # set's own options come before the name; after it, `-rf` is a value
            rest = s.words[k:]
            erase = any(w.text in ("-e", "--erase") for w in s.words[1:k])
            if rest:
                name = rest[0].text
                opts = {w.text for w in s.words[1:k]}
                old = self.lists.pop(name, None) or ([self.env[name]] if name in self.env else [])
                values = [w.text for w in rest[1:]]
                if opts & {"-a", "--append"}:  # `set -a x build` adds to the end, -p to the front
                    values = old + values
                elif opts & {"-p", "--prepend"}:
                    values = values + old
                if erase or any(w.opaque for w in rest[1:]):
                    self.env.pop(name, None)
                else:
                    self.env[name] = " ".join(values)
                    if len(values) > 1:  # a fish list: `$c` is one word per item
                        self.lists[name] = values
        if argv[0] in ("cd", "pushd", "chdir") and node.parent is not None:
            args = [a for a in argv[1:] if not a.startswith("-") or a == "-"]
            if not args:
                self.cwd = "~"
            elif any(w.opaque for w in s.words[1:]) or args[0] == "-":
                self.cwd = None
            else:
                self.cwd = _join(self.cwd, args[0])

    # words -----------------------------------------------------------------------------
    def words_of(self, node: Node, owner: Simple, split: bool = True) -> list[Word]:
        buf: list[str] = []
        info = _Info()
        self.pieces(node, buf, info, quoted=False)
        joined = "".join(buf)
        if info.subs:
            self.subs.extend(info.subs)
        try:
            fields = brace_expand(joined) if "{" in joined else [joined]
        except BraceLimit as e:
            # judged by its pieces instead (`{{1..64},/}` → `1..64`, `/`: every piece is a word the
            # line may produce, so the worst of them counts), and as a trick: no plain answer needs it
            fields = [t for t in re.split(r"[{},]", joined) if t] or [joined]
            info.opaque = True
            info.tricks.append(str(e))
        if len(fields) > 1:
            info.dynamic = True
        out: list[Word] = []
        for f in fields:
            parts = f.split(_SPLIT) if (split and _SPLIT in f) else [f.replace(_SPLIT, " ")]
            for p in parts:
                if not p and len(parts) > 1:
                    continue
                glob = any(ch in p for ch in "*?[")
                if p and p[0] in _DASHES:  # ("" is `in` every string: `echo ''` was a trick)
                    info.tricks.append("look-alike dashes")
                out.append(
                    Word(
                        p.translate(_UNQUOTE_TABLE),
                        info.quoted,
                        list(info.subs),
                        info.dynamic or glob or len(parts) > 1,
                        info.opaque,
                        glob,
                        list(info.tricks),
                    )
                )
        return out

    def pieces(self, node: Node, buf: list[str], info: _Info, quoted: bool) -> None:
        if self.nest >= MAX_NEST:
            info.opaque = True
            return self.refuse(f"nested more than {MAX_NEST} levels deep")
        self.nest += 1
        try:
            self._pieces(node, buf, info, quoted)
        finally:
            self.nest -= 1

    def _pieces(self, node: Node, buf: list[str], info: _Info, quoted: bool) -> None:
        t = node.type
        if t == "word" or t == "number" or t == "test_operator" or t == "extglob_pattern" or t == "regex":
            raw = self.text(node)
            if quoted:
                buf.append(raw.translate(_QUOTE_TABLE))
                return
            i = 0
            while i < len(raw):
                ch = raw[i]
                if ch == "\\" and i + 1 < len(raw):
                    nxt = raw[i + 1]
                    if nxt != "\n":
                        buf.append(nxt.translate(_QUOTE_TABLE))
                        info.quoted = True
                    i += 2
                    continue
                buf.append(ch)
                i += 1
            return
        if t == "raw_string":
            info.quoted = True
            inner = self.text(node)[1:-1]
            buf.append(inner.translate(_QUOTE_TABLE))
            return
        if t == "ansi_c_string":
            info.quoted = True
            text, numeric = ansi_c(self.text(node)[2:-1])
            info.dynamic = True
            if numeric:
                info.tricks.append("$'\\x..' escapes")
            buf.append(text.translate(_QUOTE_TABLE))
            return
        if t in ("string", "translated_string"):
            info.quoted = True
            for c in node.children:
                if c.type in ('"', '$"'):
                    continue
                if c.type == "string_content":
                    raw = self.text(c)
                    raw = re.sub(r"\\([\"\\$`])", r"\1", raw).replace("\\\n", "")
                    buf.append(raw.translate(_QUOTE_TABLE))
                else:
                    self.pieces(c, buf, info, quoted=True)
            return
        if t == "concatenation":
            kids = node.children
            for k, c in enumerate(kids):
                if c.type in ("raw_string", "string") and len(self.text(c)) == 2 and 0 < k < len(kids) - 1:
                    info.tricks.append("empty quotes inside a word")
                self.pieces(c, buf, info, quoted)
            return
        if t in ("simple_expansion", "expansion"):
            self.expansion(node, buf, info, quoted)
            return
        if t in ("command_substitution", "process_substitution"):
            info.subs.append(self.inner(node))
            src = self.text(node)
            if src.startswith(("$(", "`")) and (said := _plain_output(info.subs[-1])) is not None:
                info.dynamic = True  # `$(echo /)`, `$(pwd)`: what it prints is known
                buf.append(said.translate(_QUOTE_TABLE) if quoted else said)
                return
            info.dynamic = info.opaque = True
            buf.append((src[:2] + "…)" if src.startswith(("$(", "<(", ">(")) else "`…`").translate(_QUOTE_TABLE))
            return
        if t == "arithmetic_expansion":
            info.dynamic = info.opaque = True
            buf.append(self.text(node).translate(_QUOTE_TABLE))
            for sub in self.find_subs(node):
                info.subs.append(sub)
            return
        if t == "brace_expression":
            buf.append(self.text(node))
            return
        buf.append(self.text(node).translate(_QUOTE_TABLE) if quoted else self.text(node))

    def expansion(self, node: Node, buf: list[str], info: _Info, quoted: bool) -> None:
        info.dynamic = True
        src = self.text(node)
        name_node = next((c for c in node.children if c.type in ("variable_name", "special_variable_name")), None)
        name = self.text(name_node) if name_node is not None else ""
        sub = next((c for c in node.children if c.type == "subscript"), None)
        if sub is not None and (n := sub.child_by_field_name("name")) is not None and self.text(n) in self.lists:
            index = sub.child_by_field_name("index")
            items = self.lists[self.text(n)]
            at = self.text(index) if index is not None else ""
            if at in ("@", "*") and len(node.children) == 3:  # "${cmd[@]}": one word per item
                buf.append(_fields(items))
                return
            if at.isdigit() and len(node.children) == 3:
                buf.append(items[int(at)].translate(_QUOTE_TABLE) if int(at) < len(items) else "")
                return
        ops = [c for c in node.children if c.type in (":-", "-", ":=", "=", ":+", "+", ":?", "?")]
        # `${X:?}` and `${X?msg}` are $X, or the line stops: judged as $X
        is_plain = src in (f"${name}", f"${{{name}}}") or bool(ops and ops[0].type in (":?", "?"))
        value: str | None = None
        if name in self.lists and self.shell == "fish" and is_plain and not quoted:
            buf.append(_fields(self.lists[name]))  # a fish list: a word per item
            return
        if name == "IFS" and is_plain:
            info.tricks.append("${IFS}")
            value = " "
        elif name in self.env and (is_plain or ops):
            value = self.env[name]
            if ops and ops[0].type in (":-", ":=") and value == "":
                value = None
        elif name.isdigit() and is_plain and 0 < int(name) <= len(self.positional):
            value = self.positional[int(name) - 1]
        elif name in ("@", "*") and is_plain and self.positional:
            if name == "@" or not quoted:
                # "$@" is one field per argument even inside quotes
                buf.append(_fields(self.positional))
                return
            value = " ".join(self.positional)
        if value is None and ops and ops[0].type in (":-", "-", ":=", "=") and name not in self.env:
            # ${X:-default}: X is not set on this line, so judge the default
            default = [c for c in node.children if c.start_byte >= ops[0].end_byte and c.type != "}"]
            parts: list[str] = []
            for d in default:
                self.pieces(d, parts, info, quoted=True)
            value = "".join(parts).translate(_UNQUOTE_TABLE)
            if name in _KNOWN_VARS:
                value = f"${name}"
        if value is None:
            if name in _KNOWN_VARS and is_plain:
                buf.append(f"${name}")  # paths.classify knows $HOME and friends
                return
            info.opaque = True
            info.subs.extend(self.find_subs(node))
            buf.append(src.translate(_QUOTE_TABLE) if quoted else src)
            return
        if name in self.patterns:
            buf.append(value)  # a name the pattern matches, whatever the quoting: judged as the pattern
        elif quoted or self.shell != "bash":
            buf.append(value.translate(_QUOTE_TABLE))
        else:
            # unquoted in bash: the value is split into fields (at its own edges too) and globbed
            fields = _SPLIT.join(value.split())
            if value[:1].isspace():
                fields = _SPLIT + fields
            if value[-1:].isspace() and value.strip():
                fields += _SPLIT
            buf.append(fields)


_ECHOED = re.compile(r"""\s*echo\s+(?:-n\s+)?(?:([\w./~+,:@%=-]+)|'([^']*)'|"([^"$`\\]*)")\s*""")


def _fields(items: list[str]) -> str:
    """Known words that each stay one word, whatever they hold ("$@", "${arr[@]}", a fish list)."""
    return _SPLIT.join(i.translate(_QUOTE_TABLE) for i in items)


# mktemp making a fresh name in the temporary folder: its options, and a template that may carry
# that folder (`/tmp/ci.XXXXXX`, `"$TMPDIR"/x.XXXX`)
_MKTEMP = re.compile(
    r"\s*mktemp(?:\s+(?:-[dtuq]+|--(?:directory|dry-run|quiet|suffix=\S+|tmpdir(?:=/tmp|=/var/tmp)?)|-p\s+/(?:var/)?tmp))*"
    r"(?:\s+[\"']?(?:(?:/tmp|/var/tmp|\$\{?TMPDIR(?::-/tmp)?\}?)[\"']?/)?[\w.-]*X{3,}[\w.-]*[\"']?)?\s*"
)


def _plain_output(src: str) -> str | None:
    """What a substitution prints when that is plain from its text: `pwd` (here), `echo WORD`."""
    if re.fullmatch(r"\s*pwd\s*", src):
        return "."
    if _MKTEMP.fullmatch(src):
        return "/tmp/tmp.XXXXXXXXXX"  # a name made fresh in /tmp: nothing of the user's is there yet
    m = _ECHOED.fullmatch(src)
    return next(g for g in m.groups() if g is not None) if m else None


@dataclass
class _Info:
    """What was learnt about one word while its pieces were read."""

    quoted: bool = False
    dynamic: bool = False
    opaque: bool = False
    subs: list[str] = field(default_factory=list)
    tricks: list[str] = field(default_factory=list)


def _join(cwd: str | None, target: str) -> str | None:
    if target.startswith(("/", "~", "$HOME")):
        base, rest = ("~", target[5:]) if target.startswith("$HOME") else ("", target)
        path = base + rest
    elif cwd is None:
        return None
    else:
        path = cwd.rstrip("/") + "/" + target
    parts: list[str] = []
    head, *segs = path.split("/")
    for seg in segs:
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    if head.startswith("~"):
        return "/".join([head] + parts)
    return "/" + "/".join(parts)


def parse(src: str, shell: str = "bash", positional: list[str] | None = None) -> Parsed:
    """Read `src` as `shell` would (`positional`: the $1 … a `sh -c` script is given).
    Never raises; problems are listed in `errors`."""
    text, notes = dialect.to_bash(src, shell)
    r = _Reader(text, shell)
    r.positional = list(positional or [])
    tree = _PARSER.parse(r.raw)
    r.errors.extend(notes)
    r.syntax_errors(tree.root_node)
    r.block(tree.root_node)
    return Parsed(r.pipelines, r.subs, r.errors, r.after[:-1], r.functions)
