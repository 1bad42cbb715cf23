"""Similarity queries, plots and the embedding animation."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_embed import EmbeddingEncoder, animate_embeddings
from sklearn_embed._plotting import project_2d
from sklearn_embed._similarity import nearest_categories

matplotlib = pytest.importorskip("matplotlib", reason='in the test extra: pip install -e ".[test]"')
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def fitted():
    X = pd.DataFrame({"c": ["a", "b", "c", None] * 50, "n": np.arange(200.0)})
    y = [1, 1, 0, 0] * 50
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        enc = EmbeddingEncoder(embedding_dim=3, random_state=0, max_iter=30, record_embeddings=True)
        return enc.fit(X, y), X, y


def test_nearest_categories_by_hand():
    table = pd.DataFrame(
        [[1.0, 0.0], [2.0, 0.1], [0.0, 1.0], [-1.0, 0.0]], index=pd.Index(list("abcd"), name="col")
    )
    cosine = nearest_categories(table, "a", n=3)
    centred = table.to_numpy() - table.to_numpy().mean(axis=0)  # mean (0.5, 0.275)
    a = centred[0]
    expected = [1 - a @ v / (np.linalg.norm(a) * np.linalg.norm(v)) for v in centred[1:]]
    order = np.argsort(expected)
    assert cosine["category"].tolist() == list(np.array(["b", "c", "d"])[order])
    np.testing.assert_allclose(cosine["distance"], np.array(expected)[order])
    # A shift shared by every vector changes nothing.
    np.testing.assert_allclose(
        nearest_categories(table + 5.0, "a", n=3)["distance"], cosine["distance"]
    )
    euclidean = nearest_categories(table, "a", n=2, metric="euclidean")
    assert euclidean["category"].tolist() == ["b", "c"]
    np.testing.assert_allclose(euclidean["distance"], [np.hypot(1, 0.1), np.sqrt(2)])


def test_most_similar_on_a_fitted_encoder(fitted):
    enc, _, _ = fitted
    result = enc.most_similar("c", "a", n=5)
    assert result.columns.tolist() == ["category", "distance"]
    assert result["category"].iloc[0] == "b"  # same label as "a"
    assert len(result) == 3  # b, c and the missing category: all but the query
    assert (np.diff(result["distance"]) >= 0).all()
    missing = enc.most_similar("c", None, n=1, metric="euclidean")
    assert missing["category"].iloc[0] == "c"  # the other label-0 category


def test_most_similar_errors(fitted):
    enc, _, _ = fitted
    with pytest.raises(KeyError, match="Category 'zz' has no vector in column 'c'"):
        enc.most_similar("c", "zz")
    with pytest.raises(ValueError, match="metric must be one of"):
        enc.most_similar("c", "a", metric="manhattan")
    with pytest.raises(ValueError, match="'n' is not embedded"):
        enc.most_similar("n", 1.0)


def test_project_2d_keeps_two_dims_and_reduces_more():
    rng = np.random.RandomState(0)
    flat = np.column_stack([rng.normal(size=50) * 10, rng.normal(size=50), np.zeros(50)])
    xy, explained = project_2d(flat)
    assert xy.shape == (50, 2) and explained[0] > 0.95
    same, none = project_2d(flat[:, :2])
    assert none is None and np.array_equal(same, flat[:, :2])


def test_plot_embeddings_draws_every_category_coloured_by_target(fitted):
    enc, _, _ = fitted
    ax = enc.plot_embeddings("c")
    points = ax.collections[0]
    assert len(points.get_offsets()) == 4
    np.testing.assert_allclose(points.get_array(), [1, 1, 0, 0])  # share of class 1
    assert {t.get_text() for t in ax.texts} == {"a", "b", "c", "nan"}
    assert "share of class 1" in ax.figure.axes[-1].get_ylabel()


def test_plot_training_curves(fitted):
    enc, _, _ = fitted
    ax = enc.plot_training()
    train_line, validation_line = ax.lines[:2]
    np.testing.assert_allclose(train_line.get_ydata(), enc.loss_curve_)
    np.testing.assert_allclose(validation_line.get_ydata(), -np.array(enc.validation_scores_))


def test_record_embeddings_and_animation(fitted, tmp_path):
    enc, _, _ = fitted
    history = enc.embedding_history_[0]
    assert history.shape == (enc.n_iter_ + 1, 5, 3)
    assert not np.allclose(history[0], history[-1])
    path = animate_embeddings(enc, "c", tmp_path / "moving.gif", fps=20)
    from PIL import Image

    with Image.open(path) as gif:
        assert gif.n_frames == enc.n_iter_ + 1


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # few epochs on purpose
def test_animation_needs_recorded_history(fitted):
    enc, X, y = fitted
    plain = EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(plain, "embedding_history_")
    with pytest.raises(ValueError, match="record_embeddings=True"):
        animate_embeddings(plain, "c", "unused.gif")


def test_package_imports_and_plot_explains_without_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.pyplot'] = None\n"
        "import pandas as pd, warnings; warnings.simplefilter('ignore')\n"
        "from sklearn_embed import EmbeddingEncoder\n"
        "X = pd.DataFrame({'c': ['a', 'b'] * 10})\n"
        "enc = EmbeddingEncoder(max_iter=2).fit(X, [0, 1] * 10)\n"
        "try:\n    enc.plot_embeddings('c')\n"
        "except ImportError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install 'sklearn-embed[plot]'" in result.stdout


# ------------------------------------------------------------ issue 29: labels that do not overlap


@pytest.fixture(scope="module")
def adult_crowded():
    """The bundled Adult sample fitted so that every country is a point: a crowded plot."""
    from sklearn_embed import load_adult_sample

    X, y = load_adult_sample()
    return EmbeddingEncoder(smooth=0, min_frequency=1, random_state=0).fit(X, y)


@pytest.mark.parametrize("column, n_points", [("occupation", 15), ("native-country", 40)])
def test_the_labels_of_the_adult_plots_cover_no_label_and_no_point(adult_crowded, column, n_points):
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox

    ax = adult_crowded.plot_embeddings(column)
    ax.figure.canvas.draw()
    labels = [text.get_window_extent() for text in ax.texts]
    points = ax.collections[0]
    assert len(points.get_offsets()) == n_points
    assert len(labels) >= min(n_points, 20) * 2 // 3  # the crowded ones are left out
    for i, box in enumerate(labels):
        assert not any(box.overlaps(other) for other in labels[i + 1 :])
        assert ax.get_window_extent().contains(box.x0, box.y0)
        assert ax.get_window_extent().contains(box.x1, box.y1)
    centres = ax.transData.transform(points.get_offsets())
    radii = np.sqrt(points.get_sizes()) / 2 * ax.figure.dpi / 72
    for (x, y), r in zip(centres, radii):
        marker = Bbox.from_extents(x - r, y - r, x + r, y + r)
        assert not any(box.overlaps(marker) for box in labels)
    plt.close(ax.figure)


def test_the_most_frequent_categories_are_labelled_first(adult_crowded):
    import matplotlib.pyplot as plt

    ax = adult_crowded.plot_embeddings("native-country", n_labels=3)
    assert [text.get_text() for text in ax.texts] == ["United-States", "Mexico", "nan"]
    plt.close(ax.figure)
