"""Re-estimating a trained network's rare table rows, every other weight frozen.

A category seen on a few rows has a vector fitted to those rows' targets: the
network's memory of them. Cross-fitting (``_crossfit``) encodes each training
row with such vectors re-estimated without the row's fold. For the vectors of
the training rows and of new rows to come from one estimator (a downstream
tree compares them coordinate by coordinate), ``fit`` publishes those rows
re-estimated the same way on every training row: each starts at its prior (its
table's unknown vector, where an average category sits, or its given vector)
and trains with the network's other weights frozen, so it lives in the
coordinates the network reads. On all rows the number of epochs is chosen by
the validation loss (:func:`reestimate_until_no_better`); each fold then
trains that many (:func:`reestimate_for`).

Frequent categories keep their trained vectors: one row among many hardly
moves a vector, and re-estimating it would only add the noise of another
training run (re-estimating every row loses most of what a booster reads:
``benchmarks/RESULTS.md``, "Cross-fitting"). Only the training rows that look
up a re-estimated row are visited.
"""

from dataclasses import dataclass

import numpy as np

from ._optim import Adam
from ._shrinkage import MAX_MERGE_COUNT, MERGE_FACTORS
from ._training import blas_threads, loss_on, one_epoch, split_validation

# A category counted fewer than min(RESET_FACTOR * m, MAX_RESET_COUNT) times, m the
# pseudo-count the target's noise calls for (smooth="auto"'s estimate, whatever smooth
# the user set), is re-estimated: the prior would weigh at least a fifth as much as its
# own rows. RESET_FACTOR is the larger merge factor, so after a race won by the larger
# threshold (and smooth="auto") no category is rare enough.
RESET_FACTOR = max(MERGE_FACTORS)
MAX_RESET_COUNT = MAX_MERGE_COUNT

# On all rows, at most this many epochs (and the fit's max_iter); training stops when
# the validation loss has not improved by the fit's tol for its n_iter_no_change epochs,
# and keeps the best epoch (or the start).
MAX_EPOCHS = 40


@dataclass(frozen=True, eq=False)
class Reestimation:
    """What ``fit`` re-estimated: each table's rare rows, and the epochs the validation loss chose."""

    rare: list
    epochs: int


def reestimate_on_all_rows(candidate, history, counts, config, seed):
    """Re-estimate a trained candidate's rare rows on every training row (in place).

    So the vectors ``transform`` gives new rows come from the estimator that
    cross-fitting gives the training rows. The rows are those of
    :func:`rare_rows`; the epochs, as :func:`reestimate_until_no_better` chooses
    them on the fit's validation rows (:func:`validation_rows`).

    Parameters
    ----------
    candidate : _fitting.Candidate
        The network kept, trained: its tables, training data and weights.
    history : History
        Its training and validation rows.
    counts : list of ndarray
        Each table's weighted training rows per row.
    config : TrainingConfig
    seed : int

    Returns
    -------
    reestimation : Reestimation
    """
    merged, data, params = candidate.merged, candidate.data, candidate.params
    rare = rare_rows(merged.tables, counts, merged.noise)
    if not any(rows.any() for rows in rare):
        return Reestimation(rare, 0)
    priors = [table.prior(rows) for table, rows in zip(merged.tables, params.tables)]
    rng = np.random.RandomState(seed)
    train, validation = validation_rows(history, data, config, rng)
    epochs = reestimate_until_no_better(params, data, rare, priors, train, validation, config, rng)
    return Reestimation(rare, epochs)


def rare_rows(tables, counts, noise):
    """Per table, the rows to re-estimate: categories counted fewer than the threshold.

    Parameters
    ----------
    tables : list of EmbeddingTable
    counts : list of ndarray
        Each table's weighted training rows per row.
    noise : list of float
        Each table's pseudo-count as the target's noise calls for it.

    Returns
    -------
    rare : list of ndarray of bool
        Never the unknown row, never a row training must not move (a frozen
        given vector).
    """
    rare = []
    for table, count, m in zip(tables, counts, noise):
        rows = count < min(RESET_FACTOR * m, MAX_RESET_COUNT)
        rows[-1] = False
        fixed = table.fixed_rows()
        rare.append(rows if fixed is None else rows & ~fixed)
    return rare


def reestimate_until_no_better(params, data, rare, priors, rows, validation, config, rng):  # noqa: PLR0913
    """Re-estimate the ``rare`` rows of ``params`` in place until ``validation``'s loss stops improving.

    Each rare row starts at its prior; a fresh Adam (the fit's step size and
    batch size, code dropout to the unknown row, which stays as it is) trains
    the rare rows alone on the training ``rows`` of ``data``, for at most
    ``min(MAX_EPOCHS, max_iter)`` epochs, until the loss of the ``validation``
    rows has not improved by ``tol`` for ``n_iter_no_change`` epochs. The best
    epoch is kept, or the start.

    Parameters
    ----------
    params : NetworkParams
        The trained network; only its rare rows change.
    data : TrainingData
    rare : list of ndarray of bool
        :func:`rare_rows`.
    priors : list of ndarray
        Each table's prior rows (``EmbeddingTable.prior``).
    rows, validation : ndarray of int
        The rows to learn from, and those whose loss decides.
    config : TrainingConfig
    rng : numpy.random.RandomState

    Returns
    -------
    epochs : int
        The epochs kept: the best epoch's number (0: the start).
    """
    learns = _learning(params, data, rare)
    rows, validation = rows[learns[rows]], validation[learns[validation]]
    _start_at_priors(params, rare, priors)
    if not len(rows) or not len(validation):
        return 0
    optimizer = _rare_rows_optimizer(params, rare, config)
    with blas_threads():
        best, best_epoch, waited = loss_on(params, data, validation, config), 0, 0
        kept = _rare_values(params, rare)
        for epoch in range(1, min(MAX_EPOCHS, config.max_iter) + 1):
            one_epoch(params, optimizer, data, rows, config, rng)
            loss = loss_on(params, data, validation, config)
            if np.isfinite(loss) and loss < best - config.tol:
                best, best_epoch, kept, waited = loss, epoch, _rare_values(params, rare), 0
            else:
                waited += 1
                if waited >= config.n_iter_no_change or not np.isfinite(loss):
                    break
    for table, reset, values in zip(params.tables, rare, kept):
        table[reset] = values
    return best_epoch


def reestimate_for(params, data, rare, priors, rows, epochs, config, rng):  # noqa: PLR0913
    """Re-estimate the ``rare`` rows of ``params`` in place for ``epochs`` epochs on ``rows``.

    As :func:`reestimate_until_no_better`, for the number of epochs it chose. A
    row that fewer rows drove past float32's range goes back to its prior, as
    a row no epoch improved stays there: never a NaN in the output.
    """
    rows = rows[_learning(params, data, rare)[rows]]
    _start_at_priors(params, rare, priors)
    if not len(rows) or not epochs:
        return
    optimizer = _rare_rows_optimizer(params, rare, config)
    with blas_threads():
        for _ in range(epochs):
            one_epoch(params, optimizer, data, rows, config, rng)
    for table, reset, prior in zip(params.tables, rare, priors):
        diverged = reset & ~np.isfinite(table).all(axis=1)
        table[diverged] = prior[diverged]


def validation_rows(history, data, config, rng):
    """The rows whose loss chooses the epochs on all rows: the fit's validation rows.

    A fit without early stopping held none out: a ``validation_fraction`` of the
    rows is held out from the re-estimation instead (the network itself trained
    on every row).
    """
    if history.validation_idx is not None:
        return history.train_idx, history.validation_idx
    n_rows = len(data.y)
    if n_rows < 2:  # nothing to hold out: no epoch can be judged, the start is kept
        return np.arange(n_rows), np.arange(0)
    return split_validation(n_rows, config.validation_fraction, data.stratify, rng)


def _start_at_priors(params, rare, priors):
    for table, reset, prior in zip(params.tables, rare, priors):
        table[reset] = prior[reset]


def _rare_rows_optimizer(params, rare, config):
    """A fresh Adam over the tables that moves the rare rows only."""
    return Adam([], params.tables, config.learning_rate, [~reset for reset in rare])


def _rare_values(params, rare):
    return [table[reset] for table, reset in zip(params.tables, rare)]


def _learning(params, data, rare):
    """Which rows of ``data`` can move or judge a rare row: those that look one up, with weight."""
    return _touching(data.codes, params.lookups, rare) & (data.weight > 0)


def _touching(codes, lookups, rare):
    """Which rows of ``codes`` look up a rare row of any table."""
    touching = np.zeros(len(codes), dtype=bool)
    for j, t in enumerate(lookups):
        touching |= rare[t][codes[:, j]]
    return touching
