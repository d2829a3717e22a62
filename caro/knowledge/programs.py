"""Where a program's subcommand is: the one reading of `git -C repo commit` that the intent guard,
the safety rules, explain and the documentation lookup share.

The intent guard once read `git -C repo commit` as the subcommand `repo` (no state change) while
the safety rules skipped `-C repo` correctly; so a read-only request could be answered with a
commit. Options that come before the subcommand and take the next word as their value are
written here once, per program (from each program's manual: git(1) OPTIONS, docker(1) global
options, systemctl(1) -H/-M, apt-get(8) -o/-c/-t, kubectl's global flags).
"""

from __future__ import annotations

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
