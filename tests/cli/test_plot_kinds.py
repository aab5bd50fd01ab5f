"""``symsearch plot --kind``: every view as an image from the command line, and its errors.
(The views themselves are tested in tests/dashboard/test_static_plots.py.)"""
import pytest

from symsearch.cli.main import main
from tests.dashboard.conftest import run_search

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def two_objective_store(tmp_path):
    path = tmp_path / "two.db"
    run_search(path, 16, objective=["min:loss", "min:cost"])
    return path


@pytest.fixture
def searched_store(tmp_path):
    path = tmp_path / "search.db"
    run_search(path, 12)
    return path


def test_cli_plot_kinds_and_errors(two_objective_store, tmp_path, capsys):
    out = tmp_path / "slice.png"
    assert main(["plot", str(two_objective_store), "--kind", "slice", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG and capsys.readouterr().out == f"Wrote {out}\n"
    assert main(["plot", str(two_objective_store), "--kind", "intermediate", "--objective",
                 "5", "-o", str(out)]) == 2
    assert "objective=5 is out of range" in capsys.readouterr().err
    assert main(["plot", str(two_objective_store), "--kind", "nope", "-o", str(out)]) == 2


def test_pareto_of_one_objective_says_what_to_use(searched_store, tmp_path, capsys):
    assert main(["plot", str(searched_store), "--kind", "pareto", "-o",
                 str(tmp_path / "p.png")]) == 2
    assert "use --kind history" in capsys.readouterr().err


def test_cli_plot_options_reach_the_views(searched_store, tmp_path, capsys):
    for argv in (["--kind", "history", "--log"], ["--kind", "importance", "--method",
                                                   "ped-anova"], []):
        out = tmp_path / f"{len(argv)}.png"
        assert main(["plot", str(searched_store), *argv, "-o", str(out)]) == 0, argv
        assert out.read_bytes()[:8] == PNG and out.stat().st_size > 5000
    assert main(["plot", str(searched_store), "--method", "magic", "-o", "x.png"]) == 2
