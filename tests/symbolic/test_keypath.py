"""Key paths: parsing, formatting, sym_path / sym_get / sym_root."""
import pytest

import symsearch as ss

from ._models import Adam, Block, Model, Trainer


@pytest.mark.parametrize("text, keys", [
    ("", ()),
    ("a", ("a",)),
    ("model.blocks[1].width", ("model", "blocks", 1, "width")),
    ("[0]", (0,)),
    ("[0][1].x", (0, 1, "x")),
    ("a[-1]", ("a", -1)),
    ("tags['my key'].x", ("tags", "my key", "x")),
    ('tags["0"]', ("tags", "0")),
    ("_private.x_1", ("_private", "x_1")),
])
def test_parse_path(text, keys):
    assert ss.parse_path(text) == keys


@pytest.mark.parametrize("keys", [
    ("model", "blocks", 1, "width"),
    (0, "a", 2),
    ("my key", "a.b", "x]y", "0", "it's \"quoted\"", "back\\slash", "ünï"),
    ("a", -1),
])
def test_format_and_parse_round_trip(keys):
    text = ss.format_path(keys)
    assert ss.parse_path(text) == keys


def test_format_path_examples():
    assert ss.format_path(("model", "blocks", 1, "width")) == "model.blocks[1].width"
    assert ss.format_path((0, "a")) == "[0].a"
    assert ss.format_path(("tags", "my key")) == "tags['my key']"
    assert ss.format_path(()) == ""


def test_sequences_pass_through():
    assert ss.parse_path(["a", 1]) == ("a", 1)
    assert ss.parse_path(("a",)) == ("a",)


@pytest.mark.parametrize("bad", ["a..b", ".", "a[", "a[x]", "a b", "[1", "a.[0]", "a['x]"])
def test_malformed_paths_raise_value_error(bad):
    with pytest.raises(ValueError, match="Malformed key path"):
        ss.parse_path(bad)


def test_sym_path_parent_and_root():
    t = Trainer(model=Model(blocks=[Block(1), Block(2)]), optimizer=Adam(),
                tags={"my key": {"x": [1, {"y": 2}]}})
    assert t.sym_path == "" and t.sym_parent is None and t.sym_root is t
    b = t.model.blocks[1]
    assert b.sym_path == "model.blocks[1]"
    assert b.sym_parent is t.model.blocks and b.sym_root is t
    inner = t.tags["my key"]["x"][1]
    assert inner.sym_path == "tags['my key'].x[1]"
    assert t.sym_get(inner.sym_path) is inner  # every path reads back


def test_sym_get_values_and_defaults():
    t = Trainer(model=Model(blocks=[Block(3)]), optimizer=Adam(lr=0.5), tags={"s": (1, 2)})
    assert t.sym_get("model.blocks[0].width") == 3
    assert t.sym_get(("optimizer", "lr")) == 0.5
    assert t.sym_get("tags.s[1]") == 2  # into a plain tuple
    assert t.sym_get("model.blocks[-1].width") == 3
    assert t.sym_get("") is t
    assert t.sym_get("model.nothing", default=None) is None
    with pytest.raises(KeyError, match=r"No value at key path 'model\.blocks\[5\]'"):
        t.sym_get("model.blocks[5]")
    with pytest.raises(KeyError, match="missing key 'nope'"):
        t.sym_get("optimizer.nope")
    with pytest.raises(KeyError):
        t.sym_get("epochs.x")  # below a leaf


def test_sym_get_relative_to_a_subtree():
    m = Model(blocks=[Block(1), Block(2)])
    t = Trainer(model=m, optimizer=Adam())
    assert t.model.sym_get("blocks[1].width") == 2
    assert t.model.blocks.sym_get("[0]") is t.model.blocks[0]


def test_int_and_string_dict_keys_have_distinct_paths():
    d = ss.Dict({0: {"a": 1}, "0": {"b": 2}})
    assert d[0].sym_path == "[0]" and d["0"].sym_path == "['0']"
    assert d.sym_get("[0].a") == 1 and d.sym_get("['0'].b") == 2
