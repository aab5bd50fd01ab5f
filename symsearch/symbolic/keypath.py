"""Key paths: the address of a value inside a symbolic tree.

A key path is written the way Python code reaches the value::

    "model.blocks[1].width"   ->  ("model", "blocks", 1, "width")

Attribute and dict keys are joined with ``.``; list indices use ``[i]``. Dict keys
that are not identifiers are written ``['my key']``.
"""
from __future__ import annotations

import ast
import re
from typing import Sequence, Union

Key = Union[str, int]

# A quoted key is a Python string literal (``repr`` of the key), escapes included.
_TOKEN = re.compile(r"""\.?([A-Za-z_][A-Za-z_0-9]*)|\[(-?\d+)\]|\[((['"])(?:\\.|(?!\4).)*\4)\]""")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")


def parse_path(path: Union[str, Sequence[Key]]) -> tuple:
    """Splits ``"a.b[0].c"`` into ``("a", "b", 0, "c")``; sequences pass through."""
    if not isinstance(path, str):
        return tuple(path)
    if path == "":
        return ()
    keys = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"Malformed key path {path!r} at character {pos}.")
        if m.group(1) is not None:
            keys.append(m.group(1))
        elif m.group(2) is not None:
            keys.append(int(m.group(2)))
        else:
            keys.append(ast.literal_eval(m.group(3)))
        pos = m.end()
    return tuple(keys)


def join_path(prefix: str, key: Key) -> str:
    """Appends one key to a path string: ``join_path("a", 0) == "a[0]"``."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    key = str(key)
    if not _IDENT.match(key):
        return f"{prefix}[{key!r}]"
    return f"{prefix}.{key}" if prefix else key


def format_path(keys: Sequence[Key]) -> str:
    """The inverse of :func:`parse_path`."""
    out = ""
    for k in keys:
        out = join_path(out, k)
    return out
