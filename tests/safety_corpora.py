"""The public safety corpora (../shared/bench/safety) and where caro disagrees with their labels.

The corpora are test data only; nothing here is copied into caro. A corpus label is that project's
policy, not ground truth. Where caro deliberately lets a row labelled dangerous through, the row
must fall into exactly one category below, each with the reason caro judges otherwise, and each
category's size per corpus is pinned: a new miss cannot hide in a category without changing a
number here (tests/test_safety_corpora.py checks both).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path


def _bench() -> Path:
    """CARO_BENCH_DIR, else ../shared/bench beside the checkout, else this machine's copy (a CI clone may
    live elsewhere)."""
    for d in (
        os.environ.get("CARO_BENCH_DIR"),
        Path(__file__).resolve().parent.parent.parent / "shared" / "bench",
        "/work/shared/bench",
    ):
        if d and (Path(d) / "safety").is_dir():
            return Path(d) / "safety"
    return Path("/nonexistent")


BENCH = _bench()
CORPORA = ("dcg", "shellfirm")


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (BENCH / f"{name}.jsonl").read_text().splitlines() if line.strip()]


@dataclass(frozen=True)
class Disagreement:
    name: str
    why: str
    pattern: str  # matched against the whole command
    counts: tuple[int, int]  # rows in (dcg, shellfirm)

    def matches(self, cmd: str) -> bool:
        return re.search(self.pattern, cmd, re.DOTALL) is not None


# Rows labelled dangerous that caro allows (moderate rows carry a note), by reason.
DISAGREEMENTS = (
    Disagreement(
        "named-project-delete",
        "Deleting a directory or file the user named (`rm -rf build`, `rm -rf src`, `rm file`, `rmdir x`) is the "
        "request itself; caro shows a note with what is deleted, and warns only for wide targets "
        "(/, ~, system, *, unset variables).",
        r"^(sudo )?rm(dir)?\s+(-[-\w]+\s+)*(\./)?(build|node_modules|src|Cargo\.toml|file\.txt|TestFolder|/this/is/a/very/long/\S+)\s*$"
        r"|^rmdir\s",
        (5, 14),
    ),
    Disagreement(
        "tmp-delete-in-code",
        "A one-line program deleting a directory under /tmp is housekeeping; `rm -r /tmp/x` gets the same note.",
        r"^python3?\s.*(rmtree|remove)\(\s*['\"]/tmp/",
        (5, 0),
    ),
    Disagreement(
        "does-nothing",
        "The line cannot do what the label fears: rm with no operand, git subcommands in capitals, a "
        "literal backslash before a letter (`\\trm` runs `trm`, `reset\\n--hard` passes `n--hard`), "
        "an incomplete chmod, `parted --version`, `mv` into /dev/null among several operands.",
        r"^echo yes \| rm -rf &&|^git RESET|^git reset\\n|^bash <<-EOF\n\\trm|^chmod( -R)?( \.\.\.| file\.txt)?$"
        r"|^parted --version|^mv file1 /dev/null file2$",
        (4, 5),
    ),
    Disagreement(
        "versioned-or-reversible-remote",
        "Remote changes that keep history or can be undone: AWS Secrets Manager keeps the previous "
        "version, `rclone move` keeps the data at the destination, Heroku/GitHub/Netlify renames, "
        "maintenance mode, restarts, key rotation and env copies, `gh repo edit --visibility private` "
        "(making a repository public does warn).",
        r"^aws secretsmanager (update-secret|put-secret-value)|^rclone move|heroku\s+(maintenance:on|apps:rename|ps:restart|"
        r"clients:(rotate|update)|access:update)|gh\s+repo\s+(rename|edit.*--visibility\s+(private|internal))|netlify\s+env:clone",
        (7, 25),
    ),
    Disagreement(
        "everyday-git",
        "Ordinary version-control steps git can undo through the reflog: add, commit -a, bisect, "
        "cherry-pick, rebase, merge, tag, stash pop, plain reset, reset --merge (stops rather than "
        "losing changes), submodule update/deinit, worktree add/remove without --force, unstaging.",
        r"^git\s+(bisect|cherry-pick|rebase|merge|reset(\s+--merge)?(\s+HEAD~1)?\s*$|worktree\s+(add|remove\s+\.\./other$)|add|"
        r"commit|tag|stash\s+pop|submodule|restore\s+--staged)",
        (2, 36),
    ),
    Disagreement(
        "cluster-operations",
        "Routine, reversible cluster operations: scale, rollout restart/pause/resume/undo, set env, "
        "cordon, helm rollback. Deleting, draining and forced replacement do warn.",
        r"^(k|kubectl)\s+(scale|rollout|set\s+env|cordon)|^helm\s+rollback",
        (0, 12),
    ),
    Disagreement(
        "named-process-or-service",
        "Stopping a named process or service is what was asked and is undone by starting it again: "
        "`kill PID`, `kill -9 PID` (noted), `pkill name`, `killall name`, `systemctl stop/disable/mask "
        "name`. Killing everything, PID 1, root's processes or the network/SSH service is blocked or warned.",
        r"^(kill|pkill|killall)\s|^systemctl\s+(stop|disable|mask)\s",
        (0, 16),
    ),
    Disagreement(
        "read-only-or-routine-disk",
        "Listing or inspecting disks and routine mounting change no data: `fdisk -l`, `sfdisk -l`, "
        "`gdisk -l`, `parted … print`, `blockdev --get*/--report/--rereadpt/--flushbufs/--setro/--setrw`, "
        "`partprobe`, `mount` (also remount), `cryptsetup open/close/luksDump/isLuks/resize/luksAddKey/"
        "luksRemoveKey`, `dump` (reads the device into a file), `restore -r` (writes into the current "
        "directory). Formatting, partitioning and raw writes to a device are blocked or warned.",
        r"^(sudo\s+)?(fdisk|sfdisk|gdisk)\s.*-l|^(sudo\s+)?(fdisk|sfdisk|gdisk)\s+-l|^parted\s+/dev/\S+\s+print|^blockdev\s|^partprobe\s"
        r"|^(sudo\s+)?mount\s|^cryptsetup\s+(open|close|luksDump|isLuks|resize|luksAddKey|luksRemoveKey)\s|^dump\s|^restore\s",
        (0, 57),
    ),
    Disagreement(
        "named-file-overwrite",
        "Overwriting, emptying or shredding a file the user named (`echo x > file.txt`, `truncate -s 0 "
        "file.txt`, `shred secret.txt`) is the request. Writes to system, auth and shell start-up files "
        "are warned or blocked.",
        r"^(echo \"test\"|cat\s+file\.old\.txt)\s*>\s*(Cargo\.toml|file\.txt)$|^(shred|truncate)\s.*(secret|file)\.txt$",
        (0, 12),
    ),
    Disagreement(
        "filtered-find-delete",
        "`find . -name '*.log' -delete` and age/size-filtered deletes in the current tree are the "
        "request; caro notes them. Unfiltered deletes and deletes across /, ~ or system trees are warned "
        "or blocked.",
        r"^find \.\s.*-(mtime|name|size)\s.*-delete$",
        (0, 3),
    ),
    Disagreement(
        "dry-run",
        "A rehearsal changes nothing: `rsync -n --delete`, `git clean -n`. caro still notes what the "
        "real run would do.",
        r"^rsync\s+-\w*n\w*\s.*--delete|^git clean -\w*n\w*$",
        (0, 2),
    ),
    Disagreement(
        "ssh-agent-and-known-hosts",
        "`ssh-add -D` empties the agent (keys stay on disk); `ssh-keygen -R host` forgets one host key, "
        "which is re-learnt on the next connection.",
        r"^ssh-add -D$|^ssh-keygen -R ",
        (0, 3),
    ),
)


def disagreement(name: str, cmd: str) -> Disagreement | None:
    for d in DISAGREEMENTS:
        if d.matches(cmd):
            return d
    return None
