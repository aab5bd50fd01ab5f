"""``python -m symsearch.cli``: the same as the ``symsearch`` command."""
import sys

from symsearch.cli.main import main

sys.exit(main())
