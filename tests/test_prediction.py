"""The ``output`` parameter: vectors, vectors and the network's prediction, or the prediction alone."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_embed import EmbeddingEncoder

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _table(n=600, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"shop": rng.choice(list("abcdef"), n), "x": rng.normal(size=n)})


def _encoder(**params):
    params = {"output": "vectors+prediction", "max_iter": 60, "random_state": 0, **params}
    return EmbeddingEncoder(**params)


def test_off_by_default():
    X = _table()
    enc = EmbeddingEncoder(max_iter=5, random_state=0).fit(X, X["x"] > 0)
    assert not any(name.startswith("network_") for name in enc.get_feature_names_out())


def test_binary_appends_the_log_odds_of_the_positive_class():
    X = _table()
    y = np.where(X["shop"].isin(["a", "b"]) ^ (X["x"] > 0), "yes", "no")
    enc = _encoder().fit(X, y)
    out = enc.transform(X)
    names = enc.get_feature_names_out()
    assert names[-1] == "network_log_odds" and out.shape == (len(X), len(names))
    probability = enc.model_.predict(X)[:, 0]  # P("yes"), the last class
    np.testing.assert_allclose(1 / (1 + np.exp(-out[:, -1])), probability, atol=1e-5)
    # The vectors before it are what transform gives without the column.
    plain = EmbeddingEncoder(max_iter=60, random_state=0).fit(X, y).transform(X)
    np.testing.assert_array_equal(out[:, :-1], plain)


# y is drawn from x alone: fit's verdict that the shop shows no effect is true, and beside the point.
@pytest.mark.filterwarnings("ignore:Column 'shop'.* no effect:sklearn_embed.DataWarning")
def test_multiclass_appends_one_log_probability_per_class():
    X = _table()
    y = np.select([X["x"] < -0.5, X["x"] > 0.5], ["low", "high"], "mid")
    enc = _encoder().fit(X, y)
    out = enc.transform(X)
    assert enc.get_feature_names_out()[-3:].tolist() == [
        "network_log_proba_high",
        "network_log_proba_low",
        "network_log_proba_mid",
    ]
    np.testing.assert_allclose(np.exp(out[:, -3:]).sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.exp(out[:, -3:]), enc.model_.predict(X), atol=1e-5)


def test_continuous_prediction_is_in_the_targets_units():
    X = _table()
    y = 1e4 * X["x"] + 5e4 + 2e3 * (X["shop"] == "a")
    enc = _encoder().fit(X, y)
    prediction = enc.transform(X)[:, -1]
    assert enc.get_feature_names_out()[-1] == "network_prediction"
    assert abs(prediction.mean() - y.mean()) < 0.05 * y.std()
    assert np.corrcoef(prediction, y)[0, 1] > 0.99


def test_several_continuous_outputs_are_numbered():
    X = _table()
    y = np.column_stack([X["x"], -X["x"]])
    enc = _encoder().fit(X, y)
    assert enc.get_feature_names_out()[-2:].tolist() == [
        "network_prediction0",
        "network_prediction1",
    ]
    assert enc.transform(X).shape[1] == len(enc.get_feature_names_out())


def test_appended_after_dropped_remainder_with_pandas_output_and_float32():
    X = _table()
    enc = _encoder(remainder="drop", dtype=np.float32).set_output(transform="pandas")
    out = enc.fit_transform(X, X["x"] > 0)
    assert out.columns.tolist() == [f"shop_emb{j}" for j in range(enc.embedding_dims_["shop"])] + [
        "network_log_odds"
    ]
    assert (out.dtypes == np.float32).all()


def test_an_input_column_with_the_prediction_name_is_refused():
    X = _table().rename(columns={"x": "network_log_odds"})
    with pytest.raises(ValueError, match="network_log_odds"):
        _encoder().fit(X, X["network_log_odds"] > 0)
    # Without the prediction there is no clash.
    EmbeddingEncoder(max_iter=2, random_state=0).fit(X, X["network_log_odds"] > 0)


def test_survives_save_load_and_partial_fit(tmp_path):
    X = _table()
    y = X["x"] > 0
    enc = _encoder().fit(X, y)
    enc.save(tmp_path / "model.json")
    loaded = EmbeddingEncoder.load(tmp_path / "model.json")
    np.testing.assert_array_equal(loaded.transform(X), enc.transform(X))
    streamed = _encoder().partial_fit(X, y)
    assert streamed.transform(X).shape[1] == len(streamed.get_feature_names_out())


def test_a_linear_model_gains_from_it_on_an_interaction():
    # y depends on the shop *and* on the sign of x, differently per shop: the vectors
    # alone hold no linear answer, the network's prediction does. (smooth=0: with no
    # marginal shop effect, "auto" would shrink the shops' vectors together.)
    X = _table(n=3000, seed=1)
    flips = X["shop"].isin(["a", "b", "c"])
    y = np.where(flips, X["x"] > 0, X["x"] < 0)

    def auc(append):
        output = "vectors+prediction" if append else "vectors"
        encoder = EmbeddingEncoder(output=output, smooth=0, max_iter=60, random_state=0)
        model = make_pipeline(encoder, StandardScaler(), LogisticRegression())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return cross_val_score(model, X, y, cv=3, scoring="roc_auc").mean()

    without, with_prediction = auc(False), auc(True)
    assert without < 0.75 and with_prediction > 0.95


def test_explicit_multiclass_over_two_classes_keeps_one_column_per_class():
    X = _table()
    enc = _encoder(target_type="multiclass").fit(X, X["x"] > 0)
    assert enc.target_type_ == "multiclass"
    assert enc.get_feature_names_out()[-2:].tolist() == [
        "network_log_proba_False",
        "network_log_proba_True",
    ]


MODES = ["vectors", "vectors+prediction", "prediction"]


@pytest.mark.parametrize("output", MODES)
@pytest.mark.parametrize("remainder", ["passthrough", "drop"])
def test_each_output_mode_names_and_fills_its_columns(output, remainder):
    X = _table()
    y = X["shop"].isin(["a", "b"]) ^ (X["x"] > 1)
    enc = _encoder(output=output, remainder=remainder).fit(X, y)
    names = enc.get_feature_names_out().tolist()
    out = enc.transform(X)
    vectors = [f"shop_emb{j}" for j in range(enc.embedding_dims_["shop"])]
    expected = (vectors if output != "prediction" else []) + (
        ["x"] if remainder == "passthrough" else []
    )
    expected += ["network_log_odds"] if output != "vectors" else []
    assert names == expected and out.shape == (len(X), len(expected))
    # One network for every mode: the columns agree across modes.
    full = enc.set_params(output="vectors+prediction").transform(X)
    full_names = enc.get_feature_names_out().tolist()
    np.testing.assert_array_equal(out, full[:, [full_names.index(name) for name in names]])


@pytest.mark.parametrize("output", MODES)
@pytest.mark.parametrize("container", ["pandas", "polars"])
def test_each_output_mode_gives_pandas_and_polars_frames(output, container):
    if container == "polars":
        pytest.importorskip("polars", reason='in the test extra: pip install -e ".[test]"')
    X = _table()
    enc = _encoder(output=output, max_iter=5).set_output(transform=container)
    out = enc.fit(X, X["x"] > 0).transform(X)
    assert list(out.columns) == enc.get_feature_names_out().tolist()


@pytest.mark.parametrize("output", MODES)
def test_each_output_mode_survives_save_load_clone_and_partial_fit(output, tmp_path):
    from sklearn.base import clone

    X = _table()
    y = X["x"] > 0
    enc = _encoder(output=output, max_iter=5).fit(X, y)
    enc.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")
    assert loaded.output == output
    np.testing.assert_array_equal(loaded.transform(X), enc.transform(X))
    assert clone(enc).get_params()["output"] == output
    streamed = _encoder(output=output).partial_fit(X, y)
    assert streamed.transform(X).shape[1] == len(streamed.get_feature_names_out())


def test_a_grid_search_tries_the_output_modes():
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier

    X = _table(n=900, seed=2)
    y = np.where(X["shop"].isin(["a", "b", "c"]), X["x"] > 0, X["x"] < 0)
    model = make_pipeline(_encoder(smooth=0), StandardScaler(), KNeighborsClassifier(15))
    search = GridSearchCV(model, {"embeddingencoder__output": MODES}, cv=3, scoring="roc_auc")
    search.fit(X, y)
    assert search.cv_results_["param_embeddingencoder__output"].tolist() == MODES
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_[0]
    assert best.output == search.best_params_["embeddingencoder__output"]
    assert best.transform(X).shape[1] == len(best.get_feature_names_out())


def test_append_prediction_still_works_and_warns_once_per_fit():
    X = _table()
    enc = EmbeddingEncoder(append_prediction=True, max_iter=5, random_state=0)
    with pytest.warns(FutureWarning, match=r"output='vectors\+prediction'") as record:
        enc.fit(X, X["x"] > 0)
    assert len([w for w in record if w.category is FutureWarning]) == 1
    assert record[0].filename == __file__
    assert enc.get_feature_names_out()[-1] == "network_log_odds"
    with pytest.raises(ValueError, match="contradict"):
        enc.set_params(output="prediction").transform(X)


def test_a_model_file_of_0_2_with_append_prediction_loads_as_the_output_mode(tmp_path):
    import json
    import zipfile

    X = _table()
    enc = _encoder(max_iter=3).fit(X, X["x"] > 0)
    enc.save(tmp_path / "new")
    with zipfile.ZipFile(tmp_path / "new") as source, zipfile.ZipFile(tmp_path / "old", "w") as old:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "model.json":
                document = json.loads(data)
                document["params"].pop("output")
                document["params"]["append_prediction"] = True
                data = json.dumps(document).encode()
            old.writestr(item, data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        loaded = EmbeddingEncoder.load(tmp_path / "old")
        np.testing.assert_array_equal(loaded.transform(X), enc.transform(X))
    assert loaded.output == "vectors+prediction" and loaded.append_prediction == "deprecated"
