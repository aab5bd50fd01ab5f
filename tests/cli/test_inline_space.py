"""Inline spaces written in YAML build the same hyper-values as the Python factories."""
import pytest

import symsearch as ss
from symsearch.cli.errors import ConfigError
from symsearch.cli.inline_space import build_inline_space
from symsearch.cli.yaml_lines import load_yaml


def build(text, file="exp.yaml"):
    return build_inline_space(load_yaml(text, file), "space", file, 1)


def test_each_hyper_value_form():
    space = build("""
a: {oneof: [relu, gelu], name: act}
b: {manyof: {k: 2, candidates: [x, y, z], sorted: true}}
c: {floatv: [1e-4, 1e-1], scale: log}
d: {intv: [1, 8], step: 1}
e: {permutate: [1, 2, 3]}
f: {_tuple: [1, 2]}
g: 7
""")
    assert isinstance(space, ss.Dict)
    a, b, c, d, e = (space[k] for k in "abcde")
    assert isinstance(a, ss.OneOf) and list(a.candidates) == ["relu", "gelu"] and a.name == "act"
    assert isinstance(b, ss.ManyOf) and b.k == 2 and b.sorted is True
    assert isinstance(c, ss.Float) and (c.lo, c.hi, c.scale) == (1e-4, 1e-1, "log")
    assert isinstance(d, ss.Int) and (d.lo, d.hi, d.step) == (1, 8, 1)
    assert isinstance(e, ss.ManyOf) and e.k == 3
    assert space["f"] == (1, 2) and space["g"] == 7


def test_inline_space_equals_python_space():
    inline = build("""
lr: {floatv: [0.001, 0.1], scale: log}
act: {oneof: [relu, {kind: gelu, approx: {oneof: [true, false]}}]}
""")
    python = ss.Dict(lr=ss.floatv(0.001, 0.1, scale="log"),
                     act=ss.oneof(["relu", ss.Dict(kind="gelu", approx=ss.oneof([True, False]))]))
    assert ss.eq(inline, python)
    assert ss.dna_spec(inline).fingerprint == ss.dna_spec(python).fingerprint


def test_symbolic_types_by_qualified_name_and_reference():
    space = build("""
model:
  oneof:
    - _type: symsearch.spaces.sklearn_digits.SVM
      C: {floatv: [0.1, 10.0], scale: log}
    - _type: symsearch.spaces.sklearn_digits:RandomForest
      n_estimators: {intv: [10, 50], step: 10}
""")
    from symsearch.spaces.sklearn_digits import SVM, RandomForest
    svm, forest = space["model"].candidates
    assert type(svm) is SVM and isinstance(svm.C, ss.Float)
    assert type(forest) is RandomForest and forest.max_depth is None
    for candidate in ss.random_sample(space, 5, seed=1):
        assert type(candidate["model"]) in (SVM, RandomForest)


@pytest.mark.parametrize("text, message", [
    ("a: {floatv: [1, 0]}", "exp.yaml:1: key 'space.a': floatv(lo=1, hi=0): lo must be less"),
    ("a: {oneof: []}", "exp.yaml:1: key 'space.a.oneof': oneof needs a non-empty list"),
    ("a: {oneof: [1, 2], scale: log}", "key 'space.a.scale': unknown option 'scale' for oneof"),
    ("a: {floatv: [1, 2], scael: log}", "unknown option 'scael' for floatv; valid options are "
                                        "scale, name (did you mean 'scale'?)"),
    ("a: {intv: [1, 2.5]}", "key 'space.a.intv': intv is written {intv: [low, high]} with two "
                            "ints"),
    ("a: {floatv: [low, 1]}", "with two numbers, got ['low', 1]"),
    ("a: {oneof: [1], intv: [1, 2]}", "a hyper-value takes one of"),
    ("a: {manyof: [1, 2]}", "manyof is written {manyof: {k: 2, candidates: [...]}}"),
    ("a: {manyof: {k: 0, candidates: [1]}}", "key 'space.a.manyof.k': expected a positive int"),
    ("a: {manyof: {candidates: [1]}}", "manyof needs 'k'"),
    ("a:\n  b:\n    - 1\n    - {_type: NoSuchType}",
     "exp.yaml:4: key 'space.a.b[1]._type': unknown symbolic type 'NoSuchType'"),
    ("a: {_type: symsearch.spaces.sklearn_digits.SVM, kernel: rbf}",
     "key 'space.a': cannot build symsearch.spaces.sklearn_digits.SVM"),
    ("a: {_type: nosuchmodule:Thing}", "cannot import module 'nosuchmodule'"),
])
def test_errors_name_line_and_key_path(text, message):
    with pytest.raises(ConfigError) as info:
        build(text)
    assert message in str(info.value)
    assert str(info.value).startswith("exp.yaml:")
