"""The training loops: ``fit``'s epochs with early stopping, and ``partial_fit``'s passes.

:class:`Training` trains one network an epoch at a time, holding out a
validation split, refining the step and restoring the best epoch's weights;
:class:`Stream` carries a network and its optimiser from one ``partial_fit``
chunk to the next. Both work on already-encoded arrays (:class:`TrainingData`)
and a frozen :class:`TrainingConfig`; nothing here knows of DataFrames or of
scikit-learn's estimator API.
"""

import copy
import functools
import itertools
import time
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import ThreadpoolController

from ._network import (
    LOSSES,
    backward,
    batch_lookups,
    data_loss,
    dense_targets,
    forward,
    predict_in_chunks,
)
from ._optim import Adam

# BLAS threads during training. The products are small (a batch of a few hundred
# rows times a few dozen columns): a second thread gains little on an idle
# machine and costs ten times over on a busy one, where BLAS threads wait for
# cores (benchmarks/bench_fit.py --threads). None: BLAS's own default.
BLAS_THREADS = 1


# With early stopping, when patience first runs out, training goes on from the
# best epoch's weights with the step size times this, until patience runs out
# again: large steps converge fast, the finer ones then settle the rare
# categories' vectors (benchmarks/RESULTS.md, "Fast fit"). None: stop at once.
FINE_STEP = 0.3

# One training code in UNKNOWN_EVERY (2%) is replaced by the unknown row at each
# step, so that the unknown vector is trained even when no category is rare
# ("code dropout").
UNKNOWN_EVERY = 50


# batch_size="auto": about AUTO_BATCH_STEPS steps per epoch, within [AUTO_BATCH_MIN,
# AUTO_BATCH_MAX]. Small tables get enough steps per epoch for early stopping to
# see progress; large ones take big steps, whose cost is arithmetic rather than
# per-step overhead (benchmarks/RESULTS.md, "Fast fit").
AUTO_BATCH_STEPS = 32
AUTO_BATCH_MIN = 32
AUTO_BATCH_MAX = 1024


def auto_batch_size(n_train):
    """About ``AUTO_BATCH_STEPS`` steps per epoch on small tables, ``AUTO_BATCH_MAX`` rows per step on large ones."""
    batch = min(AUTO_BATCH_MAX, n_train // AUTO_BATCH_STEPS)
    return int(min(n_train, max(AUTO_BATCH_MIN, batch)))


class TrainingHistory:
    """What the loop records: per-epoch curves, where it stopped, and whether the loss had settled."""

    def __init__(self):
        self.loss_curve = []
        self.validation_scores = []
        self.best_validation_score = None
        self.n_iter = 0
        self.converged = True
        self.train_idx = self.validation_idx = None


def split_validation(n_samples, validation_fraction, stratify, rng):
    """Random train / validation row indices, stratified when every class allows it.

    Returns
    -------
    train_idx, validation_idx : ndarray of int
    """
    indices = np.arange(n_samples)
    if n_samples < 2:
        raise ValueError(
            f"early_stopping=True needs at least 2 samples to hold out a validation "
            f"set, got n_samples = {n_samples}."
        )
    n_validation = max(1, int(round(validation_fraction * n_samples)))
    if stratify is not None:
        _, class_counts = np.unique(stratify, return_counts=True)
        # train_test_split refuses to stratify a class with one member, or a
        # validation set smaller than the number of classes.
        if class_counts.min() < 2 or n_validation < class_counts.size:
            stratify = None
    if n_validation >= n_samples:
        n_validation = n_samples - 1
    train_idx, validation_idx = train_test_split(
        indices,
        test_size=n_validation,
        stratify=stratify,
        random_state=rng.randint(np.iinfo(np.int32).max),
    )
    return np.sort(train_idx), np.sort(validation_idx)


@dataclass(frozen=True)
class TrainingConfig:
    """How to train: the estimator's training parameters, validated, and the target's type."""

    target_type: str  # the loss and the output activation
    activation: str
    alpha: float
    batch_size: object  # "auto" or int
    learning_rate: float
    max_iter: int
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    tol: float


@dataclass(frozen=True)
class TrainingData:
    """The encoded training rows.

    Attributes
    ----------
    codes : ndarray of int32, shape (n_samples, n_tables)
    x_numeric : ndarray of float32, shape (n_samples, n_numeric)
    y : ndarray of float32, shape (n_samples, n_outputs), or of int, shape (n_samples,)
        Targets, or class codes (see :func:`dense_targets`).
    weight : ndarray of float32, shape (n_samples,)
        The loss's sample weights, in a unit where the fit's mean weight is 1.
    unknown_codes : ndarray of int32, shape (n_tables,)
        The unknown row of each table.
    stratify : ndarray or None
        Class codes for a stratified validation split.
    fixed_rows : list of (ndarray of bool or None), one per table, or None
        Rows that training must leave as they are (a frozen pretrained table);
        None for a table that trains every row.
    """

    codes: np.ndarray
    x_numeric: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    unknown_codes: np.ndarray
    stratify: np.ndarray = None
    fixed_rows: list = None


def blas_threads():
    """The BLAS thread limit training runs under (``BLAS_THREADS``), as a context manager."""
    return _threadpools().limit(limits=BLAS_THREADS, user_api="blas")


@functools.cache
def _threadpools():
    # Finding the loaded libraries takes milliseconds, and a fit enters the limit
    # several times (the race, the re-estimation, each fold): find them once. BLAS
    # is loaded with NumPy, before any fit.
    return ThreadpoolController()


class Training:
    """One network's training with minibatch Adam, an epoch at a time.

    ``_fitting`` runs two side by side for a few epochs, then only the better
    one to the end (:meth:`run_epoch` until ``done``, then :meth:`finish`).
    With ``early_stopping``, a validation split is held out and the negated
    validation loss is recorded every epoch; after ``n_iter_no_change`` epochs
    without an improvement of at least ``tol``, training goes on once from the
    best epoch's weights with the step size times ``FINE_STEP``, stops when
    patience runs out again, and the best epoch's weights are restored. Without
    it, the training loss plays that role (as in scikit-learn's MLP) and the
    last weights are kept. Call under :func:`blas_threads`.

    Parameters
    ----------
    params : NetworkParams
        Trained in place.
    data : TrainingData
    config : TrainingConfig
    rng : numpy.random.RandomState
        Draws the validation split, the shuffling and the code dropout.
    on_epoch : callable, default=None
        Called after every epoch with ``params`` and a dict with keys ``epoch``,
        ``max_iter``, ``loss``, ``validation_score`` (None without early
        stopping) and ``elapsed`` (seconds), and the :attr:`label`.
    split : (train_idx, validation_idx), default=None
        The validation split to use with ``early_stopping`` (another network's,
        to compare their validation losses); None draws one from ``rng``.
    start : float, default=None
        ``time.perf_counter()`` at which ``elapsed`` starts (several networks
        of one fit share it); None: now.

    Attributes
    ----------
    label : dict
        Added to each epoch's record (``merge_factor``, ``racing``).
    """

    def __init__(self, params, data, config, rng, on_epoch=None, split=None, start=None):
        self.params, self.data, self.config, self.rng, self.on_epoch = (
            params,
            data,
            config,
            rng,
            on_epoch,
        )
        # Added to every epoch's record: which network this is, while several race.
        self.label = {}
        self.history = TrainingHistory()
        n_samples = len(data.y)
        if not config.early_stopping:
            split = np.arange(n_samples), None
        elif split is None:
            split = split_validation(n_samples, config.validation_fraction, data.stratify, rng)
        self.history.train_idx, self.history.validation_idx = split
        if not data.weight[split[0]].sum() > 0:
            raise ValueError(
                f"sample_weight is 0 on every training row: the {int((data.weight > 0).sum())} "
                "rows of positive weight are all among the rows early stopping holds out for "
                "validation (validation_fraction). Give more rows a positive weight, or pass "
                "early_stopping=False."
            )
        self.batch_size = _batch_size(config.batch_size, len(split[0]))
        self.optimizer = Adam(params.dense, params.tables, config.learning_rate, data.fixed_rows)
        self.best_score = self.reference_score = -np.inf
        self.best_params, self.waited, self.done = None, 0, False
        self.refined = False
        self.start = time.perf_counter() if start is None else start

    @property
    def best_validation_score(self):
        """The best negated validation loss so far (or training loss without early stopping)."""
        return self.best_score

    def run_epoch(self):
        """One pass over the training rows, then the validation loss and the stopping rule."""
        history, config = self.history, self.config
        loss = _run_epoch(
            self.params,
            self.optimizer,
            self.data,
            history.train_idx,
            config,
            self.batch_size,
            self.rng,
        )
        history.loss_curve.append(loss)
        history.n_iter += 1
        score = -loss
        if config.early_stopping:
            score = -loss_on(self.params, self.data, history.validation_idx, config)
            history.validation_scores.append(score)
        self._report(loss, score)
        self._keep_best(score)
        if self.waited > config.n_iter_no_change:
            if self._can_refine():
                self._refine()
            else:
                self.done = True
        elif history.n_iter == config.max_iter:
            self.done, history.converged = True, False

    def _can_refine(self):
        return FINE_STEP is not None and not self.refined and self.best_params is not None

    def _refine(self):
        """Go on from the best epoch's weights with a finer step, patience counted anew."""
        self.refined = True
        _restore(self.params, self.best_params)
        self.optimizer.learning_rate *= FINE_STEP
        self.waited, self.reference_score = 0, self.best_score

    def finish(self):
        """Restore the best epoch's weights (early stopping), check them; return the history."""
        if self.best_params is not None:
            _restore(self.params, self.best_params)
            self.history.best_validation_score = self.best_score
        _check_finite(self.params)
        return self.history

    def _keep_best(self, score):
        # Patience counts from the last improvement by more than tol, measured
        # against that epoch's score, so slow steady progress still resets it.
        if score > self.reference_score + self.config.tol:
            self.reference_score, self.waited = score, 0
        else:
            self.waited += 1
        if score > self.best_score:
            self.best_score = score
            if self.config.early_stopping:
                self.best_params = self.params.copy()

    def _report(self, loss, score):
        if self.on_epoch is None:
            return
        record = {
            "epoch": self.history.n_iter,
            "max_iter": self.config.max_iter,
            "loss": loss,
            "validation_score": score if self.config.early_stopping else None,
            "elapsed": time.perf_counter() - self.start,
            **self.label,
        }
        self.on_epoch(self.params, record)


def epoch_hook(params, verbose, record, callback):
    """The ``on_epoch`` function of :func:`train` for an estimator, and what it records.

    It prints each epoch's loss when ``verbose``, keeps a copy of every table
    after each epoch when ``record`` (the returned lists, one per table, start
    with the initial tables; None when not recording), and calls ``callback``
    with the epoch's record.
    """
    snapshots = [[table.copy()] for table in params.tables] if record else None

    def on_epoch(params, epoch):
        if verbose:
            score = epoch["validation_score"]
            shown = "" if score is None else f", validation score = {score:.6f}"
            racing, which = epoch.get("racing"), ""
            if racing is not None:
                state = f"racing {racing} networks" if racing else "kept"
                which = f" (merge factor {epoch['merge_factor']}, {state})"
            print(f"Epoch {epoch['epoch']}{which}, loss = {epoch['loss']:.6f}{shown}")
        if snapshots is not None:
            for history, table in zip(snapshots, params.tables):
                history.append(table.copy())
        if callback is not None:
            callback(epoch)

    return on_epoch, snapshots


class Stream:
    """A network trained one pass over one chunk at a time (``partial_fit``).

    It keeps what the passes share: the network as trained (tables before
    shrinkage), Adam's moments, so that each pass continues the same
    optimisation, and the generator that shuffles the chunks.

    Parameters
    ----------
    params : NetworkParams
        Trained in place.
    rng : numpy.random.RandomState
    learning_rate : float
    weight_scale : float
        The loss's weights are the sample weights divided by it: the first
        chunk's mean weight, so that chunks keep their weights relative to each
        other, and the loss's balance against ``alpha`` does not depend on the
        weights' unit.
    fixed_rows : list of (ndarray of bool or None), default=None
        Per table, the rows that never train (see :class:`~sklearn_embed._optim.Adam`).
    """

    def __init__(self, params, rng, learning_rate, weight_scale, fixed_rows=None):  # noqa: PLR0913
        self.params = params
        self.rng = rng
        self.weight_scale = weight_scale
        # The optimiser holds the network's list of tables: a table it grows is the network's.
        self.optimizer = Adam(params.dense, params.tables, learning_rate, fixed_rows)

    def train_pass(self, codes, x_numeric, y, weight, config):  # noqa: PLR0913
        """One epoch over a chunk's encoded rows (see :class:`TrainingData`), ``weight`` the
        sample weights as given; returns the weighted mean training loss."""
        unknown_codes = np.array([len(table) - 1 for table in self.params.looked_up()], np.int32)
        weight = (weight / self.weight_scale).astype(np.float32)
        data = TrainingData(codes, x_numeric, y, weight, unknown_codes)
        n_rows = len(data.y)
        with blas_threads():
            batch_size = _batch_size(config.batch_size, n_rows)
            loss = _run_epoch(
                self.params, self.optimizer, data, np.arange(n_rows), config, batch_size, self.rng
            )
        _check_finite(self.params)
        return loss

    def grow_table(self, t, moved, n_rows):
        """Table ``t`` now has ``n_rows`` rows; old row ``r`` is row ``moved[r]``.

        New rows start at the unknown vector (the last row), with zero moments.
        """
        self.optimizer.grow_table(t, moved, n_rows)

    def copy(self):
        """A copy that trains on without changing this one."""
        return copy.deepcopy(self)


def _batch_size(batch_size, n_train):
    if batch_size == "auto":
        return auto_batch_size(n_train)
    return max(1, min(batch_size, n_train))


def loss_on(params, data, rows, config):
    """Weighted mean loss of the network on ``rows``."""
    p = predict_in_chunks(
        params, data.codes[rows], data.x_numeric[rows], config.activation, config.target_type
    )
    return data_loss(
        p, dense_targets(data.y[rows], p.shape[1]), data.weight[rows], config.target_type
    )


def one_epoch(params, optimizer, data, rows, config, rng):
    """One pass of ``optimizer`` over the shuffled ``rows`` of ``data``, in batches of
    ``config.batch_size`` ("auto" sized for ``rows``); returns the weighted mean loss."""
    return _run_epoch(
        params, optimizer, data, rows, config, _batch_size(config.batch_size, len(rows)), rng
    )


def _run_epoch(params, optimizer, data, train_idx, config, batch_size, rng):
    """One pass over the shuffled training rows; returns the weighted mean loss."""
    # One shuffled copy per epoch: the batches are then contiguous slices,
    # cheaper than four fancy-indexed gathers per step.
    order = rng.permutation(train_idx)
    codes = _drop_codes(data.codes[order], data.unknown_codes, rng)
    x_numeric, y, weight = data.x_numeric[order], data.y[order], data.weight[order]
    n_outputs = params.coefs[-1].shape[1]
    loss = LOSSES[config.target_type]
    lookups = batch_lookups(codes, params, batch_size) if params.tables else itertools.repeat(None)
    total_loss = 0.0
    for start in range(0, order.shape[0], batch_size):
        batch = slice(start, start + batch_size)
        batch_codes, batch_weight, grouped = codes[batch], weight[batch], next(lookups)
        batch_y = dense_targets(y[batch], n_outputs)
        layers = forward(
            params, batch_codes, x_numeric[batch], config.activation, config.target_type, grouped
        )
        table_grads, dense_grads = backward(
            params,
            batch_codes,
            layers,
            batch_y,
            batch_weight,
            config.activation,
            config.alpha,
            grouped,
        )
        optimizer.step(dense_grads, table_grads)
        total_loss += float(loss(layers[-1], batch_y) @ batch_weight)
    return total_loss / float(weight.sum(dtype=np.float64))


def _drop_codes(codes, unknown_codes, rng):
    """Replace a random one in ``UNKNOWN_EVERY`` of the codes by each column's unknown row.

    Drawn for a whole epoch at once: one call instead of one per batch.
    """
    if codes.shape[1] == 0:
        return codes
    # Bytes, not float64 draws: the epoch's mask is 8 times smaller. In place:
    # ``codes`` is the epoch's own shuffled copy.
    dropped = rng.randint(UNKNOWN_EVERY, size=codes.shape, dtype=np.uint8) == 0
    np.copyto(codes, np.broadcast_to(unknown_codes, codes.shape), where=dropped)
    return codes


def _restore(params, saved):
    for current, best in zip(params.tables + params.dense, saved.tables + saved.dense):
        current[...] = best


class NonFiniteWeights(ValueError):
    """Training produced non-finite weights.

    The builders, which know the inputs, replace it by an error naming the
    cause when they find one (``_fitting.training_failure``).
    """


def _check_finite(params):
    if not all(np.isfinite(a).all() for a in params.tables + params.dense):
        raise NonFiniteWeights(
            "Training produced non-finite weights. Lower learning_rate_init, or check "
            "the numeric columns and the target for extreme values."
        )
