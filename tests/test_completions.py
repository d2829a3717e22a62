from caro.cli.completion import FILES, render
from conftest import ROOT


def test_completions_are_current():
    for shell, name in FILES.items():
        assert (ROOT / "completions" / name).read_text() == render(shell), f"regenerate completions/{name}"
