"""Symbolic classes and evaluators shared by the runner tests.

They live in an importable module, not in the test files, so that Ray worker processes can
import them by name: a symbolic candidate travels to a worker as JSON plus the modules that
define its types, and module-level functions travel by reference.
"""
import os
import time

import symsearch as ss


class Quadratic(ss.Object):
    a: float = 1.0
    b: float = 0.0

    def __call__(self, x: float) -> float:
        return self.a * x * x + self.b


class Plain:
    """Not symbolic: symbolized by a test, the wrapper is not importable under this name."""

    def __init__(self, n: int = 1):
        self.n = n


def square(x):
    return x * x


def describe(candidate):
    """What the worker received: its type and its value at x=2."""
    return type(candidate).__module__, type(candidate).__qualname__, candidate(2.0)


def sleep_for(seconds):
    time.sleep(seconds)
    return seconds


def raise_after_logging(log_path):
    """Appends a line per attempt to ``log_path``, then raises."""
    with open(log_path, "a") as f:
        f.write("attempt\n")
    raise ValueError(f"boom from {os.getpid()}")


def exit_after_logging(log_path):
    """Appends a line per attempt to ``log_path``, then kills its own process."""
    with open(log_path, "a") as f:
        f.write("attempt\n")
    os._exit(1)
