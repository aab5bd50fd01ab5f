"""Define-by-run spaces: hyper-values called while a function runs."""
import os
import threading

import pytest

import symsearch as ss
from tests.hyper._spaces import Conv, contains_hyper

HERE = os.path.basename(__file__)


def build_model():
    act = ss.oneof(["relu", "gelu", "tanh"], name="act")
    width = ss.intv(8, 32, step=8, name="width")
    if act == "gelu":
        # reached only on a non-default branch
        approx = ss.oneof(["none", "tanh", "erf"], name="approx")
        if approx == "erf":
            # two levels deep
            eps = ss.floatv(1e-6, 1e-2, scale="log", name="eps")
            return {"act": act, "width": width, "approx": approx, "eps": eps}
        return {"act": act, "width": width, "approx": approx}
    if act == "tanh":
        layers = ss.manyof(2, ["a", "b", "c"], name="layers")
        return {"act": act, "width": width, "layers": layers}
    return {"act": act, "width": width}


@pytest.fixture(scope="module")
def space():
    return ss.trace(build_model)


def test_hyper_values_outside_a_context_are_hyper_values():
    assert isinstance(ss.oneof([1, 2]), ss.OneOf)
    assert isinstance(ss.floatv(0, 1), ss.Float)
    assert isinstance(build_model()["act"], ss.OneOf)


def test_hyper_values_return_decided_values_under_sampling():
    with ss.sampling({"act": 1, "width": 24, "approx": 2, "eps": 1e-4}):
        assert build_model() == {"act": "gelu", "width": 24, "approx": "erf", "eps": 1e-4}
    with ss.sampling({"act": 2, "layers": (2, 0)}):
        # decisions missing from the dict take their defaults
        assert build_model() == {"act": "tanh", "width": 8, "layers": ["c", "a"]}
    assert isinstance(ss.oneof([1, 2]), ss.OneOf)  # context is gone


def test_sampling_rejects_an_invalid_raw_value():
    with pytest.raises(ValueError, match=r"Decision 'act' takes a candidate index in \[0, 3\)"):
        with ss.sampling({"act": "gelu"}):
            build_model()
    with pytest.raises(ValueError, match=r"'layers' \(manyof\) takes a tuple of 2"):
        with ss.sampling({"act": 2, "layers": 1}):
            build_model()


def test_trace_discovers_all_decisions_including_non_default_branches(space):
    spec = ss.dna_spec(space)
    # numbered depth-first (a branch's decisions follow their choice), like static spaces
    assert [(d.path, d.kind) for d in spec] == [
        ("act", "choice"), ("approx", "choice"), ("eps", "float"), ("layers[0]", "choice"),
        ("layers[1]", "choice"), ("width", "int")]
    assert spec["layers[0]"].name == "layers[0]"
    assert (spec["width"].lo, spec["width"].hi, spec["width"].step) == (8, 32, 8)
    assert (spec["eps"].scale, spec["eps"].lo) == ("log", 1e-6)


def test_branch_decisions_are_conditional_on_their_branch(space):
    spec = ss.dna_spec(space)
    act, approx = spec["act"], spec["approx"]
    assert act.condition is None and spec["width"].condition is None
    assert approx.condition == (act.index, 1)
    assert spec["eps"].condition == (approx.index, 2)          # two levels deep
    assert spec["layers[0]"].condition == (act.index, 2)
    assert [u.path for u in spec.units] == ["act", "width"]
    assert [[u.path for u in branch] for branch in act.children] == [
        [], ["approx"], ["layers"]]
    assert [[u.path for u in branch] for branch in approx.children] == [[], [], ["eps"]]
    assert spec.space_size == float("inf")  # eps is continuous
    finite = ss.DNA((1, 1, None, None, None, 8))
    spec.validate(finite)
    assert spec.active_indices(finite) == [0, 1, 5]


def test_random_candidates_run_the_function_with_their_decisions(space):
    spec = ss.dna_spec(space)
    seen_acts = set()
    for seed in range(60):
        dna = ss.random_dna(spec, seed)
        spec.validate(dna)
        candidate = ss.materialize(space, dna)
        assert isinstance(candidate, ss.DynamicCandidate)
        out = candidate()
        values = dna.to_dict(spec, key="name", value="literal")
        assert out["act"] == values["act"] and out["width"] == values["width"]
        if out["act"] == "gelu":
            assert out["approx"] == values["approx"]
            if out["approx"] == "erf":
                assert 1e-6 <= out["eps"] <= 1e-2 and out["eps"] == values["eps"]
        elif out["act"] == "tanh":
            assert out["layers"] == [values["layers[0]"], values["layers[1]"]]
            assert len(set(out["layers"])) == 2
        seen_acts.add(out["act"])
        assert candidate() == out  # replayable
    assert seen_acts == {"relu", "gelu", "tanh"}


def test_dynamic_candidate_holds_only_active_decisions(space):
    spec = ss.dna_spec(space)
    dna = ss.DNA((1, 2, 0.001, None, None, 16))
    candidate = ss.materialize(space, dna)
    assert dict(candidate.decisions) == {"act": 1, "width": 16, "approx": 2, "eps": 0.001}
    assert candidate() == {"act": "gelu", "width": 16, "approx": "erf", "eps": 0.001}
    assert ss.encode(space, candidate) == dna
    relu = ss.materialize(space, ss.DNA((0, None, None, None, None, 8)))
    assert dict(relu.decisions) == {"act": 0, "width": 8}
    assert relu() == {"act": "relu", "width": 8}
    assert spec.active_indices(dna) == [0, 1, 2, 5]


def test_encode_round_trip_for_traced_space(space):
    spec = ss.dna_spec(space)
    for seed in range(50):
        dna = ss.random_dna(spec, seed)
        assert ss.encode(space, ss.materialize(space, dna)) == dna


def test_encode_of_hand_made_dynamic_candidates(space):
    made = ss.DynamicCandidate(fn=build_model, decisions={"act": 2, "width": 8,
                                                           "layers": (1, 0), "eps": 0.1})
    # decisions of branches not taken are dropped
    assert ss.encode(space, made) == ss.DNA((2, None, None, 1, 0, 8))
    with pytest.raises(ValueError, match=r"Decision 'nope' is not in the traced space"):
        ss.encode(space, ss.DynamicCandidate(fn=build_model, decisions={"nope": 1}))
    with pytest.raises(ValueError, match=r"Decision 'width': 9 is not on the grid"):
        ss.encode(space, ss.DynamicCandidate(fn=build_model, decisions={"act": 0,
                                                                         "width": 9}))
    with pytest.raises(ValueError, match=r"Expected a DynamicCandidate, got dict"):
        ss.encode(space, {"act": "relu"})


def test_unnamed_decisions_are_keyed_by_call_site():
    def fn():
        a = ss.oneof([1, 2])
        bs = [ss.intv(0, 3) for _ in range(2)]
        return a, bs

    space = ss.trace(fn)
    line = fn.__code__.co_firstlineno
    keys = [d.path for d in ss.dna_spec(space)]
    assert keys == [f"{HERE}:{line + 1}", f"{HERE}:{line + 2}", f"{HERE}:{line + 2}#1"]
    candidate = ss.materialize(space, ss.DNA((1, 3, 0)))
    assert candidate() == (2, [3, 0])


def test_trace_passes_arguments_and_keyword_arguments():
    def fn(base, scale=1):
        return base + scale * ss.intv(0, 4, name="k")

    space = ss.trace(fn, 100, scale=10)
    assert space.args == (100,) and space.kwargs == {"scale": 10}
    candidate = ss.materialize(space, ss.DNA((3,)))
    assert candidate() == 130
    assert candidate(1, scale=1) == 4  # explicit arguments override traced ones


def test_trace_rejects_a_name_used_twice_in_one_run():
    def fn():
        return ss.oneof([1, 2], name="x") + ss.oneof([3, 4], name="x")

    with pytest.raises(ValueError, match=r"name 'x' is used twice"):
        ss.trace(fn)


def test_iterate_a_finite_traced_space():
    def fn():
        kind = ss.oneof(["a", "b"], name="kind")
        if kind == "b":
            return kind, ss.intv(1, 3, name="n")
        return kind, ss.manyof(2, [1, 2, 3], sorted=True, name="m")

    space = ss.trace(fn)
    spec = ss.dna_spec(space)
    assert spec.space_size == 3 + 3
    outputs = [c() for c in ss.iterate(space)]
    assert sorted(map(repr, outputs)) == sorted(map(repr, [
        ("a", [1, 2]), ("a", [1, 3]), ("a", [2, 3]), ("b", 1), ("b", 2), ("b", 3)]))


def test_define_by_run_values_may_be_symbolic_and_are_copied():
    template = Conv(width=8)

    def fn():
        conv = ss.oneof([template, Conv(width=16)], name="conv")
        conv.rebind(act="gelu")  # mutating the returned value must not touch the space
        return conv

    space = ss.trace(fn)
    out = ss.materialize(space, ss.DNA((0,)))()
    assert out == Conv(width=8, act="gelu")
    assert template == Conv(width=8, act="relu")
    assert not contains_hyper(out)


def test_contexts_are_per_thread():
    results = {}
    started = threading.Event()
    release = threading.Event()

    def other():
        started.set()
        release.wait(5)
        results["other"] = ss.oneof([1, 2])

    t = threading.Thread(target=other)
    t.start()
    started.wait(5)
    with ss.sampling({"x": 1}):
        release.set()
        t.join(5)
        results["here"] = ss.oneof([1, 2], name="x")
    assert isinstance(results["other"], ss.OneOf)
    assert results["here"] == 2


def test_trace_explores_at_most_max_runs():
    calls = []

    def fn():
        calls.append(1)
        a = ss.oneof(list(range(5)), name="a")
        return ss.oneof(list(range(5)), name=f"b{a}")

    ss.trace(fn, max_runs=3)
    assert len(calls) == 3
    calls.clear()
    full = ss.trace(fn)
    assert len(calls) == 1 + 4 + 5 * 4
    assert [d.path for d in ss.dna_spec(full)][:2] == ["a", "b0"]
    assert ss.dna_spec(full)["b3"].condition == (0, 3)


def test_condition_is_the_choice_that_decides_the_branch_not_a_later_sibling():
    def fn():
        a = ss.oneof([0, 1], name="a")
        b = ss.oneof([0, 1], name="b")   # unrelated, between a and the branch
        if a == 1:
            return ss.intv(0, 3, name="k")
        return b

    spec = ss.dna_spec(ss.trace(fn))
    assert spec["k"].condition == (spec["a"].index, 1)
    assert spec["b"].condition is None
    assert spec.space_size == (1 + 4) * 2


def test_decision_reached_under_several_branches_stays_unconditional():
    def fn():
        a = ss.oneof(["x", "y", "z"], name="a")
        if a != "y":
            return a, ss.intv(0, 1, name="k")
        return a, None

    space = ss.trace(fn)
    spec = ss.dna_spec(space)
    assert spec["k"].condition is None
    # the value of k is ignored on branch y, but every DNA still replays correctly
    assert ss.materialize(space, ss.DNA((1, 1)))() == ("y", None)
    assert ss.materialize(space, ss.DNA((2, 1)))() == ("z", 1)
