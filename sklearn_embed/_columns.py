"""Column handling: which columns are embedded, and the fitted map from a table to the network.

:class:`ColumnCoder` is the one place that knows the layout of a table: the
column names, which columns are embedded (each through a
:class:`~sklearn_embed._vocabulary.Vocabulary`), how numeric columns are scaled
for the network, and which output columns each input column becomes. Nothing
here knows about the network's weights or about the estimator API.
"""

import copy
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from pandas.api.types import (
    CategoricalDtype,
    is_bool_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_string_dtype,
)

from ._exceptions import DataWarning
from ._statistics import mean_and_scale
from ._vocabulary import Vocabulary, as_python

# Largest automatic embedding size: beyond ~50 dimensions the downstream model
# pays more in width than it gains, whatever the cardinality.
MAX_AUTO_DIM = 50

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

# transform compares a column's share of unknown rows with fit's only on this
# many rows or more: a handful of rows says little.
MIN_ROWS_FOR_DRIFT = 20

# Text read as a date: 2020-01-31, 2020-01, 2020-01-31 08:15(:00), 2020-01-31T08:15:00.5Z.
ISO_DATE = r"\d{4}-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?"

# A text column is read as dates only with at least this many distinct values,
# all dates: a handful may be labels such as "2020-01" cohorts.
MIN_DATE_VALUES = 20

# partial_fit warns of a numeric column whose chunk has more than this share of
# its rows, and at least this many, outside the clip bounds its first data fixed.
OUT_OF_RANGE_SHARE = 0.01
OUT_OF_RANGE_ROWS = 10


def is_auto_categorical(series):
    """Whether ``categorical_features="auto"`` embeds this column.

    Strings (pandas ``str``, nullable ``"string"``, ``object``), ``category`` and
    ``bool`` (including nullable ``"boolean"``) are categorical. Numbers are not:
    integer-coded categoricals (ids, zip codes) must be named explicitly.
    """
    dtype = series.dtype
    # CategoricalDtype first: is_string_dtype is also true for categoricals of str.
    if isinstance(dtype, CategoricalDtype) or is_bool_dtype(dtype):
        return True
    return is_string_dtype(dtype) or is_object_dtype(dtype)


def resolve_categorical_mask(frame, feature_names, categorical_features):
    """Boolean mask over the columns of ``frame`` marking the categorical ones.

    Parameters
    ----------
    frame : pandas.DataFrame
        The validated input.
    feature_names : list of str
        Display names of the columns (``x0, x1, ...`` for arrays).
    categorical_features : "auto", array-like of str, int or bool
        The user's selection.

    Returns
    -------
    mask : ndarray of bool, shape (n_features,)
    """
    n_features = frame.shape[1]
    if isinstance(categorical_features, str) and categorical_features == "auto":
        return np.array([is_auto_categorical(frame.iloc[:, i]) for i in range(n_features)])

    selection = np.asarray(categorical_features)
    if selection.size == 0:
        return np.zeros(n_features, dtype=bool)
    if selection.dtype.kind == "b":
        if selection.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have one entry per "
                f"column: expected {n_features}, got {selection.shape[0]}."
            )
        return selection.copy()
    if selection.dtype.kind in "iu":
        positions = selection
        out_of_range = selection[(selection < -n_features) | (selection >= n_features)]
        if out_of_range.size:
            raise ValueError(
                f"categorical_features contains column indices {out_of_range.tolist()} "
                f"out of range for X with {n_features} columns."
            )
    elif selection.dtype.kind in "USO":
        positions = pd.Index(feature_names).get_indexer(selection.astype(object))
        if (positions < 0).any():
            missing = selection[positions < 0].tolist()
            raise ValueError(
                f"categorical_features names columns {missing} that are not in X; "
                f"its columns are {list(feature_names)}."
            )
    else:
        raise TypeError(
            "categorical_features must be 'auto', or a list of column names, column "
            f"indices or a boolean mask; got {categorical_features!r}."
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[positions] = True
    return mask


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


def auto_embedding_dim(n_categories):
    """Embedding size for a column with ``n_categories`` categories.

    ``round(1.6 * n ** 0.56)`` capped at 50: the rule of thumb fast.ai derived
    from many tabular problems. It grows slowly with cardinality: 2 categories
    get 2 dimensions, 10 get 6, 100 get 21, 1,000 and more get 50.

    Examples
    --------
    >>> from sklearn_embed._columns import auto_embedding_dim
    >>> [auto_embedding_dim(n) for n in (2, 10, 100, 100_000)]
    [2, 6, 21, 50]
    """
    return int(min(MAX_AUTO_DIM, max(1, round(1.6 * n_categories**0.56))))


def resolve_embedding_dims(names, n_categories, embedding_dim):
    """Each embedded column's size from the ``embedding_dim`` parameter.

    Parameters
    ----------
    names : list of str
        The embedded columns.
    n_categories : list of int
        Categories with a row of their own, per embedded column.
    embedding_dim : "auto", int or dict
        The user's setting; a dict leaves the columns it does not name on "auto".

    Returns
    -------
    dims : list of int
    """
    auto = [auto_embedding_dim(n) for n in n_categories]
    if isinstance(embedding_dim, str):
        return auto
    if isinstance(embedding_dim, Integral):
        return [int(embedding_dim)] * len(names)
    unknown = sorted(set(embedding_dim) - set(names), key=str)
    if unknown:
        raise ValueError(
            f"embedding_dim names columns {unknown} that are not embedded; the "
            f"embedded columns are {names}."
        )
    dims = [embedding_dim.get(name, default) for name, default in zip(names, auto)]
    bad = {n: d for n, d in zip(names, dims) if not isinstance(d, Integral) or d < 1}
    if bad:
        raise ValueError(f"embedding_dim values must be positive integers, got {bad}.")
    return [int(d) for d in dims]


def table_frame(column, categories, table):
    """One column's table as ``get_embeddings`` returns it: a row per category, no unknown row."""
    return pd.DataFrame(
        table[:-1],
        index=pd.Index(categories, name=column),
        columns=[f"{column}_emb{j}" for j in range(table.shape[1])],
    )


def embedded_position(embedded_names, column):
    """Index of ``column`` among the embedded columns, or a ``ValueError`` listing them."""
    names = list(embedded_names)
    if column in names:
        return names.index(column)
    raise ValueError(f"Column {column!r} is not embedded; the embedded columns are {names}.")


class ColumnCoder:
    """The fitted map from a table's columns to the network's inputs and the output's columns.

    Build it with :meth:`fit`. It turns a table into the network's two inputs
    (table rows of the embedded columns, scaled numeric columns) and assembles
    the transformed output.

    Parameters
    ----------
    feature_names : list of str
        Every input column's display name (``x0, x1, ...`` for arrays).
    categorical_mask : ndarray of bool, shape (n_features,)
        Which input columns are embedded.
    vocabularies : list of Vocabulary
        One per embedded column, in input order; the columns of a shared table
        hold the same one.
    lookups : list of int or None
        The table of each embedded column (None: one table per column).

    Attributes
    ----------
    numeric_bounds : ndarray of shape (n_numeric, 2)
        The network sees each numeric column clipped to these (see
        :func:`outlier_bounds`), so that a few extreme values cannot squash a
        column's scale.
    numeric_mean, numeric_scale : ndarray of shape (n_numeric,)
        Mean and standard deviation of each clipped column.
    unknown_shares : ndarray of shape (n_embedded,)
        Share of the training rows that use each column's unknown row.
    embedded_dtypes : list of str
        The training dtype of each embedded column, for messages.
    """

    def __init__(self, feature_names, categorical_mask, vocabularies, lookups=None):
        self.feature_names = feature_names
        self.categorical_mask = categorical_mask
        self.vocabularies = vocabularies
        self.lookups = list(range(len(vocabularies))) if lookups is None else list(lookups)
        self.numeric_bounds = self.numeric_mean = self.numeric_scale = None
        self.unknown_shares = self.embedded_dtypes = None

    @classmethod
    def fit(cls, frame, feature_names, mask, min_frequency, plan):
        """Learn the embedded columns' vocabularies (one per table of ``plan``) and the numeric scaling.

        ``mask`` marks the embedded columns (:func:`resolve_categorical_mask`),
        ``plan`` is their :class:`~sklearn_embed._table_plan.TablePlan`.

        Returns
        -------
        coder : ColumnCoder
        findings : list of DataWarning
            Numeric columns that reach the network as one value (see :func:`squashed_columns`).
        """
        positions = np.flatnonzero(mask)
        names = [feature_names[i] for i in positions]
        tables = plan.vocabularies(frame, positions, names, min_frequency)
        coder = cls(feature_names, mask, [tables[t] for t in plan.lookups], plan.lookups)
        coder.embedded_dtypes = [str(frame.dtypes.iloc[i]) for i in np.flatnonzero(mask)]
        x_numeric = coder.numeric_values(frame)
        quantiles = numeric_quantiles(x_numeric)
        coder.numeric_bounds = outlier_bounds(x_numeric, quantiles)
        clipped = np.clip(x_numeric, coder.numeric_bounds[:, 0], coder.numeric_bounds[:, 1])
        coder.numeric_mean, coder.numeric_scale = mean_and_scale(clipped)
        numeric_names = [feature_names[i] for i in np.flatnonzero(~mask)]
        return coder, squashed_columns(numeric_names, clipped, quantiles, coder)

    @classmethod
    def restore(cls, layout, attributes):
        """The coder of a saved encoder, from the parts of its model file."""
        vocabularies = [
            Vocabulary(categories, infrequent)
            for categories, infrequent in zip(
                attributes["categories_"], attributes["infrequent_categories_"]
            )
        ]
        coder = cls(layout["feature_names"], layout["categorical_mask"], vocabularies)
        coder.numeric_bounds = attributes["numeric_bounds_"].reshape(-1, 2)
        coder.numeric_mean = attributes["numeric_mean_"]
        coder.numeric_scale = attributes["numeric_scale_"]
        coder.unknown_shares = layout["unknown_shares"]
        coder.embedded_dtypes = layout["embedded_dtypes"]
        return coder

    def copy(self):
        """A copy whose vocabularies can change (merges, new rows) without changing this one's.

        The columns of a shared table still share one vocabulary.
        """
        copied = copy.copy(self)
        tables = {id(v): copy.copy(v) for v in self.vocabularies}
        copied.vocabularies = [tables[id(v)] for v in self.vocabularies]
        return copied

    @property
    def table_vocabularies(self):
        """One vocabulary per table, in table order."""
        first = {}
        for vocabulary, t in zip(self.vocabularies, self.lookups):
            first.setdefault(t, vocabulary)
        return [first[t] for t in sorted(first)]

    def category_lists(self):
        """Per embedded column, the categories with a row of their own, and the infrequent ones."""
        return [v.categories for v in self.vocabularies], [v.infrequent for v in self.vocabularies]

    @property
    def embedded_names(self):
        return np.asarray(
            [self.feature_names[i] for i in np.flatnonzero(self.categorical_mask)], dtype=object
        )

    def codes(self, frame, *, check_unknown=False):
        """Table rows of every embedded column, shape (n_samples, n_embedded).

        Values without a row of their own get the unknown row; with
        ``check_unknown``, values never seen at fit time raise a ``ValueError``.
        """
        codes = self.raw_codes(frame)
        for k, (vocabulary, i) in enumerate(zip(self.vocabularies, self.embedded_positions)):
            unknown = codes[:, k] < 0
            if check_unknown and unknown.any():
                values, n_values = vocabulary.unseen_values(frame.iloc[:, i], codes[:, k])
                if n_values:
                    raise ValueError(
                        f"Found {n_values} unknown categories in column "
                        f"{self.feature_names[i]!r} during transform, e.g. {values}. Use "
                        "handle_unknown='use_unknown' to give them the learned unknown vector."
                    )
            codes[unknown, k] = vocabulary.unknown_row
        return codes

    def raw_codes(self, frame):
        """Table rows of every embedded column, -1 for values without a row of their own."""
        columns = [
            vocabulary.encode(frame.iloc[:, i])
            for vocabulary, i in zip(self.vocabularies, self.embedded_positions)
        ]
        return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0), np.int32)

    @property
    def embedded_positions(self):
        """Position of each embedded column among the input columns."""
        return np.flatnonzero(self.categorical_mask)

    def unknown_rows(self):
        """The unknown row of each embedded column's table."""
        return np.array([v.unknown_row for v in self.vocabularies], dtype=np.int32)

    def numeric_values(self, frame):
        """The numeric columns as float64, shape (n_samples, n_numeric); NaN kept."""
        columns = [
            numeric_values(frame.iloc[:, i], self.feature_names[i], self.numeric_mean is not None)
            for i in np.flatnonzero(~self.categorical_mask)
        ]
        return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0))

    def network_numeric(self, frame):
        """Network input of the numeric columns: clipped, standardised, missing at the mean."""
        return self.scaled_numeric(self.numeric_values(frame))

    def scaled_numeric(self, values):
        """:meth:`network_numeric` of the columns' values (:meth:`numeric_values`)."""
        clipped = np.clip(values, self.numeric_bounds[:, 0], self.numeric_bounds[:, 1])
        standardised = (clipped - self.numeric_mean) / self.numeric_scale
        return np.nan_to_num(standardised, nan=0.0).astype(np.float32)

    def out_of_range(self, values, since):
        """Findings for numeric columns with many ``values`` (:meth:`numeric_values`) off bounds.

        The bounds come from the first data the network saw (``since``: "fit" or
        "partial_fit's first chunk"); a stream sorted by date, say, goes on past
        them, and every later value would be clipped without a word. More than
        ``OUT_OF_RANGE_SHARE`` of the rows, and at least ``OUT_OF_RANGE_ROWS``, tell.

        Returns
        -------
        findings : list of DataWarning
        """
        (low, high), n_rows = self.numeric_bounds.T, len(values)
        outside = ((values < low) | (values > high)).sum(axis=0)
        limit = max(OUT_OF_RANGE_ROWS, OUT_OF_RANGE_SHARE * n_rows)
        names = [self.feature_names[i] for i in np.flatnonzero(~self.categorical_mask)]
        return [
            DataWarning(
                f"Column {names[j]!r}: {outside[j]:,} of the {n_rows:,} rows "
                f"({_percent(outside[j] / n_rows)}) lie outside [{low[j]:.6g}, {high[j]:.6g}], "
                f"the range {since} fixed for the network's input, and are clipped to it. "
                "Shuffle the rows across chunks, and give the first chunk enough rows to show "
                "each column's range: chunks in the order of a column teach the network one "
                "range at a time (fitting on a sample first fixes the range, not the order).",
                kind="out_of_range",
                column=names[j],
            )
            for j in np.flatnonzero(outside > limit)
        ]

    def unknown_drift(self, frame, codes):
        """Findings for columns read another way than at fit: too many unknown rows, or another kind.

        A column read with another dtype than at fit (zip codes as numbers, say)
        or from another source maps most rows to the unknown vector, which is a
        plausible-looking but empty output. On ``MIN_ROWS_FOR_DRIFT`` rows or
        more, a share of unknown rows far above the training share tells; on
        any number of rows, unknown values of another kind than the column's
        ("True" in a column of booleans) do.

        Returns
        -------
        findings : list of DataWarning
        """
        findings = []
        for k, (name, vocabulary) in enumerate(zip(self.embedded_names, self.vocabularies)):
            unknown = codes[:, k] == vocabulary.unknown_row
            if not unknown.any():
                continue
            share, expected = unknown.mean(), self.unknown_shares[k]
            many = len(codes) >= MIN_ROWS_FOR_DRIFT and share > expected + (1 - expected) / 2
            # The rows on the unknown row, marked -1 as other_kind and unseen_values want them.
            series, marked = frame.iloc[:, self.embedded_positions[k]], np.where(unknown, -1, 0)
            values, kind, new_kind = vocabulary.other_kind(series, marked)
            if not (many or len(values)):
                continue
            if len(values):
                shown = f"{as_python(values[:5].tolist())}: {new_kind}s, where fit saw {kind}s"
            else:
                shown = f"e.g. {vocabulary.unseen_values(series, marked)[0]}"
            message = (
                f"Column {name!r}: {unknown.sum():,} of the {len(codes):,} rows "
                f"({_percent(share)}) get the unknown vector in transform, against "
                f"{_percent(expected)} at fit ({shown}). Check "
                "that the column holds the same values as at fit (dtype now "
                f"{series.dtype}, at fit {self.embedded_dtypes[k]})."
            )
            findings.append(DataWarning(message, kind="unknown_drift", column=name))
        return findings

    def check_output_names(self, dims, remainder, appended=()):
        """Refuse input column names that would make two output columns share a name."""
        names = np.concatenate(
            [self.feature_names_out(self.feature_names, dims, remainder), appended]
        )
        repeated, counts = np.unique(names.astype(str), return_counts=True)
        repeated = repeated[counts > 1].tolist()
        if not repeated:
            return
        if set(repeated) & set(map(str, appended)):
            cause = f"the prediction adds {list(appended)}, which input columns already use"
        else:
            cause = (
                "embedded column c gives c_emb0, c_emb1, ..., which other input columns already use"
            )
        raise ValueError(
            f"The output would have repeated column names {repeated}: {cause}. Rename those input columns."
        )

    def output_widths(self, dims, remainder):
        """Output columns of each input column: its embedding size, 1 or 0 for numbers."""
        dims = iter(dims)
        passthrough = int(remainder == "passthrough")
        return [next(dims) if embedded else passthrough for embedded in self.categorical_mask]

    def feature_names_out(self, input_features, dims, remainder):
        """``f"{column}_emb{j}"`` for embedded columns, the name for passed-through ones."""
        names = []
        widths = self.output_widths(dims, remainder)
        for name, embedded, width in zip(input_features, self.categorical_mask, widths):
            if embedded:
                names.extend(f"{name}_emb{j}" for j in range(width))
            elif width:
                names.append(name)
        return np.asarray(names, dtype=object)

    def output(self, frame, codes, tables, remainder, dtype=np.float64, n_appended=0, vectors=True):
        """The transformed table: each embedded column replaced in place by its vectors.

        The last ``n_appended`` columns are left for the caller to fill (the
        network's prediction); without ``vectors`` the embedded columns are
        left out. Passed-through values that ``dtype`` cannot hold are said so
        (see :func:`as_output`).

        Returns
        -------
        out : ndarray of shape (n_samples, n_features_out)
        findings : list of DataWarning
        """
        widths = self.output_widths([t.shape[1] * vectors for t in tables], remainder)
        table_of = np.cumsum(self.categorical_mask) - 1  # table of each embedded column
        # One preallocated output, each block written in place: no concatenation copy.
        out = np.empty((frame.shape[0], sum(widths) + n_appended), dtype=output_dtype(dtype))
        starts = np.cumsum([0, *widths])
        findings = []
        for i, embedded in enumerate(self.categorical_mask):
            block = slice(starts[i], starts[i + 1])
            if embedded and widths[i]:
                k = table_of[i]
                out[:, block] = np.take(tables[k], codes[:, k], axis=0)
            elif widths[i]:
                series, name = frame.iloc[:, i], self.feature_names[i]
                values = numeric_values(series, name, fitted=True)
                out[:, block], beyond = as_output(values[:, None], out.dtype)
                if beyond is not None:
                    example = values[beyond[:, 0]][0]
                    findings.append(beyond_float32(name, int(beyond.sum()), example))
                findings += rounded_integers(series, out.dtype, name)
        return out, findings


def output_dtype(dtype):
    """The ``dtype`` parameter as a NumPy dtype: float64 or float32, else a ValueError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.float64, np.float32):
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}.")
    return resolved


def as_output(values, dtype):
    """``values`` as an output of ``dtype`` holds them, and where it cannot.

    float32 cannot hold magnitudes beyond about 3.4e38: they would become
    infinite, so they are clipped to float32's largest value instead (and
    :func:`beyond_float32` says so). NaN stays NaN (it was in the input).

    Returns
    -------
    values : ndarray of float64, shape of ``values``
    beyond : ndarray of bool or None
        The values clipped; None when none was.
    """
    if dtype != np.float32:
        return values, None
    largest = np.finfo(np.float32).max
    beyond = np.abs(values) > largest
    if not beyond.any():
        return values, None
    return np.clip(values, -largest, largest), beyond


def beyond_float32(name, n_values, example):
    """The finding for ``n_values`` values of column ``name`` clipped by :func:`as_output`."""
    largest = np.finfo(np.float32).max
    message = (
        f"Column {name!r}: {n_values:,} values lie beyond float32's range (such as "
        f"{example:.3g}); the output (dtype=np.float32) holds {np.sign(example) * largest:.3g} "
        "there instead of an infinity. Pass dtype=np.float64 to keep them."
    )
    return DataWarning(message, kind="output_precision", column=name)


def rounded_integers(series, dtype, name):
    """A finding when a column of integers holds values that the output's ``dtype`` rounds.

    float64 holds every integer up to 2**53 exactly: larger ones (account
    numbers, 64-bit hashes) come out as a neighbour. float32's rounding of
    every value is documented (``dtype``), so only float64 is checked here.

    Returns
    -------
    findings : list of DataWarning
    """
    if dtype != np.float64 or series.dtype.kind not in "iu":
        return []
    present = series.dropna()
    integers = present.to_numpy(dtype=getattr(present.dtype, "numpy_dtype", present.dtype))
    large = integers[(integers > 2**53) | (integers < -(2**53))]
    if not len(large):
        return []
    as_float = large.astype(np.float64)
    # No value of the integer type is at or beyond 2**63 (2**64 unsigned): those were rounded up.
    outside = as_float >= (2.0**63 if series.dtype.kind == "i" else 2.0**64)
    rounded = outside | (np.where(outside, 0, as_float).astype(large.dtype) != large)
    if not rounded.any():
        return []
    example = large[rounded][0]
    message = (
        f"Column {name!r}: {int(rounded.sum()):,} integers lie beyond 2**53, which float64 "
        f"output rounds ({example} becomes {float(example):.17g}). Such a column is usually "
        "an id, not a feature: leave it out of X and join it back by row (the command line "
        "writes passed-through columns exactly)."
    )
    return [DataWarning(message, kind="output_precision", column=name)]


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


def squashed_columns(names, clipped, quantiles, coder):
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
        The training values clipped to ``coder.numeric_bounds``.
    quantiles : ndarray
        :func:`numeric_quantiles` of the values before clipping (clipping keeps
        the quartiles in order, so the clipped quartiles are theirs, clipped).
    coder : ColumnCoder
        With its numeric scaling learned.

    Returns
    -------
    findings : list of DataWarning
    """
    low, high = coder.numeric_bounds[:, 0], coder.numeric_bounds[:, 1]
    quartiles = np.clip(quantiles[4:], low, high)
    middle = (quartiles[1] - quartiles[0]) / coder.numeric_scale
    findings = []
    for j in np.flatnonzero((middle > 0) & (middle < SQUASHED_SPREAD)):
        extreme = clipped[np.nanargmax(np.abs(clipped[:, j] - coder.numeric_mean[j])), j]
        message = (
            f"Column {names[j]!r}: more than 1% of its training rows hold extreme values "
            f"(such as {extreme:.3g}), which set its scale: the network sees the middle half "
            f"of its values within {middle[j]:.1g} standard deviations, as one value. Clip "
            "those values, or take a log, before fitting."
        )
        findings.append(DataWarning(message, kind="outliers", column=names[j]))
    return findings


def _percent(share):
    """A share as a percentage a message can show: 80%, 0.019%, 0%."""
    return f"{share:.0%}" if share == 0 or share >= 0.01 else f"{100 * share:.2g}%"


def looks_like_dates(series):
    """Text whose values (a sample of the distinct ones) are all ISO dates: 2020-01-31, 2020-01."""
    values = pd.Series(np.asarray(series.dropna().unique()[:1000], dtype=object))
    if len(values) < MIN_DATE_VALUES or not all(isinstance(value, str) for value in values):
        return False
    return bool(values.str.fullmatch(ISO_DATE).all())


def date_columns(frame, names, mask):
    """Findings for embedded text columns of dates, which ``categorical_features="auto"`` chose.

    Each date becomes a category of its own, and a date not seen at fit gets the
    unknown vector: rarely what a user of dates wants, and silent otherwise.
    """
    findings = []
    for i in np.flatnonzero(mask):
        series = frame.iloc[:, i]
        if looks_like_dates(series):
            findings.append(
                DataWarning(
                    f"Column {names[i]!r} holds dates as text (e.g. {series.dropna().iloc[0]!r}), "
                    f"embedded as {series.nunique():,} categories: a date not seen at fit gets "
                    "the unknown vector. To use time as a number, convert it (pd.to_datetime, "
                    "then a year, a month, days since a start), or drop it from X.",
                    kind="dates",
                    column=names[i],
                )
            )
    return findings
