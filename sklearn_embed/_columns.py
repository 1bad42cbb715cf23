"""Column handling: which columns are categorical, their vocabularies, their codes.

Everything here is a pure function of pandas Series / DataFrames. The
estimator calls these; nothing here knows about the network.

Code layout of one categorical column with ``K = len(categories)``::

    0 .. K-1   the categories kept at fit time, sorted, missing (NaN) last if seen
    K          the reserved "unknown" row: categories unseen at fit time,
               categories rarer than ``min_frequency``, and those the
               encoder's ``smooth`` finds too noisy (``_shrinkage``) share it

so an embedding table has ``K + 1`` rows and its last row is the unknown vector.
"""

import numbers

import numpy as np
import pandas as pd
from pandas.api.types import (
    CategoricalDtype,
    infer_dtype,
    is_bool_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_string_dtype,
)

# infer_dtype's verdicts for object columns that mix strings with numbers.
# pd.factorize would silently merge 1, 1.0 and True, so such columns are refused.
_MIXED_TYPES = {"mixed", "mixed-integer"}


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


def check_uniform_types(series, name):
    """Raise ``TypeError`` if an object column mixes strings and numbers."""
    if not is_object_dtype(series.dtype):
        return
    kind = infer_dtype(series, skipna=True)
    if kind in _MIXED_TYPES:
        types = sorted({type(value).__name__ for value in series.dropna().unique()})
        raise TypeError(
            f"Column {name!r} mixes value types {types}; a categorical column must "
            f"hold only strings or only numbers. Convert it first, e.g. "
            f"X[{name!r}] = X[{name!r}].astype(str)."
        )


def fit_vocabulary(series, min_frequency, name):
    """Categories of one column, and the ones too rare to get their own vector.

    Parameters
    ----------
    series : pandas.Series
        The training values. Every missing marker (None, NaN, pd.NA, NaT) counts
        as one category, placed last.
    min_frequency : int or float
        Categories seen fewer than ``min_frequency`` times (or, as a float in
        (0, 1), in less than that fraction of the rows) share the unknown row.
    name : str
        Column name used in error messages.

    Returns
    -------
    categories : ndarray of object
        The kept categories, sorted, with ``np.nan`` last when missing values
        are frequent enough.
    infrequent : ndarray of object
        The categories seen at fit time that map to the unknown row.
    """
    check_uniform_types(series, name)
    missing = series.isna().to_numpy()
    # value_counts drops the unused categories of a Categorical only when they
    # have a zero count, which we then filter: an unused category would get a
    # vector that no gradient ever reaches.
    counts = series[~missing].value_counts(sort=False)
    counts = counts[counts.to_numpy() > 0]
    values = _as_object_array(counts.index)
    frequencies = counts.to_numpy()

    threshold = _count_threshold(min_frequency, len(series))
    order = np.argsort(values, kind="stable")
    values, frequencies = values[order], frequencies[order]
    kept = frequencies >= threshold
    categories = values[kept]
    infrequent = values[~kept]

    n_missing = int(missing.sum())
    if n_missing >= threshold and n_missing > 0:
        categories = np.append(categories, np.nan).astype(object)
    elif n_missing > 0:
        infrequent = np.append(infrequent, np.nan).astype(object)
    return categories, infrequent


def encode_column(series, categories):
    """Codes of ``series`` in the layout of ``categories``; -1 marks unknown values.

    Vectorised through pandas' hash tables; categorical columns are looked up
    through their (small) category list instead of their values.

    Returns
    -------
    codes : ndarray of int32, shape (n_samples,)
    """
    has_missing_category = len(categories) > 0 and _is_missing(categories[-1])
    known = categories[:-1] if has_missing_category else categories
    if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
        # Numbers hash fast in their own dtype.
        codes = _typed_index(known).get_indexer(series)
    else:
        # Strings, booleans, categoricals: code the column's distinct values
        # (pyarrow's dictionary encoding for pandas 3 strings, the codes for a
        # Categorical), then look up only those few values.
        if isinstance(series.dtype, CategoricalDtype):
            value_codes, values = series.cat.codes.to_numpy(), series.cat.categories
        else:
            value_codes, values = pd.factorize(series, use_na_sentinel=True)
        lookup = pd.Index(known, dtype=object).get_indexer(_as_object_array(values))
        codes = np.where(value_codes >= 0, lookup[value_codes], -1) if len(lookup) else np.full(len(series), -1)
    codes = codes.astype(np.int32)
    missing = series.isna().to_numpy()
    codes[missing] = len(categories) - 1 if has_missing_category else -1
    return codes


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


def describe_unknown(series, codes, infrequent, max_values=5):
    """The first distinct values of ``series`` that were unseen at fit time."""
    unknown = series[codes < 0]
    if len(infrequent):
        unknown = unknown[~_isin_with_missing(unknown, infrequent)]
    values = pd.unique(_as_object_array(unknown))
    return values[:max_values].tolist(), len(values)


def _isin_with_missing(series, values):
    has_missing = any(_is_missing(value) for value in values)
    present = series.isin([value for value in values if not _is_missing(value)])
    return present.to_numpy() | (series.isna().to_numpy() & has_missing)


def _typed_index(values):
    if len(values) == 0:
        return pd.Index([], dtype=object)
    index = pd.Index(list(values))
    return index if index.dtype != object else pd.Index(values, dtype=object)


def _count_threshold(min_frequency, n_samples):
    if isinstance(min_frequency, numbers.Integral):
        return int(min_frequency)
    return float(min_frequency) * n_samples


def _as_object_array(values):
    # One representation for every dtype: pd.NA and NaN become np.nan, and
    # numpy scalars of bool columns stay bools.
    return np.asarray(pd.Series(values, copy=False).astype(object).to_numpy(na_value=np.nan))


def _is_missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
