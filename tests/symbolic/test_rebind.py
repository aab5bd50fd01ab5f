"""rebind: by key-path dict, by keyword, by function; validated; notifies owners."""
import pytest

import symsearch as ss

from ._models import Adam, Block, Model, SGD, Trainer


def _trainer():
    return Trainer(model=Model(blocks=[Block(8), Block(16)]), optimizer=Adam(),
                   tags={"team": "a", "nested": {"k": [1, 2]}})


def test_rebind_by_path_dict():
    t = _trainer()
    out = t.rebind({"model.blocks[1].width": 64, "optimizer.lr": 0.1, "tags.nested.k[0]": 5})
    assert out is t  # in place, returns the object for chaining
    assert t.model.blocks[1].width == 64
    assert t.optimizer.lr == 0.1
    assert t.tags["nested"]["k"] == [5, 2]


def test_rebind_by_keywords_and_mixed():
    t = _trainer()
    t.rebind({"optimizer.lr": 0.2}, epochs=10, name="run")
    assert (t.optimizer.lr, t.epochs, t.name) == (0.2, 10, "run")


def test_rebind_by_tuple_paths():
    t = _trainer()
    t.rebind({("model", "blocks", 0, "width"): 1})
    assert t.model.blocks[0].width == 1


def test_rebind_by_function_of_path_and_value():
    t = _trainer()
    seen = []

    def double_widths(path, value):
        seen.append(path)
        return value * 2 if path.endswith(".width") else value

    t.rebind(double_widths)
    assert [b.width for b in t.model.blocks] == [16, 32]
    assert "model.blocks[1].width" in seen and "optimizer.lr" in seen
    assert t.optimizer.lr == 1e-3  # returning the same value changes nothing


def test_function_replacing_a_subtree_does_not_visit_below_it():
    t = _trainer()
    seen = []

    def swap(path, value):
        seen.append(path)
        return SGD(lr=0.5) if path == "optimizer" else value

    t.rebind(swap)
    assert isinstance(t.optimizer, SGD) and t.optimizer.sym_path == "optimizer"
    assert "optimizer.lr" not in seen


def test_rebind_replaces_subtrees_and_adopts_them():
    t = _trainer()
    t.rebind({"model.blocks": [{"raw": 1}, Block(3)]})
    assert type(t.model.blocks) is ss.List
    assert t.model.blocks[1].sym_path == "model.blocks[1]"
    assert t.model.blocks[0]["raw"] == 1


def test_rebind_adds_dict_keys_and_appends_to_lists():
    t = _trainer()
    t.rebind({"tags.new": {"x": 1}, "model.blocks[2]": Block(32)})
    assert t.tags["new"]["x"] == 1 and t.tags["new"].sym_path == "tags.new"
    assert len(t.model.blocks) == 3 and t.model.blocks[2].sym_path == "model.blocks[2]"
    t.rebind({"model.blocks[-1].width": 33})
    assert t.model.blocks[2].width == 33


def test_rebind_errors_name_the_key_path():
    t = _trainer()
    with pytest.raises(TypeError, match=r"\(path=optimizer\.lr\)"):
        t.rebind({"optimizer.lr": "fast"})
    with pytest.raises(ValueError, match=r"not one of.*\(path=model\.blocks\[1\]\.activation\)"):
        t.rebind({"model.blocks[1].activation": "tanh"})
    with pytest.raises(ValueError, match=r"above the maximum 1 \(path=model\.dropout\)"):
        t.rebind({"model.dropout": 3.0})
    with pytest.raises(KeyError, match=r"Unknown field 'lrr' \(path=optimizer\.lrr\)"):
        t.rebind({"optimizer.lrr": 1.0})
    with pytest.raises(KeyError, match="No value at key path 'model.nothing'"):
        t.rebind({"model.nothing.x": 1})
    assert t == _trainer()  # nothing changed by the failed rebinds


def test_rebind_on_a_subtree_reports_the_path_from_the_root():
    t = _trainer()
    with pytest.raises(TypeError, match=r"\(path=optimizer\.lr\)"):
        t.optimizer.rebind(lr="x")
    with pytest.raises(TypeError, match=r"\(path=model\.blocks\[0\]\.width\)"):
        t.model.rebind({"blocks[0].width": "wide"})


def test_container_elements_are_checked_against_the_field_annotation():
    class Net(ss.Object):
        widths: list[int] = [1, 2]
        table: dict[str, list[int]] = {}

    n = Net(table={"a": [1]})
    with pytest.raises(TypeError, match=r"Expected int, got str 'x' \(path=widths\[0\]\)"):
        n.rebind({"widths[0]": "x"})
    with pytest.raises(TypeError, match=r"\(path=widths\[2\]\)"):
        n.rebind({"widths[2]": 1.5})  # appending is checked too
    with pytest.raises(TypeError, match=r"\(path=table\.a\[0\]\)"):
        n.rebind({"table.a[0]": None})
    with pytest.raises(TypeError, match=r"Expected a list.*\(path=table\.b\)"):
        n.rebind({"table.b": 3})
    assert n.widths == [1, 2] and n.table == {"a": [1]}
    n.rebind({"widths[2]": 3, "table.b": [4]})
    assert n.widths == [1, 2, 3] and n.table == {"a": [1], "b": [4]}


def test_rebind_rejects_bad_targets():
    t = _trainer()
    with pytest.raises(ValueError, match="cannot replace the root"):
        t.rebind({"": 1})
    t.rebind({"tags.pair": (1, 2)})
    with pytest.raises(TypeError, match="parent is a tuple"):
        t.rebind({"tags.pair[0]": 5})
    with pytest.raises(KeyError, match="indexed by integers"):
        t.rebind({"model.blocks.first": 1})
    with pytest.raises(TypeError, match="dict of key paths"):
        t.rebind(["optimizer.lr", 1])


def test_no_change():
    t = _trainer()
    assert t.rebind() is t
    assert t.rebind(lambda p, v: v) is t
    with pytest.raises(ValueError, match="no change"):
        t.rebind(raise_on_no_change=True)


def test_rebind_invalidates_cached_hashes_up_to_the_root():
    t = _trainer()
    before = ss.hash(t)
    t.rebind({"model.blocks[0].width": 9})
    assert "_sym_hash_cache" not in t.__dict__
    assert ss.hash(t) != before
    t.rebind({"model.blocks[0].width": 8})
    assert ss.hash(t) == before


def test_rebind_notifies_every_owner_up_the_tree():
    class Summary(ss.Object):
        widths: list[int] = [1, 2]
        inner: dict = {}

        def _on_bound(self):
            self.total = sum(self.widths) + sum(self.inner.get("extra", []))

    class Outer(ss.Object):
        summary: Summary

        def _on_bound(self):
            self.report = f"total={self.summary.total}"

    o = Outer(Summary())
    assert o.report == "total=3"
    o.rebind({"summary.widths[0]": 10})
    assert o.summary.total == 12 and o.report == "total=12"
    o.rebind({"summary.inner.extra": [100]})
    assert o.report == "total=112"
    o.summary.widths = [0]  # attribute assignment notifies owners too
    assert o.report == "total=100"


def test_rebind_with_hyper_values_keeps_them_as_values():
    t = _trainer()
    t.rebind({"optimizer.lr": ss.floatv(1e-4, 1e-1)})
    assert isinstance(t.optimizer.lr, ss.Float)
    with pytest.raises(ValueError, match=r"above the field's maximum 1 \(path=model\.dropout\)"):
        t.rebind({"model.dropout": ss.floatv(0.0, 2.0)})
