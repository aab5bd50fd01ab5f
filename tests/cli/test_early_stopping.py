"""The ``early_stopping:`` key: parsed, built into a policy, and used by ``symsearch run``."""
import pytest

from symsearch.cli.build import build_early_stopping, build_evaluator, prepare_imports
from symsearch.cli.errors import ConfigError
from symsearch.cli.main import main
from symsearch.cli.schema import load_experiment_file
from symsearch.store import load_experiment
from tests.cli.conftest import TOY, toy_yaml

REPORTING = f"{{ref: '{TOY}:evaluate_by_steps', kwargs: {{steps: 9}}}}"


def load(write_yaml, **overrides):
    config = load_experiment_file(write_yaml(toy_yaml(**overrides)))
    prepare_imports(config)
    return config


def policy_of(write_yaml, early_stopping, evaluator=REPORTING):
    config = load(write_yaml, evaluator=evaluator, early_stopping=early_stopping)
    return build_early_stopping(config, build_evaluator(config))


def error_of(write_yaml, early_stopping, evaluator=REPORTING):
    with pytest.raises(ConfigError) as info:
        policy_of(write_yaml, early_stopping, evaluator)
    return str(info.value)


def test_absent_none_and_off_mean_no_policy(write_yaml):
    config = load(write_yaml)
    assert config.early_stopping is None and build_early_stopping(config) is None
    for value in ("none", "off", "false"):
        assert policy_of(write_yaml, value) is None


def test_policy_by_name(write_yaml):
    policy = policy_of(write_yaml, "asha")
    assert type(policy).__name__ == "ASHA" and policy.reduction_factor == 3


def test_policy_mapping_passes_its_arguments(write_yaml):
    policy = policy_of(write_yaml, "{type: hyperband, min_resource: 1, max_resource: 9, "
                                   "reduction_factor: 3}")
    assert type(policy).__name__ == "Hyperband"
    assert policy.max_resource == 9 and policy.bracket_sizes == [9, 5, 3]
    policy = policy_of(write_yaml, "{type: successive-halving, max_resource: 27}")
    assert type(policy).__name__ == "SuccessiveHalving"


def test_policy_by_reference(write_yaml):
    policy = policy_of(write_yaml, "{type: 'symsearch.algorithms.successive_halving:ASHA', "
                                   "max_resource: 27}")
    assert type(policy).__name__ == "ASHA" and policy.max_resource == 27


def test_unknown_policy_lists_the_known_ones(write_yaml):
    message = error_of(write_yaml, "ashaa")
    assert message.startswith("exp.yaml:8: key 'early_stopping': unknown early-stopping "
                              "policy 'ashaa'; known: ")
    assert "asha" in message and "hyperband" in message


def test_bad_arguments_name_the_key(write_yaml):
    message = error_of(write_yaml, "{type: asha, reduction_factor: 1}")
    assert message.startswith("exp.yaml:8: key 'early_stopping': asha: ")
    assert "reduction_factor" in message
    message = error_of(write_yaml, "{type: asha, rungs: 3}")
    assert "key 'early_stopping'" in message and "rungs" in message


def test_policy_needs_one_metric(write_yaml):
    config = load(write_yaml, evaluator=REPORTING, objective="[min:loss, max:steps]",
                  early_stopping="asha")
    with pytest.raises(ConfigError, match="key 'early_stopping': asha: .*objectives"):
        build_early_stopping(config, build_evaluator(config))


def test_evaluator_without_trial_is_refused(write_yaml):
    message = error_of(write_yaml, "asha", evaluator=f"{TOY}:evaluate")
    assert "early stopping needs intermediate reports" in message
    assert "has no 'trial' parameter" in message


@pytest.mark.parametrize("value, fragment", [
    ("{max_resource: 9}", "key 'early_stopping': an early_stopping mapping needs 'type'"),
    ("[asha]", "key 'early_stopping': expected an early-stopping policy name"),
    ("3", "key 'early_stopping': expected an early-stopping policy name"),
    ("{type: 3}", "key 'early_stopping.type': expected a policy name, got 3"),
])
def test_wrong_shapes_name_the_key(write_yaml, value, fragment):
    with pytest.raises(ConfigError) as info:
        load_experiment_file(write_yaml(toy_yaml(early_stopping=value)))
    assert fragment in str(info.value)


def test_run_with_asha_prunes_trials(write_yaml, capsys):
    path = write_yaml(toy_yaml(evaluator=REPORTING, budget="{trials: 12}",
                               early_stopping="{type: asha, min_resource: 1, max_resource: 9}"))
    assert main(["run", path, "--no-progress"]) == 0
    experiment = load_experiment("runs/toy.db")
    statuses = [t.status for t in experiment.trials]
    assert len(statuses) == 12 and "pruned" in statuses and "done" in statuses
    assert experiment.config["early_stopping"]["type"] == "asha"
    done = [t for t in experiment.trials if t.status == "done"]
    assert all(t.metrics["steps"] == 9 for t in done)
    assert all(t.metrics["steps"] < 9 for t in experiment.trials if t.status == "pruned")
    assert "Best trial: #" in capsys.readouterr().out
