"""Cross-fitting: ``fit_transform`` encodes each training row with vectors its own row did not train.

A downstream model in a ``Pipeline`` is trained on ``fit_transform``'s output
for the very rows the network learned from. A category seen on a few rows has
a vector fitted to those rows' targets, and the downstream model learns to
trust it more than it deserves on new rows. scikit-learn's ``TargetEncoder``
cross-fits for this reason; :func:`fold_models` does it for the network:

1. The final model is the one ``fit`` makes, and ``transform`` uses it: its
   rare categories' vectors re-estimated on every training row, the other
   weights frozen (``_reestimation``), for as many epochs as the validation
   loss asks.
2. The training rows are split into ``cv`` folds. For each fold, the same rare
   rows are re-estimated the same number of epochs on the other folds' rows
   alone, and a category no row of the other folds holds gets the unknown
   vector (as a category unseen at fit would).
3. The fold's rows are encoded by the final model with those rows in its
   tables, shrunk with the final counts (as ``embeddings_`` is): the vectors,
   and the network's prediction on them. The vectors live in the final
   table's coordinates: the same network reads them.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, check_cv

from ._model import FittedModel
from ._network import NetworkParams
from ._reestimation import reestimate
from ._tables import published_tables


@dataclass(frozen=True, eq=False)
class CrossFitSpec:
    """How ``fit_transform`` splits the training rows: the ``cv`` and ``shuffle`` parameters."""

    cv: object
    shuffle: bool


def fold_splits(spec, target, n_rows, seed):
    """The folds of the training rows: ``[(other rows, fold rows), ...]``.

    An int ``cv`` is a ``StratifiedKFold`` for classes, a ``KFold`` for a
    continuous target (shuffled with ``seed`` when ``shuffle``), as
    ``TargetEncoder`` splits; a splitter or an iterable of splits is used as given.
    """
    classes = target.type != "continuous"
    stratify = target.y.ravel().astype(np.int64) if classes else None
    if isinstance(spec.cv, (int, np.integer)):
        splitter = StratifiedKFold if classes else KFold
        random_state = seed if spec.shuffle else None
        cv = splitter(int(spec.cv), shuffle=spec.shuffle, random_state=random_state)
    else:
        cv = check_cv(spec.cv, stratify, classifier=classes)
    rows = np.zeros((n_rows, 1))
    y = stratify if stratify is not None else np.zeros(n_rows)
    return [(np.asarray(train), np.asarray(test)) for train, test in cv.split(rows, y)]


def fold_models(trained, inputs, spec, folds, seed):
    """One model per fold, whose rare categories' vectors the fold's rows did not train.

    Parameters
    ----------
    trained : _fitting.Trained
        The final network (its rare rows re-estimated on all rows), which rows
        are rare and for how many epochs they were re-estimated.
    inputs : _fitting.Inputs
    spec : _fitting.FitSpec
    folds : list of (ndarray, ndarray)
        :func:`fold_splits`.
    seed : int

    Returns
    -------
    models : list of (ndarray, FittedModel)
        Each fold's rows and the model that encodes them.
    """
    candidate, models = trained.candidate, []
    for k, (others, fold) in enumerate(folds):
        params = candidate.params.copy()
        if trained.epochs:
            rng = np.random.RandomState(seed + 1 + k)
            reestimate(
                params, candidate.data, trained.rare, others, spec.training, rng, trained.epochs
            )
        _unseen_at_unknown(params, candidate.data.codes[others])
        models.append((fold, _fold_model(trained, params, inputs, spec.network.activation)))
    return models


def encode_out_of_fold(models, frame, output, remainder, dtype):
    """Each fold's rows of ``frame`` encoded by its model (:func:`fold_models`), in row order.

    Returns
    -------
    out : ndarray of shape (n_samples, n_outputs)
    findings : list of DataWarning
        What ``transform`` would say of these rows, once per (kind, column).
    """
    out, findings, said = None, [], set()
    for fold, model in models:
        part, found = model.transform(frame.iloc[fold], output, remainder, dtype)
        if out is None:
            out = np.empty((len(frame), part.shape[1]), dtype=part.dtype)
        out[fold] = part
        findings += [f for f in found if (f.kind, f.column) not in said]
        said.update((f.kind, f.column) for f in found)
    return out, findings


def _unseen_at_unknown(params, codes):
    """A category that no row of ``codes`` (the other folds') holds gets the unknown vector."""
    seen = [np.zeros(len(table), dtype=bool) for table in params.tables]
    for j, t in enumerate(params.lookups):
        seen[t][codes[:, j]] = True
    for table, rows in zip(params.tables, seen):
        table[~rows] = table[-1]


def _fold_model(trained, params, inputs, activation):
    """The final model with a fold's tables, shrunk with the final counts as ``embeddings_`` is."""
    candidate, rows = trained.candidate, trained.history.train_idx
    merged, codes = candidate.merged, candidate.data.codes[rows]
    shrunk = published_tables(
        merged.tables, params.tables, codes, inputs.weight[rows], merged.smooth
    )
    network = NetworkParams(
        shrunk, params.coefs, params.intercepts, lookups=candidate.coder.lookups
    )
    return FittedModel(candidate.coder, inputs.target.without_rows(), network, activation)
