"""What the table parameters say: one :class:`TableSetup` per embedded table, checked.

By default every embedded column has a table of its own, initialised at random
and trained. ``shared_embeddings`` ties columns to one table with one
vocabulary, the union of theirs (origin and destination, home and away team).
``initial_embeddings`` gives tables starting vectors (a pretrained matrix, or a
fitted encoder's tables), and ``freeze_embeddings`` keeps given vectors fixed
while the network trains on top of them. :func:`plan_tables` checks those three
parameters against the embedded columns; ``_tables`` builds each table from
its setup and the data.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted


@dataclass(frozen=True, eq=False)
class TableSpec:
    """The estimator's parameters of the embedded tables: which values get a row, sizes,
    shrinkage, given, frozen and shared tables."""

    min_frequency: object
    embedding_dim: object
    smooth: object
    initial_embeddings: object
    freeze_embeddings: object
    shared_embeddings: object


@dataclass(frozen=True, eq=False)
class TableSetup:
    """What the parameters say of one table, checked against the embedded columns.

    Attributes
    ----------
    names : tuple of str
        The columns that look it up.
    columns : tuple of int
        Their positions among the embedded columns.
    given : pandas.DataFrame or None
        Its given vectors, float32, indexed by category.
    given_unknown : ndarray or None
        The unknown vector a fitted encoder gave with its table.
    frozen : bool
        Whether the given vectors stay as they are during training.
    warm : str or None
        Who continues the estimator's previous fit, whose tables are the given
        vectors ("warm_start" or "partial_fit"); None when ``initial_embeddings``
        gives them.
    """

    names: tuple
    columns: tuple
    given: pd.DataFrame
    given_unknown: np.ndarray
    frozen: bool
    warm: str

    @property
    def name(self):
        """Its column, or its columns joined by "+", for messages."""
        return "+".join(str(name) for name in self.names)

    @property
    def source(self):
        """Where the given vectors come from, for messages."""
        return f"the fit that {self.warm} continues" if self.warm else "initial_embeddings"


def plan_tables(names, given, freeze_embeddings, shared_embeddings, warm=None):
    """Check the table parameters against the embedded columns; return one setup per table.

    Parameters
    ----------
    names : list of str
        The embedded columns, in input order.
    given : (dict, dict)
        ``({column: DataFrame}, {column: unknown vector})``: the tables that
        ``initial_embeddings`` gives (:func:`given_tables`), or a warm start's
        previous tables (:func:`tables_of_fit`).
    freeze_embeddings : bool or list of str
    shared_embeddings : None or list of list of str
    warm : str, default=None
        Who continues the estimator's own previous fit, which gives the tables
        ("warm_start" or "partial_fit"); None: ``initial_embeddings`` gives them.

    Returns
    -------
    setups : list of TableSetup
        Tables in the order of their first column.
    """
    groups = _groups(names, shared_embeddings)
    tables, unknown = given
    given_per_table, unknown_per_table = [], []
    for group in groups:
        columns = [names[k] for k in group if names[k] in tables]
        given_per_table.append(_one_table(columns, tables))
        unknown_per_table.append(unknown.get(columns[0]) if columns else None)
    frozen = _frozen(names, groups, given_per_table, freeze_embeddings)
    return [
        TableSetup(tuple(names[k] for k in group), tuple(group), table, vector, fixed, warm)
        for group, table, vector, fixed in zip(groups, given_per_table, unknown_per_table, frozen)
    ]


def tables_of_fit(names, embedded, categories, embeddings):
    """``({column: DataFrame}, {column: unknown vector})`` of a fit's tables, for ``names`` it embedded.

    ``embedded``, ``categories`` and ``embeddings`` are a fitted encoder's
    ``categorical_features_``, ``categories_`` and ``embeddings_``.
    """
    embedded = list(embedded)
    common = [column for column in embedded if column in names]
    given, unknown = {}, {}
    for column in common:
        k = embedded.index(column)
        given[column] = _checked_table(column, table_frame(column, categories[k], embeddings[k]))
        unknown[column] = embeddings[k][-1]
    return given, unknown


def table_frame(column, categories, table):
    """One column's table as ``get_embeddings`` returns it: a row per category, no unknown row."""
    return pd.DataFrame(
        table[:-1],
        index=pd.Index(categories, name=column),
        columns=[f"{column}_emb{j}" for j in range(table.shape[1])],
    )


def check_same_columns(before, now, by, frame):
    """A fit that continues another (``by``: a warm start, ``partial_fit``) must embed its columns.

    With ``categorical_features="auto"`` a column is embedded by its type, so
    a column read as text now, or as numbers, changes them: the message says
    which columns, and their type now (``frame``).
    """
    if list(before) == list(now):
        return
    changed = [name for name in [*before, *now] if (name in before) != (name in now)]
    dtypes = {name: str(frame[name].dtype) for name in changed if name in frame.columns}
    continues = {
        "warm_start": "warm_start continues the previous fit",
        "partial_fit": "partial_fit continues the fit before it (or the encoder loaded)",
    }[by]
    raise ValueError(
        f"{continues}, which embedded {list(before)}; these rows would embed {list(now)}. "
        "categorical_features decides which columns are embedded and, when 'auto', each "
        f"column's dtype: columns {changed} are {dtypes} now. Give both as that fit had them"
        + (", or fit with warm_start=False to start over." if by == "warm_start" else ".")
    )


def _groups(names, shared_embeddings):
    """Positions of the columns of each table; tables in order of their first column."""
    if shared_embeddings is None:
        return [[k] for k in range(len(names))]
    grouped = {}
    for group in shared_embeddings:
        if isinstance(group, str) or not hasattr(group, "__iter__"):
            raise TypeError(
                "shared_embeddings must be a list of column groups, e.g. [['origin', 'dest']]; "
                f"got {shared_embeddings!r}."
            )
        group = list(group)
        _check_embedded("shared_embeddings", group, names)
        if len(set(group)) < 2:
            raise ValueError(f"shared_embeddings: the group {group} needs two columns or more.")
        repeated = [column for column in group if column in grouped]
        if repeated:
            raise ValueError(f"shared_embeddings names {repeated} in more than one group.")
        grouped.update({column: tuple(group) for column in group})
    tables = {}
    for k, name in enumerate(names):
        tables.setdefault(grouped.get(name, name), []).append(k)
    return list(tables.values())


def given_tables(names, initial_embeddings):
    """``({column: DataFrame}, {column: unknown vector})``: the tables ``initial_embeddings`` gives, checked.

    Only a fitted encoder gives unknown vectors.
    """
    if initial_embeddings is None:
        return {}, {}
    if isinstance(initial_embeddings, dict):
        _check_embedded("initial_embeddings", list(initial_embeddings), names)
        return {c: _checked_table(c, table) for c, table in initial_embeddings.items()}, {}
    return _tables_of_encoder(initial_embeddings, names)


def _tables_of_encoder(encoder, names):
    try:
        check_is_fitted(encoder)
    except NotFittedError:
        raise ValueError(
            "initial_embeddings is an EmbeddingEncoder that is not fitted. Fit it first; "
            "within cross-validation or a grid search, which clone the parameters (and so "
            "unfit them), wrap it in sklearn.frozen.FrozenEstimator."
        ) from None
    theirs = list(encoder.categorical_features_)
    if names and not set(theirs) & set(names):
        raise ValueError(
            f"initial_embeddings: the fitted encoder embeds {theirs}, none of which is "
            f"embedded here ({list(names)})."
        )
    return tables_of_fit(names, theirs, encoder.categories_, encoder.embeddings_)


def _checked_table(column, table):
    """A given table as a float32 DataFrame, or an error naming the column."""
    where = f"initial_embeddings[{column!r}]"
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"{where} must be a pandas DataFrame indexed by category, one column per "
            f"dimension (as get_embeddings returns); got {type(table).__name__}."
        )
    if table.shape[1] == 0:
        raise ValueError(f"{where} has no columns: it needs one per dimension.")
    if isinstance(table.index, pd.MultiIndex):
        raise TypeError(
            f"{where} has a MultiIndex (levels {list(table.index.names)}); index it by the "
            "column's categories alone, e.g. table.droplevel(...) or table.reset_index(...)."
        )
    complex_columns = [c for c, dtype in table.dtypes.items() if dtype.kind == "c"]
    if complex_columns:
        raise TypeError(
            f"{where} holds complex numbers in columns {complex_columns}; it must hold real numbers."
        )
    numbers = table.apply(pd.to_numeric, errors="coerce")
    unreadable = numbers.isna() & table.notna()
    if unreadable.any(axis=None):
        row, column = np.argwhere(unreadable.to_numpy())[0]
        raise ValueError(
            f"{where} must hold numbers; column {table.columns[column]!r} holds "
            f"{table.iat[row, column]!r} for category {table.index[row]!r}."
        )
    values = numbers.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{where} has missing or infinite values for categories {table.index[bad][:5].tolist()}."
        )
    huge = (np.abs(values) > np.finfo(np.float32).max).any(axis=1)
    if huge.any():
        raise ValueError(
            f"{where} has values beyond float32's range (about 3.4e38), in which tables are "
            f"stored and trained, for categories {table.index[huge][:5].tolist()}."
        )
    return pd.DataFrame(values.astype(np.float32), index=table.index)


def _one_table(columns, given):
    """The given table of a group of columns: one, or several that are equal."""
    if not columns:
        return None
    first = given[columns[0]]
    for column in columns[1:]:
        other = given[column]
        if not (first.index.equals(other.index) and np.array_equal(first, other)):
            raise ValueError(
                f"initial_embeddings gives different tables to {[columns[0], column]}, "
                "which share one table (shared_embeddings); give the group one table."
            )
    return first


def _frozen(names, groups, given, freeze_embeddings):
    """Whether each table is frozen; only given tables can be."""
    if isinstance(freeze_embeddings, (bool, np.bool_)) and not freeze_embeddings:
        return [False] * len(groups)
    if isinstance(freeze_embeddings, (bool, np.bool_)):
        if all(table is None for table in given):
            raise ValueError(
                "freeze_embeddings=True keeps the tables given by initial_embeddings fixed, "
                "but initial_embeddings gives none."
            )
        return [table is not None for table in given]
    columns = list(freeze_embeddings)
    _check_embedded("freeze_embeddings", columns, names)
    frozen = [any(names[k] in columns for k in group) for group in groups]
    without = [names[group[0]] for group, f, g in zip(groups, frozen, given) if f and g is None]
    if without:
        raise ValueError(
            f"freeze_embeddings names {without}, which initial_embeddings gives no table: "
            "only given tables can be frozen."
        )
    return frozen


def _check_embedded(parameter, columns, names):
    unknown = [column for column in columns if column not in names]
    if unknown:
        raise ValueError(
            f"{parameter} names columns {unknown} that are not embedded; the embedded "
            f"columns are {list(names)}."
        )
