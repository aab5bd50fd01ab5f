"""The Ray runner connected by address to a two-node cluster (both nodes on this machine)."""
import os
import time

import pytest

from symsearch.runners import Ray

from . import _models

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.timeout(90)
def test_trials_spread_over_two_nodes(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (REPO_ROOT, os.environ.get("PYTHONPATH")) if p))
    if ray.is_initialized():
        ray.shutdown()
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        runner = Ray(workers=2, cpus_per_trial=1, address=cluster.address)
        with runner:
            assert ray.is_initialized()
            for i in range(4):
                runner.submit(i, _models.sleep_for, 0.5)
            done, give_up = [], time.monotonic() + 60
            while runner.num_in_flight and time.monotonic() < give_up:
                done += runner.poll(timeout=1.0)
        assert not ray.is_initialized()   # the runner connected, so the runner disconnected
        assert sorted(c.trial_id for c in done) == [0, 1, 2, 3]
        assert all(c.ok and c.result == 0.5 for c in done), [c.error for c in done]
        nodes = {c.worker.split(":")[0] for c in done}
        assert len(nodes) == 2                # one CPU per node: two at once means two nodes
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()
