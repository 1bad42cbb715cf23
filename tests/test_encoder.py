"""Behaviour of EmbeddingEncoder: what it learns, how it fits in scikit-learn, its errors."""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_embed import DataWarning, EmbeddingEncoder


@pytest.fixture(autouse=True)
def _quiet_convergence():
    # Toy problems train to max_iter on purpose; the warning is tested on its own.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _shops(n_samples=2000, seed=0, n_shops=8):
    """Shops with known effects on a binary target, a numeric column, and missing shops."""
    rng = np.random.RandomState(seed)
    shops = np.array([f"shop{i}" for i in range(n_shops)], dtype=object)
    effects = np.linspace(-2, 2, n_shops)
    codes = rng.randint(n_shops, size=n_samples)
    price = rng.normal(size=n_samples)
    logit = effects[codes] + 0.5 * price
    y = (rng.uniform(size=n_samples) < 1 / (1 + np.exp(-logit))).astype(int)
    shop = shops[codes]
    shop[rng.uniform(size=n_samples) < 0.05] = None
    X = pd.DataFrame({"shop": pd.Series(shop, dtype="str"), "price": price})
    return X, y


# --------------------------------------------------------------- the seed toys


def test_toy_logistic_a_c_closer_than_b_d():
    X = pd.DataFrame({"cat": list("ABCD") * 50, "x": [-1.0, 3.0, -2.0, 4.0] * 50})
    y = [0, 1, 0, 1] * 50
    enc = EmbeddingEncoder(embedding_dim=2, hidden_layer_sizes=(), random_state=0).fit(X, y)
    E = enc.get_embeddings("cat")
    d = cdist(E, E)
    a, b, c, dd = 0, 1, 2, 3
    assert d[a, c] < min(d[a, b], d[a, dd], d[c, b], d[c, dd])
    assert d[b, dd] < min(d[b, a], d[b, c], d[dd, a], d[dd, c])


def test_toy_cosine_zero_and_one_close_two_far():
    X = pd.DataFrame({"code": [0, 1, 2, 2] * 50})
    y = [1, 1, 0, 0] * 50
    enc = EmbeddingEncoder(categorical_features=["code"], random_state=0).fit(X, y)
    E = enc.get_embeddings("code").to_numpy()
    d = cdist(E, E, metric="cosine")
    assert d[0, 1] < d[0, 2] and d[0, 1] < d[1, 2]


def test_toy_regression_distances_rank_tokens_like_effects():
    rng = np.random.RandomState(0)
    effects = np.array([-20.0, -10.0, 0.0, 10.0, 20.0])
    tokens = rng.randint(5, size=10_000)
    X = pd.DataFrame({"token": np.array(list("abcde"))[tokens]})
    y = effects[tokens] + rng.normal(scale=5.0, size=10_000)
    enc = EmbeddingEncoder(hidden_layer_sizes=(32, 16), random_state=0).fit(X, y)
    E = enc.get_embeddings("token").to_numpy()
    from_largest = cdist(E[[4]], E)[0]
    # nearest to "e" (effect 20): d (10), then c (0), b (-10), a (-20)
    np.testing.assert_array_equal(np.argsort(from_largest), [4, 3, 2, 1, 0])


# ------------------------------------------------------------ targets, weights


@pytest.mark.parametrize(
    "y, target_type, n_outputs",
    [
        (np.where(np.arange(300) % 3 == 0, "yes", "no"), "binary", 1),
        (np.array(["red", "green", "blue"] * 100), "multiclass", 3),
        (np.linspace(0, 1000, 300), "continuous", 1),
        (np.column_stack([np.linspace(0, 1, 300), np.linspace(5, -5, 300)]), "continuous", 2),
    ],
)
@pytest.mark.filterwarnings("ignore:Column 'c'.*constant:sklearn_embed.DataWarning")
def test_each_target_type(y, target_type, n_outputs):
    X = pd.DataFrame({"c": list("abcdef") * 50, "n": np.arange(300.0)})
    enc = EmbeddingEncoder(max_iter=5, random_state=0).fit(X, y)
    assert enc.target_type_ == target_type
    assert enc.coefs_[-1].shape[1] == n_outputs
    if target_type == "continuous":
        assert not hasattr(enc, "classes_")
    else:
        np.testing.assert_array_equal(enc.classes_, np.unique(y))
        proba = enc.model_.predict(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5) if n_outputs > 1 else None
    assert np.isfinite(enc.transform(X)).all()


def test_explicit_target_type_overrides_inference():
    X = pd.DataFrame({"c": list("ab") * 50})
    y = np.tile([0, 1, 2, 3], 25)
    assert (
        EmbeddingEncoder(target_type="continuous", max_iter=2).fit(X, y).target_type_
        == "continuous"
    )
    with pytest.raises(ValueError, match="target_type='binary' but y has 4 classes"):
        EmbeddingEncoder(target_type="binary").fit(X, y)


def test_string_labels_learn_the_same_as_integer_labels():
    X, y = _shops()
    labels = np.where(y == 1, "high", "low")  # "high" sorts first: classes are swapped
    enc_int = EmbeddingEncoder(random_state=0).fit(X, y)
    enc_str = EmbeddingEncoder(random_state=0).fit(X, labels)
    assert enc_str.classes_.tolist() == ["high", "low"]
    # Same problem with the positive class flipped: the shops' order along the
    # output direction is reversed.
    score_int = enc_int.model_.predict(X)[:, 0]
    score_str = enc_str.model_.predict(X)[:, 0]
    assert np.corrcoef(score_int, score_str)[0, 1] < -0.95


def test_sample_weight_decides_between_conflicting_labels():
    # Each shop appears with both labels; the weights say which rows count.
    X = pd.DataFrame({"shop": ["a", "a", "b", "b"] * 100})
    y = np.array([1, 0, 1, 0] * 100)
    weight_a_positive = np.array([1.0, 0.0, 0.0, 1.0] * 100)
    enc = EmbeddingEncoder(embedding_dim=1, hidden_layer_sizes=(), random_state=0)
    proba = enc.fit(X, y, sample_weight=weight_a_positive).model_.predict(
        pd.DataFrame({"shop": ["a", "b"]})
    )[:, 0]
    assert proba[0] > 0.8 and proba[1] < 0.2
    proba = enc.fit(X, y, sample_weight=1 - weight_a_positive).model_.predict(
        pd.DataFrame({"shop": ["a", "b"]})
    )[:, 0]
    assert proba[0] < 0.2 and proba[1] > 0.8


def _repeated(X, y, weight):
    rows = np.repeat(np.arange(len(X)), weight)
    return X.iloc[rows].reset_index(drop=True), y[rows]


def test_integer_weights_count_as_repeated_rows():
    # scikit-learn's meaning of sample_weight: a weight of 3 is the row seen three
    # times. The statistics (counts, smoothing, merging) follow it exactly; only
    # the minibatches differ. A shop seen only with weight 0 has no vector: it is
    # listed as infrequent (it shares the unknown vector, as an unseen shop does).
    X, y = _shops(800, n_shops=40)
    weight = np.random.RandomState(1).randint(0, 4, len(X))
    weight[X["shop"].to_numpy() == "shop7"] = 0
    params = dict(early_stopping=False, max_iter=3, random_state=0)
    weighted = EmbeddingEncoder(**params).fit(X, y, sample_weight=weight)
    repeated = EmbeddingEncoder(**params).fit(*_repeated(X, y, weight))
    assert pd.Index(weighted.categories_[0]).equals(pd.Index(repeated.categories_[0]))
    assert list(weighted.infrequent_categories_[0]) == ["shop7"]
    assert len(repeated.infrequent_categories_[0]) == 0
    assert weighted.smooth_["shop"] == pytest.approx(repeated.smooth_["shop"], rel=1e-12)
    np.testing.assert_allclose(weighted.category_counts_[0], repeated.category_counts_[0])
    np.testing.assert_allclose(
        weighted.category_target_means_[0], repeated.category_target_means_[0], rtol=1e-12
    )


def test_aggregated_table_with_count_weights_is_counted_as_the_raw_table():
    # 40 shops with rates 0.1 .. 0.9, 40,000 rows, aggregated to one row per
    # (shop, label) with the count as weight: 80 rows. Counted as 80 rows, every
    # shop would look rare and the column constant.
    rng = np.random.RandomState(0)
    rates = np.linspace(0.1, 0.9, 40)
    codes = rng.randint(40, size=40_000)
    raw = pd.DataFrame(
        {"shop": [f"s{c}" for c in codes], "y": rng.uniform(size=40_000) < rates[codes]}
    )
    aggregated = raw.value_counts().rename("count").reset_index()
    params = dict(early_stopping=False, max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "constant column"
        enc = EmbeddingEncoder(**params).fit(
            aggregated[["shop"]], aggregated["y"], sample_weight=aggregated["count"]
        )
    reference = EmbeddingEncoder(**{**params, "max_iter": 3}).fit(raw[["shop"]], raw["y"])
    assert enc.smooth_["shop"] == pytest.approx(reference.smooth_["shop"], rel=1e-12)
    np.testing.assert_allclose(enc.category_counts_[0], reference.category_counts_[0])
    grid = pd.DataFrame({"shop": [f"s{c}" for c in range(40)]})
    proba = enc.model_.predict(grid)[:, 0]
    assert np.corrcoef(proba, rates)[0, 1] > 0.98


@pytest.mark.parametrize("scale", [1 / 2000, 0.02])
def test_weights_far_below_one_per_row_are_named_once(scale):
    # Probabilities (summing to 1) or fractions: the table counts as far fewer rows.
    X, y = _shops(2000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y, sample_weight=np.full(2000, scale))
    found = [w.message for w in caught if getattr(w.message, "kind", None) == "sample_weight"]
    assert len(found) == 1
    assert f"count as {2000 * scale:.4g} for the shrinkage" in str(found[0])
    assert "multiply them by the number of rows" in str(found[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y, sample_weight=np.full(2000, 0.8))


def test_the_loss_does_not_depend_on_the_weights_unit():
    # Without shrinkage (smooth=0) the counts' unit changes nothing, and the loss
    # is divided by the mean weight: the same network. (Which categories count as rare
    # enough to re-estimate for cross-fitting does depend on the counts: cross_fit=False.)
    X, y = _shops(500)
    params = dict(smooth=0, max_iter=5, cross_fit=False, random_state=0)
    a = EmbeddingEncoder(**params).fit(X, y, sample_weight=np.full(500, 3.0))
    b = EmbeddingEncoder(**params).fit(X, y)
    np.testing.assert_allclose(a.embeddings_[0], b.embeddings_[0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a.category_counts_[0], 3 * b.category_counts_[0])


def test_partial_fit_chunks_keep_their_weights_relative_to_each_other():
    X, y = _shops(1200)
    weight = np.r_[np.full(600, 3.0), np.ones(600)]
    enc = EmbeddingEncoder(random_state=0)
    for chunk in (slice(0, 600), slice(600, 1200)):
        enc.partial_fit(X[chunk], y[chunk], sample_weight=weight[chunk])
    expected = pd.Series(weight).groupby(X["shop"].to_numpy()).sum()
    counts = {
        shop: count
        for shop, count in zip(enc.categories_[0], enc.category_counts_[0])
        if isinstance(shop, str)  # not the missing-shop category
    }
    assert len(counts) == 8 and counts == pytest.approx(expected[list(counts)].to_dict())


# ----------------------------------------------------------- unknown, missing


def test_unknown_category_gets_the_trained_unknown_vector():
    X, y = _shops()
    enc = EmbeddingEncoder(random_state=0).fit(X, y)
    X_new = pd.DataFrame({"shop": ["never-seen", "shop0"], "price": [0.0, 0.0]})
    out = enc.transform(X_new)
    np.testing.assert_array_equal(out[0, :-1], enc.embeddings_[0][-1])
    np.testing.assert_array_equal(out[1, :-1], enc.get_embeddings("shop").loc["shop0"])
    # Trained: the network's prediction for an unknown shop sits among the
    # known shops' predictions, not at an arbitrary point.
    grid = pd.DataFrame({"shop": [f"shop{i}" for i in range(8)] + ["??"], "price": 0.0})
    proba = enc.model_.predict(grid)[:, 0]
    assert proba[:8].min() < proba[8] < proba[:8].max()
    assert 0.25 < proba[8] < 0.75


def test_handle_unknown_error_names_column_and_values():
    X, y = _shops()
    enc = EmbeddingEncoder(handle_unknown="error", max_iter=3, random_state=0).fit(X, y)
    X_new = pd.DataFrame({"shop": ["zz", "shop1", "yy", "zz"], "price": 0.0})
    with pytest.raises(ValueError, match=r"2 unknown categories in column 'shop'.*\['zz', 'yy'\]"):
        enc.transform(X_new)


def test_infrequent_categories_share_the_unknown_vector_and_never_raise():
    X = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 50 + ["rare"] * 2})
    y = [0] * 50 + [1] * 52
    enc = EmbeddingEncoder(min_frequency=5, handle_unknown="error", max_iter=3, random_state=0)
    enc.fit(X, y)
    assert enc.categories_[0].tolist() == ["a", "b"]
    assert enc.infrequent_categories_[0].tolist() == ["rare"]
    out = enc.transform(pd.DataFrame({"c": ["rare"]}))
    np.testing.assert_array_equal(out[0], enc.embeddings_[0][-1])


def test_missing_unseen_at_fit_is_unknown():
    X = pd.DataFrame({"c": ["a", "b"] * 20})
    enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, [0, 1] * 20)
    out = enc.transform(pd.DataFrame({"c": pd.Series([None, "a"], dtype="str")}))
    np.testing.assert_array_equal(out[0], enc.embeddings_[0][-1])
    enc.set_params(handle_unknown="error")
    with pytest.raises(ValueError, match="unknown categories in column 'c'"):
        enc.transform(pd.DataFrame({"c": pd.Series([None, "a"], dtype="str")}))


# ------------------------------------------------------------ output layout


def test_transform_replaces_categorical_columns_in_place():
    X = pd.DataFrame(
        {
            "n1": np.arange(60.0),
            "c1": list("abc") * 20,
            "n2": -np.arange(60.0),
            "c2": list("xy") * 30,
        }
    )
    y = (X["c1"] == "a").to_numpy() | (X["c2"] == "x").to_numpy()
    enc = EmbeddingEncoder(embedding_dim={"c1": 3}, random_state=0, max_iter=3).fit(X, y)
    names = enc.get_feature_names_out().tolist()
    assert names == ["n1", "c1_emb0", "c1_emb1", "c1_emb2", "n2", "c2_emb0", "c2_emb1"]
    out = enc.transform(X)
    np.testing.assert_array_equal(out[:, 0], X["n1"])
    np.testing.assert_array_equal(out[:, 4], X["n2"])
    np.testing.assert_array_equal(out[:, 1:4], enc.get_embeddings("c1").loc[X["c1"]].to_numpy())
    pandas_out = enc.set_output(transform="pandas").transform(X)
    assert pandas_out.columns.tolist() == names
    dropped = clone(enc).set_params(remainder="drop").fit(X, y)
    assert dropped.get_feature_names_out().tolist() == [n for n in names if "_emb" in n]
    assert dropped.transform(X).shape == (60, 5)


def test_numeric_nan_passes_through_and_does_not_poison_the_network():
    X = pd.DataFrame({"c": list("ab") * 20, "n": [1.0, np.nan] * 20})
    enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, [0, 1] * 20)
    out = enc.transform(X)
    assert np.isnan(out[1::2, -1]).all() and np.isfinite(out[:, :-1]).all()
    assert np.isfinite(enc.embeddings_[0]).all()


def test_auto_embedding_dim_and_no_hidden_layer():
    X = pd.DataFrame({"c": [f"v{i % 100}" for i in range(1000)], "b": [True, False] * 500})
    enc = EmbeddingEncoder(hidden_layer_sizes=(), max_iter=2, random_state=0).fit(X, [0, 1] * 500)
    assert enc.embedding_dims_ == {"c": 21, "b": 2}
    assert len(enc.coefs_) == 1 and enc.coefs_[0].shape == (23, 1)
    assert enc.embeddings_[0].shape == (101, 21) and enc.embeddings_[0].dtype == np.float32


# --------------------------------------------------------------- training


def test_same_seed_is_bit_identical_and_another_seed_is_not():
    X, y = _shops(1000)
    a = EmbeddingEncoder(random_state=3, max_iter=10).fit(X, y)
    b = EmbeddingEncoder(random_state=3, max_iter=10).fit(X, y)
    c = EmbeddingEncoder(random_state=4, max_iter=10).fit(X, y)
    np.testing.assert_array_equal(a.embeddings_[0], b.embeddings_[0])
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.array_equal(a.embeddings_[0], c.embeddings_[0])


def test_early_stopping_keeps_the_best_epoch():
    X, y = _shops(3000)
    enc = EmbeddingEncoder(random_state=0, n_iter_no_change=3).fit(X, y)
    assert len(enc.loss_curve_) == len(enc.validation_scores_) == enc.n_iter_
    assert enc.best_validation_score_ == max(enc.validation_scores_)
    assert enc.n_iter_ < enc.max_iter
    # The validation loss is a log loss: better than the constant predictor's.
    assert -enc.best_validation_score_ < 0.69


def test_without_early_stopping_there_is_no_validation_curve():
    X, y = _shops(500)
    enc = EmbeddingEncoder(early_stopping=False, max_iter=4, random_state=0).fit(X, y)
    assert enc.validation_scores_ is None and enc.best_validation_score_ is None
    assert enc.n_iter_ == 4 and len(enc.loss_curve_) == 4


def test_max_iter_reached_warns():
    X, y = _shops(500)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        with warnings.catch_warnings():
            warnings.simplefilter("always", ConvergenceWarning)
            EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y)


def test_learns_the_shop_effects():
    X, y = _shops(4000)
    enc = EmbeddingEncoder(random_state=0).fit(X, y)
    grid = pd.DataFrame({"shop": [f"shop{i}" for i in range(8)], "price": 0.0})
    proba = enc.model_.predict(grid)[:, 0]
    # effects increase with the shop number
    assert (np.diff(proba) > -0.05).all() and proba[-1] - proba[0] > 0.6


# ------------------------------------------------------ scikit-learn tooling


def test_pipeline_gridsearch_and_cross_val_score():
    X, y = _shops(1200)
    model = make_pipeline(EmbeddingEncoder(random_state=0, max_iter=20), LogisticRegression())
    scores = cross_val_score(model, X, y, cv=3, scoring="roc_auc")
    assert scores.mean() > 0.75
    search = GridSearchCV(model, {"embeddingencoder__embedding_dim": [1, 3]}, cv=2, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_["embeddingencoder__embedding_dim"] in (1, 3)
    assert search.predict_proba(X).shape == (1200, 2)


def test_inside_column_transformer_with_pandas_output():
    X, y = _shops(600)
    X["other"] = np.arange(600.0)
    ct = ColumnTransformer(
        [("emb", EmbeddingEncoder(max_iter=3, random_state=0), ["shop", "price"])],
        remainder=StandardScaler(),
    ).set_output(transform="pandas")
    out = ct.fit_transform(X, y)
    dim = ct.named_transformers_["emb"].embedding_dims_["shop"]
    assert out.columns.tolist() == [f"emb__shop_emb{j}" for j in range(dim)] + [
        "emb__price",
        "remainder__other",
    ]


@pytest.mark.parametrize("dump, load", [(pickle.dumps, pickle.loads), (None, None)])
def test_pickle_and_joblib_round_trip(dump, load, tmp_path):
    X, y = _shops(500)
    enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y)
    if dump is None:
        joblib.dump(enc, tmp_path / "enc.joblib")
        restored = joblib.load(tmp_path / "enc.joblib")
    else:
        restored = load(dump(enc))
    np.testing.assert_array_equal(restored.transform(X), enc.transform(X))
    X_missing = pd.DataFrame({"shop": pd.Series([None], dtype="str"), "price": [0.0]})
    np.testing.assert_array_equal(restored.transform(X_missing), enc.transform(X_missing))
    assert clone(enc).get_params() == enc.get_params()


# ------------------------------------------------------------------ errors


def test_errors_name_what_is_wrong():
    X, y = _shops(200)
    enc = EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="feature names should match"):
        enc.transform(X[["price", "shop"]])
    with (
        pytest.warns(UserWarning, match="does not have valid feature names"),
        pytest.raises(ValueError, match="X has 1 features, but EmbeddingEncoder is expecting 2"),
    ):
        enc.transform(X[["shop"]].to_numpy())
    with pytest.raises(ValueError, match="X has 200 rows but y has 199"):
        EmbeddingEncoder().fit(X, y[:-1])
    with pytest.raises(ValueError, match="y contains 1 missing values"):
        EmbeddingEncoder().fit(X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="only one class"):
        EmbeddingEncoder().fit(X, np.zeros(200))
    with pytest.raises(ValueError, match="0 sample"):
        EmbeddingEncoder().fit(X.iloc[:0], y[:0])
    with pytest.raises(ValueError, match="'price' has 1 infinite values"):
        EmbeddingEncoder().fit(X.assign(price=np.r_[np.inf, X["price"][1:]]), y)
    with pytest.raises(ValueError, match=r"embedding_dim names columns \['nope'\]"):
        EmbeddingEncoder(embedding_dim={"nope": 2}).fit(X, y)
    with pytest.raises(ValueError, match="'price' is not embedded"):
        enc.get_embeddings("price")
    with pytest.raises(ValueError, match="dtype datetime64.*is not categorical"):
        EmbeddingEncoder().fit(X.assign(price=pd.Timestamp("2020-01-01")), y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be positive"):
        EmbeddingEncoder(hidden_layer_sizes=(0,)).fit(X, y)


# ------------------------------------------------------- public fitted state


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_category_counts_and_target_means_are_the_training_statistics():
    X = pd.DataFrame({"c": ["a"] * 30 + ["b"] * 20 + ["rare"], "n": np.arange(51.0)})
    y = np.array(["yes"] * 10 + ["no"] * 20 + ["yes"] * 20 + ["no"])
    enc = EmbeddingEncoder(min_frequency=2, smooth=0, max_iter=3, random_state=0).fit(X, y)
    assert enc.categories_[0].tolist() == ["a", "b"]  # "rare" uses the unknown row
    np.testing.assert_allclose(enc.category_counts_[0], [30, 20, 1])
    np.testing.assert_allclose(enc.category_target_means_[0], [1 / 3, 1, 0])  # share of "yes"
    low, high = np.quantile(np.arange(51.0), [0.001, 0.999])
    np.testing.assert_allclose(enc.numeric_bounds_, [[2 * low - high, 2 * high - low]])
    np.testing.assert_allclose(enc.numeric_mean_, [25.0])
    np.testing.assert_allclose(enc.numeric_scale_, [np.arange(51.0).std()])

    amounts = np.r_[np.full(30, 2.5), np.full(20, 5.5), 100.5]
    regression = EmbeddingEncoder(min_frequency=2, smooth=0, max_iter=3, random_state=0)
    np.testing.assert_allclose(
        regression.fit(X, amounts).category_target_means_[0], [2.5, 5.5, 100.5], rtol=1e-6
    )


def test_dtype_sets_the_output_type():
    X, y = _shops(n_samples=500)
    enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y)
    wide = enc.transform(X)
    narrow = enc.set_params(dtype=np.float32).transform(X)
    assert wide.dtype == np.float64 and narrow.dtype == np.float32
    np.testing.assert_array_equal(narrow, wide.astype(np.float32))
    assert set(enc.set_output(transform="pandas").transform(X).dtypes) == {np.dtype(np.float32)}
    with pytest.raises(ValueError, match="dtype must be np.float64 or np.float32, got 'int8'"):
        EmbeddingEncoder(dtype="int8").fit(X, y)
