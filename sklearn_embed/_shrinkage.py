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

from dataclasses import dataclass

import numpy as np

from ._exceptions import DataWarning

# Categories seen this often always keep a vector of their own.
MAX_MERGE_COUNT = 100

# The merge thresholds fit tries, in units of the column's ``smooth``.
MERGE_FACTORS = (1, 5)

# A column is called an identifier when at least this many of its values are
# seen on one row only, and such one-row values fill this share of the rows.
MIN_IDENTIFIER_VALUES = 20
IDENTIFIER_SHARE = 0.5


def merge_threshold(smooth, factor=1):
    """The count below which a category joins the unknown row: ``min(factor * smooth, 100)``."""
    return min(factor * smooth, MAX_MERGE_COUNT)


def column_smooth(tally, squares):
    """Pseudo-count ``m`` of one column from the tally of its every value (see :func:`pseudo_count`).

    ``squares`` is the weighted sum of the squared targets over the column's rows.
    """
    return pseudo_count(tally.weight, tally.squared_sums(), tally.grand_squares(), squares)


def pseudo_count(counts, squared_sums, grand_squares, squares):
    """``m = sigma2_within / tau2`` from the sums of the target by category.

    The ratio of the within-category variance of the target to the variance
    of the true category means (method of moments, as scikit-learn's
    ``TargetEncoder``); the variances of several outputs (or classes) are summed.

    Parameters
    ----------
    counts : ndarray of shape (n_categories,)
        Weighted rows of each category.
    squared_sums : float
        ``sum over categories c and outputs j of S_cj^2 / n_c``, ``S_cj`` the
        weighted sum of output ``j`` over category ``c``.
    grand_squares : float
        ``sum over outputs j of T_j^2 / total``, ``T_j`` the weighted sum of
        output ``j`` and ``total`` the sum of ``counts``.
    squares : float
        Weighted sum of the squared outputs.

    Returns
    -------
    m : float
        ``inf`` when the categories carry no evidence of signal.
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
    between = (squared_sums - grand_squares) / total
    # Each observed mean carries noise of variance within / n_c: remove it.
    signal = between - within * n_seen / total
    if signal <= 0:
        return np.inf
    return within / signal


@dataclass
class Decision:
    """What :func:`smooth_and_merge` decided for one table.

    Attributes
    ----------
    smooth : float
        The table's pseudo-count ``m``.
    keep : ndarray of bool
        For each value (the table's categories, then its pending values):
        whether it has, or gets, a row of its own.
    pending_values : pandas.Index
        The values without a row, in the order ``keep`` covers them.
    findings : list of DataWarning
    noise : float
        The pseudo-count the target's noise calls for (what ``smooth="auto"``
        estimates), whatever ``smooth`` the user set: how many rows a category
        needs before its own rows outweigh their noise.
    """

    smooth: float
    keep: np.ndarray
    pending_values: object
    findings: list
    noise: float


def smooth_and_merge(table, smooth, factor=1, min_count=1):
    """The one rule of fit and partial_fit: each table's ``m``, and which values keep a row.

    A value keeps (or gets) a row of its own when it was seen on at least
    ``min_count`` rows and its weighted count reaches :func:`merge_threshold`;
    values with a given vector always keep theirs. With ``smooth="auto"``, in a
    column that looks like an identifier (most training rows hold a value seen
    on that row only), those one-row values get no row either: one row cannot
    tell a value's effect from that row's own target, which a vector of its
    own would hand to the downstream model.

    Parameters
    ----------
    table : TableStatistics
        The tallies of the table's columns (see :mod:`~sklearn_embed._statistics`).
    smooth : "auto" or float
        The estimator's parameter. A shared table takes the harmonic mean of its
        columns' estimates; a frozen table is not shrunk (0).
    factor : int, default=1
        Values seen fewer than ``min(factor * m, 100)`` times (weighted) are merged.
    min_count : float, default=1
        ``min_frequency`` as a number of rows.

    Returns
    -------
    Decision
    """
    # Per column (a team's effect at home and away differ in sign), then the harmonic
    # mean: the columns' evidence for signal adds up.
    noise = harmonic_mean([column_smooth(tally, table.squares) for tally in table.column_tallies])
    if table.frozen:
        m = 0.0
    else:
        m = noise if smooth == "auto" else float(smooth)
    values, given = table.values, table.given
    keep = (values.rows >= min_count) & ~(values.weight < merge_threshold(m, factor)) | given
    findings = []
    seen_once = (values.rows == 1) & ~given
    n_once = int(seen_once.sum())
    if smooth == "auto" and n_once >= max(MIN_IDENTIFIER_VALUES, IDENTIFIER_SHARE * table.n_rows):
        keep &= ~seen_once
        findings.append(_identifier(table.name, n_once, table.n_rows))
    elif len(keep) == 1 and not given.any():
        findings.append(_single_value(table.name))
    elif len(keep) and not keep.any():
        findings.append(_constant_column(table.name, len(keep), m))
    elif len(keep) and np.isinf(m):
        # The values kept train rows, but every vector is shrunk all the way to the unknown one.
        findings.append(_no_signal(table.name, len(keep)))
    return Decision(m, keep, table.pending_values, findings, noise)


def _identifier(name, n_once, n_rows):
    return DataWarning(
        f"Column {name!r} looks like an identifier: {n_once:,} of its {n_rows:,} training "
        "rows hold a value seen on that row only. Those values share the unknown vector (a "
        "vector of their own would hand their row's target to the downstream model). If "
        "the column is an id, drop it from X; smooth=0 keeps a vector for every value.",
        kind="identifier",
        column=name,
    )


def _constant_column(name, n_values, smooth):
    return DataWarning(
        f"Column {name!r}: none of its {n_values:,} values is frequent enough for the "
        f"column's noise level (smooth_={smooth:.3g}) to get a vector of its own, so its "
        "output columns are constant. Drop it, or pass smooth=0 to keep every value.",
        kind="constant_column",
        column=name,
    )


def _single_value(name):
    return DataWarning(
        f"Column {name!r} holds a single value in the training rows (missing in every row, "
        "or the same value), so its output columns are constant. Drop it.",
        kind="constant_column",
        column=name,
    )


def _no_signal(name, n_values):
    return DataWarning(
        f"Column {name!r}: its {n_values:,} values show no effect on the target of their own "
        "(smooth_=inf), so every vector is shrunk to the unknown one and its output columns "
        "are constant. Drop it, or pass smooth=0 to keep the trained vectors (an effect that "
        "shows only together with other columns).",
        kind="constant_column",
        column=name,
    )


def harmonic_mean(values):
    """Harmonic mean of pseudo-counts in [0, inf]: 0 if any is 0, inf only if all are.

    How the columns of a shared table combine their ``smooth``: the evidence
    for signal (``1 / m``) of each column adds up.
    """
    if len(values) == 1:
        return values[0]
    with np.errstate(divide="ignore"):
        return float(len(values) / np.sum(1 / np.asarray(values, dtype=np.float64)))


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
