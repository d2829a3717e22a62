"""The helper's wire format, designed so a shell never parses JSON.

Request: "caro1" NUL, then "key=value" NUL fields, then an empty field (NUL NUL ends it).
Reply:   KIND NUL FIELD NUL …, closed by the helper; the shell splits on NUL.
  insert CMD NOTE | confirm CMD REASON | block REASON | error MESSAGE | stale VERSION | pong VERSION
  | json OBJECT (the CLI asks with format=json for the whole suggestion, every option with its
  verdict, and sends safety=MODE to have them judged under its own safety mode)
Unknown request keys are ignored, so older shells keep working with newer helpers.
"""

from __future__ import annotations

from ..visible import hidden, shown

MAGIC = "caro1"
# The wire format's own number, sent as `p=` beside the package version `v=`. It changes only when a
# shell built for the old format could not read the new replies (as atuin's DAEMON_PROTOCOL_VERSION):
# a newer client protocol replaces the helper, an older one is served and told to open a new shell.
# A request without `p=` speaks protocol 1. The shell snippets carry the same number as their
# default (tests/test_protocol_agreement.py ties them).
PROTOCOL = 1
MAX_REQUEST_BYTES = 64 * 1024
# The longest line a widget sends, checked before any work per character (a million-character line
# froze bash for 75 s): rendered into the snippets as __caro_max_line. A request proper is at most
# suggestion.MAX_REQUEST characters; this leaves room for the command lines that are explained.
MAX_LINE_CHARS = 32000
KINDS = ("insert", "confirm", "block", "error", "stale", "pong", "explain", "json")


class ProtocolError(ValueError):
    pass


def _clean(value: str) -> str:
    return value.replace("\x00", " ")


def encode_request(fields: dict[str, str]) -> bytes:
    parts = [MAGIC] + [f"{k}={_clean(str(v))}" for k, v in fields.items()]
    return ("\x00".join(parts) + "\x00\x00").encode("utf-8", "surrogateescape")


def complete(data: bytes) -> bool:
    return data.endswith(b"\x00\x00") or len(data) >= MAX_REQUEST_BYTES


def decode_request(data: bytes) -> dict[str, str]:
    if len(data) > MAX_REQUEST_BYTES:
        raise ProtocolError(f"request larger than {MAX_REQUEST_BYTES} bytes")
    text = data.decode("utf-8", "replace")
    fields = text.split("\x00")
    if not fields or fields[0] != MAGIC:
        raise ProtocolError("not a caro request (bad magic)")
    out: dict[str, str] = {}
    for f in fields[1:]:
        if f == "":
            break
        k, sep, v = f.partition("=")
        if sep:
            if k in out:
                # a NUL inside a value (zsh lines can hold one) would otherwise start a new field
                # that overrides the real one (`text=ls<NUL>op=shutdown`)
                raise ProtocolError(f"field {k!r} given twice (a NUL inside a value?)")
            out[k] = v
    return out


def encode_reply(kind: str, *fields: str) -> bytes:
    """A reply; whatever reaches a terminal is made safe to show here, the last step before the wire:
    messages are escaped and shortened, and a command that hides characters is never sent."""
    if kind not in KINDS:
        raise ProtocolError(f"unknown reply kind {kind}")
    if kind in ("insert", "confirm") and fields and hidden(fields[0]):
        kind, fields = (
            "block",
            (f"the suggestion contains terminal control characters ({', '.join(hidden(fields[0])[:4])})",),
        )
    if kind in ("insert", "confirm"):
        fields = (fields[0], *(shown(f) for f in fields[1:]))
    elif kind in ("block", "error", "explain"):
        fields = tuple(shown(f) for f in fields)
    return ("\x00".join([kind, *(_clean(f) for f in fields)]) + "\x00").encode("utf-8", "surrogateescape")


def decode_reply(data: bytes) -> list[str]:
    parts = data.decode("utf-8", "replace").split("\x00")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or parts[0] not in KINDS:
        raise ProtocolError("malformed reply")
    return parts


def _version_key(v: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in v.replace("-", ".").split("."))


def newer(a: str, b: str) -> bool:
    """Is version a later than version b? Unparseable parts sort first, so junk never wins."""
    return _version_key(a) > _version_key(b)
