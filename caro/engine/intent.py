"""The intent guard: a request that only asks to look must never get a command that changes things.

Two pure questions. `read_only(request)`: does the request only ask to show, list, find, count
or explain? `state_changes(command)`: what in the command would change the machine (files,
services, packages, history, repositories)? The engine asks the model again when the answer to
both is yes ("show my crontab" → `crontab -e`), and never offers such a command.
"""

from __future__ import annotations

import re

from ..cmdline.commands import NOT_FILES, basename, unwrap
from ..cmdline.shellparse import parse
from ..knowledge import programs

# The first verb of a request that only looks. "check", "test" and "verify" ask for a verdict, not a change.
_LOOK = (
    "show",
    "list",
    "display",
    "print",
    "find",
    "search",
    "grep",
    "count",
    "how",
    "what",
    "which",
    "who",
    "whom",
    "when",
    "where",
    "why",
    "is",
    "are",
    "does",
    "do",
    "did",
    "was",
    "were",
    "has",
    "have",
    "can",
    "check",
    "view",
    "see",
    "tell",
    "explain",
    "describe",
    "look",
    "locate",
    "compare",
    "diff",
    "follow",
    "watch",
    "monitor",
    "calculate",
    "sum",
    "get the",
    "report",
    "inspect",
    "preview",
    "read",
    "query",
    "lookup",
    "identify",
    "determine",
    "measure",
    "verify",
    "test",
    "peek",
    "dump",
    "output",
    "echo",
    "give me",
    "pretty",
)
_POLITE = re.compile(
    r"^(?:please\s+|can you\s+|could you\s+|i want to\s+|i need to\s+|i'd like to\s+|help me\s+|"
    r"let me\s+|quickly\s+|just\s+|now\s+|me\s+)+",
    re.IGNORECASE,
)
# A verb anywhere in the request that asks for a change makes it a request to change.
_CHANGE = re.compile(
    r"\b(?:delet\w*|remov\w*|kill\w*|stop\w*|restart\w*|reboot\w*|shut\s*down|power\s*off|install\w*|uninstall\w*|"
    r"creat\w*|make|mak\w+|mov\w+|move|renam\w*|copy|copi\w*|cop(?:y|ies)|writ\w*|sav\w+|save|append\w*|set|sets|"
    r"setting|chang\w*|add|adds|commit\w*|push\w*|pull\w*|merg\w*|rebas\w*|reset\w*|clear\w*|clean\w*|purg\w*|"
    r"prun\w*|wip\w+|wipe|truncat\w*|format\w*|edit\w*|modif\w*|replac\w*|updat\w*|upgrad\w*|enabl\w*|disabl\w*|"
    r"start\w*|launch\w*|run|runs|execut\w*|schedul\w*|download\w*|upload\w*|send\w*|extract\w*|unpack\w*|"
    r"compress\w*|archiv\w*|zip|unzip|gzip|decompress\w*|encrypt\w*|decrypt\w*|mount\w*|unmount\w*|"
    r"sync\w*|backup|back up|restor\w*|undo|revert\w*|discard\w*|stash|switch\w*|checkout|chmod|chown|grant\w*|"
    r"revok\w*|allow\w*|deny|block\w*|open|close|connect\w*|forward\w*|lock\w*|unlock\w*|tag|touch|"
    r"fix\w*|apply|build\w*|deploy\w*|convert\w*|resiz\w*|split\w*|join|sort the lines of \S+ in place|"
    r"overwrit\w*|empty the|flush\w*|export\w*|import\w*|mark(?:s|ed|ing)?|hold|generat\w*|put|store\w*|assign\w*|"
    r"give\s+\w+\s+(?:read|write|exec)|take ownership)\b",
    re.IGNORECASE,
)


# "show what git clean would remove", "… without deleting anything": the change is only talked about
_HYPOTHETICAL = re.compile(r"\b(?:would|dry[- ]run|without (?:\w+ing|changing|touching|actually))\b", re.IGNORECASE)


def read_only(request: str) -> bool:
    """Does the request only ask to look (show, list, find, count, explain…)?"""
    text = _POLITE.sub("", request.strip().lower())
    if not text or not any(re.match(re.escape(v) + r"\b", text) for v in _LOOK):
        return False
    if _HYPOTHETICAL.search(text):
        return True
    question = text.split()[0] in _YES_NO
    for m in _CHANGE.finditer(text):
        if not _describes(text, m, question):
            return False
    return True


# "the last reboot", "the changes I staged", "has open": a change word used as a noun or adjective
_NOUN_BEFORE = frozenset(
    "the my last recent latest previous of any these those your staged unstaged uncommitted "
    "pending scheduled failed has have had no".split()
)
# a change word after a form of "be" is a participle: "are set", "is set to", "was moved"
_BE = frozenset("is are was were be been being".split())
# the words that begin a yes/no question: "is the ssh daemon set to start at boot" asks about a change
_YES_NO = frozenset("is are was were does did has".split())
# where a change verb begins a new instruction: "find the logs and delete them", "how do I kill it"
_CONNECTORS = frozenset("and then or also , ; plus".split())
# a verb after "to" says what something is for when the word before "to" describes ("set to start",
# "waiting to run"), and asks for the change after "how to", "the command to"
_DESCRIBING_TO = re.compile(r"(?:\w+ed|\w+ing|set|going|due|about|supposed|meant|able)$")
# "the command that deletes…": a verb in -s that asks for a program doing it
_DOER = frozenset("that command program tool script it".split())


def _describes(text: str, m: re.Match, question: bool) -> bool:
    """Is this change word only describing (a participle, a noun, part of a file name) rather than
    asking for the change? When unsure it asks for the change: the guard then stays out of the way."""
    word = m.group(0)
    start = text.rfind(" ", 0, m.start()) + 1
    end = text.find(" ", m.end())
    token = text[start : end if end >= 0 else len(text)]
    if any(c in token for c in "./~") and token.strip(".,;:!?") != word:
        return True  # inside a file name or path: deploy.sh, /var/lib/dpkg/lock, photos.zip
    before_words = re.findall(r"[\w']+|[,;]", text[: m.start()])
    before = before_words[-1] if before_words else ""
    if before in _CONNECTORS:
        return False  # "… and delete them"
    if before.endswith(("'", "'s")):
        return True  # after a possessive it names a thing: "the containers' restart policies"
    if before in _BE:
        return True  # a state, not an order: "which options are set", "the clock is set to"
    if word == "open":
        after = re.findall(r"[\w']+", text[m.end() :])[:1]  # the next word, read only for this one
        if after and after[0].endswith("s") and not after[0].endswith("ss"):
            return True  # an adjective before a plural: "open files", "open ports", "open connections"
    if " " in word:
        return before in _NOUN_BEFORE  # "was last shut down" asks when; "how do I shut down" asks for it
    if word.endswith(("ed", "ing", "able", "ible", "ion", "ions", "er", "ers")):
        return True  # what happened or what something is: installed, forwarding, executable, modification, installer
    if before in ("that", "which", "who") and not word.endswith("s"):
        return True  # "the sudo rules that apply to me": a relative clause describing something
    if before in _NOUN_BEFORE:
        return True
    if word.endswith("s") and not word.endswith("ss"):
        return before not in _DOER  # updates, commits, mounts: nouns, unless "the command that deletes"
    if before == "to":  # "set to start at boot" describes; "is there a way to delete…" asks for it
        return len(before_words) > 1 and _DESCRIBING_TO.match(before_words[-2]) is not None
    return question


# Programs whose every use changes something.
_ALWAYS = frozenset(
    "update-grub update-initramfs grub-install ifdown ifup rmmod insmod modprobe lvremove lvcreate lvextend lvreduce "
    "lvresize lvrename vgcreate vgremove vgextend vgreduce pvcreate pvremove pvmove cfdisk chsh unalias pushd popd "
    "fish_vi_key_bindings fish_default_key_bindings funcsave funced fish_add_path "
    "rm rmdir unlink mv cp dd shred truncate touch mkdir ln chmod chown chgrp chattr setfacl install "
    "shutdown reboot poweroff halt kill pkill killall useradd userdel usermod groupadd groupdel passwd chpasswd "
    "mount umount wipefs mkswap swapoff mkfs mke2fs sgdisk rsync scp wget tee patch csplit split "
    "zip unzip gunzip bunzip2 unxz gzip bzip2 xz zstd 7z rar unrar at batch visudo vipe vi vim nano emacs make".split()
)
# program → subcommands (first operand) that change state; "*" = any except the read-only set
_SUB_CHANGES = {
    "apt": {
        "install",
        "remove",
        "purge",
        "autoremove",
        "upgrade",
        "full-upgrade",
        "dist-upgrade",
        "update",
        "reinstall",
        "autoclean",
        "clean",
        "mark",
    },
    "apt-get": {"install", "remove", "purge", "autoremove", "upgrade", "dist-upgrade", "update", "clean", "autoclean"},
    "dnf": {"install", "remove", "erase", "upgrade", "update", "autoremove", "downgrade", "reinstall"},
    "yum": {"install", "remove", "erase", "upgrade", "update", "autoremove"},
    "brew": {"install", "uninstall", "remove", "upgrade", "update", "cleanup", "link", "unlink", "tap", "untap"},
    "snap": {"install", "remove", "refresh", "disable", "enable"},
    "pip": {"install", "uninstall", "download"},
    "pip3": {"install", "uninstall", "download"},
    "npm": {
        "install",
        "i",
        "uninstall",
        "remove",
        "rm",
        "update",
        "ci",
        "link",
        "publish",
        "prune",
        "dedupe",
        "run",
        "run-script",
        "start",
        "exec",
        "x",
        "init",
        "rebuild",
        "version",
        "pack",
    },
    "conda": {"create", "install", "remove", "uninstall", "update", "upgrade", "clean", "rename"},
    "systemctl": {
        "start",
        "stop",
        "restart",
        "reload",
        "enable",
        "disable",
        "mask",
        "unmask",
        "kill",
        "isolate",
        "poweroff",
        "reboot",
        "halt",
        "suspend",
        "hibernate",
        "daemon-reload",
        "set-property",
        "edit",
        "reset-failed",
        "try-restart",
        "reload-or-restart",
        "set-default",
    },
    "docker": {
        "rm",
        "rmi",
        "stop",
        "kill",
        "prune",
        "run",
        "start",
        "restart",
        "pause",
        "unpause",
        "build",
        "pull",
        "push",
        "tag",
        "create",
        "commit",
        "load",
        "import",
        "exec",
        "cp",
        "rename",
        "update",
        "login",
        "logout",
    },
    "kubectl": {
        "delete",
        "apply",
        "create",
        "scale",
        "edit",
        "patch",
        "replace",
        "rollout",
        "drain",
        "cordon",
        "uncordon",
        "label",
        "annotate",
        "set",
        "expose",
        "run",
        "exec",
        "cp",
        "taint",
    },
    "cargo": {
        "build",
        "install",
        "uninstall",
        "clean",
        "update",
        "publish",
        "add",
        "remove",
        "new",
        "init",
        "fix",
        "run",
    },
    "go": {"build", "install", "get", "clean", "generate", "run"},
    "crontab": {"-e", "-r", "-ir"},
    "timedatectl": {"set-time", "set-timezone", "set-ntp", "set-local-rtc"},
    "hostnamectl": {"set-hostname", "hostname", "set-icon-name", "set-chassis"},
    "ufw": {"enable", "disable", "allow", "deny", "reject", "limit", "delete", "reset", "insert", "default", "reload"},
    "service": set(),  # judged by the action below
}
# program → the options (each a whole word) with which it only reports, lists or tests: a dry run,
# a listing, a test of an archive, a signal that checks a PID, a read-only editor
_COMPRESSED_READS = re.compile(r"-[a-z]*[ltc][a-z]*|--list|--test|--stdout")
_ONLY_READS = {
    "rsync": re.compile(r"-[a-zA-Z]*n[a-zA-Z]*|--dry-run"),
    "apt-get": re.compile(r"-[a-zA-Z]*s[a-zA-Z]*|--simulate|--dry-run|--just-print|--no-act|--recon"),
    "apt": re.compile(r"-s|--simulate|--dry-run|--just-print|--no-act"),
    "at": re.compile(r"-[lc]|--list"),
    "make": re.compile(r"-[a-zA-Z]*[nqp][a-zA-Z]*|--dry-run|--just-print|--recon|--question|--print-data-base"),
    **dict.fromkeys(("gzip", "bzip2", "xz", "zstd", "gunzip", "bunzip2", "unxz"), _COMPRESSED_READS),
    "unzip": re.compile(r"-[ltvZp]"),
    "wget": re.compile(r"--spider|-O-|-qO-"),
    "kill": re.compile(r"-[0lL]"),
    "shutdown": re.compile(r"--show"),
    "modprobe": re.compile(r"-[a-zA-Z]*[ncD][a-zA-Z]*|--dry-run|--showconfig|--show-depends|--show"),
    **dict.fromkeys(("vi", "vim", "nano", "emacs"), re.compile(r"-R")),
}
_DOCKER_GROUPS = {"container", "image", "volume", "network", "system", "builder", "compose"}


# `history` is a different builtin in each shell: bash's -c/-d/-w/-a/-r/-n/-s clear, edit or reload
# the list; fish's are subcommands (its `-n 20` is `--max 20`, a listing); zsh's `history` is `fc -l`,
# a listing whatever its options (zsh changes the list with `fc -p/-P/-W/-R/-A`, not `history`)
_HISTORY_CHANGES = {
    "bash": {"-c", "-d", "-w", "-a", "-r", "-n", "-s"},
    "fish": {"delete", "clear", "clear-session", "merge", "save", "append", "--delete", "--clear", "--merge", "--save"},
    "zsh": set(),
}


# program → the options with which it changes something; without them it only shows
_CHANGING_FLAGS = {
    "journalctl": re.compile(r"--vacuum-[\w-]+(?:=.*)?|--rotate|--flush|--sync|--relinquish-var"),
    "firewall-cmd": re.compile(
        r"--(?:reload|complete-reload|runtime-to-permanent|panic-on|(?:add|remove|set|change|new|delete)-[\w-]+)(?:=.*)?"
    ),
    "date": re.compile(r"-s|--set(?:=.*)?"),
    "arp": re.compile(r"-[a-zA-Z]*[dsf][a-zA-Z]*|--delete|--set|--file"),
    "update-alternatives": re.compile(r"--(?:set|install|remove|remove-all|config|auto|all)"),
    "hostname": re.compile(r"-F|--file(?:=.*)?"),
}
# program → the options with which it only shows; without one of them it edits or changes
_READS_ONLY_WITH = {
    "fdisk": re.compile(r"-l|--list"),
    "sfdisk": re.compile(r"-[lsdV]|--list|--show-size|--dump|--json|--verify"),
    "gdisk": re.compile(r"-l"),
    "fc": re.compile(r"-[a-zA-Z]*l[a-zA-Z]*"),  # bash/zsh: -l lists; bare `fc` edits and reruns
}
# `ip OBJECT ACTION …`: these actions change the routing, links, addresses or neighbours
_IP_CHANGES = frozenset("add del delete flush change replace set append prepend restore".split())
# shell builtins and tools that show when given nothing and set when given a value:
# `umask 077`, `ulimit -n 4096`, `hostname web1`, `setopt extended_glob`, `zmodload zsh/net/socket`
_SET_BY_OPERAND = frozenset("umask ulimit hostname setopt unsetopt zmodload".split())


def _shell_builtin_changes(prog: str, ops: list[str], flags: list[str], shell: str) -> bool:
    """The shell's own settings commands: showing them reads, giving them a value changes them."""
    if prog == "set":
        if shell == "fish" and set(flags) & {"-e", "--erase"}:
            return True
        return bool(ops) and not set(flags) & {"-q", "--query", "-S", "--show", "-n", "--names"}
    if prog == "abbr":
        return bool(set(flags) & {"-a", "--add", "-e", "--erase", "-r", "--rename"}) or (not flags and len(ops) >= 2)
    if prog == "alias":
        return any("=" in o for o in ops) or (shell == "fish" and (len(ops) >= 2 or "--save" in flags or "-s" in flags))
    if prog == "functions":
        return shell == "fish" and bool(set(flags) & {"-e", "--erase", "-c", "--copy"})
    if prog == "bind":
        if shell == "fish":
            return bool(set(flags) & {"-e", "--erase"}) or len(ops) >= 2
        return bool(set(flags) & {"-r", "-x", "-u", "-f"}) or (bool(ops) and not set(flags) & {"-q", "-m"})
    return False


def _changes(argv: list[str], shell: str = "bash") -> str | None:
    argv = unwrap(argv)[0]
    if not argv:
        return None
    prog = basename(argv[0])
    if prog in programs.GLOBAL_VALUE_OPTIONS:
        # what comes before the subcommand says where and how, not what: `git -C repo commit`
        argv = programs.without_globals(argv)
    args = argv[1:]
    ops = [a for a in args if not a.startswith("-")]
    flags = [a for a in args if a.startswith("-")]
    if prog in _ONLY_READS and any(_ONLY_READS[prog].fullmatch(f) for f in flags):
        return None  # `rsync -avn`, `apt-get -s autoremove`, `gzip -l`, `kill -0`, `vim -R`
    if prog == "tee" and all(o in NOT_FILES for o in ops):
        return None
    if prog == "wget" and "-O" in args and args[args.index("-O") + 1 : args.index("-O") + 2] == ["-"]:
        return None  # to standard output
    if prog == "view":
        return None
    if prog in ("mount", "umount", "swapon") and not ops and not set(flags) - {"-l", "--show", "-s", "--summary", "-v"}:
        return None  # bare `mount` / `swapon --show` list
    if prog in _ALWAYS or prog.startswith("mkfs."):
        return f"`{prog}` changes files or the system"
    if prog in _CHANGING_FLAGS and any(_CHANGING_FLAGS[prog].fullmatch(f) for f in flags):
        return f"`{prog} {' '.join(flags)}` changes the system"
    if prog in _READS_ONLY_WITH and not any(_READS_ONLY_WITH[prog].fullmatch(f) for f in flags):
        return f"`{prog}` without a listing option edits or changes"
    if prog == "parted" and "print" not in ops and not set(flags) & {"-l", "--list"}:
        return "`parted` changes the partition table"
    if prog == "ip" and len(ops) > 1 and ops[1] in _IP_CHANGES:
        return f"`ip {ops[0]} {ops[1]}` changes the network settings"
    if prog in _SET_BY_OPERAND and ops and not (prog == "zmodload" and set(flags) & {"-e", "-L"}):
        return f"`{prog} {ops[0]}` changes a setting"
    if _shell_builtin_changes(prog, ops, flags, shell):
        return f"`{prog}` with a value changes the shell's settings"
    if prog in ("sed", "perl") and any(
        f == "-i" or f.startswith(("-i", "--in-place")) or re.fullmatch(r"-[a-zA-Z]*i[a-zA-Z]*", f) for f in flags
    ):
        return f"`{prog} -i` edits files in place"
    if (
        prog == "tar"
        and (
            any(re.search(r"^-?[a-zA-Z]*[xcru]", f) for f in flags[:1] + ops[:1] if not f.startswith("--"))
            or any(f in ("--extract", "--create", "--append", "--delete", "--update") for f in flags)
        )
        and not any(re.search(r"^-?[a-zA-Z]*t", f) for f in (flags[:1] + ops[:1]))
    ):
        return "`tar` creates or extracts files"
    if prog == "find" and any(a in ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fls") for a in args):
        i = next(
            i for i, a in enumerate(args) if a in ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fls")
        )
        if (
            args[i] == "-delete"
            or args[i].startswith("-f")
            or (i + 1 < len(args) and _changes(args[i + 1 :], shell) is not None)
        ):
            return "`find` with an action that changes files"
    if prog == "xargs":
        return None
    if prog == "crontab":
        if "-l" in flags:
            return None
        return "`crontab` without -l edits or replaces the crontab"
    if prog == "history":
        changing = _HISTORY_CHANGES.get(shell, _HISTORY_CHANGES["bash"])
        return "`history` with that option rewrites the history" if set(args) & changing else None
    if prog == "git":
        git = programs.git(argv)
        return f"`git {git.sub}` changes the repository" if git.changes else None
    if prog == "docker" and ops[:1] and ops[0] in _DOCKER_GROUPS:
        sub = ops[1] if len(ops) > 1 else ""
        if sub in ("ls", "list", "inspect", "df", "info", "events", "ps", "logs", "top", "history", "config"):
            return None
        return f"`docker {ops[0]} {sub}` changes containers or images"
    if prog == "service" and len(ops) >= 2:
        return None if ops[1] in ("status",) else f"`service {ops[1]}` changes a service"
    if prog in ("iptables", "ip6tables") and any(
        f in ("-A", "-D", "-I", "-R", "-F", "-X", "-P", "-Z", "-N", "-E") for f in flags
    ):
        return "`iptables` changes the firewall"
    if prog == "sysctl" and ("-w" in flags or any("=" in o for o in ops)):
        return "`sysctl` changes kernel settings"
    if prog == "npm" and ops in (["run"], ["run-script"]):
        return None  # without a script name it lists the scripts
    if prog == "conda" and ops[:1] == ["env"] and ops[1:2] and ops[1] in ("create", "remove", "update", "config"):
        return f"`conda env {ops[1]}` changes environments"
    if prog == "hostnamectl" and ops[:1] == ["hostname"] and len(ops) == 1:
        return None  # without a name it prints the current one
    if prog in _SUB_CHANGES and ops[:1] and ops[0] in _SUB_CHANGES[prog]:
        return f"`{prog} {ops[0]}` changes the system"
    if prog in ("crontab",) or prog in _SUB_CHANGES and any(f in _SUB_CHANGES[prog] for f in flags):
        return f"`{prog} {' '.join(flags)}` changes the system"
    if prog in ("pacman", "yay") and any(
        re.match(r"-[SRU]", f) and not re.match(r"-[SR][a-z]*[sigl]", f) for f in flags
    ):
        return f"`{prog}` installs or removes packages"
    if prog == "nginx" and "-s" in flags:
        return "`nginx -s` signals the server"
    return None


def state_changes(command: str, shell: str = "bash") -> list[str]:
    """Why the command would change state (empty when it only reads). Nested substitutions count."""
    reasons: list[str] = []
    parsed = parse(command, shell)
    for pipeline in parsed.pipelines:
        for simple in pipeline:
            why = _changes(simple.argv, shell)
            if why:
                reasons.append(why)
            for r in simple.redirects:
                if (
                    r.op in (">", ">>", "&>", "&>>", ">|", "<>")
                    and r.target not in NOT_FILES
                    and not r.target.startswith("&")
                ):
                    reasons.append(f"`{r.op} {r.target}` writes a file")
    for sub in parsed.subs:
        if sub != command:
            reasons += state_changes(sub, shell)
    return list(dict.fromkeys(reasons))
