"""References (package.module:attr) and building space, evaluator, algorithm and runner."""
import functools

import pytest

import symsearch as ss
from symsearch.cli.build import (build_algorithm, build_evaluator, build_runner, build_space,
                                 prepare_imports)
from symsearch.cli.errors import ConfigError
from symsearch.cli.references import ReferenceLookupError, is_reference, resolve
from symsearch.cli.schema import load_experiment_file
from tests.cli import toy_experiment
from tests.cli.conftest import TOY, toy_yaml


def test_resolve_module_attribute_and_nested_attribute():
    import os.path
    assert resolve("os.path:join") is os.path.join
    assert resolve(f"{TOY}:space") is toy_experiment.space
    assert resolve("collections:OrderedDict.fromkeys") is not None


def test_missing_module_is_named():
    with pytest.raises(ReferenceLookupError,
                       match="cannot import module 'nosuchmodule': no module named "
                             "'nosuchmodule'"):
        resolve("nosuchmodule:x")


def test_missing_attribute_is_named_with_suggestion():
    with pytest.raises(ReferenceLookupError, match="module 'os' has no attribute 'nosuchattr'"):
        resolve("os:nosuchattr")
    with pytest.raises(ReferenceLookupError, match="did you mean 'join'"):
        resolve("os.path:joim")


def test_malformed_reference_suggests_the_colon_form():
    assert not is_reference("os.path.join") and is_reference("os.path:join")
    with pytest.raises(ReferenceLookupError, match="did you mean 'os.path:join'"):
        resolve("os.path.join")


def test_module_that_raises_on_import_names_where(tmp_path, monkeypatch):
    (tmp_path / "broken_module_for_cli.py").write_text("x = 1\nraise RuntimeError('kaput')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ReferenceLookupError) as info:
        resolve("broken_module_for_cli:x")
    message = str(info.value)
    assert "importing module 'broken_module_for_cli' failed: RuntimeError: kaput" in message
    assert "broken_module_for_cli.py:2" in message


def load(write_yaml, **overrides):
    config = load_experiment_file(write_yaml(toy_yaml(**overrides)))
    prepare_imports(config)
    return config


def test_bad_references_in_a_file_name_file_line_key_and_reference(write_yaml):
    config = load(write_yaml, evaluator="nosuchmodule:x")
    with pytest.raises(ConfigError) as info:
        build_evaluator(config)
    assert str(info.value) == ("exp.yaml:3: key 'evaluator': 'nosuchmodule:x': cannot import "
                               "module 'nosuchmodule': no module named 'nosuchmodule'")
    config = load(write_yaml, space="\n  ref: os:nosuchattr\n  kwargs: {a: 1}")
    with pytest.raises(ConfigError) as info:
        build_space(config)
    assert str(info.value) == ("exp.yaml:3: key 'space.ref': 'os:nosuchattr': module 'os' "
                               "has no attribute 'nosuchattr'")


def test_evaluator_kwargs_are_bound_with_partial(write_yaml):
    config = load(write_yaml, evaluator=f"{{ref: '{TOY}:evaluate', kwargs: {{offset: 10.0}}}}")
    evaluator = build_evaluator(config)
    assert isinstance(evaluator, functools.partial)
    assert evaluator.keywords == {"offset": 10.0}
    assert evaluator({"x": 0.5, "act": "relu"})["loss"] == 10.0


def test_evaluator_without_kwargs_is_the_function(write_yaml):
    assert build_evaluator(load(write_yaml)) is toy_experiment.evaluate
    assert build_evaluator(load(write_yaml, evaluator=None)) is None


def test_evaluator_kwargs_that_do_not_fit_are_reported(write_yaml):
    config = load(write_yaml, evaluator=f"\n  ref: {TOY}:evaluate\n  kwargs: {{ofset: 1}}")
    with pytest.raises(ConfigError, match=r"exp.yaml:5: key 'evaluator.kwargs': .*evaluate "
                                          r"cannot be called as "
                                          r"evaluator\(candidate, \*\*kwargs\)"):
        build_evaluator(config)


def test_evaluator_must_be_callable(write_yaml):
    with pytest.raises(ConfigError, match="'tests.cli.toy_experiment:not_callable' is a int, "
                                          "not a callable evaluator"):
        build_evaluator(load(write_yaml, evaluator=f"{TOY}:not_callable"))


def test_space_reference_object_and_factory(write_yaml):
    assert build_space(load(write_yaml)) is toy_experiment.space
    space = build_space(load(write_yaml, space=f"{{ref: '{TOY}:make_space', kwargs: "
                                               f"{{low: 0.0, high: 1.0}}}}"))
    assert ss.dna_spec(space).decisions[0].hi == 1.0
    space = build_space(load(write_yaml, space=f"{TOY}:make_space"))   # plain factory: called
    assert ss.dna_spec(space).decisions[0].lo == -2.0


def test_space_factory_with_wrong_kwargs(write_yaml):
    config = load(write_yaml, space=f"{{ref: '{TOY}:make_space', kwargs: {{lo: 0}}}}")
    with pytest.raises(ConfigError, match="make_space does not take these arguments"):
        build_space(config)


def test_module_beside_the_experiment_file_is_importable(write_yaml, workdir):
    (workdir / "local_space_mod_for_cli.py").write_text(
        "import symsearch as ss\nspace = ss.Dict(a=ss.oneof([1, 2]))\n")
    space = build_space(load(write_yaml, space="local_space_mod_for_cli:space"))
    assert ss.random_sample(space, 1, seed=0)[0]["a"] in (1, 2)


def test_algorithm_by_name_mapping_and_unknown(write_yaml):
    assert type(build_algorithm(load(write_yaml))).__name__ == "Random"
    assert type(build_algorithm(load(write_yaml, algorithm="{type: grid}"))).__name__ == "Grid"
    with pytest.raises(ConfigError, match=r"exp.yaml:5: key 'algorithm': unknown algorithm "
                                          r"'evolutionn'; known: .*random"):
        build_algorithm(load(write_yaml, algorithm="evolutionn"))


def test_algorithm_by_reference(write_yaml):
    algorithm = build_algorithm(load(write_yaml,
                                     algorithm="symsearch.algorithms.random_search:Random"))
    assert type(algorithm).__name__ == "Random"


def test_runner_and_command_line_overrides(write_yaml):
    config = load(write_yaml)
    assert type(build_runner(config)).__name__ == "InProcess"
    ray = build_runner(config, workers=3)
    assert type(ray).__name__ == "Ray" and ray.max_concurrent == 3
    config = load(write_yaml, runner="{type: ray, workers: 2, cpus_per_trial: 0.5}")
    ray = build_runner(config, address="auto")
    assert ray.cpus_per_trial == 0.5 and ray.address == "auto"


def test_runner_arguments_are_checked(write_yaml):
    config = load(write_yaml, runner="{type: ray, workers: 0}")
    with pytest.raises(ConfigError, match="exp.yaml:8: key 'runner': .*'workers'"):
        build_runner(config)
    config = load(write_yaml, runner="{type: inprocess, wokers: 2}")
    with pytest.raises(ConfigError, match="exp.yaml:8: key 'runner.wokers': the inprocess "
                                          "runner has no option 'wokers'; valid keys are: type"):
        build_runner(config)


def test_a_ray_runner_option_typo_names_the_key_path_and_the_valid_keys(write_yaml):
    config = load(write_yaml, runner="{type: ray, workerz: 2}")
    with pytest.raises(ConfigError) as raised:
        build_runner(config)
    message = str(raised.value)
    assert message.startswith("exp.yaml:8: key 'runner.workerz': the ray runner has no option "
                              "'workerz' (did you mean 'workers'?); valid keys are: type, "
                              "workers, address, cpus_per_trial")
    assert "__init__" not in message


def test_cache_hasher_reference_is_built_from_a_factory(write_yaml):
    from symsearch.cache import FunctionalHasher
    from symsearch.cli.build import build_cache
    cache = ("{mode: functional, hasher: {ref: 'symsearch.spaces.optimizer_hash:optimizer_hasher', "
             "kwargs: {steps: 3}}}")
    config = load_experiment_file(write_yaml(toy_yaml(cache=cache)))
    built = build_cache(config)
    assert isinstance(built["hasher"], FunctionalHasher) and built["mode"] == "functional"
    assert built["hasher"].select.steps == 3
    summary = config.summary()["cache"]
    assert summary["hasher"] == {"ref": "symsearch.spaces.optimizer_hash:optimizer_hasher",
                                 "kwargs": {"steps": 3}}


def test_cache_hasher_errors_name_the_key(write_yaml):
    from symsearch.cli.build import build_cache
    config = load_experiment_file(write_yaml(toy_yaml(
        cache="{mode: functional, hasher: 'symsearch.spaces.optimizer_hash:INPUTS'}")))
    with pytest.raises(ConfigError, match="key 'cache.hasher': .*neither a FunctionalHasher"):
        build_cache(config)
    config = load_experiment_file(write_yaml(toy_yaml(
        cache="{mode: functional, hasher: 'symsearch.spaces.optimizer_hash:optimizer_probes'}")))
    with pytest.raises(ConfigError, match="returned a ProbeSet, not a FunctionalHasher"):
        build_cache(config)
    with pytest.raises(ConfigError, match="key 'cache.hasher'"):
        load_experiment_file(write_yaml(toy_yaml(cache="{mode: functional, hasher: nope}")))
