"""ONNX export (sklearn_embed.onnx): ONNX Runtime computes what transform and predict compute."""

import copy
import importlib
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_embed import DataWarning, EmbeddingEncoder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import datasets  # noqa: E402  (benchmarks/ on the path first)

pytestmark = [
    pytest.mark.onnx,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn_embed.DataWarning"),
]

OUTPUT_MODES = ("vectors", "vectors+prediction", "prediction")
SHARED = {
    "adult": datasets.adult,
    "car": datasets.car_evaluation,
    "salaries": datasets.employee_salaries,
    "flights": datasets.nycflights,
}
needs_shared_data = pytest.mark.skipif(not datasets.available(), reason=datasets.missing_reason())


@pytest.fixture(scope="module")
def export():
    """The sklearn_embed.onnx module, or a skip without the onnx extra."""
    pytest.importorskip("skl2onnx", reason='the onnx extra: pip install -e ".[onnx]"')
    pytest.importorskip("onnxruntime", reason='the onnx extra: pip install -e ".[onnx]"')
    return importlib.import_module("sklearn_embed.onnx")


def _run(onx, X, **kwargs):
    from onnxruntime import InferenceSession

    from sklearn_embed.onnx import onnx_inputs

    session = InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, onnx_inputs(session, X, **kwargs))


def _to_onnx(model, X=None, **kwargs):
    from skl2onnx import to_onnx

    return to_onnx(model, X, target_opset={"": 17, "ai.onnx.ml": 3}, **kwargs)


def _predicting(**params):
    """An encoder that outputs its vectors and its prediction."""
    return EmbeddingEncoder(output="vectors+prediction", **params)


def _in_mode(encoder, mode):
    """A copy of a fitted encoder whose output mode is ``mode``, and its expected ``transform``."""
    encoder = copy.deepcopy(encoder).set_params(output=mode)
    return encoder, encoder.transform


def _assert_same_output(got, expected, encoder, mode):
    """Vectors and numbers are copied exactly; the prediction to 1e-5 of the network's scale.

    The network runs in float32, in NumPy and in ONNX Runtime alike, which sum
    its products in another order.
    """
    assert got.shape == expected.shape and got.dtype == expected.dtype
    n_prediction = 0 if mode == "vectors" else encoder.coefs_[-1].shape[1]
    copied = expected.shape[1] - n_prediction
    np.testing.assert_array_equal(got[:, :copied], expected[:, :copied])
    scale = encoder.model_.target.scale if encoder.target_type_ == "continuous" else 1.0
    np.testing.assert_allclose(
        got[:, copied:], expected[:, copied:], rtol=1e-5, atol=1e-5 * np.max(scale)
    )


def _with_unseen_and_missing(X, categorical, seed=0):
    """``X`` with 10% unseen and 10% missing values in each categorical column, NaN in float ones.

    Integer columns stay integers (they cannot hold NaN); their unseen values are new numbers.
    """
    rng = np.random.default_rng(seed)
    X = X.copy()
    for column in X.columns:
        draw = rng.random(len(X))
        unseen, missing = draw < 0.1, (draw >= 0.1) & (draw < 0.2)
        if X[column].dtype.kind in "iu":
            if column in categorical:
                X.loc[unseen, column] = X[column].max() + 1000 + np.arange(unseen.sum())
        elif X[column].dtype.kind == "f":
            X.loc[missing, column] = np.nan
        else:
            X.loc[unseen, column] = "never seen at fit"
            X.loc[missing, column] = np.nan
    return X


@pytest.fixture(scope="module")
def shared_fits():
    """Per shared table: an encoder fit on a sample, the test rows, and a sample for to_onnx."""
    fits = {}

    def fit(name):
        if name not in fits:
            data = SHARED[name]()
            X_fit = data.X.sample(min(3000, len(data.X) - 500), random_state=0)
            X_test = data.X.drop(X_fit.index).sample(500, random_state=1)
            encoder = _predicting(
                categorical_features=data.categorical, max_iter=5, random_state=0
            ).fit(X_fit, data.y.loc[X_fit.index])
            X_test = _with_unseen_and_missing(X_test, data.categorical)
            # skl2onnx reads the input types from the sample's first row.
            sample = X_test.dropna().head(3)
            fits[name] = data, encoder, X_fit, X_test, sample
        return fits[name]

    return fit


# ----------------------------------------------------------------- packaging


def test_the_package_imports_without_skl2onnx_and_the_module_says_what_to_install():
    code = (
        "import sys; sys.modules['skl2onnx'] = None; sys.modules['onnx'] = None\n"
        "import sklearn_embed\n"
        "try:\n    import sklearn_embed.onnx\nexcept ImportError as error:\n    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert 'pip install "sklearn-embed[onnx]"' in result.stdout


# --------------------------------------------------------- the shared tables


@needs_shared_data
@pytest.mark.parametrize("mode", OUTPUT_MODES)
@pytest.mark.parametrize("name", list(SHARED))
def test_onnx_runtime_outputs_what_transform_outputs_on_the_shared_tables(
    export, shared_fits, name, mode
):
    _, encoder, _, X_test, sample = shared_fits(name)
    encoder, expected = _in_mode(encoder, mode)
    onx = _to_onnx(encoder, sample)
    (got,) = _run(onx, X_test)
    _assert_same_output(got, expected(X_test), encoder, mode)


@needs_shared_data
def test_rows_with_unseen_and_missing_values_get_the_unknown_and_missing_rows(export, shared_fits):
    _, encoder, _, X_test, sample = shared_fits("adult")
    k = list(encoder.categorical_features_).index("occupation")
    assert np.isnan(encoder.categories_[k][-1])  # missing occupations have a row of their own
    (got,) = _run(_to_onnx(encoder, sample), X_test)
    vectors = got[:, encoder.get_feature_names_out() == "occupation_emb0"][:, 0]
    table = encoder.embeddings_[k][:, 0]
    assert (vectors[X_test["occupation"].isna().to_numpy()] == table[-2]).all()
    assert (vectors[(X_test["occupation"] == "never seen at fit").to_numpy()] == table[-1]).all()


@needs_shared_data
def test_initial_types_export_a_sample_whose_first_row_has_missing_strings(export, shared_fits):
    _, encoder, _, X_test, _ = shared_fits("salaries")
    first_missing = X_test[X_test["Underfilled Job Title"].isna()]
    onx = _to_onnx(encoder, initial_types=export.initial_types(first_missing))
    (got,) = _run(onx, X_test)
    _assert_same_output(got, encoder.transform(X_test), encoder, "vectors+prediction")


# ------------------------------------------------------------------ pipelines


@needs_shared_data
def test_a_logistic_regression_pipeline_predicts_as_scikit_learn(export, shared_fits):
    data, _, X_fit, X_test, sample = shared_fits("adult")
    model = LogisticRegression(max_iter=500)
    pipeline = make_pipeline(
        _predicting(max_iter=5, random_state=0),
        StandardScaler(),
        model,
    ).fit(X_fit, data.y.loc[X_fit.index])
    labels, probabilities = _run(
        _to_onnx(pipeline, sample, options={id(model): {"zipmap": False}}), X_test
    )
    np.testing.assert_array_equal(labels, pipeline.predict(X_test))
    np.testing.assert_allclose(probabilities, pipeline.predict_proba(X_test), rtol=1e-5, atol=1e-5)


# skl2onnx 1.20's tree ensembles, under protobuf<7.34 (see the onnx extra).
ignore_tree_attribute_warning = pytest.mark.filterwarnings(
    "ignore:Field onnx.AttributeProto.ints. Expected an int, got a boolean:DeprecationWarning"
)


def _skip_if_skl2onnx_trees_fail():
    import google.protobuf

    if tuple(int(p) for p in google.protobuf.__version__.split(".")[:2]) >= (7, 34):
        pytest.skip(
            "skl2onnx 1.20 writes Python bools into the int attributes of tree ensembles, "
            'which protobuf>=7.34 rejects; the onnx extra pins it: pip install -e ".[onnx]"'
        )


@needs_shared_data
@ignore_tree_attribute_warning
@pytest.mark.parametrize("name", ["car", "salaries", "flights"])
def test_a_hist_gradient_boosting_pipeline_predicts_as_scikit_learn(export, shared_fits, name):
    _skip_if_skl2onnx_trees_fail()
    data, _, X_fit, X_test, sample = shared_fits(name)
    booster = (
        HistGradientBoostingClassifier
        if data.task != "regression"
        else HistGradientBoostingRegressor
    )
    model = booster(max_iter=10, random_state=0)
    # dtype float64 (the default): the encoder hands the ensemble float32 in the graph.
    encoder = EmbeddingEncoder(categorical_features=data.categorical, max_iter=5, random_state=0)
    pipeline = make_pipeline(encoder, model).fit(X_fit, data.y.loc[X_fit.index])
    options = {id(model): {"zipmap": False}} if data.task != "regression" else None
    outputs = _run(_to_onnx(pipeline, sample, options=options), X_test)
    if data.task == "regression":
        # The tree ensemble sums its leaves in float32: equal to 1e-5 of the target's scale.
        atol = 1e-5 * data.y.std()
        np.testing.assert_allclose(
            outputs[0].ravel(), pipeline.predict(X_test), rtol=1e-5, atol=atol
        )
    else:
        np.testing.assert_array_equal(outputs[0], pipeline.predict(X_test))
        np.testing.assert_allclose(outputs[1], pipeline.predict_proba(X_test), rtol=1e-5, atol=1e-5)


# ------------------------------------------------- the plain call, on the bundled sample


@pytest.fixture(scope="module")
def adult_sample():
    from sklearn_embed import load_adult_sample

    X, y = load_adult_sample()
    return X[:3_000], y[:3_000], X[3_000:]


def _zipmap_probabilities(zipped, classes):
    """The probabilities ZipMap gives as one dict per row, as an array in the order of ``classes``."""
    return np.array([[row[label] for label in classes] for row in zipped])


@ignore_tree_attribute_warning
@pytest.mark.parametrize(
    "steps",
    [
        [StandardScaler(), LogisticRegression()],
        [HistGradientBoostingClassifier(max_iter=20, random_state=0)],
        [SimpleImputer(), LogisticRegression()],
    ],
    ids=["linear", "boosting", "imputer"],
)
def test_the_plain_to_onnx_call_serves_a_pipeline_as_scikit_learn_predicts(
    export, adult_sample, steps
):
    """to_onnx(pipeline, X[:1]), no initial_types and no options: skl2onnx's ZipMap, tree
    ensembles and imputer take floats, which the encoder hands them."""
    from skl2onnx import to_onnx

    if isinstance(steps[0], HistGradientBoostingClassifier):
        _skip_if_skl2onnx_trees_fail()
    X, y, X_new = adult_sample
    X_new = X_new.assign(age=X_new["age"].astype(float))  # a double input first: still floats
    X = X.assign(age=X["age"].astype(float))
    pipeline = make_pipeline(EmbeddingEncoder(max_iter=5, random_state=0), *steps).fit(X, y)
    labels, zipped = _run(to_onnx(pipeline, X[:1]), X_new)
    classes = pipeline.classes_
    np.testing.assert_array_equal(labels, pipeline.predict(X_new))
    np.testing.assert_allclose(
        _zipmap_probabilities(zipped, classes), pipeline.predict_proba(X_new), atol=1e-5
    )


def test_the_plain_call_serves_the_encoder_inside_a_column_transformer(export, adult_sample):
    from skl2onnx import to_onnx
    from sklearn.compose import ColumnTransformer

    X, y, X_new = adult_sample
    strings = X.select_dtypes(exclude="number").columns.tolist()
    numbers = X.select_dtypes(include="number").columns.tolist()
    columns = ColumnTransformer(
        [
            ("embedded", EmbeddingEncoder(max_iter=5, random_state=0), strings),
            ("scaled", StandardScaler(), numbers),
        ]
    )
    pipeline = make_pipeline(columns, LogisticRegression()).fit(X, y)
    labels, zipped = _run(to_onnx(pipeline, X[:1]), X_new)
    np.testing.assert_array_equal(labels, pipeline.predict(X_new))
    np.testing.assert_allclose(
        _zipmap_probabilities(zipped, pipeline.classes_), pipeline.predict_proba(X_new), atol=1e-5
    )


def test_alone_the_encoder_still_exports_transforms_float64_bit_for_bit(export, adult_sample):
    from skl2onnx import to_onnx

    X, y, X_new = adult_sample
    encoder = EmbeddingEncoder(max_iter=5, random_state=0).fit(X, y)
    (got,) = _run(to_onnx(encoder, X[:1]), X_new)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, encoder.transform(X_new))


# ------------------------------------------------------------- column types


def _mixed_table(n=400, seed=0):
    """Every kind of categorical column, a float and an int column; y depends on all of them."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "shop": pd.Series(rng.choice(["a", "b", "c", "d"], n)).where(rng.random(n) > 0.1),
            "flag": rng.random(n) > 0.5,
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
            "zip": rng.choice([10001, 7030, 94110], n),
            "store": pd.Series(rng.choice([0.0, 1.0, 2.0], n)).where(rng.random(n) > 0.1),
            "price": rng.normal(10, 3, n),
            "count": rng.integers(0, 5, n),
        }
    )
    y = (X["shop"].isin(["a", "b"]) ^ X["flag"] ^ (X["price"] > 10)).astype(int)
    categorical = ["shop", "flag", "size", "zip", "store"]
    return X, y, categorical


@pytest.mark.parametrize("mode", OUTPUT_MODES)
@pytest.mark.parametrize("remainder", ["passthrough", "drop"])
def test_string_bool_categorical_int_and_float_columns_export_in_every_mode(
    export, mode, remainder
):
    X, y, categorical = _mixed_table()
    encoder = EmbeddingEncoder(
        categorical_features=categorical, smooth=0, max_iter=3, random_state=0, remainder=remainder
    ).fit(X, y)
    assert np.isnan(encoder.categories_[4][-1])  # "store" has a missing row
    encoder, expected = _in_mode(encoder, mode)
    X_new = X.copy()
    X_new.loc[:9, "shop"] = "never seen at fit"
    X_new.loc[10:19, "zip"] = 12345
    X_new.loc[20:29, "store"] = 2.5  # not a whole number: unknown, never rounded onto a category
    X_new.loc[30:39, "price"] = np.nan
    (got,) = _run(_to_onnx(encoder, X.dropna().head(2)), X_new)
    _assert_same_output(got, expected(X_new), encoder, mode)


@pytest.mark.parametrize("target_opset", [11, None])
def test_the_graph_runs_from_opset_11_to_the_latest(export, target_opset):
    from skl2onnx import to_onnx

    X, y, categorical = _mixed_table()
    encoder = _predicting(categorical_features=categorical, smooth=0, max_iter=3, random_state=0)
    encoder.fit(X, y)
    onx = to_onnx(encoder, X.dropna().head(2), target_opset=target_opset)
    _assert_same_output(_run(onx, X)[0], encoder.transform(X), encoder, "vectors+prediction")
    with pytest.raises(ValueError, match="opset 11 and ai.onnx.ml opset 2 or later"):
        to_onnx(encoder, X.dropna().head(2), target_opset=10)


def test_float32_output_and_a_multiclass_target_export(export):
    X, _, categorical = _mixed_table()
    y = np.asarray(["low", "mid", "high"])[X["count"].to_numpy() % 3]
    encoder = _predicting(
        categorical_features=categorical, smooth=0, max_iter=3, random_state=0, dtype=np.float32
    ).fit(X, y)
    (got,) = _run(_to_onnx(encoder, X.dropna().head(2)), X)
    assert got.dtype == np.float32
    _assert_same_output(got, encoder.transform(X), encoder, "vectors+prediction")


def test_an_encoder_loaded_from_its_model_file_exports_with_several_continuous_outputs(
    export, tmp_path
):
    X, _, categorical = _mixed_table()
    Y = np.column_stack([X["price"] * 1000 + X["zip"] / 10, X["count"] - 2.0])
    encoder = _predicting(categorical_features=categorical, smooth=0, max_iter=3, random_state=0)
    encoder.fit(X, Y)
    encoder.save(tmp_path / "model.sk-embed")
    loaded = EmbeddingEncoder.load(tmp_path / "model.sk-embed")
    (got,) = _run(_to_onnx(loaded, X.dropna().head(2)), X)
    names = ["network_prediction0", "network_prediction1"]
    assert encoder.get_feature_names_out()[-2:].tolist() == names
    _assert_same_output(got, encoder.transform(X), loaded, "vectors+prediction")


def test_a_shared_table_is_stored_once(export):
    rng = np.random.default_rng(0)
    teams = np.array(["ajax", "psv", "az", "twente"])
    X = pd.DataFrame({"home": rng.choice(teams, 300), "away": rng.choice(teams, 300)})
    y = (X["home"] < X["away"]).astype(int)
    encoder = EmbeddingEncoder(
        shared_embeddings=[["home", "away"]], smooth=0, max_iter=3, random_state=0
    ).fit(X, y)
    onx = _to_onnx(encoder, X.head(1))
    tables = [
        t for t in onx.graph.initializer if list(t.dims) == list(encoder.embeddings_[0].shape)
    ]
    assert len(tables) == 1
    np.testing.assert_array_equal(_run(onx, X)[0], encoder.transform(X))


@pytest.mark.parametrize("kind", ["int", "float", "str"])
def test_a_two_dimensional_array_is_one_input(export, kind):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 4, size=(300, 3))
    y = (X[:, 0] + X[:, 1] > 3).astype(int)
    X = {"int": X, "float": X.astype(float), "str": X.astype(str).astype(object)}[kind]
    encoder = EmbeddingEncoder(categorical_features=[0, 1], smooth=0, max_iter=3, random_state=0)
    if kind == "str":
        encoder.set_params(categorical_features="auto")
    encoder.fit(X, y)
    X_new = X.copy()
    X_new[:5, 0] = {"int": 9, "float": np.nan, "str": "9"}[kind]
    onx = _to_onnx(encoder, X[:1])
    assert len(onx.graph.input) == 1
    np.testing.assert_array_equal(_run(onx, X_new)[0], encoder.transform(X_new))


def test_a_custom_missing_string_marker_frees_the_empty_string_as_a_category(export):
    X = pd.DataFrame({"code": ["", "x", "y", None] * 50})
    y = [0, 1, 1, 0] * 50
    encoder = EmbeddingEncoder(smooth=0, max_iter=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="'' at fit.*missing_string"):
        _to_onnx(encoder, X.head(1))
    onx = _to_onnx(encoder, X.head(1), options={EmbeddingEncoder: {"missing_string": "<NA>"}})
    (got,) = _run(onx, X, missing_string="<NA>")
    np.testing.assert_array_equal(got, encoder.transform(X))


# -------------------------------------------------------------------- errors


def _small_fit(**params):
    X = pd.DataFrame({"shop": ["a", "b", "c", "a"] * 25, "price": np.arange(100.0)})
    return X, EmbeddingEncoder(max_iter=2, random_state=0, **params).fit(X, [0, 1, 1, 0] * 25)


def test_handle_unknown_error_cannot_be_exported_and_the_message_gives_the_fix(export):
    X, encoder = _small_fit(handle_unknown="error")
    with pytest.raises(ValueError, match=r"set_params\(handle_unknown='use_unknown'\)"):
        _to_onnx(encoder, X.head(1))


def test_a_sample_with_other_columns_than_fit_is_refused(export):
    X, encoder = _small_fit()
    with pytest.raises(
        ValueError, match=r"columns \['price', 'shop'\].*fit on \['shop', 'price'\]"
    ):
        _to_onnx(encoder, X[["price", "shop"]].head(1))


def test_a_string_column_given_as_integers_is_refused_at_conversion(export):
    from skl2onnx.common.data_types import DoubleTensorType, Int64TensorType

    _, encoder = _small_fit()
    types = [("shop", Int64TensorType([None, 1])), ("price", DoubleTensorType([None, 1]))]
    with pytest.raises(TypeError, match="'shop' was fit on string values.*int"):
        _to_onnx(encoder, initial_types=types)


def test_categories_without_an_onnx_type_are_refused_at_conversion(export):
    from skl2onnx.common.data_types import Int64TensorType

    X = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=4).repeat(25)})
    encoder = EmbeddingEncoder(categorical_features=["day"], smooth=0, max_iter=2).fit(
        X, [0, 1] * 50
    )
    with pytest.raises(TypeError, match="'day' holds datetime64 values"):
        export.initial_types(X)
    with pytest.raises(TypeError, match="'day' has categories of type \\['Timestamp'\\]"):
        _to_onnx(encoder, initial_types=[("day", Int64TensorType([None, 1]))])


def test_non_integer_numeric_categories_are_refused_at_conversion(export):
    X = pd.DataFrame({"dose": [0.5, 1.5, 2.5, 0.5] * 25})
    encoder = EmbeddingEncoder(categorical_features=["dose"], smooth=0, max_iter=2)
    encoder.fit(X, [0, 1, 1, 0] * 25)
    with pytest.raises(TypeError, match=r"'dose' has non-integer numeric categories"):
        _to_onnx(encoder, X.head(1))


def test_missing_values_in_an_integer_input_are_refused_by_onnx_inputs(export):
    X = pd.DataFrame({"zip": [10001, 7030] * 50})
    encoder = EmbeddingEncoder(categorical_features=["zip"], smooth=0, max_iter=2).fit(
        X, [0, 1] * 50
    )
    onx = _to_onnx(encoder, X.head(1))
    with pytest.raises(ValueError, match="'zip' has 1 missing values.*tensor\\(int64\\)"):
        export.onnx_inputs(onx, pd.DataFrame({"zip": [10001.0, np.nan]}))


# ------------------------------------------------------------------- the docs


def test_the_serving_page_example_runs_and_serves_what_scikit_learn_predicts(
    export, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # the example writes adult.onnx
    page = (ROOT / "docs" / "user_guide" / "serving.md").read_text()
    example = "\n".join(re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL))
    namespace = {}
    exec(compile(example, "docs/user_guide/serving.md", "exec"), namespace)  # noqa: S102 - our own page
    X_new, model = namespace["X_new"], namespace["model"]
    np.testing.assert_array_equal(namespace["labels"], model.predict(X_new))
    np.testing.assert_allclose(
        namespace["probabilities"], model.predict_proba(X_new), rtol=1e-5, atol=1e-5
    )
    # The row fed by hand, its empty occupation a missing value.
    row = pd.DataFrame([{**namespace["strings"], **namespace["integers"]}])[X_new.columns]
    row["occupation"] = np.nan
    np.testing.assert_allclose(
        namespace["probability"], model.predict_proba(row), rtol=1e-5, atol=1e-5
    )


def test_item8_float32_export_holds_float32s_largest_value_as_transform_does(export):
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abc"), 300), "x": rng.normal(size=300)})
    encoder = _predicting(dtype=np.float32, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        encoder.fit(X, rng.normal(size=300) * 1e40)  # a prediction beyond float32
        beyond = X.assign(x=[1e39, np.nan, -1e39] + X["x"].tolist()[3:])
        expected = encoder.transform(beyond)
    got = _run(_to_onnx(encoder, X), beyond)[0]
    assert not np.isinf(got).any() and np.isnan(got[1, 2])  # the NaN of the input stays
    _assert_same_output(got, expected, encoder, "vectors+prediction")
