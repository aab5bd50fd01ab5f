"""optimizer_tuning.best_distinct: a search's hand-over of its best distinct programs."""
import pytest

from symsearch.evaluators import optimizer_proxy as proxy
from symsearch.evaluators import optimizer_tuning as tuning
from symsearch.spaces import optimizers as opt


def test_best_distinct_skips_equivalent_programs_and_returns_the_best_rescored():
    sgd, momentum = opt.sgd(), opt.sgd_momentum()
    program, fitness = tuning.best_distinct([sgd, opt.sgd(), momentum], top=2, seeds=(0,))
    scores = {name: proxy.evaluate(p, tier="large", seeds=(0,))["fitness"]
              for name, p in (("sgd", sgd), ("momentum", momentum))}
    best = min(scores, key=scores.get)
    assert fitness == pytest.approx(scores[best])
    assert opt.to_source(program) == opt.to_source(sgd if best == "sgd" else momentum)


def test_best_distinct_stops_at_top_and_refuses_an_empty_list():
    program, _ = tuning.best_distinct([opt.sgd(), opt.sgd()], top=1, seeds=(0,))
    assert opt.to_source(program) == opt.to_source(opt.sgd())
    with pytest.raises(ValueError, match="no programs"):
        tuning.best_distinct([], top=3)
