"""The documentation site builds without a warning, with the gallery's plots and every API page."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_embed

pytestmark = pytest.mark.docs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD_COMMAND = "python -m sphinx -W -b html docs docs/_build/html"
EXAMPLES = sorted(path.stem for path in (ROOT / "examples").glob("plot_*.py"))
# The examples that draw with matplotlib; sphinx-gallery shows each figure under its code.
FIGURES = ["plot_01_logistic_embedding_2d", "plot_05_adult_neighbours"]
USER_GUIDE = [
    "fit_decisions",
    "output",
    "inspection",
    "tables",
    "saving",
    "cli",
    "scaling",
    "speed",
]
# What the build writes into the source folder; a copy of a used checkout leaves it out.
GENERATED = shutil.ignore_patterns("_build", "auto_examples", "api", "sg_execution_times.rst")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build a copy of docs/ (and what it reads: examples/, CHANGELOG.md) with -W; the HTML folder."""
    for module in (
        "sphinx",
        "sphinx_gallery",
        "numpydoc",
        "pydata_sphinx_theme",
        "myst_parser",
        "matplotlib",
    ):
        pytest.importorskip(module, reason='the docs extra: pip install -e ".[docs]"')
    work = tmp_path_factory.mktemp("docs")
    shutil.copytree(DOCS, work / "docs", ignore=GENERATED)
    shutil.copytree(ROOT / "examples", work / "examples")
    shutil.copy(ROOT / "CHANGELOG.md", work)
    command = [sys.executable, *BUILD_COMMAND.split()[1:]]
    result = subprocess.run(
        command, cwd=work, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert "WARNING" not in result.stderr, result.stderr[-5000:]
    return work / "docs" / "_build" / "html"


def test_every_example_has_a_gallery_page_and_a_thumbnail(site):
    assert len(EXAMPLES) == 9
    for example in EXAMPLES:
        assert (site / "auto_examples" / f"{example}.html").is_file()
        assert (site / "_images" / f"sphx_glr_{example}_thumb.png").stat().st_size > 1_000


def test_the_gallery_shows_the_plots_the_examples_draw(site):
    for example in FIGURES:
        image = f"sphx_glr_{example}_001.png"
        assert (site / "_images" / image).stat().st_size > 5_000
        assert image in (site / "auto_examples" / f"{example}.html").read_text()


def test_every_public_name_has_an_api_page(site):
    names = [name for name in sklearn_embed.__all__ if name != "__version__"]
    for name in names:
        assert (site / "api" / "generated" / f"sklearn_embed.{name}.html").is_file(), name


def test_the_encoder_page_documents_its_public_methods(site):
    page = (site / "api" / "generated" / "sklearn_embed.EmbeddingEncoder.html").read_text()
    for method in (
        "fit",
        "partial_fit",
        "transform",
        "fit_transform",
        "get_feature_names_out",
        "get_embeddings",
        "most_similar",
        "plot_embeddings",
        "save",
        "load",
        "score",
    ):
        assert f'id="sklearn_embed.EmbeddingEncoder.{method}"' in page, method


def test_the_user_guide_changelog_and_install_pages_are_built(site):
    for page in USER_GUIDE:
        assert (site / "user_guide" / f"{page}.html").is_file(), page
    assert "Changelog" in (site / "changelog.html").read_text()
    assert (site / "install.html").is_file()
    assert (site / "_images" / "adult_occupation_embeddings.png").is_file()
    # The inspection page shows the animation example 1 writes while the gallery runs.
    assert (site / "_images" / "example1_embeddings.gif").stat().st_size > 5_000


def test_the_build_command_is_the_documented_one():
    assert BUILD_COMMAND in (DOCS / "README.md").read_text()
    assert BUILD_COMMAND in (DOCS / "development.md").read_text()


def test_the_front_page_example_runs():
    pytest.importorskip("sklearn_embed")
    front_page = (DOCS / "index.md").read_text()
    example = re.findall(r"```python\n(.*?)```", front_page, flags=re.DOTALL)[0]
    namespace = {}
    exec(compile(example, "docs/index.md", "exec"), namespace)
    enc, model, X, y = (namespace[name] for name in ("enc", "model", "X", "y"))
    assert list(enc.get_feature_names_out()[:2]) == ["age", "workclass_emb0"]
    assert len(enc.most_similar("occupation", "Exec-managerial", n=3)) == 3
    assert model.score(X, y) > 0.8
