"""Each worked example runs, checks its own claim, and writes its pictures."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))
OUTPUTS = {
    "plot_01_logistic_embedding_2d.py": ["example1_boundary.png", "example1_embeddings.gif"],
    "plot_05_adult_neighbours.py": ["example5_occupation.png"],
    "plot_09_cross_fitting.py": ["example9_cross_fitting.png"],
}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(example, tmp_path):
    pytest.importorskip("matplotlib", reason='in the test extra: pip install -e ".[test]"')
    result = subprocess.run(
        [sys.executable, str(example), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    for name in OUTPUTS.get(example.name, []):
        assert (tmp_path / name).stat().st_size > 5_000


def test_every_example_is_tested():
    assert len(EXAMPLES) == 9
