"""Readable text for symbolic trees: one line when short, indented when long.

>>> from symsearch.symbolic.dict import Dict
>>> print(format_value(Dict(a=1, b=[1, 2])))
{'a': 1, 'b': [1, 2]}
"""
from __future__ import annotations

from typing import Any

from symsearch.symbolic.base import Symbolic

LINE_WIDTH = 88


def format_value(value: Any, compact: bool = False, indent: int = 2) -> str:
    one_line = _format(value, None, 0)
    if compact or len(one_line) <= LINE_WIDTH:
        return one_line
    return _format(value, indent, 0)


def _entries(value: Any):
    """(opening, closing, [(label, child)]) for containers; None for leaves."""
    from symsearch.symbolic.dict import Dict
    from symsearch.symbolic.list import List
    if isinstance(value, Symbolic) and not isinstance(value, (Dict, List)):
        name = getattr(type(value), "_sym_display_name", None) or type(value).__name__
        items = [(f"{k}=", v) for k, v in value.sym_items()
                 if not _hidden_default(value, k, v)]
        return f"{name}(", ")", items
    if isinstance(value, dict):
        return "{", "}", [(f"{k!r}: ", v) for k, v in value.items()]
    if isinstance(value, list):
        return "[", "]", [("", v) for v in value]
    if type(value) is tuple:
        return "(", ",)" if len(value) == 1 else ")", [("", v) for v in value]
    return None


def _hidden_default(node: Symbolic, key: Any, value: Any) -> bool:
    hide = getattr(type(node), "_sym_hide_default_fields", ())
    return key in hide and value is None


def _format(value: Any, indent, level: int) -> str:
    entries = _entries(value)
    if entries is None:
        return _leaf(value)
    opening, closing, items = entries
    if not items:
        return opening + closing
    if indent is None:
        return opening + ", ".join(label + _format(v, None, 0) for label, v in items) + closing
    one_line = opening + ", ".join(label + _format(v, None, 0) for label, v in items) + closing
    if len(one_line) + indent * level <= LINE_WIDTH:
        return one_line
    pad = " " * (indent * (level + 1))
    inner = ",\n".join(pad + label + _format(v, indent, level + 1) for label, v in items)
    return f"{opening}\n{inner}\n{' ' * (indent * level)}{closing}"


def _leaf(value: Any) -> str:
    name = getattr(value, "__name__", None)
    if name == "<lambda>" and hasattr(value, "__code__"):
        # Its source, not "<function <lambda> at 0x7f...>": readable and the same each run.
        from symsearch.symbolic.hashing import _source_of
        return _source_of(value.__code__) or "<lambda>"
    if callable(value) and name and not isinstance(value, type):
        return name
    if isinstance(value, type):
        return value.__name__
    return repr(value)
