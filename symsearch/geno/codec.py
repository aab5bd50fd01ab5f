"""DNA <-> JSON-compatible lists (for stores and algorithm state).

Numbers and ``None`` stay as they are; values of custom (``evolve``) decisions, which
may be symbolic programs, go through :func:`symsearch.to_json`, except tuple trees
(:class:`symsearch.programs.trees.Tree`, what genetic programming proposes), which are
stored as flat lists in prefix order: ``{"_tree": ["add", "$x", 1.0]}``, and programs
(:class:`symsearch.programs.Program`), stored as ``{"_program": {"inputs": ..., "statements":
[[target, op, [args]]...], "outputs": ...}}``.
"""
from __future__ import annotations

from typing import Any

from symsearch.geno.dna import DNA

_PLAIN = (int, float, str, bool, type(None))


def dna_to_json(dna) -> list:
    out = []
    for v in dna:
        if isinstance(v, _PLAIN):
            out.append(v)
            continue
        compact = getattr(type(v), "_dna_json", None)
        data = compact(v) if compact is not None else None
        if data is not None:          # a value with its own compact form (trees, programs)
            out.append(data)
        else:
            from symsearch.symbolic.serialization import to_json
            out.append({"_value": to_json(v)})
    return out


def dna_from_json(data: list) -> DNA:
    values: list[Any] = []
    for v in data:
        if isinstance(v, dict) and "_value" in v:
            from symsearch.symbolic.serialization import from_json
            values.append(from_json(v["_value"]))
        elif isinstance(v, dict) and "_tree" in v:
            from symsearch.programs.trees import Tree
            values.append(Tree.from_json(v["_tree"]))
        elif isinstance(v, dict) and "_program" in v:
            from symsearch.programs.program import Program
            values.append(Program.from_dna_json(v["_program"]))
        elif isinstance(v, list):
            values.append(tuple(v))
        else:
            values.append(v)
    return DNA(values)
