"""Archive commands chosen from the verb and the archive's own extension, and run for real."""
import subprocess

import pytest

from caro.archivespec import compose


@pytest.mark.parametrize("request_text, expected", [
    ("pack the web directory into web.tar.gz", "tar -czf web.tar.gz web"),
    ("bundle the docs folder as docs.zip", "zip -r docs.zip docs"),
    ("make release.tar.xz from the build directory", "tar -cJf release.tar.xz build"),
    ("unpack assets.tgz into static", "tar -xf assets.tgz -C static"),
    ("extract photos.zip", "unzip photos.zip"),
    ("unzip photos.zip into album", "unzip photos.zip -d album"),
    ("decompress dump.sql.gz", "gunzip dump.sql.gz"),
    ("uncompress big.log.xz", "unxz big.log.xz"),
    ("what is inside backup.tar", "tar -tf backup.tar"),
    ("list the contents of lib.jar", "unzip -l lib.jar"),
    ("list what is in archive.zip without extracting it", "unzip -l archive.zip"),
])
def test_verb_and_extension_choose_the_tool(request_text, expected):
    got = compose(request_text)
    assert got is not None and got.command == expected


@pytest.mark.parametrize("request_text", [
    "download https://example.org/src.tar.gz",
    "find all .tar.gz files older than 3 days",
    "show disk usage",
    "rename old.zip",
])
def test_no_archive_action_means_no_answer(request_text):
    assert compose(request_text) is None


@pytest.mark.parametrize("ext", ["tar.gz", "tar.bz2", "tar.xz", "tar", "zip"])
def test_round_trip_with_the_real_tools(tmp_path, ext):
    (tmp_path / "proj" / "sub").mkdir(parents=True)
    (tmp_path / "proj" / "sub" / "a.txt").write_text("alpha\n")
    (tmp_path / "out").mkdir()
    steps = [compose(f"pack the proj directory into proj.{ext}"),
             compose(f"list what is inside proj.{ext}"),
             compose(f"extract proj.{ext} into out")]
    outputs = []
    for step in steps:
        assert step is not None
        r = subprocess.run(["bash", "-c", step.command], cwd=tmp_path, capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (step.command, r.stderr)
        outputs.append(r.stdout)
    assert "a.txt" in outputs[1]
    assert (tmp_path / "out" / "proj" / "sub" / "a.txt").read_text() == "alpha\n"
