"""ss.clone (deep and shallow) and ss.eq / ss.ne."""
import numpy as np
import pytest

import symsearch as ss

from ._models import Adam, Block, Model, SGD, Trainer, double, train


class Box:
    """A plain mutable, non-symbolic leaf."""

    def __init__(self, items):
        self.items = items

    def __eq__(self, other):
        return isinstance(other, Box) and self.items == other.items


def _trainer(weights):
    return Trainer(model=Model(blocks=[Block(8)]), optimizer=Adam(),
                   tags={"weights": weights, "box": Box([1]), "pair": ([1], 2)})


# ---- clone -------------------------------------------------------------------------------
def test_deep_clone_copies_non_symbolic_mutable_leaves():
    w = np.zeros(3)
    t = _trainer(w)
    c = ss.clone(t, deep=True)
    assert ss.eq(c, t) and c is not t
    assert c.tags["weights"] is not w and np.array_equal(c.tags["weights"], w)
    assert c.tags["box"] is not t.tags["box"]
    c.tags["weights"][0] = 5.0
    assert w[0] == 0.0  # the original array is untouched
    assert ss.clone(t) is not t and ss.clone(t).tags["weights"] is not w  # deep by default


def test_shallow_clone_shares_non_symbolic_leaves():
    w = np.zeros(3)
    t = _trainer(w)
    c = ss.clone(t, deep=False)
    assert c.tags["weights"] is w and c.tags["box"] is t.tags["box"]
    assert c.clone(deep=False).tags["weights"] is w  # the method form agrees
    w[1] = 7.0
    assert c.tags["weights"][1] == 7.0


def test_clone_always_rebuilds_symbolic_nodes():
    t = _trainer(np.zeros(1))
    for deep in (True, False):
        c = ss.clone(t, deep=deep)
        assert c.model is not t.model and c.model.blocks[0] is not t.model.blocks[0]
        assert c.tags is not t.tags and type(c.tags) is ss.Dict
        assert c.model.blocks[0].sym_parent is c.model.blocks
        assert c.model.blocks[0].sym_path == "model.blocks[0]"
        c.model.blocks[0].width = 99
        assert t.model.blocks[0].width == 8


def test_clone_of_a_subtree_is_a_root():
    t = _trainer(np.zeros(1))
    c = ss.clone(t.model)
    assert c.sym_parent is None and c.sym_path == "" and c.blocks[0].sym_path == "blocks[0]"
    assert ss.eq(c, t.model)


def test_clone_keeps_a_valid_hash_cache_and_then_diverges():
    t = _trainer(np.zeros(1))
    h = ss.hash(t)
    c = ss.clone(t)
    assert ss.hash(c) == h
    c.rebind(epochs=99)
    assert ss.hash(c) != h and ss.hash(t) == h


def test_clone_copies_plain_containers_and_keeps_immutables():
    fn = double
    v = {"a": [1, {"b": 2}], "t": (1, [2]), "f": fn, "s": "x"}
    c = ss.clone(v)
    assert c == v and c is not v and c["a"] is not v["a"] and c["t"][1] is not v["t"][1]
    assert c["f"] is fn and c["s"] is v["s"]
    assert ss.clone(5) == 5 and ss.clone(ss.MISSING) is ss.MISSING


def test_clone_of_a_partial_object_stays_partial():
    p = train.partial(lr=0.5)
    c = ss.clone(p)
    assert c.missing_values() == {"model": ss.MISSING} and c == p


# ---- eq ----------------------------------------------------------------------------------
def test_eq_is_structural():
    assert ss.eq(_trainer([1.0]), _trainer([1.0]))
    assert not ss.eq(_trainer([1.0]), _trainer([2.0]))
    assert ss.ne(_trainer([1.0]), _trainer([2.0]))
    assert not ss.ne(Adam(), Adam())


@pytest.mark.parametrize("a, b, expected", [
    (1, 1.0, True),
    (1.0, 1, True),
    (0.1 + 0.2, 0.3, False),
    (True, 1, False),
    (1, True, False),
    (False, 0.0, False),
    ("1", 1, False),
    (None, None, True),
    (None, 0, False),
    (float("nan"), float("nan"), True),
    ((1, 2), [1, 2], False),
    ([1, 2], (1, 2), False),
    ((1, [2]), (1, [2]), True),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
    ({"a": 1}, {"a": 1, "b": 2}, False),
    ([1, 2], [2, 1], False),
    (np.int64(3), 3, True),
    (3, np.int64(3), True),
    (2.5, np.float64(2.5), True),
    (np.float32(0.5), 0.5, True),
])
def test_eq_of_plain_values(a, b, expected):
    assert ss.eq(a, b) is expected
    assert ss.ne(a, b) is (not expected)


def test_eq_between_symbolic_and_plain_containers():
    assert ss.eq(ss.Dict(a={"b": [1]}), {"a": {"b": [1]}})
    assert ss.eq({"a": {"b": [1]}}, ss.Dict(a={"b": [1]}))
    assert ss.eq(ss.List([1, {"x": 2}]), [1, {"x": 2}])
    assert not ss.eq(ss.List([1]), (1,))


def test_eq_of_objects_requires_the_same_type():
    assert not ss.eq(Adam(lr=0.1, beta1=0.0), SGD(lr=0.1, momentum=0.0))
    assert not ss.eq(Adam(), {"lr": 1e-3, "beta1": 0.9})
    assert not ss.eq(Adam(), None)


def test_eq_of_partial_objects():
    assert ss.eq(Block.partial(), Block.partial())
    assert not ss.eq(Block.partial(), Block(1))


def test_eq_of_functions_by_name_or_source():
    assert ss.eq(double, double)
    f1 = lambda x: x + 1  # noqa: E731
    f2 = lambda x: x + 1  # noqa: E731
    f3 = lambda x: x + 2  # noqa: E731
    assert ss.eq(f1, f2) and not ss.eq(f1, f3)
    assert not ss.eq(f1, 1)
    assert ss.eq(ss.Dict(fn=f1), ss.Dict(fn=f2))


def test_eq_of_numpy_arrays():
    assert ss.eq(np.arange(3), np.arange(3))
    assert not ss.eq(np.arange(3), np.arange(4))
    assert not ss.eq(np.arange(3), np.arange(3.0))  # dtype is part of the value
    assert ss.eq(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    assert ss.eq(ss.Dict(w=np.ones(2)), ss.Dict(w=np.ones(2)))
    assert not ss.eq(np.ones(2), [1.0, 1.0])


def test_eq_uses_cached_hashes_when_both_present():
    a, b = _trainer([1]), _trainer([1])
    ss.hash(a), ss.hash(b)
    assert ss.eq(a, b)
    b.rebind(epochs=4)
    assert not ss.eq(a, b)
