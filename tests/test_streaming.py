"""partial_fit: one chunk at a time, with every fitted attribute valid after every call."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sklearn_embed import DataWarning, EmbeddingEncoder

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn_embed.DataWarning"),
]


def arriving_ids(n_rows=100_000, n_ids=5_000, seed=0):
    """Rows in time order: row i draws an id among those born by then, so ids keep arriving.

    Each id has an effect on a binary target, with a numeric column and noise.
    """
    rng = np.random.RandomState(seed)
    effect = np.random.RandomState(123).normal(size=n_ids)
    born = np.sort(rng.randint(n_ids, size=n_rows))
    ids = (rng.uniform(size=n_rows) * (born + 1)).astype(int)
    x = rng.normal(size=n_rows)
    y = (effect[ids] + x + rng.normal(size=n_rows) > 0).astype(int)
    return pd.DataFrame({"id": np.char.add("u", ids.astype(str)), "x": x}), y


def _chunks(X, y, n_chunks):
    for rows in np.array_split(np.arange(len(X)), n_chunks):
        yield X.iloc[rows], y[rows]


def test_the_first_call_takes_its_classes_from_classes_or_from_its_chunk():
    X, y = arriving_ids(2_000)
    enc = EmbeddingEncoder(random_state=0).partial_fit(X, y)
    assert enc.classes_.tolist() == [0, 1] and enc.target_type_ == "binary"
    with pytest.raises(
        ValueError, match=r"labels \[2\] that are not in classes \[0, 1\].*classes="
    ):
        enc.partial_fit(X, y + (y == 1))
    enc.partial_fit(X[y == 0], y[y == 0])  # a later chunk may hold one class only
    assert enc.n_iter_ == 2
    one_class = EmbeddingEncoder(random_state=0)
    with pytest.raises(ValueError, match="only one class.*pass classes"):
        one_class.partial_fit(X[y == 0], y[y == 0])
    assert not hasattr(one_class, "categories_") and not hasattr(one_class, "n_features_in_")
    one_class.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    assert one_class.classes_.tolist() == [0, 1]


def test_every_fitted_attribute_is_valid_after_every_call():
    X, y = arriving_ids(6_000, n_ids=300)
    enc = EmbeddingEncoder(random_state=0)
    seen = 0
    for k, (X_chunk, y_chunk) in enumerate(_chunks(X, y, 3), start=1):
        enc.partial_fit(X_chunk, y_chunk, classes=[0, 1])
        seen += len(X_chunk)
        table, counts = enc.embeddings_[0], enc.category_counts_[0]
        assert enc.n_iter_ == len(enc.loss_curve_) == k
        assert table.shape == (len(enc.categories_[0]) + 1, enc.embedding_dims_["id"])
        assert counts.shape == enc.category_target_means_[0].shape == (len(table),)
        assert counts.sum() == pytest.approx(seen)  # weights have mean 1 in every chunk
        assert np.isfinite(table).all() and enc.smooth_["id"] > 0
        assert enc.validation_scores_ is None and enc.best_validation_score_ is None
        out = enc.transform(X_chunk)
        assert out.shape == (len(X_chunk), enc.embedding_dims_["id"] + 1)
    # Ids that arrived after the first chunk got rows of their own.
    first = set(X["id"].iloc[:2_000])
    assert set(enc.categories_[0]) - first
    assert set(enc.categories_[0]) | set(enc.infrequent_categories_[0]) == set(X["id"])


def test_the_first_call_estimates_smooth_as_fit_does():
    X, y = arriving_ids(5_000, n_ids=400)
    partial = EmbeddingEncoder(random_state=0).partial_fit(X, y, classes=[0, 1])
    full = EmbeddingEncoder(random_state=0).fit(X, y)
    assert partial.smooth_["id"] == pytest.approx(full.smooth_["id"], rel=1e-9)
    assert partial.categories_[0].tolist() == full.categories_[0].tolist()


def test_a_new_category_gets_a_row_once_frequent_enough_starting_at_unknown():
    rng = np.random.RandomState(0)
    shops = rng.choice(list("abcd"), 2_000)
    y = np.isin(shops, ["a", "b"]).astype(int) ^ (rng.uniform(size=2_000) < 0.1)
    X = pd.DataFrame({"shop": shops})
    # A small step, so that "a few steps from the unknown vector" is measurable.
    enc = EmbeddingEncoder(
        smooth=5.0, record_embeddings=True, learning_rate_init=1e-3, random_state=0
    )
    enc.partial_fit(X, y, classes=[0, 1])
    unknown = enc.embeddings_[0][-1].copy()  # never shrunk
    enc.partial_fit(pd.DataFrame({"shop": ["new"] * 3 + ["a"] * 97}), np.r_[[1] * 3, [1] * 97])
    assert "new" not in enc.categories_[0] and "new" in enc.infrequent_categories_[0]
    enc.partial_fit(pd.DataFrame({"shop": ["new"] * 3 + ["b"] * 97}), np.r_[[1] * 3, [1] * 97])
    assert "new" in enc.categories_[0] and "new" not in enc.infrequent_categories_[0]
    row = enc.categories_[0].tolist().index("new")
    assert enc.category_counts_[0][row] == pytest.approx(6, rel=0.05)  # its history came along
    # It started at the unknown vector and moved only a few steps from there: undo the
    # shrinkage, e <- unknown + n / (n + m) (e - unknown), to see the vector as trained.
    n, m = enc.category_counts_[0][row], enc.smooth_["shop"]
    trained = (
        enc.embeddings_[0][-1] + (enc.embeddings_[0][row] - enc.embeddings_[0][-1]) * (n + m) / n
    )
    assert np.abs(trained - unknown).max() < 0.05


def test_a_continuous_target_keeps_the_first_chunks_scale():
    X, _ = arriving_ids(4_000, n_ids=100)
    y = X["x"].to_numpy() * 10 + 50
    enc = EmbeddingEncoder(random_state=0).partial_fit(X[:2_000], y[:2_000])
    assert enc.target_type_ == "continuous"
    means_before = enc.category_target_means_[0].copy()
    enc.partial_fit(X[2_000:], y[2_000:] + 1000)
    assert np.nanmean(enc.category_target_means_[0]) > np.nanmean(means_before) + 400


def test_partial_fit_after_fit_continues_and_fit_starts_over():
    X, y = arriving_ids(3_000, n_ids=100)
    # A small step, so that one pass stays measurably near where fit ended.
    enc = EmbeddingEncoder(max_iter=5, learning_rate_init=1e-3, random_state=0).fit(X, y)
    coefs = enc.coefs_[0].copy()
    enc.partial_fit(X[:500], y[:500])  # classes are known from fit
    assert enc.n_iter_ == 1
    assert np.abs(enc.coefs_[0] - coefs).max() < 0.05  # one pass from where fit ended
    enc.fit(X, y)
    assert enc.n_iter_ == 5 and not hasattr(enc, "_stream")


@pytest.mark.slow
def test_five_passes_over_ten_chunks_match_fit_downstream():
    X, y = arriving_ids()
    X_test, y_test = arriving_ids(seed=1)
    full = EmbeddingEncoder(random_state=0).fit(X, y)
    partial = EmbeddingEncoder(random_state=0)
    for epoch in range(5):
        for X_chunk, y_chunk in _chunks(X, y, 10):
            partial.partial_fit(X_chunk, y_chunk, classes=[0, 1], new_rows=epoch == 0)

    def downstream_auc(encoder):
        model = HistGradientBoostingClassifier(random_state=0).fit(encoder.transform(X), y)
        return roc_auc_score(y_test, model.predict_proba(encoder.transform(X_test))[:, 1])

    assert downstream_auc(partial) > downstream_auc(full) - 0.01


def test_a_pickled_encoder_goes_on_with_partial_fit_as_if_never_pickled():
    """As dask moves the estimator between workers between two partial_fit calls."""
    import pickle

    X, y = arriving_ids(4_000, n_ids=200)
    straight = EmbeddingEncoder(random_state=0)
    moved = EmbeddingEncoder(random_state=0)
    for X_chunk, y_chunk in _chunks(X, y, 4):
        straight.partial_fit(X_chunk, y_chunk, classes=[0, 1])
        moved = pickle.loads(pickle.dumps(moved.partial_fit(X_chunk, y_chunk, classes=[0, 1])))
    np.testing.assert_array_equal(moved.embeddings_[0], straight.embeddings_[0])
    np.testing.assert_array_equal(moved.coefs_[0], straight.coefs_[0])


# ------------------------------------------------------------ issue 21


@pytest.mark.parametrize("as_array", [False, True])
def test_item14_a_chunk_whose_column_changed_type_names_the_column(as_array):
    first = pd.DataFrame({"shop": ["a", "b"] * 20})
    later = pd.DataFrame({"shop": [1, 2] * 20})
    enc = EmbeddingEncoder(random_state=0)
    if as_array:  # no column names: the column is 'x0', and no table was given
        first, later = first.to_numpy(dtype=object), later.to_numpy(dtype=object)
    enc.partial_fit(first, [0, 1] * 20)
    name = "x0" if as_array else "shop"
    expected = rf"Column '{name}' holds numbers in this chunk .* but strings"
    with pytest.raises(TypeError, match=expected):
        enc.partial_fit(later, [0, 1] * 20)


def test_a_later_chunk_that_mixes_value_types_is_refused_as_in_the_first():
    # Found by benchmarks/bench_fuzz.py: the mix reached np.sort, a bare "'<' not supported".
    enc = EmbeddingEncoder(random_state=0).partial_fit(
        pd.DataFrame({"c": [True, False] * 5}), [0, 1] * 5
    )
    mixed = pd.DataFrame({"c": pd.Series([True, "a"] * 5, dtype=object)})
    with pytest.raises(TypeError, match=r"Column 'c' mixes value types \['bool', 'str'\]"):
        enc.partial_fit(mixed, [0, 1] * 5)


def _date_sorted(n_rows=6000, seed=0):
    """Rows sorted by a date column, as many files are, with a category that matters."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "shop": rng.choice(["a", "b", "c", "d", "e"], n_rows),
            "date": np.sort(rng.uniform(2015, 2019, n_rows)),
        }
    )
    y = (X["shop"].isin(["a", "b"]).to_numpy() ^ (rng.uniform(size=n_rows) < 0.2)).astype(int)
    return X, y


def _partial_fit_warnings(X, y, order, chunk_rows=1000, classes=None):
    enc = EmbeddingEncoder(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for start in range(0, len(X), chunk_rows):
            rows = order[start : start + chunk_rows]
            enc.partial_fit(X.iloc[rows], y[rows], classes=classes)
    return [w.message for w in caught if isinstance(w.message, DataWarning)]


def test_chunks_past_the_first_chunks_numeric_range_warn_once():
    # The first chunk (2015-2016) fixes the clip bounds of "date"; every later
    # chunk lies past them, and would be clipped without a word.
    X, y = _date_sorted()
    found = _partial_fit_warnings(X, y, np.arange(len(X)))
    out_of_range = [w for w in found if w.kind == "out_of_range"]
    assert len(out_of_range) == 1 and out_of_range[0].column == "date"
    assert re.search(r"\d+ of the 1,000 rows \(\d+%\) lie outside \[2014", str(out_of_range[0]))
    assert "partial_fit's first chunk" in str(out_of_range[0])
    # Shuffled chunks stay within the bounds.
    shuffled = np.random.RandomState(1).permutation(len(X))
    assert not [w for w in _partial_fit_warnings(X, y, shuffled) if w.kind == "out_of_range"]


def test_a_verdict_on_a_column_is_raised_once_per_stream():
    # "flag" is constant in the first chunks; every chunk judges it again.
    X, y = _date_sorted()
    X["flag"] = np.where(X["date"] > 2018, "late", "early")
    shuffled = np.random.RandomState(1).permutation(len(X))
    found = [w for w in _partial_fit_warnings(X, y, shuffled) if w.column == "flag"]
    assert len(found) == 1 and found[0].kind == "constant_column"


@pytest.mark.parametrize("target", ["continuous", "binary"])
def test_chunks_sorted_by_the_target_warn_once_and_shuffled_ones_do_not(target):
    X, _ = _date_sorted()
    rng = np.random.RandomState(2)
    y = X["shop"].map(dict(a=1, b=2, c=3, d=4, e=5)).to_numpy() + rng.normal(size=len(X))
    if target == "binary":
        y = (y > 3).astype(int)
    by_target = np.argsort(y, kind="stable")
    enc = EmbeddingEncoder(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for start in range(0, len(X), 1000):
            rows = by_target[start : start + 1000]
            enc.partial_fit(X.iloc[rows], y[rows], classes=[0, 1] if target == "binary" else None)
    found = [w.message for w in caught if isinstance(w.message, DataWarning)]
    order = [w for w in found if w.kind == "target_order"]
    assert len(order) == 1 and "Shuffle the rows across chunks" in str(order[0])
    expected = "hold one class (1) of 2" if target == "binary" else "y outside the first chunk"
    assert expected in str(order[0])
    # A one-class chunk makes every column look constant: not a verdict to act on.
    assert not [w for w in found if w.kind == "constant_column"]
    shuffled = np.random.RandomState(1).permutation(len(X))
    assert not [w for w in _partial_fit_warnings(X, y, shuffled) if w.kind == "target_order"]


def test_small_chunks_of_a_common_class_are_not_called_sorted():
    # 5% positives in shuffled chunks of 20 rows: a third of them hold no positive.
    X, _ = _date_sorted(4000)
    y = (np.random.RandomState(3).uniform(size=len(X)) < 0.05).astype(int)
    shuffled = np.random.RandomState(1).permutation(len(X))
    found = _partial_fit_warnings(X, y, shuffled, chunk_rows=20, classes=[0, 1])
    assert not [w for w in found if w.kind == "target_order"]


def test_a_small_first_chunk_does_not_make_a_shuffled_continuous_target_look_sorted():
    X, _ = _date_sorted(4000)
    y = np.random.RandomState(4).normal(size=len(X))
    rows = np.random.RandomState(1).permutation(len(X))
    enc = EmbeddingEncoder(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enc.partial_fit(X.iloc[rows[:30]], y[rows[:30]])  # its range: about the middle 94%
        for start in range(30, len(X), 1000):
            enc.partial_fit(X.iloc[rows[start : start + 1000]], y[rows[start : start + 1000]])
    assert not [w for w in caught if getattr(w.message, "kind", None) == "target_order"]
