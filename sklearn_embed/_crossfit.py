"""Cross-fitting: ``fit_transform`` encodes each training row with rare categories' vectors
that its own row did not train.

A downstream model in a ``Pipeline`` is trained on ``fit_transform``'s output
for the very rows the network learned from. A category seen on a few rows has
a vector fitted to those rows' targets, and the downstream model learns to
trust it more than it deserves on new rows. scikit-learn's ``TargetEncoder``
cross-fits for this reason; :func:`fold_models` does it for the network:

1. The final model is the one ``fit`` makes, and ``transform`` uses it: its
   rare categories' vectors re-estimated on every training row, the other
   weights frozen (``_reestimation``), for as many epochs as the validation
   loss asks.
2. The training rows are split into ``cv`` folds (:func:`fold_splits`, before
   training, so that a bad ``cv`` costs no training). For each fold, the same
   rare rows are re-estimated the same number of epochs on the other folds'
   rows alone, and a category no row of the other folds holds gets its prior
   (as a category unseen at fit would).
3. The fold's rows are encoded by the final model with those rows in its
   tables, shrunk with the final counts (as ``embeddings_`` is): the vectors,
   and the network's prediction on them (:func:`encode_out_of_fold`). The
   vectors live in the final table's coordinates: the same network reads them.

The folds (``fold_splits``) are of all the rows given to ``fit_transform``; the
network's own early-stopping hold-out (``validation_fraction``) is another
split, drawn inside the training rows.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, check_cv

from ._compat import GroupsConsumerMixin
from ._model import Clipped, FittedModel
from ._network import NetworkParams
from ._reestimation import reestimate_for
from ._tables import published_tables

# The folds of cv=None, as scikit-learn's cross-validation tools read it.
DEFAULT_FOLDS = 5


@dataclass(frozen=True, eq=False)
class CrossFitSpec:
    """How ``fit_transform`` splits the training rows: the ``cv`` and ``shuffle`` parameters."""

    cv: object
    shuffle: bool


def fold_splits(spec, target, seed):
    """The folds of the training rows: ``[(other rows, fold rows), ...]``, checked.

    An int ``cv`` (None: 5) is a ``StratifiedKFold`` for classes, a ``KFold``
    for a continuous target or when a class has fewer rows than folds (shuffled
    with ``seed`` when ``shuffle``), as ``TargetEncoder`` splits; a splitter or
    an iterable of splits is used as given, and its fold rows must cover every
    row exactly once.

    Raises
    ------
    ValueError
        Fewer rows than folds, a splitter that needs groups, or splits that do
        not partition the rows.
    """
    n_rows = len(target.y)
    stratify = target.stratify
    if spec.cv is None or isinstance(spec.cv, (int, np.integer)):
        n_folds = DEFAULT_FOLDS if spec.cv is None else int(spec.cv)
        _check_enough_rows(n_folds, n_rows)
        stratified = stratify is not None and np.bincount(stratify).min() >= n_folds
        splitter = StratifiedKFold if stratified else KFold
        random_state = seed if spec.shuffle else None
        cv = splitter(n_folds, shuffle=spec.shuffle, random_state=random_state)
    else:
        _check_no_groups(spec.cv)
        cv = check_cv(spec.cv, stratify, classifier=stratify is not None)
    y = stratify if stratify is not None else np.zeros(n_rows)
    splits = cv.split(np.zeros((n_rows, 1)), y)
    folds = [(_row_indices(train, n_rows), _row_indices(test, n_rows)) for train, test in splits]
    _check_partition(folds, n_rows)
    return folds


def fold_models(trained, target, spec, folds, seed):
    """Each fold's rows and the model whose rare categories' vectors they did not train.

    A generator: one fold's tables exist at a time.

    Parameters
    ----------
    trained : _fitting.Trained
        The final network (its rare rows re-estimated on all rows), its
        training rows' counts, and what was re-estimated.
    target : Target
    spec : _fitting.FitSpec
    folds : list of (ndarray, ndarray)
        :func:`fold_splits`.
    seed : int

    Yields
    ------
    fold : ndarray of int
    model : FittedModel
    """
    candidate, reestimation = trained.candidate, trained.reestimation
    tables, final = candidate.merged.tables, candidate.params
    priors = [table.prior(rows) for table, rows in zip(tables, final.tables)]
    # One generator per fold, independent of the others (seed + k could overflow 2**32).
    seeds = np.random.SeedSequence(seed).generate_state(len(folds))
    for (others, fold), fold_seed in zip(folds, seeds):
        params = final.copy()
        rng = np.random.RandomState(fold_seed)
        reestimate_for(
            params,
            candidate.data,
            reestimation.rare,
            priors,
            others,
            reestimation.epochs,
            spec.training,
            rng,
        )
        _unseen_at_prior(params, candidate.data.codes[others], priors)
        yield fold, _fold_model(trained, params, target, spec.network.activation)


def encode_out_of_fold(trained, final, models, frame, network, dtype):  # noqa: PLR0913
    """``frame`` (the training rows) as ``final`` transforms it, each fold's rows then
    rewritten by its model (:func:`fold_models`): its vectors and prediction.

    Parameters
    ----------
    trained : _fitting.Trained
        Its training data: the rows' codes and scaled numbers, as ``final`` reads them.
    final : FittedModel
    models : iterable of (ndarray, FittedModel)
    frame : pandas.DataFrame
    network : _fitting.NetworkSpec
        The ``output`` and ``remainder`` settings.
    dtype : np.float64 or np.float32

    Returns
    -------
    out : ndarray of shape (n_samples, n_outputs)
    findings : list of DataWarning
        What ``transform`` would say of these rows.
    """
    data, appended = trained.candidate.data, final.prediction_names(network.output)
    out, findings = final.transform(frame, network.output, network.remainder, dtype)
    # The folds overwrite every row's prediction: only theirs can be beyond the dtype.
    findings = [f for f in findings if not (f.kind == "output_precision" and f.column in appended)]
    clipped = Clipped.none(len(appended))
    for fold, model in models:
        rows = out[fold]
        model.rewrite_learned(
            rows, data.codes[fold], data.x_numeric[fold], network.output, network.remainder, clipped
        )
        out[fold] = rows
    return out, [*findings, *clipped.findings(appended)]


def _check_enough_rows(n_folds, n_rows):
    if n_rows < n_folds:
        raise ValueError(
            f"cv={n_folds} asks for {n_folds} folds of {n_rows} training rows: pass a smaller cv, "
            "or cross_fit=False to encode the training rows with the model fitted on all of them."
        )


def _check_no_groups(cv):
    if isinstance(cv, GroupsConsumerMixin):
        raise ValueError(
            f"cv={cv!r} splits by groups, which fit_transform is not given: pass an int or a "
            "splitter without groups (KFold, StratifiedKFold), or, when fit_transform is called "
            "on this very X, the splits themselves as a list: cv=list(splitter.split(X, y, "
            "groups))."
        )


def _row_indices(rows, n_rows):
    """One side of a split as row indices: integers, or a boolean mask of the rows."""
    rows = np.asarray(rows)
    if rows.dtype == bool and rows.shape == (n_rows,):
        return np.flatnonzero(rows)
    if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise ValueError(
            f"cv's splits must hold 1-D arrays of row indices (or boolean masks of the {n_rows} "
            f"rows); one holds an array of shape {rows.shape} and dtype {rows.dtype}."
        )
    if rows.size and rows.min() < 0:
        raise ValueError(
            f"cv's splits index row {int(rows.min())}: rows are counted from 0, as "
            "scikit-learn's splitters count them."
        )
    return rows.astype(np.intp)


def _check_partition(folds, n_rows):
    """Every training row must be in exactly one fold: each is encoded by that fold's model."""
    tests = np.concatenate([test for _, test in folds]) if folds else np.empty(0, dtype=np.intp)
    beyond = tests[tests >= n_rows]
    if len(beyond):
        raise ValueError(
            f"cv's splits index row {int(beyond[0])}, but fit_transform was given {n_rows} rows: "
            "splits computed on another table (say, a list of splits of the whole X, while "
            "cross_val_score or a grid search fits the encoder on a part of it) cannot encode "
            "these rows. Pass an int or a splitter, which split the rows given."
        )
    covered = np.bincount(tests, minlength=n_rows)
    if not folds:
        raise ValueError(
            "cv gave no splits: a generator of splits is used up by its first fit (and cannot "
            "be cloned). Pass an int, a splitter, or the splits as a list."
        )
    if len(folds) < 2 or (covered != 1).any():
        missing, repeated = int((covered == 0).sum()), int((covered > 1).sum())
        raise ValueError(
            f"cv must split the {n_rows} training rows into at least 2 folds whose test rows hold "
            f"every row exactly once, as each row is encoded by the model of its fold; its "
            f"{len(folds)} split(s) leave {missing} row(s) out and repeat {repeated}. Splitters "
            "that do not partition the rows (ShuffleSplit, TimeSeriesSplit) cannot cross-fit: "
            "pass an int or a KFold-like splitter, or cross_fit=False."
        )


def _unseen_at_prior(params, codes, priors):
    """A category that no row of ``codes`` (the other folds') holds gets its prior."""
    seen = [np.zeros(len(table), dtype=bool) for table in params.tables]
    for j, t in enumerate(params.lookups):
        seen[t][codes[:, j]] = True
    for table, rows, prior in zip(params.tables, seen, priors):
        table[~rows] = prior[~rows]


def _fold_model(trained, params, target, activation):
    """The final model with a fold's tables, shrunk with the final counts as ``embeddings_`` is."""
    candidate = trained.candidate
    merged = candidate.merged
    shrunk = published_tables(merged.tables, params.tables, trained.counts, merged.smooth)
    network = NetworkParams(
        shrunk, params.coefs, params.intercepts, lookups=candidate.coder.lookups
    )
    return FittedModel(candidate.coder, target.without_rows(), network, activation)
