"""The reviewer on the real bundled model: the request read backwards from each command.

What the engine relies on: a command that does all the request says explains it better than one
that leaves a part out; scoring several candidates side by side gives what scoring each alone gives,
and the runtime's prompt cache carries over from one press to the next. Not to the last digit:
llama.cpp decodes the candidates in shared steps whose batch size depends on timing, and its
kernels round differently per batch size (measured: up to 0.08 apart), so the scores are compared
within 0.1, and the ranking of clearly different commands must not move."""

from __future__ import annotations

import pytest

from caro import config
from caro.backends.embedded import EmbeddedBackend
from caro.engine import context, prompt


@pytest.fixture(scope="module")
def backend():
    b = EmbeddedBackend(config.load().get("backend.embedded.model"))
    yield b
    b.close()


CTX = context.Context("linux", "Debian", "bash", "/tmp", "gnu")


def _pairs(request: str, *commands: str):
    return [prompt.review(c, request, CTX) for c in commands]


@pytest.mark.parametrize(
    "request_, better, worse",
    [
        ("compress big.log with xz but keep the original file", "xz -k big.log", "xz big.log"),
        ("stash my changes including untracked files", "git stash -u", "git stash"),
        ("show kernel messages with human readable timestamps", "dmesg -T", "dmesg"),
    ],
)
def test_the_command_that_does_all_the_request_says_scores_higher(backend, request_, better, worse):
    hi, lo = backend.score(_pairs(request_, better, worse))
    assert hi > lo, (hi, lo)


def test_batched_scores_equal_single_scores_and_the_cache_changes_nothing(backend):
    request_ = "show the first 3 lines of notes.txt"
    cmds = ["head -n 3 notes.txt", "tail -n 3 notes.txt", "sed -n 1,3p notes.txt"]
    together = backend.score(_pairs(request_, *cmds))
    alone = [backend.score(_pairs(request_, c))[0] for c in cmds]
    again = backend.score(_pairs(request_, *cmds))
    assert together == pytest.approx(alone, abs=0.1) and again == pytest.approx(together, abs=0.1)
    assert together[0] > together[1] and again[0] > again[1] and alone[0] > alone[1]  # head, not tail
