"""Fitting without the estimator: from the data and the parameters to the state a fit publishes.

``EmbeddingEncoder.fit`` and ``partial_fit`` check their input, freeze their
parameters into a :class:`FitSpec` and call this module; nothing here reads or
writes the estimator. Both return the fitted state as a dict of attributes,
which the estimator publishes at once, and the findings (warnings) the user
should see, which the estimator raises at the user's line.

- :func:`fit_state`: the columns are learned once (:func:`learn_columns`);
  then one *candidate* network per merge threshold is built
  (:func:`build_candidate`) and trained, and the one with the lower validation
  loss is kept.
- :func:`start_stream` and :func:`stream_chunk`: ``partial_fit``'s first call
  builds one candidate from its chunk; every call then counts the chunk (once:
  a second pass over the same chunk is recognised and not counted again),
  gives rows to the values that the same rule as ``fit``'s now keeps, and
  trains one pass. The :class:`StreamState` is copied before each call changes
  it, so a call that fails leaves the estimator's state as it was.
"""

import copy
import hashlib
import numbers
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._columns import (
    OUT_OF_RANGE_ROWS,
    ColumnCoder,
    date_columns,
    resolve_categorical_mask,
)
from ._compat import _check_sample_weight
from ._exceptions import DataWarning
from ._prediction import prediction_names
from ._shrinkage import MERGE_FACTORS, smooth_and_merge
from ._statistics import TableStatistics, Tally, TargetTotals, column_statistics
from ._streaming import Stream
from ._table_plan import check_same_columns, given_tables, plan_tables
from ._training import (
    Training,
    TrainingConfig,
    TrainingData,
    blas_threads,
    continue_dense,
    epoch_hook,
)
from ._vocabulary import as_python, check_uniform_types, count_threshold

# Epochs each candidate network (one per merge threshold) trains before only the
# one with the lowest validation loss goes on. By then their ranking is the one
# training both to the end gives on the nine benchmark tables, at a quarter of
# the second network's cost (benchmarks/RESULTS.md, "Fast fit"). None: train
# every candidate to the end.
RACE_EPOCHS = 4

# Weights averaging less than this per row (probabilities summing to 1, say) make
# the table count as less than half its rows: fit says so.
SMALL_MEAN_WEIGHT = 0.5

# partial_fit calls a chunk of one class sorted by the target only when a random
# chunk of its size would hold that class alone less often than this.
ONE_CLASS_BY_CHANCE = 1e-3


@dataclass(frozen=True)
class FitSpec:
    """The estimator's parameters that a fit reads (validated by the estimator)."""

    categorical_features: object
    embedding_dim: object
    hidden_layer_sizes: tuple
    min_frequency: object
    smooth: object
    target_type: str
    remainder: str
    output: str
    initial_embeddings: object
    freeze_embeddings: object
    shared_embeddings: object
    learning_rate: float
    verbose: int
    record_embeddings: bool
    training: TrainingConfig


@dataclass(frozen=True)
class Inputs:
    """The checked data of one call: the table, its column names, the encoded target and weights."""

    frame: pd.DataFrame
    names: list
    target: object
    weight: np.ndarray


@dataclass(frozen=True)
class Previous:
    """What a warm start, or ``partial_fit`` after ``fit``, continues from: a fit's published state.

    Attributes
    ----------
    embedded : list of str
    given : (dict, dict)
        The fit's tables as given tables (``_table_plan.tables_of_fit``).
    numeric : (bounds, mean, scale)
        The numeric scaling its network learned on.
    dense : list of ndarray
        Copies of ``coefs_ + intercepts_``.
    target : Target
    merge_factor : int
    """

    embedded: list
    given: tuple
    numeric: tuple
    dense: list
    target: object
    merge_factor: int


@dataclass
class Columns:
    """What a fit learns of the table once, for every candidate network."""

    coder: ColumnCoder
    plan: object
    raw_codes: np.ndarray
    statistics: list
    totals: TargetTotals
    x_numeric: np.ndarray
    findings: list


@dataclass
class Candidate:
    """One network, built for one merge threshold, before or after training."""

    factor: int
    coder: ColumnCoder
    plan: object
    smooth: dict
    dims: list
    params: object
    data: TrainingData
    findings: list
    rng: np.random.RandomState
    history: object = None
    snapshots: list = None


def draw_seed(random_state):
    """The seed of a fit's generators: an int ``random_state`` itself, else one draw from it.

    Each network gets ``RandomState(seed)``, so the user's generator is only
    ever advanced, by one draw per fit, never rewound.
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def sample_weights(sample_weight, frame):
    """The checked sample weights, float64, as given.

    The statistics count them as given: a weight of 3 is a row seen three times,
    so a table aggregated into rows with a count column as weight is counted
    (and shrunk) as the table it came from.
    """
    return _check_sample_weight(sample_weight, frame, ensure_non_negative=True, dtype=np.float64)


def loss_weights(weight, scale):
    """The weights of the training loss: ``weight / scale`` as float32.

    ``fit`` divides by the mean weight, so that the loss, and so the balance of
    the data against the penalty ``alpha``, does not depend on the weights' unit;
    ``partial_fit`` by its first chunk's mean weight, so that chunks keep their
    weights relative to each other.
    """
    return (weight / scale).astype(np.float32)


# ------------------------------------------------------------------ fit


def fit_state(inputs, spec, seed, previous=None, callback=None):
    """Learn the columns, train a candidate per merge threshold, keep the best one.

    Parameters
    ----------
    inputs : Inputs
    spec : FitSpec
    seed : int
        Each candidate's generator is ``RandomState(seed)``.
    previous : Previous, default=None
        A warm start: the previous tables, weights and scaling are the start.
    callback : callable, default=None
        Called with each epoch's record (see ``EmbeddingEncoder.fit``).

    Returns
    -------
    state : dict
        The fitted attributes.
    findings : list of Warning
    """
    columns = learn_columns(inputs, spec, previous)
    candidates = build_candidates(columns, inputs, spec, seed, previous)
    columns.raw_codes = None  # each candidate has its own codes: free these while training
    kept = race(candidates, spec, inputs.target.type, callback)
    findings = [*inputs.target.findings, *columns.findings, *kept.findings]
    if not kept.history.converged:
        findings.append(_not_converged(spec.training.max_iter))
    return fitted_attributes(kept, inputs, spec), findings


def build_candidates(columns, inputs, spec, seed, previous=None):
    """One candidate per merge threshold that merges differently (one when they agree)."""
    if previous is not None:
        factors = (previous.merge_factor,)
    else:
        factors = MERGE_FACTORS if spec.training.early_stopping else (1,)
    candidates, sizes = [], []
    for factor in factors:
        candidate = build_candidate(
            columns, inputs, spec, factor, np.random.RandomState(seed), previous
        )
        # A larger threshold that merges nothing more would train the same network.
        if [len(t) for t in candidate.params.tables] not in sizes:
            sizes.append([len(t) for t in candidate.params.tables])
            candidates.append(candidate)
    return candidates


def race(candidates, spec, target_type, callback=None):
    """Train each candidate for ``RACE_EPOCHS`` epochs, then only the best one to the end.

    Every candidate is validated on the rows the first one held out, so that
    their losses compare. With one candidate, it is simply trained.

    Returns
    -------
    Candidate
        The one kept, trained, its history and snapshots on it.
    """
    config = replace(spec.training, target_type=target_type)
    trainings, split, start = [], None, time.perf_counter()
    with blas_threads():
        for candidate in candidates:
            on_epoch, candidate.snapshots = epoch_hook(
                candidate.params, spec.verbose, spec.record_embeddings, callback
            )
            # Each candidate goes on drawing from the generator that built it.
            training = Training(
                candidate.params, candidate.data, config, candidate.rng, on_epoch, split, start
            )
            split = training.history.train_idx, training.history.validation_idx
            trainings.append(training)
        racing = len(trainings) > 1
        race_epochs = config.max_iter if RACE_EPOCHS is None else RACE_EPOCHS
        for training, candidate in zip(trainings, candidates) if racing else []:
            training.label = {"merge_factor": candidate.factor, "racing": len(trainings)}
            for _ in range(race_epochs):
                if not training.done:
                    training.run_epoch()
        best = max(range(len(trainings)), key=lambda k: trainings[k].best_validation_score)
        kept, training = candidates[best], trainings[best]
        # The others' networks and rows are no longer needed: free them for the rest.
        candidates[:], trainings = [kept], None
        if racing:  # the race is over: 0 networks racing, this one kept
            training.label = {"merge_factor": kept.factor, "racing": 0}
        while not training.done:
            training.run_epoch()
        kept.history = training.finish()
    return kept


def learn_columns(inputs, spec, previous=None):
    """Which columns are embedded, their vocabularies and statistics, and the numeric scaling."""
    frame, names, target = inputs.frame, inputs.names, inputs.target
    mask = resolve_categorical_mask(frame, names, spec.categorical_features)
    embedded = [name for name, embed in zip(names, mask) if embed]
    findings = [*_small_weights(inputs.weight)] if embedded else [_nothing_to_embed()]
    if _is_auto(spec.categorical_features) and previous is None:
        findings += date_columns(frame, names, mask)
    if previous is not None:
        check_same_columns(previous.embedded, embedded)
        given = previous.given
    else:
        given = given_tables(embedded, spec.initial_embeddings)
    warm = previous is not None
    plan = plan_tables(embedded, given, spec.freeze_embeddings, spec.shared_embeddings, warm)
    coder, squashed = ColumnCoder.fit(frame, names, mask, spec.min_frequency, plan)
    if previous is not None:  # the network's weights were learned on the old scaling
        coder.numeric_bounds, coder.numeric_mean, coder.numeric_scale = previous.numeric
    raw_codes = coder.raw_codes(frame)
    statistics, totals = _count(coder, frame, raw_codes, target, inputs.weight)
    for t, (group, vocabulary) in enumerate(zip(plan.groups, coder.table_vocabularies)):
        table_codes = raw_codes[:, group]
        matched = plan.given_mask(t, vocabulary)[table_codes[table_codes >= 0]].sum()
        findings += plan.unmatched(t, _table_name(coder, group), matched, table_codes.size)
    x_numeric = coder.network_numeric(frame)
    if previous is None:  # a warm start sees the columns on the previous fit's scaling
        findings += squashed
    return Columns(coder, plan, raw_codes, statistics, totals, x_numeric, findings)


def build_candidate(columns, inputs, spec, factor, rng, previous=None, partial=False):
    """One untrained network: the rare categories merged at ``factor``, weights initialised.

    Nothing of ``columns`` changes: the candidate has its own vocabularies.
    """
    coder, plan, target = columns.coder.copy(), columns.plan, inputs.target
    codes = np.where(columns.raw_codes >= 0, columns.raw_codes, coder.unknown_rows())
    smooth, findings = {}, []
    for t, (group, vocabulary) in enumerate(zip(plan.groups, coder.table_vocabularies)):
        table = _table_statistics(
            coder, plan, t, [columns.statistics[k] for k in group], columns.totals
        )
        min_count = count_threshold(spec.min_frequency, table.n_rows)
        decision = smooth_and_merge(table, spec.smooth, factor, min_count)
        merged = ~decision.keep[: vocabulary.n_rows - 1]
        if merged.any():
            codes[:, group] = vocabulary.merge_into_unknown(merged)[codes[:, group]]
        smooth.update({coder.embedded_names[k]: decision.smooth for k in group})
        findings += decision.findings
    coder.unknown_shares = (codes == coder.unknown_rows()).mean(axis=0)
    names = coder.embedded_names.tolist()
    tables = coder.table_vocabularies
    dims = plan.dims(names, tables, spec.embedding_dim, count_infrequent=partial)
    appended = prediction_names(target, spec.output != "vectors")
    shown = [dim * (spec.output != "prediction") for dim in dims]
    coder.check_output_names(shown, spec.remainder, appended)
    network = (len(coder.numeric_mean), spec.hidden_layer_sizes, target.n_outputs)
    params = plan.initial_params(tables, dims, network, rng, new_at_unknown=previous is not None)
    if previous is not None:
        continue_dense(params, previous.dense)
    data = TrainingData(
        codes,
        columns.x_numeric,
        target.y,
        loss_weights(inputs.weight, inputs.weight.mean()),
        coder.unknown_rows(),
        target.stratify,
        plan.fixed_rows(tables),
    )
    smooth = {name: smooth[name] for name in names}
    return Candidate(factor, coder, plan, smooth, dims, params, data, findings, rng)


def fitted_attributes(candidate, inputs, spec):
    """The attributes ``fit`` publishes for a trained candidate."""
    coder, plan, params, data = candidate.coder, candidate.plan, candidate.params, candidate.data
    history, target, tables = candidate.history, inputs.target, coder.table_vocabularies
    rows = history.train_idx
    weight = inputs.weight  # the statistics count the weights as given, not the loss's
    counts = plan.table_counts(data.codes[rows], weight[rows], tables)
    tallies = [
        Tally.of(data.codes[:, k], len(params.tables[t]), data.y, weight, target.n_outputs)
        for k, t in enumerate(plan.lookups)
    ]
    state = _column_attributes(coder, target, candidate.smooth, candidate.factor, candidate.dims)
    state.update(
        _network_attributes(plan, tables, target, params, counts, tallies, candidate.smooth),
        n_iter_=history.n_iter,
        loss_curve_=history.loss_curve,
        validation_scores_=history.validation_scores if spec.training.early_stopping else None,
        best_validation_score_=history.best_validation_score,
    )
    if candidate.snapshots is not None:
        state["embedding_history_"] = [np.stack(candidate.snapshots[t]) for t in plan.lookups]
    return state


# ------------------------------------------------------------------ partial_fit


@dataclass
class StreamState:
    """What ``partial_fit`` carries between calls (the estimator keeps it as ``_stream``)."""

    coder: ColumnCoder
    target: object
    plan: object
    smooth: dict
    merge_factor: int
    dims: list
    statistics: list
    totals: TargetTotals
    stream: Stream
    weight_scale: float
    bounds_from: str  # what fixed the numeric clip bounds, for messages
    target_range: tuple  # a continuous target's (min, max) in the first chunk, standardised
    class_rows: np.ndarray  # rows of each class counted so far (classification)
    loss_curve: list = field(default_factory=list)
    chunks_seen: set = field(default_factory=set)
    warned: set = field(default_factory=set)  # (kind, column) of the findings raised


def start_stream(inputs, spec, seed, previous=None):
    """``partial_fit``'s first call: the columns and the network from its chunk.

    Returns
    -------
    state : StreamState
        Before the chunk is counted and trained on (:func:`stream_chunk` does that).
    findings : list of Warning
    """
    columns = learn_columns(inputs, spec, previous)
    factor = previous.merge_factor if previous is not None else 1
    rng = np.random.RandomState(seed)
    candidate = build_candidate(columns, inputs, spec, factor, rng, previous, partial=True)
    coder, target = candidate.coder, inputs.target
    statistics = [
        column_statistics(vocabulary.n_rows, target.n_outputs, target.type == "multiclass")
        for vocabulary in coder.vocabularies
    ]
    stream = Stream(candidate.params, rng, spec.learning_rate)
    state = StreamState(
        coder,
        target.without_rows(),
        candidate.plan,
        candidate.smooth,
        factor,
        candidate.dims,
        statistics,
        TargetTotals(),
        stream,
        weight_scale=float(inputs.weight.mean()),
        bounds_from="fit" if previous is not None else "partial_fit's first chunk",
        target_range=_range(target.y) if target.type == "continuous" else None,
        class_rows=None if target.classes is None else np.zeros(len(target.classes), np.int64),
    )
    # The columns' verdicts (candidate.findings) come with the chunk, from stream_chunk.
    return state, [*target.findings, *columns.findings]


def stream_chunk(state, inputs, spec):
    """Count a chunk (unless seen before), give rows to values now frequent enough, train one pass.

    ``state`` is changed in place: pass a copy (see :func:`copy_stream`).

    Returns
    -------
    attributes : dict
        The fitted attributes after this chunk.
    findings : list of Warning
    """
    frame, y, weight = inputs.frame, inputs.target.y, inputs.weight
    digest = chunk_digest(frame, y, weight)
    chunk_classes = _chunk_classes(state, y)
    if digest not in state.chunks_seen:
        _observe(state, frame, y, weight)
        state.chunks_seen.add(digest)
        if chunk_classes is not None:
            state.class_rows += chunk_classes
    order, verdicts = _target_order(state, y, chunk_classes), _grow(state, spec)
    if _one_class_of_several(chunk_classes):
        # One class: every column looks constant; the next mixed chunk judges them.
        verdicts = [f for f in verdicts if f.kind != "constant_column"]
    numeric = state.coder.numeric_values(frame)
    findings = _not_warned(
        state, [*order, *state.coder.out_of_range(numeric, state.bounds_from), *verdicts]
    )
    tables = state.coder.table_vocabularies
    data = TrainingData(
        state.coder.codes(frame),
        state.coder.scaled_numeric(numeric),
        y,
        loss_weights(weight, state.weight_scale),
        state.coder.unknown_rows(),
        None,
        state.plan.fixed_rows(tables),
    )
    config = replace(spec.training, target_type=state.target.type)
    state.loss_curve.append(state.stream.train_pass(data, config))
    return stream_attributes(state), findings


def copy_stream(state):
    """A copy of ``state`` that a call may change and publish, or drop when it fails."""
    return copy.deepcopy(state)


def chunk_digest(frame, y, weight):
    """A fingerprint of a chunk's rows, targets and weights, to recognise a second pass over it."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(np.ascontiguousarray(y).tobytes())
    digest.update(np.ascontiguousarray(weight).tobytes())
    digest.update(repr(list(frame.columns)).encode())
    return digest.hexdigest()


def stream_attributes(state):
    """The attributes ``partial_fit`` publishes: as ``fit`` would set them from every row counted."""
    coder, plan, target, params = state.coder, state.plan, state.target, state.stream.params
    published = [statistics.published() for statistics in state.statistics]
    counts = [sum(published[k].weight for k in group) for group in plan.groups]
    tables = coder.table_vocabularies
    attributes = _column_attributes(coder, target, state.smooth, state.merge_factor, state.dims)
    attributes.update(
        _network_attributes(plan, tables, target, params, counts, published, state.smooth),
        n_iter_=len(state.loss_curve),
        loss_curve_=list(state.loss_curve),
        validation_scores_=None,
        best_validation_score_=None,
        _stream=state,
    )
    return attributes


def _observe(state, frame, y, weight):
    """Add a chunk's rows to the statistics, in the current row layout."""
    coder = state.coder
    raw_codes, positions, n_outputs = (
        coder.raw_codes(frame),
        coder.embedded_positions,
        state.target.n_outputs,
    )
    for k, (statistics, vocabulary) in enumerate(zip(state.statistics, coder.vocabularies)):
        series, name = frame.iloc[:, positions[k]], coder.embedded_names[k]
        check_uniform_types(series, name)  # the first chunk's column was checked by Vocabulary.fit
        vocabulary.check_same_kind(series, raw_codes[:, k], name)
        statistics.observe(raw_codes[:, k], series, y, weight, n_outputs)
    state.totals.add(y, weight)


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
    """
    new = [f for f in findings if (f.kind, f.column) not in state.warned]
    state.warned.update((f.kind, f.column) for f in new)
    return new


def _grow(state, spec):
    """Give rows to the pending values that fit's rule keeps now; return the findings."""
    coder, plan, findings = state.coder, state.plan, []
    for t, (group, vocabulary) in enumerate(zip(plan.groups, coder.table_vocabularies)):
        statistics = [state.statistics[k] for k in group]
        table = _table_statistics(coder, plan, t, statistics, state.totals)
        min_count = count_threshold(spec.min_frequency, table.n_rows)
        decision = smooth_and_merge(table, spec.smooth, state.merge_factor, min_count)
        ready = table.pending_values[decision.keep[vocabulary.n_rows - 1 :]]
        if len(ready) and not plan.frozen[t]:
            _add_rows(state, t, group, vocabulary, ready, table.name)
        vocabulary.add_infrequent(table.pending_values.difference(ready, sort=False))
        state.smooth.update({coder.embedded_names[k]: decision.smooth for k in group})
        # An early chunk may find no value frequent enough; the column is constant only if none
        # has a row, or if every vector is shrunk to the unknown one.
        constant = not len(vocabulary.categories) or np.isinf(decision.smooth)
        findings += [
            finding
            for finding in decision.findings
            if finding.kind != "constant_column" or constant
        ]
    return findings


def _add_rows(state, t, group, vocabulary, values, name):
    """Give ``values`` rows of table ``t``: vectors at the unknown vector, statistics from pending."""
    old = pd.Series(vocabulary.categories, dtype=object)
    vocabulary.include(values, name)
    moved = np.append(vocabulary.encode(old), vocabulary.unknown_row)
    new_rows = vocabulary.encode(pd.Series(values, dtype=object))
    state.stream.grow_table(t, moved, vocabulary.n_rows)
    for k in group:
        state.statistics[k].move_to_rows(values, moved, new_rows, vocabulary.n_rows)


# ------------------------------------------------------------------ shared


def _count(coder, frame, raw_codes, target, weight):
    """Per embedded column, the statistics of ``frame``'s rows; and the target's totals."""
    n_outputs, classes = target.n_outputs, target.type == "multiclass"
    statistics = []
    for k, (vocabulary, position) in enumerate(zip(coder.vocabularies, coder.embedded_positions)):
        column = column_statistics(vocabulary.n_rows, n_outputs, classes)
        column.observe(raw_codes[:, k], frame.iloc[:, position], target.y, weight, n_outputs)
        statistics.append(column)
    totals = TargetTotals()
    totals.add(target.y, weight)
    return statistics, totals


def _table_statistics(coder, plan, t, statistics, totals):
    group, vocabulary = plan.groups[t], coder.table_vocabularies[t]
    given = plan.given_mask(t, vocabulary)
    return TableStatistics.of(_table_name(coder, group), statistics, totals, given, plan.frozen[t])


def _table_name(coder, group):
    return "+".join(str(coder.embedded_names[k]) for k in group)


def _network_attributes(plan, tables, target, params, counts, tallies, smooth):  # noqa: PLR0913
    """What ``fit`` and ``partial_fit`` publish of a trained network.

    Its tables shrunk by each row's weighted training ``counts``, its dense
    weights, and each embedded column's statistics (``tallies``).
    """
    return {
        "embeddings_": plan.shrink(params.tables, tables, counts, list(smooth.values())),
        "coefs_": params.coefs,
        "intercepts_": params.intercepts,
        "category_counts_": [tally.weight for tally in tallies],
        "category_target_means_": [target.signal_means(tally) for tally in tallies],
    }


def _column_attributes(coder, target, smooth, merge_factor, dims):
    """The attributes that describe the columns and the target."""
    categories, infrequent = coder.category_lists()
    names = coder.embedded_names
    attributes = {
        "_coder": coder,
        "_target": target.without_rows(),
        "target_type_": target.type,
        "categorical_features_": names,
        "categories_": categories,
        "infrequent_categories_": infrequent,
        "embedding_dims_": dict(zip(names.tolist(), dims)),
        "numeric_bounds_": coder.numeric_bounds,
        "numeric_mean_": coder.numeric_mean,
        "numeric_scale_": coder.numeric_scale,
        "smooth_": dict(smooth),
        "merge_factor_": merge_factor,
    }
    if target.classes is not None:
        attributes["classes_"] = target.classes
    return attributes


def _is_auto(categorical_features):
    return isinstance(categorical_features, str) and categorical_features == "auto"


def _small_weights(weight):
    """A finding when the weights make the table count as far fewer rows than it has."""
    mean = float(weight.mean())
    if mean >= SMALL_MEAN_WEIGHT:
        return []
    message = (
        f"sample_weight averages {mean:.3g} per row. Weights count as rows (a weight of 2 is "
        f"a row seen twice), so these {len(weight):,} rows count as {weight.sum():,.4g} for "
        "the shrinkage (smooth_) and the merging of rare categories. If the weights are "
        "relative frequencies, multiply them by the number of rows; to weigh rows without "
        "changing the counts, rescale them to mean 1."
    )
    return [DataWarning(message, kind="sample_weight")]


def _nothing_to_embed():
    return UserWarning(
        "EmbeddingEncoder found no categorical column to embed; transform will "
        "pass X through. Name integer-coded categoricals in categorical_features."
    )


def _not_converged(max_iter):
    return ConvergenceWarning(
        f"EmbeddingEncoder: training stopped at max_iter={max_iter} epochs before "
        "the loss stopped improving. Increase max_iter if the embeddings matter."
    )
