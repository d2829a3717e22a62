from conftest import ROOT

from caro.cli.completion import FILES, render


def test_completions_are_current():
    for shell, name in FILES.items():
        assert (ROOT / "completions" / name).read_text() == render(shell), f"regenerate completions/{name}"
