"""ss.query and missing values / partial objects."""
import pytest

import symsearch as ss

from ._models import Adam, Block, Model, Trainer, train


def _trainer():
    return Trainer(model=Model(blocks=[Block(8), Block(16, "gelu")], dropout=0.1),
                   optimizer=Adam(lr=0.01), tags={"seed": 3})


def test_query_by_path_regex():
    t = _trainer()
    assert ss.query(t, r"width$") == {"model.blocks[0].width": 8, "model.blocks[1].width": 16}
    assert ss.query(t, r"^optimizer\.") == {"optimizer.lr": 0.01, "optimizer.beta1": 0.9}
    assert list(ss.query(t, r"blocks\[\d+\]$")) == ["model.blocks[0]", "model.blocks[1]"]
    assert ss.query(t, r"nothing") == {}


def test_query_by_predicate_on_values():
    t = _trainer()
    floats = ss.query(t, where=lambda v: isinstance(v, float))
    assert floats == {"model.dropout": 0.1, "optimizer.lr": 0.01, "optimizer.beta1": 0.9}
    blocks = ss.query(t, where=lambda v: isinstance(v, Block) and v.activation == "gelu")
    assert list(blocks) == ["model.blocks[1]"]
    assert blocks["model.blocks[1]"] is t.model.blocks[1]  # values are the nodes themselves


def test_query_by_type_and_combined_filters():
    t = _trainer()
    assert list(ss.query(t, value_type=Block)) == ["model.blocks[0]", "model.blocks[1]"]
    both = ss.query(t, r"blocks", where=lambda v: isinstance(v, int) and v > 10)
    assert both == {"model.blocks[1].width": 16}
    assert ss.query(t, r"lr", value_type=str) == {}


def test_query_includes_the_root_and_plain_values():
    t = _trainer()
    everything = ss.query(t)
    assert everything[""] is t
    assert everything["tags.seed"] == 3
    assert ss.query({"a": [1, (2, 3)]}, where=lambda v: v == 3) == {"a[1][1]": 3}
    assert ss.query(7, where=lambda v: v == 7) == {"": 7}


def test_query_paths_read_back_with_sym_get():
    t = _trainer()
    for path, value in ss.query(t, where=lambda v: isinstance(v, (int, float))).items():
        assert t.sym_get(path) is value


def test_query_finds_hyper_values_in_a_space():
    space = train.partial(model=Block(ss.oneof([8, 16])), lr=ss.floatv(1e-4, 1e-1))
    found = ss.query(space, value_type=ss.HyperValue)
    assert list(found) == ["model.width", "lr"]


# ---- missing values and partial objects --------------------------------------------------
def test_missing_values_lists_unbound_fields_by_path():
    t = Trainer.partial(model=Model.partial(blocks=[Block.partial(), Block(2)]))
    assert t.missing_values() == {
        "model.blocks[0].width": ss.MISSING,
        "optimizer": ss.MISSING,
    }
    assert ss.missing_values(t) == t.missing_values()
    assert t.is_partial and t.model.is_partial and not t.model.blocks[1].is_partial


def test_binding_missing_values_completes_the_object():
    t = Trainer.partial(model=Model.partial(blocks=[Block.partial()]))
    t.rebind({"model.blocks[0].width": 4, "optimizer": Adam()})
    assert not t.is_partial and t.missing_values() == {}
    assert t == Trainer(model=Model(blocks=[Block(4)]), optimizer=Adam())


def test_missing_is_a_falsy_singleton():
    import copy
    import pickle
    assert not ss.MISSING and repr(ss.MISSING) == "MISSING"
    assert copy.deepcopy(ss.MISSING) is ss.MISSING
    assert pickle.loads(pickle.dumps(ss.MISSING)) is ss.MISSING
    assert type(ss.MISSING)() is ss.MISSING


def test_missing_values_of_plain_structures():
    assert ss.missing_values({"a": ss.MISSING, "b": [1, ss.MISSING]}) == {
        "a": ss.MISSING, "b[1]": ss.MISSING}
    assert ss.missing_values(ss.Dict(a=1)) == {}


def test_required_field_cannot_be_missing_on_normal_construction():
    with pytest.raises(TypeError, match="missing required argument 'width'"):
        Model(blocks=[Block()])
