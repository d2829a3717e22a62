"""Pure parts: reply parsing, slots, retrieval, protocol, config, prompt."""
import json

import pytest

from caro import config, parse, protocol, slots
from caro.backends.base import Prompt
from caro.examples import Library, parse_library


@pytest.mark.parametrize("reply,expected", [
    ('{"command": "ls -la", "explanation": "list"}', "ls -la"),
    ("{'command': 'df -h',}", "df -h"),
    ('Sure! {"command": "du -sh .", "explanation": "size"', "du -sh ."),
    ("```bash\n$ find . -size +100M\n```", "find . -size +100M"),
    ("Here is the command:\n\n    ls -S | head -n 5", "ls -S | head -n 5"),
    ("$ git status", "git status"),
    ('{"name": "run_shell", "arguments": {"command": "uptime"}}', "uptime"),
    ('{"name": "run_shell", "arguments": "{\\"command\\": \\"whoami\\"}"}', "whoami"),
    ("You can use `ps aux` to see processes.", "ps aux"),
])
def test_extract(reply, expected):
    assert parse.extract(reply).command == expected


@pytest.mark.parametrize("reply", ["", "   ", "I cannot help with that.", "Sure, here you go:"])
def test_extract_rejects(reply):
    with pytest.raises(parse.NoCommand):
        parse.extract(reply)


def test_slots():
    s = slots.extract("find python files bigger than 100MB in ~/Downloads modified in the last 3 days")
    assert s.first("size") == "100M" and s.first("ext") == "py" and s.first("days") == "3"
    assert "~/Downloads" in s.values["path"]
    s = slots.extract("kill the process on port 8080")
    assert s.first("port") == "8080"
    s = slots.extract("copy notes.txt to backup/notes.txt")
    assert s.first("src") == "notes.txt" and s.first("dst") == "backup/notes.txt"
    s = slots.extract("show the 5 biggest files")
    assert s.first("count") == "5"
    assert slots.extract("files over 1.5GB").first("size") == "1536M"
    assert slots.extract("print the 3rd column of data.txt").first("col") == "3"
    assert slots.extract("sort it by the second comma separated field").first("col") == "2"
    assert slots.extract("show column 4 of x.csv").first("col") == "4"
    s = slots.extract("show from line 5 to line 9 of a.txt")
    assert (s.first("lstart"), s.first("lend")) == ("5", "9")
    assert slots.extract("ssh to web1 with X11 forwarding").first("host") == "web1"
    assert slots.extract("copy my ssh key to the server").first("host") is None


def test_quoted_values_are_data_not_words():
    s = slots.extract('make "pretty-json" executable')
    assert s.first("word") == "pretty-json"
    # "pretty" and "json" inside the quotes must not pull in jq's pretty-printing examples
    assert Library.load().candidates('Give execute permission to "pretty-json"')[0].command in (
        "chmod +x pretty-json", "chmod u+x pretty-json")
    s = slots.extract('connect to host "h1" as user "bob" and bring down interface eth0.')
    assert s.first("host") == "h1" and s.first("user") == "bob" and s.first("name") == "eth0"
    assert slots.extract("create nested directories a/b/c").first("dir") == "a/b/c"


def test_into_variable_splits_the_request():
    from caro.engine import into_variable
    assert into_variable('Save the md5 sum of "$iso" to variable "sum"') == ('md5 sum of "$iso"', "sum")
    assert into_variable("find all txt files and save the list in variable FILES") == ("find all txt files", "FILES")
    assert into_variable("save my work") is None


def test_library_size_and_variants():
    lib = Library.load()
    assert len(lib.examples) >= 500
    assert sum(1 for e in lib.examples if e.bsd) >= 40
    cats = {e.category for e in lib.examples}
    assert {"files", "text", "archives", "processes", "network", "disk", "git", "docker", "systemd", "packages",
            "permissions", "ssh"} <= cats


@pytest.mark.parametrize("request_,expected", [
    ("list files bigger than 100MB here", "find . -type f -size +100M"),
    ("show the 5 biggest files", "ls -S | head -n 5"),
    ("undo the last commit but keep my changes", "git reset --soft HEAD~1"),
    ("what is using port 3000", "lsof -i :3000"),
    ("extract backup.tar.gz", "tar -xf backup.tar.gz"),
    ("how much disk space is free", "df -h"),
    ("print the 3rd column of data.txt", "awk '{print $3}' data.txt"),
    ("print lines 20 to 30 of server.log", "sed -n '20,30p' server.log"),
    ("sort file.csv by the second comma separated field", "sort -t, -k2 file.csv"),
    ("make a directory named build", "mkdir build"),
    ("make a symlink called latest pointing to /opt/app/v2", "ln -s /opt/app/v2 latest"),
    ("rename all .jpeg files to .jpg", 'for f in *.jpeg; do mv -- "$f" "${f%.jpeg}.jpg"; done'),
    # a shared word must not outvote the verb: listing is not stopping, a checksum is not a check
    ("list running docker containers", "docker ps"),
    ("show the sha256 checksum of image.iso", "sha256sum image.iso"),
    ("give the group write permission on shared/", "chmod g+w shared/"),
    ("show the path of the current git repo root", "git rev-parse --show-toplevel"),
    ("copy the directory photos to /backup recursively", "cp -r photos /backup"),
    ("print the 2nd line of file.txt", "sed -n '2p' file.txt"),
    ("get the value of the name key from config.json", "jq '.name' config.json"),
    ("shut down in 10 minutes", "sudo shutdown -h +10"),
    ("print the numbers from 1 to 10", "seq 1 10"),
    ("print the value of the HOME variable", 'echo "$HOME"'),
    ("set the variable count to 5", "count=5"),
    ("print the 5th word of each line in text.txt", "awk '{print $5}' text.txt"),
    ("append a line to todo.txt", "echo 'TEXT' >> todo.txt"),
    ("search recursively for TODO but skip the node_modules directory", "grep -r --exclude-dir=node_modules 'TODO' ."),
    # characters named in words, in the direction asked
    ("replace commas with tabs in data.csv", "sed -i 's/,/\\t/g' data.csv"),
    ("convert tabs to commas in data.tsv", "tr '\\t' ',' < data.tsv"),
    ("convert commas to tabs in data.csv", "tr ',' '\\t' < data.csv"),
    ("find the largest directory under /home", "du -h /home | sort -rh | head -n 1"),
])
def test_retrieval_top_candidate(request_, expected):
    cands = Library.load().candidates(request_)
    assert cands[0].command == expected


def test_shell_values_keep_variables_expanding():
    q = slots.shell_value
    assert q("notes.txt") == "notes.txt" and q("my notes.txt") == "'my notes.txt'"
    assert q("$file") == '"$file"' and q("${USER}") == '"${USER}"' and q("$HOME/x y") == "'$HOME/x y'"
    assert q("*.log") == "'*.log'" and q("*.log", keep_globs=True) == "*.log"
    assert q("it's") == "'it'\\''s'"
    assert Library.load().candidates('make "$script" executable')[0].command == 'chmod +x "$script"'


def test_one_value_in_two_slots_is_a_clash():
    from caro.examples import _fill
    s = slots.extract("make a directory named build")
    cmd, missing, _, clashes = _fill("ln -s {path} {name}", s)
    assert cmd == "ln -s build build" and clashes == 1 and not missing
    cmd, _, _, clashes = _fill("tar -czf {dir}.tar.gz {dir}", slots.extract("compress the folder logs"))
    assert cmd == "tar -czf logs.tar.gz logs" and clashes == 0


def test_bsd_variant_and_user_examples(tmp_path):
    lib = Library.load()
    assert lib.candidates("show the kernel version")[0].command == "uname -r"
    mem = lib.candidates("show memory usage", flavour="bsd")[0].command
    assert mem == "vm_stat"
    f = tmp_path / "examples.toml"
    f.write_text('[[example]]\nrequest = "deploy the site"\ncommand = "make deploy"\n')
    assert Library.load(f).candidates("deploy the site")[0].command == "make deploy"


def test_parse_library_format():
    ex = parse_library("# files\nlist stuff => ls {path=.} @bsd ls -G {path=.}\n")
    assert ex[0].category == "files" and ex[0].bsd == "ls -G {path=.}"


def test_protocol_roundtrip():
    data = protocol.encode_request({"op": "suggest", "text": "héllo\nworld", "extra": "x"})
    assert protocol.complete(data)
    assert protocol.decode_request(data)["text"] == "héllo\nworld"
    assert protocol.decode_reply(protocol.encode_reply("insert", "ls", "")) == ["insert", "ls", ""]
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_request(b"nope\x00\x00")


def test_prompt_shapes():
    p = Prompt("sys", [("a", "b")], "req")
    assert [m["role"] for m in p.messages()] == ["system", "user", "assistant", "user"]
    assert p.completion_text().endswith("Request: req\nCommand:")


def test_config_precedence(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text('# mine\n[safety]\nmode = "strict"\n[helper]\nidle_minutes = 5\n')
    c = config.load(f, env={})
    assert c.get("safety.mode") == "strict" and c.sources["safety.mode"] == str(f)
    c = config.load(f, env={"CARO_SAFETY": "permissive"})
    assert c.get("safety.mode") == "permissive"
    c = config.load(f, env={"CARO_SAFETY": "permissive"}, flags={"safety.mode": "moderate"})
    assert c.get("safety.mode") == "moderate" and c.sources["safety.mode"] == "flag"
    assert config.load(tmp_path / "missing.toml", env={}).get("helper.idle_minutes") == 30


def test_config_errors_leave_file_untouched(tmp_path):
    f = tmp_path / "config.toml"
    for bad in ('[safety\nmode = 1', '[safety]\nmode = "loud"\n', 'a = 1\na = 2\n', '[backend.ollama]\nurl = "localhost:11434"\n'):
        f.write_text(bad)
        with pytest.raises(config.ConfigError) as e:
            config.load(f, env={})
        assert str(f) in str(e.value)
        with pytest.raises(config.ConfigError):
            config.set_value("helper.idle_minutes", "3", f)
        assert f.read_text() == bad


def test_config_set_keeps_comments(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("# my settings\n[safety]\nmode = \"strict\"  # careful\n")
    config.set_value("helper.idle_minutes", "10", f)
    text = f.read_text()
    assert "# my settings" in text and "# careful" in text and "idle_minutes = 10" in text
    assert (f.stat().st_mode & 0o777) == 0o600
    with pytest.raises(config.ConfigError):
        config.set_value("backend.vllm.api_key", "has space", f)
    with pytest.raises(config.ConfigError):
        config.set_value("shell.key", "F13", f)


def test_unknown_key_warns(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("[helper]\nidle_minuts = 3\n")
    assert any("idle_minuts" in w for w in config.load(f, env={}).warnings)
