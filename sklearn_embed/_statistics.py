"""Statistics of the training rows: column scales, and counts and target sums per category.

:class:`ColumnStatistics` holds, for one embedded column, the weighted count,
the number of rows and the weighted target sums of each value. ``fit`` counts
its rows in one go and ``partial_fit`` chunk by chunk; the smoothing and merging
rule of :mod:`~sklearn_embed._shrinkage` reads them, whichever counted them.
Each is a value: counting more rows makes a new one.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ._vocabulary import as_object_array


def mean_and_scale(x):
    """Column means and standard deviations, ignoring NaN, safe at any scale.

    Each column is divided by its largest magnitude first, so that values near
    1e200 do not overflow when squared and values near 1e-300 do not underflow.
    All-missing columns get mean 0; constant ones scale 1.

    Returns
    -------
    mean, scale : ndarray of shape (n_columns,)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
        size = np.nanmax(np.abs(x), axis=0) if x.shape[0] else np.zeros(x.shape[1])
        size = np.where(np.isfinite(size) & (size > 0), size, 1.0)
        unit = x / size
        mean = np.nan_to_num(np.nanmean(unit, axis=0), nan=0.0) * size
        std = np.nan_to_num(np.nanstd(unit, axis=0), nan=0.0) * size
    return mean, np.where(std > 0, std, 1.0)


def check_countable(weight):
    """Refuse weights whose sum float64 cannot hold: no count of rows can be that large."""
    with np.errstate(over="ignore"):
        total = weight.sum(dtype=np.float64)
    if not np.isfinite(total):
        raise ValueError(too_large_to_count("sum"))


def too_large_to_count(what):
    """The message for weights that ``what`` (e.g. "sum") beyond float64's range."""
    return (
        f"sample_weight is too large to count: the weights {what} beyond float64's range "
        f"({np.finfo(np.float64).max:.3g}). Weights count as rows (a weight of 2 is a row seen "
        "twice) in the statistics behind smooth_, and no count holds that many rows. Divide "
        "the weights by one constant: training reads only their ratios."
    )


# Weighted sums beyond this are squared in a unit of a power of two (see squares_over).
_LARGE_SUM = 2.0**500


def squares_over(sums, counts):
    """``sums ** 2 / counts``, elementwise, without overflow when the sums are large.

    Weights count as rows, so sums of weights of 1e155 are legitimate, and
    their squares would overflow. They are squared in a unit of a power of two
    that brings them below ``_LARGE_SUM`` (:func:`power_of_two_unit`): dividing
    and multiplying by a power of two is exact, so the result is the plain
    formula's, bit for bit, whenever that one is finite.
    """
    unit = power_of_two_unit(sums)
    return (sums / unit) ** 2 / (counts / unit) * unit


def power_of_two_unit(values):
    """1, or the power of two that brings the largest of ``values`` below ``_LARGE_SUM``."""
    largest = float(np.max(np.abs(values), initial=0.0))
    if not largest > _LARGE_SUM:
        return 1.0
    return 2.0 ** int(np.ceil(np.log2(largest / _LARGE_SUM)))


def weighted_counts(codes, weight, n_rows):
    """Sum of the sample weights of each table row."""
    return np.bincount(codes, weights=weight, minlength=n_rows)


@dataclass
class Tally:
    """Weighted count, number of rows and weighted target sums of ``n`` entries (values or rows).

    Attributes
    ----------
    weight : ndarray of float64, shape (n,)
    rows : ndarray of int64, shape (n,)
        Training rows, unweighted: what tells an identifier (one row per value).
    sums : ndarray of shape (n, n_outputs), or scipy.sparse.csr_array
        Weighted sums of each output; for class codes, of each class's
        indicator, kept sparse so that no entries x classes matrix is built,
        however many of both.
    """

    weight: np.ndarray
    rows: np.ndarray
    sums: object

    @classmethod
    def of(cls, entries, n, y, weight, n_outputs):
        """The tally of training rows whose entries are ``entries`` (ints in [0, n)).

        ``y`` holds class codes (1-D) or target values (2-D), as ``Target.y``.
        """
        counts = weighted_counts(entries, weight, n)
        rows = np.bincount(entries, minlength=n)
        if y.ndim == 1:
            pairs, inverse = np.unique(
                entries.astype(np.int64) * n_outputs + y, return_inverse=True
            )
            pair_sums = np.bincount(inverse, weights=weight)
            coordinates = (pairs // n_outputs, pairs % n_outputs)
            sums = sparse.csr_array((pair_sums, coordinates), shape=(n, n_outputs))
        else:
            y = np.asarray(y, dtype=np.float64)  # sums of squares must not lose float32's digits
            columns = [
                np.bincount(entries, weights=weight * y[:, j], minlength=n)
                for j in range(y.shape[1])
            ]
            sums = np.stack(columns, axis=1).reshape(n, y.shape[1])
        return cls(counts, rows, sums)

    @classmethod
    def empty(cls, n_outputs, classes):
        sums = sparse.csr_array((0, n_outputs)) if classes else np.zeros((0, n_outputs))
        return cls(np.zeros(0), np.zeros(0, dtype=np.int64), sums)

    def __len__(self):
        return len(self.weight)

    def __add__(self, other):
        return Tally(self.weight + other.weight, self.rows + other.rows, self.sums + other.sums)

    def take(self, entries):
        """The tally of ``entries``, in their order."""
        return Tally(self.weight[entries], self.rows[entries], self.sums[entries])

    def placed(self, entries, n):
        """A tally of ``n`` entries: this one's entry ``i`` added onto ``entries[i]`` (zeros elsewhere)."""
        weight = np.bincount(entries, weights=self.weight, minlength=n)
        rows = np.bincount(entries, weights=self.rows, minlength=n).astype(np.int64)
        if sparse.issparse(self.sums):
            coo = self.sums.tocoo()  # the csr conversion adds entries that land together
            sums = sparse.csr_array(
                (coo.data, (entries[coo.row], coo.col)), shape=(n, coo.shape[1])
            )
        else:
            columns = [np.bincount(entries, weights=column, minlength=n) for column in self.sums.T]
            sums = np.stack(columns, axis=1).reshape(n, self.sums.shape[1])
        return Tally(weight, rows, sums)

    def squared_sums(self):
        """``sum over entries c and outputs j of S_cj ** 2 / n_c``, over entries of positive weight."""
        if sparse.issparse(self.sums):
            coo = self.sums.tocoo()
            counts = self.weight[coo.row]
            seen = counts > 0  # rows of zero weight carry nothing
            return float(squares_over(coo.data[seen], counts[seen]).sum())
        seen = self.weight > 0
        return float(squares_over(self.sums[seen], self.weight[seen, None]).sum())

    def grand_squares(self):
        """``sum over outputs j of T_j ** 2 / W``: ``T_j`` the weighted sum of output ``j`` over
        every entry, ``W`` the total weight (see :func:`squares_over` for large sums)."""
        totals, total = np.asarray(self.sums.sum(axis=0)).ravel(), float(self.weight.sum())
        if total <= 0:
            return 0.0
        unit = power_of_two_unit(totals)
        return float(((totals / unit) ** 2).sum()) / (total / unit) * unit

    def last_output(self):
        """The sums of the last output (the positive class, or the last class), dense."""
        column = self.sums[:, [-1]]
        return np.asarray(column.todense() if sparse.issparse(column) else column).ravel()


def tally_concat(first, second):
    """The entries of ``first``, then those of ``second``."""
    stack = sparse.vstack if sparse.issparse(first.sums) else np.vstack
    sums = stack([first.sums, second.sums])
    sums = sparse.csr_array(sums) if sparse.issparse(first.sums) else sums
    return Tally(np.r_[first.weight, second.weight], np.r_[first.rows, second.rows], sums)


class ColumnStatistics:
    """One embedded column's tallies: by table row, and by value for values without a row.

    Parameters
    ----------
    by_row : Tally
        One entry per row of the column's table (the unknown row last).
    pending : Tally
        One entry per value seen without a row of its own (infrequent, merged
        away, or new in a chunk), in the order of ``pending_values``.
    pending_values : pandas.Index of object
    """

    def __init__(self, by_row, pending, pending_values):
        self.by_row = by_row
        self.pending = pending
        self.pending_values = pending_values

    @classmethod
    def empty(cls, n_rows, n_outputs, classes):
        """The statistics of no rows, for a column whose table has ``n_rows`` rows."""
        empty = Tally.empty(n_outputs, classes)
        return cls(empty.placed(np.zeros(0, dtype=int), n_rows), empty, pd.Index([], dtype=object))

    def counted(self, codes, series, y, weight, n_outputs):
        """These statistics and more training rows: ``codes`` their table rows (-1 for values
        without one), ``series`` their values."""
        has_row = codes >= 0
        if has_row.all():  # the usual case in fit: no copies
            by_row = self.by_row + Tally.of(codes, len(self.by_row), y, weight, n_outputs)
            return ColumnStatistics(by_row, self.pending, self.pending_values)
        rows, other = np.flatnonzero(has_row), np.flatnonzero(~has_row)
        chunk = Tally.of(codes[rows], len(self.by_row), y[rows], weight[rows], n_outputs)
        values = as_object_array(series.iloc[other])
        pending, pending_values = self._more_pending(values, y[other], weight[other], n_outputs)
        return ColumnStatistics(self.by_row + chunk, pending, pending_values)

    def every_value(self):
        """The tally of every value seen: the rows of the categories (not the unknown row), then the pending values."""
        return tally_concat(self.by_row.take(np.arange(len(self.by_row) - 1)), self.pending)

    def _more_pending(self, values, y, weight, n_outputs):
        """The pending tally and values with rows whose ``values`` (missing as NaN) have no row."""
        if not len(values):
            return self.pending, self.pending_values
        value_codes, uniques = pd.factorize(values, use_na_sentinel=False)
        uniques = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        new = uniques[self.pending_values.get_indexer(uniques) < 0]
        pending_values = self.pending_values.append(new)
        entries = pending_values.get_indexer(uniques)[value_codes]
        n = len(pending_values)
        chunk = Tally.of(entries, n, y, weight, n_outputs)
        return self.pending.placed(np.arange(len(self.pending)), n) + chunk, pending_values

    def merged(self, merged, categories):
        """These statistics after the categories flagged in ``merged`` lost their rows.

        ``categories`` are those categories' values: their tallies join the
        pending values (values without a row), the other rows keep their order.
        """
        rows = np.append(np.flatnonzero(~merged), len(merged))  # the unknown row stays last
        values = self.pending_values.append(pd.Index(categories, dtype=object))
        pending = tally_concat(self.pending, self.by_row.take(np.flatnonzero(merged)))
        return ColumnStatistics(self.by_row.take(rows), pending, values)

    def pending_of(self, values):
        """The pending tally of each of ``values``, zeros for the ones not pending."""
        at = self.pending_values.get_indexer(pd.Index(values, dtype=object))
        found = np.flatnonzero(at >= 0)
        return self.pending.take(at[found]).placed(found, len(values))

    def moved(self, values, moved, new_rows, n_rows):
        """These statistics after the table grew: old row ``r`` is row ``moved[r]``, and the
        pending ``values`` got ``new_rows``."""
        by_row = self.by_row.placed(moved, n_rows) + self.pending_of(values).placed(
            new_rows, n_rows
        )
        arrived = self.pending_values.get_indexer(pd.Index(values, dtype=object))
        stay = ~np.isin(np.arange(len(self.pending_values)), arrived)
        return ColumnStatistics(
            by_row, self.pending.take(np.flatnonzero(stay)), self.pending_values[stay]
        )

    def published(self):
        """The tally of each table row, the unknown row's including every pending value."""
        unknown = np.full(len(self.pending), len(self.by_row) - 1)
        return self.by_row + self.pending.placed(unknown, len(self.by_row))


@dataclass(frozen=True)
class TargetTotals:
    """What the smoothing rule needs of the whole target: its weighted sum of squares, and rows seen."""

    squares: float = 0.0
    n_rows: int = 0

    def counted(self, y, weight):
        """These totals and more rows.

        Raises
        ------
        ValueError
            If the weights, or the weighted squared targets, sum beyond float64's
            range: counts of rows that no statistic can hold.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            if y.ndim == 1:  # class codes: each one-hot row squares to 1
                squares = float(weight.sum(dtype=np.float64))
            else:
                squares = float(weight @ (np.asarray(y, dtype=np.float64) ** 2).sum(axis=1))
            squares = self.squares + squares
        if not np.isfinite(squares):
            raise ValueError(too_large_to_count("times the squared target sum"))
        return TargetTotals(squares, self.n_rows + len(weight))


@dataclass
class TableStatistics:
    """The tallies one table's smoothing and merging rule reads (see ``_shrinkage.smooth_and_merge``).

    Attributes
    ----------
    name : str
        The table's column, or its columns joined by "+", for messages.
    values : Tally
        Over the table's columns: its categories (in row order, not the unknown
        row), then the values without a row (``pending_values``).
    pending_values : pandas.Index
    given : ndarray of bool
        Which of those values have a given vector (always keep their row).
    frozen : bool
    column_tallies : list of Tally
        Each column's own tally of its every value (its ``m`` is estimated alone).
    squares : float
        Weighted sum of the squared targets.
    n_rows : int
        Training rows over the table's columns (rows times columns).
    """

    name: str
    values: Tally
    pending_values: pd.Index
    given: np.ndarray
    frozen: bool
    column_tallies: list
    squares: float
    n_rows: int

    @classmethod
    def of(cls, name, columns, totals, given_rows, frozen):
        """The statistics of a table whose columns' statistics are ``columns``.

        ``given_rows`` marks the table's categories that have a given vector.
        """
        n_categories = len(columns[0].by_row) - 1
        by_row = columns[0].by_row
        for column in columns[1:]:
            by_row = by_row + column.by_row
        pending_values, pending = _pending_union(columns)
        values = tally_concat(by_row.take(np.arange(n_categories)), pending)
        given = np.r_[given_rows, np.zeros(len(pending_values), dtype=bool)]
        tallies = [column.every_value() for column in columns]
        return cls(
            name,
            values,
            pending_values,
            given,
            frozen,
            tallies,
            totals.squares,
            totals.n_rows * len(columns),
        )


def _pending_union(columns):
    """The values pending in any of ``columns``, and their tally summed over the columns."""
    values = columns[0].pending_values
    for column in columns[1:]:
        values = values.append(column.pending_values[~column.pending_values.isin(values)])
    tally = columns[0].pending.placed(np.arange(len(columns[0].pending)), len(values))
    for column in columns[1:]:
        tally = tally + column.pending.placed(
            values.get_indexer(column.pending_values), len(values)
        )
    return values, tally
