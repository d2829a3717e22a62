"""Compose a `find` command from a request that describes files by where, what and when.

A small model rarely gets `find`'s predicates right, yet requests about files follow a
handful of patterns: a place ("under /var/log", "in the current directory tree"), a kind
(files, directories, links), a name or extension, a size, an age, permissions, an owner,
a depth, and something to do with each match (delete, count, chmod, grep, copy…). This
module reads those parts with plain rules and writes the command from them, so every part
of the command comes from a part of the request. It answers None when the request is not
about finding files, or when it understood too little of it.

Pure functions; `compose(request, flavour)` is the entry point.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import slots as S

_Q = "\x01"     # quoted values are replaced by \x01N\x01 while the rules run


@dataclass
class Composed:
    command: str
    strength: int               # how many filters/actions (beyond place and kind) the request gave
    parts: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    roots: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    action: list[str] = field(default_factory=list)
    pipe: list[str] = field(default_factory=list)
    kind: str | None = None
    quit: bool = False
    parts: list[str] = field(default_factory=list)


def _q(value: str) -> str:
    """Quote for the shell, always quoting globs so the shell leaves them to find."""
    return S.shell_value(value)


def _root(path: str) -> str:
    """A start point; a glob in it is left for the shell to expand (/var/log/*/)."""
    return S.shell_value(path, keep_globs=True)


class _Text:
    """The request with quoted values set aside; rules consume spans as they use them."""

    def __init__(self, request: str):
        self.quoted: list[str] = []
        request = re.sub(r"(?<=\w)[\u2019'](?=\w)", "'", request)      # don’t → don't, not a quote

        def keep(m: re.Match) -> str:
            self.quoted.append(next(g for g in m.groups() if g is not None))
            return f" {_Q}{len(self.quoted) - 1}{_Q} "
        # "x", 'x' (not an apostrophe as in don't), `x` or `x', and typographic quotes
        text = re.sub(r"\"([^\"]+)\"|(?<!\w)'([^']+)'(?!\w)|`([^`']+)[`']|\u2018([^\u2019]+)\u2019|\u201c([^\u201d]+)\u201d",
                      keep, request)
        self.text = " " + " ".join(text.split()) + " "
        self.low = self.text.lower()
        self.orig = self.text          # consume() blanks spans of text/low; positions stay aligned

    def value(self, token: str) -> str:
        m = re.fullmatch(rf"{_Q}(\d+){_Q}", token)
        return self.quoted[int(m.group(1))] if m else token

    def search(self, pattern: str) -> re.Match | None:
        return re.search(pattern, self.low)

    def finditer(self, pattern: str):
        return list(re.finditer(pattern, self.low))

    def consume(self, m: re.Match, group: int = 0) -> None:
        a, b = m.span(group)
        blank = " " * (b - a)
        self.text = self.text[:a] + blank + self.text[b:]
        self.low = self.low[:a] + blank + self.low[b:]

    def original(self, m: re.Match, group: int) -> str:
        """The matched group with its original letter case and quoted values restored."""
        return self.value(self.orig[m.start(group):m.end(group)].strip())


_VAL = rf"({_Q}\d+{_Q}|[^\s,;]+)"                # one quoted value or one bare word
_PATHY = rf"({_Q}\d+{_Q}|[~/.][^\s,;]*|[\w.-]+/[^\s,;]*|\$\{{?\w+\}}?[^\s,;]*|\{{\}})"
_FILEY = rf"({_Q}\d+{_Q}|[~/.$][^\s,;]*|[\w.-]+/[^\s,;]*|[\w-]*\w\.[a-z0-9]{{1,8}}\b|[\w-]+_[\w-]+)"
_PREP = r"(?:in|under|within|inside|from|below|beneath|at|throughout|across|on|of)"
_DIRWORD = r"(?:directory|directories|folder|folders|dir|dirs|trees?|hierarchy|hierarchies|paths?)"
_SIZE_UNIT = r"(bytes?|b|c|k|kb|kib|kilobytes?|m|mb|mib|megs?|megabytes?|g|gb|gib|gigs?|gigabytes?|blocks?)"
_TIME_UNIT = r"(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted((w for w in S.NUMBER_WORDS if " " not in w), key=len, reverse=True)) + r")"

_NOT_FILES = re.compile(r"\b(process(es)?|pid|ports?|packages?|containers?|docker|images? (?:id|tag)|services?|"
                        r"branch(es)?|commits?|(?:tracked|ignored) by git|untracked|git (?:repo\w*|history|log|remotes?)|network|interfaces?|memory|cpu|ram|disk space|free space|"
                        r"users? accounts?|logged|cron|kernel|download|url|https?|ssh|remote|server|"
                        r"extract|unzip|untar|unpack|split|join|differences?|diff|compare|rsync|prompts?|"
                        r"linked to|(?:create|make|makes)(?: \w+)? (?:new )?(?:director(?:y|ies)|folders?|links?|symlinks?|symbolic)|"
                        r"words? count|columns?|csv|type description|base ?name of the current|"
                        r"(?:first|last|sorted|duplicate|unique|blank|empty|matching) lines|lines? of (?:the )?(?:file|text|output))\b")


def _num(word: str) -> str:
    return S.NUMBER_WORDS.get(word, word)


_NOT_A_PLACE = {"filename", "filenames", "name", "names", "a", "the", "last", "past", "it", "them", "here", "there", "which", "where", "size", "that", "those", "some", "any", "given", "specific", "specified", "that", "this", "each", "every", "all",
                "its", "their", "sub", "parent", "target", "one", "same", "different", "another", "other", "those",
                "these", "which", "named", "called", "and", "or", "to", "from", "in", "for", "current", "working",
                "home", "root", "entire", "whole", "empty", "hidden", "new", "old", "directories", "folders", "files",
                "file", "directory", "folder", "tree", "hierarchy", "path", "regular", "normal", "all", "of", "on"}


def _roots(t: _Text, p: _Plan) -> None:
    named = [
        (rf"\b{_PREP}? ?(?:the |this |my )?(?:current|present|working|this)(?: working)? ?{_DIRWORD}?(?: (?:tree|hierarchy))?\b", "."),
        (rf"\b{_PREP} (?:the )?(?:current )?(?:tree|hierarchy)\b", "."),
        (rf"\b{_PREP} (?:the |my |your |user'?s? )?home(?: {_DIRWORD})?(?: (?:tree|hierarchy))?\b", "~"),
        (rf"\b(?:{_PREP} )?(?:the )?(?:entire|whole|complete) (?:file ?system|system|disk|machine|computer|file (?:hierarchy|tree))\b", "/"),
        (rf"\b{_PREP} (?:the )?(?:root (?:{_DIRWORD}|file ?system)|/ )", "/"),
        (r"\b(?:on|in|across|throughout|from) (?:the )?(?:file ?system|system)\b", "/"),
        (r"\b(?:here)\b", "."),
    ]
    for pattern, root in named:
        m = t.search(pattern)
        if m:
            t.consume(m)
            if root not in p.roots:
                p.roots.append(root)
    # "under /var/log", "in directory 'src'", "in the 'build' folder", "from ~/Downloads"
    for pattern in (rf"\b{_PREP} (?:the )?(?:{_DIRWORD} )*{_PATHY}(?: {_DIRWORD})*",
                    rf"\b{_PREP} (?:the )?([\w.-]+) {_DIRWORD}(?: {_DIRWORD})*",
                    rf"\b(?:the )?({_Q}\d+{_Q}) {_DIRWORD}(?: {_DIRWORD})*",
                    rf"\b{_PREP} (?:the )?{_DIRWORD} ({_Q}\d+{_Q}|[\w.-]+)",
                    rf"\b{_DIRWORD} ({_Q}\d+{_Q})",
                    r"\b(?:under|within|inside|beneath|below|from) ([a-z_][\w.-]*)\b(?! (?:files?|director|folder|days?|hours?|minutes?|weeks?|months?|years?|bytes?|[kmg]b))",
                    r"\bin ([a-z_][\w.-]*)(?= (?:to|and|excluding|except|that|which|modified|older|newer|bigger|larger|smaller|executable|readable|writable|private)\b|\s*$|\s*,)"):
        for m in t.finditer(pattern):
            value = t.original(m, 1)
            # "files in *.txt" is a name, not a place; "all directories" is a kind
            if not value or (any(c in value for c in "*?[") and "/" not in value) or value.lower() in _NOT_A_PLACE or not t.low[m.start():m.end()].strip():
                continue
            if t.low[m.start():m.end()] != t.orig[m.start():m.end()].lower():
                continue                       # part of it was already used
            t.consume(m)
            if value not in p.roots:
                p.roots.append(value)
    if p.roots:
        p.parts.append("place")


def _kind(t: _Text, p: _Plan, flavour: str) -> None:
    if t.search(r"\bfiles?(?: ?/ ?| or | and )(?:sub)?(?:directories|directory|folders?|dirs?)\b|\b(?:directories|folders)(?: ?/ ?| or | and )files\b"):
        return
    m = t.search(r"\bsockets?(?: files?)?\b")
    if m:
        t.consume(m)
        p.tests += ["-type", "s"]
        p.kind = "s"
        p.parts.append("kind")
        return
    files = t.search(r"\b(regular |normal |plain |ordinary )?files?\b")
    dirs = t.search(r"\b(sub)?(directories|directory|folders?|dirs?)\b")
    links = t.search(r"\b(broken |dangling )?(symbolic links?|symlinks?|soft links?|links)"
                     r"(?:( (?:that )?(?:point|pointing|points) (?:to|at) (?:missing|nonexistent|non-existent|deleted) (?:files?|targets?|paths?)))?\b")
    if links:
        broken = bool(links.group(1) or links.group(3))
        p.tests += ["-xtype", "l"] if broken and flavour == "gnu" else ["-type", "l"]
        p.kind = "l"
    elif files and dirs:
        if files.group(1):                     # "regular files in dirs…" still means files
            p.tests += ["-type", "f"]
            p.kind = "f"
    elif dirs:
        p.tests += ["-type", "d"]
        p.kind = "d"
    elif files:
        # "files" alone usually means "entries"; ask find for regular files when the request insists
        if files.group(1) or t.search(r"\b(?:only files|files only|just files|not directories|no directories)\b"):
            p.tests += ["-type", "f"]
        p.kind = "f"
    if p.kind:
        p.parts.append("kind")


_EXT_WORDS = {"gzip": "gz", "gzipped": "gz", "bzip2": "bz2", "bzipped": "bz2", "tarball": "tar", "tarballs": "tar",
              "perl": "pl", "ruby": "rb", "c++": "cpp", "haskell": "hs", "latex": "tex", "tex": "tex",
              "mp3": "mp3", "jar": "jar", "class": "class", "ogg": "ogg", "wav": "wav", "html": "html", "htm": "htm"}


def _ext_of(word: str) -> str | None:
    w = word.lower().lstrip("*").lstrip(".")
    if w in _EXT_WORDS:
        return _EXT_WORDS[w]
    if w in S.LANG_EXT:
        return S.LANG_EXT[w]
    if w in S.KNOWN_EXT:
        return w
    return None


_CHAR_WORDS = {"space": " ", "blank": " ", "whitespace": " ", "colon": ":", "semicolon": ";", "comma": ",",
               "dash": "-", "hyphen": "-", "underscore": "_", "tilde": "~", "hash": "#", "question mark": "?"}


def _names(t: _Text, p: _Plan, case_insensitive: bool) -> list[str]:
    globs: list[str] = []

    def add(g: str, m: re.Match) -> None:
        t.consume(m)
        if g and g not in globs:
            globs.append(g)
    # excluded names come first so that "except *.log" is not read as a wanted name
    rules = [
        (rf"\b(?:named|called|with (?:the )?names?|whose names? (?:is|are)|names? (?:is|are)|names? (?:matching|like)|matching(?: the pattern)?|like) (?!ending|starting|beginning|containing|like|matching){_VAL}", lambda v: v),
        (rf"\b(?:ending|ends|end|that end|which end|finishing)(?: with| in) {_VAL}", lambda v: "*" + v),
        (rf"\b(?:with|having|has|of)(?: an?| the)? (?:extension|suffix|ending|file ?type) {_VAL}", lambda v: "*." + v.lstrip(".*")),
        (rf"{_VAL} (?:extension|suffix)\b", lambda v: "*." + v.lstrip(".*")),
        (rf"\b(?:starting|beginning|start|begin|starts|begins|prefixed)(?: with| by)(?: the (?:name|string|prefix|word|letters?))? (?!its\b|their\b){_VAL}", lambda v: v + "*"),
        (rf"\bnames? (?:containing|contain|that contains?|with|including) {_VAL}", lambda v: "*" + v + "*"),
        (rf"\b(?:containing|contain|contains|with|having|has)(?: the)?(?: (?:string|literal|word|text|letters?|characters?))* {_VAL}[\s()]* in (?:their|its|the|the file) ?(?:file)?names?", lambda v: "*" + v + "*"),
    ]
    # "with spaces in their names", "names containing a colon": a character named in words
    for m in t.finditer(rf"\b(?:(?:containing|contain|contains|with|having|has|including)(?: an?| the| any)? "
                        rf"({'|'.join(_CHAR_WORDS)})s?(?: characters?)? in (?:their|its|the|the file) ?(?:file)?names?"
                        rf"|names? (?:containing|contains?|that contains?|with|including)(?: an?| the| any)? "
                        rf"({'|'.join(_CHAR_WORDS)})s?\b)"):
        add("*" + _CHAR_WORDS[m.group(1) or m.group(2)] + "*", m)
    for pattern, make in rules:
        for m in t.finditer(pattern):
            v = t.original(m, 1)
            if v.lower() in ("the", "a", "an", "files", "file", "and", "or") or not v:
                continue
            add(make(v), m)
    for m in t.finditer(rf"\b(?:the )?(?:regex|regexp|regular expression)(?: pattern)? {_VAL}"):
        p.tests += ["-regex", _q(t.original(m, 1))]
        p.parts.append("name")
        t.consume(m)
    # bare globs and quoted globs anywhere: *.txt, "*.log", 'foo*'
    for m in t.finditer(rf"({_Q}\d+{_Q}|\*[^\s,;]*|[\w.-]+\*[^\s,;]*)"):
        v = t.original(m, 1)
        if not m.group(1).startswith(_Q):
            v = v.rstrip(".")                  # "matches pattern ed*." ends a sentence
        if any(c in v for c in "*?[") and "/" not in v:
            add(v, m)
    # a bare file name: "find grub.conf", "thumb.png files"
    for m in t.finditer(r"(?:^|\s)([\w-]*[a-z0-9]\.([a-z0-9]{1,8}))(?=\s)"):
        if _ext_of(m.group(2)) or m.group(2) in ("conf", "cfg", "history", "log", "xml", "txt"):
            add(t.original(m, 1), m)
    # "search for the file foo": one name after "the file"
    for m in t.finditer(rf"\b(?:search|look|find|locate)(?:ing)?(?: for)? (?:the|a) file "
                        rf"(?!named\b|called\b|with\b|that\b|which\b|in\b|under\b|whose\b){_VAL}"):
        v = t.original(m, 1)
        t.consume(m, 1)                    # "file" stays: it still says what kind of thing
        if v not in globs:
            globs.append(v)
    # quoted extensions: '".doc" files', '"wmv" "wma" files'
    for m in t.finditer(rf"({_Q}\d+{_Q})(?:,? (?:and |or )?({_Q}\d+{_Q}))? (?:files?|documents?)\b"):
        for i in (1, 2):
            v = t.original(m, i) if m.group(i) else ""
            if re.fullmatch(r"\.?\w{1,8}", v) and (v.startswith(".") or _ext_of(v.lower())):
                add("*." + v.lstrip("."), m)
            elif v and i == 1 and not m.group(2) and "/" not in v:
                add(v, m)                  # 'all "copyright" files': that exact name
    # "PHP files", ".txt files", "python scripts", "log files"
    for m in t.finditer(r"(?:^|\s)(\.?[a-z0-9+]+)(?: or (\.?[a-z0-9+]+))? (?:source )?(?:files?|scripts?|documents?|sources?|images?|programs?)\b"):
        exts = [e for e in (_ext_of(m.group(1)), _ext_of(m.group(2)) if m.group(2) else None) if e]
        if exts:
            t.consume(m, 1)
            if m.group(2):
                t.consume(m, 2)
            for e in exts:
                if "*." + e not in globs:
                    globs.append("*." + e)
    # bare ".ext" words: "all the .txt and .md"
    for m in t.finditer(r"(?:^|\s)\.([a-z0-9]{1,6})\b"):
        e = _ext_of(m.group(1))
        if e and "*." + e not in globs:
            t.consume(m)
            globs.append("*." + e)
    # 'the file "foo"', 'a file named foo' handled above; a quoted word right after "file" is its name
    for m in t.finditer(rf"\b(?:files?|directory|folder|dir) ({_Q}\d+{_Q})"):
        v = t.original(m, 1)
        if " " not in v and "/" not in v and v not in globs:
            t.consume(m, 1)
            globs.append(v)
    # "text files starting with foo" wants both: foo*.txt
    exts = [g for g in globs if re.fullmatch(r"\*\.[\w]+", g)]
    stems = [g for g in globs if g.endswith("*") and "." not in g and g not in exts]
    if len(exts) == 1 and len(stems) == 1:
        globs = [g for g in globs if g not in exts + stems] + [stems[0] + exts[0][1:]]
    if not globs:
        return []
    primary = "-iname" if case_insensitive else "-name"
    terms: list[list[str]] = [["-path" if "/" in g else primary, _q(g)] for g in globs]
    p.parts.append("name")
    if len(terms) == 1:
        return terms[0]
    out = ["\\("]
    for i, term in enumerate(terms):
        out += (["-o"] if i else []) + term
    return out + ["\\)"]


def _exclusions(t: _Text) -> list[str]:
    out: list[str] = []
    for m in t.finditer(rf"\bbut ({_Q}\d+{_Q}|\*[^\s,;]*)"):
        value = t.original(m, 1)
        t.consume(m)
        out += ["-not", "-name", _q(value)]
    for m in t.finditer(rf"\b(?:excluding|except(?: for)?|other than|but not|not named|ignoring|skipping|exclude|without traversing into|"
                        rf"not (?:in|into|under|inside)|apart from|leaving out|omitting)(?: the| any| all| those)?(?: already)? (?:{_DIRWORD} |files? |paths? )?"
                        rf"{_VAL}(?: {_DIRWORD}| files?| paths?)?"):
        value = t.original(m, 1)
        if value.lower() in _NOT_A_PLACE or value.lower() in ("hidden", "empty"):
            continue
        is_dir = bool(re.search(_DIRWORD + "|path", m.group(0))) or value.strip("/") in (".git", "node_modules", ".svn", "vendor", "build")
        ext = _ext_of(value)
        t.consume(m)
        if is_dir:
            out += ["-not", "-path", _q(f"*/{value.strip('/').lstrip('./')}/*")]
        elif ext and not any(c in value for c in "*?") and (value.startswith(".") or "." not in value):
            out += ["-not", "-name", _q("*." + ext)]
        else:
            out += ["-not", "-name", _q(value)]
    return out


def _size(t: _Text, p: _Plan) -> None:
    rules = [(r"(?:bigger|larger|greater|more|over|above|exceeding|at least|heavier|>)(?: in size)?(?: than)?", "+"),
             (r"(?:smaller|less|under|below|lighter|at most|<)(?: in size)?(?: than)?", "-"),
             (r"(?:size|sized|of size|exactly|equal to|weighing)(?: of| is| equal to| exactly)?", "")]
    for sign_words, sign in rules:
        m = t.search(rf"\b{sign_words} ?{_NUM} ?{_SIZE_UNIT}\b")
        if m:
            unit = m.group(2)
            suffix = "" if unit.startswith("block") else S.SIZE_UNITS.get(unit.rstrip("s") if unit not in S.SIZE_UNITS else unit, "")
            n = _num(m.group(1))
            if "." in n:        # find takes whole units only: 1.5G → 1536M
                big = {"G": ("M", 1024), "M": ("k", 1024), "k": ("c", 1024)}.get(suffix)
                if big:
                    n, suffix = str(int(float(n) * big[1])), big[0]
                else:
                    n = str(int(float(n)))
            t.consume(m)
            p.tests += ["-size", f"{sign}{n}{suffix}"]
            p.parts.append("size")
            return
    m = t.search(r"\b(empty|zero[- ](?:size|length|byte)|0[- ]byte)\b")
    if m:
        t.consume(m)
        if t.search(r"\b(?:regular |normal )?files?\b") and not t.search(r"\b(?:director|folder|dirs?\b)"):
            p.tests += ["-type", "f"]
        p.tests.append("-empty")
        p.parts.append("empty")


def _newer(t: _Text, p: _Plan) -> None:
    m = t.search(rf"\b(?:(?:modified |changed |updated )?(?:more recently than|later than|newer than|after|since)) (?:the )?(?:\w+ )?(?:file )?{_FILEY}")
    if m and not re.fullmatch(r"\d+", t.original(m, 1)):
        p.tests += ["-newer", _q(t.original(m, 1))]
        t.consume(m)
        p.parts.append("time")


def _time(t: _Text, p: _Plan) -> None:
    verb = t.search(r"\b(modified|changed|updated|edited|written|altered|touched|created|accessed|used|read|opened|viewed)\b")
    letter = "m"
    if verb and verb.group(1) in ("accessed", "used", "read", "opened", "viewed"):
        letter = "a"
    elif verb and verb.group(1) == "changed" and t.search(r"\bstatus\b"):
        letter = "c"
    recent = r"(?:in|within|during|for|over)? ?(?:the )?(?:last|past|previous|recent)|within|less than|fewer than|under|newer than|not older than|in under|at most|no more than|up to"
    old = r"more than|over|older than|at least|not (?:been )?(?:modified|changed|accessed|used|touched|updated|read)(?: in| for)?(?: the last| the past)?|before|earlier than|longer than|greater than|beyond"
    order = ((recent, "-"), (old, "+"), (r"exactly|precisely", ""))
    if t.search(r"\bnot (?:been )?(?:modified|changed|accessed|used|touched|updated|read)\b"):
        order = order[1:2] + order[:1] + order[2:]     # "not modified in the last 60 days" is older than 60
    for words, sign in order:
        m = t.search(rf"\b(?:{words}) ?(?:the )?{_NUM}? ?{_TIME_UNIT}\b( ago| old)?")
        if m:
            break
    else:
        m = t.search(rf"\b{_NUM} {_TIME_UNIT} (ago|old)\b")
        sign = "" if m else None
        if m and t.search(r"\b(older|more|over|at least|beyond)\b"):
            sign = "+"
        if not m:
            m2 = t.search(r"\b(today|in the last day|in the past day|last 24 hours|past 24 hours|yesterday)\b")
            if m2 and (verb or t.search(r"\bfiles?\b")):
                t.consume(m2)
                p.tests += [f"-{letter}time", "1" if m2.group(1) == "yesterday" else "-1"]
                p.parts.append("time")
            return
    if not verb and not t.search(r"\b(old|ago|new|recent|age|older|newer)\b"):
        return
    n = _num(m.group(1)) if m.group(1) else "1"
    unit = m.group(2).rstrip("s")
    t.consume(m)
    if verb:
        t.consume(verb)
    n_int = int(float(n))
    if unit in ("minute", "min"):
        p.tests += [f"-{letter}min", f"{sign}{n_int}"]
    elif unit in ("hour", "hr") and n_int % 24:
        p.tests += [f"-{letter}min", f"{sign}{n_int * 60}"]
    elif unit in ("hour", "hr"):
        p.tests += [f"-{letter}time", f"{sign}{n_int // 24}"]
    else:
        days = n_int * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
        p.tests += [f"-{letter}time", f"{sign}{days}"]
    p.parts.append("time")


def _chmod(t: _Text, p: _Plan) -> None:
    """"change … permissions to 644" is an action, and must be read before "permissions 644" the filter."""
    m = t.search(r"\b(?:change|set|modify|update|alter|fix)(?: the| their| its| all)? (?:permissions?|perms?|mode|access rights?)\b(?:.*?)\b(?:to|as|=) ?([0-7]{3,4}|[ugoa]*[+=-][rwxXst]+)\b") \
        or t.search(r"\bchmod ([0-7]{3,4}|[ugoa]*[+=-][rwxXst]+)\b") \
        or t.search(r"\b(?:set|give|apply|assign|change to)(?: the)? ([0-7]{3,4}) (?:permissions?|perms?|mode)\b") \
        or t.search(r"\bto have (?:the )?(?:permissions?|perms?|mode) (?:of )?([0-7]{3,4})\b")
    if m:
        t.consume(m)
        p.action = ["-exec", "chmod", m.group(1), "{}", "\\;"]
        p.parts.append("chmod")


def _permissions(t: _Text, p: _Plan, flavour: str) -> None:
    m = t.search(r"\b(?:with|having|that have|which have|whose)?(?: the)? (?:permissions?|perms?|mode|permission bits)(?: (?:of|set to|equal to|=|is|are))? ?([0-7]{3,4})\b") \
        or t.search(r"\b([0-7]{3,4}) (?:permissions?|perms?|mode)\b")
    if m:
        t.consume(m)
        p.tests += ["-perm", m.group(1)]
        p.parts.append("perm")
        return
    m = t.search(r"\b(?:writ(?:e)?able|readable|executable) (?:by|for) (?:the )?(group|others|other users|owner|user)"
                 r"(?: (?:and|or) (?:the )?(group|others|other users|owner|user))?\b")
    if m:
        who = "".join(sorted({"group": "g", "others": "o", "other users": "o", "owner": "u", "user": "u"}[w]
                             for w in (m.group(1), m.group(2)) if w))
        what = {"w": "w", "r": "r", "e": "x"}[t.low[m.start()]]
        t.consume(m)
        p.tests += ["-perm", f"-{who}+{what}"]
        p.parts.append("perm")
        return
    rules = [(r"\bworld[- ]writ(?:e)?able\b", ["-perm", "-o+w"]),
             (r"\b(?:setuid|suid)\b", ["-perm", "-4000"]),
             (r"\b(?:setgid|sgid)\b", ["-perm", "-2000"]),
             (r"\b(?:are |is |that are |which are )?executable\b", ["-executable"] if flavour == "gnu" else ["-perm", "+111"]),
             (r"\b(?:are |that are |which are )?readable\b", ["-readable"] if flavour == "gnu" else ["-perm", "-u+r"]),
             (r"\b(?:are |that are |which are )?writ(?:e)?able\b", ["-writable"] if flavour == "gnu" else ["-perm", "-u+w"])]
    for pattern, tests in rules:
        m = t.search(pattern)
        if m and not t.search(r"\bmake\b[^.]*" + pattern[2:]):
            t.consume(m)
            p.tests += tests
            p.parts.append("perm")
            return


_MISC = [
    (rf"\b(?:user|owner) (?:with )?(?:the )?(?:id|uid) (?:of )?{_NUM}\b|\buid (?:of )?{_NUM}\b", "-uid"),
    (rf"\bgroup (?:with )?(?:the )?(?:id|gid) (?:of )?{_NUM}\b|\bgid (?:of )?{_NUM}\b", "-gid"),
    (rf"\binode(?: number)? {_NUM}\b", "-inum"),
    (r"\b(?:on|of) (?:an? )?([a-z0-9]+) (?:file ?systems?|partitions?)\b|\bfs ?type ([a-z0-9]+)\b", "-fstype"),
    (rf"\b(?:with |having )?{_NUM} (?:hard )?links\b", "-links"),
]


def _misc(t: _Text, p: _Plan) -> None:
    for pattern, test in _MISC:
        m = t.search(pattern)
        if m:
            value = next(g for g in m.groups() if g)
            t.consume(m)
            p.tests += [test, _num(value)]
            p.parts.append(test)
    m = t.search(r"\b(?:don'?t|do not|does not|doesn'?t|without|not having|lacking)(?: have)?(?: the)? (?:permissions?|perms?|mode) ([0-7]{3,4})\b|\b([0-7]{3,4}) permissions?\b")
    if m and (m.group(1) or t.search(r"\b(?:don'?t|do not|not|without)\b")):
        t.consume(m)
        p.tests += ["-not", "-perm", m.group(1) or m.group(2)]
        p.parts.append("perm")
    m = t.search(r"\bhidden\b")
    if m and not t.search(r"\b(?:not|excluding|except|ignoring|skip\w*|without) (?:the )?hidden\b|\bnon-? ?hidden\b"):
        t.consume(m)
        p.tests += ["-name", "'.*'"]
        p.parts.append("hidden")
    elif m:
        t.consume(t.search(r"\b(?:(?:not|excluding|except|ignoring|skip\w*|without) (?:the )?|non-? ?)hidden\b"))
        p.tests += ["-not", "-name", "'.*'"]
        p.parts.append("hidden")
    m = t.search(r"\b(?:read|write|execute) permissions?\b")
    if m:
        t.consume(m)
        p.tests += ["-" + {"read": "readable", "write": "writable", "execute": "executable"}[m.group(0).split()[0]]]
        p.parts.append("perm")
    m = t.search(r"\b(?:and )?(?:then )?(?:quit|stop|exit)(?: after| at| on)?(?: the)?(?: first)?(?: match| one| file)?\b|\bonly the first (?:match|one|file|result)\b")
    if m:
        t.consume(m)
        p.quit = True
        p.parts.append("quit")


def _owner(t: _Text, p: _Plan) -> None:
    m = t.search(r"\b(?:not owned by|without an? (?:owner|user)|no (?:owner|user)|(?:owned|belonging) (?:by|to) (?:no|a non-?existent|an unknown) user|orphaned)\b")
    if m:
        t.consume(m)
        p.tests.append("-nouser")
        p.parts.append("owner")
        return
    for pattern, test in ((rf"\b(?:owned by|belong(?:s|ing)? to|owner is|whose owner is|of|by|with) (?:the )?group {_VAL}", "-group"),
                          (rf"\b(?:owned by|belong(?:s|ing)? to|whose owner is|owner is|created by|of user|by user) (?:the )?(?:user )?{_VAL}", "-user")):
        m = t.search(pattern)
        if m and m.group(1) not in ("me", "the", "a", "any", "group", "root's", "user", "no", "nobody"):
            t.consume(m)
            p.tests += [test, t.original(m, 1)]
            p.parts.append("owner")
            return
        if m and m.group(1) == "me":
            t.consume(m)
            p.tests += [test, "$USER"]
            p.parts.append("owner")
            return


def _shallow(t: _Text, p: _Plan) -> None:
    m = t.search(r"\b(?:only )?(?:not recursive(?:ly)?|non-?recursive(?:ly)?|without (?:recursion|recursing|descending|going into sub\w*|sub\w*)|"
                 r"not (?:search |look |go |descend |recurse )?(?:in|into|including|descending into) sub ?\w*|top[- ]level(?: only)?|only (?:in )?(?:the )?(?:current|this|that|given) (?:directory|folder)|"
                 r"(?:directory|folder) only|directly (?:in|under))\b")
    if m:
        t.consume(m)
        p.tests[:0] = ["-maxdepth", "1"]
        p.parts.append("depth")


def _depth(t: _Text, p: _Plan) -> None:
    m = t.search(rf"\bbetween (?:sub-?directory |directory )?(?:levels? |depths? ){_NUM} and {_NUM}\b|\bat (?:level|depth) {_NUM}\b")
    if m:
        t.consume(m)
        lo, hi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(3))
        p.tests[:0] = ["-mindepth", _num(lo), "-maxdepth", _num(hi)]
        p.parts.append("depth")
        return
    m = t.search(rf"\b(?:at most|maximum(?: depth)?(?: of)?|max(?:imum)? depth(?: of)?|up to|no more than|depth of|maxdepth|(?:do not|don't|not) go(?:ing)? (?:beyond|deeper than|past|more than)) {_NUM} (?:levels?|directories|deep|down)\b")
    if m:
        t.consume(m)
        p.tests[:0] = ["-maxdepth", _num(m.group(1))]
        p.parts.append("depth")
    m = t.search(rf"\b(?:at least|minimum(?: depth)?(?: of)?|min(?:imum)? depth(?: of)?|mindepth|deeper than) {_NUM} (?:levels?|directories|deep|down)\b")
    if m:
        t.consume(m)
        p.tests[:0] = ["-mindepth", _num(m.group(1))]
        p.parts.append("depth")


def _content(t: _Text, p: _Plan, case_insensitive: bool) -> list[str] | None:
    m = (t.search(rf"\b(?:containing|contain|contains|that contains?|which contains?|with|having|that have|which have|including|mentioning)"
                  rf"(?: the)?(?: (?:text|string|word|pattern|phrase|line|keyword|expression|regex))? ({_Q}\d+{_Q})")
         or t.search(rf"\b(?:search|look|grep|scan)(?:ing)?(?: for)?(?: the)?(?: (?:text|string|word|pattern|phrase))? ({_Q}\d+{_Q})")
         or t.search(r"\b(?:containing|contain|contains|mentioning|search(?:ing)? for|look(?:ing)? for|grep(?:ping)? for)(?: the)? (?:text|string|word|pattern|phrase|keyword) ([\w.$-]+)")
         or t.search(rf"\bfor (?:the )?(?:string|text|word|pattern|phrase) ({_Q}\d+{_Q}|[\w.$-]+)")
         or t.search(r"\b(?:search|look|grep)(?:ing)? for (?!files|all|the|any|every|a\b)([\w.$-]+) in (?:all |the |every |any |each )*(?:[\w.*]+ )?(?:files|scripts|sources|documents)\b")
         # "python files containing TODO": one bare word, then the end or a place
         or t.search(r"\b(?:containing|contain|contains|mentioning|that mentions?|which mentions?) (?!the\b|a\b|an\b|any\b|all\b|only\b|"
                     r"files?\b|spaces?\b|no\b|at\b|one\b|some\b|text\b|lines?\b)([\w$-]+)(?=\s*$|\s+(?:in|under|inside|below|within|"
                     r"recursively|and|anywhere|here)\b)"))
    if not m:
        return None
    value = t.original(m, 1)
    negated = re.search(r"\b(?:not|n't|never|without)\s+(?:\w+\s+)?$", t.low[max(0, m.start() - 20):m.start()])
    t.consume(m)
    p.parts.append("content")
    if negated:
        return ["-exec", "grep", "-L", _q(value), "{}", "+"]      # the files that lack it
    flags = "-l" if t.search(r"\b(?:list|names?|which files|what files|print the files|show the files|files? names?|paths?)\b") or \
        t.search(r"\b(?:find|locate|get|show|list|print|display)\b.*\bfiles?\b") else ""
    if case_insensitive:
        flags = (flags + "i") if flags else "-i"
    return ["-exec", "grep"] + ([flags] if flags else []) + [_q(value), "{}", "+" if flags.startswith("-l") else "\\;"]


# "…and gzip them" → -exec gzip {} \; — one program run on each match
_EXEC_ACTIONS = [
    (r"\b(?:bzip2?|bzip them)\b", ("bzip2",)),
    (r"\bxz\b", ("xz",)),
    (r"\b(?:gzip|compress|zip up)\b", ("gzip",)),
    (r"\b(?:touch|update the (?:time ?stamps?|modification times?))\b", ("touch",)),
    (r"\bsha256 ?sums?\b", ("sha256sum",)),
    (r"\bsha1 ?sums?\b", ("sha1sum",)),
    (r"\b(?:md5 ?sums?|md5|checksums?)\b", ("md5sum",)),
    (r"\b(?:display|show|print|output|dump|view|read|cat)(?: \w+){0,3}? (?:their|the|its) contents?\b|"
     r"\bcontents? of (?:each|them|those|these|the files)\b", ("cat",)),
    (r"\bparent (?:directory|directories|folders?|dirs?)\b|\bdirectories (?:that )?contain(?:ing)? them\b|\bdirname\b", ("dirname",)),
    (r"\b(?:file types?|type of each|what kind of file)\b", ("file",)),
]


def _action(t: _Text, p: _Plan, dest: str | None, flavour: str) -> None:
    def exec_(*argv: str, each: bool = True) -> None:
        p.action = ["-exec", *argv, "{}"] + (["\\;"] if each else ["+"])
    m = t.search(r"\bmake\b(?:\s+\S+){0,6}?\s+(?:executable|runnable)\b")
    if m:
        t.consume(m)
        exec_("chmod", "+x")
        p.parts.append("chmod")
        return
    m = t.search(r"\b(?:change|set|modify|update|give)(?: the)? (?:owner(?:ship)?|user)\b(?:.*?)\bto(?: the)?(?: user)? ([\w.-]+(?::[\w.-]+)?)\b") \
        or t.search(r"\bchown ([\w.-]+(?::[\w.-]+)?)\b")
    if m:
        t.consume(m)
        exec_("chown", t.original(m, 1))
        p.parts.append("chown")
        return
    m = t.search(r"\b(?:change|set|modify)(?: the)? group\b(?:.*?)\bto(?: the)?(?: group)? ([\w.-]+)\b") or t.search(r"\bchgrp ([\w.-]+)\b")
    if m:
        t.consume(m)
        exec_("chgrp", t.original(m, 1))
        p.parts.append("chgrp")
        return
    m = t.search(r"\b(delet\w*|remov\w*|eras\w*|rm|clean ?up|get rid of|wipe|purg\w*)\b")
    if m:
        t.consume(m)
        if "-empty" in p.tests:
            p.action = ["-delete"]             # only empty things: nothing recursive to fear
        elif p.kind == "d":
            exec_("rm", "-r", each=False)
        else:
            exec_("rm")
        p.parts.append("delete")
        return
    for pattern, tool, part in ((r"\b(copy|cp|duplicate|back ?up)\b", "cp", "copy"), (r"\b(move|mv|relocate)\b", "mv", "move")):
        m = t.search(pattern)
        if m and dest:
            t.consume(m)
            p.action = ["-exec", tool, "{}", _q(dest), "\\;"]
            p.parts.append(part)
            return
    if not dest and t.search(r"\b(?:tar ?ball|tar archive|archive)\b"):
        m = t.search(r"\b(?:create|make|build|put)\b[^.]*?\b(?:tar ?ball|tar archive|archive)\b")
        if m:
            t.consume(m)
            dest = "archive.tar.gz"
    if dest and re.search(r"\.(tar|tgz|tar\.gz|tar\.bz2|tar\.xz)$", dest):
        t.search(r"\b(archive|tar|compress|pack)\w*\b") and t.consume(t.search(r"\b(archive|tar|compress|pack)\w*\b"))
        z = "z" if re.search(r"gz$", dest) else "j" if dest.endswith("bz2") else "J" if dest.endswith("xz") else ""
        p.action = ["-print0"]
        p.pipe += ["xargs", "-0", "tar", f"-c{z}vf", _q(dest)]
        p.parts.append("tar")
        return
    m = t.search(r"\b(?:total )?(?:count|number) of lines\b|\btotal lines\b|\blines? count\b|\bhow many lines\b|\bcount (?:the )?lines\b")
    if m:
        t.consume(m)
        p.action = ["-exec", "cat", "{}", "+"]
        p.pipe += ["wc", "-l"]
        p.parts.append("lines")
        return
    for pattern, argv in _EXEC_ACTIONS:
        m = t.search(pattern)
        if m:
            t.consume(m)
            exec_(*argv)
            p.parts.append(argv[0])
            return
    m = t.search(r"\b(largest|biggest|smallest|newest|latest|most recent(?:ly modified)?|oldest|least recent(?:ly modified)?)\b")
    if m and p.kind != "d" and not t.search(r"\b(?:first|sort\w*|order\w*)\b"):
        word = m.group(1)
        t.consume(m)
        n = t.search(rf"\b(?:top|first|last)? ?{_NUM}\b")
        count = _num(n.group(1)) if n else "1"
        key = "%s" if word in ("largest", "biggest", "smallest") else "%T@"
        reverse = word in ("largest", "biggest", "newest", "latest") or word.startswith("most")
        if "-type" not in p.tests:
            p.tests += ["-type", "f"]
        if flavour == "gnu":
            p.action = ["-printf", _q(key + " %p\\n")]
        else:                                  # BSD find has no -printf; stat prints the same pair
            p.action = ["-exec", "stat", "-f", _q("%z %N" if key == "%s" else "%m %N"), "{}", "+"]
        p.pipe += ["sort", "-nr" if reverse else "-n", "|", "head", "-n", count]
        p.parts.append("rank")
        return
    m = t.search(r"\b(total (?:disk )?(?:size|usage|space)|how much (?:disk )?space|disk usage|space (?:used|taken)|"
                 r"(?:sum|add up|total) (?:of )?(?:the |their )?sizes?)\b")
    if m:
        t.consume(m)
        p.action = ["-exec", "du", "-ch", "{}", "+"]
        p.pipe += ["tail", "-n", "1"]
        p.parts.append("du")
        return
    m = t.search(r"\b(sizes?|long (?:list(?:ing)?|format)|details|detailed|information|info|attributes|permissions|ls -l|timestamps|owners)\b")
    if m and t.search(r"\b(with|and|show|list|display|print|their|along)\b"):
        t.consume(m)
        exec_("ls", "-l")
        p.parts.append("ls")
        return
    m = t.search(r"\b(count|how many|number of|total number)\b")
    if m:
        t.consume(m)
        p.pipe += ["wc", "-l"]
        p.parts.append("count")
        return
    m = t.search(r"\b(?:only|just) (?:the )?(?:file ?)?names\b|\bbase ?names?\b|\bwithout (?:the )?(?:path|directory)\b")
    if m:
        t.consume(m)
        exec_("basename")
        p.parts.append("basename")
        return
    m = t.search(r"\b(?:(reverse )?sort(?:ed)?|in (reverse )?(?:sorted|alphabetical) order|alphabetically)\b")
    if m:
        t.consume(m)
        p.pipe += ["sort"] + (["-r"] if m.group(1) or m.group(2) or t.search(r"\breverse\b") else [])
        p.parts.append("sort")
        return
    m = t.search(r"\bprint\b")
    if m:
        t.consume(m)
        p.action = ["-print"]


_VERBS = re.compile(r"\b(find\w*|search\w*|locat\w*|look\w*|list\w*|show\w*|display\w*|print\w*|get|count\w*|"
                    r"delet\w*|remov\w*|eras\w*|rm|chang\w*|set|cop(?:y|ies)|mov(?:e|es)|compress\w*|gzip|chmod|chown|"
                    r"make|give|which|what|all|any|every|each|recursively)\b")


_CASE_INSENSITIVE = (r"\b(case[- ]?insensitive(?:ly)?|ignoring (?:the )?case|ignore case|any[- ]cased?|regardless of case|"
                     r"not case[- ]sensitive|case[- ]insensitivity)\b")
_XARGS_WANTED = (r"\b(print0|white ?space|spaces? in (?:their |the )?(?:file ?)?names?|null[- ]?(?:separated|terminated|character)|"
                 r"xargs)\b")


def _about_files(low: str) -> bool:
    """Cheap gate: the request mentions files and a search, not one named thing or another domain."""
    if _NOT_FILES.search(low) or not _VERBS.search(low):
        return False
    if not re.search(r"\b(files?|director(?:y|ies)|folders?|dirs?|symlinks?|links?|scripts?|documents?|sources?|images?)\b|\*", low):
        return False
    # one named thing ("delete the file notes.txt", "make run.sh executable") is not a search
    return bool(re.search(r"\b(find|search\w*|locate|look(?:ing)? for|where|all|every|any|each|recursive\w*|tree|under|below|"
                          r"beneath|anywhere|files|directories|folders|dirs|links|symlinks|scripts|documents|images|sources|"
                          r"matching|whose|which|that)\b|\*", low))


def _replacement(t: _Text) -> tuple[str, str] | None:
    """"replace foo with bar in all python files": the text to swap inside the files found."""
    m = t.search(rf"\b(?:replace|substitute|swap)(?: (?:the )?(?:word|string|text))? {_VAL} (?:with|by|for) {_VAL}")
    if not m:
        return None
    t.consume(m)
    return t.original(m, 1), t.original(m, 2)


def _sed_swap(old: str, new: str) -> str:
    """A sed s/// expression, single-quoted, with the request's text taken literally."""
    def esc(x: str, chars: str) -> str:
        return "".join("\\" + c if c in chars else c for c in x)
    special_old, special_new = "/.*[]^$\\", "/&\\"
    expr = "s/" + esc(old, special_old) + "/" + esc(new, special_new) + "/g"
    return "'" + expr.replace("'", "'\\''") + "'"


def _destination(t: _Text) -> str | None:
    """Where copies, moves and archives go: "to /backup", "into the directory out", "to all.tar"."""
    m = t.search(rf"\b(?:to|into) (?:the )?(?:{_DIRWORD} ([\w.-]+)|(?:{_DIRWORD} )?({_Q}\d+{_Q}|[~/.$][^\s,;]*|[\w.-]+/[^\s,;]*|"
                 rf"[\w-]+\.(?:tar\.gz|tar\.bz2|tar\.xz|tgz|tar|zip|cpio)\b))") \
        or t.search(rf"\b(?:to|into) (?:the )?(?:{_DIRWORD} )?{_PATHY}") \
        or t.search(rf"\b(?:to|into) (?:the |my )?([\w.-]+) {_DIRWORD}\b")
    if not m or not t.search(r"\b(copy|cp|move|mv|back ?up|relocate|duplicate|archive|tar|compress|save|put|store)\b"):
        return None
    dest = t.original(m, next(i for i in range(1, (m.lastindex or 1) + 1) if m.group(i)))
    if dest.lower() in ("current", "this", "working"):
        dest = "."
    elif dest.lower() in ("another", "other", "some", "a", "new", "same", "parent", "target", "given", "specified", "that"):
        return None                      # a place the request does not name
    t.consume(m)
    return dest


def _output_file(t: _Text) -> str | None:
    """"…and save the list to files.txt" → a redirection."""
    m = t.search(rf"\b(?:save|saving|write|writing|redirect\w*|store|storing|put|putting|output|dump)(?: \w+){{0,4}}? "
                 rf"(?:to|into|in) (?:the )?(?:a )?(?:file )?({_Q}\d+{_Q}|[\w./~-]+)")
    if not m or re.search(r"\bvariable\b", m.group(0)):
        return None
    out = t.original(m, 1)
    t.consume(m, 1)
    return out


_SELECTORS = {"name", "size", "time", "perm", "owner", "empty", "hidden", "depth", "exclude", "content"}


def _worth_answering(request: str, low: str, p: _Plan, filters: list[str]) -> bool:
    """Enough of the request was understood, and what was not is not something find could do."""
    recursive = re.search(r"\b(recursive(?:ly)?|tree|hierarchy|sub-?(?:directories|folders|dirs)|all levels|"
                          r"under|below|beneath|everywhere|whole|entire)\b", low)
    here_only = (re.search(r"\b(here|this (?:directory|folder|dir))\b", low) and re.search(r"\b(list|show|ls)\b", low)
                 and not re.search(r"\b(find|search|locate)\b", low) and not recursive)
    if here_only and set(filters) <= {"hidden", "sort", "rank", "ls", "count", "depth"}:
        return False           # a listing of one directory: ls does that better
    if re.search(r"[\"'`\u2018][^\"'`\u2019]*/[^\"'`\u2019]*[\"'\u2019]\s*(?:,|and)", request):
        return False           # "remove '/tmp/a', '/tmp/b'": named files, not a search
    unexpressed = re.search(r"\b(cop(?:y|ies)|mov(?:e|es)|renam\w*|change (?:the )?(?:current )?directory|enter\w*|\bcd\b|run|"
                            r"execut(?!able)\w*|size of|compar\w*|merg\w*|replac\w*|join|head|tail|(?:first|last|top|bottom) (?:\w+ )?lines?)\b", low)
    if "content" not in filters and re.search(r"\b(?:search|look|grep)(?:ing)?\s+(?:recursively\s+)?for\s+(?!(?:(?:a|an|the|all|any|every|each)\s+)*"
                                              r"(?:[\w.*\"'-]+\s+){0,2}(?:files?|director\w*|folders?|symlinks?|links?|scripts?|images?|documents?)\b)\S", low):
        return False           # a text to look for that the rules did not read
    if unexpressed and (not filters or not (p.action or p.pipe)):
        return False           # a verb the rules cannot express: a bare listing would not do what was asked
    if re.search(r"\bsort\w* by (?:the )?(?:modification |mod |change |access )?(?:time|date|size|age)\b", low) and not recursive:
        return False           # "list files sorted by time": ls -t/-S, not find | sort by name
    if p.action[1:2] in (["cp"], ["mv"]) and re.search(rf"\b(?:cop(?:y|ies)|mov(?:e|es))\s+(?:the\s+)?{_DIRWORD}\s+[\w.~/-]+", low):
        return False           # "copy the directory photos to /backup": one named directory, cp -r
    if p.kind == "d" and re.search(r"\b(?:largest|biggest|smallest|heaviest)\b", low) and "rank" not in filters:
        return False           # directory sizes are du's job, not find's
    if set(filters) & {"delete", "move", "copy"} and not set(filters) & _SELECTORS and "-type" not in p.tests:
        return False           # "delete all core files": a word not understood must not become "delete everything"
    listing = re.search(r"\b(find|display|list|search|locate|show|get|print)\b", low)
    return bool(filters or (p.kind and recursive) or (listing and (p.kind or p.roots or _FOLLOW.search(low))))


_FOLLOW = re.compile(r"\bfollow(?:ing)? (?:the )?(?:symbolic |sym)?links\b|\bdereferenc")


def _render(p: _Plan, names: list[str], excluded: list[str], grep: list[str] | None, out: str | None, low: str) -> str:
    roots = [_root(r) for r in (p.roots or ["."])]
    tests = p.tests + excluded
    # find wants -maxdepth/-mindepth before the other tests (GNU warns otherwise)
    opts: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(tests):
        if tests[i] in ("-maxdepth", "-mindepth"):
            opts += tests[i:i + 2]
            i += 2
        else:
            rest.append(tests[i])
            i += 1
    redirect = " > " + _q(out) if out else ""
    if grep and not rest and not names and not opts and not p.action and not p.pipe and p.kind in (None, "f"):
        # only a text to look for: grep walks the tree itself
        flags = [w for w in grep[2:-3] if w.startswith("-")]
        return "grep -r" + (flags[0][1:] if flags else "") + " " + grep[-3] + " " + " ".join(roots) + redirect
    action = grep or p.action
    pipe = list(p.pipe)
    if re.search(_XARGS_WANTED, low) and action[:1] == ["-exec"] and action[-1] in ("\\;", "+") \
            and action.count("{}") == 1 and action[-2] == "{}":
        # the same command through xargs, safe for any file name
        pipe[:0] = ["xargs", "-0"] + action[1:-2] + (["|"] if pipe else [])
        action = ["-print0"]
    kind: list[str] = []
    if "-type" in rest:
        i = rest.index("-type")
        kind, rest = rest[i:i + 2], rest[:i] + rest[i + 2:]
    if p.quit:
        action = action + ["-quit"] if action else ["-print", "-quit"]
    argv = ["find"] + (["-L"] if _FOLLOW.search(low) else []) + roots + opts + kind + names + rest + action
    return " ".join(argv) + (" | " + " ".join(pipe) if pipe else "") + redirect


def compose(request: str, flavour: str = "gnu") -> Composed | None:
    low = request.lower()
    if not _about_files(low):
        return None
    t = _Text(request)
    p = _Plan()
    ci = t.search(_CASE_INSENSITIVE)
    if ci:
        t.consume(ci)
    swap = _replacement(t)
    dest = _destination(t)
    _newer(t, p)
    out = None if dest else _output_file(t)
    # order matters: each rule consumes the words it used, so later rules do not read them again
    excluded = _exclusions(t)
    _shallow(t, p)
    _roots(t, p)
    names = _names(t, p, bool(ci))
    _kind(t, p, flavour)
    _depth(t, p)
    _size(t, p)
    _time(t, p)
    _misc(t, p)
    _chmod(t, p)
    _permissions(t, p, flavour)
    _owner(t, p)
    grep = _content(t, p, bool(ci))
    if swap and not grep:
        p.action = ["-exec", "sed", *(["-i", "''"] if flavour == "bsd" else ["-i"]), _sed_swap(*swap), "{}", "+"]
        p.parts.append("replace")
    if not grep and not p.action:
        _action(t, p, dest, flavour)
    if excluded:
        p.parts.append("exclude")
    if p.kind == "f" and "-size" in p.tests and "-type" not in p.tests:
        p.tests += ["-type", "f"]     # a directory's own size is not what "files bigger than" asks about
    filters = [x for x in p.parts if x not in ("place", "kind")]
    if not _worth_answering(request, low, p, filters):
        return None
    return Composed(_render(p, names, excluded, grep, out, low), len(set(filters)), p.parts)
