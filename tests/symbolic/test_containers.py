"""Symbolic Dict and List: adoption, parents and key paths, hash invalidation."""
import copy
import pickle

import pytest

import symsearch as ss

from ._models import Adam, Block, Model, Trainer


def _cached(node) -> bool:
    return "_sym_hash_cache" in node.__dict__


# ---- adoption ----------------------------------------------------------------------------
def test_plain_containers_inside_a_tree_become_symbolic():
    d = ss.Dict(a={"b": [1, {"c": 2}]})
    assert type(d["a"]) is ss.Dict
    assert type(d["a"]["b"]) is ss.List
    assert type(d["a"]["b"][1]) is ss.Dict
    assert d["a"]["b"][1].sym_path == "a.b[1]"
    assert d["a"]["b"][1].sym_root is d
    assert d == {"a": {"b": [1, {"c": 2}]}}  # still compares as a plain dict


def test_fields_of_objects_adopt_containers():
    m = Model(blocks=[Block(4), {"raw": [1]}])
    assert type(m.blocks) is ss.List and m.blocks.sym_parent is m
    assert m.blocks[0].sym_path == "blocks[0]"
    assert type(m.blocks[1]) is ss.Dict and m.blocks[1]["raw"].sym_path == "blocks[1].raw"


def test_assigned_values_are_adopted_by_every_mutator():
    d = ss.Dict()
    d["x"] = {"y": 1}
    d.update(z=[{"w": 0}])
    d.setdefault("s", {"t": 2})
    d |= {"u": []}
    for key in "xzsu":
        assert isinstance(d[key], ss.Symbolic) and d[key].sym_parent is d
    assert d["z"][0].sym_path == "z[0]"

    xs = ss.List()
    xs.append({"a": 1})
    xs.extend([[2]])
    xs.insert(0, {"b": 3})
    xs += [{"c": 4}]
    xs[1] = {"a": 5}
    assert [type(v) for v in xs] == [ss.Dict, ss.Dict, ss.List, ss.Dict]
    assert [v.sym_path for v in xs] == ["[0]", "[1]", "[2]", "[3]"]


def test_a_node_already_in_a_tree_is_copied_not_shared():
    opt = Adam(lr=0.3)
    a = ss.Dict(opt=opt)
    b = ss.Dict(opt=opt)
    assert a["opt"] is opt and b["opt"] is not opt
    assert b["opt"] == opt and b["opt"].sym_parent is b
    # within one list: adding the same node again adds a copy (one node, one place)
    xs = ss.List([Adam()])
    xs.append(xs[0])
    assert xs[0] is not xs[1] and ss.eq(xs[0], xs[1])
    assert [v.sym_path for v in xs] == ["[0]", "[1]"]
    xs *= 2
    assert len(xs) == 4 and len({id(v) for v in xs}) == 4
    xs.insert(0, xs[0])
    xs[1:1] = [xs[0]]
    assert len(xs) == 6 and len({id(v) for v in xs}) == 6
    assert [v.sym_path for v in xs] == [f"[{i}]" for i in range(6)]


def test_removed_children_are_detached_and_can_be_reused():
    d = ss.Dict(a=Adam(), b=Adam(), c=Adam(), e=Adam())
    popped = d.pop("a")
    assert popped.sym_parent is None and popped.sym_path == ""
    other = ss.Dict(x=popped)
    assert other["x"] is popped  # no copy needed: it is a root again
    old_b = d["b"]
    d["b"] = Adam(lr=0.5)
    assert old_b.sym_parent is None
    old_c = d["c"]
    del d["c"]
    assert old_c.sym_parent is None
    e = d["e"]
    d.clear()
    assert e.sym_parent is None

    xs = ss.List([Adam(), Adam(), Adam(), Adam()])
    first, second = xs[0], xs[1]
    assert xs.pop(0) is first and first.sym_parent is None
    del xs[0]
    assert second.sym_parent is None
    third = xs[0]
    xs.remove(third)
    assert third.sym_parent is None and len(xs) == 1
    last = xs[0]
    xs[0] = Adam(lr=0.2)
    assert last.sym_parent is None


def test_record_field_replacement_detaches_old_child():
    t = Trainer(model=Model(blocks=[]), optimizer=Adam())
    old = t.optimizer
    t.rebind(optimizer=Adam(lr=0.5))
    assert old.sym_parent is None and t.optimizer.sym_parent is t


# ---- list index paths ---------------------------------------------------------------------
def test_list_index_paths_follow_insert_pop_remove_sort_reverse():
    xs = ss.List([Block(1), Block(2), Block(3)])
    b1, b2, b3 = xs
    xs.insert(0, Block(0))
    assert [b.sym_path for b in (b1, b2, b3)] == ["[1]", "[2]", "[3]"]
    xs.pop(0)
    assert [b.sym_path for b in (b1, b2, b3)] == ["[0]", "[1]", "[2]"]
    xs.reverse()
    assert [b.sym_path for b in (b1, b2, b3)] == ["[2]", "[1]", "[0]"]
    xs.sort(key=lambda b: b.width)
    assert [b.sym_path for b in (b1, b2, b3)] == ["[0]", "[1]", "[2]"]
    del xs[0]
    assert [b.sym_path for b in (b2, b3)] == ["[0]", "[1]"]
    xs.remove(b2)
    assert b3.sym_path == "[0]"
    xs.insert(-1, Block(9))  # before the last element
    assert b3.sym_path == "[1]" and xs[0].width == 9


def test_nested_list_paths_update_inside_a_tree():
    m = Model(blocks=[Block(1), Block(2)])
    b = m.blocks[1]
    assert b.sym_path == "blocks[1]"
    m.blocks.insert(0, Block(0))
    assert b.sym_path == "blocks[2]"
    assert m.sym_get("blocks[2]") is b
    m.blocks.pop(0)
    assert b.sym_path == "blocks[1]"


def test_slice_assignment_and_deletion():
    xs = ss.List([1, 2, 3, 4])
    xs[1:3] = [{"a": 1}, {"b": 2}, {"c": 3}]
    assert xs == [1, {"a": 1}, {"b": 2}, {"c": 3}, 4]
    assert [v.sym_path for v in xs[1:4]] == ["[1]", "[2]", "[3]"]
    removed = xs[1]
    del xs[1:3]
    assert removed.sym_parent is None
    assert xs[1].sym_path == "[1]" and xs == [1, {"c": 3}, 4]
    xs[-1] = {"z": 0}
    assert xs[2].sym_path == "[2]"


# ---- hash invalidation -------------------------------------------------------------------
def _tree():
    t = Trainer(model=Model(blocks=[Block(1), Block(2)]), optimizer=Adam(),
                tags={"a": {"b": [1, 2]}})
    ss.hash(t)
    return t


@pytest.mark.parametrize("mutate", [
    lambda t: t.tags["a"]["b"].append(3),
    lambda t: t.tags["a"]["b"].extend([3]),
    lambda t: t.tags["a"]["b"].insert(0, 3),
    lambda t: t.tags["a"]["b"].pop(),
    lambda t: t.tags["a"]["b"].remove(1),
    lambda t: t.tags["a"]["b"].reverse(),
    lambda t: t.tags["a"]["b"].sort(reverse=True),
    lambda t: t.tags["a"]["b"].clear(),
    lambda t: t.tags["a"]["b"].__setitem__(0, 9),
    lambda t: t.tags["a"]["b"].__setitem__(slice(0, 1), [9, 9]),
    lambda t: t.tags["a"]["b"].__delitem__(0),
    lambda t: t.tags["a"]["b"].__iadd__([5]),
    lambda t: t.tags["a"]["b"].__imul__(2),
    lambda t: t.tags["a"].__setitem__("c", 1),
    lambda t: t.tags["a"].__delitem__("b"),
    lambda t: t.tags["a"].update(c=1),
    lambda t: t.tags["a"].setdefault("c", 1),
    lambda t: t.tags["a"].pop("b"),
    lambda t: t.tags["a"].popitem(),
    lambda t: t.tags["a"].clear(),
    lambda t: t.tags["a"].__ior__({"c": 1}),
    lambda t: t.model.blocks[0].rebind(width=7),
    lambda t: setattr(t.model.blocks[1], "activation", "gelu"),
])
def test_every_mutation_invalidates_hash_of_all_ancestors(mutate):
    t = _tree()
    before = ss.hash(t)
    chain = [t, t.tags, t.tags["a"], t.model, t.model.blocks]
    for node in chain + [t.optimizer]:
        ss.hash(node)  # each node caches the digest computed for it
    assert all(_cached(n) for n in chain)
    mutate(t)
    assert not _cached(t), "the root keeps a stale hash"
    assert ss.hash(t) != before
    # siblings that did not change keep their cache
    assert _cached(t.optimizer)


def test_dict_behaves_like_a_dict():
    d = ss.Dict({"a": 1}, b=2)
    assert isinstance(d, dict) and d == {"a": 1, "b": 2}
    assert list(d) == ["a", "b"] and d.get("c", 3) == 3 and len(d) == 2
    assert d.setdefault("a", 5) == 1
    assert d.pop("zz", "dflt") == "dflt"
    assert dict(d) == {"a": 1, "b": 2}


def test_list_behaves_like_a_list():
    xs = ss.List(range(3))
    assert isinstance(xs, list) and xs == [0, 1, 2] and xs[-1] == 2
    assert xs[1:] == [1, 2] and xs.index(2) == 2 and 1 in xs
    assert xs != (0, 1, 2)


def test_copy_module_and_pickle_keep_tree_structure():
    t = Trainer(model=Model(blocks=[Block(1)]), optimizer=Adam(), tags={"k": [1]})
    ss.hash(t)
    for other in (copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert ss.eq(other, t) and other is not t
        assert other.model.blocks.sym_parent is other.model
        assert other.tags.sym_parent is other and other.tags["k"].sym_parent is other.tags
        assert other.model.blocks[0].sym_path == "model.blocks[0]"
        before = ss.hash(other)
        other.tags["k"].append(2)  # the mutation reaches the root's cache
        assert ss.hash(other) != before
    shallow = copy.copy(ss.Dict(a=[1]))
    assert type(shallow) is ss.Dict and shallow["a"].sym_parent is shallow


def test_pickle_drops_compiled_search_space_cache():
    d = ss.Dict(x=ss.oneof([1, 2]))
    d.__dict__["_sym_space_cache"] = lambda dna: dna  # a compiled space holds closures
    back = pickle.loads(pickle.dumps(d))
    assert "_sym_space_cache" not in back.__dict__ and ss.eq(back, d)
