"""Column handling across pandas 3 / numpy dtypes: selection, vocabularies, codes."""

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import EmbeddingEncoder
from sklearn_embed._columns import resolve_categorical_mask
from sklearn_embed._vocabulary import Vocabulary

VALUES = ["b", "a", None, "c", "a", "b", "a", None] * 5


def _column(kind):
    """The same categorical column in each dtype a user may hand us (with missing values)."""
    if kind == "str":
        return pd.Series(VALUES, dtype="str")
    if kind == "string[NA]":
        return pd.Series(VALUES, dtype="string")
    if kind == "object":
        return pd.Series(VALUES, dtype=object)
    if kind == "category":
        # "z" is declared but never used: it must not get a vector.
        return pd.Series(pd.Categorical(VALUES, categories=["c", "b", "a", "z"]))
    raise ValueError(kind)


def fit_vocabulary(series, min_frequency, name):
    vocabulary = Vocabulary.fit(series, min_frequency, name)
    return vocabulary.categories, vocabulary.infrequent


def encode_column(series, categories):
    """Codes of ``series`` in a vocabulary of ``categories``; -1 for values without a row."""
    return Vocabulary(categories, np.array([], dtype=object)).encode(series)


def test_merged_moves_categories_to_the_unknown_row_and_maps_old_rows():
    before = Vocabulary(np.array(["a", "b", "c"], dtype=object), np.array([], dtype=object))
    vocabulary, new_rows = before.merged(np.array([False, True, False]))
    assert before.categories.tolist() == ["a", "b", "c"]  # a value: merging makes a new one
    assert vocabulary.categories.tolist() == ["a", "c"]
    assert vocabulary.infrequent.tolist() == ["b"]
    np.testing.assert_array_equal(new_rows, [0, 2, 1, 2])  # b and the old unknown row -> 2
    np.testing.assert_array_equal(vocabulary.encode(pd.Series(["c", "b", "a"])), [1, -1, 0])


@pytest.mark.parametrize("kind", ["str", "string[NA]", "object", "category"])
def test_vocabulary_and_codes_agree_across_string_dtypes(kind):
    series = _column(kind)
    categories, infrequent = fit_vocabulary(series, min_frequency=1, name="col")
    assert categories[:-1].tolist() == ["a", "b", "c"]
    assert pd.isna(categories[-1])  # missing is a category of its own, last
    assert infrequent.size == 0
    codes = encode_column(series, categories)
    expected = np.array([1, 0, 3, 2, 0, 1, 0, 3] * 5)
    np.testing.assert_array_equal(codes, expected)


def test_rare_categories_and_rare_missing_are_infrequent():
    series = pd.Series(["a"] * 5 + ["b"] * 2 + [None], dtype="str")
    categories, infrequent = fit_vocabulary(series, min_frequency=3, name="col")
    assert categories.tolist() == ["a"]
    assert infrequent[0] == "b" and pd.isna(infrequent[1])
    np.testing.assert_array_equal(encode_column(series, categories), [0] * 5 + [-1] * 3)


def test_min_frequency_as_a_fraction():
    series = pd.Series(["a"] * 9 + ["b"])
    categories, infrequent = fit_vocabulary(series, min_frequency=0.2, name="col")
    assert categories.tolist() == ["a"] and infrequent.tolist() == ["b"]


def test_bool_and_nullable_boolean():
    plain = pd.Series([True, False, True, True])
    categories, _ = fit_vocabulary(plain, 1, "flag")
    assert categories.tolist() == [False, True]
    np.testing.assert_array_equal(encode_column(plain, categories), [1, 0, 1, 1])
    nullable = pd.Series([True, pd.NA, False, True], dtype="boolean")
    categories, _ = fit_vocabulary(nullable, 1, "flag")
    assert categories[:2].tolist() == [False, True] and pd.isna(categories[2])
    np.testing.assert_array_equal(encode_column(nullable, categories), [1, 2, 0, 1])


def test_integer_codes_and_unknown_values():
    series = pd.Series([10, 20, 10, 30])
    categories, _ = fit_vocabulary(series, 1, "zip")
    codes = encode_column(pd.Series([20, 99, 10]), categories)
    np.testing.assert_array_equal(codes, [1, -1, 0])


def test_mixed_object_column_is_refused_with_its_name():
    series = pd.Series(["a", 1, "b", 2.5], dtype=object)
    with pytest.raises(
        TypeError, match=r"Column 'mixed' mixes value types \['float', 'int', 'str'\]"
    ):
        fit_vocabulary(series, 1, "mixed")


def test_auto_selection_by_dtype():
    frame = pd.DataFrame(
        {
            "s": pd.Series(["a", "b"], dtype="str"),
            "n": [1.0, 2.0],
            "c": pd.Categorical(["x", "y"]),
            "b": [True, False],
            "i": [1, 2],
            "o": pd.Series(["a", None], dtype=object),
            "ns": pd.Series(["a", pd.NA], dtype="string"),
        }
    )
    mask = resolve_categorical_mask(frame, list(frame.columns), "auto")
    np.testing.assert_array_equal(mask, [True, False, True, True, False, True, True])


@pytest.mark.parametrize(
    "selection", [["i", "s"], [0, 1], [True, True, False], np.array(["s", "i"], dtype=object)]
)
def test_explicit_selection(selection):
    frame = pd.DataFrame({"s": ["a", "b"], "i": [1, 2], "n": [0.5, 1.5]})
    mask = resolve_categorical_mask(frame, list(frame.columns), selection)
    np.testing.assert_array_equal(mask, [True, True, False])


@pytest.mark.parametrize(
    "selection, message",
    [
        (["nope"], r"names columns \['nope'\] that are not in X"),
        ([5], r"indices \[5\] out of range"),
        ([True, False], "one entry per column"),
    ],
)
def test_bad_selection_is_refused(selection, message):
    frame = pd.DataFrame({"s": ["a", "b"], "i": [1, 2], "n": [0.5, 1.5]})
    with pytest.raises(ValueError, match=message):
        resolve_categorical_mask(frame, list(frame.columns), selection)


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # separable toy: the loss never stops falling
@pytest.mark.parametrize("kind", ["str", "string[NA]", "object", "category"])
def test_encoder_gives_missing_a_trained_vector_of_its_own(kind):
    column = _column(kind)
    # y depends on whether the value is missing, so the missing vector must move.
    y = column.isna().to_numpy().astype(int)
    X = pd.DataFrame({"col": pd.concat([column] * 10, ignore_index=True)})
    y = np.tile(y, 10)
    enc = EmbeddingEncoder(embedding_dim=2, hidden_layer_sizes=(), random_state=0).fit(X, y)
    table = enc.get_embeddings("col")
    assert table.index[:-1].tolist() == ["a", "b", "c"] and pd.isna(table.index[-1])
    out = enc.transform(X)
    assert np.isfinite(out).all()
    missing_rows = column.isna().to_numpy()
    np.testing.assert_allclose(
        out[: len(column)][missing_rows], np.tile(table.iloc[-1], (2 * 5, 1))
    )
    # The missing vector points the other way from the present ones along the output weights.
    scores = enc.embeddings_[0] @ enc.coefs_[0][:, 0]
    assert scores[3] > scores[:3].max()


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # separable toy: the loss never stops falling
def test_numpy_object_array_is_split_into_categorical_and_numeric_columns():
    X = np.array([["a", 1.5], ["b", 2.5], [None, 3.5], ["a", 0.5]] * 10, dtype=object)
    y = [0, 1, 1, 0] * 10
    enc = EmbeddingEncoder(embedding_dim=2, min_frequency=1, random_state=0).fit(X, y)
    assert enc.categorical_features_.tolist() == ["x0"]
    assert enc.get_feature_names_out().tolist() == ["x0_emb0", "x0_emb1", "x1"]
    out = enc.transform(X)
    np.testing.assert_array_equal(out[:, 2], X[:, 1].astype(float))
    assert pd.isna(enc.categories_[0][-1])


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # separable toy: the loss never stops falling
def test_numpy_string_array():
    X = np.array([["a"], ["b"], ["c"]] * 10)
    enc = EmbeddingEncoder(embedding_dim=3, random_state=0).fit(X, [0, 1, 1] * 10)
    assert enc.categories_[0].tolist() == ["a", "b", "c"]
    assert enc.transform(X).shape == (30, 3)


@pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)  # separable toy: the loss never stops falling
def test_polars_input_matches_pandas_input():
    pl = pytest.importorskip("polars", reason='in the test extra: pip install -e ".[test]"')
    frame = pd.DataFrame({"c": ["a", "b", None, "a"] * 10, "n": np.arange(40.0)})
    y = [0, 1, 1, 0] * 10
    from_pandas = EmbeddingEncoder(random_state=0, max_iter=3).fit(frame, y)
    from_polars = EmbeddingEncoder(random_state=0, max_iter=3).fit(pl.from_pandas(frame), y)
    np.testing.assert_array_equal(
        from_pandas.transform(frame), from_polars.transform(pl.from_pandas(frame))
    )
    assert from_polars.feature_names_in_.tolist() == ["c", "n"]
