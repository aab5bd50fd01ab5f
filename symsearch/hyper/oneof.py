"""Categorical decisions: ``oneof``, ``manyof`` and ``permutate``.

>>> from symsearch.hyper.oneof import oneof, manyof
>>> oneof(["relu", "gelu"])
oneof(candidates=['relu', 'gelu'])
>>> manyof(2, ["conv", "pool", "skip"], distinct=True).k
2

Candidates may contain hyper-values themselves: a choice then opens a conditional
sub-space that is only decided when that candidate is chosen.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from symsearch.hyper.base import HyperValue, dynamic_or
from symsearch.symbolic.ops import clone


class OneOf(HyperValue, type_name="oneof"):
    """Choose exactly one of ``candidates``."""

    _sym_display_name = "oneof"
    candidates: list

    def _check(self) -> None:
        if not isinstance(self.candidates, list) or len(self.candidates) == 0:
            raise ValueError(f"oneof: candidates must be a non-empty list, got "
                             f"{self.candidates!r}")

    def default_value(self) -> Any:
        return _fresh(self.candidates[0])


class ManyOf(HyperValue, type_name="manyof"):
    """Choose ``k`` of ``candidates`` (a list), optionally distinct and/or sorted."""

    _sym_display_name = "manyof"
    k: int
    candidates: list
    distinct: bool = True
    sorted: bool = False

    def _check(self) -> None:
        if not isinstance(self.candidates, list) or len(self.candidates) == 0:
            raise ValueError(f"manyof: candidates must be a non-empty list, got "
                             f"{self.candidates!r}")
        if not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"manyof: k must be a positive int, got {self.k!r}")
        if self.distinct and self.k > len(self.candidates):
            raise ValueError(f"manyof: cannot choose {self.k} distinct values from "
                             f"{len(self.candidates)} candidates {list(self.candidates)!r}")

    def default_value(self) -> Any:
        if self.distinct:
            return [_fresh(c) for c in self.candidates[:self.k]]
        return [_fresh(self.candidates[0]) for _ in range(self.k)]


def _fresh(value: Any) -> Any:
    """A copy of a candidate (immutable values are returned as they are)."""
    return clone(value)


def oneof(candidates: Sequence[Any], *, name: Optional[str] = None) -> Any:
    """A categorical decision: one of ``candidates``."""
    return dynamic_or(OneOf(candidates=list(candidates), name=name))


def manyof(k: int, candidates: Sequence[Any], *, distinct: bool = True, sorted: bool = False,
           name: Optional[str] = None) -> Any:
    """``k`` choices from ``candidates``; the value is a list of length ``k``."""
    return dynamic_or(ManyOf(k=k, candidates=list(candidates), distinct=distinct,
                             sorted=sorted, name=name))


def permutate(candidates: Sequence[Any], *, name: Optional[str] = None) -> Any:
    """An ordering of all ``candidates`` (``manyof`` with k = len, distinct, unsorted)."""
    candidates = list(candidates)
    return dynamic_or(ManyOf(k=len(candidates), candidates=candidates, distinct=True,
                             sorted=False, name=name))
