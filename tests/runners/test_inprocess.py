import math
import signal
import threading
import time

import pytest

from symsearch.runners import Completion, InProcess

pytestmark = pytest.mark.timeout(30)


def test_returns_the_evaluators_value():
    with InProcess() as runner:
        runner.submit(3, lambda x: x + 1, 41)
        assert runner.num_in_flight == 1
        (done,) = runner.poll()
    assert isinstance(done, Completion)
    assert (done.trial_id, done.ok, done.result, done.error, done.reason) == (3, True, 42, None,
                                                                             None)
    assert done.elapsed >= 0 and done.worker.startswith("inprocess:")
    assert runner.num_in_flight == 0


def test_poll_with_nothing_in_flight_returns_nothing():
    assert InProcess().poll(timeout=0) == []


def test_each_poll_runs_the_oldest_trial():
    runner = InProcess()
    for i in range(3):
        runner.submit(i, lambda x: x * 10, i)
    assert [c.result for c in runner.poll()] == [0]
    assert [c.result for c in runner.poll()] == [10]
    assert runner.num_in_flight == 1


def test_exception_becomes_error_with_traceback():
    def evaluator(x):
        return 1 / x

    done = InProcess().evaluate(0, evaluator, 0)
    assert done.ok is False and done.reason == "error" and done.result is None
    assert "Traceback (most recent call last)" in done.error
    assert "ZeroDivisionError: division by zero" in done.error
    assert "return 1 / x" in done.error


def test_nan_passes_through_as_a_result():
    done = InProcess().evaluate(0, lambda x: float("nan"), None)
    assert done.ok is True and math.isnan(done.result)


def test_timeout_interrupts_a_long_evaluation():
    runner = InProcess(timeout_s=0.5)
    runner.submit(1, lambda s: time.sleep(s), 5)
    start = time.perf_counter()
    (done,) = runner.poll()
    assert time.perf_counter() - start < 1.5
    assert (done.ok, done.reason, done.error) == (False, "timeout", "timeout after 0.5s")
    assert 0.4 < done.elapsed < 1.5
    assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # pytest-timeout's alarm is re-armed


def test_timeout_is_not_swallowed_by_except_exception():
    def stubborn(_):
        try:
            time.sleep(5)
        except Exception:
            return "swallowed"

    done = InProcess(timeout_s=0.2).evaluate(0, stubborn, None)
    assert done.reason == "timeout"


def test_fast_evaluation_under_timeout_is_ok():
    done = InProcess(timeout_s=5).evaluate(0, lambda x: x, "fine")
    assert done.ok and done.result == "fine"


def test_off_main_thread_timeout_is_checked_afterwards():
    runner = InProcess(timeout_s=0.1)
    box = []
    thread = threading.Thread(target=lambda: box.append(runner.evaluate(0, time.sleep, 0.3)))
    thread.start()
    thread.join()
    (done,) = box
    assert done.reason == "timeout" and done.elapsed >= 0.3


def test_an_outer_alarm_still_fires_during_the_evaluation():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(time.monotonic()))
    previous_timer = signal.getitimer(signal.ITIMER_REAL)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        done = InProcess(timeout_s=2).evaluate(0, lambda s: time.sleep(s) or "slept", 0.3)
        assert done.ok and done.result == "slept"
        assert len(fired) == 1
    finally:
        signal.signal(signal.SIGALRM, previous)
        signal.setitimer(signal.ITIMER_REAL, *previous_timer)


def test_cancel_a_queued_trial():
    runner = InProcess()
    runner.submit(1, lambda x: x, 1)
    runner.submit(2, lambda x: x, 2)
    assert runner.cancel(2) is True
    assert runner.cancel(99) is False
    (cancelled,) = runner.poll()
    assert (cancelled.trial_id, cancelled.ok, cancelled.reason) == (2, False, "cancelled")
    assert [c.trial_id for c in runner.poll()] == [1]


@pytest.mark.parametrize("value, error", [(-1, ValueError), (0, ValueError), ("1", TypeError),
                                          (float("nan"), ValueError)])
def test_bad_timeout_is_rejected_naming_the_argument(value, error):
    with pytest.raises(error, match=r"'timeout_s' parameter of InProcess must be a number > 0 "
                                    r"or None\. Got .* instead"):
        InProcess(timeout_s=value)


def test_submit_rejects_a_non_callable_evaluator():
    with pytest.raises(TypeError, match="'evaluator'.*callable"):
        InProcess().submit(0, "not callable", 1)
