"""Classify a path argument as a whole token: is it the root, the home, a system directory?"""

from __future__ import annotations

import re

ROOT, HOME, SYSTEM, SYSTEM_DEEP, CWD_ALL, UNKNOWN_VAR, DEVICE, OTHER = (
    "root",
    "home",
    "system",
    "system-deep",
    "cwd-all",
    "unknown-var",
    "device",
    "other",
)

SYSTEM_DIRS = frozenset(
    """
/bin /boot /dev /etc /lib /lib32 /lib64 /libx32 /opt /proc /root /sbin /srv /sys /usr /var
/home /Users /System /Library /Applications /private /snap /mnt /media /Volumes /cores
/usr/bin /usr/sbin /usr/lib /usr/lib64 /usr/local /usr/share /usr/include /usr/libexec
/var/lib /var/log /var/db /var/spool /var/mail /var/cache /var/backups /etc/ssh
/private/etc /private/var /System/Library /usr/local/bin /usr/local/lib
""".split()
)

# Anything below these belongs to the operating system.
DEEP_ROOTS = tuple(
    d + "/"
    for d in (
        "/bin",
        "/boot",
        "/etc",
        "/lib",
        "/lib32",
        "/lib64",
        "/sbin",
        "/usr",
        "/var/lib",
        "/var/db",
        "/var/log",
        "/System",
        "/proc",
        "/sys",
        "/private/etc",
        "/dev",
        "/Library",
    )
)

# Inside these a deletion is routine housekeeping, not system damage.
SCRATCH_PREFIXES = ("/tmp/", "/var/tmp/", "/private/tmp/", "/dev/shm/", "/var/folders/")

_HOME_RE = re.compile(r"^(~[A-Za-z0-9_.-]*|\$HOME|\$\{HOME\}|\$\{HOME:?[-=?][^}]*\}|\$USERPROFILE)(?=/|$)")
_VAR_RE = re.compile(r"^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
# path components made only of wildcards (`[a-z]*`, `**`, `?*`, `**/*`), with a zsh qualifier after
# them or not: under / or ~ they match nearly everything there (`*.txt` has a literal part, and is not this)
_ONE_GLOB = re.compile(r"(?:/(?:\[[^\]/]*\]|[*?])+)+(?:\([^)/]*\))?")  # `/**/*` too, and zsh's `(D)`
_DISK_RE = re.compile(
    r"^/dev/(r?disk\d+|sd[a-z]+|hd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+|md\d+|dm-\d+|mapper/.+|nbd\d+|loop\d+"
    r"|disk/by-[a-z-]+/[^/]+|root)"
    r"(p?\d+|s\d+)?$"
)


_TOP_LEVEL = sorted({d.split("/")[1] for d in SYSTEM_DIRS})


def root_glob_matches(pattern: str) -> list[str]:
    """The system directories a `/`-rooted glob such as `/[a-z]*` or `/b*/` would name (bounded)."""
    import fnmatch

    head, _, rest = pattern[1:].partition("/")
    if not head or not any(c in head for c in "*?["):
        return []
    hits = [d for d in _TOP_LEVEL if fnmatch.fnmatchcase(d, head)]
    return ["/" + h + ("/" + rest if rest else "") for h in hits][:64]


def normalise(path: str) -> str:
    """Collapse `//`, trailing `/`, `/.` and a leading `./`; leave globs and variables alone."""
    p = path.strip()
    if not p:
        return p
    p = re.sub(r"/{2,}", "/", p)
    p = re.sub(r"(?<=/)(\./)+", "", p)  # `/./etc` is `/etc`
    while len(p) > 1 and (p.endswith(("/", "/."))):
        p = p[:-2] if p.endswith("/.") else p[:-1]
    return p or "/"


def is_disk(path: str) -> bool:
    p = normalise(path)
    if p.startswith("/dev/") and re.search(r"[?*\[]", p):
        # a pattern names the disks it matches (`of=/dev/sd?`): try it with a letter and with a digit
        return any(_DISK_RE.match(re.sub(r"\[[^]]*\]|[?*]", c, p)) for c in "a1")
    return bool(_DISK_RE.match(p))


def classify(path: str, cwd: str | None = None, home: str | None = None) -> str:
    # `X/**/*` and `X/**` name everything under X, as `X/*` does for a recursive delete
    p = re.sub(r"(^|/)\*\*(?:/\*)?$", r"\1*", normalise(path))
    if not p:
        return OTHER
    if p in ("/", "/*", "/.*", "/..", "/.", "/**") or re.fullmatch(r"(/\.\.)+", p) or _ONE_GLOB.fullmatch(p):
        return ROOT  # `/[a-z]*` matches most of what is under /
    m = _HOME_RE.match(p)
    if m:
        rest = p[m.end() :]
        if rest in ("", "/", "/*", "/.*", "/.", "/..", "/**") or rest.startswith("/..") or _ONE_GLOB.fullmatch(rest):
            return HOME
        if rest in ("/.ssh", "/.gnupg", "/.config", "/Documents", "/Desktop", "/Library", "/.local"):
            return SYSTEM
        return OTHER
    if home and (p == home or p in (home + "/*", home + "/.*")):
        return HOME
    if p in (".", "./*", "*", ".*", "./.*", "..", "../*", "../..", "./", "*/") or re.fullmatch(
        r"(\.\./)*\.\.(/\*)?", p
    ):
        if cwd is not None:
            c = normalise(cwd)
            if c == "/":
                return ROOT
            if c in ("~", "$HOME") or (home and c == normalise(home)):
                return HOME
            if c in SYSTEM_DIRS:
                return SYSTEM
        return CWD_ALL
    if _DISK_RE.match(p):
        return DEVICE
    if cwd is not None and not p.startswith(("/", "~", "$", "-")):
        c = normalise(cwd)
        if c.startswith(("/", "~")):
            # `cd / && rm -rf etc usr`: judged where the line will be when it runs
            return classify(c.rstrip("/") + "/" + p, None, home)
    if "/../" in p or p.endswith("/.."):
        tail = "/" + p.rsplit("/../", 1)[-1] if not p.endswith("/..") else "/"
        inner = classify(tail, cwd, home)
        if inner in (ROOT, SYSTEM, SYSTEM_DEEP):
            return inner
    vm = _VAR_RE.match(p)
    if vm:
        rest = p[vm.end() :]
        # "$DIR/" or "$DIR/*": if the variable is empty this is the root
        if rest in ("", "/", "/*", "/.*"):
            return UNKNOWN_VAR
        return OTHER
    if p.startswith(SCRATCH_PREFIXES):
        return OTHER
    bare = p.removesuffix("/*")
    if bare in SYSTEM_DIRS:
        return SYSTEM
    if re.fullmatch(r"/(home|Users)/[^/*]+(/\*)?|/root/\*", p):
        return HOME
    if p.startswith(DEEP_ROOTS):
        return SYSTEM_DEEP
    return OTHER
