"""Structural and functional hashing, and the evaluation cache (``ss.cache``).

>>> import symsearch as ss
>>> hasher = ss.cache.FunctionalHasher()
>>> hasher.hash(lambda x: x * 2.0) == hasher.hash(lambda x: x + x)
True
"""
from symsearch.cache.adapters import find_adapter, register_adapter, unregister_adapter
from symsearch.cache.eval_cache import CacheLookup, EvalCache
from symsearch.cache.hasher import FunctionalHasher, UnsupportedCandidate
from symsearch.cache.probes import ProbeInput, ProbeSet
from symsearch.cache.quantize import quantize_array, quantize_bytes

__all__ = ["EvalCache", "CacheLookup", "FunctionalHasher", "ProbeSet", "ProbeInput",
           "UnsupportedCandidate", "register_adapter", "unregister_adapter", "find_adapter",
           "quantize_array", "quantize_bytes"]
