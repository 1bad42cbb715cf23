"""transform's output: exact where its dtype holds the numbers, finite, said when not (issue 21)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import DataWarning, EmbeddingEncoder

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# The toys whose shop column is noise, drawn apart from y: fit's verdict that it shows no
# effect (its vectors shrunk to one) is true, and not what these tests check.
shop_is_noise = pytest.mark.filterwarnings(
    "ignore:Column 'shop'.* no effect:sklearn_embed.DataWarning"
)


def _outlier_table(n, n_outliers, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-2 * x))).astype(int)
    x[rng.choice(n, n_outliers, replace=False)] = 1e12
    return pd.DataFrame({"shop": rng.choice(list("ab"), n), "x": x}), y


# ------------------------------------------------------------ item 10: outliers


@pytest.mark.parametrize("n, n_outliers", [(20_000, 5), (20_000, 21), (2_000, 2), (2_000, 19)])
def test_item10_clip_bounds_hold_for_any_share_of_outliers_below_one_percent(n, n_outliers):
    X, y = _outlier_table(n, n_outliers)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # nothing to warn about: the clip holds
        enc = EmbeddingEncoder(max_iter=1, random_state=0).fit(X, y)
    low, high = enc.numeric_bounds_[0]
    assert -100 < low < -5 and 5 < high < 100  # were -1e12 and 2e12 from 0.1% of outliers on
    ordinary = X["x"].to_numpy() < 1e12
    seen = enc.model_.network_inputs(X)[1][ordinary, 0]
    assert 0.1 < seen.std() < 1.5  # the ordinary values keep a spread (was 1e-12 of the scale)


def test_item10_more_outliers_than_the_clip_holds_warn():
    X, y = _outlier_table(2_000, 60)  # 3%: the 1% quantile is an outlier itself
    with pytest.warns(DataWarning, match=r"Column 'x': more than 1% .* extreme values") as caught:
        EmbeddingEncoder(max_iter=1, random_state=0).fit(X, y)
    assert [w.message.kind for w in caught if w.category is DataWarning] == ["outliers"]


def test_item10_a_sparse_flag_and_heavy_tails_do_not_warn():
    rng = np.random.RandomState(0)
    flag = (rng.uniform(size=5000) < 0.03).astype(float)
    X = pd.DataFrame(
        {
            "shop": rng.choice(list("ab"), 5000),
            "flag": flag,
            "income": rng.lognormal(0, 2, 5000),
            "cauchy": rng.standard_cauchy(5000),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        enc = EmbeddingEncoder(max_iter=1, random_state=0).fit(X, rng.randint(2, size=5000))
    assert enc.numeric_bounds_[0].tolist() == [-1.0, 2.0]  # both values of the flag kept


# ------------------------------------------------------------ item 8: finite output


@shop_is_noise
def test_item8_a_column_constant_in_training_is_held_to_its_value():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abc"), 300), "c": np.ones(300)})
    enc = EmbeddingEncoder(max_iter=2, output="vectors+prediction", random_state=0)
    enc.fit(X, rng.randint(2, size=300))
    assert enc.numeric_bounds_.tolist() == [[1.0, 1.0]]  # was [-inf, inf]
    out = enc.transform(X.assign(c=[1e39] + [1.0] * 299))
    assert np.isfinite(out).all()  # the log-odds of the first row was NaN
    np.testing.assert_array_equal(out[0, -1], out[1, -1])


def test_item8_float32_output_clips_what_it_cannot_hold_and_says_so():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abc"), 300), "x": rng.normal(size=300)})
    y = rng.normal(size=300) * 1e40  # a continuous target beyond float32
    enc = EmbeddingEncoder(
        max_iter=2, dtype=np.float32, output="vectors+prediction", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        enc.fit(X, y)
    unseen = X.assign(x=[-1e39] + X["x"].tolist()[1:])
    with pytest.warns(DataWarning) as caught:
        out = enc.transform(unseen)
    assert np.isfinite(out).all()  # the prediction and the first x were infinite
    largest = np.finfo(np.float32).max
    assert out[0, -2] == -largest and np.abs(out[:, -1]).max() == largest
    found = {w.message.column: str(w.message) for w in caught}
    assert set(found) == {"x", "network_prediction"}
    assert "1 values lie beyond float32's range (such as -1e+39)" in found["x"]
    assert "dtype=np.float64" in found["network_prediction"]
    with warnings.catch_warnings(record=True) as caught:  # float64 holds them: nothing to say
        warnings.simplefilter("always")
        enc = EmbeddingEncoder(max_iter=2, output="vectors+prediction", random_state=0)
        enc.fit(X, y).transform(unseen)
    assert "output_precision" not in [getattr(w.message, "kind", None) for w in caught]


def test_item8_transform_never_makes_nan_or_infinity_from_finite_input():
    rng = np.random.RandomState(1)
    X = pd.DataFrame(
        {
            "shop": rng.choice(list("abc"), 200),
            "x": rng.normal(size=200),
            "flag": (np.arange(200) == 0).astype(float),
            "c": np.zeros(200),
        }
    )
    extremes = pd.DataFrame(
        {
            "shop": ["a", "zz"] * 2,
            "x": [1e308, -1e308, 3e38, np.nan],
            "flag": [1e300, -1e300, 2.0, 0],
            "c": [-1e308, 1e308, 7, 0],
        }
    )
    for y in (rng.randint(2, size=200), rng.randint(5, size=200).astype(str), rng.normal(size=200)):
        for dtype in (np.float64, np.float32):
            enc = EmbeddingEncoder(max_iter=2, dtype=dtype, output="vectors+prediction")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                out = enc.fit(X, y).transform(extremes)
            x_column = enc.get_feature_names_out().tolist().index("x")
            assert np.isnan(out[3, x_column])  # the one NaN of the input
            assert np.isfinite(np.delete(out, x_column, axis=1)).all()
            assert np.isfinite(out[:3]).all()


# ------------------------------------------------------------ item 6: integers beyond 2**53


@shop_is_noise
def test_item6_passed_through_integers_beyond_2_53_warn_that_float64_rounds_them():
    X = pd.DataFrame(
        {
            "shop": list("ab") * 150,
            "account": np.full(300, 2**53 + 1, dtype=np.int64),
            "small": np.arange(300) % 7,  # small integers, exact in float64
            "exact": np.full(300, 2**60),
        }
    )
    enc = EmbeddingEncoder(max_iter=1, random_state=0).fit(X, [0, 1, 1] * 100)
    expected = (
        r"'account': 300 integers lie beyond 2\*\*53.*9007199254740993 becomes "
        r"9007199254740992"
    )
    with pytest.warns(DataWarning, match=expected) as caught:
        enc.transform(X)
    assert [(w.message.kind, w.message.column) for w in caught] == [("output_precision", "account")]
    nullable = X.assign(account=pd.array([2**63 - 1, None] * 150, dtype="Int64"))
    with pytest.warns(DataWarning, match=r"'account': 150 integers"):
        enc.transform(nullable)


# ------------------------------------------------------------ item 15: the prediction in blocks


@shop_is_noise
def test_item15_the_prediction_written_in_blocks_is_the_one_computed_at_once(monkeypatch):
    from sklearn_embed import _model
    from sklearn_embed._network import NetworkParams, predict_in_chunks

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abcdefgh"), 20_000), "x": rng.normal(size=20_000)})
    y = rng.choice(["low", "mid", "high"], 20_000)
    enc = EmbeddingEncoder(max_iter=1, output="vectors+prediction", random_state=0).fit(X, y)
    monkeypatch.setattr(_model, "BLOCK_VALUES", 3 * _model.CHUNK_ROWS)  # 3 blocks
    in_blocks = enc.transform(X)[:, -3:]
    params = NetworkParams(enc.embeddings_, enc.coefs_, enc.intercepts_)
    codes, numeric = enc.model_.network_inputs(X)
    scores = predict_in_chunks(params, codes, numeric, enc.activation, "continuous")
    np.testing.assert_array_equal(in_blocks, _model.prediction_columns(scores, enc.model_.target))
