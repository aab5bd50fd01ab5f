import pytest

from symsearch.runners import InProcess, Ray, Runner, make_runner


def test_none_gives_in_process():
    assert isinstance(make_runner(None), InProcess)


def test_runner_instance_is_returned_as_is():
    runner = InProcess(timeout_s=3)
    assert make_runner(runner) is runner


def test_names_and_dicts():
    assert isinstance(make_runner("inprocess"), InProcess)
    assert isinstance(make_runner("Ray"), Ray)
    runner = make_runner({"type": "ray", "workers": 4, "cpus_per_trial": 0.5, "timeout_s": 60})
    assert isinstance(runner, Ray) and isinstance(runner, Runner)
    assert (runner.workers, runner.cpus_per_trial, runner.timeout_s) == (4, 0.5, 60)
    assert runner.max_concurrent == 4            # known without starting Ray
    assert make_runner({"type": "inprocess", "timeout_s": 2}).timeout_s == 2


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown runner 'dask'.*\['inprocess', 'ray'\]"):
        make_runner("dask")
    with pytest.raises(ValueError, match=r"no 'type' key"):
        make_runner({"workers": 2})


def test_unknown_argument_in_a_spec_is_a_value_error():
    with pytest.raises(ValueError, match="unexpected keyword argument 'wokers'"):
        make_runner({"type": "ray", "wokers": 2})


def test_bad_spec_type():
    with pytest.raises(TypeError, match="runner spec"):
        make_runner(3)
