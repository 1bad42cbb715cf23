"""The network's own prediction, as the last output columns of ``transform``.

The vectors are read by the network through its hidden layers; a linear or
nearest-neighbour model downstream cannot undo that, and on most tables it
scores below one-hot or target encoding when it sees the vectors alone. The
network's prediction is the one number in which everything the network learned
from the row adds up, on the scale where its output layer is linear:

- binary target: the log-odds of the positive class (``network_log_odds``);
- multiclass: the log-probability of each class (``network_log_proba_{class}``);
- continuous: the prediction in ``y``'s own units (``network_prediction``, or
  ``network_prediction{k}`` for each of several outputs).

Linear models gain most from it: on the shared benchmark tables, logistic or
ridge regression on the vectors plus this column beats one-hot and target
encoding on adult, car and employee salaries (``benchmarks/RESULTS.md``, section
1a). It is the network's prediction on rows it may have trained on, as stacking
without cross-fitting, so it is off by default: gradient boosting splits on its
over-confident training values (car log loss 0.099 with it, 0.016 without).
Out-of-fold predictions, as ``TargetEncoder`` uses in ``fit_transform``, scored
lower downstream in every case measured, because the vectors beside them are not
out-of-fold.
"""

import numpy as np


def prediction_names(target, appended=True):
    """Output names of the prediction columns for a fitted :class:`~._target.Target`."""
    if not appended:
        return []
    if target.type == "binary":
        return ["network_log_odds"]
    if target.type == "multiclass":
        return [f"network_log_proba_{label}" for label in target.classes]
    n_outputs = len(np.atleast_1d(target.mean))
    return ["network_prediction"] if n_outputs == 1 else [f"network_prediction{k}" for k in range(n_outputs)]


def prediction_columns(scores, target):
    """The network's prediction per row, on the scale :func:`prediction_names` describes.

    Parameters
    ----------
    scores : ndarray of shape (n_rows, n_outputs) or None
        The output layer's pre-activation: the log-odds for a binary target.
    target : Target

    Returns
    -------
    prediction : ndarray of shape (n_rows, len(prediction_names(target))), float64
        None when ``scores`` is None (no prediction columns).
    """
    if scores is None:
        return None
    scores = scores.astype(np.float64)
    if target.type == "multiclass":
        scores -= scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    if target.type == "continuous":
        return target.to_original_scale(scores)
    return scores
