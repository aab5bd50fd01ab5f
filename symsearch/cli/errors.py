"""Errors the ``symsearch`` command reports as ``symsearch: error: <message>`` (exit code 2).

A :class:`UserError` is a mistake the user can fix (a bad YAML file, a reference that does
not import, a store that already exists); the command prints it without a traceback.
:class:`ConfigError` also says where in which file the mistake is::

    experiments/x.yaml:12: key 'budget.trials': expected a positive int, got 'ten'
"""
from __future__ import annotations

from typing import Optional


class UserError(Exception):
    """A mistake in what the user gave the command; printed without a traceback."""


class ConfigError(UserError):
    """A mistake in an experiment file, located by file, line and key path."""

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None,
                 key: Optional[str] = None):
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(self._text())

    def _text(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        key = f"key '{self.key}': " if self.key else ""
        return f"{where}{key}{self.message}"
