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
