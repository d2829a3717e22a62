"""The documentation caro writes with: tldr pages read, searched, pulled and found where clients keep them.

Everything here reads the shared snapshot of the official `tldr-pages.en.zip` release asset
(`../shared/tldr/`, tldr-pages contributors, CC BY 4.0): GitHub cannot be reached from the test
machine, so `caro docs pull` is tested against a loopback server that serves that same file the way
GitHub's release download does (a redirect, then the archive)."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import zipfile

import pytest
from conftest import ROOT

SNAPSHOT = ROOT.parent / "shared" / "tldr" / "tldr-pages.en.zip"
pytestmark = pytest.mark.skipif(not SNAPSHOT.is_file(), reason="the shared tldr snapshot is not on this machine")


@pytest.fixture(scope="module")
def docs():
    from caro.knowledge.docs import Docs, Source

    return Docs.load(Source("test", SNAPSHOT, SNAPSHOT.stat().st_mtime), "linux")


def test_pages_are_read_with_one_spelling_per_option_and_placeholders_marked():
    from caro.knowledge.tldr import parse_page

    with zipfile.ZipFile(SNAPSHOT) as z:
        page = parse_page(z.read("common/git-stash.md").decode(), "common", "git-stash")
        tar = parse_page(z.read("common/tar.md").decode(), "common", "tar")
    assert page.name == "git-stash" and page.summary.startswith("Stash local Git changes")
    untracked = next(e for e in page.examples if "untracked" in e.description)
    assert untracked.template == "git stash -u"  # {{[-u|--include-untracked]}} → its first spelling
    create = tar.examples[0]
    assert create.description.startswith("create an archive") and "[" not in create.description  # mnemonics gone
    assert "{{path/to/target.tar}}" in create.template  # placeholders stay marked


def test_the_platform_page_wins_and_other_platforms_are_left_out(docs):
    from caro.knowledge.docs import Docs, Source

    assert docs.page("ip") is not None and docs.page("ip").platform == "linux"
    mac = Docs.load(Source("test", SNAPSHOT, 0), "darwin")
    assert mac.page("ip") is None or mac.page("ip").platform != "linux"
    assert mac.page("pbcopy") is not None and docs.page("pbcopy") is None


@pytest.mark.parametrize(
    "request_, page, template",
    [
        ("compress big.log with xz but keep the original file", "xz", "xz -k {{path/to/file}}"),
        ("stash my changes including untracked files", "git-stash", "git stash -u"),
        ("show the first 10 lines of a file", "head", None),
    ],
)
def test_search_finds_the_example_that_does_the_task(docs, request_, page, template):
    hits = docs.search(request_, k=3)
    assert hits and hits[0][1].page == page, [(round(s, 1), e.page, e.template) for s, e in hits]
    if template:
        assert hits[0][1].template == template


def test_grounding_uses_only_programs_installed_or_named(docs):
    from caro.knowledge import ground

    nothing = ground.examples(docs, "remove stopped containers", None, lambda p: False)
    assert nothing == []  # docker, podman, nerdctl, incus: none here, none named
    named = ground.examples(docs, "remove stopped podman containers", None, lambda p: False)
    assert named and {e.template.split()[0] for e in named} == {"podman"}
    # the draft's own program pulls in its pages, subcommand pages included
    got = ground.examples(docs, "stash my work including untracked files", "git stash", lambda p: p == "git")
    assert "git stash -u" in [e.template for e in got]
    assert len(got) <= ground.MAX_EXAMPLES and len({e.template for e in got}) == len(got)


def test_nothing_close_means_no_examples(docs):
    from caro.knowledge import ground

    assert ground.examples(docs, "qwxz blorft", None, lambda p: True) == []


@pytest.mark.parametrize(
    "command, request_, left",
    [
        ("docker rm <container_id>", "remove the web container", "<container_id>"),
        ("cat path/to/file", "show notes.txt", "path/to/"),
        ("xz -k {{path/to/file}}", "compress a.log", "{{"),
        ("ls -la <dir>", "list a dir", "<dir>"),
        ("scp a.txt user@host:", "copy a.txt to my server", "user@host"),
        ("scp a.txt user@host:", "copy a.txt to user@host", None),  # the user's own words
        ("grep -c '<div>' index.html", "count the div tags", None),  # an HTML tag is data
        ("sort <in.txt >out.txt", "sort in.txt into out.txt", None),  # redirections
        ("docker rm web", "remove the web container", None),
    ],
)
def test_placeholders_never_pass(command, request_, left):
    from caro.engine import checks
    from caro.knowledge.tldr import unfilled

    assert unfilled(command, request_) == left
    why = checks.problem(command, "bash", lambda p: True, False, request_)
    assert (why is not None and "placeholder" in why) == (left is not None)


def test_examples_are_shown_to_the_model_with_slots_it_fills():
    from caro.knowledge.tldr import render

    assert render("tar czf {{path/to/target.tar.gz}} {{path/to/file1 path/to/file2 ...}}") == (
        "tar czf <target.tar.gz> <file1 file2 ...>"
    )


def _cli(*args, env=None, **kw):
    return subprocess.run(
        [sys.executable, "-m", "caro", *args],
        capture_output=True,
        text=True,
        env=env or os.environ,
        cwd=str(ROOT),
        **kw,
    )


def test_docs_pull_from_a_file_checks_it_and_never_replaces_good_pages_with_bad(caro_home, tmp_path):
    bad = tmp_path / "not-pages.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("common/tar.md", "# tar\n")
    r = _cli("docs", "pull", "--from", str(bad))
    assert r.returncode == 1 and "common pages" in r.stderr and not list((caro_home / "docs").glob("*.zip"))
    r = _cli("docs", "pull", "--from", str(SNAPSHOT))
    assert r.returncode == 0, r.stderr
    dest = caro_home / "docs" / "tldr-pages.en.zip"
    assert dest.read_bytes() == SNAPSHOT.read_bytes() and "CC BY 4.0" in r.stderr
    r = _cli("docs", "pull", "--from", str(bad))
    assert r.returncode == 1 and dest.read_bytes() == SNAPSHOT.read_bytes()  # the good copy stays
    assert list((caro_home / "docs").iterdir()) == [dest]  # no partial file left behind
    s = _cli("docs", "status")
    assert s.returncode == 0 and "caro docs pull" in s.stdout and "0 days old" in s.stdout


class _Release(http.server.BaseHTTPRequestHandler):
    """GitHub's `releases/latest/download/NAME`: a 302 to the asset, then the bytes."""

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/releases/latest/download/"):
            self.send_response(302)
            self.send_header("Location", "/assets/tldr-pages.en.zip")
            self.end_headers()
        elif self.path == "/assets/tldr-pages.en.zip":
            data = SNAPSHOT.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.send_response(404)
            self.end_headers()


def test_docs_pull_downloads_the_release_asset_from_a_loopback_server(caro_home):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Release)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{srv.server_port}"
        r = _cli("docs", "pull", "--url", f"{base}/releases/latest/download/tldr-pages.en.zip")
        assert r.returncode == 0, r.stderr
        assert (caro_home / "docs" / "tldr-pages.en.zip").read_bytes() == SNAPSHOT.read_bytes()
        missing = _cli("docs", "pull", "--url", f"{base}/nothing.zip")
        assert missing.returncode == 1 and "HTTP 404" in missing.stderr
    finally:
        srv.shutdown()
    # a closed port: the message says how to do it offline, and nothing is lost
    r = _cli("docs", "pull", "--url", f"http://127.0.0.1:{srv.server_port}/x.zip")
    assert r.returncode == 1 and "--from FILE" in r.stderr
    assert (caro_home / "docs" / "tldr-pages.en.zip").is_file()


def test_a_tldr_clients_cache_is_found(caro_home, tmp_path, monkeypatch):
    from caro.knowledge import docs

    monkeypatch.delenv("CARO_DOCS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert docs.sources() == []
    tree = tmp_path / "cache" / "tealdeer" / "tldr-pages" / "pages.en"
    with zipfile.ZipFile(SNAPSHOT) as z:
        for name in ("common/tar.md", "common/xz.md", "linux/ip.md"):
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes(z.read(name))
    found = docs.sources()
    assert [s.kind for s in found] == ["tealdeer"]
    index = docs.current("linux")
    assert set(index.pages) == {"tar", "xz", "ip"}
    r = _cli("doctor", env=dict(os.environ))
    assert "docs" in r.stdout and "tealdeer" in r.stdout


def test_doctor_says_how_to_get_docs_when_there_are_none(caro_home, tmp_path, monkeypatch):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "none"), HOME=str(tmp_path / "h"))
    env.pop("CARO_DOCS", None)
    r = _cli("doctor", env=env)
    line = next(ln for ln in r.stdout.splitlines() if " docs " in ln)
    assert "caro docs pull" in line


@pytest.mark.parametrize(
    "command, description",
    [
        ("tar -czf a.tgz dir", "create a gzipped archive and write it to a file"),
        ("git stash -u", "Stash current changes, including new untracked files"),
        ("xz -k big.log", "Compress a file, but don't delete the original"),
        ("ls -al", "List all files in long format (permissions, ownership, size, and modification date)"),
        ("qwxz --frob", None),
    ],
)
def test_a_command_is_matched_to_the_example_it_is_an_instance_of(docs, command, description):
    from caro.knowledge import ground

    e = ground.describe(docs, command)
    assert (e.description if e else None) == description


def test_a_quoted_placeholder_fixes_no_word():
    """`find {{path}} -name '{{*.ext}}'` once left two empty words that no command has, so a draft
    that already was this example got a second answer written for nothing."""
    from caro.knowledge import ground
    from caro.knowledge.tldr import Example

    e = Example("find", "common", "Find files by extension", "find {{root_path}} -name '{{*.ext}}'")
    assert ground.instance(e, 'find . -name "*.md"') and not ground.instance(e, "ls *.md")


def test_explain_shows_the_tldr_description_with_its_credit(monkeypatch):
    from caro import config
    from caro.backends.base import Backend
    from caro.engine.pipeline import Engine

    monkeypatch.setenv("CARO_DOCS", str(SNAPSHOT))
    line = Engine(config.load(), Backend()).explain("pgrep nginx", "bash", "/tmp")
    assert line.startswith("Return PIDs of any running processes with a matching command string (tldr-pages) · pgrep")


@pytest.mark.parametrize("cores, busy, threads", [(2, 0, 2), (2, 1, 1), (2, 5, 1), (8, 1, 4), (8, 6, 2), (1, 0, 1)])
def test_threads_are_the_cores_nobody_else_is_using(cores, busy, threads):
    from caro.backends.embedded import threads_now

    assert threads_now(cores, busy) == threads


@pytest.mark.parametrize(
    "command,request_,filled",
    [
        ("find /path/to/directory -size +1M", "files over 1 MB under this directory", "find . -size +1M"),
        ("du -sh /path/to/folder", "how big is it", "du -sh ."),
        ("cp /path/to/notes.txt /tmp", "copy notes.txt to /tmp", "cp notes.txt /tmp"),
        ("tar czf /path/to/file.tgz src", "archive src", "tar czf /path/to/file.tgz src"),  # a file: not guessed
        ("scp a.txt user@server:/srv", "copy a.txt to server web1 in /srv", "scp a.txt web1:/srv"),
        ("ssh user@host", "log in to host db-2 as deploy", "ssh deploy@db-2"),
        ("ssh user@host", "log in to my server", "ssh user@host"),  # no machine named: it stays, and fails
    ],
)
def test_placeholders_the_request_answers_are_filled(command, request_, filled):
    """The model copies the pages' dummies; where the request says which folder or machine (or the
    folder is the one the user is in), the answer uses it instead of failing the check."""
    from caro.knowledge.tldr import fill

    assert fill(command, request_) == filled
