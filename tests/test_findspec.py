"""The rule-built `find` commands: each part of the request becomes a part of the command,
and the commands run under real GNU find on a tree built here."""
import os
import subprocess
import time

import pytest

from caro.findspec import compose


@pytest.mark.parametrize("request_text, expected", [
    ("find all .md files under docs", "find docs -name '*.md'"),
    ("find python files bigger than 2 MB in ~/code", "find ~/code -type f -name '*.py' -size +2M"),
    ("list regular files modified in the last 3 days", "find . -type f -mtime -3"),
    ("delete log files older than two weeks in /srv/app/logs", "find /srv/app/logs -name '*.log' -mtime +14 -exec rm {} \\;"),
    ("count the directories under /opt", "find /opt -type d | wc -l"),
    ("find files owned by the user alice in the whole system", "find / -user alice"),
    ("remove empty folders below build", "find build -type d -empty -delete"),
    ("change permissions of all shell scripts in bin to 755", "find bin -name '*.sh' -exec chmod 755 {} \\;"),
    ("find files with permission 777 in /var/www", "find /var/www -perm 777"),
    ("find pictures named 'cat*.png' case insensitive", "find . -iname 'cat*.png'"),
    ("show yaml files in the current directory only", "find . -maxdepth 1 -name '*.yaml'"),
    ("copy all pdf files from the downloads folder to /backup/pdf", "find downloads -name '*.pdf' -exec cp {} /backup/pdf \\;"),
    ("find files changed in the last 45 minutes", "find . -mmin -45"),
    ("list symbolic links in /usr/local/bin", "find /usr/local/bin -type l"),
    ("find java files newer than build.gradle", "find . -name '*.java' -newer build.gradle"),
    ("find html files excluding the node_modules directory", "find . -name '*.html' -not -path '*/node_modules/*'"),
    ("search for 'TODO' in all files recursively", "grep -r TODO ."),
    ("find python files containing TODO", "find . -name '*.py' -exec grep -l TODO {} +"),
    ("list the files containing 'api_key' under config", "grep -rl api_key config"),
    ("find the 3 largest files in /var/log", "find /var/log -type f -printf '%s %p\\n' | sort -nr | head -n 3"),
    ("replace foo with bar in all python files", "find . -name '*.py' -exec sed -i 's/foo/bar/g' {} +"),
    ("make all files in bin executable", "find bin -exec chmod +x {} \\;"),
    ("find python files not containing TODO", "find . -name '*.py' -exec grep -L TODO {} +"),
    ("find all symbolic links pointing to missing files", "find . -xtype l"),
    ("sum the sizes of all .mp4 files", "find . -name '*.mp4' -exec du -ch {} + | tail -n 1"),
    ("find log files not modified in the last 30 days", "find . -name '*.log' -mtime +30"),
    ("find directories under site and set their permission to 755", "find site -type d -exec chmod 755 {} \\;"),
    ("find files writable by group and others under /srv", "find /srv -perm -go+w"),
    ('locate all "LICENSE" files under vendor', "find vendor -name LICENSE"),
    ('search the regular files under src for the string "fixme"', "find src -type f -exec grep fixme {} \\;"),
    ("find c files in \"$SRC_DIR\" and archive them into src.tar.gz",
     "find \"$SRC_DIR\" -name '*.c' -print0 | xargs -0 tar -czvf src.tar.gz"),
])
def test_parts_of_the_request_become_parts_of_the_command(request_text, expected):
    got = compose(request_text)
    assert got is not None, request_text
    assert got.command == expected


@pytest.mark.parametrize("request_text", [
    "show running processes",
    "what is my ip address",
    "kill the process on port 8080",
    "install the requests package",
    "create a directory called build",
    "show the git log for the last week",
    "split big.log into 100 MB pieces",
    "rename all .jpeg files to .jpg in this folder",       # a bare listing would not rename anything
    "show the last 50 lines of every file in /var/log/nginx",
    "find and delete all core files in my home directory and below",   # "core files" not understood: no rm of everything
    "list files sorted by modification time",                          # ls -t, not find | sort by name
    "copy the directory photos to /backup recursively",                # one named directory: cp -r
    "search for TODO in all python files",                             # a text the rules did not read
    "show the 3 biggest directories in /var",                          # directory sizes: du
])
def test_requests_about_other_things_are_left_alone(request_text):
    assert compose(request_text) is None


def test_values_are_quoted_for_the_shell():
    got = compose("find files named \"it's here.txt\"")
    assert got.command == "find . -name 'it'\\''s here.txt'"
    got = compose("find files in $HOME/notes modified in the last 2 days")
    assert got.command == "find \"$HOME/notes\" -mtime -2" or got.command == "find $HOME/notes -mtime -2"


def test_bsd_flavour_avoids_gnu_only_predicates():
    assert "-executable" in compose("find executable files under bin").command
    assert "-executable" not in compose("find executable files under bin", flavour="bsd").command
    assert compose("find the 2 biggest files in logs", flavour="bsd").command == \
        "find logs -type f -exec stat -f '%z %N' {} + | sort -nr | head -n 2"


def test_white_space_safe_requests_go_through_xargs_0():
    assert compose("remove all .tmp files under cache, safe for spaces in file names").command == \
        "find cache -name '*.tmp' -print0 | xargs -0 rm"


@pytest.fixture
def tree(tmp_path):
    """A small tree with known names, sizes and ages."""
    tmp_path = tmp_path / "tree"
    now = time.time()
    files = {"a/notes.md": 10, "a/b/deep.md": 10, "a/b/big.bin": 3_000_000, "top.log": 5, "old.log": 5,
             "src/main.py": 100, "src/util.py": 100, "src/.hidden.py": 1, "empty.txt": 0,
             "a/my notes.txt": 3, "a/to-do.txt": 3}
    for rel, size in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * size)
    (tmp_path / "src" / "main.py").write_text("print('TODO: tidy')\n")
    old = now - 40 * 86400
    os.utime(tmp_path / "old.log", (old, old))
    (tmp_path / "emptydir").mkdir()
    return tmp_path


def _run(cmd: str, cwd) -> set[str]:
    out = subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, (cmd, out.stderr)
    assert "warning" not in out.stderr, out.stderr
    return {line.removeprefix("./") for line in out.stdout.split("\n") if line}


@pytest.mark.parametrize("request_text, expected", [
    ("find all markdown files recursively", {"a/notes.md", "a/b/deep.md"}),
    ("find files bigger than 1 MB", {"a/b/big.bin"}),
    ("find log files older than 30 days", {"old.log"}),
    ("find empty files and directories", {"empty.txt", "emptydir"}),
    ("find python files in src excluding hidden files", {"src/main.py", "src/util.py"}),
    ("find markdown files at most 2 levels deep", {"a/notes.md"}),
    ("list the files containing 'TODO' under src", {"src/main.py"}),
    ("count the python files in src", {"3"}),
    ("find files containing spaces in their names", {"a/my notes.txt"}),
    ("list files whose names contain a dash", {"a/to-do.txt"}),
])
def test_composed_commands_run_under_real_find(tree, request_text, expected):
    got = compose(request_text)
    assert got is not None
    assert _run(got.command, tree) == expected, got.command


def test_delete_runs_and_removes_only_what_was_described(tree):
    got = compose("delete log files older than 30 days")
    _run(got.command, tree)
    assert not (tree / "old.log").exists() and (tree / "top.log").exists()


def test_replacement_runs_under_real_sed_and_takes_the_text_literally(tree):
    (tree / "src" / "util.py").write_text("a.b = 1\nab = 2\n")
    got = compose('replace "a.b" with "x/y" in all python files under src')
    _run(got.command, tree)
    assert (tree / "src" / "util.py").read_text() == "x/y = 1\nab = 2\n"      # "." is not a wildcard
    assert (tree / "a" / "notes.md").read_text() == "x" * 10                      # other files untouched
