"""Where a program's subcommand is: the one reading of `git -C repo commit` that the intent guard,
the safety rules, explain and the documentation lookup share.

The intent guard once read `git -C repo commit` as the subcommand `repo` (no state change) while
the safety rules skipped `-C repo` correctly; so a read-only request could be answered with a
commit. Options that come before the subcommand and take the next word as their value are
written here once, per program (from each program's manual: git(1) OPTIONS, docker(1) global
options, systemctl(1) -H/-M, apt-get(8) -o/-c/-t, kubectl's global flags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GLOBAL_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    prog: frozenset(opts.split())
    for prog, opts in {
        "git": "-C -c --git-dir --work-tree --namespace --super-prefix --config-env --exec-path",
        "docker": "-H --host -c --context --config -l --log-level --tlscacert --tlscert --tlskey",
        "podman": "--connection -c --url --root --runroot --storage-driver --log-level --cgroup-manager",
        "kubectl": "-n --namespace --context --kubeconfig -s --server --cluster --user --token",
        "systemctl": "-H --host -M --machine",
        "journalctl": "-H --host -M --machine -D --directory",
        "apt": "-o -c -t --option --config-file --target-release",
        "apt-get": "-o -c -t --option --config-file --target-release",
        "npm": "--prefix -w --workspace",
        "cargo": "-Z --config --color --manifest-path",
        "helm": "-n --namespace --kube-context --kubeconfig",
    }.items()
}


def _split(argv: list[str]) -> tuple[int, list[str]]:
    """(index in argv of the first word that is neither an option nor an option's value, the options
    before it that take no value). argv[0] is the program."""
    takes = GLOBAL_VALUE_OPTIONS.get(argv[0].rsplit("/", 1)[-1], frozenset()) if argv else frozenset()
    kept: list[str] = []
    i = 1
    while i < len(argv):
        word = argv[i]
        if word == "--":
            kept.append(word)
            i += 1
            break
        if not word.startswith("-") or word == "-":
            break
        if word in takes:
            i += 2  # `-C repo`
            continue
        if word.split("=", 1)[0] not in takes:  # `--git-dir=.git` goes with its value
            kept.append(word)
        i += 1
    return i, kept


def subcommand(argv: list[str]) -> tuple[int, str]:
    """(index in argv, word) of the subcommand: the first word after the program that is neither an
    option nor an option's value; (len(argv), "") when there is none."""
    i, _ = _split(argv)
    return (i, argv[i]) if i < len(argv) else (len(argv), "")


def without_globals(argv: list[str]) -> list[str]:
    """argv less the options before the subcommand that take a value, and their values
    (`git -C repo -P commit` → `git -P commit`): what is left says what the command does."""
    i, kept = _split(argv)
    return argv[:1] + kept + argv[i:]


# ---- git: what a git command does to the repository, read once for the intent guard and safety ----

# subcommands that change the repository, its configuration or the work tree; the others only show
_GIT_CHANGES = frozenset(
    "add commit reset push pull merge rebase checkout switch restore rm mv init clone cherry-pick revert am apply "
    "gc prune filter-branch filter-repo update-ref stash clean branch tag config remote worktree submodule notes "
    "reflog".split()
)
# `git branch` with one of these (or a name) creates, deletes, renames or re-points a branch
_GIT_BRANCH_CHANGES = frozenset(
    "-d -D -m -M -c -C --delete --move --copy -u --set-upstream-to --unset-upstream -f --force".split()
)
_GIT_LISTS = frozenset(("list", "status", "show"))  # `git worktree list`, `git submodule status` …


@dataclass(frozen=True)
class GitEffect:
    """What `git …` does: its subcommand, whether it changes anything (the intent guard's question)
    and what it would throw away for good (the safety rules' question). A loss is a change unless
    the command is a dry run, which the safety check reports as such."""

    sub: str
    changes: bool
    loses: str | None = None


def _whole_tree(word: str) -> bool:
    """`.`, `./`, `././*`, `*`, `./*`, `:/` (the top of the work tree): every tracked path."""
    w = re.sub(r"/{2,}", "/", word)
    if w.startswith(":/"):
        return w.rstrip("/") in (":", ":/.")
    w = re.sub(r"(?<=/)(\./)+", "", w)  # `././*` is `./*`
    while len(w) > 1 and w.endswith(("/", "/.")):
        w = w[:-2] if w.endswith("/.") else w[:-1]
    return w in (".", "*", "./*")


def _git_loses(sub: str, rest: list[str]) -> str | None:
    """What the command throws away that no reflog or remote gives back."""
    opts = set(rest)
    words = [a for a in rest if not a.startswith("-")]
    force = bool(opts & {"-f", "--force"})
    if sub == "push":
        if any(a.startswith(":") and len(a) > 1 for a in rest):
            return "git push :branch (deletes the remote branch)"
        if any(re.match(r"--force(=|-with-lease-if-includes|$)", a) for a in rest):
            return "git push --force"
        if any(
            a in ("-f", "--force", "--mirror", "--delete", "-d")
            or (a.startswith("+") and len(a) > 1)
            or re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", a)
            for a in rest
        ):
            return "git push --delete" if opts & {"--delete", "-d"} else "git push --force"
    if sub == "update-ref" and opts & {"-d", "--delete"}:
        return "git update-ref -d"
    if sub == "rm" and any(_whole_tree(a) for a in rest):
        return "git rm of every tracked file"
    if sub == "gc" and any(a.startswith("--prune=now") or a == "--prune=all" for a in rest):
        return "git gc --prune=now (unreachable commits are gone for good)"
    if sub == "branch" and ("-D" in opts or (opts & {"-d", "--delete"} and force)):
        return "git branch --delete --force" if opts & {"-d", "--delete"} and force else "git branch -D"
    if sub in ("checkout", "switch") and force:
        return f"git {sub} --force (local changes are discarded)"
    if sub == "worktree" and rest[:1] == ["remove"] and force:
        return "git worktree remove --force"
    if sub in ("checkout", "restore"):
        unstage_only = sub == "restore" and opts & {"--staged", "-S"} and not opts & {"--worktree", "-W"}
        files = rest[rest.index("--") + 1 :] if "--" in rest else (words if sub == "restore" else [])
        if files and not unstage_only:
            return f"git {sub} {' '.join(files)[:40]} (uncommitted changes to it are discarded)"
        if not unstage_only and any(_whole_tree(a) for a in words) or sub == "restore" and "-f" in opts:
            return f"git {sub} ."
    if sub == "reset" and "--hard" in opts:
        return "git reset --hard"
    if sub == "clean" and any(re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", a) or a == "--force" for a in rest):
        return "git clean " + " ".join(rest)
    if sub in ("filter-branch", "filter-repo"):
        return "git " + sub
    if sub == "reflog" and rest[:1] == ["expire"] and any("now" in a or "all" in a for a in rest):
        return "git reflog expire"
    if sub == "stash" and rest[:1] in (["clear"], ["drop"]):
        return "git stash " + rest[0]
    return None


def _git_changes(sub: str, rest: list[str]) -> bool:
    """Whether it changes the repository, its configuration or the work tree at all."""
    opts = set(rest)
    words = [a for a in rest if not a.startswith("-")]
    if sub not in _GIT_CHANGES:
        return False
    if sub == "stash":
        return rest[:1] not in (["list"], ["show"])
    if sub == "branch":
        return bool(opts & _GIT_BRANCH_CHANGES or words)
    if sub == "tag":
        return bool(opts & {"-d", "-a", "-s", "-f", "--delete"}) or (bool(words) and not opts & {"-l", "--list"})
    if sub == "config":
        return not opts & {"--get", "--get-all", "-l", "--list", "--get-regexp"} and len(words) > 1
    if sub == "remote":
        return bool(rest) and rest[:1] not in (["-v"], ["--verbose"], ["show"], ["get-url"])
    if sub in ("worktree", "submodule", "notes", "reflog"):
        return bool(rest) and rest[0] not in _GIT_LISTS
    if sub == "checkout":
        return bool(rest)
    return True


def _git_dry_run(sub: str, rest: list[str]) -> bool:
    """`git clean -n`, `git add --dry-run`, `git filter-repo --analyze`: it says what it would do
    and does nothing."""
    if sub == "clean":
        return any(a in ("-n", "--dry-run") or re.fullmatch(r"-[a-z]*n[a-z]*", a) for a in rest)
    if sub == "filter-repo":
        return bool(set(rest) & {"--dry-run", "--analyze"})
    return sub == "add" and bool(set(rest) & {"-n", "--dry-run"})


def git(argv: list[str]) -> GitEffect:
    """Read `git [global options] SUB …` (argv[0] is git)."""
    i, sub = subcommand(argv)
    rest = argv[i + 1 :]
    loses = _git_loses(sub, rest)
    changes = not _git_dry_run(sub, rest) and (loses is not None or _git_changes(sub, rest))
    return GitEffect(sub, changes, loses)


# archive names, by the extensions archivers write
_ARCHIVE = re.compile(r"\.(?:zip|jar|tar|tgz|tbz2?|txz|tzst|tar\.(?:gz|bz2|xz|zst|lz|lzma|Z))$")


def misordered(argv: list[str]) -> str | None:
    """Why an archiver's words are in the wrong order, or None: zip writes the archive it is given
    first (`zip photos photos.zip` zips photos.zip into an archive called photos), and tar's `f`
    takes the archive as its value (`tar czf src backup.tgz` packs backup.tgz into a file named src)."""
    prog = argv[0].rsplit("/", 1)[-1] if argv else ""
    words = argv[1:]
    if prog == "zip":
        ops = [w for w in words if not w.startswith("-")]
        if len(ops) >= 2 and not _ARCHIVE.search(ops[0]) and ops[0] != "-" and _ARCHIVE.search(ops[-1]):
            flags = " ".join(w for w in words if w.startswith("-")) or "-r"
            return f"zip takes the archive first: `zip {flags} {ops[-1]} {' '.join(ops[:-1])}`"
    if prog in ("tar", "gtar", "bsdtar") and words:
        first = words[0].lstrip("-")
        if re.fullmatch(r"[a-zA-Z]*c[a-zA-Z]*f", first) and len(words) >= 3:
            value, rest = words[1], [w for w in words[2:] if not w.startswith("-")]
            if not _ARCHIVE.search(value) and rest and _ARCHIVE.search(rest[-1]):
                return f"tar's f takes the archive as its value: `tar {words[0]} {rest[-1]} {value}`"
    return None
