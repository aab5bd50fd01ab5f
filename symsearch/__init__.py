"""symsearch: AutoML and program search built on symbolic programming.

>>> import symsearch as ss
>>> space = ss.Dict(lr=ss.floatv(1e-4, 1e-1, scale="log"), act=ss.oneof(["relu", "gelu"]))
>>> [c["act"] for c in ss.random_sample(space, 3, seed=1)]  # doctest: +SKIP
"""
from symsearch.geno import DNA, Decision, DNASpec, from_vector, iterate_dna, to_vector
from symsearch.hyper import (DynamicCandidate, DynamicSpace, Evolve, Float, HyperValue, Int,
                             ManyOf, OneOf, compiled, dna_spec, encode, evolve, floatv, intv,
                             iterate, manyof, materialize, oneof, permutate, random_dna,
                             random_sample, sampling, trace)
from symsearch.symbolic import (MISSING, ClassWrapper, Dict, Functor, List, Object, Range,
                                Symbolic, allow, clone, eq, format_path, from_json,
                                from_json_str, from_yaml, load, missing_values, ne, parse_path,
                                query, register, save, symbolize, to_json, to_json_str,
                                to_yaml)
from symsearch.search import (ExperimentExistsError, Objectives, Result, Trial, sample,
                              search)
from symsearch.symbolic.hashing import sym_hash
from symsearch.symbolic.hashing import sym_hash as hash  # noqa: A001  (ss.hash, as in PyGlove)

__version__ = "0.1.0"


def format(value, compact: bool = False, indent: int = 2) -> str:  # noqa: A001
    """Readable text for any (symbolic) value."""
    from symsearch.symbolic.formatting import format_value
    return format_value(value, compact=compact, indent=indent)


_LAZY_SUBMODULES = ("algorithms", "spaces", "evaluators", "runners", "store", "cache", "cli",
                    "integrations", "viz", "dashboard")


def __getattr__(name: str):
    # ss.algorithms, ss.runners, ... import on first use, so `import symsearch` stays light
    # (no Ray, Optuna or torch unless asked for).
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module(f"symsearch.{name}")
    if name == "load_experiment":
        from symsearch.store.analysis import load_experiment
        return load_experiment
    raise AttributeError(f"module 'symsearch' has no attribute {name!r}")
