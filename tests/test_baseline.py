"""baseline_validation_score_: what the network found beyond one number per category."""

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import EmbeddingEncoder


def _pairs(n=4_000, seed=0):
    """The target is the XOR of two columns: each alone says nothing, together everything."""
    rng = np.random.RandomState(seed)
    a, b = rng.randint(2, size=n), rng.randint(2, size=n)
    y = (a ^ b) ^ (rng.uniform(size=n) < 0.05)
    return pd.DataFrame({"a": list(map(str, a)), "b": list(map(str, b))}), y.astype(int)


def _shops(n=4_000, seed=0):
    """Each shop shifts the target by its own amount: one number per shop says it all."""
    rng = np.random.RandomState(seed)
    shops = rng.randint(40, size=n)
    effect = np.random.RandomState(1).normal(size=40)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-effect[shops]))).astype(int)
    return pd.DataFrame({"shop": [f"s{s}" for s in shops]}), y


@pytest.mark.filterwarnings("ignore::sklearn_embed.DataWarning")  # each column alone: constant
def test_an_interaction_of_two_columns_beats_the_baseline_by_far():
    X, y = _pairs()
    encoder = EmbeddingEncoder(smooth=0, random_state=0).fit(X, y)
    assert encoder.best_validation_score_ > encoder.baseline_validation_score_ + 0.3


def test_one_effect_per_category_scores_as_the_baseline():
    X, y = _shops()
    encoder = EmbeddingEncoder(random_state=0).fit(X, y)
    assert abs(encoder.best_validation_score_ - encoder.baseline_validation_score_) < 0.01


def test_no_baseline_without_validation_rows_or_after_partial_fit():
    X, y = _shops(1_000)
    fitted = EmbeddingEncoder(early_stopping=False, max_iter=20, random_state=0).fit(X, y)
    assert fitted.baseline_validation_score_ is None
    streamed = EmbeddingEncoder(random_state=0).fit(X, y).partial_fit(X, y)
    assert streamed.baseline_validation_score_ is None
