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

from ._columns import as_output, beyond_float32
from ._network import predict_in_chunks

# transform writes the prediction about this many values (rows x columns) at a
# time, so that 1,000 classes on 200,000 rows never exist as a second copy of
# the output; in whole forward passes of CHUNK_ROWS rows, as the network
# predicts all rows at once, so that the values are the same bit for bit.
BLOCK_VALUES = 1 << 20
CHUNK_ROWS = 8192


def prediction_names(target, appended=True):
    """Output names of the prediction columns for a fitted :class:`~._target.Target`."""
    if not appended:
        return []
    if target.type == "binary":
        return ["network_log_odds"]
    if target.type == "multiclass":
        return [f"network_log_proba_{label}" for label in target.classes]
    n_outputs = len(np.atleast_1d(target.mean))
    return (
        ["network_prediction"]
        if n_outputs == 1
        else [f"network_prediction{k}" for k in range(n_outputs)]
    )


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


def write_prediction(out, params, codes, numeric, activation, target, block_values=None):
    """Fill the last columns of ``out`` with the prediction, a block of rows at a time.

    Parameters
    ----------
    out : ndarray of shape (n_rows, n_columns)
        The output; its last ``len(prediction_names(target))`` columns are written.
    params : NetworkParams
    codes : ndarray of shape (n_rows, n_embedded)
    numeric : ndarray of shape (n_rows, n_numeric)
        The network's numeric input.
    activation : str
    target : Target
    block_values : int, default=None
        Rows per block times prediction columns; None: ``BLOCK_VALUES``.

    Returns
    -------
    findings : list of DataWarning
        Predictions that ``out``'s dtype cannot hold (see ``_columns.as_output``).
    """
    names = prediction_names(target)
    block_rows = CHUNK_ROWS * max(1, (block_values or BLOCK_VALUES) // (CHUNK_ROWS * len(names)))
    first = out.shape[1] - len(names)
    n_beyond, examples = np.zeros(len(names), dtype=np.int64), np.zeros(len(names))
    for start in range(0, out.shape[0], block_rows):
        rows = slice(start, start + block_rows)
        scores = predict_in_chunks(
            params, codes[rows], numeric[rows], activation, "continuous", chunk_size=CHUNK_ROWS
        )
        prediction = prediction_columns(scores, target)
        out[rows, first:], beyond = as_output(prediction, out.dtype)
        if beyond is not None:
            new = (n_beyond == 0) & beyond.any(axis=0)
            examples[new] = prediction[beyond.argmax(axis=0), np.arange(len(names))][new]
            n_beyond += beyond.sum(axis=0)
    beyond_columns = np.flatnonzero(n_beyond)
    return [beyond_float32(names[j], int(n_beyond[j]), examples[j]) for j in beyond_columns]
