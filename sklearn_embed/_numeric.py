"""The numeric (not embedded) columns: read as numbers, clipped and standardised for the network.

The network sees each numeric column clipped to bounds learned at fit (a few
extreme values must not set the scale and squash every other value), then
standardised, missing values at the mean (0). :class:`NumericScaling` is that
map; the output passes the raw values through.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from ._exceptions import DataWarning
from ._statistics import mean_and_scale
from ._vocabulary import as_python

# The network sees numeric columns clipped near their 0.1% and 99.9% training
# quantiles: a handful of extreme values (1e12 among thousands of ordinary ones)
# would otherwise set the standard deviation and squash every other value to 0.
NUMERIC_CLIP = 0.001
# Those quantiles are themselves extreme once more than 0.1% of the rows are
# outliers; the 1% and 99% quantiles are not, up to 1% of outliers on each side.
# The bounds never reach further beyond them than CORE_REACH times their distance:
# far enough that heavy but genuine tails (incomes, delays) are not clipped more.
CORE_CLIP = 0.01
CORE_REACH = 10
# A numeric column whose middle half spans less than this many standard
# deviations (of the clipped column) reaches the network as nearly one value.
SQUASHED_SPREAD = 1e-3

# partial_fit warns of a numeric column whose chunk has more than this share of
# its rows, and at least this many, outside the clip bounds its first data fixed.
OUT_OF_RANGE_SHARE = 0.01
OUT_OF_RANGE_ROWS = 10


def numeric_values(series, name, fitted=False):
    """Float64 values of a numeric (non-embedded) column; NaN allowed, infinity refused.

    ``fitted``: the column was numeric at fit, and the advice is to read it so
    again (``categorical_features`` is a fit's choice).
    """
    dtype = series.dtype
    if not is_numeric_dtype(dtype) and fitted:
        present = series.dropna()
        text = present[pd.to_numeric(present, errors="coerce").isna()]
        example = f" (e.g. {as_python(text.iloc[0])!r})" if len(text) else ""
        raise ValueError(
            f"Column {name!r} held numbers at fit but has dtype {dtype} now{example}: "
            "convert it to numbers, as at fit."
        )
    if not is_numeric_dtype(dtype):
        raise ValueError(
            f"Column {name!r} has dtype {dtype} and is not categorical: list it in "
            f"categorical_features to embed it, or convert it to numbers."
        )
    if dtype.kind == "c":
        raise TypeError(
            f"Column {name!r} holds complex numbers (e.g. {series.iloc[0]}); a numeric "
            "column must hold real numbers. Take the real part or the modulus first."
        )
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise ValueError(
            f"Numeric column {name!r} has {int(infinite.sum())} infinite values; "
            f"replace them (e.g. by NaN, which is passed through) before encoding."
        )
    return values


@dataclass(frozen=True, eq=False)
class NumericScaling:
    """How the network sees the numeric columns: clipped to ``bounds``, standardised.

    Attributes
    ----------
    bounds : ndarray of shape (n_numeric, 2)
        See :func:`outlier_bounds`.
    mean, scale : ndarray of shape (n_numeric,)
        Mean and standard deviation of each clipped training column.
    """

    bounds: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def learn(cls, x, names):
        """The scaling of the training values ``x`` (n_samples, n_numeric), and its findings.

        Returns
        -------
        scaling : NumericScaling
        findings : list of DataWarning
            Columns that reach the network as one value (see :func:`squashed_columns`).
        """
        quantiles = numeric_quantiles(x)
        bounds = outlier_bounds(x, quantiles)
        clipped = np.clip(x, bounds[:, 0], bounds[:, 1])
        scaling = cls(bounds, *mean_and_scale(clipped))
        return scaling, squashed_columns(names, clipped, quantiles, scaling)

    def apply(self, values):
        """The network's input: ``values`` clipped, standardised, missing at the mean; float32."""
        clipped = np.clip(values, self.bounds[:, 0], self.bounds[:, 1])
        standardised = (clipped - self.mean) / self.scale
        return np.nan_to_num(standardised, nan=0.0).astype(np.float32)

    def out_of_range(self, values, names, since):
        """Findings for columns with many ``values`` outside the bounds (``partial_fit``).

        The bounds come from the first data the network saw (``since``: "fit" or
        "partial_fit's first chunk"); a stream sorted by date, say, goes on past
        them, and every later value would be clipped without a word. More than
        ``OUT_OF_RANGE_SHARE`` of the rows, and at least ``OUT_OF_RANGE_ROWS``, tell.

        Returns
        -------
        findings : list of DataWarning
        """
        (low, high), n_rows = self.bounds.T, len(values)
        outside = ((values < low) | (values > high)).sum(axis=0)
        limit = max(OUT_OF_RANGE_ROWS, OUT_OF_RANGE_SHARE * n_rows)
        return [
            DataWarning(
                f"Column {names[j]!r}: {outside[j]:,} of the {n_rows:,} rows "
                f"({percent(outside[j] / n_rows)}) lie outside [{low[j]:.6g}, {high[j]:.6g}], "
                f"the range {since} fixed for the network's input, and are clipped to it. "
                "Shuffle the rows across chunks, and give the first chunk enough rows to show "
                "each column's range: chunks in the order of a column teach the network one "
                "range at a time (fitting on a sample first fixes the range, not the order).",
                kind="out_of_range",
                column=names[j],
            )
            for j in np.flatnonzero(outside > limit)
        ]


def numeric_quantiles(x):
    """The training quantiles the numeric scaling reads, shape (6, n_columns), NaN ignored.

    The 0.1%, 99.9%, 1% and 99% quantiles (:func:`outlier_bounds`), then the
    quartiles (:func:`squashed_columns`): one pass over the values for all six.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
        levels = [NUMERIC_CLIP, 1 - NUMERIC_CLIP, CORE_CLIP, 1 - CORE_CLIP, 0.25, 0.75]
        return np.nanquantile(x, levels, axis=0).reshape(6, -1)


def outlier_bounds(x, quantiles=None):
    """Per column, the range outside which values are clipped for the network.

    The 0.1% and 99.9% training quantiles, widened by their distance on each
    side, but never more than ``CORE_REACH`` times the distance of the 1% and
    99% quantiles beyond those: five values of 1e12 among 20,000 ordinary ones
    are clipped, and so are 21 (or 2 among 2,000), whose 0.1% quantile is
    already 1e12 — any share of outliers below 1% on each side. A column whose
    0.1% and 99.9% quantiles are equal (a flag that is 1 on a handful of rows,
    a constant) is held to its training range: every value seen keeps its
    place, and values never seen (1e39 at transform) cannot reach the network.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_columns)
    quantiles : ndarray, default=None
        :func:`numeric_quantiles` of ``x``, when already computed.

    Returns
    -------
    bounds : ndarray of shape (n_columns, 2)
        Finite; 0 for all-missing columns.
    """
    quantiles = numeric_quantiles(x) if quantiles is None else quantiles
    low, high, core_low, core_high = quantiles[:4]
    spread, core = high - low, CORE_REACH * (core_high - core_low)
    bounds = np.column_stack([low - spread, high + spread])
    capped = core > 0  # a mostly constant column (a sparse flag) has no core range to cap by
    bounds[capped, 0] = np.maximum(bounds[capped, 0], core_low[capped] - core[capped])
    bounds[capped, 1] = np.minimum(bounds[capped, 1], core_high[capped] + core[capped])
    flat = spread == 0
    if flat.any():
        seen = x[:, flat]
        bounds[flat] = np.column_stack([np.nanmin(seen, axis=0), np.nanmax(seen, axis=0)])
    return np.nan_to_num(bounds, nan=0.0, posinf=0.0, neginf=0.0)


def squashed_columns(names, clipped, quantiles, scaling):
    """Findings for numeric columns that reach the network as (nearly) one value.

    More than 1% of extreme values on a side (1e12 on 3% of the rows) set the
    clipped column's standard deviation, and the network then sees the middle
    half of its training values within ``SQUASHED_SPREAD`` of one standard
    deviation (in float32: as one value).

    Parameters
    ----------
    names : list of str
        The numeric columns.
    clipped : ndarray of shape (n_samples, n_numeric)
        The training values clipped to ``scaling.bounds``.
    quantiles : ndarray
        :func:`numeric_quantiles` of the values before clipping (clipping keeps
        the quartiles in order, so the clipped quartiles are theirs, clipped).
    scaling : NumericScaling
        Learned from those values.

    Returns
    -------
    findings : list of DataWarning
    """
    low, high = scaling.bounds[:, 0], scaling.bounds[:, 1]
    quartiles = np.clip(quantiles[4:], low, high)
    middle = (quartiles[1] - quartiles[0]) / scaling.scale
    findings = []
    for j in np.flatnonzero((middle > 0) & (middle < SQUASHED_SPREAD)):
        extreme = clipped[np.nanargmax(np.abs(clipped[:, j] - scaling.mean[j])), j]
        message = (
            f"Column {names[j]!r}: more than 1% of its training rows hold extreme values "
            f"(such as {extreme:.3g}), which set its scale: the network sees the middle half "
            f"of its values within {middle[j]:.1g} standard deviations, as one value. Clip "
            "those values, or take a log, before fitting."
        )
        findings.append(DataWarning(message, kind="outliers", column=names[j]))
    return findings


def percent(share):
    """A share as a percentage a message can show: 80%, 0.019%, 0%."""
    return f"{share:.0%}" if share == 0 or share >= 0.01 else f"{100 * share:.2g}%"
