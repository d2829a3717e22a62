"""Say once before the first request leaves the machine; strip secrets from what leaves."""
from __future__ import annotations

import re
import sys
from urllib.parse import urlparse

from . import paths

_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0")
_SECRETS = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S), "[PRIVATE KEY]"),
    (re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})\b"), "[TOKEN]"),
    (re.compile(r"(?i)\b(password|passwd|pwd|token|secret|api[_-]?key)(\s*[=:]\s*|\s+is\s+|\s+)(\S+)"), r"\1\2[REDACTED]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._-]{8,}"), r"\1[REDACTED]"),
    (re.compile(r"(://[^/\s:@]+:)[^@\s]+@"), r"\1[REDACTED]@"),
]


def redact(text: str) -> str:
    for pat, repl in _SECRETS:
        text = pat.sub(repl, text)
    return text


def is_remote(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return bool(host) and host not in _LOOPBACK and not host.startswith("127.")


def remote_notice(backend) -> None:
    url = getattr(getattr(backend, "primary", backend), "url", "") or ""
    if not url or not is_remote(url):
        return
    host = urlparse(url).hostname
    mark = paths.home() / "acknowledged-hosts"
    try:
        seen = set(mark.read_text().split()) if mark.exists() else set()
    except OSError:
        seen = set()
    if host in seen:
        return
    print(f"caro: requests will be sent to {host} (not this machine); secrets in them are redacted first. "
          f"This notice is shown once.", file=sys.stderr)
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        with open(mark, "a") as f:
            f.write(host + "\n")
    except OSError:
        pass
