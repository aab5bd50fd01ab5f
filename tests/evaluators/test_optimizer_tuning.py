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


def test_with_update_scale_multiplies_the_update_of_any_program():
    sign_descent = opt._program([("t0", "sign", "g"), ("update", "mul", "t0", 1.0)])
    assert tuning.with_update_scale(sign_descent, 1.0) is sign_descent
    scaled = tuning.with_update_scale(sign_descent, 0.01)
    assert opt.to_source(scaled).splitlines()[-2].strip() == "update = update * 0.01"
    # for a program whose update is proportional to lr, the scale is the lr multiplier
    momentum = opt.sgd_momentum()
    a = proxy.evaluate(tuning.with_update_scale(momentum, 0.1), tier="proxy")["fitness"]
    b = proxy.evaluate(momentum, tier="proxy", lr_multiplier=0.1)["fitness"]
    assert a == pytest.approx(b, rel=1e-9)
    with pytest.raises(ValueError, match="'scale' parameter"):
        tuning.with_update_scale(momentum, 0.0)


def test_funnel_scores_every_program_at_its_best_update_scale():
    from symsearch.evaluators import optimizer_family as family

    # unit steps (update = sign(g), lr unused) diverge as written, and are sign descent
    # at the scale 0.01
    unit_sign = opt._program([("update", "sign", "g")])
    as_written = proxy.FunnelEvaluator(opt.sgd_momentum(), suite=family.FAMILY_SUITE)
    scaled = proxy.FunnelEvaluator(opt.sgd_momentum(), suite=family.FAMILY_SUITE,
                                   update_scales=(0.01, 1.0))
    plain, best = as_written(unit_sign), scaled(unit_sign)
    assert plain["update_scale"] == 1.0 and plain["proxy_runs"] == 1.0
    assert best["update_scale"] == 0.01 and best["proxy_runs"] == 2.0
    assert best["fitness"] < 0.5 < plain["fitness"]
    at_001 = proxy.evaluate(tuning.with_update_scale(unit_sign, 0.01), tier="proxy",
                            suite=family.FAMILY_SUITE)["fitness"]
    assert best["fitness"] == pytest.approx(at_001)
    # the warm start is scored the same way: its best scale, not its scale 1
    warm = min(proxy.evaluate(tuning.with_update_scale(opt.sgd_momentum(), s), tier="proxy",
                              suite=family.FAMILY_SUITE)["fitness"] for s in (0.01, 1.0))
    assert best["warm_start_fitness"] == pytest.approx(warm)
    with pytest.raises(ValueError, match="'update_scales' parameter"):
        proxy.FunnelEvaluator(opt.sgd_momentum(), update_scales=(1.0, -1.0))


def test_tune_by_update_scale_matches_lr_tuning_and_tunes_lr_free_programs():
    grid = (0.01, 0.1, 1.0)
    by_lr = tuning.tune(lambda wd: opt.sgd_momentum(), tier="proxy", lr_grid=grid)
    by_scale = tuning.tune(lambda wd: opt.sgd_momentum(), tier="proxy", lr_grid=grid,
                           by="update_scale")
    assert by_scale.fitness == pytest.approx(by_lr.fitness, rel=1e-9)
    assert by_scale.step == by_lr.step and by_scale.lr == 1.0
    # a program that ignores lr: only the update scale moves its step size
    unit_sign = opt._program([("update", "sign", "g")])
    flat = tuning.tune(lambda wd: unit_sign, tier="proxy", lr_grid=grid)
    scaled = tuning.tune(lambda wd: unit_sign, tier="proxy", lr_grid=grid, by="update_scale")
    assert scaled.fitness < flat.fitness and scaled.update_scale < 1.0
    assert proxy.evaluate(scaled.program, tier="proxy")["fitness"] == \
        pytest.approx(scaled.fitness)
    with pytest.raises(ValueError, match="'by' parameter"):
        tuning.tune(lambda wd: unit_sign, by="momentum")
