"""JSON/YAML round trips of search spaces and of their candidates."""
import pytest

import symsearch as ss
from tests.hyper._spaces import (Conv, Net, conditional_space, contains_hyper, finite_space,
                                 step_mutator)


def spec_shape(spec):
    return [(d.path, d.kind, d.name, d.condition, d.num_candidates, d.lo, d.hi, d.scale,
             d.step) for d in spec]


@pytest.mark.parametrize("dump,load", [
    (ss.to_yaml, ss.from_yaml),
    (ss.to_json_str, ss.from_json_str),
    (ss.to_json, ss.from_json),
], ids=["yaml", "json-str", "json"])
@pytest.mark.parametrize("make", [conditional_space, finite_space], ids=["conditional", "finite"])
def test_reloaded_space_has_the_same_spec_and_candidates(dump, load, make):
    space = make()
    reloaded = load(dump(space))
    assert ss.eq(reloaded, space)
    assert ss.hash(reloaded) == ss.hash(space)
    spec, spec2 = ss.dna_spec(space), ss.dna_spec(reloaded)
    assert spec_shape(spec2) == spec_shape(spec)
    assert spec2.fingerprint == spec.fingerprint
    assert spec2.space_size == spec.space_size
    for seed in range(25):
        dna = ss.random_dna(spec, seed)
        a, b = ss.materialize(space, dna), ss.materialize(reloaded, dna)
        assert ss.eq(a, b) and ss.hash(a) == ss.hash(b)
        assert ss.encode(reloaded, a) == dna


def test_yaml_of_a_space_is_readable():
    space = ss.Dict(act=ss.oneof(["relu", "gelu"], name="act"),
                    lr=ss.floatv(1e-4, 1e-1, scale="log"))
    text = ss.to_yaml(space)
    assert text == (
        "act:\n"
        "  _type: oneof\n"
        "  candidates:\n"
        "  - relu\n"
        "  - gelu\n"
        "  name: act\n"
        "lr:\n"
        "  _type: floatv\n"
        "  lo: 0.0001\n"
        "  hi: 0.1\n"
        "  scale: log\n")


def test_hand_written_yaml_space_with_defaults():
    text = """\
model:
  _type: tests.hyper._spaces.Conv
  width: {_type: intv, lo: 8, hi: 64, step: 8}
  act: {_type: oneof, candidates: [relu, gelu], name: act}
ops: {_type: manyof, k: 2, candidates: [a, b, c]}
"""
    space = ss.from_yaml(text)
    spec = ss.dna_spec(space)
    assert [(d.path, d.kind, d.name) for d in spec] == [
        ("model.width", "int", None), ("model.act", "choice", "act"),
        ("ops[0]", "choice", None), ("ops[1]", "choice", None)]
    assert spec.units[2].distinct is True and spec.units[2].sorted is False
    c = ss.materialize(space, ss.DNA((16, 1, 2, 0)))
    assert c == {"model": Conv(width=16, act="gelu"), "ops": ["c", "a"]}


def test_candidates_round_trip_through_yaml_and_json():
    space = conditional_space()
    for c in ss.random_sample(space, 20, seed=9):
        for dump, load in ((ss.to_yaml, ss.from_yaml), (ss.to_json_str, ss.from_json_str)):
            back = load(dump(c))
            assert isinstance(back, Net)
            assert ss.eq(back, c) and ss.hash(back) == ss.hash(c)
            assert not contains_hyper(back)


def test_space_with_evolve_round_trips_when_the_mutator_is_allowed():
    space = ss.Dict(depth=ss.evolve(3, step_mutator, name="depth"), act=ss.oneof(["a", "b"]))
    text = ss.to_yaml(space)
    assert "_function: tests.hyper._spaces.step_mutator" in text
    back = ss.from_yaml(text)
    assert back["depth"].mutator is step_mutator
    assert spec_shape(ss.dna_spec(back)) == spec_shape(ss.dna_spec(space))
    assert ss.materialize(back, ss.DNA((7, 1))) == {"depth": 7, "act": "b"}


def test_space_with_a_lambda_mutator_cannot_be_serialized():
    space = ss.Dict(depth=ss.evolve(3, lambda v, rng: v + 1))
    with pytest.raises(TypeError, match=r"Cannot serialize a lambda at depth\.mutator"):
        ss.to_yaml(space)


def test_save_and_load_a_space_file(tmp_path):
    space = conditional_space()
    for name in ("space.yaml", "space.json"):
        path = tmp_path / name
        ss.save(space, str(path))
        back = ss.load(str(path))
        assert spec_shape(ss.dna_spec(back)) == spec_shape(ss.dna_spec(space))
        dna = ss.random_dna(ss.dna_spec(space), 1)
        assert ss.eq(ss.materialize(back, dna), ss.materialize(space, dna))


def test_reloaded_space_is_mutable_and_recompiles():
    back = ss.from_yaml(ss.to_yaml(ss.Dict(act=ss.oneof(["a", "b"]))))
    assert ss.dna_spec(back)["act"].num_candidates == 2
    back.rebind({"act.candidates": ["a", "b", "c", "d"]})
    assert ss.dna_spec(back)["act"].num_candidates == 4


def test_dynamic_candidate_round_trips_when_the_function_is_registered():
    def fn():
        return ss.oneof([1, 2, 3], name="x") * 10

    ss.allow(fn, name="tests.hyper.serialization.fn")
    space = ss.trace(fn)
    candidate = ss.materialize(space, ss.DNA((2,)))
    back = ss.from_json_str(ss.to_json_str(candidate))
    assert isinstance(back, ss.DynamicCandidate)
    assert dict(back.decisions) == {"x": 2}
    assert back() == 30
    assert ss.encode(space, back) == ss.DNA((2,))
