"""ss.Object: symbolic classes declared by annotated fields."""
from typing import ClassVar

import pytest

import symsearch as ss
from symsearch.symbolic import registry

from ._models import Adam, Block, Model, SGD, Trainer


def test_fields_come_from_annotations_with_defaults():
    opt = Adam()
    assert opt.lr == 1e-3 and opt.beta1 == 0.9
    assert opt.sym_init_args == {"lr": 1e-3, "beta1": 0.9}
    assert Adam._sym_fields.names == ("lr", "beta1")


def test_keyword_and_positional_construction():
    assert Adam(0.5).lr == 0.5
    assert Adam(0.5, 0.8).sym_init_args == {"lr": 0.5, "beta1": 0.8}
    assert Adam(beta1=0.1).sym_init_args == {"lr": 1e-3, "beta1": 0.1}


def test_required_fields_come_first_for_positional_construction():
    class Layer(ss.Object):
        bias: bool = True
        units: int  # declared after a defaulted field, still required

    assert Layer._sym_fields.names == ("units", "bias")
    assert Layer(16).sym_init_args == {"units": 16, "bias": True}


def test_missing_required_field_is_an_error_that_suggests_partial():
    with pytest.raises(TypeError, match=r"missing required argument 'width'.*partial"):
        Block()


def test_unknown_and_duplicate_arguments_are_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'lrr'"):
        Adam(lrr=0.1)
    with pytest.raises(TypeError, match="multiple values for argument 'lr'"):
        Adam(0.1, lr=0.2)
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3"):
        Adam(0.1, 0.2, 0.3)


def test_private_and_classvar_annotations_are_not_fields():
    class Cfg(ss.Object):
        size: int = 1
        _cache: dict = {}
        registry_name: ClassVar[str] = "cfg"

    assert Cfg._sym_fields.names == ("size",)
    assert Cfg.registry_name == "cfg"
    with pytest.raises(TypeError):
        Cfg(registry_name="x")


def test_subclass_inherits_and_overrides_fields():
    class Base(ss.Object):
        a: int = 1
        b: str = "x"

    class Child(Base):
        b: str = "y"
        c: float = 0.5

    c = Child()
    assert c.sym_init_args == {"a": 1, "b": "y", "c": 0.5}
    assert isinstance(c, Base)
    with pytest.raises(TypeError, match=r"\(path=a\)"):
        Child(a="no")


def test_mutable_defaults_are_not_shared_between_instances():
    class Cfg(ss.Object):
        widths: list = [1, 2]
        opts: dict = {"a": 1}

    x, y = Cfg(), Cfg()
    x.widths.append(3)
    x.opts["b"] = 2
    assert y.widths == [1, 2] and y.opts == {"a": 1}
    assert Cfg.widths == [1, 2]  # the class-level default is untouched


def test_symbolic_default_is_cloned_per_instance():
    class Holder(ss.Object):
        opt: Adam = Adam(lr=0.5)

    a, b = Holder(), Holder()
    assert a.opt is not b.opt and a.opt is not Holder.opt
    assert a.opt.sym_parent is a and a.opt.sym_path == "opt"
    a.opt.lr = 0.9
    assert b.opt.lr == 0.5 and Holder.opt.lr == 0.5


def test_attribute_assignment_is_validated_and_rebinds():
    opt = Adam()
    opt.lr = 0.25
    assert opt.lr == 0.25 and opt.sym_init_args["lr"] == 0.25
    with pytest.raises(TypeError, match=r"Expected float.*\(path=lr\)"):
        opt.lr = "fast"
    with pytest.raises(ValueError, match=r"above the maximum 1 \(path=beta1\)"):
        opt.beta1 = 1.5
    assert opt.lr == 0.25 and opt.beta1 == 0.9  # unchanged after failed assignments


def test_nested_attribute_assignment_error_names_full_path():
    t = Trainer(model=Model(blocks=[]), optimizer=Adam())
    with pytest.raises(TypeError, match=r"\(path=optimizer\.lr\)"):
        t.optimizer.lr = "x"


def test_non_field_attributes_are_plain():
    opt = Adam()
    opt.note = "hello"
    assert opt.note == "hello"
    assert "note" not in opt.sym_init_args


def test_on_bound_hook_runs_on_construction_and_changes():
    calls = []

    class Scaled(ss.Object):
        x: int = 1

        def _on_bound(self):
            calls.append(self.x)
            self.doubled = 2 * self.x

    s = Scaled(3)
    assert s.doubled == 6
    s.x = 5
    assert s.doubled == 10
    s.rebind(x=7)
    assert s.doubled == 14
    assert calls == [3, 5, 7]


def test_on_bound_can_reject_invalid_combinations():
    class Interval(ss.Object):
        lo: float = 0.0
        hi: float = 1.0

        def _on_bound(self):
            if self.lo > self.hi:
                raise ValueError(f"lo={self.lo} > hi={self.hi}")

    with pytest.raises(ValueError, match="lo=2.0 > hi=1.0"):
        Interval(lo=2.0)


def test_eq_and_hash_are_symbolic():
    assert Adam(lr=0.1) == Adam(lr=0.1)
    assert Adam(lr=0.1) != Adam(lr=0.2)
    assert not (Adam(lr=0.1) == Adam(lr=0.2))
    assert hash(Adam(lr=0.1)) == hash(Adam(lr=0.1))
    assert len({Adam(lr=0.1), Adam(lr=0.1), Adam(lr=0.2)}) == 2
    assert {Adam(): "a"}[Adam()] == "a"
    # Same field values, different classes: not equal.
    assert Adam(lr=0.1, beta1=0.0) != SGD(lr=0.1, momentum=0.0)
    # int and float fields that are == compare and hash equal.
    assert Adam(lr=1) == Adam(lr=1.0) and hash(Adam(lr=1)) == hash(Adam(lr=1.0))


def test_python_hash_changes_with_mutation():
    opt = Adam(lr=0.1)
    before = hash(opt)
    opt.lr = 0.2
    assert hash(opt) != before
    assert hash(opt) == hash(Adam(lr=0.2))


def test_object_registers_under_qualified_name_and_alias():
    assert registry.name_of(Adam) == f"{Adam.__module__}.Adam"
    assert registry.lookup(f"{Adam.__module__}.Adam") is Adam

    class Fancy(ss.Object, type_name="tests.FancyAlias"):
        x: int = 0

    assert registry.name_of(Fancy) == "tests.FancyAlias"
    assert registry.lookup("tests.FancyAlias") is Fancy
    assert ss.to_json(Fancy(x=2)) == {"_type": "tests.FancyAlias", "x": 2}


def test_partial_leaves_fields_missing():
    b = Block.partial(activation="gelu")
    assert b.width is ss.MISSING
    assert b.is_partial and b.missing_values() == {"width": ss.MISSING}
    b.rebind(width=4)
    assert not b.is_partial and b == Block(4, "gelu")


def test_partial_still_validates_given_values():
    with pytest.raises(ValueError, match=r"not one of \['relu', 'gelu'\] \(path=activation\)"):
        Block.partial(activation="tanh")


def test_sym_fast_new_does_not_validate():
    # Internal hot path (materialize, clone, load): the inputs were checked already, so
    # it skips validation. A wrong type is accepted here, and only here.
    b = Block._sym_fast_new({"width": "not-an-int", "activation": "swish"})
    assert b.width == "not-an-int" and b.activation == "swish"
    with pytest.raises(TypeError):
        Block(width="not-an-int")


def test_sym_fast_new_links_children_and_runs_on_bound():
    inner = Adam()
    t = Trainer._sym_fast_new({"model": Model(blocks=[]), "optimizer": inner, "epochs": 1,
                               "name": None, "tags": ss.Dict()})
    assert inner.sym_parent is t and inner.sym_path == "optimizer"
    assert t.epochs == 1  # _on_bound copied fields into attributes
