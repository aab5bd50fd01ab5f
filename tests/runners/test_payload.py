import symsearch as ss
from symsearch.runners.payload import SymbolicPayload, decode_candidate, encode_candidate

from . import _models


def test_symbolic_candidate_travels_as_json_and_its_modules():
    candidate = _models.Quadratic(a=2.0, b=1.0)
    payload = encode_candidate(candidate)
    assert isinstance(payload, SymbolicPayload)
    assert payload.modules == (_models.__name__,)
    assert payload.data == ss.to_json(candidate)
    rebuilt = decode_candidate(payload)
    assert rebuilt is not candidate and ss.eq(rebuilt, candidate)
    assert rebuilt(2.0) == 9.0


def test_nested_symbolic_values_name_every_module():
    candidate = ss.Dict(model=_models.Quadratic(a=3.0), scale=ss.List([1, 2]))
    payload = encode_candidate(candidate)
    assert isinstance(payload, SymbolicPayload)
    assert _models.__name__ in payload.modules
    assert ss.eq(decode_candidate(payload), candidate)


def test_plain_values_travel_as_themselves():
    for value in ({"lr": 0.1}, [1, 2], 3.5, None):
        assert encode_candidate(value) is value
        assert decode_candidate(value) is value


def test_class_defined_in_a_function_falls_back_to_the_object():
    class Local(ss.Object):
        x: int = 1

    candidate = Local(x=2)
    assert encode_candidate(candidate) is candidate


def test_unserializable_value_falls_back_to_the_object():
    candidate = ss.Dict(fn=lambda x: x)
    assert encode_candidate(candidate) is candidate


def test_symbolized_foreign_class_falls_back_to_the_object():
    # Importing the wrapped class's module gives the original class, not the registered
    # wrapper, so a worker could not rebuild it from JSON.
    Wrapped = ss.symbolize(_models.Plain)
    candidate = Wrapped(n=3)
    assert encode_candidate(candidate) is candidate
