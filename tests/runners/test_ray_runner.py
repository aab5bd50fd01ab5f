"""The Ray runner on a local Ray with 2 CPUs, started once for the module."""
import os
import time

import pytest

import symsearch as ss
from symsearch.runners import Ray
from symsearch.runners.payload import SymbolicPayload, encode_candidate

from . import _models

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.timeout(60)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    # Workers import tests.runners._models by name: put the repository on their path.
    old_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (REPO_ROOT, old_path) if p)
    if ray.is_initialized():
        ray.shutdown()
    try:
        ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
        yield
    finally:
        ray.shutdown()
        if old_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old_path


def run_all(runner, timeout=30.0):
    """Polls until nothing is in flight; returns the completions by trial id."""
    done, give_up = {}, time.monotonic() + timeout
    while runner.num_in_flight and time.monotonic() < give_up:
        for completion in runner.poll(timeout=1.0):
            assert completion.trial_id not in done
            done[completion.trial_id] = completion
    return done


def test_results_come_back_and_ray_is_left_running():
    with Ray(workers=2) as runner:
        assert runner.max_concurrent == 2
        for i in range(5):
            runner.submit(i, _models.square, i)
        done = run_all(runner)
    assert {i: c.result for i, c in done.items()} == {i: i * i for i in range(5)}
    assert all(c.ok and c.reason is None and c.elapsed >= 0 for c in done.values())
    node = ray.get_runtime_context().get_node_id()[:8]
    assert all(c.worker.startswith(node + ":") for c in done.values())
    assert ray.is_initialized()  # the runner did not start Ray, so it leaves it running


def test_default_workers_follow_the_cluster():
    assert Ray(cpus_per_trial=0.5).max_concurrent == 4


def test_exception_is_an_error_with_traceback_and_not_retried(tmp_path):
    log = tmp_path / "attempts.txt"
    with Ray(workers=1, max_retries=3) as runner:
        runner.submit(7, _models.raise_after_logging, str(log))
        (done,) = run_all(runner).values()
    assert (done.trial_id, done.ok, done.reason) == (7, False, "error")
    assert "Traceback (most recent call last)" in done.error
    assert "ValueError: boom from" in done.error
    assert done.worker is not None
    assert log.read_text().count("attempt") == 1


def test_dead_worker_is_retried_then_reported(tmp_path):
    log = tmp_path / "attempts.txt"
    with Ray(workers=1, max_retries=1) as runner:
        runner.submit(0, _models.exit_after_logging, str(log))
        (done,) = run_all(runner).values()
    assert (done.ok, done.reason) == (False, "worker_died")
    assert "WorkerCrashedError" in done.error or "died" in done.error
    assert log.read_text().count("attempt") == 2   # the first run and one retry


def test_timeout_and_cancel():
    with Ray(workers=2, timeout_s=1.0) as runner:
        start = time.monotonic()
        runner.submit(0, _models.sleep_for, 10)
        runner.submit(1, _models.sleep_for, 10)
        assert runner.cancel(1) is True
        (cancelled,) = runner.poll(timeout=0)
        assert (cancelled.trial_id, cancelled.reason) == (1, "cancelled")
        (done,) = run_all(runner).values()
        assert time.monotonic() - start < 4.0
    assert (done.trial_id, done.ok, done.reason) == (0, False, "timeout")
    assert done.error == "timeout after 1s"
    assert 1.0 <= done.elapsed < 4.0


def test_trials_run_concurrently():
    with Ray(workers=4, cpus_per_trial=0.5) as runner:
        assert runner.warm_up(max_seconds=30) == 4
        start = time.monotonic()
        for i in range(4):
            runner.submit(i, _models.sleep_for, 1.0)
        done = run_all(runner)
        wall = time.monotonic() - start
    assert len(done) == 4 and all(c.ok for c in done.values())
    assert wall < 2.5


def test_symbolic_candidate_is_rebuilt_on_the_worker():
    candidate = _models.Quadratic(a=2.0, b=1.0)
    assert isinstance(encode_candidate(candidate), SymbolicPayload)
    with Ray(workers=1) as runner:
        runner.submit(0, _models.describe, candidate)
        (done,) = run_all(runner).values()
    assert done.ok, done.error
    assert done.result == (_models.__name__, "Quadratic", 9.0)


def test_class_defined_in_a_test_travels_by_cloudpickle():
    class Local(ss.Object):
        x: int = 1

    assert encode_candidate(Local(x=4)) == Local(x=4)     # the object itself

    def evaluate(candidate):
        return type(candidate).__name__, candidate.x * 10

    with Ray(workers=1) as runner:
        runner.submit(0, evaluate, Local(x=4))
        (done,) = run_all(runner).values()
    assert done.ok, done.error
    assert done.result == ("Local", 40)
