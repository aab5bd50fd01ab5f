"""The errors a store file raises for its own faults: damaged, read-only, not a store at all.

Each names the file and says what the user can do, because the person who meets them is usually
at a terminal looking at ``symsearch show`` fail, not at the code:

- ``StoreDamagedError``: the file is a SQLite store (it has the SQLite header or our meta) but
  SQLite reports it corrupt; the message gives the ``sqlite3 .recover`` command line.
- ``StoreReadOnlyError``: a read-write open of a file (or folder) that cannot be written.
- ``not_a_store``: a ValueError for a file that really is no symsearch store (no SQLite header,
  another application's database, an empty file opened read-only).

>>> str(damaged_error("runs/x.db", "database disk image is malformed"))[:67]
"the store 'runs/x.db' is damaged (database disk image is malformed)"
"""
from __future__ import annotations

import functools
import json
import os
import shlex
import sqlite3
from typing import Callable, Union

# Primary SQLite result codes that mean the file's content is broken (SQLITE_CORRUPT,
# SQLITE_NOTADB); ``sqlite_errorcode`` carries them from Python 3.11, the messages before.
_DAMAGE_CODES = (11, 26)
_DAMAGE_MESSAGES = ("malformed", "file is not a database", "could not decode to utf-8")


class StoreDamagedError(ValueError):
    """The store file is damaged: SQLite reports its pages (or a stored value) as corrupt.

    Attributes: ``path`` (the file) and ``reason`` (what SQLite or the decoder said).
    """

    def __init__(self, path: Union[str, os.PathLike], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        damaged, recovered = shlex.quote(self.path), shlex.quote(f"{self.path}.recovered.db")
        super().__init__(
            f"the store {self.path!r} is damaged ({reason}). To recover what is readable, run "
            f"`sqlite3 {damaged} \".recover\" | sqlite3 {recovered}` (the sqlite3 command line "
            f"tool; Debian/Ubuntu package `sqlite3`); if that sqlite3 has no working .recover "
            f"(\"SQL logic error\", \"no such table: sqlite_dbpage\"), run "
            f"`sqlite3 {damaged} .dump | sed 's/^ROLLBACK; -- due to errors$/COMMIT;/' | "
            f"sqlite3 {recovered}` instead. The recovered file can be shown with "
            f"`symsearch show {recovered}` and resumed like any store.")


class StoreReadOnlyError(PermissionError):
    """A read-write open of a store that cannot be written (read-only file, folder or disk).

    Attributes: ``path`` and ``reason``. Reading it (``read_only=True``, ``load_experiment``,
    ``symsearch show``) still works.
    """

    def __init__(self, path: Union[str, os.PathLike], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(
            f"the store {self.path!r} is read-only ({reason}): `symsearch show/plot/export` can "
            f"read it; to continue the search, copy it to a writable place "
            f"(cp {self.path} copy.db) and resume from the copy, or make it writable")

    def __str__(self) -> str:   # PermissionError would print "[Errno None] ..." otherwise
        return self.args[0]


class StoredValueError(ValueError):
    """A stored value that symsearch cannot have written (e.g. a compressed text that does not
    decompress)."""


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` (from sqlite3 or from decoding a stored value) means a damaged file."""
    if isinstance(error, (json.JSONDecodeError, RecursionError, StoredValueError)):
        return True
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        return True     # a number of thousands of digits: no value symsearch wrote
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _DAMAGE_CODES:
        return True
    text = str(error).lower()
    return any(m in text for m in _DAMAGE_MESSAGES)


def damaged_error(path: Union[str, os.PathLike], error: Union[BaseException, str]
                  ) -> StoreDamagedError:
    """A StoreDamagedError for ``path``; the reason is ``error``'s text."""
    if isinstance(error, RecursionError):
        reason = "a stored value is nested too deeply to be JSON that symsearch wrote"
    elif isinstance(error, json.JSONDecodeError):
        reason = f"a stored value is not valid JSON: {error}"
    elif isinstance(error, ValueError) and not isinstance(error, sqlite3.Error):
        reason = f"a stored value cannot be decoded: {str(error)[:200]}"
    else:
        reason = str(error)
    return StoreDamagedError(path, reason)


def not_a_store(path: Union[str, os.PathLike], why: str) -> ValueError:
    """The ValueError for a file that is not a symsearch experiment store at all."""
    return ValueError(f"{os.fspath(path)!r} is not a symsearch experiment store ({why})")


def reports_damage(method: Callable) -> Callable:
    """Decorates a store method so that SQLite's corruption errors (and stored JSON that does
    not decode) raise StoreDamagedError naming ``self.path``; other errors pass unchanged."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, ValueError, RecursionError) as e:
            if isinstance(e, StoreDamagedError) or not is_damage(e):
                raise
            raise damaged_error(self.path, e) from e
    return wrapper
