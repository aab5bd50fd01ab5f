"""DNA: a plain tuple with a stable hash and readable dict views."""
import os
import pickle
import subprocess
import sys

import pytest

import symsearch as ss
from symsearch.geno import as_dna
from tests.hyper._spaces import Conv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SAMPLES = [
    ss.DNA(()),
    ss.DNA((1, 0.5, None)),
    ss.DNA((0, 2, 1, None, 3.25e-05, 7, "custom", True)),
    ss.DNA((None, None, -3, 1e300, 0.1)),
]


def test_dna_is_a_cheap_plain_tuple():
    dna = ss.DNA((1, 0.5, None))
    assert isinstance(dna, tuple)
    assert dna == (1, 0.5, None) and dna[0] == 1 and len(dna) == 3
    assert hash(dna) == hash((1, 0.5, None))
    assert {dna: "x"}[(1, 0.5, None)] == "x"
    assert not hasattr(dna, "__dict__")
    assert dna.to_list() == [1, 0.5, None]
    assert repr(dna) == "DNA((1, 0.5, None))"


def test_as_dna_wraps_only_when_needed():
    dna = ss.DNA((1, 2))
    assert as_dna(dna) is dna
    wrapped = as_dna([1, 2])
    assert type(wrapped) is ss.DNA and wrapped == dna


def test_dna_pickles_as_dna():
    dna = ss.DNA((1, None, 0.25))
    back = pickle.loads(pickle.dumps(dna))
    assert type(back) is ss.DNA and back == dna


def test_stable_hash_is_a_hex_digest_that_tells_dnas_apart():
    digests = [d.stable_hash() for d in SAMPLES]
    assert all(len(h) == 32 and int(h, 16) >= 0 for h in digests)
    assert len(set(digests)) == len(SAMPLES)
    assert ss.DNA((1, 0.5, None)).stable_hash() == ss.DNA((1, 0.5, None)).stable_hash()
    assert ss.DNA((1, 0.5)).stable_hash() != ss.DNA((0.5, 1)).stable_hash()
    assert ss.DNA((1, None)).stable_hash() != ss.DNA((None, 1)).stable_hash()
    assert ss.DNA(("1",)).stable_hash() != ss.DNA((1,)).stable_hash()


def test_stable_hash_of_dna_holding_symbolic_values():
    a = ss.DNA((0, Conv(width=8)))
    b = ss.DNA((0, Conv(width=8)))
    c = ss.DNA((0, Conv(width=9)))
    assert a.stable_hash() == b.stable_hash() != c.stable_hash()


def test_stable_hash_is_equal_across_processes():
    script = (
        "import symsearch as ss\n"
        "samples = [ss.DNA(()), ss.DNA((1, 0.5, None)),\n"
        "           ss.DNA((0, 2, 1, None, 3.25e-05, 7, 'custom', True)),\n"
        "           ss.DNA((None, None, -3, 1e300, 0.1))]\n"
        "print('\\n'.join(d.stable_hash() for d in samples))\n")
    expected = [d.stable_hash() for d in SAMPLES]
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60, check=True)
        assert out.stdout.split() == expected


def spec_and_dna():
    space = ss.Dict(
        act=ss.oneof(["relu", "gelu", ss.Dict(kind="leaky", slope=ss.floatv(0.01, 0.3))],
                     name="activation"),
        width=ss.intv(8, 64, step=8),
        ops=ss.manyof(2, ["conv", "pool", "skip"], name="ops"),
        opt=ss.oneof([Conv(width=4), None]),
    )
    return ss.dna_spec(space), ss.DNA((2, 0.1, 16, 2, 0, 0))


def test_to_dict_by_path_holds_active_decisions():
    spec, dna = spec_and_dna()
    assert dna.to_dict(spec) == {"act": 2, "act[=2].slope": 0.1, "width": 16, "ops[0]": 2,
                                 "ops[1]": 0, "opt": 0}
    inactive = ss.DNA((0, None, 8, 0, 1, 1))
    assert inactive.to_dict(spec) == {"act": 0, "width": 8, "ops[0]": 0, "ops[1]": 1,
                                      "opt": 1}


def test_to_dict_by_name_falls_back_to_the_path():
    spec, dna = spec_and_dna()
    assert dna.to_dict(spec, key="name") == {
        "activation": 2, "act[=2].slope": 0.1, "width": 16, "ops[0]": 2, "ops[1]": 0,
        "opt": 0}


def test_to_dict_with_literal_values():
    spec, dna = spec_and_dna()
    assert dna.to_dict(spec, key="name", value="literal") == {
        "activation": "{'kind': 'leaky', 'slope': floatv(lo=0.01, hi=0.3, scale='linear')}",
        "act[=2].slope": 0.1, "width": 16, "ops[0]": "skip", "ops[1]": "conv",
        "opt": "Conv(width=4, act='relu')"}
    none_choice = ss.DNA((1, None, 8, 0, 1, 1)).to_dict(spec, value="literal")
    assert none_choice["act"] == "gelu" and none_choice["opt"] is None


def test_to_dict_rejects_unknown_views():
    spec, dna = spec_and_dna()
    with pytest.raises(ValueError, match="key must be 'path' or 'name'"):
        dna.to_dict(spec, key="index")
    with pytest.raises(ValueError, match="value must be 'index' or 'literal'"):
        dna.to_dict(spec, value="text")


def test_dna_json_codec_round_trips_plain_and_custom_values():
    import json

    from symsearch.geno.codec import dna_from_json, dna_to_json
    dna = ss.DNA((1, None, 0.25, "s", True, Conv(width=8), (1, 2), [3, 4]))
    data = json.loads(json.dumps(dna_to_json(dna)))
    assert data[:5] == [1, None, 0.25, "s", True]
    back = dna_from_json(data)
    assert type(back) is ss.DNA and len(back) == len(dna)
    assert back[:5] == dna[:5]
    assert back[5] == Conv(width=8) and type(back[5]) is Conv
    assert back[6] == (1, 2) and back[7] == [3, 4]
    assert back.stable_hash() == dna.stable_hash()
