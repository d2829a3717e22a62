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
from metrics import best_of, flag_score, nlc2cmd, nlc2cmd_one, structure, template_match


def test_structure_sees_pipelines_exec_xargs_and_substitutions():
    s = structure("sudo find . -name '*.py' -exec grep -l TODO {} \\; | xargs -I{} wc -l {} && echo $(date +%s)")
    assert [u for u, _ in s] == ["find", "grep", "xargs", "wc", "echo", "date"]
    assert s[0][1] == {"-name", "-exec"} and s[1][1] == {"-l"} and s[3][1] == {"-l"}
    assert structure("tar -xzvf a.tgz")[0][1] == {"-x", "-z", "-v", "-f"}
    assert structure("env") == [("env", frozenset())] and structure("env FOO=1 make")[0][0] == "make"
    assert structure("chmod -x f") == [("chmod", frozenset())]  # a mode, not a flag


@pytest.mark.parametrize(
    "pred,gold,score",
    [
        ("ls -l", "ls -l", 1.0),
        ("ls -la", "ls -l", 0.5),  # f = (2·1 − 2)/2 = 0 → (1+0)/2
        ("ls", "ls", 1.0),  # no flags on either side: f = 1
        ("ls -a", "ls -l", -0.5),  # f = (2·0 − 2)/max(1,1,1) = −2 → (1−2)/2
        ("du -sh", "ls", -1.0),  # wrong utility
        ("ls | sort", "ls", 0.0),  # (1 + −1) / 2 positions
        ("grep -r x . | wc -l", "grep -rn x . | wc -l", 0.75),  # grep f = (2−2)/2 = 0 → 0.5; wc 1 → mean
    ],
)
def test_nlc2cmd_hand_computed(pred, gold, score):
    assert nlc2cmd_one(pred, gold) == pytest.approx(score)


def test_flag_score_and_aggregation():
    assert flag_score(frozenset(), frozenset()) == 1.0
    assert flag_score(frozenset({"-a", "-b"}), frozenset({"-a", "-b"})) == 1.0
    assert flag_score(frozenset({"-a"}), frozenset({"-b", "-c"})) == pytest.approx(-3 / 2)
    assert nlc2cmd("ls -l", ["du", "ls -l"]) == 1.0  # best gold counts
    assert nlc2cmd("", ["ls"]) == -1.0
    assert best_of(["du", "ls -l"], ["ls -l"]) == 1.0
    assert best_of(["du", "df"], ["ls"]) == -1.0  # none positive: the mean
    assert template_match("cp a.txt b.txt", ["cp x y"]) and not template_match("cp -r a b", ["cp x y"])
    assert not template_match("ls | wc -l", ["ls ; wc -l"])  # operators must agree
    assert not template_match("ls", ["ls > out.txt"])
    assert not template_match("sudo systemctl start ssh", ["systemctl status ssh"])  # subcommands are the command
    assert template_match("git log -n 3", ["git log -n 10"])


@pytest.fixture
def box():
    from sandbox import Sandbox, bwrap_available

    if not bwrap_available():
        pytest.skip("bubblewrap is not installed (test.sh installs it)")
    b = Sandbox(timeout=3)
    yield b
    b.close()


def test_sandbox_is_isolated(box, tmp_path):
    from sandbox import World, run_in, same_effect

    real_home = Path(os.environ["HOME"])
    before = set(os.listdir(real_home))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        out = box.run(
            f"touch ~/caro-sandbox-was-here; echo $HOME; (echo hi > /dev/tcp/127.0.0.1/{port}) 2>&1; echo rc=$?"
        )
        assert out.ran and "/work/home" in out.stdout and "rc=1" in out.stdout
        assert "work/home/caro-sandbox-was-here" in out.tree
        with pytest.raises(socket.timeout):
            listener.accept()  # nothing reached the host
        assert set(os.listdir(real_home)) == before
        # the host's system directories are read-only inside
        out = box.run("touch /etc/caro-escape; echo rc=$?")
        assert "rc=1" in out.stdout and not Path("/etc/caro-escape").exists()
        assert box.run("rm -rf ~").note.startswith("blocked")  # never run
        a, b = box.run("find . -size +1M -type f"), box.run("find . -type f -size +1M")
        assert same_effect(a, b) and not same_effect(a, box.run("touch x; find . -size +1M -type f"))
        assert box.run("sleep 30").note == "timed out"
        capped = box.run("yes caro")
        assert capped.note in ("output capped", "timed out") and len(capped.stdout) <= 256 * 1024
    finally:
        listener.close()
    # an ALFA-like world: /testbed is the copy's; deleting it in one run leaves the world intact
    root = tmp_path / "world"
    (root / "testbed").mkdir(parents=True)
    (root / "testbed" / "keep.txt").write_text("x")
    code, _, _ = run_in(root, "rm -rf /testbed/*", "/")
    assert code == 0 and not (root / "testbed" / "keep.txt").exists()  # run_in works on the root itself…
    (root / "testbed" / "keep.txt").write_text("x")
    from sandbox import Sandbox

    w = Sandbox(World(root))
    try:
        assert w.run("rm -rf /testbed/*").tree.get("testbed/keep.txt") is None
        assert (root / "testbed" / "keep.txt").exists()  # …a Sandbox only on copies
    finally:
        w.close()


def test_alfa_worlds_and_golds_score_against_themselves():
    from alfa import Alfa
    from sandbox import bwrap_available

    bench = ROOT.parent / "shared" / "bench"
    if not bwrap_available() or not (bench / "intercode_alfa").is_dir():
        pytest.skip("needs bubblewrap and ../shared/bench")
    a = Alfa(bench)
    try:
        tasks = [t for t in a.tasks if t["difficulty"] == 1][:12]
        scored = [a.score(t, t["gold"]) for t in tasks]
        assert sum(n for _, n in scored) >= 10  # a gold matches itself (a few outputs are not deterministic)
        assert a.score(tasks[0], "") == (False, False)
        assert a.score(tasks[0], "rm -rf /") == (False, False)  # blocked: scores 0, never run
    finally:
        a.close()


def test_everyday_set_is_well_formed():
    rows = [json.loads(l) for l in (ROOT / "benchmarks" / "sets" / "everyday.jsonl").read_text().splitlines()]
    assert len(rows) >= 100 and len({r["request"] for r in rows}) == len(rows)
    assert all(r["accept"] and r["category"] for r in rows)
    assert sum(1 for r in rows if r.get("bsd")) >= 10 and sum(r["exec"] for r in rows) >= 40


def test_fresh_set_is_frozen_and_split():
    rows = [json.loads(l) for l in (ROOT / "benchmarks" / "sets" / "fresh.jsonl").read_text().splitlines()]
    import hashlib

    digest = hashlib.sha256((ROOT / "benchmarks" / "sets" / "fresh.jsonl").read_bytes()).hexdigest()
    # written before the engine was rebuilt; editing it would make the held-out figures meaningless
    assert digest == "36686f19de63b9b149d9d5b72b6513811cb5ae8652241f373704d7ea5ae0d098"
    assert len(rows) >= 150 and {r["split"] for r in rows} == {"dev", "heldout"}
    assert {r["shell"] for r in rows} == {"bash", "zsh", "fish"} and sum(r["readonly"] for r in rows) >= 50


def test_second_heldout_set_is_frozen():
    """benchmarks/sets/fresh2.jsonl: 118 more requests, all held out, written on 2026-12-06 before that
    day's engine changes. Nothing may be tuned on it; editing it would make its figures meaningless."""
    import hashlib

    digest = hashlib.sha256((ROOT / "benchmarks" / "sets" / "fresh2.jsonl").read_bytes()).hexdigest()
    assert digest == "b6a5056b11786a49a74c56f6b7aa2ef4b5fead1ec90978c1ce7109399954e68c"
    rows = [json.loads(l) for l in (ROOT / "benchmarks" / "sets" / "fresh2.jsonl").read_text().splitlines()]
    assert len(rows) >= 100 and {r["split"] for r in rows} == {"heldout"}
    assert len({r["request"] for r in rows}) == len(rows)
    assert {r["shell"] for r in rows} == {"bash", "zsh", "fish"} and sum(r["readonly"] for r in rows) >= 50


def test_third_heldout_set_is_frozen():
    """benchmarks/sets/fresh3.jsonl: 172 requests, all held out, written blind on 2026-12-07 by a helper
    session that saw neither the engine nor any of its answers or failures, from a brief (all categories,
    bash/zsh/fish, BSD rows, read-only questions with tempting answers), and frozen before that day's
    documentation engine was measured. Nothing may be tuned on it."""
    import hashlib

    digest = hashlib.sha256((ROOT / "benchmarks" / "sets" / "fresh3.jsonl").read_bytes()).hexdigest()
    assert digest == "f80fb02a135ca2bf845670aa0b7543964ed72535d00fe8bd752c6a21140d36be"
    rows = [json.loads(l) for l in (ROOT / "benchmarks" / "sets" / "fresh3.jsonl").read_text().splitlines()]
    assert len(rows) >= 150 and {r["split"] for r in rows} == {"heldout"}
    assert len({r["request"].lower() for r in rows}) == len(rows)
    assert {r["shell"] for r in rows} == {"bash", "zsh", "fish"} and sum(r["readonly"] for r in rows) >= 60
    assert sum(bool(r.get("bsd")) for r in rows) >= 12 and sum(r["exec"] for r in rows) >= 70


def test_fish_answers_are_scored_as_fish():
    # a fish loop is read in fish: right loops match, a bash loop does not
    gold = ["for f in *.py; wc -l $f; end"]
    assert template_match("for x in *.py; wc -l $x; end", gold, "fish")
    assert not template_match("for f in *.py; do wc -l $f; done", gold, "fish")
    assert nlc2cmd("for x in *.py; wc -l $x; end", gold, "fish") == 1.0


def test_readonly_set_agrees_with_the_intent_guard():
    """benchmarks/sets/readonly.jsonl: read-only questions with tempting answers that change state.
    The guard must see every request as read-only (else it would not protect it) and must let every
    accepted answer through (else it would refuse the right command and ask again)."""
    from quality import load

    from caro.engine import intent

    rows = load("readonly")
    assert len(rows) >= 60 and len({r["request"] for r in rows}) == len(rows)
    assert {r["shell"] for r in rows} == {"bash", "zsh", "fish"}
    assert [r["request"] for r in rows if not intent.read_only(r["request"])] == []
    assert [(r["request"], g) for r in rows for g in r["golds"] if intent.state_changes(g, r["shell"])] == []


def test_quality_smoke_on_fresh_dev_slice(monkeypatch):
    """Guards the pipeline end to end on a fixed slice of the dev split (never the held-out one),
    with the tldr pages (the shared snapshot), so the gate, the documented answer and (where the
    candidates differ) the reviewer run too. The threshold sits well below the measured figure so
    only a real regression trips it."""
    from quality import CaroRunner, evaluate, load

    tldr = ROOT.parent / "shared" / "tldr" / "tldr-pages.en.zip"
    if tldr.is_file():
        monkeypatch.setenv("CARO_DOCS", str(tldr))
    from sandbox import Sandbox, bwrap_available

    rows = load("fresh-dev")[::4]  # 20 requests across all categories
    box = Sandbox() if bwrap_available() else None
    try:
        res = evaluate(rows, CaroRunner(None, None, "/work"), box)
    finally:
        if box:
            box.close()
    assert res["correct"] >= 0.55, [(i["request"], i["pred"]) for i in res["items"] if not i["correct"]]
    assert res["state_changes"] == 0
    from caro.knowledge.tldr import unfilled

    assert [i["pred"] for i in res["items"] if unfilled(i["pred"], i["request"])] == []  # no placeholders
    sure = sum(bool(i["work"].get("sure")) for i in res["items"])
    assert 0 < sure < len(rows)  # the model was sure of some drafts (no doc pass), not of all
    if tldr.is_file():
        assert res["second_pass"] > 0  # an unsure draft got its documented second answer
