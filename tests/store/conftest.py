import signal
import sqlite3
import subprocess
import sys

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


def make_foreign_files(folder, text_line="not a database\n"):
    """A text file and another application's SQLite database: files that are no store."""
    text = folder / "notes.txt"
    text.write_text(text_line * 100)
    other = folder / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.commit()
    conn.close()
    return text, other


def run_until_killed(script: str, *args) -> subprocess.CompletedProcess:
    """Runs ``python -c script ARGS`` and checks that it ended by SIGKILL (its own)."""
    child = subprocess.run([sys.executable, "-c", script, *map(str, args)],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    return child
