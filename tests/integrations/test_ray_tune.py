"""SymsearchSearcher driving a real Ray Tune Tuner.fit() on a local 2-CPU Ray."""
import pickle

import pytest

import symsearch as ss

pytest.importorskip("ray.tune")
import ray  # noqa: E402
from ray import tune  # noqa: E402
from ray.tune.schedulers import ASHAScheduler  # noqa: E402

from symsearch.integrations.ray_tune import (  # noqa: E402
    SymsearchSearcher, candidate_from_config, initial_population)

SPACE = ss.Dict(x=ss.floatv(-2.0, 2.0), act=ss.oneof(["relu", "gelu"]),
                hidden=ss.oneof([(8,), (16, 8)]))


def loss_at(config, epoch):
    return (config["x"] - 0.5) ** 2 + (0.3 if config["act"] == "relu" else 0.0) + 1.0 / epoch


def trainable(config):
    candidate = candidate_from_config(SPACE, config)
    assert isinstance(candidate["hidden"], tuple)            # the exact candidate, not text
    for epoch in range(1, 5):
        tune.report({"loss": loss_at(config, epoch)})


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.timeout(240)
def test_tuner_fit_with_asha_feeds_every_trial_back_and_saves_the_searcher(local_ray, tmp_path):
    searcher = SymsearchSearcher(SPACE, "evolution", metric="loss", mode="min", seed=0)
    tuner = tune.Tuner(trainable, tune_config=tune.TuneConfig(
        search_alg=searcher, metric="loss", mode="min", num_samples=8,
        scheduler=ASHAScheduler(max_t=4, grace_period=1), max_concurrent_trials=2,
        reuse_actors=True),
        run_config=tune.RunConfig(storage_path=str(tmp_path), name="exp", verbose=0))
    results = tuner.fit()
    assert len(results) == 8 and not results.errors
    best = results.get_best_result()
    assert set(best.config) == {"x", "act", "hidden", "symsearch_dna"}
    told = searcher.search.result()
    assert len(told.trials) == 8 and all(r.status == "done" for r in told.trials)
    # What the algorithm was told is each trial's last result.
    assert told.best.metrics["loss"] == pytest.approx(best.metrics["loss"])
    # Tune saved the searcher into the experiment folder; it restores there.
    again = SymsearchSearcher(SPACE, "evolution", metric="loss", mode="min", seed=0)
    again.restore_from_dir(str(tmp_path / "exp"))
    assert again.get_state() == searcher.get_state()
    assert again.suggest("next") == searcher.suggest("next")


def test_save_restore_round_trips_state_and_outstanding_trials(tmp_path):
    searcher = SymsearchSearcher(SPACE, "tpe", metric="loss", mode="min", seed=1,
                                 config_format="candidate")
    for i in range(6):
        config = searcher.suggest(f"t{i}")
        searcher.on_trial_complete(f"t{i}", {"loss": loss_at(config["candidate"], 4)})
    open_config = searcher.suggest("open")
    searcher.save(str(tmp_path / "s.pkl"))
    restored = SymsearchSearcher(SPACE, "tpe", metric="loss", mode="min", seed=1,
                                 config_format="candidate")
    restored.restore(str(tmp_path / "s.pkl"))
    restored.on_trial_complete("open", {"loss": loss_at(open_config["candidate"], 4)})
    searcher.on_trial_complete("open", {"loss": loss_at(open_config["candidate"], 4)})
    assert restored.get_state() == searcher.get_state()
    assert pickle.loads(pickle.dumps(searcher)).get_state() == searcher.get_state()


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        SymsearchSearcher(SPACE, mode="up", metric="loss")
    with pytest.raises(RuntimeError, match="no metric/mode yet"):
        SymsearchSearcher(SPACE).suggest("t")
    searcher = SymsearchSearcher(SPACE)
    with pytest.raises(ValueError, match=r"param_space\['opt.lr'\] is a Ray Tune search domain"):
        searcher.set_search_properties("loss", "min", {"opt": {"lr": tune.uniform(0, 1)}})
    searcher = SymsearchSearcher(SPACE, metric="loss", mode="min")
    with pytest.raises(ValueError, match="TuneConfig says mode='max'"):
        searcher.set_search_properties("loss", "max", {})
    searcher.suggest("a")
    searcher.on_trial_complete("a", {"accuracy": 1.0})
    assert "no 'loss' metric" in searcher.search.result().trials[0].error
    searcher.on_trial_complete("never-suggested", {"loss": 1.0})      # ignored, logged
    assert len(searcher.search.result().trials) == 1
    with pytest.raises(KeyError, match="symsearch_dna"):
        candidate_from_config(SPACE, {"x": 1.0})


# ---- Population Based Training -------------------------------------------------------------
def pbt_trainable(config):
    """Checkpoints its step every iteration and resumes from the checkpoint PBT hands it."""
    import json
    import os
    import tempfile
    step = 0
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            with open(os.path.join(folder, "state.json")) as f:
                step = json.load(f)["step"]
    while step < 6:
        step += 1
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "state.json"), "w") as f:
                json.dump({"step": step}, f)
            tune.report({"loss": loss_at(config, step), "step": step},
                        checkpoint=tune.Checkpoint.from_directory(folder))


def make_pbt():
    from ray.tune.schedulers import PopulationBasedTraining
    return PopulationBasedTraining(time_attr="training_iteration", perturbation_interval=2,
                                   hyperparam_mutations={"x": tune.uniform(-2.0, 2.0)},
                                   quantile_fraction=0.5, resample_probability=1.0)


@pytest.mark.timeout(240)
def test_pbt_refuses_the_searcher_so_it_is_never_told_a_perturbed_result(local_ray, tmp_path):
    searcher = SymsearchSearcher(SPACE, "random", metric="loss", mode="min", seed=3)
    tuner = tune.Tuner(pbt_trainable, tune_config=tune.TuneConfig(
        search_alg=searcher, metric="loss", mode="min", num_samples=2, scheduler=make_pbt()),
        run_config=tune.RunConfig(storage_path=str(tmp_path), name="refused", verbose=0))
    with pytest.raises(ValueError, match="Search algorithms cannot be used with "
                                         "PopulationBasedTraining"):
        tuner.fit()


@pytest.mark.timeout(240)
def test_pbt_evolves_an_initial_population_drawn_from_the_space(local_ray, tmp_path):
    param_space, search_alg = initial_population(SPACE, 4, seed=3)
    population = search_alg._points_to_evaluate
    assert len({c["x"] for c in population}) == 4
    assert set(param_space) == {"x", "act", "hidden", "symsearch_dna"}
    assert candidate_from_config(SPACE, population[0])["x"] == population[0]["x"]
    tuner = tune.Tuner(pbt_trainable, param_space=param_space, tune_config=tune.TuneConfig(
        search_alg=search_alg, metric="loss", mode="min", num_samples=4, scheduler=make_pbt(),
        reuse_actors=True),
        run_config=tune.RunConfig(storage_path=str(tmp_path), name="pbt", verbose=0,
                                  checkpoint_config=tune.CheckpointConfig(num_to_keep=4)))
    results = tuner.fit()
    assert len(results) == 4 and not results.errors
    started = {c["x"] for c in population}
    resumed = 0
    for result in results:
        history = result.metrics_dataframe
        assert history["config/x"].iloc[0] in started        # each trial began from the space
        assert result.metrics["step"] == 6
        # A trial that was exploited resumed from a checkpoint: fewer than 6 own reports.
        resumed += len(history) < 6 or history["config/x"].nunique() > 1
    assert resumed >= 1                                      # PBT exploited and explored
    with pytest.raises(ValueError, match="n must be a positive int"):
        initial_population(SPACE, 0)
