"""@ss.symbolize on classes: user classes, third-party classes (torch), stdlib classes."""
import collections
import logging
import random

import pytest
import torch

import symsearch as ss
from symsearch.symbolic import registry

from ._models import Conv

Linear = ss.symbolize(torch.nn.Linear)


# ---- a user class ----------------------------------------------------------------------
def test_init_arguments_become_fields_with_defaults():
    c = Conv(16)
    assert c.sym_init_args == {"channels": 16, "kernel": 3, "padding": "same"}
    assert (c.channels, c.kernel, c.padding) == (16, 3, "same")  # __init__ ran
    assert isinstance(c, ss.Symbolic) and isinstance(c, ss.ClassWrapper)
    assert Conv.__name__ == "Conv" and "plain class" in Conv.__doc__


def test_annotations_of_init_are_validated():
    with pytest.raises(TypeError, match=r"Expected int, got str 'big' \(path=channels\)"):
        Conv("big")
    with pytest.raises(TypeError, match="missing required argument 'channels'"):
        Conv()


def test_rebind_reruns_init():
    c = Conv(8)
    calls = Conv.init_calls
    c.extra = "set by user code"
    c.rebind(kernel=5)
    assert Conv.init_calls == calls + 1
    assert c.kernel == 5 and c.sym_init_args["kernel"] == 5
    assert c.built_with == (8, 5, "same")
    assert not hasattr(c, "extra")  # re-initialized from scratch, like a new instance
    with pytest.raises(TypeError, match=r"\(path=kernel\)"):
        c.rebind(kernel="five")
    assert c.kernel == 5


def test_partial_wrapper_does_not_construct():
    c = Conv.partial(kernel=1)
    assert c.missing_values() == {"channels": ss.MISSING}
    assert not hasattr(c, "kernel")
    c.rebind(channels=4)  # now complete: __init__ runs
    assert c.channels == 4 and c.kernel == 1


def test_wrapper_keeps_identity_eq_and_hash():
    a, b = Conv(8), Conv(8)
    assert a != b and a == a  # identity, like the plain class
    assert hash(a) == object.__hash__(a)
    assert len({a, b}) == 2
    assert ss.eq(a, b) and ss.hash(a) == ss.hash(b)  # symbolic comparison is explicit
    assert not ss.eq(a, Conv(9))


def test_symbolizing_a_symbolic_class_or_twice_returns_the_same_class():
    assert ss.symbolize(Conv) is Conv
    assert ss.symbolize(torch.nn.Linear) is Linear


def test_keyword_only_and_var_arguments_of_a_class():
    class Recorder:
        def __init__(self, first, *rest, scale=1, **options):
            self.seen = (first, rest, scale, options)

    R = ss.symbolize(Recorder)
    r = R(1, 2, 3, scale=4, color="red")
    assert r.seen == (1, (2, 3), 4, {"color": "red"})
    assert r.sym_init_args == {"first": 1, "rest": (2, 3), "scale": 4, "color": "red"}
    r.rebind(scale=5)
    assert r.seen == (1, (2, 3), 5, {"color": "red"})
    # keyword-only parameters are never filled positionally
    class KwOnly:
        def __init__(self, a, *, b=0):
            self.ab = (a, b)

    K = ss.symbolize(KwOnly)
    with pytest.raises(TypeError, match="takes 1 positional arguments but 2"):
        K(1, 2)
    assert K(1, b=2).ab == (1, 2)


# ---- torch.nn.Linear, symbolized without editing it ------------------------------------
def test_the_original_class_is_not_modified():
    plain = torch.nn.Linear(4, 3)
    assert not isinstance(plain, ss.Symbolic) and not issubclass(torch.nn.Linear, ss.Symbolic)
    assert issubclass(Linear, torch.nn.Linear) and Linear is not torch.nn.Linear
    assert torch.nn.modules.linear.Linear is torch.nn.Linear


def test_symbolized_linear_constructs_and_runs():
    m = Linear(4, 3)
    assert isinstance(m, torch.nn.Linear) and isinstance(m, torch.nn.Module)
    assert m.sym_init_args == {"in_features": 4, "out_features": 3, "bias": True,
                               "device": None, "dtype": None}
    assert tuple(m.weight.shape) == (3, 4)
    assert m(torch.randn(2, 4)).shape == (2, 3)
    assert repr(m) == "Linear(in_features=4, out_features=3, bias=True)"  # torch's own repr
    assert len(list(m.parameters())) == 2


def test_rebind_in_features_reruns_init_and_changes_weight_shape():
    m = Linear(4, 3)
    m.rebind(in_features=6)
    assert m.in_features == 6 and tuple(m.weight.shape) == (3, 6)
    assert m(torch.randn(5, 6)).shape == (5, 3)
    m.rebind({"bias": False, "out_features": 2})
    assert m.bias is None and tuple(m.weight.shape) == (2, 6)
    with pytest.raises(TypeError, match=r"Expected int.*\(path=in_features\)"):
        m.rebind(in_features="wide")


def test_linear_serialization_round_trip():
    m = Linear(4, 3, bias=False)
    data = ss.to_json(m)
    assert data == {"_type": "torch.nn.modules.linear.Linear", "in_features": 4,
                    "out_features": 3, "bias": False, "device": None, "dtype": None}
    back = ss.from_json_str(ss.to_json_str(m))
    assert type(back) is Linear and isinstance(back, torch.nn.Linear)
    assert ss.eq(back, m) and ss.hash(back) == ss.hash(m)
    assert tuple(back.weight.shape) == (3, 4) and back.bias is None
    assert back(torch.randn(2, 4)).shape == (2, 3)  # still a working module
    yaml_back = ss.from_yaml(ss.to_yaml(m))
    assert ss.eq(yaml_back, m)


def test_torch_modules_stay_usable_in_sets_and_dicts():
    a, b = Linear(2, 2), Linear(2, 2)
    assert a != b and hash(a) != hash(b)
    assert len({a, b}) == 2
    assert {a: "first", b: "second"}[a] == "first"
    params = {id(p) for p in list(a.parameters()) + list(b.parameters())}
    assert len(params) == 4


def test_nested_torch_modules_rebuild_on_rebind():
    ModuleList = ss.symbolize(torch.nn.ModuleList)
    ml = ModuleList([Linear(2, 3), Linear(3, 4)])
    assert ml.sym_init_args["modules"][1].sym_path == "modules[1]"
    ml.rebind({"modules[1]": Linear(3, 7)})
    assert ml[1].out_features == 7  # the parent module was rebuilt from its arguments
    ml.rebind({"modules[0].out_features": 9})
    assert tuple(ml[0].weight.shape) == (9, 2)
    assert ss.eq(ss.from_json(ss.to_json(ml)), ml)


def test_clone_of_a_torch_wrapper_is_a_fresh_module_with_same_description():
    m = Linear(3, 2)
    c = ss.clone(m)
    assert c is not m and ss.eq(c, m)
    assert c.weight is not m.weight and tuple(c.weight.shape) == (2, 3)


# ---- stdlib classes --------------------------------------------------------------------
def test_symbolized_random_reseeds_on_rebind():
    Random = ss.symbolize(random.Random)
    r = Random(1)
    first = [r.random() for _ in range(3)]
    reference = random.Random(1)
    assert first == [reference.random() for _ in range(3)]
    r.rebind(x=2)
    assert r.random() == random.Random(2).random()
    r.rebind(x=1)
    assert [r.random() for _ in range(3)] == first
    assert ss.eq(ss.from_json(ss.to_json(r)), r)


def test_symbolized_logging_formatter_keeps_its_methods():
    Formatter = ss.symbolize(logging.Formatter)
    f = Formatter("%(levelname)s:%(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hi", None, None)
    assert f.format(record) == "INFO:hi"  # the class's own ``format`` wins over Symbolic's
    assert repr(f).startswith("Formatter(fmt='%(levelname)s:%(message)s'")
    f.rebind(fmt="%(message)s!")
    assert f.format(record) == "hi!"


def test_symbolized_counter_is_compared_by_init_arguments():
    Counter = ss.symbolize(collections.Counter)
    c = Counter({"a": 2})
    assert c["a"] == 2 and c.sym_init_args == {"iterable": {"a": 2}}
    c.rebind({"iterable.b": 1})
    assert c == collections.Counter(a=2, b=1)  # rebuilt from the changed argument
    # same contents, different init arguments: symbolically different, consistently
    x, y = Counter("ab"), Counter({"a": 1, "b": 1})
    assert dict(x) == dict(y)
    assert not ss.eq(x, y) and ss.hash(x) != ss.hash(y)


def test_registered_name_is_the_original_qualified_name_plus_alias():
    assert registry.name_of(Linear) == "torch.nn.modules.linear.Linear"
    Formatter = ss.symbolize(logging.Formatter, name="LogFormatter")
    assert registry.lookup("LogFormatter") is Formatter
    assert ss.to_json(Formatter())["_type"] == "LogFormatter"


def test_symbolized_torch_module_pickles_and_deep_copies_with_weights():
    import copy
    import io
    import pickle

    m = Linear(2, 3)
    for other in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert type(other) is Linear and other is not m
        assert torch.equal(other.weight, m.weight) and other.weight is not m.weight
        assert ss.eq(other, m)
        other.rebind(out_features=4)  # still symbolic after the round trip
        assert tuple(other.weight.shape) == (4, 2)
    buf = io.BytesIO()
    torch.save(m, buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=False)
    assert type(loaded) is Linear and torch.equal(loaded.weight, m.weight)


def test_decorated_user_class_pickles():
    import pickle

    c = Conv(3, kernel=1)
    back = pickle.loads(pickle.dumps(c))
    assert type(back) is Conv and back.built_with == (3, 1, "same") and ss.eq(back, c)


def test_symbolized_class_in_a_search_space_waits_for_decisions():
    torch = pytest.importorskip("torch")
    Linear = ss.symbolize(torch.nn.Linear)
    space = Linear(in_features=ss.intv(4, 16, step=4), out_features=ss.oneof([2, 3]))
    assert not hasattr(space, "weight")  # __init__ did not run on hyper-values
    candidates = ss.random_sample(space, 5, seed=0)
    for c in candidates:
        assert tuple(c.weight.shape) == (c.out_features, c.in_features)
        assert c(torch.zeros(1, c.in_features)).shape == (1, c.out_features)
    assert ss.encode(space, candidates[0]) == ss.encode(space, ss.clone(candidates[0]))
