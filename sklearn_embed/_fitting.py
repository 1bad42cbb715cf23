"""Fitting without the estimator: from the data and the parameters to a fitted model.

``EmbeddingEncoder.fit`` checks its input, freezes its parameters into a
:class:`FitSpec` once the target is read, and calls :func:`train_model`; nothing
here reads or writes the estimator. The columns are learned once
(:func:`learn_columns`: which are embedded, one
:class:`~sklearn_embed._tables.EmbeddingTable` per table, the numeric scaling);
then one *candidate* network per merge threshold is built
(:func:`build_candidate`), they race (:func:`race`), and the one with the lower
validation loss is kept and becomes a :class:`~sklearn_embed._model.FittedModel`
and the attributes the estimator publishes (:func:`fitted_attributes`), with the
findings (warnings) the user should see. ``partial_fit``'s builder,
``_streaming``, learns its first chunk's columns and network the same way.
"""

import numbers
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._baseline import baseline_score
from ._columns import ColumnCoder, read_columns
from ._compat import _check_sample_weight
from ._exceptions import DataWarning
from ._model import FittedModel, check_output_names, prediction_names
from ._network import NetworkParams, init_dense
from ._numeric import NumericScaling
from ._reestimation import Reestimation, reestimate_on_all_rows
from ._shrinkage import MERGE_FACTORS
from ._statistics import Tally, TargetTotals, check_countable
from ._table_setup import TableSpec
from ._tables import Merged, learn_tables, merged_tables, published_tables, table_counts
from ._training import NonFiniteWeights, Training, TrainingData, blas_threads, epoch_hook

# Epochs each candidate network (one per merge threshold) trains before only the
# one with the lowest validation loss goes on (benchmarks/RESULTS.md, "Fast
# fit", on why four). None: train every candidate to the end.
RACE_EPOCHS = 4

# When training produces non-finite weights, a given vector or a loss weight (relative
# to the loss's unit) larger than this is named as the cause: ordinary ones are near 1,
# and the float32 network's gradients of inputs a million times larger overflow.
LARGE_INPUT = 1e6

# Weights averaging less than this per row (probabilities summing to 1, say) make
# the table count as less than half its rows: fit says so.
SMALL_MEAN_WEIGHT = 0.5


@dataclass(frozen=True, eq=False)
class NetworkSpec:
    """The network's shape and the output it serves (whose names fit checks)."""

    hidden_layer_sizes: list
    activation: str
    output: str
    remainder: str


@dataclass(frozen=True, eq=False)
class Monitor:
    """What a fit reports as it trains."""

    verbose: int
    record_embeddings: bool


@dataclass(frozen=True, eq=False)
class FitSpec:
    """The estimator's parameters, validated, split by who reads them.

    ``training`` is resolved once the target is read (its type sets the loss).
    ``cross_fit`` (a ``_crossfit.CrossFitSpec``, None with ``cross_fit=False``):
    the fit re-estimates its rare rows (``_reestimation``), so that cross-fitting
    can encode training rows as it encodes new ones.
    """

    categorical_features: object
    tables: TableSpec
    network: NetworkSpec
    training: object  # TrainingConfig
    monitor: Monitor
    cross_fit: object  # CrossFitSpec or None


@dataclass(frozen=True, eq=False)
class Inputs:
    """The checked data of one call: the table, its column names, the encoded target and weights."""

    frame: pd.DataFrame
    names: list
    target: object
    weight: np.ndarray


@dataclass(frozen=True, eq=False)
class Previous:
    """What a warm start, or ``partial_fit`` after ``fit``, continues from: a fit's published state.

    Attributes
    ----------
    by : str
        Who continues: "warm_start" (``fit``) or "partial_fit", for messages.
    embedded : list of str
    given : (dict, dict)
        The fit's tables as given tables (``_tables.tables_of_fit``).
    numeric : NumericScaling
        The numeric scaling its network learned on.
    dense : list of ndarray
        Copies of ``coefs_ + intercepts_``.
    target : Target
    merge_factor : int
    """

    by: str
    embedded: list
    given: tuple
    numeric: NumericScaling
    dense: list
    target: object
    merge_factor: int


@dataclass(frozen=True, eq=False)
class Columns:
    """What a fit learns of the table once, for every candidate network.

    Attributes
    ----------
    names : list of str
        Every input column's name.
    mask : ndarray of bool
        The embedded columns.
    tables : list of EmbeddingTable
        Their vocabularies before any merge, and the statistics of every row.
    raw_codes : ndarray of int32, shape (n_samples, n_embedded)
        Each value's row, -1 for values without one.
    numeric : NumericScaling
    x_numeric : ndarray of float32, shape (n_samples, n_numeric)
        The network's numeric input.
    dtypes : list of str
        Each embedded column's dtype, for messages.
    totals : TargetTotals
    findings : list of Warning
    """

    names: list
    mask: np.ndarray
    tables: list
    raw_codes: np.ndarray
    numeric: NumericScaling
    x_numeric: np.ndarray
    dtypes: list
    totals: TargetTotals
    findings: list


@dataclass(frozen=True, eq=False)
class Candidate:
    """One untrained network, built for one merge threshold: its tables, coder, weights and rows."""

    factor: int
    coder: ColumnCoder
    merged: Merged
    params: NetworkParams
    data: TrainingData
    rng: np.random.RandomState


@dataclass(frozen=True, eq=False)
class Trained:
    """The candidate kept, trained: its history, its tables after each epoch when recorded,
    each table's weighted training rows per row (``counts``), and with cross-fitting
    what was re-estimated (a :class:`~sklearn_embed._reestimation.Reestimation`)."""

    candidate: Candidate
    history: object
    snapshots: list
    counts: list
    reestimation: Reestimation = None


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
    (and shrunk) as the table it came from. Weights whose sum float64 cannot
    hold are refused here, before any work.
    """
    weight = _check_sample_weight(sample_weight, frame, ensure_non_negative=True, dtype=np.float64)
    check_countable(weight)
    return weight


def loss_weights(weight, scale):
    """The weights of the training loss: ``weight / scale`` as float32.

    ``fit`` divides by the mean weight, so that the loss, and so the balance of
    the data against the penalty ``alpha``, does not depend on the weights' unit;
    ``partial_fit`` by its first chunk's mean weight, so that chunks keep their
    weights relative to each other.
    """
    return (weight / scale).astype(np.float32)


# ------------------------------------------------------------------ fit


def train_model(inputs, spec, seed, previous=None, callback=None):
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
    trained : Trained
        The network kept, trained; :func:`fitted_attributes` makes of it what
        the estimator publishes.
    findings : list of Warning
    """
    columns = learn_columns(inputs, spec, previous)
    candidates = build_candidates(columns, inputs, spec, seed, previous)
    findings = [*inputs.target.findings, *columns.findings]
    tables = candidates[0].merged.tables  # their given vectors, should training fail
    del columns  # each candidate has its own codes: free these while training
    try:
        kept = race(candidates, spec, callback)
    except NonFiniteWeights as error:
        weight = inputs.weight
        raise training_failure(
            error, tables, weight.max() / weight.mean(), "the mean weight"
        ) from None
    candidate, history, snapshots = kept
    findings += candidate.merged.findings
    if not history.converged:
        findings.append(_not_converged(spec.training.max_iter))
    rows = history.train_idx  # the statistics count the weights as given, not the loss's
    counts = table_counts(candidate.merged.tables, candidate.data.codes[rows], inputs.weight[rows])
    reestimation = None
    if spec.cross_fit is not None:
        reestimation = reestimate_on_all_rows(candidate, history, counts, spec.training, seed)
    return Trained(candidate, history, snapshots, counts, reestimation), findings


def learn_columns(inputs, spec, previous=None):
    """Which columns are embedded, their tables and statistics, and the numeric scaling."""
    frame, names, target, weight = inputs.frame, inputs.names, inputs.target, inputs.weight
    small_weights = _small_weights(weight)
    numeric = previous.numeric if previous is not None else None
    read = read_columns(frame, names, spec.categorical_features, numeric)
    embedded = [name for name, embed in zip(names, read.mask) if embed]
    warm = (previous.embedded, previous.given, previous.by) if previous is not None else None
    columns = (np.flatnonzero(read.mask), embedded)
    tables, codes, unmatched = learn_tables(frame, columns, spec.tables, target, weight, warm)
    totals = TargetTotals().counted(target.y, weight)
    findings = [*(small_weights if embedded else [_nothing_to_embed()]), *read.findings, *unmatched]
    return Columns(
        names, read.mask, tables, codes, read.numeric, read.x_numeric, read.dtypes, totals, findings
    )


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


def build_candidate(columns, inputs, spec, factor, rng, previous=None, partial=False):  # noqa: PLR0913
    """One untrained network: the rare categories merged at ``factor``, weights initialised.

    Nothing of ``columns`` changes: the candidate has its own tables. With
    ``partial`` (``partial_fit``'s first chunk) "auto" sizes count the values
    seen without a row too. Input names that the output would repeat are
    refused here, before any training.
    """
    target, network = inputs.target, spec.network
    weight = loss_weights(inputs.weight, inputs.weight.mean())
    start = (rng, previous is not None, partial)
    merged = merged_tables(
        columns.tables, columns.raw_codes, columns.totals, spec.tables, factor, start
    )
    unknown_rows = np.array([v.unknown_row for v in merged.vocabularies], dtype=np.int32)
    coder = ColumnCoder(
        columns.names,
        columns.mask,
        merged.vocabularies,
        merged.lookups,
        columns.numeric,
        (merged.codes == unknown_rows).mean(axis=0),
        columns.dtypes,
    )
    appended = prediction_names(target) if network.output != "vectors" else []
    shown = [dim * (network.output != "prediction") for dim in merged.dims]
    check_output_names(columns.names, columns.mask, shown, network.remainder, appended)
    params = init_dense(
        merged.rows,
        columns.x_numeric.shape[1],
        network.hidden_layer_sizes,
        target.n_outputs,
        rng,
        np.float32,
        merged.lookups,
        None if previous is None else previous.dense,
    )
    fixed_rows = [table.fixed_rows() for table in merged.tables]
    data = TrainingData(
        merged.codes, columns.x_numeric, target.y, weight, unknown_rows, target.stratify, fixed_rows
    )
    return Candidate(factor, coder, merged, params, data, rng)


def race(candidates, spec, callback=None):
    """Train each candidate for ``RACE_EPOCHS`` epochs, then only the best one to the end.

    Every candidate is validated on the rows the first one held out, so that
    their losses compare. With one candidate, it is simply trained.

    Returns
    -------
    candidate : Candidate
        The one kept.
    history : History
    snapshots : list or None
        Its tables after each epoch, when recorded.
    """
    config, monitor = spec.training, spec.monitor
    trainings, split, start, all_snapshots = [], None, time.perf_counter(), []
    with blas_threads():
        for candidate in candidates:
            on_epoch, snapshots = epoch_hook(
                candidate.params, monitor.verbose, monitor.record_embeddings, callback
            )
            all_snapshots.append(snapshots)
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
        kept, training, snapshots = candidates[best], trainings[best], all_snapshots[best]
        # The others' networks and rows are no longer needed: free them for the rest.
        candidates[:], trainings, all_snapshots = [kept], None, None
        if racing:  # the race is over: 0 networks racing, this one kept
            training.label = {"merge_factor": kept.factor, "racing": 0}
        while not training.done:
            training.run_epoch()
        history = training.finish()
    return kept, history, snapshots


def fitted_attributes(trained, inputs, spec):
    """The attributes ``fit`` publishes for a trained candidate, ``model_`` among them."""
    candidate, history = trained.candidate, trained.history
    data, weight, target, merged = candidate.data, inputs.weight, inputs.target, candidate.merged
    shrunk = published_tables(merged.tables, candidate.params.tables, trained.counts, merged.smooth)
    tallies = [
        Tally.of(
            data.codes[:, k], len(candidate.params.tables[t]), data.y, weight, target.n_outputs
        )
        for k, t in enumerate(candidate.coder.lookups)
    ]
    attributes = published_attributes(
        candidate.coder,
        shrunk,
        candidate.params,
        target,
        tallies,
        (merged.smooth, merged.dims),
        spec.network.activation,
    )
    smooth = [merged.smooth[t] for t in candidate.coder.lookups]
    baseline = baseline_score(
        data,
        (history.train_idx, history.validation_idx),
        target.type,
        target.n_outputs,
        smooth,
    )
    attributes.update(
        merge_factor_=candidate.factor,
        n_iter_=history.n_iter,
        loss_curve_=history.loss_curve,
        validation_scores_=history.validation_scores if spec.training.early_stopping else None,
        best_validation_score_=history.best_validation_score,
        baseline_validation_score_=baseline,
    )
    if trained.snapshots is not None:
        table_of = candidate.coder.lookups
        attributes["embedding_history_"] = [np.stack(trained.snapshots[t]) for t in table_of]
    return attributes


def published_attributes(coder, shrunk, params, target, tallies, sizes, activation):  # noqa: PLR0913
    """What ``fit`` and ``partial_fit`` publish of a trained network and its tables.

    The fitted model on the ``shrunk`` tables; the columns' and the target's
    description; each embedded column's statistics (``tallies``). ``sizes`` is
    ``(smooth, dims)``: each table's ``smooth`` and each embedded column's size.
    """
    smooth, dims = sizes
    network = NetworkParams(shrunk, params.coefs, params.intercepts, lookups=coder.lookups)
    model = FittedModel(coder, target.without_rows(), network, activation)
    names = coder.embedded_names
    attributes = {
        "model_": model,
        "target_type_": target.type,
        "categorical_features_": names,
        "categories_": [vocabulary.categories for vocabulary in coder.vocabularies],
        "infrequent_categories_": [vocabulary.infrequent for vocabulary in coder.vocabularies],
        "embeddings_": model.embeddings,
        "embedding_dims_": dict(zip(names.tolist(), dims)),
        "numeric_bounds_": coder.numeric.bounds,
        "numeric_mean_": coder.numeric.mean,
        "numeric_scale_": coder.numeric.scale,
        "smooth_": {names[k]: smooth[t] for k, t in enumerate(coder.lookups)},
        "coefs_": params.coefs,
        "intercepts_": params.intercepts,
        "category_counts_": [tally.weight for tally in tallies],
        "category_target_means_": [target.signal_means(tally) for tally in tallies],
    }
    if target.classes is not None:
        attributes["classes_"] = target.classes
    return attributes


def training_failure(error, tables, relative_weight, unit):
    """The error for a training that produced non-finite weights, naming the cause found.

    A given table with vectors beyond ``LARGE_INPUT`` (a frozen table of 1e30),
    or rows weighted beyond it relative to the loss's ``unit`` (a
    ``partial_fit`` chunk weighted 1e20 times the first one's), make the
    float32 network's gradients overflow; whatever the learning rate.
    Otherwise ``error`` (a :class:`~sklearn_embed._training.NonFiniteWeights`)
    as it is.
    """
    given = [
        (float(np.abs(table.given.to_numpy()).max()), table)
        for table in tables
        if table.given is not None and len(table.given)
    ]
    largest, table = max(given, key=lambda pair: pair[0], default=(0.0, None))
    if largest >= LARGE_INPUT:
        return ValueError(
            f"Training produced non-finite weights: the table of column {table.name!r} from "
            f"{table.setup.source} holds values up to {largest:.3g}, and the network, which "
            "trains in float32, overflows on inputs that large. Scale the table down (divide "
            "it by one number: the network reads the vectors' directions and relative sizes)."
        )
    if relative_weight >= LARGE_INPUT:
        return ValueError(
            f"Training produced non-finite weights: sample_weight weighs rows up to "
            f"{relative_weight:.3g} times {unit}, the loss's unit, and the network, which trains "
            "in float32, overflows on gradients that large. Weigh the rows less unevenly, or "
            "rescale every chunk's weights alike."
        )
    return error


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
    return DataWarning(
        "EmbeddingEncoder found no categorical column to embed; transform will "
        "pass X through. Name integer-coded categoricals in categorical_features.",
        kind="nothing_to_embed",
    )


def _not_converged(max_iter):
    return ConvergenceWarning(
        f"EmbeddingEncoder: training stopped at max_iter={max_iter} epochs before "
        "the loss stopped improving. Increase max_iter if the embeddings matter."
    )


def __getattr__(name):
    # A pickle of 0.3.0.dev taken in the middle of partial_fit holds this module's
    # StreamState: say what to do instead of pickle's "Can't get attribute".
    if name == "StreamState":
        raise TypeError(
            "This pickle holds an EmbeddingEncoder of sklearn_embed 0.3.0.dev in the middle of "
            "partial_fit, which this release cannot read: pickles are not a stable format. "
            "Save fitted encoders with EmbeddingEncoder.save and read them with "
            "EmbeddingEncoder.load, whatever the release."
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
