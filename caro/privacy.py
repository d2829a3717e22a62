"""What leaves the machine: secrets are replaced before a request goes to a remote host, and
the user is told once per host that requests go there.

`Redaction` replaces each secret with a numbered placeholder (REDACTED_1, …) in everything a
remote backend is sent — the request, the context in the system prompt, few-shot examples — and
puts the originals back into the command that comes back, so `mysql -u app -pREDACTED_1` is
shown as the user typed it and the secret itself never left. Loopback servers get the text as is.

The table below is data: each form names the part of the match that is secret (group "s"),
so the rest (`PGPASSWORD=`, `-p`, `https://bob:`) still tells the model what the request is.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from urllib.parse import urlparse

from . import paths

_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0")
PLACEHOLDER = "REDACTED_{}"

_NAME_HINT = r"[A-Za-z0-9_]*(?:PASS|PWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH)[A-Za-z0-9_]*"
_VALUE = r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|)]+)"

FORMS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(rx, flags))
    for name, rx, flags in [
        # key material first: whole blocks
        (
            "pem-block",
            (
                r"(?P<s>-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY|PGP PRIVATE KEY BLOCK|OPENSSH PRIVATE KEY)-----"
                r".*?(?:-----END [A-Z0-9 ]*-----|$))"
            ),
            re.DOTALL,
        ),
        # credentials inside URLs: user:password@host, webhook paths, token-bearing query strings
        ("url-userinfo", r"(?i)\b[a-z][a-z0-9+.-]*://[^\s/:@]*:(?P<s>[^\s@/]+)@", 0),
        ("slack-webhook", r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9/_-]+)", 0),
        ("discord-webhook", r"(?i)discord(?:app)?\.com/api/webhooks/(?P<s>[0-9]+/[A-Za-z0-9_-]+)", 0),
        ("teams-webhook", r"(?i)\.webhook\.office\.com/(?P<s>\S+)", 0),
        ("generic-webhook", r"(?i)/(?:webhooks?|hooks)/(?P<s>[A-Za-z0-9_-]{16,}(?:/[A-Za-z0-9_-]+)*)", 0),
        (
            "url-query-secret",
            r"(?i)[?&](?:access_token|token|api_key|apikey|key|secret|sig|signature|password|auth)=(?P<s>[^&\s'\"]+)",
            0,
        ),
        # HTTP headers
        (
            "authorization-header",
            r"(?i)\b(?:proxy-)?authorization:\s*(?:basic|bearer|token|digest|negotiate)?\s*(?P<s>[^\s'\"]+)",
            0,
        ),
        ("api-key-header", r"(?i)\bx-(?:api-key|auth-token|access-token|goog-api-key)\s*:\s*(?P<s>[^\s'\"]+)", 0),
        ("cookie-header", r"(?i)\bcookie:\s*(?P<s>[^'\"\n]+)", 0),
        ("bearer-word", r"(?i)\bbearer\s+(?P<s>[A-Za-z0-9._~+/=-]{8,})", 0),
        # environment assignments whose names say secret (sh, env, export, fish's set -x)
        ("env-assignment", rf"\b{_NAME_HINT}=(?P<s>{_VALUE})", re.IGNORECASE),
        ("fish-set", rf"\bset\s+(?:-[a-zA-Z]+\s+)*{_NAME_HINT}\s+(?P<s>{_VALUE})", re.IGNORECASE),
        # options of common clients
        (
            "password-option",
            (
                r"(?i)(?:^|\s)--?(?:password|passwd|pass|pwd|http-password|ftp-password|db-password|client-secret|"
                r"secret|token|auth-token|api-key|apikey|access-key|secret-key|private-key-password)"
                rf"(?:=|\s+)(?P<s>{_VALUE})"
            ),
            0,
        ),
        (
            "mysql-p",
            r"\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb|mariadb-dump)\b[^\n|;&]*?\s-p(?P<s>[^\s;&|]+)",
            0,
        ),
        (
            "docker-login-p",
            r"\b(?:docker|podman|buildah|skopeo|helm)\s+(?:registry\s+)?login\b[^\n|;&]*?\s-p\s*(?P<s>[^\s;&|]+)",
            0,
        ),
        ("sshpass", r"\bsshpass\s+-p\s*(?P<s>[^\s;&|]+)", 0),
        ("redis-cli-a", r"\bredis-cli\b[^\n|;&]*?\s-a\s+(?P<s>[^\s;&|]+)", 0),
        ("user-colon-password", r"(?:\s-u|--user|--proxy-user)[ =]+['\"]?[^\s:'\"]+:(?P<s>[^\s'\"]+)", 0),
        ("smb-user-percent", r"\s-U\s+['\"]?[^\s%'\"]+%(?P<s>[^\s'\"]+)", 0),
        ("openssl-pass", r"-pass(?:in|out)?\s+(?:pass|env):(?P<s>\S+)", 0),
        ("conninfo-password", r"(?i)\bpassword\s*=\s*(?P<s>'[^']*'|[^\s'\";]+)", 0),
        ("azure-account-key", r"(?i)\b(?:AccountKey|SharedAccessSignature|SharedAccessKey)=(?P<s>[^;\s'\"]+)", 0),
        # tokens recognisable by their shape
        ("aws-key-id", r"\b(?P<s>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16})\b", 0),
        ("github-token", r"\b(?P<s>(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}))\b", 0),
        ("gitlab-token", r"\b(?P<s>glpat-[A-Za-z0-9_-]{20,})", 0),
        ("slack-token", r"\b(?P<s>xox[abposr]-[A-Za-z0-9-]{10,})", 0),
        ("openai-anthropic-key", r"\b(?P<s>sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,})", 0),
        ("stripe-key", r"\b(?P<s>(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,})\b", 0),
        ("google-api-key", r"\b(?P<s>AIza[0-9A-Za-z_-]{30,})", 0),
        ("google-oauth", r"\b(?P<s>ya29\.[0-9A-Za-z_-]{20,})", 0),
        ("huggingface-token", r"\b(?P<s>hf_[A-Za-z0-9]{30,})\b", 0),
        ("npm-pypi-token", r"\b(?P<s>(?:npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{40,}))", 0),
        ("sendgrid-key", r"\b(?P<s>SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})", 0),
        ("digitalocean-token", r"\b(?P<s>do[opr]_v1_[a-f0-9]{40,})", 0),
        ("jwt", r"\b(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})", 0),
        # prose: "my password is hunter2", "with token abc123"
        (
            "prose-secret",
            r"(?i)\b(?:password|passwd|passphrase|pwd|pin|token|secret|api[ _-]?key)\s*(?:[=:]|\bis\b)\s*(?P<s>[^\s,;]+)",
            0,
        ),
        (
            "prose-with-secret",
            r"(?i)\b(?:with|using|use)\s+(?:the\s+)?(?:password|passphrase|token|secret|api[ _-]?key)\s+(?P<s>[^\s,;]+)",
            0,
        ),
    ]
]

_WORDISH = re.compile(r"[A-Za-z0-9+/=_-]{24,}")


def _entropy(word: str) -> float:
    n = len(word)
    return -sum(c / n * math.log2(c / n) for c in Counter(word).values())


def _high_entropy(word: str) -> bool:
    """A long random-looking token (base64, generated keys): three character classes, ≥ 4 bits a char.
    Hex digests (two classes) and long words in camel case (low entropy) stay."""
    if "REDACTED_" in word or any(re.fullmatch(r"[a-z]{3,}", part) for part in word.split("/")):
        return False  # holds a placeholder already, or is a path of plain words
    classes = sum(bool(re.search(rx, word)) for rx in ("[a-z]", "[A-Z]", "[0-9]"))
    return classes == 3 and _entropy(word) >= 4.0


class Redaction:
    """One request's secrets: replaced on the way out, restored in what comes back."""

    def __init__(self):
        self.secrets: list[str] = []

    def _placeholder(self, secret: str) -> str:
        if secret not in self.secrets:
            self.secrets.append(secret)
        return PLACEHOLDER.format(self.secrets.index(secret) + 1)

    def text(self, text: str) -> str:
        for _, rx in FORMS:
            text = rx.sub(lambda m: self._swap(m), text)
        return _WORDISH.sub(lambda m: self._placeholder(m.group()) if _high_entropy(m.group()) else m.group(), text)

    def _swap(self, m: re.Match) -> str:
        secret = m.group("s")
        if not secret or secret.startswith("REDACTED_"):
            return m.group()
        start, end = m.span("s")
        whole = m.group()
        return whole[: start - m.start()] + self._placeholder(secret) + whole[end - m.start() :]

    def restore(self, text: str) -> str:
        # highest number first, so REDACTED_1 does not eat the front of REDACTED_12
        for i in range(len(self.secrets), 0, -1):
            text = text.replace(PLACEHOLDER.format(i), self.secrets[i - 1])
        return text


def redact(text: str) -> str:
    """The text with every secret form replaced (for messages and logs; nothing to restore)."""
    return Redaction().text(text)


def mask_url(url: str) -> str:
    """A URL fit to print: the password in user:password@ replaced by ***."""
    return re.sub(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s@/]+@", r"\1***@", url)


def is_remote(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return bool(host) and host not in _LOOPBACK and not host.startswith("127.")


def remote_notice(backend) -> str | None:
    """Once per host (remembered in CARO_HOME): the sentence telling the user requests go there."""
    url = getattr(backend, "url", "") or ""
    if not url or not is_remote(url):
        return None
    host = urlparse(url).hostname or ""
    mark = paths.home() / "acknowledged-hosts"
    try:
        seen = set(mark.read_text().split()) if mark.exists() else set()
    except OSError:
        seen = set()
    if host in seen:
        return None
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as f:
            f.write(host + "\n")
    except OSError:
        pass
    return (
        f"requests go to {host} (not this machine); secrets in them are replaced before they leave. "
        "This notice is shown once"
    )
