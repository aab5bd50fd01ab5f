"""``DNA``: the decisions of one candidate, as a plain tuple.

One value per decision of the :class:`~symsearch.geno.spec.DNASpec`, in the spec's
order: a candidate index (``int``) for choices, a ``float``/``int`` for numeric
decisions, the user's value for ``evolve`` decisions, ``None`` where the decision is
inactive (an unchosen conditional branch). Being a tuple, DNA is cheap to build,
compare and use as a dict key.

>>> dna = DNA((1, 0.5, None))
>>> dna[0], dna.stable_hash() == DNA((1, 0.5, None)).stable_hash()
(1, True)
"""
from __future__ import annotations

from typing import Any


class DNA(tuple):
    """An immutable tuple of decision values (see the module docstring)."""

    __slots__ = ()

    def stable_hash(self) -> str:
        """A hex digest that is the same in every process (unlike ``hash()`` of strs)."""
        from symsearch.symbolic.hashing import sym_hash
        return sym_hash(tuple(self))

    def to_dict(self, spec, key: str = "path", value: str = "index") -> dict:
        """``{decision key: value}`` for the active decisions.

        ``key`` is ``"path"`` or ``"name"`` (falls back to the path for unnamed
        decisions; the slots of a ``manyof`` named ``ops`` are ``ops[0]``, ``ops[1]``...);
        ``value="literal"`` gives a choice's candidate instead of its index (plain
        scalars as they are, other candidates as compact text).
        """
        if key not in ("path", "name"):
            raise ValueError(f"key must be 'path' or 'name', got {key!r}")
        if value not in ("index", "literal"):
            raise ValueError(f"value must be 'index' or 'literal', got {value!r}")
        out = {}
        for i in spec.active_indices(self):
            d = spec.decisions[i]
            k = (d.name or d.path) if key == "name" else d.path
            v = self[i]
            if value == "literal" and d.kind == "choice" and v is not None:
                v = d.literals[v]
            out[k] = v
        return out

    def to_list(self) -> list:
        return list(self)

    def __repr__(self) -> str:
        return f"DNA({tuple.__repr__(self)})"

    def __reduce__(self):
        return (DNA, (tuple(self),))


def as_dna(values: Any) -> DNA:
    return values if type(values) is DNA else DNA(values)
