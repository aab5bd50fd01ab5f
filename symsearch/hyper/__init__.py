"""Hyper-values and search-space operations."""
from symsearch.hyper.base import HyperValue
from symsearch.hyper.dynamic import DynamicCandidate, DynamicSpace, sampling, trace
from symsearch.hyper.evolve import Evolve, evolve
from symsearch.hyper.numeric import Float, Int, floatv, intv
from symsearch.hyper.oneof import ManyOf, OneOf, manyof, oneof, permutate
from symsearch.hyper.space import (compiled, dna_spec, encode, iterate, materialize,
                                   random_dna, random_sample)

__all__ = ["HyperValue", "DynamicCandidate", "DynamicSpace", "sampling", "trace", "Evolve",
           "evolve", "Float", "Int", "floatv", "intv", "ManyOf", "OneOf", "manyof", "oneof",
           "permutate", "compiled", "dna_spec", "encode", "iterate", "materialize",
           "random_dna", "random_sample"]
