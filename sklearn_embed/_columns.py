"""The input columns: which are embedded, and the fitted map from a table to the network's inputs.

:class:`ColumnCoder` knows the layout of the input table: the column names,
which columns are embedded (each through a
:class:`~sklearn_embed._vocabulary.Vocabulary`), and how numeric columns are
scaled for the network (:class:`~sklearn_embed._numeric.NumericScaling`). It
turns a table into the network's two inputs: table rows of the embedded
columns, scaled numbers. What the output looks like is the fitted model's
(``_model``); nothing here knows the network's weights or the estimator.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import (
    CategoricalDtype,
    is_bool_dtype,
    is_integer_dtype,
    is_object_dtype,
    is_string_dtype,
)

from ._exceptions import DataWarning
from ._numeric import NumericScaling, numeric_values, percent
from ._vocabulary import Vocabulary, as_python, precision_problem

# transform compares a column's share of unknown rows with fit's only on this
# many rows or more: a handful of rows says little.
MIN_ROWS_FOR_DRIFT = 20

# Text read as a date: 2020-01-31, 2020-01, 2020-01-31 08:15(:00), 2020-01-31T08:15:00.5Z.
ISO_DATE = r"\d{4}-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?"

# A text column is read as dates only with at least this many distinct values,
# all dates: a handful may be labels such as "2020-01" cohorts.
MIN_DATE_VALUES = 20

# An integer column is pointed out as a possible id or code only with at least
# this many distinct values: small integer sets are as often counts as codes.
MIN_CODE_VALUES = 20

# A column name like store_id, zip, product_code, plotId.
CODE_NAME = r"(^|[^a-z])(id|ids|code|zip|zipcode|postcode|key|no)$|[a-z]Id$"


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


def embedded_position(embedded_names, column):
    """Index of ``column`` among the embedded columns, or a ``ValueError`` listing them."""
    names = list(embedded_names)
    if column in names:
        return names.index(column)
    raise ValueError(f"Column {column!r} is not embedded; the embedded columns are {names}.")


class ColumnCoder:
    """The fitted map from a table's columns to the network's inputs.

    Parameters
    ----------
    feature_names : list of str
        Every input column's display name (``x0, x1, ...`` for arrays).
    categorical_mask : ndarray of bool, shape (n_features,)
        Which input columns are embedded.
    vocabularies : list of Vocabulary
        One per embedded column, in input order; the columns of a shared table
        hold the same one.
    lookups : list of int
        The table of each embedded column.
    numeric : NumericScaling
        How the network sees the numeric columns.
    unknown_shares : ndarray of shape (n_embedded,)
        Share of the training rows that use each column's unknown row.
    embedded_dtypes : list of str
        The training dtype of each embedded column, for messages.
    """

    def __init__(  # noqa: PLR0913
        self,
        feature_names,
        categorical_mask,
        vocabularies,
        lookups,
        numeric,
        unknown_shares,
        embedded_dtypes,
    ):
        self.feature_names = feature_names
        self.categorical_mask = categorical_mask
        self.vocabularies = vocabularies
        self.lookups = list(lookups)
        self.numeric = numeric
        self.unknown_shares = unknown_shares
        self.embedded_dtypes = embedded_dtypes

    @classmethod
    def restore(cls, layout, attributes):
        """The coder of a saved encoder, from the parts of its model file."""
        vocabularies = [
            Vocabulary(categories, infrequent)
            for categories, infrequent in zip(
                attributes["categories_"], attributes["infrequent_categories_"]
            )
        ]
        numeric = NumericScaling(
            attributes["numeric_bounds_"].reshape(-1, 2),
            attributes["numeric_mean_"],
            attributes["numeric_scale_"],
        )
        return cls(
            layout["feature_names"],
            layout["categorical_mask"],
            vocabularies,
            range(len(vocabularies)),
            numeric,
            layout["unknown_shares"],
            layout["embedded_dtypes"],
        )

    def __setstate__(self, state):
        # A pickle of 0.3.0.dev held the numeric scaling as three arrays.
        if "numeric_bounds" in state:
            parts = [state.pop(f"numeric_{name}") for name in ("bounds", "mean", "scale")]
            state["numeric"] = NumericScaling(*parts)
        self.__dict__.update(state)

    def with_vocabularies(self, vocabularies):
        """This coder with other vocabularies (the tables grew): the same columns and scaling."""
        return ColumnCoder(
            self.feature_names,
            self.categorical_mask,
            vocabularies,
            self.lookups,
            self.numeric,
            self.unknown_shares,
            self.embedded_dtypes,
        )

    @property
    def embedded_names(self):
        return np.asarray(
            [self.feature_names[i] for i in np.flatnonzero(self.categorical_mask)], dtype=object
        )

    @property
    def numeric_names(self):
        return [self.feature_names[i] for i in np.flatnonzero(~self.categorical_mask)]

    @property
    def embedded_positions(self):
        """Position of each embedded column among the input columns."""
        return np.flatnonzero(self.categorical_mask)

    def codes(self, frame, *, check_unknown=False):
        """Table rows of every embedded column, shape (n_samples, n_embedded).

        Values without a row of their own get the unknown row; with
        ``check_unknown``, values never seen at fit time raise a ``ValueError``.
        """
        codes = raw_codes(frame, self.vocabularies, self.embedded_positions)
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

    def unknown_rows(self):
        """The unknown row of each embedded column's table."""
        return np.array([v.unknown_row for v in self.vocabularies], dtype=np.int32)

    def numeric_values(self, frame):
        """The numeric columns as float64, shape (n_samples, n_numeric); NaN kept."""
        return numeric_columns(frame, self.feature_names, ~self.categorical_mask, fitted=True)

    def imprecise_numbers(self, frame):
        """Findings for numbers that no category can match exactly (:meth:`Vocabulary.imprecise`).

        An id column of int64 fitted, then read back as float64 (a bigint column
        with nulls from a CSV or from Spark): beyond 2**53 a float stands for
        several ids, so those rows get the unknown vector rather than a
        neighbour's, and the user hears why.

        Returns
        -------
        findings : list of DataWarning
        """
        findings = []
        for k, (name, vocabulary) in enumerate(zip(self.embedded_names, self.vocabularies)):
            series = frame.iloc[:, self.embedded_positions[k]]
            imprecise = vocabulary.imprecise(series)
            if imprecise.any():
                problem = precision_problem(series[imprecise], vocabulary.number_type)
                message = (
                    f"Column {name!r}: {problem} They get the unknown vector. Read the column "
                    f"as at fit (dtype {self.embedded_dtypes[k]}; a nullable integer column "
                    "with missing values: dtype 'Int64')."
                )
                findings.append(DataWarning(message, kind="float_precision", column=name))
        return findings

    def unknown_drift(self, frame, codes):
        """Findings for columns read another way than at fit: too many unknown rows, or another kind.

        A column read with another dtype than at fit (zip codes as numbers, say)
        or from another source maps most rows to the unknown vector, which is a
        plausible-looking but empty output. On ``MIN_ROWS_FOR_DRIFT`` rows or
        more, a share of rows with values fit never saw far above the training
        share of unknown rows tells; on any number of rows, unknown values of
        another kind than the column's ("True" in a column of booleans) do.
        Values fit saw and merged into the unknown row (``infrequent``) are
        no sign of drift: rows picked among the rare categories hold many.

        Returns
        -------
        findings : list of DataWarning
        """
        findings = []
        for k, (name, vocabulary) in enumerate(zip(self.embedded_names, self.vocabularies)):
            unknown = codes[:, k] == vocabulary.unknown_row
            if not unknown.any():
                continue
            series = frame.iloc[:, self.embedded_positions[k]]
            unseen = unknown.copy()
            unseen[unknown] = ~vocabulary.infrequent_mask(series[unknown])
            share, expected = unseen.mean(), self.unknown_shares[k]
            many = len(codes) >= MIN_ROWS_FOR_DRIFT and share > expected + (1 - expected) / 2
            # The rows on the unknown row, marked -1 as other_kind and unseen_values want them.
            marked = np.where(unknown, -1, 0)
            values, kind, new_kind = vocabulary.other_kind(series, marked)
            if not (many or len(values)):
                continue
            if len(values):
                shown = f"{as_python(values[:5].tolist())}: {new_kind}s, where fit saw {kind}s"
            else:
                shown = f"e.g. {vocabulary.unseen_values(series, marked)[0]}"
            message = (
                f"Column {name!r}: {unseen.sum():,} of the {len(codes):,} rows "
                f"({percent(share)}) hold values fit never saw and get the unknown vector in "
                f"transform, against {percent(expected)} of fit's rows on it ({shown}). Check "
                "that the column holds the same values as at fit (dtype now "
                f"{series.dtype}, at fit {self.embedded_dtypes[k]})."
            )
            findings.append(DataWarning(message, kind="unknown_drift", column=name))
        return findings


@dataclass(frozen=True, eq=False)
class ReadColumns:
    """What a fit reads of the input columns before the tables: which are embedded, the numbers.

    Attributes
    ----------
    mask : ndarray of bool
        The embedded columns.
    numeric : NumericScaling
    x_numeric : ndarray of float32, shape (n_samples, n_numeric)
        The network's numeric input.
    dtypes : list of str
        Each embedded column's dtype, for messages.
    findings : list of DataWarning
        Text columns of dates chosen by "auto"; numeric columns squashed by outliers.
    """

    mask: np.ndarray
    numeric: NumericScaling
    x_numeric: np.ndarray
    dtypes: list
    findings: list


def read_columns(frame, names, categorical_features, numeric=None):
    """Which columns of ``frame`` are embedded, and how the network sees the others.

    ``numeric`` is a previous fit's scaling, which a warm start keeps (its
    network learned on it); None learns it from ``frame``.

    Returns
    -------
    ReadColumns
    """
    mask = resolve_categorical_mask(frame, names, categorical_features)
    auto = isinstance(categorical_features, str) and categorical_features == "auto"
    findings = date_columns(frame, names, mask) if auto and numeric is None else []
    if numeric is None:  # a warm start's columns were judged by the fit it continues
        findings += integer_code_findings(frame, names, mask)
    values = numeric_columns(frame, names, ~mask)
    if numeric is None:
        numeric_names = [name for name, embedded in zip(names, mask) if not embedded]
        numeric, squashed = NumericScaling.learn(values, numeric_names)
        findings += squashed
    dtypes = [str(frame.dtypes.iloc[i]) for i in np.flatnonzero(mask)]
    return ReadColumns(mask, numeric, numeric.apply(values), dtypes, findings)


def integer_codes(frame, names, mask):
    """The integer columns used as numbers that look like ids or codes: ``{name: verdict}``.

    The one rule behind ``fit``'s :class:`~sklearn_embed.DataWarning`
    (``kind="integer_codes"``) and the command line's notes. A column of
    integers (not booleans) with at least ``MIN_CODE_VALUES`` distinct values
    that ``mask`` does not embed is

    - "row_ids" when it holds one value per row (90% of the rows or more) and is
      named like an id or a code (``CODE_NAME``: ``customer_id``) or holds
      consecutive whole numbers (row numbers, R's ``rownames``): it says
      nothing about new rows;
    - "codes" when it is named like an id or a code and its values repeat
      (``store_id``, ``zip``): a number makes neighbouring codes alike, an
      embedding does not.

    A measurement with many distinct values (a census weight, an amount) is neither.
    """
    verdicts = {}
    for i in np.flatnonzero(~np.asarray(mask, dtype=bool)):
        series = frame.iloc[:, i]
        if not is_integer_dtype(series.dtype) or is_bool_dtype(series.dtype):
            continue
        n_distinct = series.nunique()
        if n_distinct < MIN_CODE_VALUES:
            continue
        named = re.search(CODE_NAME, str(names[i]), re.IGNORECASE) is not None
        if n_distinct >= 0.9 * len(series):
            consecutive = int(series.max()) - int(series.min()) + 1 == n_distinct
            if named or consecutive:
                verdicts[names[i]] = "row_ids"
        elif named:
            verdicts[names[i]] = "codes"
    return verdicts


def integer_code_findings(frame, names, mask):
    """:func:`integer_codes`' verdicts as findings (``kind="integer_codes"``), in the API's words."""
    findings = []
    for name, verdict in integer_codes(frame, names, mask).items():
        n_distinct = frame.iloc[:, list(names).index(name)].nunique()
        if verdict == "row_ids":
            message = (
                f"Column {name!r} holds one integer per row ({n_distinct:,} distinct values in "
                f"{len(frame):,} rows), like row numbers or ids, and is used as a number: it says "
                "nothing about new rows. Drop it from X."
            )
        else:
            message = (
                f"Column {name!r} looks like ids or codes ({n_distinct:,} distinct integers, named "
                "like a code) but is used as a number, which makes neighbouring codes alike. To "
                f"embed it, name it in categorical_features, e.g. [..., {name!r}]."
            )
        findings.append(DataWarning(message, kind="integer_codes", column=name))
    return findings


def raw_codes(frame, vocabularies, positions):
    """Table rows of the columns at ``positions``, one vocabulary each; -1 for values without one."""
    columns = [
        vocabulary.encode(frame.iloc[:, i]) for vocabulary, i in zip(vocabularies, positions)
    ]
    return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0), np.int32)


def numeric_columns(frame, feature_names, mask, fitted=False):
    """The columns of ``frame`` flagged in ``mask`` as float64, shape (n_samples, n_flagged); NaN kept."""
    columns = [
        numeric_values(frame.iloc[:, i], feature_names[i], fitted) for i in np.flatnonzero(mask)
    ]
    return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0))


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
