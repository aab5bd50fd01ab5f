"""``HyperValue``: a value left undecided in a search space.

Hyper-values are symbolic objects themselves, so a search space is an ordinary
symbolic tree: it can be printed, hashed, rebound and saved to YAML like a candidate.
Inside a function running under a define-by-run context (see
:mod:`symsearch.hyper.dynamic`), the factory functions (``oneof``...) return a decided
value instead of a hyper-value.
"""
from __future__ import annotations

from typing import Any, Optional

from symsearch.symbolic.object import Object


class HyperValue(Object):
    """Base class of ``OneOf``, ``ManyOf``, ``Float``, ``Int`` and ``Evolve``."""

    name: Optional[str] = None
    _sym_hide_default_fields = ("name",)

    def _on_bound(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name):
            raise ValueError(f"{self._display()}: name must be a non-empty string, "
                             f"got {self.name!r}")
        self._check()

    def _check(self) -> None:
        """Raises ValueError when the definition is invalid (called at definition)."""

    def _display(self) -> str:
        return type(self)._sym_display_name

    def default_value(self) -> Any:
        """The value used when a define-by-run function is traced without a decision."""
        raise NotImplementedError


def dynamic_or(hyper: HyperValue) -> Any:
    """Returns a decided value inside a define-by-run context, else the hyper-value."""
    from symsearch.hyper.dynamic import current_context
    ctx = current_context()
    if ctx is None:
        return hyper
    return ctx.decide(hyper)
