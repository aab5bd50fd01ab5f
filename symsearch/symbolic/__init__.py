"""Symbolic programming: mutable, hashable, serializable object trees."""
from symsearch.symbolic.base import MISSING, Symbolic, walk
from symsearch.symbolic.dict import Dict
from symsearch.symbolic.functor import Functor, symbolize
from symsearch.symbolic.hashing import sym_digest, sym_hash
from symsearch.symbolic.keypath import format_path, parse_path
from symsearch.symbolic.list import List
from symsearch.symbolic.object import Object
from symsearch.symbolic.ops import clone, eq, missing_values, ne, query
from symsearch.symbolic.record import Record
from symsearch.symbolic.registry import allow, register
from symsearch.symbolic.serialization import (from_json, from_json_str, from_yaml, load, save,
                                              to_json, to_json_str, to_yaml)
from symsearch.symbolic.validation import Range
from symsearch.symbolic.wrapper import ClassWrapper

__all__ = [
    "MISSING", "Symbolic", "walk", "Dict", "List", "Functor", "symbolize", "sym_digest",
    "sym_hash", "format_path", "parse_path", "Object", "clone", "eq", "ne", "missing_values",
    "query", "Record", "allow", "register", "from_json", "from_json_str", "from_yaml", "load",
    "save", "to_json", "to_json_str", "to_yaml", "Range", "ClassWrapper",
]
