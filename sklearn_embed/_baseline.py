"""A target-encoding baseline on the fit's own validation rows: will the embeddings help?

Embeddings pay off where the categories tell the target something that one number
per category cannot carry (interactions, many classes, a category's effect that
depends on the others). Before any downstream model is trained, ``fit`` can see
cheaply whether the network found more than that: :func:`baseline_score` fits a
linear model (logistic or ridge regression) on each embedded column's shrunk
target means and the numeric columns, on the network's training rows, and
scores it on the network's validation rows with the network's loss. A network
that does not beat it is unlikely to make a downstream model beat target
encoding (``docs/user_guide/when_it_helps.md``).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge

from ._network import data_loss, dense_targets

# Above this many features (embedded columns times classes, plus the numeric columns),
# no baseline is fitted: its cost would grow past the network's.
MAX_FEATURES = 256


def baseline_score(data, rows, target_type, n_outputs, smooth):
    """The negated validation loss of the target-encoding baseline, or None.

    Parameters
    ----------
    data : TrainingData
        The network's training data: codes (merged as the network's), scaled
        numeric columns, targets as the network trains on them, loss weights.
    rows : (ndarray, ndarray)
        The training and validation rows of the network's early stopping.
    target_type : str
    n_outputs : int
    smooth : list of float
        Each embedded column's pseudo-count, for the means' shrinkage.

    Returns
    -------
    score : float or None
        Comparable with ``best_validation_score_`` (the same rows and loss);
        None without validation rows, without embedded columns (nothing to
        compare), with one class among the training rows, or when the features
        would be too many.
    """
    train, validation = rows
    n_embedded, n_numeric = data.codes.shape[1], data.x_numeric.shape[1]
    if validation is None or not len(validation) or not n_embedded:
        return None
    if n_embedded * n_outputs + n_numeric > MAX_FEATURES:
        return None
    targets = dense_targets(data.y, n_outputs).astype(np.float64)
    if target_type != "continuous" and len(np.unique(_labels(targets[train]))) < 2:
        return None
    means = _shrunk_means(data.codes, targets, data.weight, train, smooth)
    features = np.hstack([means, data.x_numeric.astype(np.float64)])
    with warnings.catch_warnings():
        # An indicator, not a model the user asked for: its solver's limits are its own.
        warnings.simplefilter("ignore", ConvergenceWarning)
        prediction = _fitted_prediction(
            features, targets, data.weight, train, validation, target_type
        )
    loss = data_loss(
        prediction, targets[validation], data.weight[validation].astype(np.float64), target_type
    )
    return -loss


def _shrunk_means(codes, targets, weight, train, smooth):
    """Each row's categories' target means over the training rows, shrunk toward the mean."""
    w = weight[train].astype(np.float64)
    overall = w @ targets[train] / w.sum()
    columns = []
    for j, m in enumerate(smooth):
        code, n_rows = codes[train, j], codes[:, j].max() + 1
        n = np.bincount(code, weights=w, minlength=n_rows)
        sums = np.stack(
            [np.bincount(code, weights=w * y, minlength=n_rows) for y in targets[train].T], axis=1
        )
        means = np.divide(sums, n[:, None], out=np.zeros_like(sums), where=n[:, None] > 0)
        shrink = np.divide(n, n + m, out=np.zeros_like(n), where=(n + m) > 0)  # m=inf: 0
        columns.append((overall + shrink[:, None] * (means - overall))[codes[:, j]])
    return np.hstack(columns) if columns else np.empty((len(codes), 0))


def _fitted_prediction(features, targets, weight, train, validation, target_type):  # noqa: PLR0913
    """The baseline's prediction for the validation rows, as the network's output layer gives it."""
    mean, scale = features[train].mean(axis=0), features[train].std(axis=0)
    scaled = (features - mean) / np.where(scale > 0, scale, 1.0)
    w = weight[train].astype(np.float64)
    if target_type == "continuous":
        model = Ridge(alpha=1.0).fit(scaled[train], targets[train], sample_weight=w)
        return model.predict(scaled[validation]).reshape(len(validation), -1)
    labels = _labels(targets[train])
    model = LogisticRegression(max_iter=200).fit(scaled[train], labels, sample_weight=w)
    proba = model.predict_proba(scaled[validation])
    if target_type == "binary":
        return proba[:, -1:]
    full = np.full((len(validation), targets.shape[1]), 1e-12)
    full[:, np.unique(labels).astype(int)] = proba  # the classes seen, in the model's order
    return full


def _labels(targets):
    """Class labels of dense targets: the one column of a binary target, else each row's class."""
    return targets.argmax(axis=1) if targets.shape[1] > 1 else targets[:, 0]
