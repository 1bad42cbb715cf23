"""Column handling: which columns are embedded, and the fitted map from a table to the network.

:class:`ColumnCoder` is the one place that knows the layout of a table: the
column names, which columns are embedded (each through a
:class:`~sklearn_embed._vocabulary.Vocabulary`), how numeric columns are scaled
for the network, and which output columns each input column becomes. Nothing
here knows about the network's weights or about the estimator API.
"""

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

from ._shrinkage import auto_smooth, too_noisy, weighted_counts
from ._vocabulary import Vocabulary

# Largest automatic embedding size: beyond ~50 dimensions the downstream model
# pays more in width than it gains, whatever the cardinality.
MAX_AUTO_DIM = 50


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


def numeric_values(series, name):
    """Float64 values of a numeric (non-embedded) column; NaN allowed, infinity refused."""
    dtype = series.dtype
    if not is_numeric_dtype(dtype):
        raise ValueError(
            f"Column {name!r} has dtype {dtype} and is not categorical: list it in "
            f"categorical_features to embed it, or convert it to numbers."
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
        One per embedded column, in input order.
    numeric_mean, numeric_scale : ndarray of shape (n_numeric,)
        What the network subtracts from, and divides, each numeric column by.
    """

    def __init__(self, feature_names, categorical_mask, vocabularies, numeric_mean, numeric_scale):
        self.feature_names = feature_names
        self.categorical_mask = categorical_mask
        self.vocabularies = vocabularies
        self.numeric_mean = numeric_mean
        self.numeric_scale = numeric_scale

    @classmethod
    def fit(cls, frame, feature_names, categorical_features, min_frequency):
        """Choose the embedded columns, learn their vocabularies and the numeric scaling."""
        mask = resolve_categorical_mask(frame, feature_names, categorical_features)
        vocabularies = [
            Vocabulary.fit(frame.iloc[:, i], min_frequency, feature_names[i])
            for i in np.flatnonzero(mask)
        ]
        coder = cls(feature_names, mask, vocabularies, None, None)
        x_numeric = coder.numeric_values(frame)
        coder.numeric_mean = _nan_or_zero(np.nanmean, x_numeric)
        coder.numeric_scale = safe_scale(_nan_or_zero(np.nanstd, x_numeric))
        return coder

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
        columns = []
        for vocabulary, i in zip(self.vocabularies, np.flatnonzero(self.categorical_mask)):
            series = frame.iloc[:, i]
            codes = vocabulary.encode(series)
            unknown = codes < 0
            if check_unknown and unknown.any():
                values, n_values = vocabulary.unseen_values(series, codes)
                if n_values:
                    raise ValueError(
                        f"Found {n_values} unknown categories in column "
                        f"{self.feature_names[i]!r} during transform, e.g. {values}. Use "
                        "handle_unknown='use_unknown' to give them the learned unknown vector."
                    )
            codes[unknown] = vocabulary.unknown_row
            columns.append(codes)
        return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0), np.int32)

    def numeric_values(self, frame):
        """The numeric columns as float64, shape (n_samples, n_numeric); NaN kept."""
        columns = [
            numeric_values(frame.iloc[:, i], self.feature_names[i])
            for i in np.flatnonzero(~self.categorical_mask)
        ]
        return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0))

    def network_numeric(self, frame):
        """Network input of the numeric columns: standardised, missing values at the mean."""
        standardised = (self.numeric_values(frame) - self.numeric_mean) / self.numeric_scale
        return np.nan_to_num(standardised, nan=0.0).astype(np.float32)

    def merge_noisy_categories(self, codes, y, weight, smooth):
        """Estimate each column's ``smooth`` and give its too-noisy categories the unknown row.

        Parameters
        ----------
        codes : ndarray of int, shape (n_samples, n_embedded)
            Training codes; rewritten in place in the new row layout.
        y : ndarray of shape (n_samples, n_outputs)
            Training targets as the network sees them.
        weight : ndarray of shape (n_samples,)
        smooth : "auto" or float

        Returns
        -------
        smooth_ : dict
            ``{column: m}``, the pseudo-count of each embedded column.
        """
        smooth_ = {}
        for k, (name, vocabulary) in enumerate(zip(self.embedded_names, self.vocabularies)):
            n_rows = vocabulary.n_rows
            if smooth == "auto":
                smooth_[name] = auto_smooth(codes[:, k], y, weight, n_rows)
            else:
                smooth_[name] = float(smooth)
            noisy = too_noisy(weighted_counts(codes[:, k], weight, n_rows)[:-1], smooth_[name])
            if noisy.any():
                codes[:, k] = vocabulary.merge_into_unknown(noisy)[codes[:, k]]
        return smooth_

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

    def output(self, frame, codes, tables, remainder):
        """The transformed table: each embedded column replaced in place by its vectors."""
        widths = self.output_widths([t.shape[1] for t in tables], remainder)
        table_of = np.cumsum(self.categorical_mask) - 1  # table of each embedded column
        # One preallocated output, each block written in place: no concatenation copy.
        out = np.empty((frame.shape[0], sum(widths)))
        starts = np.cumsum([0, *widths])
        for i, embedded in enumerate(self.categorical_mask):
            block = slice(starts[i], starts[i + 1])
            if embedded:
                k = table_of[i]
                out[:, block] = np.take(tables[k], codes[:, k], axis=0)
            elif widths[i]:
                out[:, block] = numeric_values(frame.iloc[:, i], self.feature_names[i])[:, None]
        return out


def safe_scale(std):
    """Standard deviations with zeros replaced by one (constant columns stay constant)."""
    return np.where(std > 0, std, 1.0)


def _nan_or_zero(statistic, x):
    """Column statistic ignoring NaN; 0 for all-missing columns, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(statistic(x, axis=0), nan=0.0)
