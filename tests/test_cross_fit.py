"""Cross-fitting: fit_transform encodes each training row with rare categories' vectors (and a
prediction) its own row did not train."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_embed import DataWarning, EmbeddingEncoder


def _rare_levels(n=6_000, n_levels=600, seed=0):
    """A column of rare levels (10 rows each, on average) whose effects are real but noisy."""
    rng = np.random.RandomState(seed)
    levels = rng.randint(n_levels, size=n)
    effects = np.random.RandomState(99).normal(size=n_levels)  # the same levels' effects
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-effects[levels]))).astype(int)
    return pd.DataFrame({"level": levels.astype(str), "x": rng.normal(size=n)}), y


def _rare_noise(n=3_000, seed=0):
    """A column of rare levels (3 rows each) and a target independent of everything."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"rare": rng.randint(n // 3, size=n).astype(str), "x": rng.normal(size=n)})
    return X, rng.randint(2, size=n)


@pytest.mark.parametrize("smooth", ["auto", 0])
def test_the_cross_fitted_rows_show_what_new_rows_show_not_the_networks_memory(smooth):
    """On its own training rows, the network's prediction ranks them far better than new rows
    (it memorised them); cross-fitted, it ranks them about as well as new rows."""
    X, y = _rare_levels()
    new, y_new = _rare_levels(seed=1)
    encoder = EmbeddingEncoder(smooth=smooth, output="vectors+prediction", random_state=0)
    cross_fitted = encoder.fit_transform(X, y)[:, -1]
    in_sample = encoder.transform(X)[:, -1]
    held_out = roc_auc_score(y_new, encoder.transform(new)[:, -1])
    assert roc_auc_score(y, in_sample) > held_out + 0.08
    assert abs(roc_auc_score(y, cross_fitted) - held_out) < 0.03


def test_rare_levels_of_noise_keep_no_memory_even_with_smooth_0():
    """smooth=0 keeps a vector for every level; re-estimated on the training rows, the levels of
    a column without signal stay at the unknown vector (no epoch improves the validation loss),
    so neither fit's nor fit_transform's rows carry the network's memory of them."""
    X, y = _rare_noise()
    encoder = EmbeddingEncoder(smooth=0, output="vectors+prediction", random_state=0)
    cross_fitted = encoder.fit_transform(X, y)
    assert len(encoder.categories_[0]) > 900  # smooth=0: every level has its row
    assert (encoder.embeddings_[0] == encoder.embeddings_[0][-1]).all()
    assert abs(roc_auc_score(y, cross_fitted[:, -1]) - 0.5) < 0.04
    assert abs(roc_auc_score(y, encoder.transform(X)[:, -1]) - 0.5) < 0.04


def _survey(n_respondents=600, n_items=40, seed=0):
    """Respondents crossed with items, 5 to 10 answers each, 3 ordered classes."""
    rng = np.random.RandomState(seed)
    respondent, item = rng.normal(0, 1.5, n_respondents), rng.normal(0, 0.8, n_items)
    answered = [
        (r, i)
        for r in range(n_respondents)
        for i in rng.choice(n_items, rng.randint(5, 11), replace=False)
    ]
    r, i = np.array(answered).T
    latent = respondent[r] + item[i] + rng.logistic(0, 0.6, len(r))
    y = np.array(["low", "mid", "high"])[
        np.searchsorted(np.quantile(latent, [1 / 3, 2 / 3]), latent)
    ]
    X = pd.DataFrame({"respondent": [f"r{v}" for v in r], "item": [f"i{v}" for v in i]})
    return X, y


def test_on_a_survey_a_model_fed_the_encoder_scores_as_the_network_alone_held_out():
    """Respondents with a few answers each: the network knows them, and a linear model on its
    cross-fitted output scores within 0.01 of the network alone on held-out answers, where
    trained on the network's own training rows it did far worse."""
    X, y = _survey()
    scores = {"network": [], "cross-fitted": [], "in-sample": []}
    for train, test in StratifiedKFold(3, shuffle=True, random_state=0).split(X, y):
        for cross_fit in (True, False):
            encoder = EmbeddingEncoder(
                cross_fit=cross_fit, output="vectors+prediction", random_state=0
            )
            model = make_pipeline(encoder, StandardScaler(), LogisticRegression(max_iter=2000))
            model.fit(X.iloc[train], y[train])
            label = "cross-fitted" if cross_fit else "in-sample"
            scores[label].append(log_loss(y[test], model.predict_proba(X.iloc[test])))
            if cross_fit:  # the network of the default encoder, alone
                scores["network"].append(log_loss(y[test], encoder.model_.predict(X.iloc[test])))
    network, cross_fitted, in_sample = (np.mean(scores[k]) for k in scores)
    assert cross_fitted < network + 0.01
    assert in_sample > network + 0.03


def test_transform_after_fit_transform_is_fits_transform():
    X, y = _rare_levels(seed=1)
    new, _ = _rare_levels(seed=2)
    fitted = EmbeddingEncoder(random_state=0).fit(X, y)
    cross_fitted = EmbeddingEncoder(random_state=0)
    cross_fitted.fit_transform(X, y)
    np.testing.assert_array_equal(cross_fitted.transform(new), fitted.transform(new))
    np.testing.assert_array_equal(cross_fitted.embeddings_[0], fitted.embeddings_[0])


def test_fit_transform_is_bit_identical_on_refit_with_a_seed():
    X, y = _rare_levels(seed=3)
    first = EmbeddingEncoder(random_state=7).fit_transform(X, y)
    second = EmbeddingEncoder(random_state=7).fit_transform(X, y)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, EmbeddingEncoder(random_state=7).fit(X, y).transform(X))


def test_cross_fit_false_is_fit_then_transform():
    X, y = _rare_levels(seed=4)
    params = dict(cross_fit=False, smooth=0, random_state=0)
    np.testing.assert_array_equal(
        EmbeddingEncoder(**params).fit_transform(X, y),
        EmbeddingEncoder(**params).fit(X, y).transform(X),
    )


def test_frequent_categories_keep_their_final_vectors():
    """Only the vectors a fold's rows could have taught much are re-estimated."""
    rng = np.random.RandomState(5)
    X = pd.DataFrame({"shop": rng.choice(list("abcd"), 2_000)})
    y = (X["shop"].isin(["a", "b"]) ^ (rng.uniform(size=2_000) < 0.2)).astype(int)
    encoder = EmbeddingEncoder(random_state=0)
    np.testing.assert_array_equal(encoder.fit_transform(X, y), encoder.transform(X))


@pytest.mark.parametrize(
    "cv", [3, KFold(4, shuffle=True, random_state=0), "groups", "iterable"], ids=str
)
def test_cv_takes_an_int_a_splitter_or_an_iterable_of_splits(cv):
    X, y = _rare_levels(1_200, n_levels=100, seed=6)
    if cv == "groups":
        cv = GroupKFold(3).split(X, y, groups=np.arange(len(X)) % 3)
    elif cv == "iterable":
        cv = list(KFold(3).split(X))
    encoder = EmbeddingEncoder(cv=cv, random_state=0)
    out = encoder.fit_transform(X, y)
    assert out.shape == encoder.transform(X).shape and np.isfinite(out).all()


@pytest.mark.parametrize("cv", [1, 0, "five"])
def test_a_cv_that_cannot_split_is_refused(cv):
    X, y = _rare_levels(300, n_levels=30, seed=7)
    with pytest.raises(ValueError, match="cv"):
        EmbeddingEncoder(cv=cv).fit_transform(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_used_up_iterable_of_splits_is_refused_naming_cv_before_any_training():
    X, y = _rare_levels(600, n_levels=60, seed=8)
    encoder = EmbeddingEncoder(cv=KFold(3).split(X), max_iter=3, random_state=0)
    encoder.fit_transform(X, y)  # the generator is used up here
    fitted = encoder.model_
    with pytest.raises(ValueError, match=r"cv gave no splits: a generator of splits is used up"):
        encoder.fit_transform(X, y)
    assert encoder.model_ is fitted  # refused before training: the encoder is as it was


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_splits_that_leave_rows_out_are_refused():
    X, y = _rare_levels(600, n_levels=60, seed=8)
    half = [(np.arange(300), np.arange(300, 600)), (np.arange(300, 600), np.arange(100, 300))]
    with pytest.raises(ValueError, match=r"leave 100 row\(s\) out and repeat 0"):
        EmbeddingEncoder(cv=half, max_iter=3).fit_transform(X, y)


def test_fewer_rows_than_folds_names_cv_and_cross_fit_false():
    X, y = pd.DataFrame({"shop": list("abc")}), [0, 1, 1]
    encoder = EmbeddingEncoder(smooth=0, max_iter=2)
    with pytest.raises(
        ValueError, match=r"cv=5 asks for 5 folds of 3 training rows.*cross_fit=False"
    ):
        encoder.fit_transform(X, y)
    assert not hasattr(encoder, "model_")
    with pytest.warns(ConvergenceWarning):
        out = EmbeddingEncoder(cross_fit=False, smooth=0, max_iter=2).fit_transform(X, y)
    assert out.shape[0] == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_class_with_fewer_rows_than_folds_falls_back_to_unstratified_folds(recwarn):
    X, y = _rare_levels(600, n_levels=60, seed=9)
    y[:2] = 2  # a third class with 2 rows: 5 stratified folds are impossible
    out = EmbeddingEncoder(max_iter=3, random_state=0).fit_transform(X, y)
    assert np.isfinite(out).all()
    assert not [w for w in recwarn if "least populated class" in str(w.message)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_largest_seed_cross_fits():
    X, y = _rare_levels(600, n_levels=200, seed=10)
    encoder = EmbeddingEncoder(max_iter=3, random_state=2**32 - 1)
    assert np.isfinite(encoder.fit_transform(X, y)).all()


def _one_fold_category(frozen):
    """A table where category "z" has rows in the first fold only, and its given vector."""
    X, y = _rare_levels(900, n_levels=30, seed=11)
    X.loc[:2, "level"] = "z"
    given = pd.DataFrame([[3.0, -3.0]], index=["z"])
    folds = list(KFold(3).split(X))  # rows 0-2 are in the first fold
    encoder = EmbeddingEncoder(
        cv=folds,
        embedding_dim=2,
        initial_embeddings={"level": given},
        freeze_embeddings=frozen,
        smooth=0,
        random_state=0,
    )
    return encoder, X, y, given


@pytest.mark.parametrize("frozen", [False, True], ids=["trained", "frozen"])
def test_a_given_category_its_fold_alone_holds_gets_its_given_vector(frozen):
    encoder, X, y, given = _one_fold_category(frozen)
    if frozen:  # the other categories share the unknown vector, and fit says so
        with pytest.warns(DataWarning, match="only 0% of its 900 training rows"):
            out = encoder.fit_transform(X, y)
    else:
        out = encoder.fit_transform(X, y)
    np.testing.assert_allclose(out[:3, :2], np.repeat(given.to_numpy(), 3, axis=0), rtol=1e-6)


def test_a_category_its_fold_alone_holds_gets_the_unknown_vector():
    X, y = _rare_levels(900, n_levels=30, seed=11)
    X.loc[:2, "level"] = "z"
    encoder = EmbeddingEncoder(cv=list(KFold(3).split(X)), smooth=0, random_state=0)
    out = encoder.fit_transform(X, y)
    dim = encoder.embedding_dims_["level"]
    np.testing.assert_allclose(out[:3, :dim], np.repeat(encoder.embeddings_[0][-1:], 3, axis=0))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_fitting_with_sample_weights_and_a_warm_start():
    X, y = _rare_levels(1_200, n_levels=200, seed=12)
    weight = np.random.RandomState(0).uniform(0.5, 2.0, size=len(X))
    encoder = EmbeddingEncoder(max_iter=5, warm_start=True, random_state=0)
    first = encoder.fit_transform(X, y, sample_weight=weight)
    second = encoder.fit_transform(X, y, sample_weight=weight)  # continues from the first
    assert np.isfinite(first).all() and np.isfinite(second).all()
    assert not np.array_equal(first, second)
    new = _rare_levels(300, n_levels=200, seed=13)[0]
    refit = EmbeddingEncoder(max_iter=5, random_state=0).fit(X, y, sample_weight=weight)
    again = EmbeddingEncoder(max_iter=5, random_state=0)
    again.fit_transform(X, y, sample_weight=weight)
    np.testing.assert_array_equal(again.transform(new), refit.transform(new))


def test_without_rare_categories_each_fold_is_encoded_as_transform_encodes_it():
    """The folds' rows are rewritten from the fit's own codes and scaled numbers: they must
    be the rows transform reads (missing values, numbers, column order)."""
    rng = np.random.RandomState(14)
    n = 2_000
    X = pd.DataFrame(
        {
            "x": np.where(rng.uniform(size=n) < 0.1, np.nan, rng.normal(size=n)),
            "shop": pd.Series(rng.choice(["a", "b", None], size=n), dtype=object),
            "size": rng.choice(["s", "m", "l", "xl"], size=n),
        }
    )
    signal = (X["shop"] == "a") + (X["size"] == "xl") + rng.uniform(size=n)
    y = np.array(["low", "mid", "high"])[np.digitize(signal, [0.8, 1.6])]
    params = dict(output="vectors+prediction", random_state=0)
    out = EmbeddingEncoder(**params).fit_transform(X, y)
    expected = EmbeddingEncoder(cross_fit=False, **params).fit(X, y).transform(X)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_a_shared_table_cross_fits_each_of_its_columns():
    rng = np.random.RandomState(15)
    n, teams = 1_500, rng.normal(size=150)
    home, away = rng.randint(150, size=n), rng.randint(150, size=n)
    X = pd.DataFrame({"home": home.astype(str), "away": away.astype(str)})
    y = (teams[home] - teams[away] + rng.normal(size=n) > 0).astype(int)
    params = dict(shared_embeddings=[["home", "away"]], random_state=0)
    encoder = EmbeddingEncoder(**params)
    out = encoder.fit_transform(X, y)
    dim = encoder.embedding_dims_["home"]
    assert out.shape == (n, 2 * dim) and np.isfinite(out).all()
    assert not np.allclose(out, encoder.transform(X))  # the rare teams' rows are out of fold
    new = X.sample(200, random_state=1)
    refit = EmbeddingEncoder(**params).fit(X, y)
    np.testing.assert_array_equal(encoder.transform(new), refit.transform(new))


def test_a_splitter_that_needs_groups_is_refused_with_the_list_recipe():
    X, y = _rare_levels(600, n_levels=60, seed=8)
    with pytest.raises(
        ValueError, match=r"splits by groups.*cv=list\(splitter.split\(X, y, groups"
    ):
        EmbeddingEncoder(cv=GroupKFold(3)).fit_transform(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_splits_of_another_table_are_refused_inside_cross_validation():
    X, y = _rare_levels(600, n_levels=60, seed=8)
    splits = list(GroupKFold(3).split(X, y, groups=np.arange(len(X)) % 7))  # of all of X
    model = make_pipeline(EmbeddingEncoder(cv=splits, max_iter=3), LogisticRegression())
    with pytest.raises(ValueError, match=r"splits index row \d+, but fit_transform was given 400"):
        cross_val_score(model, X, y, cv=KFold(3), error_score="raise")


def test_a_time_series_split_is_refused_naming_cross_fit_false():
    X, y = _rare_levels(600, n_levels=60, seed=8)
    with pytest.raises(
        ValueError,
        match=r"leave 150 row\(s\) out.*\(ShuffleSplit, TimeSeriesSplit\).*cross_fit=False",
    ):
        EmbeddingEncoder(cv=TimeSeriesSplit(3)).fit_transform(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cv_none_is_five_folds():
    X, y = _rare_levels(600, n_levels=200, seed=16)
    five = EmbeddingEncoder(cv=5, max_iter=5, random_state=0).fit_transform(X, y)
    none = EmbeddingEncoder(cv=None, max_iter=5, random_state=0).fit_transform(X, y)
    np.testing.assert_array_equal(none, five)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_splitter_cv_is_saved_as_none_and_the_model_as_it_was(tmp_path):
    X, y = _rare_levels(600, n_levels=60, seed=8)
    encoder = EmbeddingEncoder(cv=StratifiedKFold(3), max_iter=3, random_state=0).fit(X, y)
    encoder.save(tmp_path / "model.sk-embed")
    loaded = EmbeddingEncoder.load(tmp_path / "model.sk-embed")
    assert loaded.cv is None and loaded.cross_fit is True
    np.testing.assert_array_equal(loaded.transform(X), encoder.transform(X))


def test_a_warm_start_cross_fits_from_the_unknown_vector_not_from_its_own_memory():
    """A warm start begins from the previous fit's tables, which saw every training row: its
    rare rows are re-estimated from the unknown vector, as a cold fit's are. (Its frequent
    categories and dense weights, trained twice on the same rows, keep a little more memory
    than a cold fit's: 0.047 of AUC here, against 0.011 cold and 0.135 in sample.)"""
    X, y = _rare_levels()
    new, y_new = _rare_levels(seed=1)
    encoder = EmbeddingEncoder(output="vectors+prediction", warm_start=True, random_state=0)
    encoder.fit_transform(X, y)
    cross_fitted = encoder.fit_transform(X, y)[:, -1]  # the warm start
    held_out = roc_auc_score(y_new, encoder.transform(new)[:, -1])
    in_sample = roc_auc_score(y, encoder.transform(X)[:, -1])
    assert in_sample > held_out + 0.08
    assert roc_auc_score(y, cross_fitted) - held_out < (in_sample - held_out) / 2


def test_rare_categories_of_weightless_rows_are_left_at_their_prior():
    X, y = _rare_levels(1_200, n_levels=100, seed=17)
    weight = np.where(X["level"] == "7", 0.0, 1.0)  # level 7's rows count for nothing
    encoder = EmbeddingEncoder(smooth=0, random_state=0)
    out = encoder.fit_transform(X, y, sample_weight=weight)
    assert np.isfinite(out).all()
    table = encoder.get_embeddings("level")
    np.testing.assert_array_equal(table.loc["7"], encoder.embeddings_[0][-1])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Column 'shop' holds a single value:sklearn_embed.DataWarning")
def test_a_fit_without_early_stopping_on_one_row_fits():
    X = pd.DataFrame({"shop": ["a"], "x": [1.0]})
    encoder = EmbeddingEncoder(early_stopping=False, max_iter=2).fit(X, [1.5])
    assert encoder.n_iter_ == 2


def test_splits_of_floats_or_negative_rows_are_refused_and_masks_taken():
    X, y = _rare_levels(300, n_levels=30, seed=18)
    folds = list(KFold(3).split(X))
    floats = [(train, test.astype(float)) for train, test in folds]
    with pytest.raises(ValueError, match=r"1-D arrays of row indices .* dtype float64"):
        EmbeddingEncoder(cv=floats, smooth=0).fit_transform(X, y)
    negative = [(train, test - 1) for train, test in folds]
    with pytest.raises(ValueError, match=r"index row -1: rows are counted from 0"):
        EmbeddingEncoder(cv=negative, smooth=0).fit_transform(X, y)
    masks = [(np.isin(np.arange(300), a), np.isin(np.arange(300), b)) for a, b in folds]
    params = dict(smooth=0, max_iter=5, random_state=0)
    np.testing.assert_array_equal(
        EmbeddingEncoder(cv=masks, **params).fit_transform(X, y),
        EmbeddingEncoder(cv=folds, **params).fit_transform(X, y),
    )
