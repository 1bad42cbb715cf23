"""Cross-fitting: fit_transform encodes each training row with vectors its own row did not train."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_embed import EmbeddingEncoder


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
