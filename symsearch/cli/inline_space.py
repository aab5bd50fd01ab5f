"""Search spaces written directly in an experiment file.

A mapping with one of these keys is a hyper-value (the other keys are its options)::

    {oneof: [a, b, c]}                            ss.oneof([a, b, c])
    {manyof: {k: 2, candidates: [a, b, c]}}       ss.manyof(2, [a, b, c])
    {permutate: [a, b, c]}                        ss.permutate([a, b, c])
    {floatv: [1e-4, 1e-1], scale: log}            ss.floatv(1e-4, 1e-1, scale="log")
    {intv: [1, 8], step: 1}                       ss.intv(1, 8, step=1)

every one of them also takes ``name:``. A mapping with ``_type`` builds the symbolic class
registered under that name (``symsearch.spaces.sklearn_digits.SVM``; a qualified name imports
its module, ``package.module:Class`` works too) with the other keys as its fields;
``{_tuple: [...]}`` is a tuple. Any other mapping is an ``ss.Dict``, a list an ``ss.List``;
candidates and fields may nest hyper-values to any depth.

>>> from symsearch.cli.yaml_lines import load_yaml
>>> space = build_inline_space(load_yaml("lr: {floatv: [1e-4, 1e-1], scale: log}"), "space")
>>> type(space["lr"]).__name__, space["lr"].scale
('Float', 'log')
"""
from __future__ import annotations

import difflib
import importlib
from typing import Any, Callable, Optional

from symsearch.cli.errors import ConfigError
from symsearch.cli.references import ReferenceLookupError, is_reference, resolve
from symsearch.cli.yaml_lines import line_of

HYPER_KEYS = ("oneof", "manyof", "permutate", "floatv", "intv")
_OPTIONS = {
    "oneof": ("name",),
    "manyof": ("name",),
    "permutate": ("name",),
    "floatv": ("scale", "name"),
    "intv": ("step", "scale", "name"),
}
_MANYOF_KEYS = ("k", "candidates", "distinct", "sorted")


class _Context:
    """Where the space came from, for error messages."""

    def __init__(self, file: Optional[str], default_line: int):
        self.file = file
        self.default_line = default_line

    def error(self, message: str, line: int, path: str) -> ConfigError:
        return ConfigError(message, self.file, line or self.default_line, path)


def build_inline_space(node: Any, path: str = "space", file: Optional[str] = None,
                       line: int = 0) -> Any:
    """The space that ``node`` (parsed YAML) describes; ConfigError naming the key path."""
    return _build(node, path, line, _Context(file, line))


def _build(node: Any, path: str, line: int, ctx: _Context) -> Any:
    import symsearch as ss
    if isinstance(node, dict):
        line = getattr(node, "line", 0) or line
        hyper = [k for k in node if k in HYPER_KEYS]
        if len(hyper) > 1:
            raise ctx.error(f"a hyper-value takes one of {', '.join(HYPER_KEYS)}, got "
                            f"{', '.join(hyper)} together", line, path)
        if hyper:
            return _hyper(node, hyper[0], path, line, ctx)
        if "_type" in node:
            return _symbolic(node, path, line, ctx)
        if "_tuple" in node:
            if len(node) != 1 or not isinstance(node["_tuple"], list):
                raise ctx.error("a tuple is written {_tuple: [items...]} with no other key",
                                line, path)
            items = node["_tuple"]
            return tuple(_build(v, f"{path}[{i}]", line_of(items, i, line), ctx)
                         for i, v in enumerate(items))
        bad = [k for k in node if not isinstance(k, str)]
        if bad:
            raise ctx.error(f"keys of a space mapping must be strings, got {bad[0]!r}",
                            line_of(node, bad[0], line), path)
        return ss.Dict({k: _build(v, f"{path}.{k}", line_of(node, k, line), ctx)
                        for k, v in node.items()})
    if isinstance(node, list):
        line = getattr(node, "line", 0) or line
        return ss.List([_build(v, f"{path}[{i}]", line_of(node, i, line), ctx)
                        for i, v in enumerate(node)])
    return node


def _candidates(value: Any, path: str, line: int, ctx: _Context, what: str) -> list:
    if not isinstance(value, list) or not value:
        raise ctx.error(f"{what} needs a non-empty list of candidates, got {value!r}", line, path)
    return [_build(v, f"{path}[{i}]", line_of(value, i, line), ctx) for i, v in enumerate(value)]


def _hyper(node: dict, kind: str, path: str, line: int, ctx: _Context) -> Any:
    import symsearch as ss
    allowed = (kind,) + _OPTIONS[kind]
    for key in node:
        if key not in allowed:
            raise ctx.error(f"unknown option {key!r} for {kind}; valid options are "
                            f"{', '.join(_OPTIONS[kind])}{_did_you_mean(key, allowed)}",
                            line_of(node, key, line), f"{path}.{key}")
    value = node[kind]
    value_path, value_line = f"{path}.{kind}", line_of(node, kind, line)
    options = {k: v for k, v in node.items() if k != kind}
    factory: Callable
    if kind == "oneof":
        args, factory = (_candidates(value, value_path, value_line, ctx, "oneof"),), ss.oneof
    elif kind == "permutate":
        args, factory = (_candidates(value, value_path, value_line, ctx, "permutate"),), \
            ss.permutate
    elif kind == "manyof":
        if not isinstance(value, dict):
            raise ctx.error(f"manyof is written {{manyof: {{k: 2, candidates: [...]}}}}, got "
                            f"{value!r}", value_line, value_path)
        for key in value:
            if key not in _MANYOF_KEYS:
                raise ctx.error(f"unknown option {key!r} for manyof; valid options are "
                                f"{', '.join(_MANYOF_KEYS)}{_did_you_mean(key, _MANYOF_KEYS)}",
                                line_of(value, key, value_line), f"{value_path}.{key}")
        for key in ("k", "candidates"):
            if key not in value:
                raise ctx.error(f"manyof needs {key!r}", value_line, value_path)
        k = value["k"]
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ctx.error(f"expected a positive int, got {k!r}", line_of(value, "k", value_line),
                            f"{value_path}.k")
        candidates = _candidates(value["candidates"], f"{value_path}.candidates",
                                 line_of(value, "candidates", value_line), ctx, "manyof")
        args, factory = (k, candidates), ss.manyof
        options.update({key: value[key] for key in ("distinct", "sorted") if key in value})
    else:
        numbers = (float, int) if kind == "floatv" else (int,)
        expected = "numbers" if kind == "floatv" else "ints"
        if not (isinstance(value, list) and len(value) == 2 and all(
                isinstance(v, numbers) and not isinstance(v, bool) for v in value)):
            raise ctx.error(f"{kind} is written {{{kind}: [low, high]}} with two {expected}, got "
                            f"{value!r}", value_line, value_path)
        args, factory = tuple(value), getattr(ss, kind)
    try:
        return factory(*args, **options)
    except (TypeError, ValueError) as e:
        raise ctx.error(str(e), line, path) from None


def _symbolic(node: dict, path: str, line: int, ctx: _Context) -> Any:
    name = node["_type"]
    type_line = line_of(node, "_type", line)
    if not isinstance(name, str) or not name:
        raise ctx.error(f"_type must name a registered symbolic class, got {name!r}",
                        type_line, f"{path}._type")
    cls = _lookup_type(name, ctx.error, type_line, f"{path}._type")
    kwargs = {}
    for key, value in node.items():
        if key == "_type":
            continue
        if not isinstance(key, str):
            raise ctx.error(f"field names must be strings, got {key!r}", line_of(node, key, line),
                            path)
        kwargs[key] = _build(value, f"{path}.{key}", line_of(node, key, line), ctx)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError, KeyError) as e:
        message = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
        raise ctx.error(f"cannot build {name}: {message}", line, path) from None


def _lookup_type(name: str, error: Callable, line: int, path: str) -> Any:
    from symsearch.symbolic import registry
    if is_reference(name):
        try:
            return resolve(name)
        except ReferenceLookupError as e:
            raise error(str(e), line, path) from None
    try:
        return registry.lookup(name)
    except ValueError:
        pass
    # A qualified name (module.Class) registers when its module is imported.
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception as e:
            raise error(f"importing '{'.'.join(parts[:cut])}' for _type {name!r} failed: "
                        f"{type(e).__name__}: {e}", line, path) from None
        break
    try:
        return registry.lookup(name)
    except ValueError:
        close = difflib.get_close_matches(name, registry.registered_names(), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else \
            "; use its qualified name (package.module.Class) or package.module:Class"
        raise error(f"unknown symbolic type {name!r}: it is not registered{hint}", line,
                    path) from None


def _did_you_mean(key: Any, valid) -> str:
    close = difflib.get_close_matches(str(key), list(valid), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
