"""Large DNA and candidate texts are stored compressed and read back unchanged."""
import json
import sqlite3

import pytest

from symsearch.store import SqliteStore, StoreDamagedError
from symsearch.store.sqlite_text import COMPRESS_ABOVE, pack, unpack

PROGRAM_JSON = json.dumps({"_type": "symsearch.programs.Program", "statements": [
    {"_type": "symsearch.programs.Statement", "target": f"t{i}", "op": "mul",
     "args": ["g", {"_type": "symsearch.programs.Const", "value": i / 7}]} for i in range(12)]})


def test_long_texts_are_stored_compressed_and_read_back_the_same(tmp_path):
    path = tmp_path / "exp.db"
    dna = [{"_program": {"statements": [["m", "interp", ["g", "m", i / 3]] for i in range(20)]}}]
    with SqliteStore(path) as store:
        trial_id = store.start_trial(dna, PROGRAM_JSON)
        store.finish_trial(trial_id, "done", metrics={"loss": 0.5})
        small_id = store.start_trial([3, "relu"], '{"a": 1}')
    conn = sqlite3.connect(path)
    rows = dict((i, (d, c)) for i, d, c in conn.execute(
        "SELECT id, dna, candidate_json FROM trials"))
    conn.close()
    big_dna, big_candidate = rows[trial_id]
    assert isinstance(big_dna, bytes) and isinstance(big_candidate, bytes)
    assert len(big_candidate) < len(PROGRAM_JSON) // 4
    assert rows[small_id] == ('[3,"relu"]', '{"a": 1}')     # short texts stay readable TEXT
    with SqliteStore(path, read_only=True) as store:
        records = {r.id: r for r in store.trials()}
    assert records[trial_id].dna == dna
    assert records[trial_id].candidate_json == PROGRAM_JSON
    assert records[small_id].dna == [3, "relu"]


def test_a_text_that_does_not_compress_well_stays_plain():
    import random
    import string
    rng = random.Random(0)
    noise = "".join(rng.choice(string.printable[:94]) for _ in range(400))
    assert len(noise) > COMPRESS_ABOVE and pack(noise) == noise
    assert unpack(pack(PROGRAM_JSON)) == PROGRAM_JSON


def test_a_compressed_value_that_does_not_decompress_is_damage(tmp_path):
    path = tmp_path / "exp.db"
    with SqliteStore(path) as store:
        store.finish_trial(store.start_trial([1], PROGRAM_JSON), "done", metrics={"x": 1})
    conn = sqlite3.connect(path)
    conn.execute("UPDATE trials SET candidate_json = ?", (b"\x78\x9c not zlib",))
    conn.commit()
    conn.close()
    with SqliteStore(path, read_only=True) as store:
        with pytest.raises(StoreDamagedError, match="does not decompress"):
            store.trials()
