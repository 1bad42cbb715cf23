r"""Empirical-Bayes shrinkage of category vectors toward the unknown vector.

A category seen ``n`` times has a vector fitted to ``n`` rows, so part of it is
those rows' noise. Downstream models are trained on the same rows, and a
flexible one learns that noise back (leakage). After training, each vector is
pulled toward the unknown vector (the trained "average category"):

.. math::

    e_c \leftarrow e_{unk} + \frac{n_c}{n_c + m}\,(e_c - e_{unk})

``m`` is the pseudo-count at which a category's own data and the prior weigh
the same. With ``smooth="auto"`` it is estimated per column from the target,
as in scikit-learn's ``TargetEncoder``: the ratio of the within-category
variance of ``y`` to the variance of the true category means (method of
moments). Noisy targets with small category effects get a large ``m``; clean
targets with strong effects keep rare categories nearly as they were trained.

Shrinking does not stop a tree model from splitting on a rare category's vector
(trees see ranks, not distances), so categories whose own data would weigh less
than the prior (``n < m``) get no vector of their own: before training they
join the unknown row, like categories rarer than ``min_frequency``. The
threshold is capped at ``MAX_MERGE_COUNT`` so that a column whose effect shows
only in interactions (no marginal signal, ``m`` huge) keeps its frequent
categories.
"""

import numpy as np

# Categories seen this often always keep a vector of their own.
MAX_MERGE_COUNT = 100


def too_noisy(counts, smooth):
    """Rows whose weighted count is below ``min(smooth, MAX_MERGE_COUNT)``."""
    return counts < min(smooth, MAX_MERGE_COUNT)


def auto_smooth(codes, y, weight, n_rows):
    """Pseudo-count ``m`` for one column, from the target's variance decomposition.

    Parameters
    ----------
    codes : ndarray of int, shape (n_samples,)
        Table rows of the column.
    y : ndarray of shape (n_samples, n_outputs)
        Training targets (0/1, one-hot or standardised values); the variances
        of the outputs are summed.
    weight : ndarray of shape (n_samples,)
        Sample weights (mean 1).
    n_rows : int
        Rows of the table.

    Returns
    -------
    m : float
        ``sigma2_within / tau2``; ``inf`` when the categories carry no signal.
    """
    y = np.asarray(y, dtype=np.float64)
    counts = weighted_counts(codes, weight, n_rows)
    seen = counts > 0
    sums = np.stack(
        [np.bincount(codes, weights=weight * y[:, j], minlength=n_rows) for j in range(y.shape[1])],
        axis=1,
    )
    means = sums[seen] / counts[seen, None]
    n = counts[seen]
    total = float(n.sum())
    # Pooled within-category variance, and the spread of the category means.
    squares = float(weight @ (y**2).sum(axis=1))
    within = (squares - float((n[:, None] * means**2).sum())) / max(total - len(n), 1.0)
    grand = (n[:, None] * means).sum(axis=0) / total
    between = float((n[:, None] * (means - grand) ** 2).sum() / total)
    # Each observed mean carries noise of variance within / n_c: remove it.
    signal = between - within * len(n) / total
    if signal <= 0:
        return np.inf
    return within / signal


def weighted_counts(codes, weight, n_rows):
    """Sum of the sample weights of each table row."""
    return np.bincount(codes, weights=weight, minlength=n_rows)


def shrink_table(table, counts, smooth):
    """Pull each row toward the last (unknown) row by ``n / (n + smooth)``.

    Parameters
    ----------
    table : ndarray of shape (n_rows, dim)
        The last row is the unknown vector and is left as it is.
    counts : ndarray of shape (n_rows,)
        Training occurrences of each row.
    smooth : float
        Pseudo-count ``m`` (0 leaves the table unchanged, ``inf`` collapses it).

    Returns
    -------
    shrunk : ndarray of shape (n_rows, dim), same dtype as ``table``
    """
    unknown = table[-1]
    if np.isinf(smooth):
        weight = np.zeros(len(table))
    else:
        weight = counts / np.maximum(counts + smooth, np.finfo(np.float64).tiny)
    weight[-1] = 1.0
    return (unknown + weight[:, None] * (table - unknown)).astype(table.dtype)


def mean_per_row(codes, signal, weight, counts):
    """Weighted mean of ``signal`` over the rows of each table row (NaN when unseen)."""
    total = np.bincount(codes, weights=signal * weight, minlength=len(counts))
    return np.divide(total, counts, out=np.full(len(counts), np.nan), where=counts > 0)
