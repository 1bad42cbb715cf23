"""Whole pipelines saved with skops, trusting only the package's documented types."""

import copy
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_embed import SKOPS_TRUSTED_TYPES, EmbeddingEncoder, load_adult_sample
from sklearn_embed._plain import TAG, from_plain

sio = pytest.importorskip("skops.io", reason='skops is in the test extra: pip install -e ".[test]"')

# A few epochs on 2,000 rows, on purpose: what is saved matters here, not how well it
# was trained (nor that a column shows no effect of its own in so short a fit).
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:Column .* no effect:sklearn_embed.DataWarning"),
]


@pytest.fixture(scope="module")
def adult():
    X, y = load_adult_sample()
    return X.iloc[:2_000], np.asarray(y)[:2_000]


def _round_trip(estimator):
    """The estimator through a skops file, with the documented types trusted, and those it names."""
    data = sio.dumps(estimator)
    return sio.loads(data, trusted=SKOPS_TRUSTED_TYPES), sio.get_untrusted_types(data=data)


def test_a_pipeline_round_trips_through_skops_trusting_only_the_documented_types(adult):
    X, y = adult
    pipeline = make_pipeline(
        EmbeddingEncoder(max_iter=5, random_state=0), StandardScaler(), LogisticRegression()
    ).fit(X, y)
    loaded, untrusted = _round_trip(pipeline)
    assert untrusted == SKOPS_TRUSTED_TYPES == ["sklearn_embed._encoder.EmbeddingEncoder"]
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))


def _partial_fit(encoder, X, y, chunks):
    for rows in np.array_split(np.arange(len(X)), chunks):
        encoder.partial_fit(X.iloc[rows], y[rows], classes=["<=50K", ">50K"])
    return encoder


def _frozen_pretrained(X, y, **shared):
    base = EmbeddingEncoder(max_iter=3, random_state=1, **shared).fit(X, y)
    return EmbeddingEncoder(
        max_iter=3,
        random_state=2,
        initial_embeddings=base,
        freeze_embeddings=["education"],
        **shared,
    )


def _given_as_frames(X, y):
    base = EmbeddingEncoder(max_iter=3, random_state=1).fit(X, y)
    tables = {column: base.get_embeddings(column) for column in ("education", "occupation")}
    return EmbeddingEncoder(max_iter=3, random_state=2, initial_embeddings=tables)


ENCODERS = {
    "binary": lambda X, y: EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y),
    "multiclass": lambda X, y: EmbeddingEncoder(max_iter=3, random_state=0).fit(
        X.drop(columns="race"), X["race"]
    ),
    "continuous": lambda X, y: EmbeddingEncoder(max_iter=3, random_state=0).fit(
        X.drop(columns="age"), X["age"] + 0.5
    ),
    "shared table": lambda X, y: EmbeddingEncoder(
        max_iter=3, random_state=0, shared_embeddings=[["workclass", "occupation"]]
    ).fit(X, y),
    "frozen pretrained": lambda X, y: _frozen_pretrained(X, y).fit(X, y),
    "tables given as DataFrames": lambda X, y: _given_as_frames(X, y).fit(X, y),
    "partial_fit": lambda X, y: _partial_fit(EmbeddingEncoder(random_state=0), X, y, 3),
    "partial_fit, shared and frozen": lambda X, y: _partial_fit(
        _frozen_pretrained(X, y, shared_embeddings=[["workclass", "occupation"]]),
        X,
        y,
        3,
    ),
}


@pytest.mark.parametrize("kind", ENCODERS)
def test_a_skops_file_names_no_private_type_and_transforms_as_before(adult, kind):
    """Fails when the internals add a type to the state that is not written as plain data."""
    X, y = adult
    encoder = ENCODERS[kind](X, y)
    loaded, untrusted = _round_trip(encoder)
    assert untrusted == SKOPS_TRUSTED_TYPES
    for name, value in encoder.get_params().items():
        if isinstance(value, dict):  # the tables initial_embeddings gives
            for column, table in value.items():
                pd.testing.assert_frame_equal(loaded.get_params()[name][column], table)
    X = X[list(encoder.feature_names_in_)]
    for output in ("vectors", "vectors+prediction"):
        loaded.set_params(output=output), encoder.set_params(output=output)
        np.testing.assert_array_equal(loaded.transform(X), encoder.transform(X))


@pytest.mark.parametrize("kind", ["partial_fit", "partial_fit, shared and frozen"])
@pytest.mark.parametrize("move", ["skops", "pickle", "deepcopy"])
def test_an_encoder_moved_in_the_middle_of_partial_fit_goes_on_as_if_never_moved(adult, kind, move):
    X, y = adult
    encoder = ENCODERS[kind](X[:1_200], y[:1_200])
    moved = {
        "skops": lambda: _round_trip(encoder)[0],
        "pickle": lambda: pickle.loads(pickle.dumps(encoder)),
        "deepcopy": lambda: copy.deepcopy(encoder),
    }[move]()
    _partial_fit(moved, X[1_200:], y[1_200:], 2)
    _partial_fit(encoder, X[1_200:], y[1_200:], 2)
    for name in ("embeddings_", "coefs_", "intercepts_", "category_counts_"):
        for a, b in zip(getattr(moved, name), getattr(encoder, name)):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(moved.transform(X), encoder.transform(X))


def test_the_saving_guides_pipeline_example_runs_as_it_says(tmp_path, monkeypatch):
    guide = (Path(__file__).resolve().parents[1] / "docs/user_guide/saving.md").read_text()
    example = next(b for b in re.findall(r"```python\n(.*?)```", guide, re.S) if "skops" in b)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(example, "docs/user_guide/saving.md", "exec"), namespace)
    assert sio.get_untrusted_types(file="adult.skops") == SKOPS_TRUSTED_TYPES
    X, model, loaded = (namespace[name] for name in ("X", "model", "loaded"))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_state_naming_a_class_outside_the_encoders_is_refused():
    crafted = {TAG: "builtins.eval", "state": {"source": "1"}}
    with pytest.raises(TypeError, match="'builtins.eval' is not a class of a fitted encoder"):
        from_plain(crafted, [EmbeddingEncoder])
