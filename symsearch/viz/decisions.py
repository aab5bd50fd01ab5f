"""The named decision points of a stored search, and each trial's values for them.

The store keeps the search space as symbolic JSON and each trial's DNA (one value per
decision, ``None`` where a conditional decision is inactive). ``stored_spec`` rebuilds the
DNASpec from the space JSON without importing the user's code: a symbolic class this process
has not registered is read as a plain dict of its fields, which keeps the key paths, bounds
and candidates of every hyper-value inside it. When even that fails (no space stored, an
``evolve`` whose mutator is unknown here), ``inferred_decisions`` describes the DNA positions
from the values seen, so the views still work with names like ``#2``.

>>> import symsearch as ss
>>> space = ss.Dict(x=ss.floatv(0.0, 1.0), act=ss.oneof(["relu", "tanh"]))
>>> columns = decision_columns(stored_spec(ss.to_json_str(space)), [])
>>> [(c.name, c.kind, c.choices) for c in columns]
[('x', 'float', ()), ('act', 'choice', ('relu', 'tanh'))]
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Optional

CHOICE, FLOAT, INT = "choice", "float", "int"


@dataclass
class DecisionColumn:
    """One decision point as the views draw it.

    ``choices`` are the candidates' labels (for a choice); ``condition`` names the parent
    choice and candidate that activate it ("act = #1 ({...})"), None when always active.
    """

    index: int
    name: str
    kind: str
    lo: float = 0.0
    hi: float = 0.0
    log: bool = False
    step: int = 1
    choices: tuple = ()
    condition: Optional[str] = None
    parent: Optional[tuple] = None
    inferred: bool = False

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "kind": self.kind, "lo": self.lo,
                "hi": self.hi, "log": self.log, "choices": list(self.choices),
                "condition": self.condition, "inferred": self.inferred}

    def label(self, value: Any) -> Any:
        """What a stored value means: a choice's candidate label, a number as it is."""
        if self.kind == CHOICE and self.choices and isinstance(value, int) and \
                0 <= value < len(self.choices):
            return self.choices[value]
        return value


def _tolerant(node: Any) -> Any:
    """Space JSON with unregistered ``_type`` records replaced by their fields, and unknown
    ``_class``/``_function`` references by their names, so that ``from_json`` can build it."""
    from symsearch.symbolic import registry
    if isinstance(node, list):
        return [_tolerant(v) for v in node]
    if not isinstance(node, dict):
        return node
    type_name = node.get("_type")
    if isinstance(type_name, str):
        try:
            registry.lookup(type_name)
        except ValueError:
            return {k: _tolerant(v) for k, v in node.items() if k != "_type"}
    for key in ("_class", "_function"):
        if isinstance(node.get(key), str) and len(node) == 1:
            try:
                registry.lookup(node[key])
            except ValueError:
                return node[key]
    return {k: _tolerant(v) for k, v in node.items()}


def stored_spec(space_json: Optional[str]) -> Optional[Any]:
    """The DNASpec of a stored space, or None when it cannot be rebuilt here."""
    if not space_json:
        return None
    import symsearch as ss
    try:
        space = ss.from_json(_tolerant(json.loads(space_json)))
        spec = ss.dna_spec(space)
    except Exception:       # a space this process cannot build: fall back to inference
        return None
    return spec if len(spec.decisions) else None


def decision_columns(spec: Optional[Any], dnas: list) -> list:
    """DecisionColumns of ``spec``, or inferred from ``dnas`` (stored DNA lists) without one.
    Custom (``evolve``) decisions are left out: their values are programs, not points on an
    axis."""
    if spec is None:
        return inferred_decisions(dnas)
    decisions = spec.decisions
    columns = []
    for d in decisions:
        if d.kind not in (CHOICE, FLOAT, INT):
            continue
        name = d.name or d.path or f"#{d.index}"
        condition = parent = None
        if d.condition is not None:
            parent_index, candidate = d.condition
            p = decisions[parent_index]
            label = _choice_label(candidate, p.literals[candidate]) \
                if candidate < len(p.literals) else f"#{candidate}"
            condition = f"{p.name or p.path} = {label}"
            parent = (parent_index, candidate)
        columns.append(DecisionColumn(
            index=d.index, name=name, kind=d.kind, lo=float(d.lo), hi=float(d.hi),
            log=d.scale == "log", step=int(d.step or 1),
            choices=tuple(_choice_label(i, c) for i, c in enumerate(d.literals))
            if d.kind == CHOICE else (),
            condition=condition, parent=parent))
    _unique_names(columns)
    return columns


def _choice_label(position: int, literal: Any) -> str:
    """A candidate's label: a plain value as it is, anything else (a sub-space, an object)
    as ``#i`` and the start of its text."""
    if isinstance(literal, (str, int, float, bool)) and not (
            isinstance(literal, str) and literal[:1] in "{[(" and len(literal) > 12):
        return _short(literal)
    return f"#{position} {_short(literal, 14)}"


def _short(value: Any, limit: int = 24) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _unique_names(columns: list) -> None:
    seen: dict = {}
    for c in columns:
        if c.name in seen:
            c.name = f"{c.name} (#{c.index})"
        seen[c.name] = c


def inferred_decisions(dnas: list) -> list:
    """Columns for the DNA positions that hold numbers or strings in every trial that has
    them; named ``#i``. Integers are read as ordered values, strings as choices."""
    width = max((len(d) for d in dnas), default=0)
    columns = []
    for i in range(width):
        seen = [d[i] for d in dnas if i < len(d) and d[i] is not None]
        if not seen:
            continue
        if all(isinstance(v, str) for v in seen):
            columns.append(DecisionColumn(i, f"#{i}", CHOICE, choices=tuple(sorted(set(seen))),
                                          inferred=True))
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen):
            kind = INT if all(isinstance(v, int) for v in seen) else FLOAT
            lo, hi = float(min(seen)), float(max(seen))
            columns.append(DecisionColumn(i, f"#{i}", kind, lo=lo, hi=hi if hi > lo else lo + 1,
                                          inferred=True))
    return columns


def value_of(column: DecisionColumn, dna: list) -> Any:
    """A trial's value for a column (None when inactive or not a plain value)."""
    if column.index >= len(dna):
        return None
    value = dna[column.index]
    if column.inferred and column.kind == CHOICE:
        return column.choices.index(value) if value in column.choices else None
    if column.kind == CHOICE:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


@dataclass
class DecisionTable:
    """Columns plus, per scored trial, its id, objective values and decision values."""

    columns: list
    ids: list = field(default_factory=list)
    objective_values: list = field(default_factory=list)   # tuples, one per trial
    values: list = field(default_factory=list)              # lists, one per trial

    def column(self, name: str) -> DecisionColumn:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"no decision named {name!r}; decisions are "
                       f"{[c.name for c in self.columns]}")

    def column_values(self, position: int) -> list:
        return [row[position] for row in self.values]
