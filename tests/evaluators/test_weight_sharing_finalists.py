"""one_shot_search: an inherited-weight search whose best distinct candidates are scored
standalone, the best of those by the standalone score answered, its compute counted."""
import pytest

import symsearch as ss
from symsearch.evaluators.weight_sharing.finalists import distinct_top, one_shot_search
from symsearch.search.objectives import Objectives

SPACE = ss.Dict(a=ss.oneof([0, 1, 2, 3]), b=ss.oneof([0, 1, 2]))


class Proxy:
    """An inherited-weight stand-in: prefers a=2, b=1; counts its calls as supernet epochs."""
    epochs_done = 12.0

    def __call__(self, c):
        return {"val_loss": abs(c["a"] - 2) + 0.1 * abs(c["b"] - 1)}


def truth(c):
    return {"val_accuracy": c["a"] + c["b"], "epochs": 6}


def test_the_best_finalist_by_standalone_score_is_the_answer_and_its_epochs_count():
    found = one_shot_search(SPACE, Proxy(), truth, finalists=3, trials=40, algorithm="random")
    losses = [f.inherited["val_loss"] for f in found.finalists]
    assert losses == sorted(losses) and len(found.finalists) == 3
    assert len({f.dna for f in found.finalists}) == 3            # distinct
    assert dict(found.best) == {"a": 2, "b": 2}                  # the proxy's third, truth's best
    assert found.supernet_epochs == 12.0 and found.standalone_epochs == 18.0
    assert found.epochs == 30.0


def test_no_finalists_answers_the_inherited_best_at_the_supernets_compute():
    found = one_shot_search(SPACE, Proxy(), finalists=0, trials=40, algorithm="random")
    assert dict(found.best) == {"a": 2, "b": 1}
    assert found.standalone_epochs == 0.0 and found.epochs == 12.0


def test_distinct_key_merges_candidates_that_compute_the_same():
    result = ss.search(SPACE, Proxy(), objective="min:val_loss", algorithm="grid",
                       num_trials=12)
    top = distinct_top(result, Objectives.parse("min:val_loss"), 3, distinct=lambda c: c["a"])
    assert [c["a"] for c, _, _ in top] == [2, 1, 3]              # one per value of a
    assert [c["b"] for c, _, _ in top] == [1, 1, 1]              # each one's best b


def test_a_failing_finalist_is_kept_with_its_error_and_skipped():
    def flaky(c):
        if c["b"] == 2:
            raise RuntimeError("not in the table")
        return truth(c)
    found = one_shot_search(SPACE, Proxy(), flaky, finalists=3, trials=40, algorithm="random")
    failed = [f for f in found.finalists if f.error]
    assert failed and all("not in the table" in f.error for f in failed)
    assert found.best["b"] != 2 and found.standalone_epochs == 6.0 * (3 - len(failed))


def test_every_finalist_failing_is_an_error():
    def broken(c):
        raise RuntimeError("no table")
    with pytest.raises(RuntimeError, match="every finalist"):
        one_shot_search(SPACE, Proxy(), broken, finalists=2, trials=10, algorithm="random")


@pytest.mark.parametrize("kwargs, message", [
    ({"finalists": -1}, "'finalists' must be a non-negative int, got -1"),
    ({"finalists": 2.5}, "'finalists' must be a non-negative int"),
    ({"trials": 0}, "'trials' must be a positive int, got 0"),
    ({"finalists": 2, "standalone": None}, "finalists=2 needs a 'standalone' evaluator"),
])
def test_bad_arguments_are_named(kwargs, message):
    kwargs = {"standalone": truth, **kwargs}
    with pytest.raises(ValueError, match=message):
        one_shot_search(SPACE, Proxy(), **kwargs)


def test_with_a_supernet_evaluator_the_supernet_epochs_are_its_training():
    torch = pytest.importorskip("torch")
    from symsearch.evaluators.weight_sharing.cell_model import cell_network
    from symsearch.evaluators.weight_sharing.one_shot import SupernetEvaluator
    from symsearch.spaces.nas_cell import cell_space
    g = torch.Generator().manual_seed(0)
    data = {k: (torch.randn(n, 1, 8, 8, generator=g), torch.randint(0, 10, (n,), generator=g))
            for k, n in (("train", 64), ("val", 32))}
    space = cell_space(ops=("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3"))
    evaluator = SupernetEvaluator(space, cell_network, data=data, warmup_epochs=2,
                                  device="cpu")
    found = one_shot_search(space, evaluator, lambda c: {"val_accuracy": len(c.live_edges()),
                                                         "epochs": 6},
                            finalists=2, trials=8, algorithm="random",
                            distinct=lambda c: c.canonical_hash("function"))
    assert found.supernet_epochs == 2.0 and found.epochs == 14.0
    assert len({f.candidate.canonical_hash("function") for f in found.finalists}) == 2
    best_edges = len(found.best.live_edges())
    assert best_edges == max(len(f.candidate.live_edges()) for f in found.finalists)
