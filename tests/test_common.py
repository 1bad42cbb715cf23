"""scikit-learn API conformance, including the checks 1.9 does not yield by itself."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_global_set_output_transform_polars,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_set_output_transform_polars,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from sklearn_embed import EmbeddingEncoder

# What the checks provoke on purpose: a few epochs (max_iter=5), numeric-only data
# for the default instance, X with and without feature names, y as a few whole
# numbers (read as classes), and random categories unrelated to y (constant output).
pytestmark = [
    pytest.mark.filterwarnings("ignore:y holds:sklearn_embed.DataWarning"),
    pytest.mark.filterwarnings("ignore:Column .* constant:sklearn_embed.DataWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:EmbeddingEncoder found no categorical column:UserWarning"),
    pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning"),
    pytest.mark.filterwarnings("ignore:X has feature names, but:UserWarning"),
]

# The default instance sees only numeric columns in the checks' data, so it is
# a validated passthrough; the second embeds the first column, which exercises
# the network on every check.
ESTIMATORS = [
    EmbeddingEncoder(random_state=0),
    EmbeddingEncoder(categorical_features=[0], min_frequency=1, max_iter=5, random_state=0),
    # Every value of the checks' first column is rare and keeps its row (smooth=0): fit
    # re-estimates them, and fit_transform encodes its rows out of fold.
    EmbeddingEncoder(
        categorical_features=[0], min_frequency=1, smooth=0, max_iter=5, cv=3, random_state=0
    ),
]


def expected_failed_checks(estimator):
    if isinstance(estimator.categorical_features, str):
        return {}  # nothing to train on the checks' numeric data: a validated passthrough
    # As scikit-learn lists it for its SGD estimators: a stochastic minibatch fit
    # is equivalent under weights and repetitions only in expectation.
    return {
        "check_sample_weight_equivalence_on_dense_data": (
            "Minibatch training: repeating a row changes which rows share a batch "
            "and how many steps an epoch has, so weights and repetitions are only "
            "equivalent in expectation, as for scikit-learn's SGDClassifier. The "
            "statistics are exact (test_integer_weights_count_as_repeated_rows)."
        ),
    }


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


EXTRA_CHECKS = [
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_global_output_transform_pandas,
    check_set_output_transform_polars,
    check_global_set_output_transform_polars,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    check_dataframe_column_names_consistency,
    check_param_validation,
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=["passthrough", "embedding", "cross-fitting"])
@pytest.mark.parametrize("check", EXTRA_CHECKS, ids=lambda check: check.__name__)
def test_checks_not_yielded_by_default(estimator, check):
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=["passthrough", "embedding", "cross-fitting"])
def test_n_features_in_after_partial_fit_with_classes(estimator):
    """What check_n_features_in_after_fitting asks of partial_fit, with classes given."""
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(150, 4)), np.arange(150) % 3
    X[:, 0] = np.round(X[:, 0])  # a few categories for the embedding instance
    encoder = clone(estimator).partial_fit(X, y, classes=[0, 1, 2])
    assert encoder.n_features_in_ == 4
    with pytest.raises(ValueError, match="X has 3 features, but EmbeddingEncoder is expecting 4"):
        encoder.partial_fit(X[:, :3], y)
