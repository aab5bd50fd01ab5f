"""Compact storage of a trial's large JSON columns (DNA and candidate) in SQLite.

A program search stores each trial's program twice: once as compact DNA and once as the typed
candidate JSON (``{"_type": "symsearch.programs.Statement", ...}`` for every statement), about
2 KB a trial. Both are repetitive text, so zlib shrinks them 3-5x. Texts above
``COMPRESS_ABOVE`` bytes are stored as a zlib BLOB when that saves at least a quarter; shorter
ones (the DNA of a hyper-parameter search, a few dozen bytes) stay plain TEXT, so most stores
read as before and a person with the ``sqlite3`` shell still sees them.

SQLite keeps a value's own type whatever the column's declared type, so one column holds both
kinds and ``unpack`` tells them apart by type: ``str`` is plain, ``bytes`` is compressed. Stores
written before this existed hold only ``str`` and read unchanged.

>>> text = '{"_type": "symsearch.programs.Statement", "op": "mul"}' * 20
>>> packed = pack(text)
>>> isinstance(packed, bytes) and len(packed) < len(text) // 4
True
>>> unpack(packed) == text and unpack("[1, 2]") == "[1, 2]" and unpack(None) is None
True
"""
from __future__ import annotations

import zlib
from typing import Optional, Union

from symsearch.store.errors import StoredValueError

# Below this many bytes compression saves little next to a row's fixed cost, and costs time.
COMPRESS_ABOVE = 256
_LEVEL = 6


def pack(text: Optional[str]) -> Union[str, bytes, None]:
    """``text`` as stored: zlib-compressed bytes when long and compressible, else unchanged."""
    if text is None or len(text) <= COMPRESS_ABOVE:
        return text
    data = text.encode("utf-8")
    packed = zlib.compress(data, _LEVEL)
    return packed if len(packed) * 4 <= len(data) * 3 else text


def unpack(value: Union[str, bytes, None]) -> Optional[str]:
    """The text ``pack`` was given, from what the store holds; StoredValueError if the bytes
    are not what ``pack`` writes (a damaged file)."""
    if type(value) is bytes:
        try:
            return zlib.decompress(value).decode("utf-8")
        except (zlib.error, UnicodeDecodeError) as e:
            raise StoredValueError(f"a compressed stored text does not decompress ({e})") from e
    return value
