"""Rewrite a zsh or fish line into the bash that would do the same, for the bash grammar.

Only what changes *what runs* is rewritten; the result is read, never executed.
- zsh: `#` starts a comment only with `setopt interactive_comments`, which an interactive zsh
  does not have by default, so a `#` word is kept as a word and what follows it is judged;
  `=rm` runs `rm`; glob qualifiers (`*(.)`, `/*(D)`) are dropped from the pattern, and parameter
  flags (`${(U)name}`, `${~pat}`) from the expansion; `{ … }` needs no `;` before `}`, and an anonymous
  function `() { … } args` runs at once (read as a function defined and called with the args).
- fish: `(…)` is command substitution; `and`/`or`/`not` prefix commands; blocks close with `end`
  (`if`, `for`, `while`, `begin`, `function`, `switch`); single quotes allow `\\'`.
Returns the text and a list of problems (a fish block that never closes, and so on).
"""

from __future__ import annotations

import re

# Each shell's own parse-only run: an answer must be a line the target shell reads (`sh` lines are
# read by bash). Used by the answer checks and the snippet renders' lint.
SYNTAX_CHECK: dict[str, tuple[str, ...]] = {
    "zsh": ("zsh", "-n"),
    "bash": ("bash", "-n"),
    "fish": ("fish", "--no-execute"),
    "sh": ("bash", "-n"),
}

_CMD_START = set(";&|(\n")
_KEEP_QUOTE = {"'": "'", '"': '"'}


def to_bash(src: str, shell: str) -> tuple[str, list[str]]:
    if shell == "zsh":
        return _read_write(_zsh(src)), []
    if shell == "fish":
        text, problems = _fish(src)
        return _read_write(text), problems
    return _read_write(src), []


def _read_write(src: str) -> str:
    """`exec 3<>/dev/tcp/host/port` opens a file for reading and writing, without emptying it; the
    grammar has no `<>`, so it is read as `>>` (a write that keeps what is there). Quotes kept."""
    if "<>" not in src:
        return src
    out: list[str] = []
    i = 0
    while i < len(src):
        j = _verbatim(src, i, "'\"")
        if j > i:
            out.append(src[i:j])
            i = j
        elif src.startswith("<>", i):
            out.append(">>")
            i += 2
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


def _at_command_start(out: list[str]) -> bool:
    """Whether the text written so far ends where a new command begins."""
    k = len(out) - 1
    while k >= 0 and out[k] in " \t":
        k -= 1
    return k < 0 or out[k] in _CMD_START or "".join(out[max(0, k - 1) : k + 1]) in ("&&", "||")


def _skip_quoted(src: str, i: int) -> int:
    """Index just after the quoted string (bash rules) that starts at src[i]."""
    q = src[i]
    j = i + 1
    while j < len(src):
        if q == '"' and src[j] == "\\":
            j += 2
            continue
        if src[j] == q:
            return j + 1
        j += 1
    return len(src)


def _verbatim(src: str, i: int, quotes: str) -> int:
    """End of a span both dialects copy unchanged: a backslash and what it escapes, or a string in
    one of `quotes`; `i` itself when src[i] starts neither."""
    if src[i] == "\\":
        return i + 2
    if src[i] in quotes:
        return _skip_quoted(src, i)
    return i


# what a glob qualifier may hold: the file-type and sort letters, ranges, modifiers (`.m+7`, `om[1,3]`, `D:h`)
_QUALIFIER = re.compile(r"[\w.\-+^/@=*%,:\[\]!|<>]*")


def _substitution_end(src: str, i: int) -> int:
    """Index just after the `$(…)` or `${…}` that starts at src[i] (quotes skipped); len(src) if open."""
    if src[i + 1 : i + 2] not in ("(", "{"):
        return i + 1
    opening, closing = src[i + 1], ")" if src[i + 1] == "(" else "}"
    depth, k = 0, i + 1
    while k < len(src):
        if src[k] in "'\"":
            k = _skip_quoted(src, k)
            continue
        depth += (src[k] == opening) - (src[k] == closing)
        k += 1
        if depth == 0:
            return k
    return len(src)


def _qualifier_end(src: str, i: int) -> int:
    """Index of the `)` closing the qualifier that opens at src[i], skipping quoted code; -1 if none."""
    k = i + 1
    while k < len(src) and src[k] != ")":
        if src[k] == "\n" or k - i > 400:  # a qualifier is short: an open `(` far from its `)` is none
            return -1
        if src[k] in "'\"":
            k = _skip_quoted(src, k)
            continue
        k += 1
    return k if k < len(src) else -1


def _qualifier_code(body: str) -> str | None:
    """The code an `e` or `+` qualifier runs for each name (`e:'rm $REPLY':`, `e{'…'}`, `+func`)."""
    m = re.search(r"e([^\w\s])(['\"]?)(.*?)\2\1", body) or re.search(r"e\{(['\"]?)(.*?)\1\}", body)
    if m:
        return m.group(m.lastindex or 1).replace("\\$", "$")
    plus = re.search(r"\+([A-Za-z_][\w-]*)", body)
    return plus.group(1) if plus else None


def _zsh(src: str) -> str:
    out: list[str] = []
    groups: list[bool] = []  # open `{ … }` groups, True for an anonymous function's body
    i, n = 0, len(src)
    # for each position, where its word began and whether a glob character came before it in that
    # word: worked out once, so the checks below cost the same for a word of 10 or 8,000 characters
    begins, globbed = [0] * (n + 1), [False] * (n + 1)
    for k in range(1, n + 1):
        blank = src[k - 1] in " \t\n;&|()"
        begins[k] = k if blank else begins[k - 1]
        globbed[k] = not blank and (globbed[k - 1] or src[k - 1] in "*?[")
    while i < n:
        c = src[i]
        j = _verbatim(src, i, "'\"")
        if j > i:
            out.append(src[i:j])
            i = j
            continue
        word_start = not out or out[-1] in " \t\n;&|()"
        if c == "$" and src.startswith("${", i) and src[i + 2 : i + 3] in ("~", "=", "^") and src[i + 3 : i + 4] != "}":
            # `${~pat}`, `${=list}`, `${^arr}`: globbing, splitting and joining switched on for one expansion
            k = i + 2
            while k < n and src[k] in "~=^":
                k += 1
            out.append("${")
            i = k
            continue
        if c == "$" and src.startswith("${(", i):
            close = src.find(")", i + 3)  # parameter flags, `${(U)name}`, `${(s:,:)a}`: the name is what counts
            if close > 0 and "}" not in src[i:close]:
                k = close + 1
                if src[k : k + 1] in ('"', "$"):
                    # `${(f)"$(cmd)"}`: the flags apply to an expression, which is what is read
                    end = _skip_quoted(src, k) if src[k] == '"' else _substitution_end(src, k)
                    if src[end : end + 1] == "}":
                        out.append(src[k:end])
                        i = end + 1
                        continue
                out.append("${")
                i = close + 1
                continue
        if c == "(" and src.startswith("()", i) and _at_command_start(out) and src[i + 2 : i + 3].isspace():
            k = i + 2
            while k < n and src[k] in " \t":
                k += 1
            if src.startswith("{", k):
                # `() { body } args`: an anonymous function, called at once with args
                out.append("_caro_anon() {")
                groups.append(True)
                i = k + 1
                continue
        if c == "{" and word_start and (i + 1 == n or src[i + 1].isspace()):
            groups.append(False)
        elif c == "}" and word_start and groups:
            # zsh closes a group without the `;` bash needs before `}`
            anon = groups.pop()
            ended = "".join(out).rstrip(" \t")[-1:] in (";", "\n", "&", "{")
            out.append(("}" if ended else ";}") + ("; _caro_anon" if anon else ""))
            i += 1
            continue
        if c == "#" and word_start:
            out.append("\\#")  # a word in interactive zsh, not a comment
            i += 1
            continue
        if c == "=" and word_start and _at_command_start(out) and i + 1 < n and src[i + 1].isalpha():
            i += 1  # `=rm` is the path of rm
            continue
        if c == "=" and word_start and (m := re.match(r"=([A-Za-z][\w.+-]*)(?=[\s;|&)]|$)", src[i:])):
            out.append(f"$(command -v {m.group(1)})")  # an argument `=python3`: where python3 is installed
            i += m.end()
            continue
        if c == "=" and word_start and src.startswith("=(", i):
            out.append("<")  # `=(cmd)`: a temporary file holding cmd's output, read as bash's `<(cmd)`
            i += 1
            continue
        before = src[i - 1 : i] if i > begins[i] else ""  # the word's last character so far
        if c == "(" and not word_start and before not in ("$", "=", "<", ">", "@", "!", "+"):
            # a glob qualifier: `*(.)`, `*(D)`, `*(om[1,3])`, and on a plain name too (`~/.histfile(N)`)
            close = _qualifier_end(src, i)
            body = src[i + 1 : close]
            if close > i + 1 and (globbed[i] or _QUALIFIER.fullmatch(body)):  # `f()` defines f
                if code := _qualifier_code(body):
                    # `*(e:'rm -rf $REPLY':)` runs code for every name: judged as run on the pattern
                    out.append("$(" + code.replace("$REPLY", src[begins[i] : i].replace("/^", "/*")) + ")")
                i = close + 1
                continue
        excluded = i + 1 < n and src[i + 1] not in " \t;&|()\n"  # `*~` alone is emacs's backups
        if c == "~" and excluded and not word_start and globbed[i] and before not in ("=", ":"):
            # `~/.ssh/*~*.pub`: with extendedglob, the pattern less what matches after `~`; judged as the pattern
            k = i + 1
            while k < n and src[k] not in " \t;&|()\n":
                k += 1
            i = k
            continue
        if c == "^" and not word_start and out[-1] == "/" and i + 1 < n and src[i + 1] not in " \t;&|)":
            # `~/^Downloads`: with extendedglob, every name but that one; judged as the whole folder
            k = i + 1
            while k < n and src[k] not in " \t;&|()/":
                k += 1
            out.append("*")
            i = k
            continue
        out.append(c)
        i += 1
    return "".join(out)


_OPENERS = {"if": "fi", "for": "done", "while": "done", "begin": "}", "function": "}", "switch": "}"}


def _fish(src: str) -> tuple[str, list[str]]:
    out: list[str] = []
    stack: list[str] = []
    pending: str | None = None  # "then" or "do", written at the end of the header
    problems: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        j = _verbatim(src, i, '"')
        if j > i:
            out.append(src[i:j])
            i = j
            continue
        if c == "'":
            # fish allows \' and \\ inside single quotes; bash does not: re-quote for bash
            j, buf = i + 1, []
            while j < n and src[j] != "'":
                if src[j] == "\\" and j + 1 < n and src[j + 1] in "'\\":
                    buf.append(src[j + 1])
                    j += 2
                    continue
                buf.append(src[j])
                j += 1
            out.append("'" + "".join(buf).replace("'", "'\\''") + "'")
            i = j + 1
            continue
        if c == "(" and not (out and out[-1] == "$"):
            out.append("$(")  # fish command substitution
            i += 1
            continue
        if c in ";\n" and pending:
            out.append("; " + pending + " ")
            pending = None
            i += 1
            continue
        if c.isalpha() and (not out or out[-1] in " \t\n;&|(") and _at_command_start(out):
            j = i
            while j < n and (src[j].isalnum() or src[j] in "_-"):
                j += 1
            word = src[i:j]
            nxt = src[j] if j < n else ""
            if nxt in ("", " ", "\t", "\n", ";"):
                if word in ("and", "or", "not"):
                    i = j
                    continue
                if word == "else":
                    k = j
                    while k < n and src[k] in " \t":
                        k += 1
                    if src.startswith("if", k) and src[k + 2 : k + 3] in (" ", "\t"):
                        out.append("elif")
                        pending = "then"
                        i = k + 2
                        continue
                    out.append("else :")
                    i = j
                    continue
                if word == "case" and stack and stack[-1] == "}":
                    end = j
                    while end < n and src[end] not in ";\n":
                        end += 1
                    out.append(":")  # a switch arm: its pattern runs nothing
                    i = end
                    continue
                if word in _OPENERS:
                    stack.append(_OPENERS[word])
                    if word == "begin":
                        out.append("{ :")
                    elif word == "function":
                        end = j
                        while end < n and src[end] not in ";\n":
                            end += 1
                        name = src[j:end].split()
                        out.append("function " + (name[0] if name else "_") + " { :")
                        i = end
                        continue
                    elif word == "switch":
                        end = j
                        while end < n and src[end] not in ";\n":
                            end += 1
                        out.append("{ : " + src[j:end])
                        i = end
                        continue
                    else:
                        out.append(word)
                        pending = "then" if word == "if" else "do"
                    i = j
                    continue
                if word == "end":
                    if not stack:
                        problems.append("an `end` without a block to close")
                        i = j
                        continue
                    out.append(stack.pop())
                    i = j
                    continue
        out.append(c)
        i += 1
    if pending:
        out.append("; " + pending + " :")
    if stack:
        problems.append(f"a fish block is never closed with `end` ({len(stack)} open)")
        out.extend("; " + closer for closer in reversed(stack))
    return "".join(out), problems
