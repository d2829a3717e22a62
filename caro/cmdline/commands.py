"""Turn parsed simple commands into normalised `Cmd`s, looking through wrappers.

`sudo env FOO=1 nice -n 5 /bin/rm --recursive --force /` becomes
Cmd(name="rm", flags={"r", "f"}, operands=["/"], via=["sudo", "env", "nice"]).
Commands hidden in strings (`bash -c '…'`, `eval`, `su -c`, `ssh host '…'`,
`find -exec`) come back as nested sources or nested argv for the validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .shellparse import Redirect, Simple

SHELLS = frozenset("sh bash zsh dash ksh mksh ash fish busybox tcsh csh".split())
INTERPRETERS = frozenset("python python2 python3 perl ruby node nodejs php lua deno bun tclsh wish".split())
# programs that turn encoded text back into bytes: what they print into a shell is code nobody read
DECODERS = frozenset("base64 gbase64 base32 xxd openssl uudecode gunzip zcat rev".split())
# names that look like files but store nothing: a write to them changes nothing on disk
NOT_FILES = frozenset("/dev/null /dev/zero /dev/stdout /dev/stderr /dev/tty /dev/fd/1 /dev/fd/2".split())
# programs that fetch a URL (their output piped into a shell runs code from the internet)
FETCHERS = frozenset(
    "curl wget fetch http https xh aria2c lwp-request GET iwr irm Invoke-WebRequest Invoke-RestMethod".split()
)

# Long options that mean the same as a short one, per program.
_LONG = {
    "rm": {"recursive": "r", "force": "f", "dir": "d"},
    "cp": {"recursive": "r", "force": "f"},
    "chmod": {"recursive": "R"},
    "chown": {"recursive": "R"},
    "chgrp": {"recursive": "R"},
    "git": {"force": "f"},
    "shred": {"remove": "u", "zero": "z"},
    "wipefs": {"all": "a"},
    "kill": {"signal": "s"},
    "xattr": {},
}
# rm -R is rm -r
_SAME = {"rm": {"R": "r"}, "cp": {"R": "r"}}

# wrapper -> options of that wrapper which take a value
_WRAPPERS = {
    "sudo": set("ugpChDrtUT"),
    "nice": set("n"),
    "ionice": set("cnp"),
    "nohup": set(),
    "time": set("fo"),
    "command": set(),
    "builtin": set(),
    "exec": set("a"),
    "stdbuf": set("ioe"),
    "chrt": set(),
    "taskset": set(),
    "caffeinate": set("t"),
    "unbuffer": set(),
    "torsocks": set(),
    "proxychains": set("f"),
    "proxychains4": set("f"),
    "then": set(),
    "do": set(),
    "else": set(),
    "if": set(),
    "elif": set(),
    "while": set(),
    "until": set(),
    "!": set(),
    "busybox": set(),
    "strace": set("eop"),
    "ltrace": set("eo"),
    "gtimeout": set("sk"),
    "timeout": set("sk"),
    "watch": set("nd"),
    "flock": set("wE"),
    "setsid": set(),
    "runuser": set("ugl"),
    # launchers: each runs the command after its options (as root, in another root or namespace,
    # under fake root, in a sandbox, with a password typed for it)
    "pkexec": set(),
    "chroot": set(),
    "nsenter": set("tSGrwn"),
    "unshare": set("S"),
    "fakeroot": set("lsi"),
    "firejail": set(),
    "sshpass": set("pfd"),
    "setpriv": set(),
    "xvfb-run": set("nsfe"),
    "dbus-launch": set(),
    "catchsegv": set(),
    "chronic": set(),
    "ifne": set(),
    "eatmydata": set(),
    "nocache": set(),
    "trickle": set("udwtlnL"),
    "cgexec": set("g"),
    "numactl": set(),
    "doas": set("uC"),
    "sg": set(),
    "chpst": set("uUbenlmdofpcr"),
    # zsh's precommand modifiers: the command runs as written, without globbing or spelling fixes
    "noglob": set(),
    "nocorrect": set(),
}
# long options of launchers that take the next word as their value
_LONG_VALUE = frozenset(
    "--user --group --target --root --wd --userspec --groups --preserve-env --setuid --setgid".split()
)
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")


@dataclass
class Cmd:
    name: str
    args: list[str]
    redirects: list[Redirect] = field(default_factory=list)
    heredoc: str | None = None
    via: list[str] = field(default_factory=list)
    pipe_before: list[str] = field(default_factory=list)  # program names earlier in the pipeline
    pipe_after: list[str] = field(default_factory=list)
    from_stdin: bool = False  # operands arrive through xargs
    flags: set[str] = field(default_factory=set)
    operands: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)  # the sources of its words' substitutions (`$(grep -rl x .)`)

    def has(self, *flags: str) -> bool:
        return any(f in self.flags for f in flags)


def basename(word: str) -> str:
    name = word.rsplit("/", 1)[-1] if "/" in word else word
    # rm.exe, python3.12 -> python3, busybox-style names stay
    if name.lower().endswith(".exe"):
        name = name[:-4]
    m = re.fullmatch(r"(python|perl|ruby|node)(\d+(\.\d+)*)?", name)
    if m:
        name = m.group(1) + ("3" if m.group(2) and m.group(2).startswith("3") and m.group(1) == "python" else "")
    return name


def split_flags(name: str, args: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    operands: list[str] = []
    longs = _LONG.get(name, {})
    same = _SAME.get(name, {})
    end = False
    for a in args:
        if end or a == "-" or not a.startswith("-") or len(a) < 2:
            operands.append(a)
        elif a == "--":
            end = True
        elif a.startswith("--"):
            key = a[2:].split("=", 1)[0]
            if key not in longs and len(key) >= 2:
                # GNU accepts any unambiguous prefix: `rm --rec --force`
                full = [k for k in longs if k.startswith(key)]
                if len(full) == 1:
                    key = full[0]
            flags.add(longs.get(key, "--" + key))
        elif name in ("find", "dd", "chmod") and not re.fullmatch(r"-[A-Za-z]+", a):
            operands.append(a)  # chmod -x, find -name values, etc. keep as operand
        else:
            for ch in a[1:]:
                flags.add(same.get(ch, ch))
    return flags, operands


def _skip_wrapper(name: str, argv: list[str], i: int) -> int:
    """Index of the wrapped command's first word after wrapper `name` at argv[i]."""
    takes_value = _WRAPPERS[name]
    i += 1
    if name in ("timeout", "gtimeout"):
        while i < len(argv) and argv[i].startswith("-"):
            i += 2 if argv[i][1:2] in takes_value and len(argv[i]) == 2 else 1
        return i + 1  # the duration
    if name == "watch":
        while i < len(argv) and argv[i].startswith("-"):
            i += 2 if argv[i][1:2] in takes_value and len(argv[i]) == 2 else 1
        return i
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
        opt = argv[i]
        if opt == "--":
            i += 1
            break
        i += 2 if (len(opt) == 2 and opt[1] in takes_value) or opt in _LONG_VALUE else 1  # `nice -5` is one word
    if name in ("taskset", "chrt", "flock", "chroot", "sg") and i < len(argv):
        i += 1  # mask / priority / lock file / new root / group
    return i


def _opens_shell(option: str) -> bool:
    """`-s`, `-i`, `-Es`, `--shell`, `--login`: sudo's and doas's options for a shell of their own."""
    if option in ("--shell", "--login"):
        return True
    return option[:1] == "-" and option[1:2] != "-" and bool(set(option[1:]) & {"s", "i"})


def unwrap(argv: list[str]) -> tuple[list[str], list[str], bool]:
    """Strip wrappers. Returns (argv of the real command, wrappers seen, operands-from-stdin)."""
    via: list[str] = []
    from_stdin = False
    i = 0
    for _ in range(len(argv) + 1):  # every layer consumes a word, so this ends
        while i < len(argv) and _ASSIGN.match(argv[i]):
            i += 1
        if i >= len(argv):
            return [], via, from_stdin
        name = basename(argv[i])
        if name == "env":
            via.append("env")
            i += 1
            while i < len(argv) and (argv[i].startswith("-") or _ASSIGN.match(argv[i])):
                if argv[i] in ("-u", "-C", "--unset", "--chdir"):
                    i += 1
                elif argv[i] in ("-S", "--split-string") and i + 1 < len(argv):
                    argv = argv[:i] + argv[i + 1].split() + argv[i + 2 :]
                    continue
                i += 1
            continue
        if name == "watch":
            # watch hands its words to `sh -c` as one string
            via.append("watch")
            j = _skip_wrapper(name, argv, i)
            return (["sh", "-c", " ".join(argv[j:])] if j < len(argv) else []), via, from_stdin
        if name == "parallel":
            # GNU parallel: the command, then `:::` and the inputs it appends to it
            via.append("parallel")
            rest = argv[i + 1 :]
            j = 0
            while j < len(rest) and rest[j].startswith("-"):
                j += 2 if rest[j] in ("-j", "-S", "--jobs", "-a", "--arg-file") else 1
            cmd = rest[j : rest.index(":::")] if ":::" in rest else rest[j:]
            inputs = [x for x in (rest[rest.index(":::") + 1 :] if ":::" in rest else []) if x not in (":::", "::::")]
            if not cmd and inputs:
                # no command: each input is a command line of its own, run by a shell
                return ["sh", "-c", "\n".join(inputs)], via, False
            if not cmd:
                return [], via, from_stdin
            # the command may be wrapped itself (`parallel sudo rm -rf ::: /boot /etc`)
            argv, i, from_stdin = cmd + inputs, 0, not inputs
            continue
        if name == "zargs":
            # zsh's `zargs [opts] -- ARGS -- CMD…`: CMD runs with ARGS appended
            via.append("zargs")
            rest = argv[i + 1 :]
            marks = [k for k, a in enumerate(rest) if a == "--"]
            if not marks:
                return [], via, from_stdin
            # `zargs -- ARGS -- CMD` or `zargs [opts] ARGS -- CMD`: the last `--` starts the command
            first = (
                marks[0] + 1 if len(marks) > 1 else next((k for k, a in enumerate(rest) if not a.startswith("-")), 0)
            )
            argv, i = rest[marks[-1] + 1 :] + rest[first : marks[-1]], 0
            continue
        if name == "flock" and any(a in ("-c", "--command") or a.startswith("--command=") for a in argv[i + 1 :]):
            k = next(
                k for k in range(i + 1, len(argv)) if argv[k] in ("-c", "--command") or argv[k].startswith("--command=")
            )
            via.append("flock")  # `flock FILE -c 'CMD'`: a shell runs CMD once the lock is held
            if argv[k].startswith("--command="):
                return ["sh", "-c", argv[k].split("=", 1)[1]], via, from_stdin
            return (["sh", "-c", argv[k + 1]] if k + 1 < len(argv) else []), via, from_stdin
        if name == "distrobox-enter":
            argv, name = ["distrobox", "enter", *argv[i + 1 :]], "distrobox"
            i = 0
        if name in ("distrobox", "toolbox") and argv[i + 1 : i + 2] in (["enter"], ["run"]):
            # the container shares the user's home (and more): what runs there runs on these files
            via.append(name)
            rest = argv[i + 2 :]
            if "--" in rest:
                argv, i = rest[rest.index("--") + 1 :], 0
                continue
            j = 0
            while j < len(rest) and rest[j].startswith("-"):
                j += 2 if rest[j] in ("-c", "--container", "-n", "--name", "-r", "--release") else 1
            if name == "distrobox":
                return [], via, from_stdin  # `distrobox enter NAME`: a shell there, no command
            argv, i = rest[j:], 0
            continue
        if name == "machinectl" and "shell" in argv[i + 1 : i + 2]:
            # `machinectl shell [opts] [user@]machine CMD…`: CMD runs in that machine (`.host` is this one)
            via.append("machinectl")
            i += 2
            while i < len(argv) and argv[i].startswith("-"):
                i += 2 if argv[i] in ("-E", "--setenv", "--uid", "-M", "--machine") else 1
            if i + 1 >= len(argv):
                return [], via, from_stdin
            i += 1
            continue
        if name == "coproc":
            via.append("coproc")
            i += 1
            if i + 1 < len(argv) and argv[i + 1] == "{":
                i += 2  # coproc NAME { …; }
            elif i < len(argv) and argv[i] == "{":
                i += 1
            continue
        if name == "command" and i + 1 < len(argv) and argv[i + 1] in ("-v", "-V"):
            return [], via, from_stdin  # a lookup, not a run
        if name == "xargs":
            via.append("xargs")
            from_stdin = True
            i += 1
            while i < len(argv) and argv[i].startswith("-"):
                opt = argv[i]
                i += 2 if opt in ("-n", "-L", "-I", "-P", "-d", "-a", "-E", "-s", "-i") and len(opt) == 2 else 1
            if i >= len(argv):
                return ["echo"], via, from_stdin
            continue
        if name in _WRAPPERS:
            if name == "sudo" and len(argv) > i + 1 and argv[i + 1] in ("-l", "-v", "-k", "-K"):
                return [], via, from_stdin
            via.append(name)
            j = _skip_wrapper(name, argv, i)
            if j >= len(argv) and name in ("sudo", "doas") and any(_opens_shell(a) for a in argv[i + 1 : j]):
                return ["sh"], via, from_stdin  # `sudo -s` with no command: a root shell that reads its input
            i = j
            continue
        return [name] + argv[i + 1 :], via, from_stdin
    return argv[i:], via, from_stdin


def shell_script_arg(cmd: Cmd) -> str | None:
    """The script of `bash -c 'SCRIPT'` (also -lc, -ec …), `su -c`, `fish -c`."""
    if cmd.name not in SHELLS and cmd.name not in ("su", "sg"):
        return None
    args = cmd.args
    if cmd.name == "busybox" and args and args[0] in SHELLS:
        args = args[1:]
    for k, a in enumerate(args):
        if a.startswith("-") and not a.startswith("--") and "c" in a[1:] and k + 1 < len(args):
            # `bash -c -- 'script'` and `bash -c -e 'script'`: options may sit between -c and it
            j = k + 1
            while j < len(args) - 1 and args[j].startswith("-") and args[j] != "-":
                j += 1
            return args[j]
        if a == "--command" and k + 1 < len(args):
            return args[k + 1]
    return None


def ssh_remote_command(cmd: Cmd) -> str | None:
    if cmd.name not in ("ssh", "mosh"):
        return None
    takes = set("bcDEeFIiJLlmOopQRSWw")
    i = 0
    args = cmd.args
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i][-1] in takes and len(args[i]) == 2 else 1
    rest = args[i + 1 :]  # after the host
    return " ".join(rest) if rest else None


_FIND_TESTS = frozenset(
    """-name -iname -path -ipath -regex -iregex -type -size -mtime -mmin -atime -amin
-ctime -cmin -newer -user -group -perm -empty -links -inum -samefile -wholename -iwholename -lname
-ilname -uid -gid -nouser -nogroup -executable -readable -writable -fstype -xtype -maxdepth""".split()
)


@dataclass
class FindInfo:
    roots: list[str]
    filtered: bool
    deletes: bool
    execs: list[list[str]]


def find_info(cmd: Cmd) -> FindInfo:
    roots: list[str] = []
    args = cmd.args
    i = 0
    while i < len(args) and args[i] in ("-H", "-L", "-P", "-O0", "-O1", "-O2", "-O3"):
        i += 1
    while i < len(args) and not args[i].startswith("-") and args[i] not in ("(", "!", ")"):
        roots.append(args[i])
        i += 1
    filtered = False
    deletes = False
    execs: list[list[str]] = []
    while i < len(args):
        a = args[i]
        if a in _FIND_TESTS:
            # `-type f`, `-name '*'` and depth limits still select everything of a kind
            everything = a in ("-maxdepth", "-type", "-xtype") or (
                a in ("-name", "-iname", "-path", "-ipath", "-wholename")
                and i + 1 < len(args)
                and args[i + 1] in ("*", "*.*", "**")
            )
            filtered = filtered or not everything
        if a == "-delete":
            deletes = True
        if a in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            part: list[str] = []
            while j < len(args) and args[j] not in (";", "+", "\\;"):
                part.append(args[j])
                j += 1
            execs.append(part)
            i = j
        i += 1
    return FindInfo(roots or ["."], filtered, deletes, execs)


def build(simple: Simple, pipe_names: list[str], index: int) -> tuple[Cmd | None, list[str]]:
    """Make a Cmd from a simple command; also return its argv-level nested sources (`eval`)."""
    argv = simple.argv
    real, via, from_stdin = unwrap(argv)
    nested: list[str] = []
    if not real:
        if simple.redirects:
            # a bare `> file` (or `X=1 > file`, `exec > /dev/sda`) still opens the file for writing
            return Cmd(name=":", args=[], redirects=simple.redirects, heredoc=simple.heredoc), nested
        return None, nested
    name, args = real[0], real[1:]
    if name == "eval":
        nested.append(" ".join(args))
    flags, operands = split_flags(name, args)
    cmd = Cmd(
        name=name,
        args=args,
        redirects=simple.redirects,
        heredoc=simple.heredoc,
        via=via,
        pipe_before=pipe_names[:index],
        pipe_after=pipe_names[index + 1 :],
        from_stdin=from_stdin,
        flags=flags,
        operands=operands,
        subs=[sub for w in simple.words[1:] for sub in w.subs],
    )
    return cmd, nested
