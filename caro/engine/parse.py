"""Pull one command out of whatever a model replied: strict JSON, lenient JSON, a fenced
block, tool-call shapes, or the first line that looks like a command."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass
class Parsed:
    command: str
    explanation: str = ""
    how: str = ""  # which rule found it, for diagnostics


class NoCommand(ValueError):
    pass


_PROMPT = re.compile(r"^\s*(?:\$|#|>|%|❯|➜|PS [^>]*>)\s+")
_PROSE = re.compile(
    r"^(?:here|this|to |you|the |it |sure|i |note|explanation|command:|answer:|output:|use |try )", re.IGNORECASE
)
_CMD_KEYS = ("command", "cmd", "shell", "bash", "code")


def _from_obj(obj: Any) -> Parsed | None:
    if isinstance(obj, dict):
        # FunctionGemma / tool-call style: {"name": ..., "arguments": {...}}
        args = obj.get("arguments") or obj.get("parameters")
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except ValueError:
                args = None
        if isinstance(args, dict):
            inner = _from_obj(args)
            if inner:
                return inner
        for k in _CMD_KEYS:
            v = obj.get(k)
            if isinstance(v, str) and v.strip():
                expl = obj.get("explanation") or obj.get("description") or ""
                return Parsed(v.strip(), str(expl).strip())
        for v in obj.values():
            if isinstance(v, (dict, list)):
                inner = _from_obj(v)
                if inner:
                    return inner
    if isinstance(obj, list):
        for item in obj:
            inner = _from_obj(item)
            if inner:
                return inner
    return None


def _lenient_json(text: str) -> Any:
    m = re.search(r"\{.*\}", text, re.DOTALL)
    if not m:
        # a truncated object: close it
        m2 = re.search(r"\{.*", text, re.DOTALL)
        if not m2:
            return None
        frag = m2.group(0).rstrip().rstrip(",")
        if frag.count('"') % 2:
            frag += '"'
        frag += "}" * max(1, frag.count("{") - frag.count("}"))
        text_obj = frag
    else:
        text_obj = m.group(0)
    fixed = re.sub(r",\s*([}\]])", r"\1", text_obj)
    fixed = re.sub(r"(?<=[{,])\s*'?([A-Za-z_]+)'?\s*:", r'"\1":', fixed)
    fixed = re.sub(r":\s*'((?:[^'\\]|\\.)*)'", lambda mm: ": " + json.dumps(mm.group(1)), fixed)
    try:
        return json.loads(fixed)
    except ValueError:
        m3 = re.search(r'"(?:command|cmd)"\s*:\s*"((?:[^"\\]|\\.)*)', text_obj)
        if m3:
            try:
                return {"command": json.loads('"' + m3.group(1) + '"')}
            except ValueError:
                return {"command": m3.group(1)}
    return None


def clean_line(line: str) -> str:
    line = _PROMPT.sub("", line.strip())
    line = line.strip().strip("`").strip()
    return line


# a line after which the next one continues the same command: `for …; do`, `if …; then`, `{`, a pipe
_OPENS = re.compile(r"(?:\b(?:do|then|else|begin)|[{|]|&&|\|\|)$")
_COMPOUND = re.compile(r"^(?:for|while|until|if|case|switch|function|begin)\b")
MAX_JOINED = 4


def one_line(lines: list[str]) -> str:
    """A code block as one line. A model in script mode writes `git add .` and `git commit …` on
    two lines, or a loop over three: a sequence becomes `a && b` (the next step runs only if the
    one before worked, so a failed `cd` never leads to the rest), a loop or `if` is joined with
    `;` as the shell would read it. More lines than a one-liner holds: only the first."""
    if len(lines) == 1 or len(lines) > MAX_JOINED:
        return lines[0]
    compound = any(_COMPOUND.match(ln) for ln in lines)
    out = lines[0].strip()
    for ln in lines[1:]:
        ln = ln.strip()
        if out.endswith("\\"):
            out = out[:-1].rstrip() + " " + ln
        elif _OPENS.search(out):
            out += " " + ln
        else:
            out += ("; " if compound else " && ") + ln
    return out


_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)


def degenerate(command: str) -> str | None:
    """Why a reply looks like a sampling loop rather than a command (or None)."""
    words = command.split()
    if len(command) > 500:
        return "it is far too long for one command"
    if re.search(r"(.)\1{24,}", command):
        return "it repeats one character over and over"
    for n in (1, 2, 3):
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        for i in range(len(grams)):
            run = 1
            while i + run * n < len(grams) and grams[i + run * n] == grams[i]:
                run += 1
            if run >= (4 if n == 1 else 3) and any(len(w) > 1 for w in grams[i]):
                return "it repeats the same words over and over"
    return None


def extract(reply: str) -> Parsed:
    # reasoning models think aloud first; an unclosed block means the answer never came
    text = _THINK.sub("", reply or "").strip()
    if not text:
        raise NoCommand("the model returned an empty reply")
    try:
        p = _from_obj(json.loads(text))
        if p:
            return Parsed(clean_line(p.command), p.explanation, "json")
    except ValueError:
        pass
    if "{" in text:
        obj = _lenient_json(text)
        p = _from_obj(obj) if obj is not None else None
        if p:
            return Parsed(clean_line(p.command), p.explanation, "lenient-json")
    m = re.search(r"```[\w+-]*[ \t]*\n(.*?)(?:```|$)", text, re.DOTALL)
    if m:
        lines = [clean_line(l) for l in m.group(1).splitlines() if l.strip() and not l.strip().startswith("#")]
        if lines:
            return Parsed(one_line(lines), "", "fenced")
    m = re.search(r"`([^`\n]{2,})`", text)
    for line in text.splitlines():
        line = clean_line(line)
        if not line or _PROSE.match(line) or line.endswith(":"):
            continue
        sentence = re.search(r"[A-Za-z][.!?]$", line) and not re.search(r"[-|/$=<>*'\"]", line)
        if re.match(r"^[\w./~-]", line) and not sentence or _PROMPT.match(line):
            return Parsed(line, "", "line")
    if m:
        return Parsed(clean_line(m.group(1)), "", "inline-code")
    raise NoCommand("no command found in the model's reply")
