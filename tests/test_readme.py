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
    assert f"`{command}`" in README  # inline: the README's set-up commands are its two blocks


# ------------------------------------------------------------------ local links

DOCS = ROOT / "docs"
# What the documentation build writes (the gallery, the API pages): linked from the pages,
# absent from a checkout, and checked by tests/test_docs.py once built.
GENERATED = ("auto_examples", "api")
MARKDOWN = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    ROOT / "CHANGELOG.md",
    *sorted(
        path
        for path in DOCS.rglob("*.md")
        if not {"_build", *GENERATED} & set(path.relative_to(DOCS).parts)
    ),
]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _without_code(text):
    """Markdown without its code blocks and inline code, which hold no links or headings."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))


def _anchors(path):
    """The headings' anchors, as GitHub and MyST (myst_heading_anchors) make them."""
    headings = re.findall(
        r"^#{1,6}\s+(.*)$", re.sub(r"```.*?```", "", path.read_text(), flags=re.S), flags=re.M
    )
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings
    }


def _broken_links(path):
    broken = []
    for target in LINK.findall(_without_code(path.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if set(GENERATED) & set(resolved.relative_to(ROOT).parts[1:2]):
            continue
        if not resolved.exists() or (
            anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved)
        ):
            broken.append(target)
    return broken


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_local_link_resolves(path):
    assert _broken_links(path) == []


def test_the_docs_readme_lists_every_page_and_only_files_that_exist():
    readme = (DOCS / "README.md").read_text()
    layout = readme[readme.index("## Layout") :]
    listed = {
        name.strip("` ")
        for row in re.findall(r"^\| (`[^|]+`) \|", layout, flags=re.M)
        for name in row.split(",")
    }
    assert sorted(name for name in listed if not (DOCS / name).exists()) == []
    pages = {str(path.relative_to(DOCS)) for path in MARKDOWN if DOCS in path.parents}
    assert sorted(pages - listed - {"README.md"}) == []


# ------------------------------------------------------------------ advice a user can reproduce


def test_the_recipes_seed_every_booster():
    """Above 10,000 rows a booster stops early on rows it draws: unseeded, refits differ."""
    unseeded = [
        f"{path.relative_to(ROOT)}: {call}"
        for path in MARKDOWN
        for block in re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)
        for call in re.findall(r"HistGradientBoosting\w+\([^()]*\)", block)
        if "random_state" not in call
    ]
    assert unseeded == []


def test_the_nearest_neighbour_advice_names_uniform_weights():
    advice = README[README.index("**nearest neighbours**") :].split("\n- ")[0]
    assert 'weights="uniform"' in advice
