import pytest

from symsearch.store import MemoryStore, SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    """Each store implementation, empty."""
    if request.param == "memory":
        s = MemoryStore()
    else:
        s = SqliteStore(tmp_path / "experiment.db")
    yield s
    s.close()
