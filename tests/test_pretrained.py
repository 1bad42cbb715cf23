"""Pretrained, frozen and shared embedding tables, and warm starts."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_embed import DataWarning, EmbeddingEncoder

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:Column .* constant:sklearn_embed.DataWarning"),
]


def _shops(n=600, seed=0):
    """A shop column whose first three shops sell, and a noise column."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"shop": rng.choice(list("abcdef"), n), "size": rng.normal(size=n)})
    y = (X["shop"].isin(list("abc")) ^ (rng.uniform(size=n) < 0.1)).astype(int)
    return X, y


def _given(categories, dim=3, seed=1):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(rng.normal(size=(len(categories), dim)), index=list(categories))


def _league(seed, n_teams=60, n_matches=800):
    """Matches whose home win probability is set by the two teams' strength difference."""
    rng = np.random.RandomState(seed)
    strength = rng.normal(size=n_teams)
    home = rng.randint(n_teams, size=n_matches)
    away = (home + rng.randint(1, n_teams, size=n_matches)) % n_teams
    p_home_win = 1 / (1 + np.exp(-2 * (strength[home] - strength[away])))
    teams = np.array([f"team{i:02d}" for i in range(n_teams)])
    X = pd.DataFrame({"home": teams[home], "away": teams[away]})
    y = (rng.uniform(size=n_matches) < p_home_win).astype(int)
    return X, y, pd.Series(strength, index=teams)


# ------------------------------------------------------------ initial tables


def test_a_frozen_table_is_exactly_the_given_one():
    X, y = _shops()
    given = _given("abcdz")  # z never occurs in X; e and f are not in the table
    enc = EmbeddingEncoder(
        initial_embeddings={"shop": given}, freeze_embeddings=True, random_state=0
    )
    enc.fit(X, y)
    table = enc.get_embeddings("shop")
    assert table.index.tolist() == list("abcdz")
    np.testing.assert_array_equal(table.to_numpy(), given.to_numpy(np.float32))
    assert enc.smooth_["shop"] == 0
    assert enc.infrequent_categories_[0].tolist() == list("ef")
    out = enc.transform(pd.DataFrame({"shop": ["z", "a", "e"], "size": 0.0}))
    np.testing.assert_array_equal(out[:2, :3], given.loc[["z", "a"]].to_numpy(np.float32))
    np.testing.assert_array_equal(out[2, :3], enc.embeddings_[0][-1])  # not in the table
    # The network trained on top of the fixed vectors: they separate the shops well.
    assert enc.best_validation_score_ > -0.45


def test_an_initial_table_trains_and_its_width_sets_the_size():
    X, y = _shops()
    given = _given("abcz", dim=4)
    enc = EmbeddingEncoder(initial_embeddings={"shop": given}, smooth=0, random_state=0).fit(X, y)
    assert enc.embedding_dims_ == {"shop": 4}
    table = enc.get_embeddings("shop")
    assert table.index.tolist() == list("abcdefz")
    assert not np.allclose(table.loc[list("abc")], given.loc[list("abc")], atol=1e-3)
    # A category of the table that X never shows keeps its vector, and transform uses it.
    np.testing.assert_array_equal(table.loc["z"], given.loc["z"].to_numpy(np.float32))
    out = enc.transform(pd.DataFrame({"shop": ["z"], "size": [0.0]}))
    np.testing.assert_array_equal(out[0, :4], given.loc["z"].to_numpy(np.float32))


def test_rare_categories_shrink_toward_their_given_vector():
    X, y = _shops()
    X.loc[:2, "shop"] = "rare"  # three rows
    given = _given(["a", "rare"])
    enc = EmbeddingEncoder(initial_embeddings={"shop": given}, smooth=1000, random_state=0).fit(
        X, y
    )
    table = enc.get_embeddings("shop")
    assert "rare" in table.index  # a given category is never merged into the unknown row
    pulled = np.abs(table.loc["rare"].to_numpy() - given.loc["rare"].to_numpy()).max()
    assert pulled < 0.01 * np.abs(given.loc["rare"]).max()


def test_initial_tables_from_a_fitted_encoder():
    X, y = _shops()
    first = EmbeddingEncoder(embedding_dim=2, smooth=0, random_state=0).fit(X, y)
    enc = EmbeddingEncoder(initial_embeddings=first, record_embeddings=True, random_state=1)
    enc.fit(X.assign(other=X["shop"]), y)  # "other" has no table in first: it starts as usual
    assert enc.embedding_dims_["shop"] == 2
    start = enc.embedding_history_[0][0]
    np.testing.assert_array_equal(start, first.embeddings_[0])  # the unknown vector too
    assert enc.embedding_dims_["other"] != 2 or not np.array_equal(
        enc.embedding_history_[1][0], first.embeddings_[0]
    )


def test_a_fitted_encoder_survives_clone_inside_frozen_estimator():
    X, y = _shops()
    first = EmbeddingEncoder(embedding_dim=2, smooth=0, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="not fitted.*FrozenEstimator"):
        clone(EmbeddingEncoder(initial_embeddings=first)).fit(X, y)
    enc = clone(EmbeddingEncoder(initial_embeddings=FrozenEstimator(first), freeze_embeddings=True))
    enc.fit(X, y)
    np.testing.assert_array_equal(enc.embeddings_[0][:-1], first.embeddings_[0][:-1])


@pytest.mark.parametrize(
    "params, error, message",
    [
        (
            {"initial_embeddings": {"city": _given("ab")}},
            ValueError,
            r"names columns \['city'\] that are not embedded",
        ),
        (
            {"initial_embeddings": {"shop": np.ones((2, 2))}},
            TypeError,
            "must be a pandas DataFrame",
        ),
        (
            {"initial_embeddings": {"shop": _given("ab").assign(x=[np.nan, 1])}},
            ValueError,
            r"missing or infinite values for categories \['a'\]",
        ),
        (
            {"initial_embeddings": {"shop": _given("aab")}},
            ValueError,
            r"repeats categories \['a'\]",
        ),
        (
            {"initial_embeddings": {"shop": pd.DataFrame({"v": [1, "y"]}, index=["a", "b"])}},
            ValueError,
            "column 'v' holds 'y' for category 'b'",
        ),
        ({"initial_embeddings": {"shop": _given([1, 2])}}, TypeError, "categories of another type"),
        (
            {"initial_embeddings": {"shop": _given("ab")}, "embedding_dim": 5},
            ValueError,
            r"'shop': 5 \(table 3\)",
        ),
        (
            {"initial_embeddings": {"shop": _given("ab").astype(complex)}},
            TypeError,
            "complex numbers",
        ),
        ({"freeze_embeddings": True}, ValueError, "initial_embeddings gives none"),
        ({"freeze_embeddings": ["shop"]}, ValueError, "gives no table"),
        (
            {"initial_embeddings": {"shop": _given("ab")}, "freeze_embeddings": ["size"]},
            ValueError,
            "not embedded",
        ),
    ],
)
def test_table_parameters_are_checked(params, error, message):
    X, y = _shops()
    with pytest.raises(error, match=message):
        EmbeddingEncoder(**params).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"freeze_embeddings": "yes"},
        {"shared_embeddings": "home"},
        {"initial_embeddings": [1]},
        {"warm_start": "no"},
    ],
)
def test_parameter_types_are_validated(params):
    X, y = _shops()
    with pytest.raises(InvalidParameterError):
        EmbeddingEncoder(**params).fit(X, y)


def test_a_table_that_names_categories_another_way_warns():
    X, y = _shops()
    upper = _given("ABCDEF")  # the column holds "a" .. "f"
    with pytest.warns(
        DataWarning, match=r"'shop': only 0% of its 600 training rows .* share the unknown"
    ):
        EmbeddingEncoder(
            initial_embeddings={"shop": upper}, freeze_embeddings=True, max_iter=3
        ).fit(X, y)
    with pytest.warns(DataWarning, match="start from random vectors"):
        EmbeddingEncoder(initial_embeddings={"shop": upper}, max_iter=3).fit(X, y)


# ------------------------------------------------------------ shared tables


def test_a_shared_group_has_one_vocabulary_and_one_table():
    X, y, _ = _league(0)
    # team99 is only ever the away side, in as many games as two teams play away (a team of
    # a few games would be re-estimated, and may share the unknown vector).
    X.loc[X["away"].isin(["team07", "team08"]), "away"] = "team99"
    enc = EmbeddingEncoder(shared_embeddings=[["home", "away"]], smooth=0, random_state=0).fit(X, y)
    home, away = enc.categories_
    assert home.tolist() == away.tolist() == sorted(set(X["home"]) | set(X["away"]))
    assert enc.embeddings_[0] is enc.embeddings_[1]
    np.testing.assert_array_equal(enc.get_embeddings("home"), enc.get_embeddings("away"))
    assert enc.get_feature_names_out()[0] == "home_emb0"
    assert enc.get_feature_names_out()[-1].startswith("away_emb")
    # A team seen only as the away side has its own vector when it plays at home.
    out = enc.transform(
        pd.DataFrame({"home": ["team99", "never-seen"], "away": ["team01", "team01"]})
    )
    dim = enc.embedding_dims_["home"]
    np.testing.assert_array_equal(out[0, :dim], enc.get_embeddings("away").loc["team99"])
    assert not np.allclose(out[0, :dim], out[1, :dim])  # not the unknown vector


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_shared_1d_table_recovers_team_strength_better_than_two(seed):
    X, y, strength = _league(seed)
    params = {"embedding_dim": 1, "hidden_layer_sizes": (), "random_state": 0}
    shared = EmbeddingEncoder(shared_embeddings=[["home", "away"]], **params).fit(X, y)
    separate = EmbeddingEncoder(**params).fit(X, y)

    def recovered(table):
        return abs(spearmanr(table.iloc[:, 0], strength.reindex(table.index)).statistic)

    shared_score = recovered(shared.get_embeddings("home"))
    separate_scores = [recovered(separate.get_embeddings(c)) for c in ("home", "away")]
    assert shared_score > 0.9
    assert shared_score > max(separate_scores)


def test_shared_group_errors():
    X, y, _ = _league(0)
    with pytest.raises(TypeError, match=r"list of column groups"):
        EmbeddingEncoder(shared_embeddings=["home", "away"]).fit(X, y)
    with pytest.raises(TypeError, match=r"\['home', 'away'\] share one table .* different kinds"):
        EmbeddingEncoder(
            categorical_features=["home", "away"], shared_embeddings=[["home", "away"]]
        ).fit(X.assign(home=X["home"].str[4:].astype(int)), y)
    with pytest.raises(ValueError, match="needs two columns"):
        EmbeddingEncoder(shared_embeddings=[["home"]]).fit(X, y)
    with pytest.raises(ValueError, match=r"one embedding size; embedding_dim gives \{'home': 2"):
        EmbeddingEncoder(
            shared_embeddings=[["home", "away"]], embedding_dim={"home": 2, "away": 3}
        ).fit(X, y)
    with pytest.raises(ValueError, match=r"different tables"):
        EmbeddingEncoder(
            shared_embeddings=[["home", "away"]],
            initial_embeddings={"home": _given(["team01"]), "away": _given(["team02"])},
        ).fit(X, y)


# ------------------------------------------------------------ warm start


def test_warm_start_continues_where_the_first_fit_ended():
    X, y = _shops()
    enc = EmbeddingEncoder(warm_start=True, record_embeddings=True, random_state=0).fit(X, y)
    first_table, first_coefs = enc.embeddings_[0].copy(), [c.copy() for c in enc.coefs_]
    first_losses = list(enc.loss_curve_)

    X2 = X.copy()
    X2.loc[:99, "shop"] = "new"
    enc.fit(X2, y)
    start = enc.embedding_history_[0][0]
    assert enc.categories_[0].tolist() == list("abcdef") + ["new"]
    np.testing.assert_array_equal(start[:6], first_table[:6])
    np.testing.assert_array_equal(start[6], first_table[-1])  # the new shop starts at unknown
    # The dense layers continued too: the first epoch is already near the first fit's end.
    assert enc.loss_curve_[0] < first_losses[0]
    assert abs(enc.loss_curve_[0] - first_losses[-1]) < 0.5 * (first_losses[0] - first_losses[-1])
    assert not np.array_equal(enc.coefs_[0], first_coefs[0])

    cold = EmbeddingEncoder(record_embeddings=True, random_state=0).fit(X, y).fit(X2, y)
    assert not np.array_equal(cold.embedding_history_[0][0][:6], first_table[:6])


def test_warm_start_refuses_changes_it_cannot_continue():
    X, y = _shops()
    enc = EmbeddingEncoder(warm_start=True, max_iter=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="feature"):
        enc.fit(X.assign(extra=1.0), y)
    with pytest.raises(ValueError, match=r"whose target was binary with classes \[0, 1\]"):
        enc.fit(X, y + 1)
    with pytest.raises(ValueError, match="hidden_layer_sizes changed"):
        enc.set_params(hidden_layer_sizes=(8,)).fit(X, y)
    enc.set_params(hidden_layer_sizes=(64,), categorical_features=[])
    with pytest.raises(ValueError, match=r"embedded \['shop'\]; these rows would embed \[\]"):
        enc.fit(X[["size"]].assign(shop=0.0)[["shop", "size"]], y)


def test_warm_start_keeps_a_continuous_target_on_the_first_scale():
    X, y = _shops()
    target = y * 10.0 + X["size"]
    enc = EmbeddingEncoder(warm_start=True, max_iter=30, random_state=0).fit(X, target)
    before = enc.model_.predict(X)
    enc.set_params(max_iter=1, learning_rate_init=1e-7).fit(X, target + 100)
    # One tiny step: the network still predicts on the first fit's scale.
    np.testing.assert_allclose(enc.model_.predict(X), before, atol=0.05)


# ------------------------------------------------------------ issue 21


# The table gives three of the six shops: fit's warning that half the rows miss it is true,
# and not what this test checks.
@pytest.mark.filterwarnings(
    "ignore:Column 'shop'.* only .* initial_embeddings:sklearn_embed.DataWarning"
)
def test_item7_a_frozen_table_is_output_as_given_in_float32_as_documented():
    X, y = _shops()
    given = pd.DataFrame(
        {"e0": [123456789.123, 0.1, -2.5], "e1": [1e-8, 7.0, 3e3]}, index=["a", "b", "c"]
    )
    enc = EmbeddingEncoder(initial_embeddings={"shop": given}, freeze_embeddings=True, max_iter=2)
    enc.fit(X, y)
    stored = given.to_numpy().astype(np.float32)
    np.testing.assert_array_equal(enc.get_embeddings("shop").loc[["a", "b", "c"]], stored)
    out = enc.transform(pd.DataFrame({"shop": ["a", "c"], "size": [0.0, 0.0]}))
    np.testing.assert_array_equal(out[:, :2], stored[[0, 2]].astype(np.float64))
    assert out[0, 0] == 123456792.0  # float32's nearest value, as the documentation says
    doc = EmbeddingEncoder.__doc__
    freeze = doc[doc.index("freeze_embeddings : bool") : doc.index("shared_embeddings : None")]
    assert "rounded to float32" in freeze and "123456792.0" in freeze


@pytest.mark.parametrize("freeze", [True, False])
def test_item12_given_categories_that_find_one_row_are_refused(freeze):
    X = pd.DataFrame({"zip": [7030, 10001] * 20})
    given = pd.DataFrame({"e0": [1.0, 2.0, 3.0]}, index=["7030", "07030", "10001"])
    enc = EmbeddingEncoder(
        categorical_features=["zip"],
        initial_embeddings={"zip": given},
        freeze_embeddings=freeze,
        max_iter=1,
    )
    expected = (
        r"initial_embeddings\['zip'\] gives the categories \['7030', '07030'\], which are one "
    )
    with pytest.raises(ValueError, match=expected + r"category of the column \(7030\)"):
        enc.fit(X, [0, 1] * 20)


@pytest.mark.parametrize(
    "index, values, error, message",
    [
        (
            ["a", "b"],
            [1e39, 0.0],
            ValueError,
            r"has values beyond float32's range .* categories \['a'\]",
        ),
        (
            ["a", 1, True],
            [1.0, 0.0, 2.0],
            TypeError,
            r"mixes category types \['bool', 'int', 'str'\] in its index",
        ),
        (
            pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["shop", "k"]),
            [1.0, 0.0],
            TypeError,
            r"has a MultiIndex \(levels \['shop', 'k'\]\)",
        ),
    ],
)
def test_item14_unusable_given_tables_are_refused_clearly(index, values, error, message):
    X = pd.DataFrame({"shop": ["a", "b"] * 20})
    table = pd.DataFrame({"e0": values}, index=index)
    with pytest.raises(error, match=r"initial_embeddings\['shop'\] " + message):
        EmbeddingEncoder(initial_embeddings={"shop": table}, max_iter=1).fit(X, [0, 1] * 20)
