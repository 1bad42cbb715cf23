"""Re-estimating a trained network's rare table rows, every other weight frozen.

A category seen on a few rows has a vector fitted to those rows' targets: the
network's memory of them. Cross-fitting (``_crossfit``) encodes each training
row with such vectors re-estimated without the row's fold. For the vectors of
the training rows and of new rows to come from one estimator (a downstream
tree compares them coordinate by coordinate), ``fit`` publishes those rows
re-estimated the same way on every training row: each starts at its table's
unknown vector (where an average category sits) and trains with the network's
other weights frozen, so it lives in the coordinates the network reads. On all
rows the number of epochs is chosen by the validation loss; each fold then
trains that many.

Frequent categories keep their trained vectors: one row among many hardly
moves a vector, and re-estimating it would only add the noise of another
training run (re-estimating every row loses most of what a booster reads:
``benchmarks/RESULTS.md``, "Cross-fitting"). Only the training rows that look
up a re-estimated row are visited.
"""

import numpy as np

from ._optim import Adam
from ._shrinkage import MAX_MERGE_COUNT
from ._training import blas_threads, loss_on, one_epoch, split_validation

# A category counted fewer than min(RESET_FACTOR * m, MAX_RESET_COUNT) times, m the
# pseudo-count the target's noise calls for (smooth="auto"'s estimate, whatever smooth
# the user set), is re-estimated: the prior would weigh at least a fifth as much as its
# own rows. RESET_FACTOR is the larger merge factor, so after a race won by the larger
# threshold (and smooth="auto") no category is rare enough.
RESET_FACTOR = 5
MAX_RESET_COUNT = MAX_MERGE_COUNT

# On all rows, training stops when the validation loss has not improved (by the
# fit's ``tol``) for PATIENCE epochs, and keeps the best epoch (or the start).
MAX_EPOCHS = 40
PATIENCE = 3


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
        Never the unknown row, never a frozen table's row.
    """
    rare = []
    for table, count, m in zip(tables, counts, noise):
        threshold = min(RESET_FACTOR * m, MAX_RESET_COUNT)
        rows = count < threshold
        rows[-1] = False
        rare.append(rows & (not table.frozen))
    return rare


def reestimate(params, data, rare, rows, config, rng, stop=None):  # noqa: PLR0913
    """Re-estimate the ``rare`` rows of ``params`` in place, on the training ``rows`` of ``data``.

    Each rare row starts at its table's unknown vector; a fresh Adam (the fit's
    step size and batch size, code dropout to the unknown row, which stays as
    it is) trains the rare rows alone.

    Parameters
    ----------
    params : NetworkParams
        The trained network; only its rare rows change.
    data : TrainingData
    rare : list of ndarray of bool
        :func:`rare_rows`.
    rows : ndarray of int
        The training rows to learn from.
    config : TrainingConfig
    rng : numpy.random.RandomState
    stop : int or ndarray of int
        An int: train that many epochs. An array: the validation rows; train
        until their loss stops improving (at most ``MAX_EPOCHS``) and keep the
        best epoch, or the start.

    Returns
    -------
    epochs : int
        The epochs kept: the best epoch's number (0: the start).
    """
    for table, reset in zip(params.tables, rare):
        table[reset] = table[-1]
    touching = _touching(data.codes, params.lookups, rare)
    rows = rows[touching[rows]]
    if not len(rows):
        return 0
    optimizer = Adam([], params.tables, config.learning_rate, [~reset for reset in rare])
    with blas_threads():
        if isinstance(stop, (int, np.integer)):
            for _ in range(stop):
                one_epoch(params, optimizer, data, rows, config, rng)
            return int(stop)
        return _until_no_better(params, optimizer, data, rows, stop[touching[stop]], config, rng)


def validation_rows(history, data, config, rng):
    """The rows whose loss chooses the epochs on all rows: the fit's validation rows.

    A fit without early stopping held none out: a ``validation_fraction`` of the
    rows is held out from the re-estimation instead.
    """
    if history.validation_idx is not None:
        return history.train_idx, history.validation_idx
    return split_validation(len(data.y), config.validation_fraction, data.stratify, rng)


def _until_no_better(params, optimizer, data, rows, validation, config, rng):  # noqa: PLR0913
    """Train epochs until ``validation``'s loss stops improving; keep the best; return its number."""
    if not len(validation):
        return 0
    # The start (rare rows at the unknown vector) is kept when no epoch beats it.
    kept = [table.copy() for table in params.tables]
    best, best_epoch, waited = loss_on(params, data, validation, config), 0, 0
    for epoch in range(1, MAX_EPOCHS + 1):
        one_epoch(params, optimizer, data, rows, config, rng)
        loss = loss_on(params, data, validation, config)
        if loss < best - config.tol:
            best, best_epoch, kept, waited = loss, epoch, [t.copy() for t in params.tables], 0
        else:
            waited += 1
            if waited >= PATIENCE:
                break
    for table, best_rows in zip(params.tables, kept):
        table[...] = best_rows
    return best_epoch


def _touching(codes, lookups, rare):
    """Which rows of ``codes`` look up a rare row of any table."""
    touching = np.zeros(len(codes), dtype=bool)
    for j, t in enumerate(lookups):
        touching |= rare[t][codes[:, j]]
    return touching
