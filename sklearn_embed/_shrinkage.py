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

``m`` is the break-even point for one mean; a vector of several dimensions
fitted to ``n`` rows can carry more of their noise. Whether categories seen
between ``m`` and ``5 m`` times help or hurt depends on the table (thousands of
aircraft with a few flights each only add noise to delays; users with a few
ratings each still say much about their ratings), so with early stopping
``fit`` tries both thresholds, ``min(m, 100)`` and ``min(5 m, 100)``
(``MERGE_FACTORS``), and keeps the one with the lower validation loss.
"""

import numpy as np

# Categories seen this often always keep a vector of their own.
MAX_MERGE_COUNT = 100

# The merge thresholds fit tries, in units of the column's ``smooth``.
MERGE_FACTORS = (1, 5)


def merge_threshold(smooth, factor=1):
    """The count below which a category joins the unknown row: ``min(factor * smooth, 100)``."""
    return min(factor * smooth, MAX_MERGE_COUNT)


def too_noisy(counts, smooth, factor=1):
    """Rows whose weighted count is below :func:`merge_threshold`."""
    return counts < merge_threshold(smooth, factor)


def auto_smooth(codes, y, weight, n_rows):
    """Pseudo-count ``m`` for one column, from the target's variance decomposition.

    Parameters
    ----------
    codes : ndarray of int, shape (n_samples,)
        Table rows of the column.
    y : ndarray of shape (n_samples, n_outputs) or (n_samples,)
        Training targets: 0/1 or standardised values, or class codes (one-hot
        columns, never built); the variances of the outputs are summed.
    weight : ndarray of shape (n_samples,)
        Sample weights (mean 1).
    n_rows : int
        Rows of the table.

    Returns
    -------
    m : float
        ``sigma2_within / tau2``; ``inf`` when the categories carry no signal.
    """
    counts = weighted_counts(codes, weight, n_rows)
    return pseudo_count(counts, *_target_sums(codes, y, weight, counts))


def pseudo_count(counts, squared_sums, output_totals, squares):
    """``m`` from the sums of the target by category (see :func:`auto_smooth`).

    Parameters
    ----------
    counts : ndarray of shape (n_rows,)
        Weighted rows of each category.
    squared_sums : float
        ``sum over categories c and outputs j of S_cj^2 / n_c``.
    output_totals : ndarray of shape (n_outputs,)
        Weighted sum of each output.
    squares : float
        Weighted sum of the squared outputs.
    """
    n_seen = int((counts > 0).sum())
    total = float(counts.sum())
    if total - n_seen < 1:
        # Every category seen once: nothing tells its effect from its row's
        # noise, so there is no evidence of signal (an id column).
        return np.inf
    # With n_c, mean_c per category and grand mean g (summed over outputs):
    # within = (sum of y^2 - sum n_c mean_c^2) / (total - categories)
    # between = (sum n_c mean_c^2 - total g^2) / total
    within = (squares - squared_sums) / (total - n_seen)
    between = (squared_sums - float((output_totals**2).sum()) / total) / total
    # Each observed mean carries noise of variance within / n_c: remove it.
    signal = between - within * n_seen / total
    if signal <= 0:
        return np.inf
    return within / signal


def _target_sums(codes, y, weight, counts):
    """The sums behind the variance decomposition of the target by category.

    Returns
    -------
    squared_sums : float
        ``sum over categories c and outputs j of S_cj^2 / n_c``, ``S_cj`` the
        weighted sum of output ``j`` over category ``c``: ``sum n_c mean_c^2``.
    output_totals : ndarray of shape (n_outputs,)
        Weighted sum of each output.
    squares : float
        Weighted sum of the squared outputs.
    """
    if y.ndim == 1:
        # Class codes: sums over the (category, class) pairs that occur, so that
        # no categories x classes matrix is built, however many of both.
        n_classes = int(y.max()) + 1
        pairs, inverse = np.unique(codes.astype(np.int64) * n_classes + y, return_inverse=True)
        pair_sums = np.bincount(inverse, weights=weight)
        pair_counts = counts[pairs // n_classes]
        seen = pair_counts > 0  # rows of zero weight carry nothing
        squared_sums = float((pair_sums[seen] ** 2 / pair_counts[seen]).sum())
        output_totals = np.bincount(y, weights=weight, minlength=n_classes)
        return squared_sums, output_totals, float(weight.sum(dtype=np.float64))
    y = np.asarray(y, dtype=np.float64)
    seen = counts > 0
    sums = np.stack(
        [np.bincount(codes, weights=weight * y[:, j], minlength=len(counts)) for j in range(y.shape[1])],
        axis=1,
    )[seen]
    squared_sums = float((sums**2 / counts[seen, None]).sum())
    return squared_sums, sums.sum(axis=0), float(weight @ (y**2).sum(axis=1))


def harmonic_mean(values):
    """Harmonic mean of pseudo-counts in [0, inf]: 0 if any is 0, inf only if all are.

    How the columns of a shared table combine their ``smooth``: the evidence
    for signal (``1 / m``) of each column adds up.
    """
    if len(values) == 1:
        return values[0]
    with np.errstate(divide="ignore"):
        return float(len(values) / np.sum(1 / np.asarray(values, dtype=np.float64)))


def weighted_counts(codes, weight, n_rows):
    """Sum of the sample weights of each table row."""
    return np.bincount(codes, weights=weight, minlength=n_rows)


def shrink_table(table, counts, smooth, prior=None):
    """Pull each row toward its prior, by default the last (unknown) row, by ``n / (n + smooth)``.

    Parameters
    ----------
    table : ndarray of shape (n_rows, dim)
        The last row is the unknown vector and is left as it is.
    counts : ndarray of shape (n_rows,)
        Training occurrences of each row.
    smooth : float
        Pseudo-count ``m`` (0 leaves the table unchanged, ``inf`` collapses it).
    prior : ndarray of shape (n_rows, dim), default=None
        Where each row is pulled to: a pretrained row's given vector, so that
        a category with little data stays near what was known of it. None pulls
        every row toward the unknown vector.

    Returns
    -------
    shrunk : ndarray of shape (n_rows, dim), same dtype as ``table``
    """
    prior = table[-1] if prior is None else prior
    if np.isinf(smooth):
        weight = np.zeros(len(table))
    else:
        weight = counts / np.maximum(counts + smooth, np.finfo(np.float64).tiny)
    weight[-1] = 1.0
    return (prior + weight[:, None] * (table - prior)).astype(table.dtype)


def mean_per_row(codes, signal, weight, counts):
    """Weighted mean of ``signal`` over the rows of each table row (NaN when unseen)."""
    total = np.bincount(codes, weights=signal * weight, minlength=len(counts))
    return np.divide(total, counts, out=np.full(len(counts), np.nan), where=counts > 0)


def category_statistics(codes, signal, weight, n_rows):
    """Per embedded column, the weighted rows and the mean ``signal`` of each table row.

    Returns
    -------
    counts, means : list of ndarray
        One array of ``n_rows[k]`` entries per column ``k`` of ``codes``.
    """
    counts = [weighted_counts(codes[:, k], weight, n) for k, n in enumerate(n_rows)]
    means = [mean_per_row(codes[:, k], signal, weight, c) for k, c in enumerate(counts)]
    return counts, means
