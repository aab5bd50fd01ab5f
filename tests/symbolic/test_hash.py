"""ss.hash: structural, stable across processes, cached and invalidated on mutation."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import symsearch as ss

from . import _models
from ._models import Adam, Block, Model, Trainer, double, make_trainer, train


def _hash_in_subprocess(hash_seed: str) -> str:
    module = _models.__name__  # "symbolic._models" or "tests.symbolic._models"
    root = Path(_models.__file__).resolve().parents[module.count(".")]
    code = (f"import sys; sys.path.insert(0, {str(root)!r}); import importlib; "
            f"m = importlib.import_module({module!r}); import symsearch as ss; "
            f"print(ss.hash(m.make_trainer()))")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_hash_is_stable_across_processes_and_hash_seeds():
    here = ss.hash(make_trainer())
    assert len(here) == 32 and int(here, 16) >= 0
    assert _hash_in_subprocess("0") == here
    assert _hash_in_subprocess("12345") == here


def test_hash_is_deterministic_and_structural():
    assert ss.hash(make_trainer()) == ss.hash(make_trainer())
    assert ss.hash(make_trainer(8)) != ss.hash(make_trainer(9))
    assert ss.hash(Adam(lr=0.1)) != ss.hash(Adam(lr=0.2))
    assert ss.hash(Adam()) == Adam().sym_hash()


def test_lambdas_hash_by_source():
    f1 = lambda x: x + 1  # noqa: E731
    f2 = lambda x: x + 1  # noqa: E731
    f3 = lambda x: x + 2  # noqa: E731
    assert ss.hash(f1) == ss.hash(f2)
    assert ss.hash(f1) != ss.hash(f3)
    assert ss.hash(ss.Dict(fn=f1)) == ss.hash(ss.Dict(fn=f2))
    assert ss.hash(ss.Dict(fn=f1)) != ss.hash(ss.Dict(fn=f3))


def test_lambdas_on_one_line_are_told_apart():
    pair = (lambda x: x * 2, lambda x: x * 3)
    assert ss.hash(pair[0]) != ss.hash(pair[1])
    assert ss.hash(pair[0]) == ss.hash(lambda x: x * 2)


def test_closures_and_defaults_are_part_of_a_function_hash():
    def make(k):
        return lambda x: x + k

    assert ss.hash(make(1)) == ss.hash(make(1))
    assert ss.hash(make(1)) != ss.hash(make(2))

    def with_default(x, k=1):
        return x + k

    def with_other_default(x, k=2):
        return x + k

    assert ss.hash(with_default) != ss.hash(with_other_default)


def test_named_functions_hash_by_qualified_name():
    assert ss.hash(double) == ss.hash(_models.double)
    assert ss.hash(np.sqrt) == ss.hash(np.sqrt)
    assert ss.hash(double) != ss.hash(make_trainer)


def test_one_and_one_point_zero_hash_equal():
    assert ss.hash(1) == ss.hash(1.0)
    assert ss.hash(-0.0) == ss.hash(0)
    assert ss.hash(1e20) == ss.hash(10 ** 20)  # == at any magnitude
    assert ss.hash(Adam(lr=1)) == ss.hash(Adam(lr=1.0))
    assert ss.hash([1, 2.0]) == ss.hash([1.0, 2])
    assert ss.hash(np.float64(2.0)) == ss.hash(2) and ss.hash(np.int64(3)) == ss.hash(3)


@pytest.mark.parametrize("a, b", [
    (1, True), (0, False), (1, "1"), (1, 1.5), (None, 0), ((1, 2), [1, 2]),
    ([1, 2], [2, 1]), ("a", b"a"), (float("inf"), float("-inf")), (0.1, 0.1000001),
    ({"a": 1}, {"a": 2}), ({"a": 1}, {"b": 1}), (Adam(), ss.Dict(lr=1e-3, beta1=0.9)),
    (ss.MISSING, None),
])
def test_different_values_hash_differently(a, b):
    assert ss.hash(a) != ss.hash(b)


def test_equal_values_hash_equally():
    assert ss.hash({"a": 1, "b": 2}) == ss.hash({"b": 2, "a": 1})  # key order is irrelevant
    assert ss.hash(float("nan")) == ss.hash(float("nan"))
    assert ss.hash({"b", "a"}) == ss.hash({"a", "b"})
    # symbolic and plain containers that are ss.eq hash the same, at any depth
    plain = {"a": {"b": [1, {"c": (2, [3])}]}}
    symbolic = ss.Dict(plain)
    assert ss.eq(plain, symbolic) and ss.hash(plain) == ss.hash(symbolic)
    assert ss.hash((ss.Dict(a=[1]),)) == ss.hash(({"a": [1]},))
    assert ss.hash(ss.List([[1], {"x": 2}])) == ss.hash([[1], {"x": 2}])


def test_numpy_arrays_hash_by_content():
    a = np.arange(2000, dtype=np.float64)
    b = a.copy()
    b[1000] = -1  # hidden by numpy's repr elision
    assert ss.hash(a) == ss.hash(a.copy()) and ss.hash(a) != ss.hash(b)
    assert ss.hash(np.zeros(3, np.float32)) != ss.hash(np.zeros(3, np.float64))
    assert ss.hash(np.zeros((2, 3))) != ss.hash(np.zeros((3, 2)))


def test_torch_tensors_hash_by_content():
    a = torch.zeros(2000)
    b = a.clone()
    b[1000] = 1.0  # both print as tensor([0., 0., 0., ..., 0., 0., 0.])
    assert repr(a) == repr(b)
    assert ss.hash(a) == ss.hash(a.clone()) and ss.hash(a) != ss.hash(b)
    assert ss.hash(torch.zeros(3, requires_grad=True)) == ss.hash(torch.zeros(3))
    assert ss.hash(torch.zeros(3)) != ss.hash(torch.zeros(3, dtype=torch.float64))


def test_hash_is_cached_and_invalidated_on_mutation():
    t = make_trainer()
    assert "_sym_hash_cache" not in t.__dict__
    h = ss.hash(t)
    block = t.model.blocks[1]
    assert t.__dict__["_sym_hash_cache"] == bytes.fromhex(h)
    assert "_sym_hash_cache" not in block.__dict__  # one pass, cached where asked
    ss.hash(block), ss.hash(t.optimizer)
    assert "_sym_hash_cache" in block.__dict__

    block.width = 99
    for node in (block, t.model.blocks, t.model, t):
        assert "_sym_hash_cache" not in node.__dict__
    assert "_sym_hash_cache" in t.optimizer.__dict__  # untouched branch keeps its cache
    h2 = ss.hash(t)
    assert h2 != h

    block.width = 16  # revert: the old structure, the old hash
    assert ss.hash(t) == h


def test_cached_hash_equals_fresh_hash():
    t = make_trainer()
    cached = ss.hash(t)
    t.rebind({"tags.team": "other"})
    t.rebind({"tags.team": "automl"})
    assert ss.hash(t) == cached == ss.hash(make_trainer())


def test_functor_and_partial_hashes():
    assert ss.hash(train("m", lr=0.5)) == ss.hash(train("m", lr=0.5))
    assert ss.hash(train("m")) != ss.hash(train("n"))
    assert ss.hash(train.partial()) != ss.hash(train(None))  # MISSING is not None
    assert ss.hash(Block.partial()) == ss.hash(Block.partial())


def test_python_hash_of_objects_is_consistent_with_eq():
    a, b = Model(blocks=[Block(1)]), Model(blocks=[Block(1)])
    assert a == b and hash(a) == hash(b)
    assert hash(a) == int.from_bytes(bytes.fromhex(ss.hash(a))[:8], "little")


def test_unhashable_leaf_raises_a_clear_error():
    class Opaque:
        __slots__ = ()

    with pytest.raises(TypeError, match="Cannot hash a Opaque structurally"):
        ss.hash(ss.Dict(x=Opaque()))


def test_plain_objects_hash_by_state_when_repr_has_an_address():
    class State:
        def __init__(self, v):
            self.v = v

    assert ss.hash(State(1)) == ss.hash(State(1))
    assert ss.hash(State(1)) != ss.hash(State(2))
    assert ss.hash(Trainer) == ss.hash(Trainer) and ss.hash(Trainer) != ss.hash(Model)
