"""JSON / YAML serialization: round trips, registered types only, clear errors."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import symsearch as ss
from symsearch.symbolic import registry

from ._models import Adam, Block, Model, SGD, Trainer, train


def scale_by_three(x):
    return 3 * x


class Unit:
    """A plain class used as a value (not an instance) in trees."""


ss.allow(scale_by_three)
ss.allow(Unit, name="tests.symbolic.Unit")


def _rich():
    return Trainer(
        model=Model(blocks=[Block(8), Block.partial(activation="gelu")], dropout=0.5),
        optimizer=SGD(lr=0.1, momentum=0.9),
        epochs=2,
        name=None,
        tags={
            "pair": (1, (2, "x")), "none": None, "empty": (), "nested": {"a": [1, {"b": None}]},
            "weights": np.arange(6, dtype=np.float32).reshape(2, 3), "ints": np.array([1, 2]),
            "fn": scale_by_three, "cls": Unit, "job": train(model=Adam(), lr=0.5),
            "flag": True, "big": 10 ** 20, "f": 1.5, "unicode": "ünï ✓",
            "keys": {1: "one", (2, 3): "tuple", "_type": "not a type"},
            "special": {"_tuple": [1]}, "np_scalar": np.float64(0.25), "inf": math.inf,
        },
    )


def _check_same(back, original):
    assert ss.eq(back, original), f"{back!r} != {original!r}"
    assert ss.hash(back) == ss.hash(original)


ROUND_TRIPS = {
    "json": lambda v: ss.from_json(json.loads(json.dumps(ss.to_json(v)))),
    "json_str": lambda v: ss.from_json_str(ss.to_json_str(v)),
    "yaml": lambda v: ss.from_yaml(ss.to_yaml(v)),
    "method": lambda v: ss.from_json_str(v.to_json_str()) if isinstance(v, ss.Symbolic)
    else ss.from_json_str(ss.to_json_str(v)),
}


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
def test_round_trip_of_a_rich_tree(how):
    original = _rich()
    back = ROUND_TRIPS[how](original)
    _check_same(back, original)
    tags = back.tags
    assert type(back) is Trainer and type(back.optimizer) is SGD
    assert tags["pair"] == (1, (2, "x")) and type(tags["pair"][1]) is tuple
    assert tags["empty"] == () and tags["none"] is None and back.name is None
    assert back.model.blocks[1].width is ss.MISSING and back.is_partial
    assert tags["weights"].dtype == np.float32 and tags["weights"].shape == (2, 3)
    assert tags["fn"] is scale_by_three and tags["cls"] is Unit
    assert tags["job"]() == {"model": Adam(), "lr": 0.5, "epochs": 5}
    assert tags["keys"][(2, 3)] == "tuple" and tags["keys"]["_type"] == "not a type"
    assert tags["special"] == {"_tuple": [1]} and tags["big"] == 10 ** 20
    assert back.model.blocks[0].sym_path == "model.blocks[0]"  # a proper tree again


def test_json_shape_is_readable():
    data = ss.to_json(Trainer(model=Model(blocks=[Block(4)]), optimizer=Adam(lr=0.1)))
    name = registry.name_of
    assert data == {
        "_type": name(Trainer),
        "model": {"_type": name(Model), "blocks": [
            {"_type": name(Block), "width": 4, "activation": "relu"}], "dropout": 0.0},
        "optimizer": {"_type": name(Adam), "lr": 0.1, "beta1": 0.9},
        "epochs": 3, "name": None, "tags": {},
    }
    assert ss.to_json((1, ss.MISSING)) == {"_tuple": [1, {"_missing": True}]}


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_save_and_load_files(tmp_path, suffix):
    path = tmp_path / f"trainer{suffix}"
    original = _rich()
    ss.save(original, path)
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        assert json.loads(text)["_type"] == registry.name_of(Trainer)
    else:
        assert text.startswith("_type: ")
    _check_same(ss.load(path), original)
    _check_same(ss.load(str(path)), original)


@pytest.mark.parametrize("value", [
    None, 0, -1.5, "s", True, [], {}, (), [1, (2, None)], {"a": {"b": [None]}}, ss.MISSING,
    (ss.MISSING,), np.zeros((0, 2)), np.array(3.5),
])
def test_round_trip_of_plain_values(value):
    for how in ("json_str", "yaml"):
        assert ss.eq(ROUND_TRIPS[how](value), value)


def test_loaded_plain_containers_are_symbolic():
    back = ss.from_json({"a": [{"b": 1}]})
    assert type(back) is ss.Dict and type(back["a"]) is ss.List
    assert back["a"][0].sym_path == "a[0]"


# ---- loading builds only registered types --------------------------------------------------
def test_unknown_type_is_a_value_error_naming_the_name_and_path():
    data = ss.to_json(Trainer(model=Model(blocks=[Block(1)]), optimizer=Adam()))
    data["model"]["blocks"][0]["_type"] = "evil.Payload"
    with pytest.raises(ValueError, match=r"Unknown type or function 'evil\.Payload' at "
                                         r"model\.blocks\[0\].*not registered"):
        ss.from_json(data)
    with pytest.raises(ValueError, match=r"'nope\.fn' at tags\.f"):
        ss.from_json({"tags": {"f": {"_function": "nope.fn"}}})
    with pytest.raises(ValueError, match=r"'nope\.Cls' at <root>"):
        ss.from_json({"_class": "nope.Cls"})


def test_loading_never_imports_modules():
    # "os.system" and a module that is not imported: both must fail by name lookup alone.
    for name in ("os.system", "xml.dom.minidom.parseString", "wave.open", "os.path.join"):
        module = name.rsplit(".", 1)[0]
        was_loaded = module in sys.modules
        for data in ({"_type": name, "command": "echo hi"}, {"x": {"_function": name}},
                     {"x": {"_class": name}}):
            with pytest.raises(ValueError, match=f"Unknown type or function '{name}'"):
                ss.from_json(data)
            with pytest.raises(ValueError):
                ss.from_yaml(json.dumps(data))
        assert (module in sys.modules) == was_loaded, f"loading imported {module}"


def test_loading_never_imports_in_a_fresh_process():
    code = (
        "import sys, symsearch as ss\n"
        "before = set(sys.modules)\n"
        "for name in ('wave.open', 'xml.dom.minidom.parseString', 'os.system'):\n"
        "    try:\n"
        "        ss.from_json_str('{\"_type\": \"%s\"}' % name)\n"
        "    except ValueError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit('loaded ' + name)\n"
        "new = sorted(set(sys.modules) - before)\n"
        "print(new)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "wave" not in out.stdout and "xml" not in out.stdout, out.stdout


def test_type_that_is_not_symbolic_cannot_be_built():
    with pytest.raises(ValueError, match="not a symbolic type"):
        ss.from_json({"_type": registry.name_of(scale_by_three), "x": 1})
    with pytest.raises(ValueError, match="not a symbolic type"):
        ss.from_json({"_type": "tests.symbolic.Unit"})
    with pytest.raises(ValueError, match=r"registered name \(a string\)"):
        ss.from_json({"_type": ["os", "system"]})


def test_yaml_python_tags_are_rejected():
    import yaml
    with pytest.raises(yaml.YAMLError):
        ss.from_yaml("!!python/object/apply:os.system ['echo hi']")


def test_loaded_values_are_validated_with_paths():
    data = ss.to_json(Trainer(model=Model(blocks=[Block(1)]), optimizer=Adam()))
    data["optimizer"]["lr"] = "fast"
    with pytest.raises(TypeError, match=r"\(path=lr\).*while loading .*Adam at optimizer"):
        ss.from_json(data)
    data = ss.to_json(Block(1))
    data["bogus"] = 1
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        ss.from_json(data)


def test_load_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"_type": "no.Such"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json: Unknown type or function 'no\.Such'"):
        ss.load(path)


# ---- what cannot be serialized --------------------------------------------------------------
def test_lambda_is_a_type_error_naming_the_key_path():
    t = Trainer(model=Model(blocks=[Block(1)]), optimizer=Adam(), tags={"fn": lambda x: x})
    with pytest.raises(TypeError, match=r"Cannot serialize a lambda at tags\.fn"):
        ss.to_json(t)
    with pytest.raises(TypeError, match=r"a lambda at \[1\]"):
        ss.to_json_str([1, lambda: 0])
    with pytest.raises(TypeError, match="at <root>"):
        ss.to_yaml(lambda: 0)


def test_unregistered_values_are_type_errors_naming_the_key_path():
    class Local:
        pass

    with pytest.raises(TypeError, match=r"Cannot serialize a Local .* at a\.b\[0\]"):
        ss.to_json({"a": {"b": [Local()]}})
    with pytest.raises(TypeError, match=r"at x.*ss\.allow"):
        ss.to_json({"x": object()})


def test_allow_rejects_lambdas():
    with pytest.raises(ValueError, match="lambda"):
        ss.allow(lambda x: x)


def test_allow_as_decorator_and_alias():
    @ss.allow(name="tests.symbolic.triple")
    def triple(x):
        return 3 * x

    assert ss.to_json({"f": triple}) == {"f": {"_function": "tests.symbolic.triple"}}
    assert ss.from_json({"f": {"_function": "tests.symbolic.triple"}})["f"] is triple


# ---- what a loaded value may allocate ----------------------------------------------------

@pytest.mark.parametrize("inner, message", [
    ({"dtype": "S800000000", "shape": [1], "data": [1]}, "dtype 'S800000000' is not allowed"),
    ({"dtype": "<U100000000", "shape": [1], "data": [1]}, "is not allowed"),
    ({"dtype": "(100000000,)f8", "shape": [1], "data": [1]}, "is not allowed"),
    ({"dtype": "O", "shape": [1], "data": [1]}, "is not allowed"),
    ({"dtype": {"names": ["a"], "formats": ["f8"]}, "shape": [1], "data": [1]},
     "is not allowed"),
    ({"dtype": "<f8", "shape": [100000000], "data": [0]},
     r"shape \[100000000\] has 100000000 elements but data has 1 values"),
    ({"dtype": "<f8", "shape": [-1], "data": [0]}, "non-negative ints"),
    ({"dtype": "<f8", "shape": [2], "data": [[1, 2]]}, "flat list of numbers"),
    ({"dtype": "<f8", "shape": [1], "data": ["1e9"]}, "flat list of numbers"),
    ({"dtype": "<f8", "shape": [1]}, "expected a mapping with 'dtype', 'shape' and 'data'"),
])
def test_ndarray_must_hold_the_data_its_shape_says(inner, message):
    data = {"weights": [{"_ndarray": inner}]}
    assert len(json.dumps(data)) < 200
    with pytest.raises(ValueError, match=r"_ndarray at weights\[0\]: .*" + message):
        ss.from_json(data)


@pytest.mark.parametrize("array", [np.arange(6.0).reshape(2, 3), np.array(True),
                                   np.zeros((0, 4), dtype=np.int32),
                                   np.array([1, 2], dtype=np.uint8)])
def test_ndarray_round_trip_still_works(array):
    loaded = ss.from_json(ss.to_json(ss.Dict(a=array)))["a"]
    assert loaded.dtype == array.dtype and loaded.shape == array.shape
    assert (loaded == array).all()


# ---- documents that name their modules ---------------------------------------------------

def test_a_document_may_name_its_modules_and_imports_them_only_when_asked(tmp_path):
    path = tmp_path / "best.yaml"
    path.write_text("_modules: [wave]\n_value: {a: 1}\n")
    was_loaded = "wave" in sys.modules
    assert ss.load(str(path)) == {"a": 1}
    assert ("wave" in sys.modules) == was_loaded          # not imported by default
    assert ss.load(str(path), import_modules=True) == {"a": 1}
    assert "wave" in sys.modules


def test_import_modules_rejects_what_is_not_a_module_name():
    for modules in (["os; rm"], "os", [1]):
        with pytest.raises(ValueError, match="_modules"):
            ss.from_json({"_modules": modules, "_value": 1}, import_modules=True)
    with pytest.raises(ValueError, match="_modules: cannot import 'no_such_module_xyz'"):
        ss.from_json({"_modules": ["no_such_module_xyz"], "_value": 1}, import_modules=True)


def test_unregistered_type_error_says_how_to_load_it():
    with pytest.raises(ValueError, match=r"pass import_modules=True \(imports 'mypkg\.models'"):
        ss.from_json({"_modules": ["mypkg.models"], "_value": {"_type": "mypkg.models.MLP"}})
    with pytest.raises(ValueError, match=r"or import 'evil' first"):
        ss.from_json({"_type": "evil.Payload"})


def test_modules_of_names_the_modules_of_registered_types():
    from symsearch.symbolic.serialization import modules_of
    data = ss.to_json(Trainer(model=Model(blocks=[Block(1)]), optimizer=Adam()))
    assert modules_of(data) == [Trainer.__module__]
    assert modules_of({"_type": "pkg.mod.Cls", "f": {"_function": "other.fn"}}) == \
        ["pkg.mod", "other"]
    assert modules_of({"a": 1}) == []
