"""Validation from annotations: at construction and rebind, errors name the key path."""
from typing import Annotated, Any, Callable, Literal, Optional, Union

import numpy as np
import pytest

import symsearch as ss

from ._models import Adam, Block, Model, SGD, Trainer


class Fields(ss.Object):
    i: int = 0
    f: float = 0.0
    s: str = ""
    b: bool = False
    maybe: Optional[int] = None
    either: Union[int, str] = 0
    ints: list[int] = []
    table: dict[str, float] = {}
    anydict: dict = {}
    choice: Literal["a", "b", 3] = "a"
    unit: Annotated[float, ss.Range(0, 1)] = 0.5
    positive: Annotated[int, ss.Range(min=1)] = 1
    pair: tuple[int, str] = (0, "")
    many: tuple[float, ...] = ()
    fn: Optional[Callable] = None
    opt: Optional[Adam] = None
    anything: Any = None


@pytest.mark.parametrize("field, value", [
    ("i", 3), ("i", -7), ("i", np.int64(5)),
    ("f", 1.5), ("f", 2), ("f", np.float32(0.5)),
    ("s", "text"), ("b", True), ("b", False),
    ("maybe", None), ("maybe", 4), ("either", 1), ("either", "x"),
    ("ints", [1, 2]), ("ints", []), ("table", {"a": 1.0, "b": 2}), ("anydict", {1: object()}),
    ("choice", "b"), ("choice", 3), ("unit", 0), ("unit", 1.0), ("positive", 10 ** 9),
    ("pair", (1, "x")), ("pair", [1, "x"]), ("many", (1.0, 2, 3.5)), ("fn", len),
    ("fn", lambda x: x), ("opt", Adam()), ("anything", object()),
])
def test_valid_values_are_accepted(field, value):
    obj = Fields(**{field: value})
    assert ss.eq(obj.sym_init_args[field], value) or obj.sym_init_args[field] == value


@pytest.mark.parametrize("field, value, error, message", [
    ("i", 1.0, TypeError, r"Expected int, got float 1\.0 \(path=i\)"),
    ("i", "1", TypeError, r"Expected int, got str '1' \(path=i\)"),
    ("i", True, TypeError, r"Expected int, got bool True \(path=i\)"),
    ("f", "0.1", TypeError, r"Expected float, got str '0\.1' \(path=f\)"),
    ("f", True, TypeError, r"Expected float, got bool True \(path=f\)"),
    ("s", 3, TypeError, r"Expected str, got int 3 \(path=s\)"),
    ("b", 1, TypeError, r"Expected bool, got int 1 \(path=b\)"),
    ("maybe", "x", TypeError, r"Expected int \| NoneType, got str 'x' \(path=maybe\)"),
    ("either", 1.5, TypeError, r"\(path=either\)"),
    ("ints", [1, "2"], TypeError, r"Expected int, got str '2' \(path=ints\[1\]\)"),
    ("ints", (1, 2), TypeError, r"Expected a list, got tuple \(1, 2\) \(path=ints\)"),
    ("ints", 5, TypeError, r"Expected a list.*\(path=ints\)"),
    ("table", {"a": "x"}, TypeError, r"Expected float, got str 'x' \(path=table\.a\)"),
    ("table", {"my key": "x"}, TypeError, r"\(path=table\['my key'\]\)"),
    ("table", {1: 1.0}, TypeError, r"Expected str, got int 1 \(path=table\)"),
    ("table", [("a", 1.0)], TypeError, r"Expected a dict.*\(path=table\)"),
    ("choice", "c", ValueError, r"Value 'c' is not one of \['a', 'b', 3\] \(path=choice\)"),
    ("unit", 1.5, ValueError, r"Value 1\.5 is above the maximum 1 \(path=unit\)"),
    ("unit", -0.1, ValueError, r"Value -0\.1 is below the minimum 0 \(path=unit\)"),
    ("unit", "x", TypeError, r"Expected float.*\(path=unit\)"),
    ("positive", 0, ValueError, r"below the minimum 1 \(path=positive\)"),
    ("pair", (1, 2), TypeError, r"Expected str, got int 2 \(path=pair\[1\]\)"),
    ("pair", (1,), TypeError, r"Expected a tuple of 2 items.*\(path=pair\)"),
    ("many", (1.0, "x"), TypeError, r"\(path=many\[1\]\)"),
    ("fn", 3, TypeError, r"\(path=fn\)"),
    ("opt", SGD(), TypeError, r"Expected Adam \| NoneType, got SGD .*\(path=opt\)"),
    ("opt", {"lr": 0.1}, TypeError, r"\(path=opt\)"),
])
def test_invalid_values_are_rejected_with_the_path(field, value, error, message):
    with pytest.raises(error, match=message):
        Fields(**{field: value})
    obj = Fields()
    with pytest.raises(error, match=message):
        obj.rebind({field: value})
    assert ss.eq(obj, Fields())  # a failed rebind leaves the object unchanged


def test_rebinding_a_nested_field_names_the_full_path():
    t = Trainer(model=Model(blocks=[Block(1)]), optimizer=Adam())
    with pytest.raises(TypeError) as info:
        t.rebind({"optimizer.lr": "fast"})
    assert "(path=optimizer.lr)" in str(info.value)
    assert str(info.value) == "Expected float, got str 'fast' (path=optimizer.lr)"
    with pytest.raises(TypeError, match=r"\(path=model\.blocks\[0\]\.width\)"):
        t.rebind({"model.blocks[0].width": 2.5})
    with pytest.raises(ValueError, match=r"\(path=optimizer\.beta1\)"):
        t.rebind({"optimizer.beta1": 2})


def test_nested_symbolic_types_are_checked():
    with pytest.raises(TypeError, match=r"Expected Model, got Block .*\(path=model\)"):
        Trainer(model=Block(1), optimizer=Adam())
    with pytest.raises(TypeError, match=r"Expected Adam \| SGD.*\(path=optimizer\)"):
        Trainer(model=Model(blocks=[]), optimizer="adam")
    t = Trainer(model=Model(blocks=[]), optimizer=SGD())
    t.rebind(optimizer=Adam())
    assert isinstance(t.optimizer, Adam)


def test_construction_errors_of_nested_objects_name_their_own_field():
    with pytest.raises(ValueError, match=r"\(path=dropout\)"):
        Model(blocks=[], dropout=1.5)


def test_missing_and_hyper_values_pass_checks():
    p = Fields.partial(i=ss.MISSING, unit=ss.MISSING)
    assert p.missing_values() == {"i": ss.MISSING, "unit": ss.MISSING}
    Fields(i=ss.intv(0, 10), f=ss.floatv(0.0, 1.0), unit=ss.floatv(0.1, 0.9),
           choice=ss.oneof(["a", "b"]), ints=[ss.oneof([1, 2])])


def test_hyper_value_candidates_are_checked_against_the_field():
    with pytest.raises(TypeError, match=r"\(path=i\.candidates\[1\]\)"):
        Fields(i=ss.oneof([1, "two"]))
    with pytest.raises(ValueError, match=r"not one of.*\(path=choice\.candidates\[0\]\)"):
        Fields(choice=ss.oneof(["z", "a"]))
    with pytest.raises(ValueError, match=r"goes above the field's maximum 1 \(path=unit\)"):
        Fields(unit=ss.floatv(0.0, 5.0))


def test_bool_and_int_are_distinct_but_int_is_a_float():
    assert Fields(f=3).f == 3
    with pytest.raises(TypeError):
        Fields(i=False)


def test_numpy_scalars_are_converted_to_python_numbers():
    obj = Fields(i=np.int32(4), f=np.float32(0.5))
    assert obj.i == 4 and type(obj.i) is int
    assert obj.f == 0.5 and type(obj.f) is float
    with pytest.raises(TypeError, match=r"\(path=f\)"):
        Fields(f=np.bool_(True))


def test_fast_new_skips_validation():
    # ``_sym_fast_new`` is the internal hot path (materialize / clone / load build
    # already-checked values with it); validating there would cost every trial.
    bad = Fields._sym_fast_new({**Fields().sym_init_args, "i": "not an int", "unit": 7.0})
    assert bad.i == "not an int" and bad.unit == 7.0
    t = Trainer._sym_fast_new({"model": "not a model", "optimizer": 1, "epochs": "x",
                               "name": 3, "tags": None})
    assert t.model == "not a model" and t.epochs == "x"


def test_unresolvable_forward_reference_keeps_other_checks():
    namespace = {}
    exec(
        "from __future__ import annotations\n"
        "import symsearch as ss\n"
        "def make():\n"
        "    class Local(ss.Object):\n"
        "        x: int = 0\n"
        "    class Holder(ss.Object):\n"
        "        inner: Local = None\n"  # 'Local' cannot be resolved from module globals
        "        n: int = 1\n"
        "    return Local, Holder\n",
        namespace)
    Local, Holder = namespace["make"]()
    assert Holder(inner="anything").inner == "anything"  # unresolvable: unchecked
    with pytest.raises(TypeError, match=r"Expected int, got str 'x' \(path=n\)"):
        Holder(n="x")


def test_functor_arguments_use_the_same_checks():
    @ss.symbolize
    def fit(lr: Annotated[float, ss.Range(0, 1)], layers: list[int] = ()):
        return lr

    with pytest.raises(ValueError, match=r"above the maximum 1 \(path=lr\)"):
        fit(lr=2.0)
    with pytest.raises(TypeError, match=r"\(path=layers\[0\]\)"):
        fit(0.1, ["x"])
    assert fit(0.5, [1, 2])() == 0.5
