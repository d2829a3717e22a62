"""Typed extraction of slot values from a request ("files over 100MB in ~/Downloads").

Pure functions. `extract(request)` returns the values found, by type, in order of
appearance, and `normalise(request)` replaces them by type tokens for retrieval,
so "bigger than 100MB" and "bigger than {size}" look alike to the index.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "a dozen": "12"})
LANG_EXT = {
    "python": "py", "javascript": "js", "typescript": "ts", "java": "java", "rust": "rs", "go": "go",
    "ruby": "rb", "shell": "sh", "bash": "sh", "markdown": "md", "text": "txt", "log": "log", "json": "json",
    "yaml": "yaml", "html": "html", "css": "css", "c": "c", "c++": "cpp", "cpp": "cpp", "php": "php",
    "csv": "csv", "xml": "xml", "pdf": "pdf", "jpeg": "jpg", "jpg": "jpg", "png": "png", "image": "png",
    "mp3": "mp3", "mp4": "mp4", "video": "mp4", "toml": "toml", "swift": "swift", "kotlin": "kt", "sql": "sql",
    "perl": "pl", "lua": "lua", "zip": "zip", "backup": "bak", "temp": "tmp", "temporary": "tmp", "tmp": "tmp",
    "pyc": "pyc", "object": "o", "header": "h", "txt": "txt", "md": "md", "js": "js", "py": "py", "ts": "ts",
    "rs": "rs", "sh": "sh", "yml": "yml", "conf": "conf", "config": "conf", "ini": "ini", "svg": "svg", "gif": "gif",
}
ORDINALS = {w: str(i) for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)}
SIZE_UNITS = {"b": "c", "byte": "c", "bytes": "c", "k": "k", "kb": "k", "kib": "k", "m": "M", "mb": "M", "mib": "M",
               "meg": "M", "megs": "M", "megabytes": "M", "megabyte": "M", "g": "G", "gb": "G", "gib": "G", "gig": "G",
               "gigs": "G", "gigabytes": "G", "gigabyte": "G", "kilobytes": "k", "kilobyte": "k", "t": "T", "tb": "T"}
KNOWN_EXT = set(LANG_EXT.values()) | {"gz", "tgz", "bz2", "xz", "tar", "7z", "iso", "img", "deb", "rpm", "db",
                                         "sqlite", "env", "lock", "cfg", "bin", "exe", "dmg", "bak", "old", "orig",
                                         "gguf", "whl", "jar", "war", "pem", "key", "crt", "pub", "tsv", "parquet",
                                         "out", "err", "pid", "sock", "service", "timer", "rules", "d", "ipynb",
                                         "jsonl", "mkv", "avi", "mov", "wav", "flac", "ogg", "webp", "bmp", "tiff",
                                         "docx", "xlsx", "pptx", "odt", "epub", "aac"}
_ARCHIVE = re.compile(r"\.(tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst|tar|zip|7z|rar|gz|bz2|xz|zst)$", re.I)
_SERVICES = {"nginx", "apache2", "httpd", "sshd", "ssh", "docker", "postgresql", "postgres", "mysql", "mariadb",
             "redis", "redis-server", "cron", "crond", "bluetooth", "networkmanager", "NetworkManager", "ufw",
             "firewalld", "containerd", "kubelet", "cups", "mongod", "memcached", "rabbitmq-server", "caddy",
             "haproxy", "grafana-server", "prometheus", "jenkins", "php-fpm", "systemd-resolved", "avahi-daemon"}
_STOP_AFTER_NAMED = {"in", "from", "to", "on", "at", "and", "with", "that", "which", "the", "here", "under", "inside"}


_SED_CHARS = {"comma": ",", "commas": ",", "tab": "\\t", "tabs": "\\t", "space": " ", "spaces": " ",
              "semicolon": ";", "semicolons": ";", "colon": ":", "colons": ":", "newline": "\\n", "newlines": "\\n",
              "dash": "-", "dashes": "-", "hyphen": "-", "hyphens": "-", "underscore": "_", "underscores": "_",
              "dot": ".", "dots": "."}


def _ordinal(word: str) -> str:
    """"third" → "3", "2nd" → "2"."""
    return ORDINALS.get(word) or re.sub(r"\D", "", word)


@dataclass
class Slots:
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, value: str) -> None:
        lst = self.values.setdefault(kind, [])
        if value not in lst:
            lst.append(value)

    def first(self, kind: str) -> str | None:
        v = self.values.get(kind)
        return v[0] if v else None

    def get(self, kind: str, index: int = 0) -> str | None:
        v = self.values.get(kind)
        return v[index] if v and index < len(v) else None


def _is_filelike(tok: str) -> bool:
    if "/" in tok or tok.startswith("~"):
        return True
    m = re.fullmatch(r"[\w.@+-]*\w\.([A-Za-z0-9]{1,8})", tok)
    return bool(m and m.group(1).lower() in KNOWN_EXT) or bool(_ARCHIVE.search(tok))


def _is_filelike_in(text: str) -> bool:
    return any(_is_filelike(w.strip(".,;")) for w in text.split())


def extract(request: str) -> Slots:
    s = Slots()
    text = request.strip()
    low = text.lower()
    for m in re.finditer(r"https?://\S+|ftp://\S+", text):
        s.add("url", m.group(0).rstrip(".,)"))
    for m in re.finditer(r"(['\"`])(.+?)\1", text):
        s.add("pattern", m.group(2))
        s.add("quoted", m.group(2))
    for m in re.finditer(r"\b(\d+(?:\.\d+)?)\s*(kb|kib|mb|mib|gb|gib|tb|megabytes?|gigabytes?|kilobytes?|bytes?|megs?|gigs?|[kmgt]b?|b)\b", low):
        num, unit = m.group(1), m.group(2)
        if unit in SIZE_UNITS and not (unit == "m" and re.match(r"\s*(in|min)", low[m.end():])):
            if "." in num:
                num, unit = str(int(float(num) * 1024)), {"G": "M", "M": "k", "T": "G"}.get(SIZE_UNITS[unit], SIZE_UNITS[unit])
                s.add("size", f"{num}{unit}")
            else:
                s.add("size", f"{num}{SIZE_UNITS[unit]}")
    for m in re.finditer(r"\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s*(days?|weeks?|months?|hours?|minutes?|mins?)\b", low):
        n = NUMBER_WORDS.get(m.group(1), m.group(1))
        unit = m.group(2)
        if unit.startswith("week"):
            s.add("days", str(int(n) * 7))
        elif unit.startswith("month"):
            s.add("days", str(int(n) * 30))
        elif unit.startswith("hour"):
            s.add("minutes", str(int(n) * 60))
            s.add("hours", n)
        elif unit.startswith("min"):
            s.add("minutes", n)
        else:
            s.add("days", n)
    if re.search(r"\b(yesterday|last day|past day)\b", low):
        s.add("days", "1")
    if re.search(r"\b(last|past) week\b", low):
        s.add("days", "7")
    for m in re.finditer(r"\bport\s+(\d{1,5})\b|(?<![\w.])[:](\d{2,5})\b", low):
        s.add("port", m.group(1) or m.group(2))
    for m in re.finditer(r"\b(?:pid|process(?: id)?)\s+(\d+)\b", low):
        s.add("pid", m.group(1))
    for m in re.finditer(r"\b([\w.-]+)@([\w.-]+\.\w+|\w+)\b", text):
        s.add("user", m.group(1))
        s.add("host", m.group(2))
    for m in re.finditer(r"\b(?:\d{1,3}\.){3}\d{1,3}\b", text):
        s.add("host", m.group(0))
    for m in re.finditer(r"\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|local|lan|internal|co|uk|de|fr|app|ai|edu|gov)\b", low):
        if not any(m.group(0) in u for u in s.values.get("url", [])):
            s.add("host", m.group(0))
    for m in re.finditer(r"\b(?:host|server|machine|ssh (?:in)?to)\s+(['\"`]?)([\w.$-]+)\1", low):
        if m.group(2) not in _STOP_AFTER_NAMED | {"name", "key", "keys"}:
            s.add("host", m.group(2))
    for m in re.finditer(r"\b(eth\d+|en[ospx]\w*\d\w*|wlan\d+|wlp\w+|docker0|virbr\d+|tun\d+|wg\d+)\b", low):
        s.add("name", m.group(1))
    for m in re.finditer(r"\b(?:interface|device|nic)\s+(['\"`]?)([a-z][\w.-]*\d[\w.-]*|lo|wlan\w*|eth\w*|en\w+)\1", low):
        s.add("name", m.group(2).rstrip("."))
    for m in re.finditer(r"\b(?:user|owner)\s+(?:to\s+)?(['\"`]?)([a-z_$][\w${}-]*)\1", text, re.I):
        if m.group(2).lower() not in _STOP_AFTER_NAMED | {"is", "with", "name", "names", "and", "of", "for", "id", "account", "accounts"}:
            s.add("user", m.group(2))
    # "change the owner of /srv/app to www-data": the new owner comes after "to"
    for m in re.finditer(r"\b(group\s+)?owner(?:ship)?\s+of\s+\S+\s+to\s+(['\"`]?)([a-z_$][\w${}.-]*)\2", text, re.I):
        if "/" not in m.group(3) and m.group(3).lower() not in _STOP_AFTER_NAMED | {"be", "user", "group"}:
            s.add("name" if m.group(1) else "user", m.group(3))
    for m in re.finditer(r"\bto\s+(?:the\s+)?([a-z_][\w-]*)\s+group\b", text, re.I):
        if m.group(1).lower() not in _STOP_AFTER_NAMED | {"same", "new", "other", "a"}:
            s.add("name", m.group(1))
    for m in re.finditer(r"\blogin(?: name)?\s+(?:of\s+)?(['\"`]?)([a-z_][\w-]*)\1", text, re.I):
        if m.group(2).lower() not in _STOP_AFTER_NAMED | {"shell", "screen", "name", "of", "as", "for", "a"}:
            s.add("user", m.group(2))
    for m in re.finditer(r"\bowned by\s+(?:the\s+)?(?:user\s+)?(['\"`]?)([a-z_][\w-]*)\1", text, re.I):
        if m.group(2).lower() not in _STOP_AFTER_NAMED | {"me", "nobody", "user", "a", "group"}:
            s.add("user", m.group(2))
    for m in re.finditer(r"\b(?:all|every|each)\s+(?:the\s+)?([\w.-]+)\s+process(?:es)?\b", low):
        if m.group(1) not in _STOP_AFTER_NAMED | {"running", "stopped", "zombie", "background", "user", "other", "child"}:
            s.add("name", m.group(1))
    for m in re.finditer(r"\bcommit\s+([0-9a-f]{6,40})\b", low):
        s.add("name", m.group(1))
    for m in re.finditer(r"\bgroup\s+(?:to\s+|named\s+|called\s+)(['\"`]?)([a-z_$][\w${}-]*)\1|\bgroup\s+(['\"`])([a-z_$][\w${}-]*)\3", text, re.I):
        value = m.group(2) or m.group(4)
        if value.lower() not in _STOP_AFTER_NAMED | {"is", "with", "name", "names", "and", "ownership"}:
            s.add("name", value)
    for m in re.finditer(r"\bbranch\s+(?:called\s+|named\s+)?([\w./-]+)", text):
        if m.group(1).lower() not in _STOP_AFTER_NAMED:
            s.add("branch", m.group(1))
    for m in re.finditer(r"\b(?:container|pod)\s+(?:called\s+|named\s+)?([\w.-]+)", text):
        if m.group(1).lower() not in _STOP_AFTER_NAMED:
            s.add("container", m.group(1))
            s.add("name", m.group(1))
    for m in re.finditer(r"\bimage\s+(?:(?:tagged|named|called)\s+)?([\w./:-]+)", text):
        if m.group(1).lower() not in _STOP_AFTER_NAMED and not _is_filelike(m.group(1)):
            s.add("image", m.group(1))
    for m in re.finditer(r"\b(?:message|msg)\s+(['\"]?)(.+?)\1$", text):
        s.add("message", m.group(2))
    for m in re.finditer(r"\b(?:named|called|name)\s+(['\"]?)([^\s'\"]+)\1", text):
        if m.group(2).lower() not in _STOP_AFTER_NAMED | {"of", "for", "is", "was", "a"}:
            s.add("name", m.group(2))
    for m in re.finditer(r"\b(?:containing|contain|contains|matching|matches of|match of|match|with the word|for the word|of the word|for the string|mentioning|grep for|search(?: recursively)? for|look for|search)\s+(['\"]?)([^\s'\"]+)\1", text, re.I):
        word = m.group(2)
        if word.lower() not in _STOP_AFTER_NAMED | {"files", "file", "lines", "all", "a", "text", "string", "word", "pattern",
                                                    "of", "recursively", "every", "any"} \
                and not (not m.group(1) and _is_filelike(word)):      # "search notes.txt for beta": the file is not the pattern
            s.add("pattern", word)
    if "pattern" not in s.values and re.search(r"\b(search|grep|look|find)\b", low) and _is_filelike_in(text):
        m = re.search(r"\bfor\s+(['\"]?)([^\s'\"]+)\1", text)
        if m and m.group(2).lower() not in _STOP_AFTER_NAMED | {"all", "a", "every", "any", "files", "lines"}:
            s.add("pattern", m.group(2))
    for m in re.finditer(r"\b(?:with|by|to)\s+(['\"]?)([^\s'\"]+)\1\s*$", text):
        if m.group(1) or not _is_filelike(m.group(2)):      # "append a line to todo.txt": a file, not the text
            s.add("text", m.group(2))
    for m in re.finditer(r"\breplace\s+(?:all\s+|every\s+|the\s+)?(['\"]?)(\S+?)\1\s+with\s+(?:an?\s+|the\s+)?(['\"]?)(\S+?)\3(\s|$)", text, re.I):
        # "replace commas with tabs": characters named in words become the characters
        old, new = (v if q else _SED_CHARS.get(v.lower(), v) for q, v in ((m.group(1), m.group(2)), (m.group(3), m.group(4))))
        s.values.setdefault("pattern", []).insert(0, old)
        s.values.setdefault("text", []).insert(0, new)
    m = re.search(r"\b(?:convert|change|turn)\s+(?:all\s+|every\s+|the\s+)?(\w+)\s+(?:in)?to\s+(?:an?\s+)?(\w+)\b", low)
    if m and m.group(1) in _SED_CHARS and m.group(2) in _SED_CHARS:
        s.values.setdefault("pattern", []).insert(0, _SED_CHARS[m.group(1)])
        s.values.setdefault("text", []).insert(0, _SED_CHARS[m.group(2)])
    for m in re.finditer(r"\b(?:mode|permissions?)\s+([0-7]{3,4})\b|\b([0-7]{3,4})\s+permissions?\b", low):
        s.add("mode", m.group(1) or m.group(2))
    for m in re.finditer(r"\b(?:install|uninstall|remove package|package|apt install|brew install|pip install|crate)\s+([a-z0-9][\w.+-]*)", low):
        if m.group(1) not in _STOP_AFTER_NAMED | {"package", "packages", "the", "a", "python", "npm", "version", "versions",
                                                  "related", "manager", "list", "cache"}:
            s.add("package", m.group(1))
    for w in re.findall(r"[\w.-]+", text):
        if w in _SERVICES or w.lower() in _SERVICES:
            s.add("service", w)
    m = re.search(r"\b(?:service|daemon|unit)\s+([\w@.-]+)|\b([\w@.-]+)\s+(?:service|daemon)\b", text)
    if m and (m.group(1) or m.group(2)).lower() not in _STOP_AFTER_NAMED | {"the", "a", "this", "each", "every", "running", "failed"}:
        s.add("service", m.group(1) or m.group(2))
    # extensions: "*.log", ".py files", "python files", "log files"
    for m in re.finditer(r"\*\.(\w+)|(?<![\w/])\.(\w{1,8})\s+files?\b", low):
        s.add("ext", m.group(1) or m.group(2))
    for m in re.finditer(r"\b([\w+]+)\s+(?:source\s+)?(?:files?|scripts?|sources?|images?|logs?|videos?|documents?)\b", low):
        if m.group(1) in LANG_EXT:
            s.add("ext", LANG_EXT[m.group(1)])
    # paths and files, in order
    for tok in re.findall(r"(?<![\w@:])(?:~|\.{1,2})?/[^\s'\",;]*|(?<![\w@:/.-])[A-Za-z_][\w.-]*/[\w./-]*|(?<![\w/@:-])[\w.+-]*\w\.[A-Za-z0-9]{1,8}(?:\.(?:gz|bz2|xz|zst))?(?![\w/])", text):
        tok = tok.rstrip(".,")
        if not tok or tok in s.values.get("url", []) or any(tok in u for u in s.values.get("url", [])):
            continue
        if tok in s.values.get("host", []):
            continue
        if re.fullmatch(r"[\d.]+", tok):
            continue
        if _ARCHIVE.search(tok) and "/" not in tok.rstrip("/"):
            s.add("archive", tok)
        if _is_filelike(tok):
            kind = "file" if re.search(r"\.\w{1,8}$", tok) and not tok.endswith("/") else "dir"
            s.add(kind, tok)
            s.add("path", tok)
            s.add("any", tok)
    # a quoted word that is nothing else may still name a file ("make 'deploy' executable")
    for m in re.finditer(r"(['\"`])([^\s'\"`*?]+)\1", text):
        v = m.group(2)
        if v not in s.values.get("any", []) and not re.fullmatch(r"[\d.]+", v):
            s.add("word", v)
    for m in re.finditer(r"\b(?:where is|where's|location of|path (?:to|of)|which)\s+(?:the\s+)?(?!the\b)([\w.+-]+)\s+(?:executable|binary|program|command|installed)\b"
                         r"|\b(?:the\s+)?(?:command|program|binary|executable)\s+(['\"`]?)(?!to\b|the\b|a\b|that\b|line\b|in\b|on\b|and\b|with\b|for\b|is\b|output\b|history\b|named\b|called\b|\w+(?:ed|ing)\b)([\w.+-]+)\2(?=\s|$)", low):
        s.add("name", m.group(1) or m.group(3))
    for m in re.finditer(r"\bvariables?\s+['\"`]?\$?([A-Za-z_]\w*)|\$?\b([A-Z_][A-Z0-9_]*)\s+(?:environment\s+)?variable\b"
                         r"|\bfunction\s+([A-Za-z_][\w-]*)", text):
        v = m.group(1) or m.group(2) or m.group(3)
        if v.lower() not in _STOP_AFTER_NAMED | {"a", "is", "named", "called"}:
            s.add("name", v)
    for m in re.finditer(r"\b(?:directory|folder|dir)\s+(?:called\s+|named\s+)?([\w.~/-]+)", text):
        d = m.group(1)
        if d.lower() not in _STOP_AFTER_NAMED | {"tree", "structure", "size", "sizes", "for", "is", "of"}:
            s.add("dir", d)
            s.add("path", d)
            s.add("any", d)
    for m in re.finditer(r"\b(?:the|my|this)\s+([\w.-]+)\s+(?:folder|directory|dir)\b", text):
        if m.group(1).lower() not in ("current", "home", "this", "same", "whole", "entire", "parent", "working", "previous",
                                      "last", "other", "new", "target", "given", "specified", "root", "temporary"):
            s.add("dir", m.group(1))
            s.add("path", m.group(1))
    for m in re.finditer(r"\b(?:in|under|inside|from)\s+(?:the\s+)?(?:current\s+(?:directory|folder|dir)|here|this\s+(?:directory|folder|dir))\b|\bhere\b", low):
        s.add("path", ".")
    if re.search(r"\b(?:in|under|of)\s+(?:my\s+)?home(?:\s+(?:directory|folder|dir))?\b", low):
        s.values.setdefault("path", []).insert(0, "~")
        s.add("dir", "~")
    for m in re.finditer(r"\b(?:top|first|last|biggest|largest|smallest|newest|oldest|latest|recent)\s+(\d+|" + "|".join(NUMBER_WORDS) + r")\b|\b(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?:biggest|largest|smallest|newest|oldest|most|latest|lines?|commits?|files?|entries|results|processes|seconds?|times|directories|items|jobs|threads|cores)\b", low):
        n = m.group(1) or m.group(2)
        s.add("count", NUMBER_WORDS.get(n, n))
    for m in re.finditer(r"\bline\s+(\d+)\b|\btimestamp\s+(\d+)\b", low):
        s.add("count", m.group(1) or m.group(2))
    for m in re.finditer(r"\b(" + "|".join(ORDINALS) + r"|\d+(?:st|nd|rd|th))\s+line\b", low):
        s.add("count", _ordinal(m.group(1)))
    # "the name key from config.json": a key of a structured file
    if re.search(r"\b(json|yaml|yml|toml|config)\b", low):
        for m in re.finditer(r"\b(?:the\s+)?(['\"`]?)([\w.-]+)\1\s+(?:key|field|property)\b", text):
            if m.group(2).lower() not in _STOP_AFTER_NAMED | {"a", "each", "every", "json", "yaml", "api"}:
                names = s.values.setdefault("name", [])
                if m.group(2) in names:
                    names.remove(m.group(2))
                names.insert(0, m.group(2))      # before "name key" read as named "key"
    # column/field numbers: "the third column", "2nd field", "column 4"
    for m in re.finditer(r"\b(" + "|".join(ORDINALS) + r"|\d+(?:st|nd|rd|th))\s+(?:[a-z-]+\s+){0,2}?(?:columns?|fields?|cols?|words?)\b"
                         r"|\b(?:column|field|col)\s+(?:number\s+)?(\d+)\b", low):
        s.add("col", m.group(2) or _ordinal(m.group(1)))
    # the extension files should get: "rename all .jpeg files to .jpg"
    m = re.search(r"\b(?:renam\w*|chang\w*|convert\w*)\b.*?\bto\s+(?:\*?\.)([a-z0-9]{1,8})\b", low)
    if m:
        s.add("newext", m.group(1))
    # a number range ("the numbers from 1 to 10", "between 1 and 100") or a line range
    # ("lines 20 to 30", "from line 5 to line 9", "lines 3-7")
    for pattern in (r"\b(?:from|between)\s+(-?\d+)\s+(?:to|and|through|until)\s+(-?\d+)\b",
                    r"\blines?\s+(\d+)\s*(?:to|-|through|thru|and|until)\s*(?:line\s+)?(\d+)\b"):
        m = re.search(pattern, low)
        if m:
            s.add("lstart", m.group(1))
            s.add("lend", m.group(2))
    # src/dst pairs: the first two path-like things, "from A to B" order
    anys = s.values.get("any", []) or s.values.get("word", [])
    anys = sorted(anys, key=lambda v: text.find(v) if v in text else len(text))   # in the order they were written
    if len(anys) >= 2:
        s.add("src", anys[0])
        s.add("dst", anys[1])
    elif len(anys) == 1:
        m = re.search(r"\bto\s+([\w.~/-]+)\s*$", text)
        if m and m.group(1) != anys[0]:
            s.add("src", anys[0])
            s.add("dst", m.group(1))
    return s


_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the of in on at to for from with and or me my i please all this that these those is are "
                  "be it its can you how do what which whose into by as here there current am was were does did".split())


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]


def slot_token(kind: str) -> str:
    """The retrieval word for a slot: "dirslot", never the English "dir" or "path" an entry may use."""
    return kind + "slot"


def normalise(request: str, slots: Slots) -> str:
    """Replace extracted values by their type name, so retrieval matches on shape."""
    out = request
    for kind in ("url", "archive", "size", "file", "dir", "host", "port", "pid"):
        for v in sorted(slots.values.get(kind, []), key=len, reverse=True):   # backup/notes.txt before notes.txt
            out = out.replace(v, f" {slot_token(kind)} ")
    # a quoted value is data, not words of the request ("pretty-print" is no hint of jq)
    out = re.sub(r"(['\"`])[^'\"`]+\1", " quoted ", out)
    return out


_PLAIN = r"[\w@%+=:,./~-]"


def shell_value(value: str, keep_globs: bool = False) -> str:
    """A request's value as one shell word. A variable the user named ("$file", "${DIR}/x") is
    double-quoted so it still expands; globs stay bare only when the shell should expand them."""
    if re.fullmatch(r"[\w@%+=:,./~*?\[\]-]+" if keep_globs else _PLAIN + "+", value):
        return value
    if re.fullmatch(_PLAIN + r"*\$\{?\w+\}?" + _PLAIN + "*", value):
        return '"' + value + '"'
    return "'" + value.replace("'", "'\\''") + "'"
