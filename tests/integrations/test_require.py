"""A missing optional library is an ImportError naming the extra that installs it."""
import importlib
import sys

import pytest

from symsearch.integrations._require import require


def test_require_names_the_extra():
    with pytest.raises(ImportError, match=r'pip install "symsearch\[tune\]"'):
        require("no_such_package_for_symsearch", "tune", feature="SymsearchSearcher")


@pytest.mark.parametrize("module, library, extra", [
    ("symsearch.integrations.ray_tune", "ray.tune.search", "tune"),
    ("symsearch.integrations.lightning", "lightning.pytorch", "lightning"),
    ("symsearch.integrations.transformers", "transformers", "transformers"),
    ("symsearch.integrations.sklearn", "sklearn", "sklearn"),
])
def test_integration_modules_name_their_extra(monkeypatch, module, library, extra):
    monkeypatch.setitem(sys.modules, library, None)        # import of it now fails
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(ImportError, match=rf'pip install "symsearch\[{extra}\]"'):
        importlib.import_module(module)


def test_mlflow_callback_names_its_extra(monkeypatch):
    from symsearch.integrations.mlflow import MlflowCallback
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(ImportError, match=r'pip install "symsearch\[mlflow\]"'):
        MlflowCallback()


def test_import_symsearch_pulls_in_no_integration_library():
    code = ("import sys, symsearch; bad = [m for m in ('torch', 'ray', 'lightning', "
            "'transformers', 'mlflow', 'sklearn') if m in sys.modules]; print(bad)")
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
