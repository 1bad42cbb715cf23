"""No silent wrong results, round 3 (issue 28): one test per item, each failing before its fix."""

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import DataWarning, EmbeddingEncoder

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _caught(function, *args, **kwargs):
    """``function``'s result and the DataWarnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    return result, [w.message for w in caught if issubclass(w.category, DataWarning)]


# ------------------------------------------------------------ item 1: big ids typed as floats


def _snowflake_ids(n=3_000, seed=0):
    """Ids of 1.4e18 + 67 k, each seen about ten times: float64 holds them only to 256."""
    rng = np.random.RandomState(seed)
    ids = 1_400_000_000_000_000_000 + 67 * rng.randint(0, 300, n).astype(np.int64)
    y = (rng.uniform(size=n) < 0.5).astype(int)
    return pd.DataFrame({"id": ids}), y


def test_item1_float_ids_beyond_2_53_get_the_unknown_vector_never_a_neighbours():
    X, y = _snowflake_ids()
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["id"], smooth=0, max_iter=2, random_state=0).fit,
        X,
        y,
    )
    assert len(enc.categories_[0]) == 300
    out, found = _caught(enc.transform, X.astype(np.float64))
    unknown = enc.embeddings_[0][-1]
    # Was: 2,214 of 3,000 rows with another id's vector, and no word.
    assert (out == unknown).all()
    (precision,) = [f for f in found if f.kind == "float_precision"]
    assert precision.column == "id"
    assert "3,000 values are floats beyond 2**53" in str(precision)
    assert "to the nearest 256" in str(precision)


def test_item1_the_float_2_53_does_not_find_the_category_2_53_plus_1():
    ids = np.array([2**53 + 1, 7030] * 50, dtype=np.int64)
    X = pd.DataFrame({"id": ids})
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["id"], smooth=0, max_iter=1, random_state=0).fit,
        X,
        [0, 1] * 50,
    )
    assert enc.categories_[0].tolist() == [7030, 2**53 + 1]
    frame = pd.DataFrame({"id": [2.0**53, 7030.0, 7030.5, np.nan]})
    codes = enc.model_.network_inputs(frame)[0][:, 0]
    # The float 2**53 got 2**53 + 1's row; 7030.0 is 7030 exactly and keeps its row.
    assert codes.tolist() == [2, 0, 2, 2]


def test_item1_a_partial_fit_chunk_of_float_ids_beyond_2_53_is_refused():
    X, y = _snowflake_ids()
    enc = EmbeddingEncoder(categorical_features=["id"], random_state=0)
    _quietly(enc.partial_fit, X[:1500], y[:1500])
    with pytest.raises(TypeError, match=r"Column 'id': 1,500 values are floats beyond 2\*\*53"):
        enc.partial_fit(X[1500:].astype(np.float64), y[1500:])


@pytest.mark.onnx
def test_item1_onnx_with_a_double_input_gives_what_transform_gives():
    pytest.importorskip("skl2onnx")
    pytest.importorskip("onnxruntime")
    from onnxruntime import InferenceSession
    from skl2onnx import to_onnx

    onnx = importlib.import_module("sklearn_embed.onnx")
    X, y = _snowflake_ids()
    small = pd.DataFrame({"id": np.r_[X["id"].to_numpy()[:20], np.arange(7000, 7020)]})
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["id"], smooth=0, max_iter=2, random_state=0).fit,
        pd.concat([X, small.iloc[20:]] * 2, ignore_index=True),
        np.r_[y, np.arange(20) % 2, y, np.arange(20) % 2],
    )
    as_floats = small.astype(np.float64)
    onx = to_onnx(enc, as_floats[:2])
    session = InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    (served,) = session.run(None, onnx.onnx_inputs(session, as_floats))
    expected = _quietly(enc.transform, as_floats)
    np.testing.assert_array_equal(served, expected)
    unknown = enc.embeddings_[0][-1]
    assert (expected[:20] == unknown).all() and not (expected[20:] == unknown).all(axis=1).any()
