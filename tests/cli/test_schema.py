"""The experiment file schema: every mistake names the file, the line and the key."""
import pytest

from symsearch.cli.errors import ConfigError
from symsearch.cli.schema import TOP_LEVEL_KEYS, load_experiment_file, parse_duration
from symsearch.cli.yaml_lines import load_yaml
from tests.cli.conftest import toy_yaml


def error_of(write_yaml, text):
    path = write_yaml(text)
    with pytest.raises(ConfigError) as info:
        load_experiment_file(path)
    return str(info.value), info.value


def test_valid_file_is_parsed_with_defaults(write_yaml):
    config = load_experiment_file(write_yaml(toy_yaml(name=None, algorithm=None)))
    assert config.name == "exp"                      # the file's stem
    assert config.objective == ["min:loss"]
    assert config.num_trials == 6 and config.time_budget is None
    assert config.algorithm.value == "random"
    assert config.runner.value == {"type": "inprocess"}
    assert config.cache is False and config.seed == 0 and config.store is None


def test_syntax_error_names_file_and_line(write_yaml):
    message, error = error_of(write_yaml, "name: x\nspace: a:b\nbudget: {trials: 3\nseed: 1\n")
    assert message.startswith("exp.yaml:")
    assert "invalid YAML" in message
    assert error.line in (3, 4)


def test_bad_indentation_names_line(write_yaml):
    message, error = error_of(write_yaml, "name: x\nbudget:\n  trials: 3\n time: 4\n")
    assert error.line == 4 and message.startswith("exp.yaml:4: invalid YAML")


def test_unknown_top_level_key_lists_valid_keys(write_yaml):
    message, error = error_of(write_yaml, toy_yaml() + "budgett: 3\n")
    assert message.startswith("exp.yaml:8: key 'budgett': unknown key (did you mean 'budget'?)")
    for key in TOP_LEVEL_KEYS:
        assert key in message


def test_unknown_budget_key(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml(budget="\n  trials: 3\n  hours: 2"))
    assert "exp.yaml:8: key 'budget.hours': unknown key" in message
    assert "trials, time" in message


def test_trials_must_be_a_positive_int(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml(budget="\n  trials: ten"))
    assert message == "exp.yaml:7: key 'budget.trials': expected a positive int, got 'ten'"
    message, _ = error_of(write_yaml, toy_yaml(budget="{trials: 0}"))
    assert message == "exp.yaml:6: key 'budget.trials': expected a positive int, got 0"
    message, _ = error_of(write_yaml, toy_yaml(budget="{trials: yes}"))
    assert "expected a positive int, got True" in message


def test_budget_time_accepts_durations(write_yaml):
    config = load_experiment_file(write_yaml(toy_yaml(budget="{time: 1h30m}")))
    assert config.time_budget == 5400 and config.num_trials is None
    message, _ = error_of(write_yaml, toy_yaml(budget="{time: soon}"))
    assert "key 'budget.time'" in message and "'soon'" in message


@pytest.mark.parametrize("text, seconds", [
    (90, 90.0), (1.5, 1.5), ("90s", 90.0), ("10m", 600.0), ("1h", 3600.0),
    ("1h30m", 5400.0), ("45", 45.0), ("0", None), (-3, None), ("abc", None), (True, None)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_empty_budget_is_an_error(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml(budget="{}"))
    assert "key 'budget': give 'trials', 'time' or both" in message


@pytest.mark.parametrize("objective, fragment", [
    ("maximize:accuracy", "'maximize:accuracy' must look like 'max:accuracy'"),
    ("accuracy", "'accuracy' must look like 'max:accuracy'"),
    ("'max:'", "must look like"),
    ("42", "expected 'max:METRIC' or 'min:METRIC' or a list of them, got 42"),
])
def test_bad_objective_strings(write_yaml, objective, fragment):
    message, _ = error_of(write_yaml, toy_yaml(objective=objective))
    assert message.startswith("exp.yaml:4: key 'objective': ")
    assert fragment in message


def test_bad_item_in_objective_list_names_its_line(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml(objective="\n  - min:loss\n  - most:size"))
    assert message.startswith("exp.yaml:6: key 'objective[1]': ")


def test_duplicate_objectives(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml(objective="[min:loss, max:loss]"))
    assert "key 'objective'" in message and "Duplicate" in message


def test_two_objectives_are_kept_in_order(write_yaml):
    config = load_experiment_file(write_yaml(toy_yaml(objective="[min:loss, max:size]")))
    assert config.objective == ["min:loss", "max:size"]


@pytest.mark.parametrize("key, value, fragment", [
    ("seed", "abc", "key 'seed': expected an int, got 'abc'"),
    ("seed", "1.5", "key 'seed': expected an int, got 1.5"),
    ("cache", "maybe", "key 'cache': expected true, false, one of ['structural', 'functional', 'both'] or a mapping, got 'maybe'"),
    ("cache", {"mode": "fast"}, "key 'cache': cache mode must be one of"),
    ("store", "[a, b]", "key 'store': expected a file path, got a list"),
    ("name", "a/b", "key 'name': expected a name of letters"),
    ("runner", "slurm", "key 'runner': unknown runner 'slurm'; expected one of inprocess, ray"),
    ("runner", "{workers: 2}", "key 'runner': a runner mapping needs 'type'"),
    ("runner", "{type: k8s}", "key 'runner.type': unknown runner 'k8s'"),
    ("algorithm", "{population: 3}", "key 'algorithm': an algorithm mapping needs 'type'"),
    ("algorithm", "[random]", "key 'algorithm': expected an algorithm name"),
    ("evaluator", "evaluate", "key 'evaluator': expected a reference, got 'evaluate'"),
    ("evaluator", "{ref: a:b, kwarg: {}}", "key 'evaluator.kwarg': unknown key (did you mean"),
    ("evaluator", "{kwargs: {}}", "key 'evaluator': missing required key 'ref'"),
    ("evaluator", "{ref: a:b, kwargs: [1]}", "key 'evaluator.kwargs': expected a mapping"),
])
def test_wrong_types_name_the_key(write_yaml, key, value, fragment):
    message, error = error_of(write_yaml, toy_yaml(**{key: value}))
    assert fragment in message
    assert message.startswith("exp.yaml:") and error.line >= 1


def test_missing_required_key(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml(space=None))
    assert message == "exp.yaml:1: missing required key 'space'"


def test_top_level_must_be_a_mapping(write_yaml):
    message, _ = error_of(write_yaml, "- space\n- objective\n")
    assert message.startswith("exp.yaml:1: an experiment file is a mapping")


def test_empty_file(write_yaml):
    message, _ = error_of(write_yaml, "# nothing here\n")
    assert "the experiment file is empty" in message


def test_duplicate_key_is_an_error(write_yaml):
    message, _ = error_of(write_yaml, toy_yaml() + "seed: 3\n")
    assert message == "exp.yaml:8: key 'seed': duplicate key (first given on line 7)"


def test_missing_file():
    with pytest.raises(ConfigError, match="nosuch.yaml: no such file"):
        load_experiment_file("nosuch.yaml")


def test_loader_reads_exponent_floats_and_lines():
    doc = load_yaml("a: 1e-3\nb:\n  - 2E+2\n  - {c: 3}\n")
    assert doc["a"] == 0.001 and doc["b"][0] == 200.0
    assert doc.lines == {"a": 1, "b": 2}
    assert doc["b"].lines == [3, 4]
    assert doc["b"][1].line == 4
