"""Readable repr / str / ss.format of symbolic values."""
import symsearch as ss
from symsearch.symbolic.formatting import LINE_WIDTH

from ._models import Adam, Block, Model, Trainer, double, train


def test_repr_is_one_line_constructor_syntax():
    assert repr(Adam(lr=0.1)) == "Adam(lr=0.1, beta1=0.9)"
    assert repr(Block(4)) == "Block(width=4, activation='relu')"
    assert repr(train("mlp", lr=0.5)) == "train(model='mlp', lr=0.5, epochs=5)"
    m = Model(blocks=[Block(1), {"k": (1, "x")}])
    assert repr(m) == ("Model(blocks=[Block(width=1, activation='relu'), {'k': (1, 'x')}], "
                       "dropout=0.0)")


def test_repr_round_trips_through_eval_for_simple_trees():
    m = Model(blocks=[Block(1), Block(2, "gelu")], dropout=0.5)
    assert eval(repr(m), {"Model": Model, "Block": Block}) == m


def test_missing_values_are_shown():
    assert repr(Block.partial()) == "Block(width=MISSING, activation='relu')"
    assert repr(train.partial(lr=0.1)) == "train(model=MISSING, lr=0.1, epochs=5)"


def test_str_of_a_long_tree_is_indented():
    t = Trainer(model=Model(blocks=[Block(8), Block(16, "gelu"), Block(32)]),
                optimizer=Adam(lr=0.01), tags={"team": "automl", "seeds": [1, 2, 3]})
    text = str(t)
    assert text == ss.format(t) == t.format()
    lines = text.splitlines()
    assert lines[0] == "Trainer("
    assert lines[-1] == ")"
    assert "  optimizer=Adam(lr=0.01, beta1=0.9)," in lines
    assert "  epochs=3," in lines
    assert all(len(line) <= LINE_WIDTH for line in lines)
    assert "\n" not in repr(t) and repr(t) == ss.format(t, compact=True)


def test_short_values_stay_on_one_line():
    assert str(Adam()) == "Adam(lr=0.001, beta1=0.9)"
    assert ss.format(ss.Dict(a=1, b=[1, 2])) == "{'a': 1, 'b': [1, 2]}"
    assert ss.format([]) == "[]" and ss.format({}) == "{}"
    assert ss.format((1,)) == "(1,)" and ss.format(()) == "()"


def test_indent_width_is_configurable():
    m = Model(blocks=[Block(i) for i in range(4)])
    text = m.format(indent=4)
    assert text.splitlines()[1].startswith("    blocks=")


def test_functions_and_classes_are_shown_by_name_lambdas_by_source():
    d = ss.Dict(f=double, c=Adam, g=lambda x: x + 1)
    text = ss.format(d)
    assert "'f': double" in text and "'c': Adam" in text
    assert "'g': lambda x: x + 1" in text
    assert "0x" not in text  # no memory addresses: the same text every run


def test_display_name_and_hidden_default_fields():
    from typing import Optional

    class Choice(ss.Object):
        candidates: list
        name: Optional[str] = None
        _sym_display_name = "choice"
        _sym_hide_default_fields = ("name",)

    assert ss.format(Choice([1, 2])) == "choice(candidates=[1, 2])"  # name=None hidden
    assert ss.format(Choice([1, 2], name="k")) == "choice(candidates=[1, 2], name='k')"
    assert ss.to_json(Choice([1]))["candidates"] == [1] and "name" not in ss.to_json(Choice([1]))
    assert ss.from_json(ss.to_json(Choice([1]))) == Choice([1])


def test_wrapped_class_with_its_own_format_method_still_has_a_repr():
    import logging
    Formatter = ss.symbolize(logging.Formatter)
    assert repr(Formatter("%(message)s")).startswith("Formatter(fmt='%(message)s'")
