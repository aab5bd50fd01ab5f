"""ss.search on Ray: a local 2-CPU Ray, and a two-node cluster joined through address=."""
import pytest

import symsearch as ss
from tests.search import _evaluators as ev

ray = pytest.importorskip("ray")


@pytest.mark.timeout(180)
def test_failures_on_ray_workers_are_recorded_and_the_search_goes_on():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        # 8 s: long enough for a fresh worker to start on a loaded 2-core machine.
        runner = ss.runners.Ray(workers=4, cpus_per_trial=0.5, max_retries=0, timeout_s=8)
        result = ss.search(ev.quadratic_space(), ev.misbehaving, objective="min:loss",
                           num_trials=24, runner=runner, seed=11)
    finally:
        ray.shutdown()
    assert len(result.trials) == 24
    by_kind = {"raised": [], "nan": [], "died": [], "timeout": []}
    for r in result.trials:
        x, y = r.dna[0], r.dna[1]
        if x > 1.5:
            by_kind["timeout"].append(r)
        elif y == 1:
            by_kind["raised"].append(r)
        elif y == 2 and x < 0:
            by_kind["nan"].append(r)
        elif y == 2:
            by_kind["died"].append(r)
        else:
            assert r.status == "done" and r.metrics["loss"] == pytest.approx(x * x)
    assert all(by_kind.values()), {k: len(v) for k, v in by_kind.items()}
    assert all(r.status == "failed" and "evaluator raised on purpose" in r.error
               for r in by_kind["raised"])
    assert all(r.status == "failed" and "nan" in r.error for r in by_kind["nan"])
    assert all(r.status == "failed" and "timeout" in r.error for r in by_kind["timeout"])
    assert all(r.status == "failed" and r.error for r in by_kind["died"])
    assert result.best is not None and result.best.metrics["loss"] < 2.25


@pytest.mark.timeout(180)
def test_search_on_a_two_node_cluster_through_address(tmp_path):
    from ray.cluster_utils import Cluster
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    try:
        runner = ss.runners.Ray(address=cluster.address, cpus_per_trial=1)
        result = ss.search(ev.quadratic_space(), ev.quadratic, objective="min:loss",
                           num_trials=8, runner=runner, store=str(tmp_path / "c.db"), seed=0)
        assert result.count("done") == 8
        workers = {r.worker for r in ss.load_experiment(str(tmp_path / "c.db")).trials}
        assert len(result.trials) == 8
    finally:
        ray.shutdown()
        cluster.shutdown()
    assert None not in workers and len(workers) >= 1
