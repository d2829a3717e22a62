"""The quality harness: metric implementations against hand-computed cases, the sandbox's
isolation, and a small smoke run of the real pipeline (not timed) over our everyday set."""
import json
import os
import socket
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from metrics import best_of, flag_score, nlc2cmd, nlc2cmd_one, structure, template_match  # noqa: E402


def test_structure_sees_pipelines_exec_xargs_and_substitutions():
    s = structure("sudo find . -name '*.py' -exec grep -l TODO {} \\; | xargs -I{} wc -l {} && echo $(date +%s)")
    assert [u for u, _ in s] == ["find", "grep", "xargs", "wc", "echo", "date"]
    assert s[0][1] == {"-name", "-exec"} and s[1][1] == {"-l"} and s[3][1] == {"-l"}
    assert structure("tar -xzvf a.tgz")[0][1] == {"-x", "-z", "-v", "-f"}
    assert structure("env") == [("env", frozenset())] and structure("env FOO=1 make")[0][0] == "make"
    assert structure("chmod -x f") == [("chmod", frozenset())]          # a mode, not a flag


@pytest.mark.parametrize("pred,gold,score", [
    ("ls -l", "ls -l", 1.0),
    ("ls -la", "ls -l", 0.5),              # f = (2·1 − 2)/2 = 0 → (1+0)/2
    ("ls", "ls", 1.0),                     # no flags on either side: f = 1
    ("ls -a", "ls -l", -0.5),              # f = (2·0 − 2)/max(1,1,1) = −2 → (1−2)/2
    ("du -sh", "ls", -1.0),                # wrong utility
    ("ls | sort", "ls", 0.0),              # (1 + −1) / 2 positions
    ("grep -r x . | wc -l", "grep -rn x . | wc -l", 0.75),   # grep f = (2−2)/2 = 0 → 0.5; wc 1 → mean
])
def test_nlc2cmd_hand_computed(pred, gold, score):
    assert nlc2cmd_one(pred, gold) == pytest.approx(score)


def test_flag_score_and_aggregation():
    assert flag_score(frozenset(), frozenset()) == 1.0
    assert flag_score(frozenset({"-a", "-b"}), frozenset({"-a", "-b"})) == 1.0
    assert flag_score(frozenset({"-a"}), frozenset({"-b", "-c"})) == pytest.approx(-3 / 2)
    assert nlc2cmd("ls -l", ["du", "ls -l"]) == 1.0                     # best gold counts
    assert nlc2cmd("", ["ls"]) == -1.0
    assert best_of(["du", "ls -l"], ["ls -l"]) == 1.0
    assert best_of(["du", "df"], ["ls"]) == -1.0                         # none positive: the mean
    assert template_match("cp a.txt b.txt", ["cp x y"]) and not template_match("cp -r a b", ["cp x y"])
    assert not template_match("ls | wc -l", ["ls ; wc -l"])              # operators must agree
    assert not template_match("ls", ["ls > out.txt"])
    assert not template_match("sudo systemctl start ssh", ["systemctl status ssh"])   # subcommands are the command
    assert template_match("git log -n 3", ["git log -n 10"])


def test_sandbox_is_isolated(tmp_path):
    from sandbox import Sandbox, same_effect
    try:
        box = Sandbox()
    except RuntimeError as e:
        pytest.skip(str(e))
    real_home = Path(os.environ["HOME"])
    before = set(os.listdir(real_home))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        out = box.run(f"touch ~/caro-sandbox-was-here; echo $HOME; (echo hi > /dev/tcp/127.0.0.1/{port}) 2>&1; echo rc=$?")
        assert out.ran and "<root>/home" in out.stdout and "rc=1" in out.stdout
        assert "home/caro-sandbox-was-here" in out.tree
        with pytest.raises(socket.timeout):
            listener.accept()                                            # nothing reached the host
        assert set(os.listdir(real_home)) == before
        assert box.run("rm -rf ~").note.startswith("blocked")              # never run
        a, b = box.run("find . -size +1M -type f"), box.run("find . -type f -size +1M")
        assert same_effect(a, b) and not same_effect(a, box.run("touch x; find . -size +1M -type f"))
        assert box.run("sleep 30").note == "timed out"
    finally:
        listener.close()
        box.close()


def test_everyday_set_is_well_formed():
    rows = [json.loads(l) for l in (ROOT / "benchmarks" / "sets" / "everyday.jsonl").read_text().splitlines()]
    assert len(rows) >= 100 and len({r["request"] for r in rows}) == len(rows)
    assert all(r["accept"] and r["category"] for r in rows)
    assert sum(1 for r in rows if r.get("bsd")) >= 10 and sum(r["exec"] for r in rows) >= 40


def test_quality_smoke_on_everyday_subset():
    """Guards parsing and retrieval: a fixed slice of our own set through the real pipeline.
    The threshold sits well below the measured figure so only a real regression trips it."""
    from quality import CaroRunner, evaluate, load
    from sandbox import Sandbox
    rows = load("everyday")[::4]                      # 31 requests across all categories
    box = Sandbox(allow_network=True)
    try:
        res = evaluate(rows, CaroRunner(None, None, str(box.fixture)), box)
    finally:
        box.close()
    assert res["correct"] >= 0.58, [(i["request"], i["pred"]) for i in res["items"] if not i["correct"]]
    assert res["nlc2cmd"] > 0.35           # measured on this slice: 71 % correct, 0.527
