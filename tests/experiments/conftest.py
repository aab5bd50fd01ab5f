import sys

import pytest


@pytest.fixture(autouse=True)
def restore_sys_path():
    """`symsearch run` puts the current and the experiment's folder on sys.path; undo it."""
    saved = list(sys.path)
    yield
    sys.path[:] = saved
