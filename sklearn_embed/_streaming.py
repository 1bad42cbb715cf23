"""``partial_fit`` without the estimator: a stream of chunks, each call a new state.

The first call (:func:`start_stream`) learns its chunk's columns and builds its
network as ``fit`` would (``_fitting``), then every call (:func:`advance`)
counts the chunk's rows into the tables' statistics (every call brings new rows,
unless the caller says it is a further pass over rows given before: those are
trained on again, not counted again), gives rows to the values
that ``fit``'s rule keeps now (:meth:`EmbeddingTable.grown
<sklearn_embed._tables.EmbeddingTable.grown>`), trains one pass over the chunk
and publishes the attributes ``fit`` would from every row counted. A call
returns a new :class:`StreamState` and leaves the one it was given as it was,
so a call that fails leaves the estimator's state untouched.
"""

from dataclasses import dataclass, replace

import numpy as np

from ._exceptions import DataWarning, unique_findings
from ._fitting import build_candidate, learn_columns, published_attributes, training_failure
from ._numeric import OUT_OF_RANGE_ROWS
from ._statistics import TargetTotals
from ._tables import counted_tables, grown_tables, lookups
from ._training import NonFiniteWeights, Stream
from ._vocabulary import as_python

# partial_fit calls a chunk of one class sorted by the target only when a random
# chunk of its size would hold that class alone less often than this.
ONE_CLASS_BY_CHANCE = 1e-3


@dataclass(frozen=True, eq=False)
class StreamState:
    """What ``partial_fit`` carries between calls (the estimator keeps it as ``_stream``).

    Attributes
    ----------
    coder : ColumnCoder
        The columns as the first chunk fixed them (its vocabularies are the tables').
    target : Target
        No rows: the type, classes and scale the first call fixed.
    tables : tuple of EmbeddingTable
        Their vocabularies and the statistics of every row counted.
    smooth : tuple of float
        Each table's ``smooth``, as the last call estimated it.
    merge_factor : int
    dims : list of int
    totals : TargetTotals
    stream : Stream
        The network as trained, its optimiser and generator.
    bounds_from : str
        What fixed the numeric clip bounds, for messages.
    target_range : tuple or None
        A continuous target's (min, max) in the first chunk, standardised.
    class_rows : ndarray or None
        Rows of each class counted so far (classification).
    loss_curve : tuple of float
    warned : frozenset
        (kind, column) of the findings raised.
    """

    coder: object  # ColumnCoder
    target: object
    tables: tuple
    smooth: tuple
    merge_factor: int
    dims: list
    totals: TargetTotals
    stream: Stream
    bounds_from: str
    target_range: tuple
    class_rows: np.ndarray
    loss_curve: tuple = ()
    warned: frozenset = frozenset()

    @property
    def continued_by(self):
        """Who fixed the target, for messages: "partial_fit" after ``fit``, else "stream"."""
        return "partial_fit" if self.bounds_from == "fit" else "stream"


def start_stream(inputs, spec, seed, previous=None):
    """``partial_fit``'s first call: the columns and the network from its chunk.

    Returns
    -------
    state : StreamState
        Before the chunk is counted and trained on (:func:`advance` does that).
    findings : list of Warning
    """
    columns = learn_columns(inputs, spec, previous)
    factor = previous.merge_factor if previous is not None else 1
    rng = np.random.RandomState(seed)
    candidate = build_candidate(columns, inputs, spec, factor, rng, previous, partial=True)
    target, merged = inputs.target, candidate.merged
    fixed_rows = [table.fixed_rows() for table in merged.tables]
    state = StreamState(
        candidate.coder,
        target.without_rows(),
        tuple(table.emptied(target) for table in merged.tables),
        tuple(merged.smooth),
        factor,
        merged.dims,
        TargetTotals(),
        Stream(
            candidate.params,
            rng,
            spec.training.learning_rate,
            float(inputs.weight.mean()),
            fixed_rows,
        ),
        bounds_from="fit" if previous is not None else "partial_fit's first chunk",
        target_range=_range(target.y) if target.type == "continuous" else None,
        class_rows=None if target.classes is None else np.zeros(len(target.classes), np.int64),
    )
    # The columns' verdicts (merged.findings) come with the chunk, from advance.
    return state, [*target.findings, *columns.findings]


def advance(state, inputs, spec, new_rows=True):
    """Count a chunk, give rows to values now frequent enough, train one pass.

    ``new_rows`` False: the chunk's rows were given (and counted) before, and
    this is a further pass over them: trained on, not counted again. Nothing
    here tells one row from another by its content: the caller says.

    Returns
    -------
    state : StreamState
        The new state; ``state`` itself is left as it was.
    attributes : dict
        The fitted attributes after this chunk.
    findings : list of Warning
    """
    frame, y = inputs.frame, inputs.target.y
    chunk_classes = _chunk_classes(state, y)
    if new_rows:
        state = _counted(state, inputs, chunk_classes)
    state, verdicts = _grown(state, spec)
    if _one_class_of_several(chunk_classes):
        # One class: every column looks constant; the next mixed chunk judges them.
        verdicts = [f for f in verdicts if f.kind != "constant_column"]
    order = _target_order(state, y, chunk_classes)
    coder = state.coder
    codes, numeric = coder.codes(frame), coder.numeric_values(frame)
    found = coder.numeric.out_of_range(numeric, coder.numeric_names, state.bounds_from)
    x_numeric = coder.numeric.apply(numeric)
    state, findings = _not_warned(state, [*order, *found, *verdicts])
    try:
        loss = state.stream.train_pass(codes, x_numeric, y, inputs.weight, spec.training)
    except NonFiniteWeights as error:
        relative = inputs.weight.max() / state.stream.weight_scale
        raise training_failure(
            error, state.tables, relative, "the first chunk's mean weight"
        ) from None
    state = replace(state, loss_curve=(*state.loss_curve, loss))
    return state, stream_attributes(state, spec), findings


def stream_attributes(state, spec):
    """The attributes ``partial_fit`` publishes: as ``fit`` would set them from every row counted."""
    published = [[column.published() for column in table.statistics] for table in state.tables]
    shrunk, tallies = [], [None] * len(state.coder.vocabularies)
    for table, rows, smooth, table_tallies in zip(
        state.tables, state.stream.params.tables, state.smooth, published
    ):
        shrunk.append(table.shrink(rows, sum(tally.weight for tally in table_tallies), smooth))
        for k, tally in zip(table.columns, table_tallies):
            tallies[k] = tally
    attributes = published_attributes(
        state.coder,
        shrunk,
        state.stream.params,
        state.target,
        tallies,
        (state.smooth, state.dims),
        spec.network.activation,
    )
    attributes.update(
        merge_factor_=state.merge_factor,
        n_iter_=len(state.loss_curve),
        loss_curve_=list(state.loss_curve),
        validation_scores_=None,
        best_validation_score_=None,
        baseline_validation_score_=None,
        _stream=state,
    )
    return attributes


def _counted(state, inputs, chunk_classes):
    """The state with a chunk's rows added to the statistics."""
    coder = state.coder
    columns = (coder.embedded_positions, coder.embedded_names)
    tables = counted_tables(state.tables, inputs.frame, columns, inputs.target, inputs.weight)
    class_rows = state.class_rows
    if chunk_classes is not None:
        class_rows = class_rows + chunk_classes
    return replace(
        state,
        tables=tuple(tables),
        totals=state.totals.counted(inputs.target.y, inputs.weight),
        class_rows=class_rows,
    )


def _grown(state, spec):
    """The state with rows for the values that fit's rule keeps now; and the rule's findings."""
    tables, moves, smooth, findings = grown_tables(
        state.tables, state.totals, spec.tables, state.merge_factor
    )
    stream = state.stream.copy()  # the one the new state trains, leaving this state's as it was
    for t, moved in moves:
        stream.grow_table(t, moved, tables[t].vocabulary.n_rows)
    table_of = lookups(tables)
    coder = state.coder.with_vocabularies([tables[t].vocabulary for t in table_of])
    state = replace(state, coder=coder, tables=tuple(tables), smooth=tuple(smooth), stream=stream)
    return state, findings


def _chunk_classes(state, y):
    """Rows of each class in a chunk (classification), or None."""
    if state.class_rows is None:
        return None
    return np.bincount(y.ravel().astype(np.int64), minlength=len(state.class_rows))


def _one_class_of_several(chunk_classes):
    return (
        chunk_classes is not None
        and len(chunk_classes) > 1
        and np.count_nonzero(chunk_classes) == 1
    )


def _range(y):
    return y.min(axis=0), y.max(axis=0)


def _target_order(state, y, chunk_classes):
    """A finding when a chunk looks cut from rows sorted by the target.

    A chunk of one class (of several), or a continuous target mostly outside the
    first chunk's range, teaches the network one part of the target at a time;
    and a one-class chunk makes every column look constant.
    """
    target, n_rows = state.target, len(y)
    if target.type != "continuous":
        if not _one_class_of_several(chunk_classes):
            return []
        (only,) = np.flatnonzero(chunk_classes)
        # A small chunk of a common class can hold it alone by chance.
        if (state.class_rows[only] / state.class_rows.sum()) ** n_rows > ONE_CLASS_BY_CHANCE:
            return []
        label = as_python(target.classes[only])
        where = f"{n_rows:,} rows hold one class ({label!r}) of {len(target.classes)}"
    else:
        low, high = state.target_range
        outside = int(((y < low) | (y > high)).any(axis=1).sum())
        # Mostly outside: a random chunk has about 2 / (m + 1) of its rows beyond the
        # extremes of a first chunk of m rows, a small share unless m is tiny.
        if outside <= max(OUT_OF_RANGE_ROWS, n_rows / 2):
            return []
        where = f"{outside:,} of {n_rows:,} rows have y outside the first chunk's range"
        if len(low) == 1:
            low, high = (bound * target.scale[0] + target.mean[0] for bound in (low[0], high[0]))
            where += f" [{low:.6g}, {high:.6g}]"
    message = (
        f"partial_fit: this chunk's {where}. Chunks cut from rows sorted by the target teach "
        "the network one part of it at a time. Shuffle the rows across chunks."
    )
    return [DataWarning(message, kind="target_order")]


def _not_warned(state, findings):
    """The findings not raised before in this stream: each (kind, column) is raised once.

    Every chunk judges the columns anew; repeating a verdict at each call
    would bury the first one (and a verdict on the first chunks can change).

    Returns
    -------
    state : StreamState
        With the new findings' (kind, column) recorded.
    findings : list of Warning
    """
    new = unique_findings(findings, state.warned)
    warned = state.warned | {(f.kind, f.column) for f in new}
    return replace(state, warned=warned), new
