"""Which table each embedded column looks up, what it starts from, and whether it trains.

By default every embedded column has a table of its own, initialised at random
and trained. ``shared_embeddings`` ties columns to one table with one
vocabulary, the union of theirs (origin and destination, home and away team).
``initial_embeddings`` gives tables starting vectors (a pretrained matrix, or a
fitted encoder's tables), and ``freeze_embeddings`` keeps given vectors fixed
while the network trains on top of them. :func:`plan_tables` checks those three
parameters and returns a :class:`TablePlan`, which the column coder (the
vocabularies), the estimator (sizes, initial weights, shrinkage) and the
training loop (fixed rows) read. Nothing here trains, and nothing here reads the
estimator: the parameters come in as values.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._columns import resolve_embedding_dims, table_frame
from ._exceptions import DataWarning
from ._network import init_params
from ._shrinkage import shrink_table
from ._statistics import weighted_counts
from ._vocabulary import (
    Vocabulary,
    as_object_array,
    as_python,
    check_uniform_types,
    mixed_types,
    value_kind,
)


@dataclass(frozen=True)
class TablePlan:
    """The tables of a fit, one entry per table.

    Attributes
    ----------
    groups : list of list of int
        The columns that look up each table, as positions among the embedded
        columns; one column per table unless ``shared_embeddings`` groups them.
    given : list of (pandas.DataFrame or None)
        Each table's given vectors, float32, indexed by category.
    given_unknown : list of (ndarray or None)
        The unknown vector a fitted encoder gave with its table.
    frozen : list of bool
        Whether the given vectors stay as they are during training.
    warm : bool
        Whether the given tables are the estimator's previous fit (a warm start)
        rather than ``initial_embeddings``.
    """

    groups: list
    given: list
    given_unknown: list
    frozen: list
    warm: bool = False

    @property
    def source(self):
        """Where the given tables come from, for messages."""
        return "the previous fit (warm_start)" if self.warm else "initial_embeddings"

    @property
    def lookups(self):
        """The table of each embedded column, in column order."""
        table_of = np.empty(sum(len(group) for group in self.groups), dtype=int)
        for t, group in enumerate(self.groups):
            table_of[group] = t
        return table_of.tolist()

    def vocabularies(self, frame, positions, names, min_frequency):
        """One vocabulary per table, from all its columns and its given categories.

        A frozen table's vocabulary is its given categories: the other values
        of its columns share the unknown row, the one row of it that trains.
        """
        vocabularies = []
        for t, group in enumerate(self.groups):
            members = [frame.iloc[:, positions[k]] for k in group]
            _check_one_kind(members, [names[k] for k in group])
            series = pd.concat(members, ignore_index=True)
            name = "+".join(str(names[k]) for k in group)
            vocabulary = Vocabulary.fit(series, min_frequency, name)
            if self.given[t] is not None:
                vocabulary.include(self.given[t].index, name)
                self._check_one_row_each(t, vocabulary, name)
            if self.frozen[t]:
                vocabulary.merge_into_unknown(~self.given_mask(t, vocabulary))
            vocabularies.append(vocabulary)
        return vocabularies

    def _check_one_row_each(self, t, vocabulary, name):
        """Refuse given categories that find one row: "7030" and "07030" for an integer column.

        Both match the category 7030 by numeric value, and one vector would
        silently overwrite the other.
        """
        keys = self.given[t].index
        rows = self._given_rows(t, vocabulary)
        repeated = pd.Series(rows).duplicated(keep=False).to_numpy() & (rows >= 0)
        if repeated.any():
            row = rows[repeated][0]
            same = keys[repeated & (rows == row)].tolist()
            raise ValueError(
                f"{self.source}[{name!r}] gives the categories {as_python(same)}, which are one "
                f"category of the column ({as_python(vocabulary.categories[row])!r}): keep one "
                "of them in its index."
            )

    def unmatched(self, t, name, matched, n_rows):
        """A finding when a given table leaves most of its column's training rows without a vector.

        Table and column naming categories differently ("U1" against "u1", "7030"
        against "07030") leaves the given vectors unused: a frozen column becomes
        (nearly) constant when fewer than half of its rows find their category; an
        unfrozen one, which may rightly be given only some categories, learns from
        scratch when none does. ``matched`` counts the rows that found theirs.

        Returns
        -------
        findings : list of DataWarning
        """
        share = matched / n_rows
        if self.given[t] is None or self.warm or share >= 0.5 or (share > 0 and not self.frozen[t]):
            return []
        effect = "share the unknown vector" if self.frozen[t] else "start from random vectors"
        table = self.given[t].index[:3].tolist()
        message = (
            f"Column {name!r}: only {share:.0%} of its {n_rows:,} training rows hold a category of "
            f"its table in {self.source} (e.g. {table}); the others {effect}. Check that the "
            "table names categories as the column does."
        )
        return [DataWarning(message, kind="unmatched_table", column=name)]

    def given_mask(self, t, vocabulary):
        """Which categories of table ``t`` (the rows before the unknown one) have a given vector."""
        mask = np.zeros(vocabulary.n_rows - 1, dtype=bool)
        if self.given[t] is not None:
            mask[self._given_rows(t, vocabulary)] = True
        return mask

    def _given_rows(self, t, vocabulary):
        return vocabulary.encode(pd.Series(self.given[t].index, dtype=object))

    def initial_params(self, vocabularies, dims, network, rng, new_at_unknown=False):
        """The network's initial parameters: random, then the given vectors written in.

        Parameters
        ----------
        vocabularies : list of Vocabulary
            One per table.
        dims : list of int
            The embedding size of each embedded column.
        network : tuple
            ``(n_numeric, hidden_layer_sizes, n_outputs)``.
        rng : numpy.random.RandomState
        new_at_unknown : bool, default=False
            See :meth:`initialise`.
        """
        n_numeric, hidden_layer_sizes, n_outputs = network
        params = init_params(
            [vocabulary.n_rows for vocabulary in vocabularies],
            [dims[group[0]] for group in self.groups],
            n_numeric,
            hidden_layer_sizes,
            n_outputs,
            rng,
            np.float32,
            self.lookups,
        )
        self.initialise(params.tables, vocabularies, new_at_unknown)
        return params

    def initialise(self, tables, vocabularies, new_at_unknown=False):
        """Write the given vectors over the random initial rows, in place.

        The unknown row starts at the given unknown vector, or else at the mean
        of the given vectors: where an average category sits. With
        ``new_at_unknown`` (a warm start), rows without a given vector start at
        the unknown vector too.
        """
        for t, (table, vocabulary) in enumerate(zip(tables, vocabularies)):
            if self.given[t] is None:
                continue
            vectors, unknown = self.given[t].to_numpy(), self.given_unknown[t]
            if unknown is not None or len(vectors):
                table[-1] = vectors.mean(axis=0) if unknown is None else unknown
            if new_at_unknown:
                table[:-1] = table[-1]
            table[self._given_rows(t, vocabulary)] = vectors

    def fixed_rows(self, vocabularies):
        """For each table, the rows training must not move (None: every row trains)."""
        return [
            np.append(self.given_mask(t, vocabulary), False) if self.frozen[t] else None
            for t, vocabulary in enumerate(vocabularies)
        ]

    def table_counts(self, codes, weight, vocabularies):
        """Weighted training rows of each table row, over all the table's columns."""
        return [
            sum(weighted_counts(codes[:, k], weight, vocabulary.n_rows) for k in group)
            for group, vocabulary in zip(self.groups, vocabularies)
        ]

    def shrink(self, tables, vocabularies, counts, smooth):
        """The final table of each embedded column: each table shrunk by its rows' ``counts``.

        Rows with a given vector are pulled toward it, the others toward the
        unknown vector; a category of a given table absent from the training
        rows keeps its given vector. Columns of a shared table get one array.
        ``smooth`` is the pseudo-count of each embedded column, in column order.
        """
        shrunk = []
        for t, (table, vocabulary) in enumerate(zip(tables, vocabularies)):
            prior = None
            if self.given[t] is not None:
                prior = np.repeat(table[-1:], len(table), axis=0)
                prior[self._given_rows(t, vocabulary)] = self.given[t].to_numpy()
            shrunk.append(shrink_table(table, counts[t], smooth[self.groups[t][0]], prior))
        return [shrunk[t] for t in self.lookups]

    def dims(self, names, vocabularies, embedding_dim, count_infrequent=False):
        """Each embedded column's embedding size.

        A given table's width sets its columns' size (an explicit, different
        ``embedding_dim`` is an error), and the columns of a shared table must
        have one size. With ``count_infrequent`` (``partial_fit``'s first
        chunk, after which the size is fixed) "auto" counts the values seen
        without a row too: most of them get one in later chunks.
        """
        lookups = self.lookups
        n_categories = [
            len(vocabularies[t].categories) + count_infrequent * len(vocabularies[t].infrequent)
            for t in lookups
        ]
        dims = resolve_embedding_dims(names, n_categories, embedding_dim)
        explicit = _explicitly_sized(names, embedding_dim)
        clash = {}
        for t, group in enumerate(self.groups):
            columns = [names[k] for k in group]
            if self.given[t] is not None:
                width = self.given[t].shape[1]
                clash.update(
                    {
                        names[k]: (dims[k], width)
                        for k in group
                        if names[k] in explicit and dims[k] != width
                    }
                )
                for k in group:
                    dims[k] = width
            elif len({dims[k] for k in group}) > 1:
                raise ValueError(
                    f"Columns {columns} share one table (shared_embeddings), so they need one "
                    f"embedding size; embedding_dim gives them {[dims[k] for k in group]}."
                )
        if clash:
            described = ", ".join(
                f"{c!r}: {asked} (table {width})" for c, (asked, width) in clash.items()
            )
            raise ValueError(
                f"embedding_dim asks for sizes other than the widths of the tables {self.source} "
                f"gives, which set them: {described}. Leave embedding_dim on 'auto' for those columns."
            )
        return dims


def plan_tables(names, given, freeze_embeddings, shared_embeddings, warm=False):
    """Check the table parameters against the embedded columns; return the plan.

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
    warm : bool, default=False
        A warm start: the estimator's own previous fit gives the tables.

    Returns
    -------
    plan : TablePlan
    """
    groups = _groups(names, shared_embeddings)
    tables, unknown = given
    given_per_table, unknown_per_table = [], []
    for group in groups:
        columns = [names[k] for k in group if names[k] in tables]
        given_per_table.append(_one_table(columns, tables))
        unknown_per_table.append(unknown.get(columns[0]) if columns else None)
    frozen = _frozen(names, groups, given_per_table, freeze_embeddings)
    return TablePlan(groups, given_per_table, unknown_per_table, frozen, warm)


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


def check_same_columns(before, now):
    """A fit that continues another (warm start) must embed the same columns."""
    if list(before) != list(now):
        raise ValueError(
            f"warm_start continues the previous fit, which embedded {list(before)}; this one "
            f"would embed {list(now)}."
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
    types = mixed_types(as_object_array(table.index))
    if types:
        examples = as_python(table.index[:3].tolist())
        raise TypeError(
            f"{where} mixes category types {types} in its index (e.g. {examples}); they must be "
            "of the column's one kind: strings, numbers or booleans."
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
    repeated = table.index[table.index.duplicated()].unique()
    if len(repeated):
        raise ValueError(f"{where} repeats categories {repeated[:5].tolist()} in its index.")
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


def _check_one_kind(members, names):
    """The columns of a shared table must hold one kind of value (strings, numbers or booleans)."""
    if len(members) < 2:
        return
    for series, name in zip(members, names):
        check_uniform_types(series, name)
    kinds = {name: value_kind(pd.unique(series.dropna())) for series, name in zip(members, names)}
    if len({kind for kind in kinds.values() if kind != "other"}) > 1:
        raise TypeError(
            f"Columns {names} share one table (shared_embeddings) but hold different kinds of "
            f"values: {kinds}. Convert them alike first, e.g. X[{names}] = X[{names}].astype(str)."
        )


def _check_embedded(parameter, columns, names):
    unknown = [column for column in columns if column not in names]
    if unknown:
        raise ValueError(
            f"{parameter} names columns {unknown} that are not embedded; the embedded "
            f"columns are {list(names)}."
        )


def _explicitly_sized(names, embedding_dim):
    """The columns whose size ``embedding_dim`` sets rather than leaves on "auto"."""
    if isinstance(embedding_dim, Integral):
        return set(names)
    return set(embedding_dim) if isinstance(embedding_dim, dict) else set()
