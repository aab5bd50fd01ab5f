"""The ``symsearch`` command and the YAML experiment schema.

>>> from symsearch.cli import main
>>> main(["run", "experiments/quickstart.yaml", "--trials", "5"])   # doctest: +SKIP
0
"""
from symsearch.cli.main import main

__all__ = ["main"]
