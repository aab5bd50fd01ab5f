"""Invalid search spaces fail when they are defined, with a message that says why."""
import pytest

import symsearch as ss
from tests.hyper._spaces import Conv


@pytest.mark.parametrize("make,message", [
    (lambda: ss.floatv(1, 0), r"floatv\(lo=1, hi=0\): lo must be less than hi"),
    (lambda: ss.floatv(0.5, 0.5), r"lo must be less than hi"),
    (lambda: ss.floatv(0.0, 1.0, scale="log"),
     r"floatv\(lo=0\.0, hi=1\.0, scale='log'\): lo must be > 0 on a log scale"),
    (lambda: ss.floatv(-1.0, 1.0, scale="log"), r"lo must be > 0 on a log scale"),
    (lambda: ss.floatv(0.0, 1.0, scale="exp"), r"scale must be one of \('linear', 'log'\)"),
    (lambda: ss.floatv(float("nan"), 1.0), r"floatv: lo must be finite, got nan"),
    (lambda: ss.floatv(0.0, float("inf")), r"floatv: hi must be finite, got inf"),
    (lambda: ss.intv(5, 1), r"intv\(lo=5, hi=1\): lo must be less than hi"),
    (lambda: ss.intv(0, 10, scale="log"), r"lo must be > 0 on a log scale"),
    (lambda: ss.intv(0, 10, step=3), r"intv\(lo=0, hi=10, step=3\): hi - lo must be a "
                                     r"multiple of step"),
    (lambda: ss.intv(0, 10, step=0), r"step must be a positive int, got 0"),
    (lambda: ss.intv(0, 10, step=-2), r"step must be a positive int, got -2"),
    (lambda: ss.oneof([]), r"oneof: candidates must be a non-empty list, got \[\]"),
    (lambda: ss.manyof(2, []), r"manyof: candidates must be a non-empty list"),
    (lambda: ss.manyof(3, ["a", "b"]), r"manyof: cannot choose 3 distinct values from 2 "
                                       r"candidates \['a', 'b'\]"),
    (lambda: ss.manyof(3, ["a", "b"], distinct=True, sorted=True), r"cannot choose 3 distinct"),
    (lambda: ss.manyof(0, ["a", "b"]), r"manyof: k must be a positive int, got 0"),
    (lambda: ss.oneof([1, 2], name=""), r"oneof: name must be a non-empty string"),
])
def test_invalid_hyper_values_raise_value_error_at_definition(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make", [
    lambda: ss.floatv("a", 1.0),
    lambda: ss.intv(1.5, 3),
    lambda: ss.intv(1, 3, step=True),
    lambda: ss.evolve(1, "not callable"),
])
def test_wrongly_typed_arguments_are_rejected(make):
    with pytest.raises((TypeError, ValueError)):
        make()


def test_non_distinct_manyof_may_choose_more_than_there_are_candidates():
    h = ss.manyof(3, ["a", "b"], distinct=False)
    assert ss.dna_spec(ss.Dict(x=h)).space_size == 8


def test_evolve_requires_a_callable_mutator():
    with pytest.raises(TypeError, match=r"Expected a callable, got 'nope' \(path=mutator\)"):
        ss.evolve(1, "nope")


def test_invalid_rebind_of_a_hyper_value_fails_too():
    h = ss.floatv(0.0, 1.0)
    with pytest.raises(ValueError, match="lo must be less than hi"):
        h.rebind(lo=2.0)


def test_duplicate_names_are_reported_with_both_key_paths():
    space = ss.Dict(model=Conv(width=ss.intv(8, 64, name="size")),
                    data=ss.Dict(batch=ss.oneof([16, 32], name="size")))
    with pytest.raises(ValueError, match=r"Duplicate hyper-value name 'size' at "
                                         r"model\.width and data\.batch"):
        ss.dna_spec(space)


def test_duplicate_names_inside_conditional_branches_are_reported():
    space = ss.Dict(x=ss.oneof([Conv(width=ss.intv(1, 2, name="w")),
                                Conv(width=ss.intv(3, 4, name="w"))]))
    with pytest.raises(ValueError, match=r"Duplicate hyper-value name 'w' at "
                                         r"x\[=0\]\.width and x\[=1\]\.width"):
        ss.dna_spec(space)


def test_duplicate_name_between_a_manyof_and_its_candidates():
    space = ss.Dict(x=ss.manyof(2, [ss.oneof([1, 2], name="x"), 3], name="x"))
    with pytest.raises(ValueError, match=r"Duplicate hyper-value name 'x\[0\]' at x\[0\] "
                                         r"and x\[0\]\[=0\]"):
        ss.dna_spec(space)


def test_a_named_hyper_value_repeated_by_manyof_slots_is_not_a_duplicate():
    space = ss.Dict(x=ss.manyof(2, [ss.oneof([1, 2], name="y"), 3], distinct=False))
    spec = ss.dna_spec(space)
    assert [d.name for d in spec] == [None, "y[0]", None, "y[1]"]


YAML_SPACE = """\
model:
  width:
    _type: intv
    lo: 8
    hi: 64
  lr:
    _type: floatv
    lo: 1.0
    hi: 0.0
"""


def test_space_loaded_from_yaml_reports_the_key_path_of_a_bad_hyper_value():
    with pytest.raises(ValueError, match=r"floatv\(lo=1\.0, hi=0\.0\): lo must be less than "
                                         r"hi \[while loading floatv at model\.lr\]"):
        ss.from_yaml(YAML_SPACE)


def test_space_loaded_from_yaml_with_an_empty_oneof_in_a_branch():
    text = """\
act:
  _type: oneof
  candidates:
  - relu
  - _type: oneof
    candidates: []
"""
    with pytest.raises(ValueError, match=r"oneof: candidates must be a non-empty list.*"
                                         r"at act\.candidates\[1\]"):
        ss.from_yaml(text)


def test_space_loaded_from_yaml_with_a_log_scale_error_in_a_list(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text("layers:\n- _type: intv\n  lo: 0\n  hi: 8\n  scale: log\n")
    with pytest.raises(ValueError, match=r"space\.yaml: .*lo must be > 0 on a log scale.*"
                                         r"at layers\[0\]"):
        ss.load(str(path))


def test_space_loaded_from_json_with_duplicate_names_reports_both_paths():
    text = ('{"a": {"_type": "oneof", "candidates": [1, 2], "name": "n"},'
            ' "b": {"c": {"_type": "floatv", "lo": 0, "hi": 1, "name": "n"}}}')
    space = ss.from_json_str(text)
    with pytest.raises(ValueError, match=r"Duplicate hyper-value name 'n' at a and b\.c"):
        ss.dna_spec(space)
