"""The embedded tables: one object per table, from its setup to the published vectors.

``_table_setup`` reads the table parameters (shared, given and frozen tables)
into one ``TableSetup`` per table. :meth:`EmbeddingTable.learn`
reads a table's vocabulary and statistics from its training columns. The
table then applies one rule for ``fit`` and ``partial_fit`` alike:
:meth:`~EmbeddingTable.decide` which values keep a row of their own, then
:meth:`~EmbeddingTable.merged` (``fit``: the others join the unknown row before
training) or :meth:`~EmbeddingTable.grown` (``partial_fit``: values now frequent
enough get rows); it writes its given vectors over the initial rows and
:meth:`~EmbeddingTable.shrink` pulls the trained rows toward their priors.
Nothing here trains, and nothing here reads the estimator: the parameters come
in as values.
"""

from dataclasses import dataclass, replace
from numbers import Integral

import numpy as np
import pandas as pd

from ._exceptions import DataWarning
from ._network import init_table
from ._shrinkage import shrink_table, smooth_and_merge
from ._statistics import ColumnStatistics, TableStatistics, weighted_counts
from ._table_setup import TableSetup, check_same_columns, given_tables, plan_tables
from ._vocabulary import (
    Vocabulary,
    check_uniform_types,
    count_threshold,
    value_kind,
)

# Largest automatic embedding size: beyond ~50 dimensions the downstream model
# pays more in width than it gains, whatever the cardinality.
MAX_AUTO_DIM = 50


@dataclass(frozen=True, eq=False)
class Merged:
    """A candidate network's tables: merged at one threshold, sized, with the codes that use them.

    Attributes
    ----------
    tables : list of EmbeddingTable
    codes : ndarray of int32, shape (n_samples, n_embedded)
        Every training value's row (the unknown row for values without one).
    smooth : list of float
        Each table's ``smooth``.
    noise : list of float
        Each table's pseudo-count as the target's noise calls for it (the
        decision's ``noise``): what tells a rare category, whatever ``smooth``.
    dims : list of int
        Each embedded column's size.
    lookups : list of int
        The table of each embedded column.
    rows : list of ndarray
        Each table's initial rows: random, the given vectors written in.
    findings : list of DataWarning
    """

    tables: list
    codes: np.ndarray
    smooth: list
    noise: list
    dims: list
    lookups: list
    rows: list
    findings: list

    @property
    def vocabularies(self):
        """The vocabulary of each embedded column."""
        return [self.tables[t].vocabulary for t in self.lookups]


@dataclass(frozen=True, eq=False)
class EmbeddingTable:
    """One embedded table: its setup, its vocabulary and the statistics of its training rows.

    Attributes
    ----------
    setup : TableSetup
    vocabulary : Vocabulary
        Which value has which row (the last row is the unknown vector).
    statistics : tuple of ColumnStatistics
        One per column of the table, in the vocabulary's row layout.
    """

    setup: TableSetup
    vocabulary: Vocabulary
    statistics: tuple

    @classmethod
    def learn(cls, setup, members, min_frequency, target, weight):
        """The table of ``setup`` from its training columns (``members``, one Series each).

        Its vocabulary holds the columns' values seen at least ``min_frequency``
        times and its given categories; a frozen table's holds only the given
        categories: the other values share the unknown row, the one row of it
        that trains. ``target`` (a :class:`~sklearn_embed._target.Target`) and
        ``weight`` are the rows' encoded target and sample weights.

        Returns
        -------
        table : EmbeddingTable
        codes : ndarray of int32, shape (n_samples, len(members))
            The rows of each column's values, -1 for values without one.
        """
        _check_one_kind(members, list(setup.names))
        vocabulary = Vocabulary.fit(
            pd.concat(members, ignore_index=True), min_frequency, setup.name
        )
        if setup.given is not None:
            given = setup.given.index
            vocabulary = vocabulary.with_given(
                given, setup.name, setup.source, setup.frozen, continued=setup.warm is not None
            )
        codes = [vocabulary.encode(series) for series in members]
        multiclass = target.type == "multiclass"
        empty = ColumnStatistics.empty(vocabulary.n_rows, target.n_outputs, multiclass)
        statistics = tuple(
            empty.counted(column_codes, series, target.y, weight, target.n_outputs)
            for column_codes, series in zip(codes, members)
        )
        return cls(setup, vocabulary, statistics), np.column_stack(codes)

    @property
    def name(self):
        return self.setup.name

    @property
    def columns(self):
        return self.setup.columns

    @property
    def given(self):
        return self.setup.given

    @property
    def frozen(self):
        return self.setup.frozen

    # -------------------------------------------------------------- the rule

    def decide(self, totals, smooth, factor, min_frequency):
        """Which values keep (or get) a row, and the table's ``smooth``: ``_shrinkage``'s one rule.

        Parameters
        ----------
        totals : TargetTotals
            The whole target's, over the rows counted.
        smooth : "auto" or float
        factor : int
            The merge threshold, in units of ``smooth``.
        min_frequency : int or float

        Returns
        -------
        Decision
            Its ``keep`` covers the categories, then the values without a row.
        """
        statistics = TableStatistics.of(
            self.name, self.statistics, totals, self.given_mask(), self.frozen
        )
        min_count = count_threshold(min_frequency, statistics.n_rows)
        return smooth_and_merge(statistics, smooth, factor, min_count)

    def merged(self, decision):
        """This table with the categories that ``decision`` does not keep moved to the unknown row.

        Returns
        -------
        table : EmbeddingTable
        new_rows : ndarray of int or None
            The new row of every old row; None when nothing moved.
        """
        merged = ~decision.keep[: self.vocabulary.n_rows - 1]
        if not merged.any():
            return self, None
        vocabulary, new_rows = self.vocabulary.merged(merged)
        categories = self.vocabulary.categories[merged]
        statistics = tuple(column.merged(merged, categories) for column in self.statistics)
        return replace(self, vocabulary=vocabulary, statistics=statistics), new_rows

    def grown(self, decision):
        """This table with rows for the values without one that ``decision`` keeps now.

        A frozen table does not grow. The values still without a row are
        recorded among the vocabulary's infrequent ones.

        Returns
        -------
        table : EmbeddingTable
        moved : ndarray of int or None
            The new row of every old row (the unknown row last); None when no row was added.
        """
        pending = decision.pending_values
        ready = pending[decision.keep[self.vocabulary.n_rows - 1 :]]
        table, moved = self, None
        if len(ready) and not self.frozen:
            old = pd.Series(self.vocabulary.categories, dtype=object)
            vocabulary = self.vocabulary.including(ready, self.name)
            moved = np.append(vocabulary.encode(old), vocabulary.unknown_row)
            new_rows = vocabulary.encode(pd.Series(ready, dtype=object))
            statistics = tuple(
                column.moved(ready, moved, new_rows, vocabulary.n_rows)
                for column in self.statistics
            )
            table = replace(self, vocabulary=vocabulary, statistics=statistics)
        vocabulary = table.vocabulary.with_infrequent(pending.difference(ready, sort=False))
        return replace(table, vocabulary=vocabulary), moved

    def counted(self, codes, members, target, weight):
        """This table with more training rows counted: ``codes`` their rows, ``members`` their values."""
        statistics = tuple(
            column.counted(codes[:, j], series, target.y, weight, target.n_outputs)
            for j, (column, series) in enumerate(zip(self.statistics, members))
        )
        return replace(self, statistics=statistics)

    def emptied(self, target):
        """This table with no rows counted: a stream counts its rows itself, from its first chunk."""
        multiclass = target.type == "multiclass"
        empty = ColumnStatistics.empty(self.vocabulary.n_rows, target.n_outputs, multiclass)
        return replace(self, statistics=(empty,) * len(self.columns))

    # -------------------------------------------------------------- vectors

    def given_mask(self):
        """Which categories (the rows before the unknown one) have a given vector."""
        return _given_mask(self.setup, self.vocabulary)

    def _given_rows(self):
        return _given_rows(self.setup, self.vocabulary)

    def initialise(self, rows, new_at_unknown=False):
        """Write the given vectors over the random initial ``rows``, in place.

        The unknown row starts at the given unknown vector, or else at the mean
        of the given vectors: where an average category sits. With
        ``new_at_unknown`` (a warm start), rows without a given vector start at
        the unknown vector too.
        """
        if self.given is None:
            return
        vectors, unknown = self.given.to_numpy(), self.setup.given_unknown
        if unknown is not None or len(vectors):
            rows[-1] = vectors.mean(axis=0) if unknown is None else unknown
        if new_at_unknown:
            rows[:-1] = rows[-1]
        rows[self._given_rows()] = vectors

    def fixed_rows(self):
        """The rows training must not move (None: every row trains)."""
        return np.append(self.given_mask(), False) if self.frozen else None

    def counts(self, codes, weight):
        """Weighted training rows of each row, over the table's columns (``codes``, one column each)."""
        n_rows = self.vocabulary.n_rows
        return sum(weighted_counts(codes[:, j], weight, n_rows) for j in range(codes.shape[1]))

    def prior(self, trained):
        """Where a category sits before its own rows speak: the vector ``initial_embeddings``
        gave it, else the ``trained`` table's unknown vector.

        Re-estimation starts rare rows here, and a category that no other fold
        holds falls back here (``_crossfit``). A warm start's tables are not a
        prior, as the previous fit trained them on these rows, but for a frozen
        table's: those never trained.
        """
        given = self.given is not None and (self.frozen or not self.setup.warm)
        return self._toward(trained, given=given)

    def shrink(self, trained, counts, smooth):
        """The published vectors: each trained row pulled toward its given vector (a warm
        start's too) or else the unknown vector, by ``counts``.

        A category of a given table absent from the training rows keeps its
        given vector.
        """
        prior = self._toward(trained, given=True) if self.given is not None else None
        return shrink_table(trained, counts, smooth, prior)

    def _toward(self, trained, given):
        """The unknown vector in every row, and with ``given`` the given vectors in theirs."""
        prior = np.repeat(trained[-1:], len(trained), axis=0)
        if given:
            prior[self._given_rows()] = self.given.to_numpy()
        return prior

    def unmatched(self, matched, n_rows):
        """A finding when a given table leaves most of its training rows without a vector.

        Table and column naming categories differently ("U1" against "u1", "7030"
        against "07030") leaves the given vectors unused: a frozen column becomes
        (nearly) constant when fewer than half of its rows find their category; an
        unfrozen one, which may rightly be given only some categories, learns from
        scratch when none does. ``matched`` counts the rows that found theirs;
        a warm start's own tables are not judged.

        Returns
        -------
        findings : list of DataWarning
        """
        share = matched / n_rows
        if self.given is None or self.setup.warm or share >= 0.5 or (share > 0 and not self.frozen):
            return []
        effect = "share the unknown vector" if self.frozen else "start from random vectors"
        table = self.given.index[:3].tolist()
        message = (
            f"Column {self.name!r}: only {share:.0%} of its {n_rows:,} training rows hold a "
            f"category of its table in {self.setup.source} (e.g. {table}); the others {effect}. Check "
            "that the table names categories as the column does."
        )
        return [DataWarning(message, kind="unmatched_table", column=self.name)]


def _given_rows(setup, vocabulary):
    return vocabulary.encode(pd.Series(setup.given.index, dtype=object))


def _given_mask(setup, vocabulary):
    mask = np.zeros(vocabulary.n_rows - 1, dtype=bool)
    if setup.given is not None:
        mask[_given_rows(setup, vocabulary)] = True
    return mask


# ------------------------------------------------------------------ a fit's tables


def learn_tables(frame, columns, spec, target, weight, previous=None):  # noqa: PLR0913
    """The embedded tables, each learned from its columns of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : (ndarray of int, list of str)
        The embedded columns' positions in ``frame`` and their names.
    spec : TableSpec
    target : Target
    weight : ndarray
    previous : (list of str, (dict, dict), str), default=None
        A warm start's embedded columns, tables (:func:`tables_of_fit`) and
        who continues ("warm_start" or "partial_fit"),
        which replace ``initial_embeddings``.

    Returns
    -------
    tables : list of EmbeddingTable
    codes : ndarray of int32, shape (n_samples, n_embedded)
        Each value's row, -1 for values without one.
    findings : list of DataWarning
        Given tables that name categories another way than their columns.
    """
    positions, names = columns
    if previous is not None:
        before, given, by = previous
        check_same_columns(before, names, by, frame)
    else:
        given, by = given_tables(names, spec.initial_embeddings), None
    setups = plan_tables(names, given, spec.freeze_embeddings, spec.shared_embeddings, by)
    tables, findings = [], []
    codes = np.empty((len(frame), len(names)), dtype=np.int32)
    for setup in setups:
        members = [frame.iloc[:, positions[k]] for k in setup.columns]
        table, table_codes = EmbeddingTable.learn(
            setup, members, spec.min_frequency, target, weight
        )
        tables.append(table)
        codes[:, list(setup.columns)] = table_codes
        matched = table.given_mask()[table_codes[table_codes >= 0]].sum()
        findings += table.unmatched(matched, table_codes.size)
    return tables, codes, findings


def merged_tables(tables, raw_codes, totals, spec, factor, start):  # noqa: PLR0913
    """The tables of one candidate network: merged at ``factor`` (each table's ``decide``),
    sized, and initialised.

    Parameters
    ----------
    tables : list of EmbeddingTable
    raw_codes : ndarray
        :func:`learn_tables`'s codes.
    totals : TargetTotals
    spec : TableSpec
    factor : int
    start : (numpy.random.RandomState, bool, bool)
        The generator of the initial rows; whether rows without a given vector
        start at the unknown vector (a warm start); whether "auto" sizes count
        the values seen without a row too (``partial_fit``'s first chunk).

    Returns
    -------
    Merged
    """
    rng, new_at_unknown, partial = start
    merged, smooth, noise, findings = [], [], [], []
    codes = raw_codes.copy()
    for table in tables:
        decision = table.decide(totals, spec.smooth, factor, spec.min_frequency)
        kept, new_rows = table.merged(decision)
        group = list(table.columns)
        table_codes = np.where(codes[:, group] >= 0, codes[:, group], table.vocabulary.unknown_row)
        codes[:, group] = table_codes if new_rows is None else new_rows[table_codes]
        merged.append(kept)
        smooth.append(decision.smooth)
        noise.append(decision.noise)
        findings += decision.findings
    names = [None] * codes.shape[1]
    for table in tables:
        for k, name in zip(table.columns, table.setup.names):
            names[k] = name
    dims = table_dims(merged, names, spec.embedding_dim, partial)
    rows = initial_rows(merged, dims, rng, new_at_unknown)
    return Merged(merged, codes, smooth, noise, dims, lookups(merged), rows, findings)


# ------------------------------------------------------------------ a stream's tables


def counted_tables(tables, frame, columns, target, weight):
    """The tables with a chunk's rows counted into their statistics, in their current row layout.

    ``columns`` are the embedded columns' positions in ``frame`` and names. A
    chunk whose column holds values of another kind than the first chunk's
    (integers where there were strings) is refused.
    """
    positions, names = columns
    counted = []
    for table in tables:
        members = [frame.iloc[:, positions[k]] for k in table.columns]
        codes = []
        for k, series in zip(table.columns, members):
            check_uniform_types(
                series, names[k]
            )  # the first chunk's were checked by Vocabulary.fit
            codes.append(table.vocabulary.encode(series))
            table.vocabulary.check_same_kind(series, codes[-1], names[k])
        counted.append(table.counted(np.column_stack(codes), members, target, weight))
    return counted


def grown_tables(tables, totals, spec, factor):
    """The tables with rows for the values without one that ``fit``'s rule keeps now.

    Returns
    -------
    tables : list of EmbeddingTable
    moves : list of (int, ndarray)
        For each table that grew, its position and the new row of every old row.
    smooth : list of float
        Each table's ``smooth``, estimated anew.
    findings : list of DataWarning
        The rule's verdicts; a column is called constant only when no value has
        a row or every vector is shrunk to the unknown one (an early chunk may
        find no value frequent enough).
    """
    grown, moves, smooth, findings = [], [], [], []
    for t, table in enumerate(tables):
        decision = table.decide(totals, spec.smooth, factor, spec.min_frequency)
        table, moved = table.grown(decision)
        if moved is not None:
            moves.append((t, moved))
        grown.append(table)
        smooth.append(decision.smooth)
        constant = not len(table.vocabulary.categories) or np.isinf(decision.smooth)
        findings += [
            finding
            for finding in decision.findings
            if finding.kind != "constant_column" or constant
        ]
    return grown, moves, smooth, findings


# ------------------------------------------------------------------ initial and final vectors


def initial_rows(tables, dims, rng, new_at_unknown=False):
    """Each table's initial rows: random (``_network.init_table``), then its given vectors written in."""
    rows = []
    for table in tables:
        table_rows = init_table(table.vocabulary.n_rows, dims[table.columns[0]], rng)
        table.initialise(table_rows, new_at_unknown)
        rows.append(table_rows)
    return rows


def table_counts(tables, codes, weight):
    """Each table's weighted rows per row, over its columns' ``codes`` (:meth:`EmbeddingTable.counts`)."""
    return [table.counts(codes[:, list(table.columns)], weight) for table in tables]


def published_tables(tables, trained, counts, smooth):
    """The published vectors of each table: its ``trained`` rows shrunk by its training
    rows' ``counts`` (:func:`table_counts`; see :meth:`EmbeddingTable.shrink`)."""
    return [
        table.shrink(rows, count, m)
        for table, rows, count, m in zip(tables, trained, counts, smooth)
    ]


# ------------------------------------------------------------------ sizes


def auto_embedding_dim(n_categories):
    """Embedding size for a column with ``n_categories`` categories.

    ``round(1.6 * n ** 0.56)`` capped at 50: the rule of thumb fast.ai derived
    from many tabular problems. It grows slowly with cardinality: 2 categories
    get 2 dimensions, 10 get 6, 100 get 21, 1,000 and more get 50.

    Examples
    --------
    >>> from sklearn_embed._tables import auto_embedding_dim
    >>> [auto_embedding_dim(n) for n in (2, 10, 100, 100_000)]
    [2, 6, 21, 50]
    """
    return int(min(MAX_AUTO_DIM, max(1, round(1.6 * n_categories**0.56))))


def table_dims(tables, names, embedding_dim, count_infrequent=False):
    """Each embedded column's embedding size, from ``embedding_dim`` and the tables.

    A given table's width sets its columns' size (an explicit, different
    ``embedding_dim`` is an error), and the columns of a shared table have one
    size: the one ``embedding_dim`` names for any of them, else "auto". With ``count_infrequent`` (``partial_fit``'s first chunk,
    after which the size is fixed) "auto" counts the values seen without a row
    too: most of them get one in later chunks.

    Parameters
    ----------
    tables : list of EmbeddingTable
    names : list of str
        The embedded columns.
    embedding_dim : "auto", int or dict
        The user's setting; a dict leaves the columns it does not name on "auto".

    Returns
    -------
    dims : list of int
        One per embedded column.
    """
    n_categories = [0] * len(names)
    for table in tables:
        vocabulary = table.vocabulary
        for k in table.columns:
            n_categories[k] = len(vocabulary.categories) + count_infrequent * len(
                vocabulary.infrequent
            )
    dims = _resolve_dims(names, n_categories, embedding_dim)
    explicit = _explicitly_sized(names, embedding_dim)
    clash = {}
    for table in tables:
        if table.given is not None:
            width = table.given.shape[1]
            clash.update(
                {
                    names[k]: (dims[k], width)
                    for k in table.columns
                    if names[k] in explicit and dims[k] != width
                }
            )
            for k in table.columns:
                dims[k] = width
        else:
            _one_size(table, names, dims, explicit)
    if clash:
        source = next(table.setup.source for table in tables if table.given is not None)
        described = ", ".join(
            f"{c!r}: {asked} (table {width})" for c, (asked, width) in clash.items()
        )
        raise ValueError(
            f"embedding_dim asks for sizes other than the widths of the tables {source} "
            f"gives, which set them: {described}. Leave embedding_dim on 'auto' for those columns."
        )
    return dims


def _one_size(table, names, dims, explicit):
    """Give the columns of a shared table one size, in place: the one ``embedding_dim`` names.

    A size named for some of its columns is the table's (the others are on
    "auto", which counts the same vocabulary); different sizes named for its
    columns are an error that shows them.
    """
    if len(table.columns) < 2:
        return
    named = {names[k]: dims[k] for k in table.columns if names[k] in explicit}
    if len(set(named.values())) > 1:
        raise ValueError(
            f"Columns {[names[k] for k in table.columns]} share one table (shared_embeddings), "
            f"so they need one embedding size; embedding_dim gives {named}."
        )
    if named:
        (size,) = set(named.values())
        for k in table.columns:
            dims[k] = size


def _resolve_dims(names, n_categories, embedding_dim):
    """Each column's size from the ``embedding_dim`` parameter alone."""
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


def _explicitly_sized(names, embedding_dim):
    """The columns whose size ``embedding_dim`` sets rather than leaves on "auto"."""
    if isinstance(embedding_dim, Integral):
        return set(names)
    return set(embedding_dim) if isinstance(embedding_dim, dict) else set()


# ------------------------------------------------------------------ layout


def lookups(tables):
    """The table of each embedded column, in column order."""
    table_of = np.empty(sum(len(table.columns) for table in tables), dtype=int)
    for t, table in enumerate(tables):
        table_of[list(table.columns)] = t
    return table_of.tolist()


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
