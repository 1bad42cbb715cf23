"""The README's commands and example stay true."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _bash_blocks():
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command():
    test_command = 'pip install -e ".[test]" && python -m pytest'
    assert test_command in [block.strip() for block in _bash_blocks()]
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_readme_demo_command():
    assert "pip install . && python -m sklearn_embed" in [b.strip() for b in _bash_blocks()]


def test_readme_python_example_runs():
    pytest.importorskip("sklearn_embed")
    example = re.findall(r"```python\n(.*?)```", README, flags=re.S)[0]
    namespace = {}
    exec(compile(example, "README.md", "exec"), namespace)
    enc = namespace["enc"]
    assert enc.get_embeddings("occupation").shape[1] == enc.embedding_dims_["occupation"]
    assert list(enc.get_feature_names_out()[:2]) == ["age", "workclass_emb0"]
    assert len(enc.most_similar("occupation", "Exec-managerial", n=3)) == 3


@pytest.mark.slow
def test_readme_grid_search_recipe_runs_after_the_example():
    # Nine fits of the pipeline and a refit on the Adult sample: marked slow.
    use, search = re.findall(r"```python\n(.*?)```", README, flags=re.S)[:2]
    namespace = {}
    exec(compile(use + search, "README.md", "exec"), namespace)
    chosen = namespace["search"].best_params_["embeddingencoder__output"]
    assert chosen in ("vectors", "vectors+prediction", "prediction")
    assert 0.85 < namespace["search"].best_score_ < 1  # ROC AUC on the Adult sample


def test_ci_also_runs_every_suite_the_quick_command_leaves_out():
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    left_out = re.search(r"-m '(not \((.*?)\))'", options["addopts"])[2]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f'python -m pytest -m "{left_out}"' in ci.splitlines()
    registered = {marker.split(":")[0] for marker in options["markers"]}
    assert set(left_out.split(" or ")) == registered


def test_readme_says_what_the_quick_suite_leaves_out_and_the_command_that_runs_it():
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    left_out = re.search(r"-m '(not \((.*?)\))'", options["addopts"])[2]
    for marker in left_out.split(" or "):
        assert f"`{marker}`" in README, marker
    command = f'python -m pytest -m "{left_out}"'
    assert any(block.strip().endswith(command) for block in _bash_blocks())
