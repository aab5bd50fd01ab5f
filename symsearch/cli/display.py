"""Readable text for stored candidates and metrics, without importing the user's code.

A store keeps each candidate as symbolic JSON (``{"_type": "pkg.mod.SVM", "C": 2.0}``).
``show`` and ``run`` format that JSON directly, so they work even where the modules that
define the candidate's classes cannot be imported.

>>> format_candidate_json('{"_type": "pkg.models.SVM", "C": 2.0, "kernel": "rbf"}')
"SVM(C=2.0, kernel='rbf')"
>>> format_metrics({"accuracy": 0.971123, "n": 3})
'accuracy=0.9711, n=3'
"""
from __future__ import annotations

import json
from typing import Any, Optional


def format_value(value: Any) -> str:
    """Numbers to 4 significant digits, other values as repr."""
    if isinstance(value, float):
        text = f"{value:.4g}"
        return text if any(c in text for c in ".en") else text + ".0"   # 2.0, not 2
    return repr(value)


def format_metrics(metrics: Optional[dict], names: Optional[list] = None) -> str:
    if not metrics:
        return "-"
    keys = names if names is not None else list(metrics)
    return ", ".join(f"{k}={format_value(metrics[k])}" for k in keys if k in metrics)


def format_candidate_json(text: Optional[str], max_length: Optional[int] = None) -> str:
    """A one-line description of a stored candidate ('?' when none was stored)."""
    if text is None:
        return "?"
    try:
        data = json.loads(text)
    except ValueError:
        return text if max_length is None else shorten(text, max_length)
    out = _format(data)
    return out if max_length is None else shorten(out, max_length)


def shorten(text: str, max_length: int) -> str:
    return text if len(text) <= max_length else text[:max(1, max_length - 1)] + "…"


def _format(data: Any) -> str:
    if isinstance(data, dict):
        if "_type" in data:
            name = str(data["_type"]).rsplit(".", 1)[-1]
            fields = ", ".join(f"{k}={_format(v)}" for k, v in data.items() if k != "_type")
            return f"{name}({fields})"
        if len(data) == 1:
            (key, inner), = data.items()
            if key == "_tuple":
                items = ", ".join(_format(v) for v in inner)
                return f"({items},)" if len(inner) == 1 else f"({items})"
            if key in ("_class", "_function"):
                return str(inner).rsplit(".", 1)[-1]
            if key == "_missing":
                return "MISSING"
            if key == "_ndarray":
                return f"array(shape={inner.get('shape')})"
        if "_dict" in data and len(data) == 1:
            return "{" + ", ".join(f"{_format(k)}: {_format(v)}" for k, v in data["_dict"]) + "}"
        return "{" + ", ".join(f"{k}: {_format(v)}" for k, v in data.items()) + "}"
    if isinstance(data, list):
        return "[" + ", ".join(_format(v) for v in data) + "]"
    return format_value(data)


def program_source(value: Any) -> Optional[str]:
    """Readable source of a program or expression tree (dead statements removed), also when
    it is the only program or expression field of a symbolic object (such as a pruning
    metric); None for other candidates."""
    from symsearch.programs import Expr, Program, remove_dead_statements, to_source
    from symsearch.programs.program import to_source as program_to_source
    from symsearch.symbolic.object import Object
    if isinstance(value, Program):
        return program_to_source(remove_dead_statements(value))
    if isinstance(value, Expr):
        return to_source(value)
    if isinstance(value, Object) and not isinstance(value, (Program, Expr)):
        inner = [v for _, v in value.sym_items() if isinstance(v, (Program, Expr))]
        if len(inner) == 1:
            return program_source(inner[0])
    return None
