"""One fit path: state published once, one rule for fit and partial_fit, findings at the caller.

Each test is named after a bug of the old two-engine design (issue 19).
"""

import os
import pickle
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

from sklearn_embed import DataWarning, EmbeddingEncoder
from sklearn_embed._cli import main

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn_embed.DataWarning"),
]


def _fitted_state(encoder):
    """Every fitted attribute, pickled: equal bytes mean an unchanged encoder."""
    return pickle.dumps({k: v for k, v in vars(encoder).items() if k.endswith("_")})


def _ids_on_noise(n=6_000, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"id": [f"u{i}" for i in range(n)], "x": rng.normal(size=n)})
    y = (X["x"] + rng.normal(scale=2.0, size=n) > 0).astype(int).to_numpy()
    return X, y


def test_a_refused_warm_start_leaves_the_encoder_as_it_was():
    X = pd.DataFrame({"c": list("abcdefgh") * 50})
    y = np.arange(400) % 2
    enc = EmbeddingEncoder(warm_start=True, max_iter=3, random_state=0).fit(X[:240], y[:240])
    before, output = _fitted_state(enc), enc.transform(X)
    enc.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="hidden_layer_sizes changed"):
        enc.fit(X, y)  # more categories than the first fit: the old code kept them half-written
    assert _fitted_state(enc) == before
    np.testing.assert_array_equal(enc.transform(X), output)


def test_a_failed_fit_of_a_fitted_encoder_leaves_it_as_it_was():
    X = pd.DataFrame({"c": list("abc") * 40, "v": np.arange(120.0)})
    enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, np.arange(120) % 2)
    before = _fitted_state(enc)
    with pytest.raises(ValueError, match="only one class"):
        enc.fit(X[["c"]], np.zeros(120))  # another column set, and a bad target
    assert _fitted_state(enc) == before and enc.n_features_in_ == 2
    assert enc.transform(X).shape == (120, enc.embedding_dims_["c"] + 1)


def test_a_refused_partial_fit_chunk_leaves_the_encoder_as_it_was():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"c": rng.choice(list("abc"), 1_000), "v": rng.normal(size=1_000)})
    y = rng.randint(2, size=1_000)
    enc = EmbeddingEncoder(random_state=0).partial_fit(X[:400], y[:400])
    before, output = _fitted_state(enc), enc.transform(X)
    bad = X[400:].copy()
    bad.iloc[0, 1] = np.inf
    for _ in range(3):
        with pytest.raises(ValueError, match="infinite"):
            enc.partial_fit(bad, y[400:])
    as_codes = pd.DataFrame({"c": rng.randint(3, size=100), "v": rng.normal(size=100)})
    with pytest.raises(TypeError, match="Column 'c' holds numbers in this chunk.*astype"):
        enc.partial_fit(as_codes, y[:100])
    assert _fitted_state(enc) == before
    np.testing.assert_array_equal(enc.transform(X), output)
    enc.partial_fit(X[400:], y[400:])  # and good chunks go on as if nothing happened
    assert enc.n_iter_ == 2 and enc.category_counts_[0].sum() == pytest.approx(1_000)


def test_repeated_passes_do_not_weaken_the_shrinkage():
    """The loop over chunks, pass after pass: passes after the first say new_rows=False."""
    X, y = _ids_on_noise()
    once = EmbeddingEncoder(random_state=0)
    for start in range(0, len(X), 1_000):
        once.partial_fit(X[start : start + 1_000], y[start : start + 1_000])
    passes = EmbeddingEncoder(random_state=0)
    for epoch in range(3):
        for start in range(0, len(X), 1_000):
            chunk = slice(start, start + 1_000)
            passes.partial_fit(X[chunk], y[chunk], new_rows=epoch == 0)
    assert passes.smooth_ == once.smooth_ == {"id": np.inf}
    assert len(passes.categories_[0]) == 0  # unique ids get no vectors
    assert passes.category_counts_[0].sum() == pytest.approx(len(X))
    Z = passes.transform(X)
    booster = HistGradientBoostingClassifier(random_state=0).fit(Z, y)
    x_only = HistGradientBoostingClassifier(random_state=0).fit(X[["x"]], y)
    training_auc = roc_auc_score(y, booster.predict_proba(Z)[:, 1])
    assert training_auc < roc_auc_score(y, x_only.predict_proba(X[["x"]])[:, 1]) + 0.02


def test_repeated_passes_keep_fits_count_of_vectors():
    """Agents of a hotel table: passes over the same chunks keep the vectors one pass gives."""
    rng = np.random.RandomState(1)
    agents = rng.zipf(1.6, size=4_000) % 300
    y = (rng.normal(size=4_000) + (agents % 7 == 0) > 0.5).astype(int)
    X = pd.DataFrame({"agent": agents.astype(str)})

    def streamed(n_passes):
        enc = EmbeddingEncoder(random_state=0)
        for epoch in range(n_passes):
            for start in range(0, 4_000, 500):
                chunk = slice(start, start + 500)
                enc.partial_fit(X[chunk], y[chunk], new_rows=epoch == 0)
        return enc

    one, many = streamed(1), streamed(8)
    assert many.categories_[0].tolist() == one.categories_[0].tolist()
    assert many.smooth_ == one.smooth_


def test_the_command_line_passes_keep_ids_without_vectors(tmp_path):
    X, y = _ids_on_noise(3_000)
    X.assign(target=y).to_csv(tmp_path / "ids.csv", index=False)
    args = [
        "fit",
        str(tmp_path / "ids.csv"),
        "--target",
        "target",
        "--chunk-rows",
        "500",
        "--model",
        str(tmp_path / "m"),
        "--random-state",
        "0",
        "--quiet",
    ]
    assert main(args) == 0
    enc = EmbeddingEncoder.load(tmp_path / "m")
    assert len(enc.categories_[0]) == 0 and enc.smooth_["id"] == np.inf


def test_an_explicit_multiclass_over_two_classes_survives_partial_fit_and_save_load():
    X = pd.DataFrame({"c": list("abcd") * 50})
    y = np.arange(200) % 2
    fitted = EmbeddingEncoder(target_type="multiclass", max_iter=3, random_state=0).fit(X, y)
    fitted.partial_fit(X, y)
    streamed = EmbeddingEncoder(target_type="multiclass", random_state=0).partial_fit(
        X, y, classes=[0, 1]
    )
    for enc in (fitted, streamed):
        assert enc.target_type_ == "multiclass" and enc.coefs_[-1].shape[1] == 2
        path = os.path.join(tempfile.mkdtemp(), "model")
        enc.save(path)
        loaded = EmbeddingEncoder.load(path)
        assert loaded.target_type_ == "multiclass"
        np.testing.assert_array_equal(loaded.transform(X), enc.transform(X))


def _warnings_of(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if issubclass(w.category, DataWarning)]


def test_warnings_through_fit_partial_fit_transform_and_pipelines_point_at_the_callers_line():
    X, y = _ids_on_noise(2_000)
    calls = {
        "fit": lambda: EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y),
        "partial_fit": lambda: EmbeddingEncoder(random_state=0).partial_fit(X, y),
        "pipeline": lambda: make_pipeline(EmbeddingEncoder(max_iter=2, random_state=0)).fit(X, y),
    }
    for name, call in calls.items():
        found = _warnings_of(call)
        assert [w.message.kind for w in found] == ["identifier"], name
        assert found[0].filename == __file__, name
    shops = pd.DataFrame({"zip": ["07030", "10001", "94105"] * 20})
    enc = EmbeddingEncoder(max_iter=2, random_state=0).fit(shops, np.arange(60) % 3 == 0)
    drifted = _warnings_of(lambda: enc.transform(pd.DataFrame({"zip": ["x", "y", "z"] * 10})))
    assert [w.message.kind for w in drifted] == ["unknown_drift"]
    assert drifted[0].filename == __file__ and drifted[0].message.column == "zip"


def test_a_users_random_state_is_advanced_by_one_draw_and_never_rewound():
    X = pd.DataFrame({"c": list("abcd") * 50})
    y = np.arange(200) % 2
    rng, reference = np.random.RandomState(0), np.random.RandomState(0)
    EmbeddingEncoder(random_state=rng, max_iter=3).fit(X, y)
    reference.randint(np.iinfo(np.int32).max)
    assert rng.randint(1 << 30) == reference.randint(1 << 30)
    # Two fits from the same generator differ (the second starts from the next draw).
    first = EmbeddingEncoder(random_state=rng, max_iter=3).fit(X, y).embeddings_[0]
    second = EmbeddingEncoder(random_state=rng, max_iter=3).fit(X, y).embeddings_[0]
    assert not np.array_equal(first, second)
