"""transform's output: numbers kept exact where the dtype can hold them, finite, said when not (issue 21)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import DataWarning, EmbeddingEncoder

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
    seen = enc._coder.network_numeric(X)[ordinary, 0]
    assert 0.1 < seen.std() < 1.5  # the ordinary values keep a spread (was 1e-12 of the scale)


def test_item10_more_outliers_than_the_clip_holds_warn():
    X, y = _outlier_table(2_000, 60)  # 3%: the 1% quantile is an outlier itself
    with pytest.warns(DataWarning, match=r"Column 'x': more than 1% .* extreme values") as caught:
        EmbeddingEncoder(max_iter=1, random_state=0).fit(X, y)
    assert [w.message.kind for w in caught if w.category is DataWarning] == ["outliers"]


def test_item10_a_sparse_flag_and_heavy_tails_do_not_warn():
    rng = np.random.RandomState(0)
    flag = (rng.uniform(size=5000) < 0.03).astype(float)
    X = pd.DataFrame({"shop": rng.choice(list("ab"), 5000), "flag": flag,
                      "income": rng.lognormal(0, 2, 5000), "cauchy": rng.standard_cauchy(5000)})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        enc = EmbeddingEncoder(max_iter=1, random_state=0).fit(X, rng.randint(2, size=5000))
    assert enc.numeric_bounds_[0].tolist() == [-1.0, 2.0]  # both values of the flag kept


# ------------------------------------------------------------ item 8: finite output


def test_item8_a_column_constant_in_training_is_held_to_its_value():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abc"), 300), "c": np.ones(300)})
    enc = EmbeddingEncoder(max_iter=2, output="vectors+prediction", random_state=0)
    enc.fit(X, rng.randint(2, size=300))
    assert enc.numeric_bounds_.tolist() == [[1.0, 1.0]]  # was [-inf, inf]
    out = enc.transform(X.assign(c=[1e39] + [1.0] * 299))
    assert np.isfinite(out).all()  # the log-odds of the first row was NaN
    np.testing.assert_array_equal(out[0, -1], out[1, -1])
