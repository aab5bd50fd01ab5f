"""The source of a stored program candidate, and a diff between two trials' candidates.

For program and expression searches a candidate reads best as source (``to_source``); for
anything else as its key paths. ``candidate_diff`` compares two trials line by line with
``difflib`` (source when both are programs, else the key-path listing).

>>> lines = candidate_diff('{"x": 1, "act": "relu"}', '{"x": 2, "act": "relu"}', "a", "b")
>>> [line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]
['-x = 1', '+x = 2']
"""
from __future__ import annotations

import difflib
import json
from typing import Any, Optional


def candidate_source(candidate_json: Optional[str]) -> Optional[str]:
    """Readable source of a stored program or expression candidate (also one held in a field
    of a symbolic object, such as a pruning metric), None for other candidates or when it
    cannot be built in this process."""
    if not candidate_json or "symsearch.programs." not in candidate_json:
        return None
    try:
        import symsearch as ss
        import symsearch.programs  # noqa: F401  (registers Program, Statement, Call, ...)
        from symsearch.cli.display import program_source
        return program_source(ss.from_json_str(candidate_json))
    except Exception:           # a candidate this process cannot build: no source
        return None


def key_paths(candidate_json: Optional[str]) -> list:
    """``[(key path, value text)]`` of a stored candidate's leaves, in order; a symbolic
    object's type appears as ``path._type``. The texts are data, to be shown as text."""
    if candidate_json is None:
        return []
    try:
        data = json.loads(candidate_json)
    except ValueError:
        return [("", candidate_json)]
    out: list = []
    _walk(data, "", out)
    return out


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _walk(node: Any, path: str, out: list) -> None:
    if isinstance(node, dict):
        if set(node) == {"_tuple"} and isinstance(node["_tuple"], list):
            node = node["_tuple"]
        elif set(node) == {"_dict"} and isinstance(node["_dict"], list):
            for pair in node["_dict"]:
                if isinstance(pair, list) and len(pair) == 2:
                    _walk(pair[1], _join(path, json.dumps(pair[0])), out)
            return
        else:
            if not node:
                out.append((path, "{}"))
            for key, value in node.items():
                if key == "_type":
                    out.append((_join(path, "_type"), str(value)))
                else:
                    _walk(value, _join(path, key), out)
            return
    if isinstance(node, list):
        if not node:
            out.append((path, "[]"))
        for i, value in enumerate(node):
            _walk(value, _join(path, i), out)
        return
    out.append((path, json.dumps(node) if not isinstance(node, str) else repr(node)))


def candidate_lines(candidate_json: Optional[str]) -> list:
    """Lines a diff compares: the source of a program, else ``path = value`` per leaf."""
    source = candidate_source(candidate_json)
    if source is not None:
        return source.splitlines()
    return [f"{path} = {value}" for path, value in key_paths(candidate_json)]


def candidate_diff(a_json: Optional[str], b_json: Optional[str], a_name: str = "a",
                   b_name: str = "b") -> list:
    """A unified diff (list of lines) from candidate ``a`` to candidate ``b``."""
    return list(difflib.unified_diff(candidate_lines(a_json), candidate_lines(b_json),
                                     fromfile=a_name, tofile=b_name, lineterm="", n=3))
