"""Shrinkage and merging of noisy categories (the leakage control), and effect recovery."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist
from scipy.stats import spearmanr

from sklearn_embed import DataWarning, EmbeddingEncoder
from sklearn_embed._shrinkage import (
    MAX_MERGE_COUNT,
    column_smooth,
    merge_threshold,
    shrink_table,
    smooth_and_merge,
)
from sklearn_embed._statistics import ColumnStatistics, TableStatistics, Tally, TargetTotals


def _grouped(effects, n_per, noise, seed=0):
    rng = np.random.RandomState(seed)
    codes = np.repeat(np.arange(len(effects)), n_per)
    y = np.asarray(effects)[codes] + rng.normal(scale=noise, size=codes.size)
    return codes, y[:, None]


def _smooth(codes, y):
    tally = Tally.of(codes, codes.max() + 1, y, np.ones(len(y), np.float32), y.shape[1])
    return column_smooth(tally, float((y**2).sum()))


def test_auto_smooth_is_the_noise_to_signal_ratio():
    # Category means spread with variance 1, noise variance 4: m close to 4.
    effects = np.random.RandomState(1).normal(size=400)
    codes, y = _grouped(effects, 50, noise=2.0)
    assert 3.0 < _smooth(codes, y) < 5.5


def test_auto_smooth_without_signal_is_huge_or_infinite():
    codes, y = _grouped(np.zeros(20), 100, noise=1.0)
    assert _smooth(codes, y) > 100
    balanced = np.tile([-1.0, 1.0], 1000)[:, None]  # every category mean exactly 0
    assert _smooth(np.repeat(np.arange(20), 100), balanced) == np.inf


def test_auto_smooth_of_class_codes_sums_the_classes_variances():
    # Three classes; 50 categories that decide the class with noise: a finite, moderate m.
    rng = np.random.RandomState(0)
    codes = np.repeat(np.arange(50), 40)
    y = np.where(rng.uniform(size=codes.size) < 0.8, codes % 3, rng.randint(3, size=codes.size))
    tally = Tally.of(codes, 50, y.astype(np.int32), np.ones(codes.size, np.float32), 3)
    dense = Tally.of(codes, 50, np.eye(3, dtype=np.float32)[y], np.ones(codes.size, np.float32), 3)
    m = column_smooth(tally, float(codes.size))
    assert m == pytest.approx(column_smooth(dense, float(codes.size)), rel=1e-12)
    assert 0.05 < m < 5


def test_the_rule_merges_rare_values_and_one_row_values_of_an_identifier():
    """The same rule for fit and partial_fit: counts below min(f * m, 100) merge; ids merge."""
    weight = np.ones(400, np.float32)
    # 40 ids seen once (half of the 80 rows of a table), then frequent values.
    ids = np.r_[np.arange(40), np.repeat(np.arange(40, 44), 10)]
    y = (np.arange(80) % 2).astype(np.float32)[:, None]
    column = ColumnStatistics.empty(45, 1, classes=False)
    column = column.counted(ids, pd.Series(ids), y, weight[:80], 1)
    totals = TargetTotals().counted(y, weight[:80])
    table = TableStatistics.of("id", [column], totals, np.zeros(44, dtype=bool), frozen=False)
    decision = smooth_and_merge(table, smooth=0.5, factor=1)
    assert decision.keep[:40].all() and decision.keep[40:].all() and not decision.findings
    decision = smooth_and_merge(table, smooth="auto", factor=1)
    assert not decision.keep[:40].any()
    assert [f.kind for f in decision.findings] == ["identifier"]
    assert decision.findings[0].column == "id"


def test_shrink_table_pulls_toward_the_unknown_row():
    table = np.array([[2.0, 0.0], [0.0, 4.0], [1.0, 1.0]])  # last row: unknown
    shrunk = shrink_table(table, np.array([3.0, 1.0, 0.0]), smooth=1.0)
    np.testing.assert_allclose(shrunk, [[1.75, 0.25], [0.5, 2.5], [1.0, 1.0]])
    np.testing.assert_array_equal(shrink_table(table, np.array([3.0, 1.0, 0.0]), 0.0), table)


def test_the_merge_threshold_is_capped():
    assert merge_threshold(10.0) == 10.0 and merge_threshold(10.0, factor=5) == 50.0
    assert merge_threshold(np.inf) == MAX_MERGE_COUNT


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # few epochs on purpose
@pytest.mark.filterwarnings("ignore:Column 'noise'.*constant:sklearn_embed.DataWarning")
def test_noisy_rare_categories_merge_and_clean_ones_stay():
    rng = np.random.RandomState(0)
    n = 6000
    # "clean": 60 categories that decide y; "noise": 300 ids unrelated to y.
    clean = rng.randint(60, size=n)
    noise = rng.randint(300, size=n)
    y = np.linspace(-3, 3, 60)[clean] + rng.normal(scale=0.3, size=n)
    X = pd.DataFrame({"clean": clean.astype(str), "noise": noise.astype(str)})
    enc = EmbeddingEncoder(max_iter=20, random_state=0).fit(X, y)
    assert enc.smooth_["clean"] < 1 and enc.smooth_["noise"] > 100
    assert len(enc.categories_[0]) == 60 and len(enc.infrequent_categories_[0]) == 0
    assert len(enc.categories_[1]) == 0 and len(enc.infrequent_categories_[1]) == 300
    out = enc.transform(X)
    noise_columns = [
        i for i, name in enumerate(enc.get_feature_names_out()) if name.startswith("noise")
    ]
    assert np.ptp(out[:, noise_columns], axis=0).max() == 0  # one vector for all ids
    kept = EmbeddingEncoder(max_iter=2, smooth=0, random_state=0).fit(X, y)
    assert len(kept.categories_[1]) == 300


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # few epochs on purpose
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_categories_only_in_the_validation_split_get_the_unknown_vector():
    rng = np.random.RandomState(0)
    n = 2000
    ids = np.array([f"id{i}" for i in range(n)])  # every id seen once
    X = pd.DataFrame({"id": ids, "group": rng.choice(list("ab"), size=n)})
    y = (X["group"] == "a").to_numpy().astype(int)
    enc = EmbeddingEncoder(smooth=0, max_iter=3, cross_fit=False, random_state=0).fit(X, y)
    table = enc.embeddings_[0]
    untrained = (table[:-1] == table[-1]).all(axis=1)
    # About validation_fraction of the ids were never trained; exactly those share the unknown vector.
    assert 0.05 < untrained.mean() < 0.15
    # Re-estimated for cross-fitting (the default), a value seen on one row tells nothing that
    # holds on the validation rows: every id shares the unknown vector.
    table = EmbeddingEncoder(smooth=0, max_iter=3, random_state=0).fit(X, y).embeddings_[0]
    assert (table == table[-1]).all()


def _tail_table(n_tail, tail_effect, seed):
    """A numeric signal and a column of ``n_tail`` categories of a few rows each, heavy-tailed noise."""
    rng = np.random.RandomState(seed)
    n = 4000
    tail = rng.randint(n_tail, size=n)
    x = rng.normal(size=n)
    y = np.sin(2 * x) + rng.normal(scale=tail_effect, size=n_tail)[tail] + rng.standard_t(2, size=n)
    return pd.DataFrame({"tail": tail.astype(str), "x": x}), y


@pytest.mark.filterwarnings("ignore:Column 'tail'.*constant:sklearn_embed.DataWarning")
def test_fit_merges_few_row_categories_that_only_add_noise():
    # 800 categories of ~5 rows and no effect: with smooth=3, factor 1 keeps those of 3+ rows.
    X, y = _tail_table(800, 0.0, seed=0)
    epochs = []
    enc = EmbeddingEncoder(smooth=3, categorical_features=["tail"], random_state=0)
    enc.fit(X, y, callback=lambda record: epochs.append(record["epoch"]))
    assert enc.merge_factor_ == 5
    assert (enc.category_counts_[0][:-1] >= 15).all()  # min(5 * smooth, 100)
    assert len(enc.categories_[0]) < 10 and len(enc.infrequent_categories_[0]) > 790
    assert epochs.count(1) == 2 and len(epochs) > enc.n_iter_  # two networks were trained
    # Continuing keeps the threshold fit chose: the merged categories stay merged.
    n_kept = len(enc.categories_[0])
    enc.partial_fit(X, y)
    assert enc.merge_factor_ == 5 and len(enc.categories_[0]) == n_kept
    warm = EmbeddingEncoder(
        smooth=3, categorical_features=["tail"], warm_start=True, random_state=0
    )
    warm.fit(X, y).fit(X, y)
    assert warm.merge_factor_ == 5 and len(warm.categories_[0]) == n_kept


def test_fit_keeps_few_row_categories_that_carry_signal():
    # The same shape, but each category moves y by about twice the noise's spread.
    X, y = _tail_table(800, 3.0, seed=0)
    enc = EmbeddingEncoder(smooth=3, categorical_features=["tail"], random_state=0).fit(X, y)
    assert enc.merge_factor_ == 1
    assert len(enc.categories_[0]) > 600  # those of 3 rows or more
    # The attributes are those of the kept network, although the other was started after it.
    assert len(enc.embeddings_[0]) == len(enc.categories_[0]) + 1 == len(enc.category_counts_[0])
    assert enc.get_feature_names_out().size == enc.transform(X).shape[1]
    again = EmbeddingEncoder(smooth=3, categorical_features=["tail"], random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.transform(X), enc.transform(X))


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # few epochs on purpose
@pytest.mark.filterwarnings(
    "ignore:Column 'shop'.*constant:sklearn_embed.DataWarning"
)  # as classes
def test_the_network_not_kept_does_not_warn():
    # 500 shops of 8 rows, smooth_ about 2.6: five times it would merge every shop (a
    # constant column, which warns), but the shops carry signal and the usual threshold wins.
    rng = np.random.RandomState(0)
    shop = np.repeat(np.arange(500), 8)
    y = rng.normal(scale=0.6, size=500)[shop] + rng.normal(size=shop.size)
    X = pd.DataFrame({"shop": shop.astype(str)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enc = EmbeddingEncoder(random_state=0).fit(X, y)
    assert enc.merge_factor_ == 1 and len(enc.categories_[0]) == 500
    assert [str(w.message) for w in caught] == []
    # The kept network's warnings are raised once, at the caller of fit.
    with pytest.warns(DataWarning, match="5 distinct whole numbers") as record:
        EmbeddingEncoder(max_iter=5, random_state=0).fit(X, np.clip(np.round(y), -2, 2).astype(int))
    target_warnings = [w for w in record if "5 distinct whole numbers" in str(w.message)]
    assert len(target_warnings) == 1 and target_warnings[0].filename == __file__


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # few epochs on purpose
# The shop acts only with x (y is their XOR): the verdict that it shows no effect of its own
# is true, and not what this test checks.
@pytest.mark.filterwarnings("ignore:Column 'shop'.* no effect:sklearn_embed.DataWarning")
@pytest.mark.parametrize("early_stopping", [True, False])
def test_one_network_when_no_category_is_rare_or_without_early_stopping(early_stopping):
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abc"), size=600), "x": rng.normal(size=600)})
    y = (X["shop"] == "a") ^ (X["x"] > 0)
    epochs = []
    enc = EmbeddingEncoder(early_stopping=early_stopping, max_iter=20, random_state=0)
    enc.fit(X, y, callback=lambda record: epochs.append(record["epoch"]))
    assert enc.merge_factor_ == 1
    assert epochs == list(range(1, enc.n_iter_ + 1))


@pytest.mark.slow
def test_recovers_known_effects():
    """Pairwise embedding distances rank-correlate with the true effect distances."""
    rng = np.random.RandomState(0)
    n_categories, n = 30, 30_000
    effects = rng.uniform(-2, 2, size=n_categories)
    codes = rng.randint(n_categories, size=n)
    y = effects[codes] + rng.normal(scale=1.0, size=n)
    X = pd.DataFrame({"shop": np.char.add("s", codes.astype(str))})
    enc = EmbeddingEncoder(random_state=0).fit(X, y)
    table = enc.get_embeddings("shop")
    true = effects[[int(label[1:]) for label in table.index]]
    rho = spearmanr(pdist(table.to_numpy()), pdist(true[:, None])).statistic
    assert rho >= 0.9


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 3 epochs
@pytest.mark.parametrize("value", [None, "same"], ids=["all-missing", "one-value"])
def test_a_column_of_one_value_is_called_that(value):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"shop": rng.choice(list("abcd"), 400), "empty": pd.Series([value] * 400, dtype="str")}
    )
    y = (X["shop"] < "c").to_numpy().astype(int)
    with pytest.warns(DataWarning, match="'empty' holds a single value .* Drop it") as caught:
        EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y)
    assert not [w for w in caught if "1 values" in str(w.message)]
