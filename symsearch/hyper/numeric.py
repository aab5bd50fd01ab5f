"""Numeric decisions: ``floatv`` and ``intv``, on a linear or log scale.

>>> floatv(1e-5, 1e-1, scale="log")
floatv(lo=1e-05, hi=0.1, scale='log')
>>> intv(32, 512, step=32).hi
512
"""
from __future__ import annotations

import math
from typing import Any, Optional

from symsearch.hyper.base import HyperValue, dynamic_or

SCALES = ("linear", "log")


class Float(HyperValue, type_name="floatv"):
    """A real value in ``[lo, hi]``."""

    _sym_display_name = "floatv"
    lo: float
    hi: float
    scale: str = "linear"

    def _check(self) -> None:
        _check_bounds("floatv", self.lo, self.hi, self.scale, (int, float))

    def default_value(self) -> float:
        return float(self.lo)


class Int(HyperValue, type_name="intv"):
    """An integer in ``[lo, hi]`` on the grid ``lo, lo+step, ...``."""

    _sym_display_name = "intv"
    lo: int
    hi: int
    step: int = 1
    scale: str = "linear"

    def _check(self) -> None:
        _check_bounds("intv", self.lo, self.hi, self.scale, (int,), allow_equal=True)
        if not isinstance(self.step, int) or self.step < 1:
            raise ValueError(f"intv(lo={self.lo}, hi={self.hi}): step must be a positive "
                             f"int, got {self.step!r}")
        if (self.hi - self.lo) % self.step:
            raise ValueError(f"intv(lo={self.lo}, hi={self.hi}, step={self.step}): hi - lo "
                             f"must be a multiple of step")

    @property
    def num_values(self) -> int:
        return (self.hi - self.lo) // self.step + 1

    def default_value(self) -> int:
        return int(self.lo)


def _check_bounds(kind, lo, hi, scale, types, allow_equal=False) -> None:
    what = "an int" if types == (int,) else "a number"
    for label, v in (("lo", lo), ("hi", hi)):
        if not isinstance(v, types) or isinstance(v, bool):
            raise ValueError(f"{kind}: {label} must be {what}, got {v!r}")
        if not math.isfinite(v):
            raise ValueError(f"{kind}: {label} must be finite, got {v!r}")
    if lo > hi or (lo == hi and not allow_equal):
        raise ValueError(f"{kind}(lo={lo}, hi={hi}): lo must be less than hi")
    if scale not in SCALES:
        raise ValueError(f"{kind}(lo={lo}, hi={hi}): scale must be one of {SCALES}, "
                         f"got {scale!r}")
    if scale == "log" and lo <= 0:
        raise ValueError(f"{kind}(lo={lo}, hi={hi}, scale='log'): lo must be > 0 on a "
                         f"log scale")


def floatv(lo: float, hi: float, *, scale: str = "linear", name: Optional[str] = None) -> Any:
    """A float decision in ``[lo, hi]``; ``scale='log'`` samples log-uniformly."""
    return dynamic_or(Float(lo=lo, hi=hi, scale=scale, name=name))


def intv(lo: int, hi: int, *, step: int = 1, scale: str = "linear",
         name: Optional[str] = None) -> Any:
    """An integer decision in ``[lo, hi]`` with the given ``step``."""
    return dynamic_or(Int(lo=lo, hi=hi, step=step, scale=scale, name=name))
