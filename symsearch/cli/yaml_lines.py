"""YAML loading that keeps line numbers, so errors can say where a value came from.

``load_yaml`` is ``yaml.safe_load`` (same tags, nothing executed), except that mappings come
back as :class:`LineDict` and sequences as :class:`LineList`, which remember the line of each
key or item. Duplicate keys, which plain PyYAML silently collapses, are an error, and
``1e-3`` is read as a float (YAML 1.2) rather than the string PyYAML 1.1 makes of it.

>>> doc = load_yaml("name: demo\\nbudget:\\n  trials: 10\\n", "x.yaml")
>>> doc.lines["budget"], doc["budget"].lines["trials"]
(2, 3)
"""
from __future__ import annotations

import re
from typing import Any, Optional

import yaml

from symsearch.cli.errors import ConfigError


class LineDict(dict):
    """A dict from YAML; ``line`` is where it starts, ``lines[key]`` where each key is."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A list from YAML; ``line`` is where it starts, ``lines[i]`` where item ``i`` is."""

    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line of ``container[key]`` when the container came from :func:`load_yaml`."""
    finder = getattr(container, "line_of", None)
    return finder(key) if finder is not None else default


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember their lines."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "found an unhashable key", key_node.start_mark) from None
        line = key_node.start_mark.line + 1
        if key in data:
            raise _DuplicateKey(key, line, data.lines[key])
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    for item_node in node.value:
        data.append(loader.construct_object(item_node, deep=True))
        data.lines.append(item_node.start_mark.line + 1)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first_line: int):
        super().__init__(key, line, first_line)
        self.key, self.line, self.first_line = key, line, first_line


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# YAML 1.2 floats without a dot (1e-3, 2E+5), which YAML 1.1 leaves as strings.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"))


def load_yaml(text: str, file: Optional[str] = None) -> Any:
    """Parses YAML text; ConfigError naming file and line on a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as e:
        raise ConfigError(f"duplicate key (first given on line {e.first_line})", file, e.line,
                          str(e.key)) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = e.problem or e.context or "invalid YAML"
        if e.context and e.problem and e.context not in problem:
            problem = f"{problem} ({e.context})"
        column = f" (column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"invalid YAML: {problem}{column}", file, line) from None
    except yaml.YAMLError as e:
        raise ConfigError(f"invalid YAML: {e}", file) from None


def load_yaml_file(path: str) -> Any:
    """Reads and parses a YAML file; UserError-style errors for missing or unreadable files."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError("no such file", path) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, not an experiment file", path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the file: {e}", path) from None
    return load_yaml(text, path)
