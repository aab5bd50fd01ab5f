"""Static images of every view, from Python and from ``symsearch plot --kind``."""
import pytest

from symsearch import viz
from tests.dashboard.conftest import run_search

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def two_objective_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("plots") / "two.db"
    run_search(path, 16, objective=["min:loss", "min:cost"])
    return path


@pytest.mark.parametrize("kind", viz.KINDS)
def test_every_kind_writes_an_image(two_objective_store, tmp_path, kind):
    output = viz.save_plot(two_objective_store, kind, str(tmp_path / f"{kind}.png"),
                           method="ped-anova")
    data = open(output, "rb").read()
    assert data[:8] == PNG and len(data) > 5000


def test_importance_ranks_the_decision_that_matters(tmp_path):
    import symsearch as ss
    path = tmp_path / "imp.db"
    ss.search(ss.Dict(a=ss.floatv(0.0, 1.0), b=ss.floatv(0.0, 1.0)),
              lambda c: {"loss": 10 * c["a"] + 0.01 * c["b"]}, objective="min:loss",
              algorithm="random", num_trials=40, seed=1, store=str(path))
    with viz.LiveStore(path) as live:
        for method in ("fanova", "ped-anova"):
            rows = viz.decision_importance(live.decisions(), 0, "min", method=method)
            assert rows[0]["name"] == "a" and rows[0]["importance"] > 0.8, (method, rows)
