"""References from experiment files to Python objects: ``package.module:attr``.

A reference names a module to import and an attribute path inside it, separated by a colon
(``symsearch.spaces.sklearn_digits:space``, ``mypkg.models:MLP.small``). With ``kwargs`` the
object is called (spaces, algorithms) or bound with ``functools.partial`` (evaluators, so the
search calls ``evaluator(candidate, **kwargs)``).

>>> resolve("os.path:join").__name__
'join'
>>> resolve("os:nosuchattr")
Traceback (most recent call last):
...
symsearch.cli.references.ReferenceLookupError: module 'os' has no attribute 'nosuchattr'
"""
from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
import traceback
from typing import Any, Optional

from symsearch.cli.errors import UserError

_REFERENCE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
FORMAT_HINT = "a reference looks like 'package.module:attr'"


class ReferenceLookupError(UserError):
    """A reference that is malformed, does not import, or names a missing attribute.

    ``missing_module`` is the module whose absence made the import fail (a dependency of the
    referenced module, such as ``torch``), or None.
    """

    missing_module: Optional[str] = None


def is_reference(text: Any) -> bool:
    """Whether ``text`` looks like ``package.module:attr``."""
    return isinstance(text, str) and bool(_REFERENCE.match(text.strip()))


def add_import_paths(*folders: Optional[str]) -> None:
    """Puts folders (the current one, the experiment file's) first on ``sys.path``, so a
    reference may name a module that sits beside the experiment. Already-present ones stay."""
    for folder in reversed([f for f in folders if f is not None]):
        folder = os.path.abspath(folder)
        if folder not in (os.path.abspath(p or os.curdir) for p in sys.path):
            sys.path.insert(0, folder)


def resolve(reference: str) -> Any:
    """The object ``reference`` names; ReferenceLookupError saying what failed."""
    if not isinstance(reference, str):
        raise ReferenceLookupError(f"expected a reference string, got {reference!r}; "
                                   f"{FORMAT_HINT}")
    text = reference.strip()
    if not _REFERENCE.match(text):
        hint = ""
        if ":" not in text and "." in text:
            module, _, attr = text.rpartition(".")
            hint = f" (did you mean '{module}:{attr}'?)"
        raise ReferenceLookupError(f"{reference!r} is not a reference; {FORMAT_HINT}{hint}")
    module_name, attr_path = text.split(":", 1)
    module = _import(module_name)
    value: Any = module
    where = f"module '{module_name}'"
    for part in attr_path.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            names = [n for n in dir(value) if not n.startswith("_")]
            close = difflib.get_close_matches(part, names, n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            raise ReferenceLookupError(f"{where} has no attribute '{part}'{hint}") from None
        except Exception as e:  # a property or module __getattr__ that raised
            raise ReferenceLookupError(f"looking up '{part}' in {where} raised "
                                       f"{type(e).__name__}: {e}") from None
        where = f"'{module_name}:{attr_path.split(part)[0]}{part}'"
    return value


def _import(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
            raise ReferenceLookupError(f"cannot import module '{module_name}': no module "
                                       f"named '{e.name}'") from None
        error = ReferenceLookupError(f"importing module '{module_name}' failed: {e}"
                                     f"{_origin(e)}")
        error.missing_module = e.name
        raise error from None
    except Exception as e:  # the module itself raised while importing
        raise ReferenceLookupError(f"importing module '{module_name}' failed: "
                                   f"{type(e).__name__}: {e}{_origin(e)}") from None


def _origin(error: BaseException) -> str:
    """Where in the user's code an import failed (last frame outside importlib)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "importlib" not in f.filename and not f.filename.startswith("<frozen")]
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {last.filename}:{last.lineno})"
