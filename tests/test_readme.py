"""README's code blocks run as written, and its set-up commands name real files."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", read("README.md"), re.S)
    assert len(blocks) >= 2
    namespace = {"__name__": "readme_tour"}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert "DNASpec" in capsys.readouterr().out


def test_setup_commands_point_at_existing_files():
    text = read("README.md")
    assert 'pip install -e ".[examples]" && symsearch run experiments/quickstart.yaml' in text
    assert "bash scripts/test.sh" in text
    assert os.path.exists(os.path.join(ROOT, "experiments", "quickstart.yaml"))
    assert "scripts/test.sh" in read(".ci/run")


def test_readme_links_the_architecture_in_the_repository():
    text = read("README.md")
    assert "../shared" not in text and "shared/DESIGN" not in text
    assert "docs/architecture.md" in text
    architecture = read(os.path.join("docs", "architecture.md"))
    assert "../shared" not in architecture
    for component in ("Optuna", "Ray", "SQLite", "Numba", "PyTorch", "NetworkX", "PyYAML"):
        assert component in architecture, component
    for step in ("Propose", "Materialize", "Hash", "Cache", "Runner", "Store", "Feedback"):
        assert f"**{step}.**" in architecture, step
    assert "lease" in architecture and "Resume" in architecture


def test_trust_model_is_written_down():
    for name in ("README.md", os.path.join("experiments", "README.md")):
        text = " ".join(read(name).split())
        assert "experiment file is code" in text.lower() or "experiment yaml is code" in \
            text.lower(), name
        assert "os:system" in text and "import_modules=True" in text, name


def test_readme_says_which_extra_each_experiment_needs():
    text = " ".join(read("README.md").split())
    assert '`asha_digits.yaml` needs `pip install "symsearch[torch]"`' in text
    assert '`bayesian_hpo.yaml`' in text and '"symsearch[optuna]"' in text
    assert 'This example needs PyTorch (`pip install "symsearch[torch]"`' in text
    assert "Numba" in text and "slower NumPy path" in text
    experiments = read(os.path.join("experiments", "README.md"))
    for name in ("asha_digits.yaml", "bayesian_hpo.yaml", "cash_digits.yaml",
                 "pruning_metric.yaml", "lion_discovery.yaml"):
        rows = [line for line in experiments.splitlines()
                if line.startswith("|") and name in line and "symsearch[" in line]
        assert rows, name
