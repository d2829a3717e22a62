"""Explain reads the shell parser's tree: every word's role, for a table of command lines (pipes,
-exec, xargs, sudo, quoting, option values). Roles that depend on a manual use programs whose man
pages Debian ships with the tools the suite installs; the rest come from caro's own table."""

import pytest

from caro.engine import explain

P, W, S, O, V = "program", "wrapper", "subcommand", "option", "value"
A, PAT, L, PH, OP, R, AS = "argument", "pattern", "literal", "placeholder", "operator", "redirect", "assignment"

TABLE = [
    ("ls -la", [P, O]),
    ("pgrep nginx", [P, A]),
    ("head -n 5 notes.txt", [P, O, V, A]),
    ("tail -n 20 -f app.log", [P, O, V, O, A]),
    ("grep -rn TODO .", [P, O, A, A]),
    ("grep -e 'a b' -e c file.txt", [P, O, V, O, V, A]),
    ('grep "*.py" list.txt', [P, L, A]),
    ("ls *.py", [P, PAT]),
    ("sort -k 2 -t , data.csv", [P, O, V, O, V, A]),
    ("sort -k2 data.csv", [P, O, A]),
    ("cut -d : -f 1 /etc/passwd", [P, O, V, O, V, A]),
    ("tar -czf out.tgz -C src .", [P, O, V, O, V, A]),
    ("tar -xzf release.tar.gz", [P, O, V]),
    ('find . -name "*.py" -mtime -1 -exec grep -l TODO {} +', [P, A, O, V, O, V, O, P, O, A, PH, OP]),
    ("find /tmp -type f -size +10M -delete", [P, A, O, V, O, V, O]),
    ("find . -maxdepth 1 -exec rm {} \\;", [P, A, O, V, O, P, PH, OP]),
    ("ls *.txt | xargs -n 1 wc -l", [P, PAT, OP, W, O, V, P, O]),
    ("echo a b | xargs rm", [P, A, A, OP, W, P]),
    ("sudo -u bob rm -rf /tmp/x", [W, O, V, P, O, A]),
    ("sudo apt update", [W, P, A]),
    ("env FOO=1 make test", [W, A, P, A]),
    ("nice -n 10 make", [W, O, V, P]),
    ("timeout 5 curl -s https://example.com", [W, V, P, O, A]),
    ("nohup python3 -m http.server", [W, P, O, V]),
    ("FOO=bar ./run.sh", [AS, P]),
    ("git log --oneline -3", [P, S, O, O]),
    ("git -C repo status", [P, O, V, S]),
    ("git commit -m 'fix the bug'", [P, S, O, V]),
    ("curl -H 'Accept: text/plain' -o out.html https://example.com", [P, O, V, O, V, A]),
    ("ps aux | grep nginx", [P, A, OP, P, A]),
    ("du -sh * | sort -h", [P, O, PAT, OP, P, O]),
    ("ssh -p 2222 bob@host uptime", [P, O, V, A, A]),
    ("awk -F , '{print $1}' data.csv", [P, O, V, L, A]),
    ("cat notes.txt > out.txt", [P, A, R]),
    ("make && ./run", [P, OP, P]),
    ("date -d yesterday", [P, O, V]),
    ("echo 'rm -rf /'", [P, L]),
]


@pytest.mark.parametrize("command,expected", TABLE, ids=[c for c, _ in TABLE])
def test_every_word_has_its_role(command, expected):
    got = [p.role for p in explain.roles(command)]
    assert got == expected, list(zip([p.word for p in explain.roles(command)], got))


def test_the_table_is_big_enough_and_every_line_explains():
    assert len(TABLE) >= 30
    for command, _ in TABLE:
        parts = explain.explain(command)
        assert parts and all(meaning for _, meaning in parts)


def test_an_option_value_and_a_quoted_glob_are_not_options_or_globs():
    said = dict(explain.explain('find . -name "*.py" -mtime -1'))
    assert said["-1"] == "the value of -mtime" and "pattern the shell expands" not in said["*.py"]


def test_option_sentences_are_cut_at_a_word():
    for command, _ in TABLE:
        for _, meaning in explain.explain(command):
            if meaning.endswith("…"):
                assert meaning[-2] not in "abcdefghijklmnopqrstuvwxyz" or meaning[:-1].split()[-1].isalpha()
