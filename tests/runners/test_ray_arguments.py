"""Ray runner arguments: checked at construction and turned into ray.init arguments."""
import os
import re
import sys

import pytest

from symsearch.runners import Ray
from symsearch.runners.ray_runner import import_ray


@pytest.mark.parametrize("kwargs, error, words", [
    ({"workers": 0}, ValueError,
     "'workers' parameter of Ray must be an int >= 1 or None. Got 0 instead"),
    ({"workers": 2.5}, TypeError, "'workers' parameter of Ray must be an int >= 1"),
    ({"cpus_per_trial": -1}, ValueError, "'cpus_per_trial' parameter of Ray must be a number"),
    ({"gpus_per_trial": "1"}, TypeError, "'gpus_per_trial'"),
    ({"max_retries": -1}, ValueError, "'max_retries' parameter of Ray must be an int >= 0"),
    ({"timeout_s": 0}, ValueError, "'timeout_s' parameter of Ray must be a number > 0 or None"),
    ({"address": "not an address"}, ValueError, "'address' parameter of Ray must be None"),
    ({"runtime_env": "pip"}, TypeError, "'runtime_env' parameter of Ray must be a dict"),
])
def test_ray_arguments_are_validated_at_construction(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        Ray(**kwargs)


@pytest.mark.parametrize("address", ["auto", "local", "ray://head:10001", "10.0.0.1:6379",
                                     "head-node.example.com:6379"])
def test_ray_accepts_cluster_addresses(address):
    assert Ray(address=address).address == address


def test_missing_ray_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r'pip install "symsearch\[ray\]"'):
        import_ray()
    with pytest.raises(ImportError, match=r'symsearch\[ray\]'):
        Ray(workers=1).start()


def test_local_start_keeps_a_worker_per_fractional_slot(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    runner = Ray(workers=16, cpus_per_trial=0.125, init_kwargs={"num_cpus": 2})
    assert runner._init_arguments() == {"address": "local", "num_cpus": 2,
                                        "_system_config": {"num_workers_soft_limit": 16}}
    # workers=None: as many slots as the CPUs fit
    assert Ray(cpus_per_trial=0.5, init_kwargs={"num_cpus": 2})._init_arguments() == {
        "address": "local", "num_cpus": 2, "_system_config": {"num_workers_soft_limit": 4}}
    assert Ray(workers=2, init_kwargs={"num_cpus": 2})._init_arguments() == {
        "address": "local", "num_cpus": 2}


def test_local_start_gives_ray_the_cpus_the_workers_need(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert Ray(workers=8)._init_arguments() == {"address": "local", "num_cpus": 8}
    # "local": a new Ray on this machine, never a cluster a stale /tmp/ray file names
    assert Ray(workers=2)._init_arguments() == {"address": "local"}


def test_joining_a_cluster_passes_only_the_address(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert Ray(workers=64, cpus_per_trial=0.25, address="auto")._init_arguments() == {
        "address": "auto"}
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")
    assert Ray(workers=64, cpus_per_trial=0.25)._init_arguments() == {}
    env = {"pip": ["numpy"]}
    assert Ray(runtime_env=env, address="ray://head:10001")._init_arguments() == {
        "address": "ray://head:10001", "runtime_env": env}
