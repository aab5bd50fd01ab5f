"""@ss.symbolize on functions: functors (symbolic calls)."""
import pytest

import symsearch as ss
from symsearch.symbolic import registry

from ._models import Adam, train


def test_binding_arguments_returns_a_symbolic_call_without_running():
    calls = []

    @ss.symbolize
    def job(x, y=2):
        calls.append((x, y))
        return x + y

    j = job(1)
    assert calls == []  # binding runs nothing
    assert isinstance(j, ss.Functor) and isinstance(j, job)
    assert j.sym_init_args == {"x": 1, "y": 2}
    assert j.x == 1 and j.y == 2
    assert j() == 3 and calls == [(1, 2)]
    assert j() == 3 and calls == [(1, 2), (1, 2)]  # each call runs it


def test_functor_class_looks_like_the_function():
    assert train.__name__ == "train"
    assert train.__wrapped__(1, lr=0.5) == {"model": 1, "lr": 0.5, "epochs": 5}
    assert registry.name_of(train) == f"{train.__module__}.train"


def test_call_overrides_apply_to_that_call_only():
    j = train("mlp", lr=0.1)
    assert j(epochs=1) == {"model": "mlp", "lr": 0.1, "epochs": 1}
    assert j.epochs == 5 and j() == {"model": "mlp", "lr": 0.1, "epochs": 5}
    with pytest.raises(TypeError, match=r"Expected int.*\(path=epochs\)"):
        j(epochs="many")


def test_partial_leaves_arguments_missing():
    p = train.partial(lr=0.2)
    assert p.model is ss.MISSING
    assert p.missing_values() == {"model": ss.MISSING} and p.is_partial
    with pytest.raises(TypeError, match=r"unbound arguments \['model'\]"):
        p()
    # positional call arguments fill the unbound ones, in order
    assert p("cnn") == {"model": "cnn", "lr": 0.2, "epochs": 5}
    assert p(model="rnn")["model"] == "rnn"
    assert p.model is ss.MISSING  # still partial
    with pytest.raises(TypeError, match="only \\['model'\\] are unbound"):
        p("a", "b")


def test_functor_may_always_be_partially_bound():
    j = train(lr=0.3)  # model not given: allowed for functors
    assert j.is_partial
    j.rebind(model="mlp")
    assert not j.is_partial and j()["model"] == "mlp"


def test_arguments_are_validated_at_bind_and_rebind():
    with pytest.raises(TypeError, match=r"Expected float, got str 'x' \(path=lr\)"):
        train("m", lr="x")
    j = train("m")
    with pytest.raises(TypeError, match=r"\(path=epochs\)"):
        j.rebind(epochs=2.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'batch'"):
        train("m", batch=3)
    with pytest.raises(KeyError, match="Unknown field 'batch'"):
        j.rebind(batch=3)


def test_var_positional_keyword_only_and_var_keyword():
    @ss.symbolize
    def f(a, *rest, scale=1, **extra):
        return a, rest, scale, extra

    j = f(1, 2, 3, scale=10, tag="t")
    assert j.sym_init_args == {"a": 1, "rest": (2, 3), "scale": 10, "tag": "t"}
    assert j() == (1, (2, 3), 10, {"tag": "t"})
    assert f(1)() == (1, (), 1, {})

    @ss.symbolize
    def g(a, *, b=0):
        return a, b

    with pytest.raises(TypeError, match="takes 1 positional arguments but 2"):
        g(1, 2)
    assert g(1, b=2)() == (1, 2)
    # a free keyword-only argument is not filled by a positional call argument
    with pytest.raises(TypeError):
        g.partial(b=ss.MISSING)(1, 2)


def test_positional_only_arguments_are_passed_positionally():
    @ss.symbolize
    def h(a, /, b):
        return a - b

    j = h(10, b=3)
    assert j.sym_init_args == {"a": 10, "b": 3}
    assert j() == 7


def test_functor_eq_and_hash_are_symbolic():
    assert train("m", lr=0.1) == train("m", lr=0.1)
    assert train("m", lr=0.1) != train("m", lr=0.2)
    assert hash(train("m")) == hash(train("m"))
    assert len({train("m"), train("m"), train("n")}) == 2
    assert ss.hash(train("m")) != ss.hash(train("n"))


def test_kwargs_order_does_not_change_eq_or_hash():
    @ss.symbolize
    def f(**kw):
        return kw

    a, b = f(x=1, y=2), f(y=2, x=1)
    assert ss.eq(a, b) and ss.hash(a) == ss.hash(b)


def test_nested_functor_arguments_have_paths_and_can_be_rebound():
    job = train(model=Adam(lr=0.1), lr=0.5)
    assert job.model.sym_path == "model" and job.model.sym_parent is job
    job.rebind({"model.lr": 0.2})
    assert job().get("model") == Adam(lr=0.2)
    with pytest.raises(TypeError, match=r"\(path=model\.lr\)"):
        job.rebind({"model.lr": "slow"})


def test_missing_attribute_is_an_attribute_error():
    j = train("m")
    with pytest.raises(AttributeError, match="no argument 'batch'"):
        _ = j.batch


def test_symbolize_with_name_registers_alias():
    @ss.symbolize(name="tests.symbolic.scaled")
    def scaled(x: float, k: float = 2.0):
        return x * k

    assert registry.lookup("tests.symbolic.scaled") is scaled
    assert ss.to_json(scaled(1.5)) == {"_type": "tests.symbolic.scaled", "x": 1.5, "k": 2.0}
    back = ss.from_json({"_type": "tests.symbolic.scaled", "x": 3.0})
    assert back() == 6.0


def test_symbolize_rejects_non_callables():
    with pytest.raises(TypeError, match="takes a class or a function"):
        ss.symbolize(42)


def test_functor_pickles_and_deep_copies():
    import copy
    import pickle

    job = train(model=Adam(lr=0.1), lr=0.5)
    for other in (pickle.loads(pickle.dumps(job)), copy.deepcopy(job)):
        assert type(other) is train and ss.eq(other, job) and other is not job
        assert other.model.sym_parent is other
        assert other() == job()
