"""``python -m symsearch``: the same as the ``symsearch`` command."""
import sys

from symsearch.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
