"""What ``partial_fit`` carries from one chunk to the next.

``fit`` sees every row before it decides anything; ``partial_fit`` sees one
chunk at a time, so :class:`Stream` keeps, between calls:

- the network as trained (tables before shrinkage) and Adam's moments, so that
  each call continues the same optimisation;
- per embedded column, the weighted count and target sums of every table row,
  and of every value seen without a row of its own. From them ``smooth_`` is
  estimated again after every chunk over all the values (as ``fit`` estimates
  it before merging rare ones), and ``category_counts_`` and the shrinkage
  follow, as if from all rows seen so far;
- a value without a row gets one once its count (over a shared table's
  columns) reaches the threshold ``fit`` applies (``min_frequency``, and
  ``min(merge_factor_ * smooth_, 100)``); its vector starts at the unknown vector and its
  statistics come along. A pass over rows seen before counts them again, as
  for any new chunk.

The columns, the numeric scaling and the target's type, classes and scale are
fixed by the first call.
"""

import numpy as np
import pandas as pd

from ._optim import Adam
from ._shrinkage import harmonic_mean, merge_threshold, pseudo_count
from ._training import TrainingData, run_pass
from ._vocabulary import count_threshold


class Stream:
    """The state of a ``partial_fit`` sequence.

    Parameters
    ----------
    params : NetworkParams
        The network as trained (tables not shrunk); updated in place.
    plan : TablePlan
    vocabularies : list of Vocabulary
        One per table (the coder's, shared: growing one grows the coder's).
    rng : numpy.random.RandomState
        Shuffles every chunk and drops codes, call after call.
    learning_rate : float
    """

    def __init__(self, params, plan, vocabularies, rng, learning_rate):
        self.params = params
        self.plan = plan
        self.vocabularies = vocabularies
        self.rng = rng
        self.optimizer = Adam(params.dense, params.tables, learning_rate)
        # Target sums have one column per output, or per class for class codes.
        self.n_outputs = params.coefs[-1].shape[1]
        rows = [vocabularies[t].n_rows for t in plan.lookups]
        self.counts = [np.zeros(n) for n in rows]
        self.sums = [np.zeros((n, self.n_outputs)) for n in rows]
        # Per column, the values without a row: column 0 the count, then the sums.
        self.pending = [pd.DataFrame(columns=range(self.n_outputs + 1), dtype=np.float64) for _ in rows]
        self.squares = 0.0
        self.n_seen = 0

    def add_chunk(self, coder, frame, y, weight, estimator):
        """Count a chunk (:meth:`observe`), estimate ``smooth_`` again and :meth:`grow`.

        ``estimator`` gives ``smooth``, ``min_frequency`` and the embedded
        columns' names. Returns the new ``smooth_``.
        """
        self.observe(coder, frame, y, weight)
        smooth_ = self.smooth(estimator.smooth, estimator.categorical_features_.tolist())
        self.grow(estimator.min_frequency, smooth_, estimator.merge_factor_)
        return smooth_

    def train_pass(self, coder, frame, target, weight, config):
        """One epoch of the network over a chunk, in the current row layout (after :meth:`grow`).

        Returns the chunk's training rows (``TrainingData``) and the epoch's loss.
        """
        fixed_rows = self.plan.fixed_rows(self.vocabularies)
        data = TrainingData.of(coder, frame, coder.codes(frame), target, weight, fixed_rows)
        return data, run_pass(self.params, self.optimizer, data, config, self.rng)

    def observe(self, coder, frame, y, weight):
        """Add a chunk's rows to the statistics, in the current row layout (before :meth:`grow`)."""
        positions = np.flatnonzero(coder.categorical_mask)
        weighted = self._weighted_targets(y, weight)
        for k, vocabulary in enumerate(coder.vocabularies):
            series = frame.iloc[:, positions[k]]
            rows = vocabulary.encode(series)
            has_row = rows >= 0
            n_rows = len(self.counts[k])
            self.counts[k] += np.bincount(rows[has_row], weights=weight[has_row], minlength=n_rows)
            for j in range(self.n_outputs):
                self.sums[k][:, j] += np.bincount(rows[has_row], weights=weighted[has_row, j], minlength=n_rows)
            values = series[~has_row].to_numpy()
            stats = np.column_stack([weight[~has_row], weighted[~has_row]])
            seen = pd.DataFrame(stats).groupby(values, dropna=False).sum()
            self.pending[k] = seen if self.pending[k].empty else self.pending[k].add(seen, fill_value=0.0)
        if y.ndim == 1:  # class codes: each one-hot row squares to 1
            self.squares += float(weight.sum())
        else:
            self.squares += float(weight @ (y.astype(np.float64) ** 2).sum(axis=1))
        self.n_seen += len(weight)

    def _weighted_targets(self, y, weight):
        if y.ndim == 1:
            weighted = np.zeros((len(y), self.n_outputs))
            weighted[np.arange(len(y)), y] = weight
            return weighted
        return y.astype(np.float64) * weight[:, None]

    def smooth(self, smooth, names):
        """``smooth_`` from the statistics so far: per table, as ``fit`` estimates it."""
        smooth_ = {}
        for t, group in enumerate(self.plan.groups):
            if self.plan.frozen[t]:
                m = 0.0
            elif smooth == "auto":
                m = harmonic_mean([self._pseudo_count(k) for k in group])
            else:
                m = float(smooth)
            smooth_.update({names[k]: m for k in group})
        return {name: smooth_[name] for name in names}

    def _pseudo_count(self, k):
        """``auto_smooth`` over every value of column ``k``: its rows and its pending values."""
        pending = self.pending[k].to_numpy()
        counts = np.concatenate([self.counts[k][:-1], pending[:, 0]])
        sums = np.vstack([self.sums[k][:-1], pending[:, 1:]])
        seen = counts > 0
        squared_sums = float((sums[seen] ** 2 / counts[seen, None]).sum())
        return pseudo_count(counts, squared_sums, sums.sum(axis=0), self.squares)

    def column_statistics(self, k):
        """Counts and target sums of each row of column ``k``'s table; the unknown row's from its values."""
        counts, sums = self.counts[k].copy(), self.sums[k].copy()
        pending = self.pending[k].to_numpy()
        counts[-1], sums[-1] = pending[:, 0].sum(), pending[:, 1:].sum(axis=0)
        return counts, sums

    def category_statistics(self, target):
        """``category_counts_`` and ``category_target_means_`` over every row seen."""
        statistics = [self.column_statistics(k) for k in range(len(self.counts))]
        return [c for c, _ in statistics], [target.signal_means(s, c) for c, s in statistics]

    def table_counts(self):
        """Weighted rows of each table row, summed over the table's columns."""
        return [sum(self.column_statistics(k)[0] for k in group) for group in self.plan.groups]

    def grow(self, min_frequency, smooth_, merge_factor):
        """Give rows to the values whose count reaches the threshold; keep the rest as infrequent."""
        for t, (group, vocabulary) in enumerate(zip(self.plan.groups, self.vocabularies)):
            pending = self.pending[group[0]]
            for k in group[1:]:
                pending = pending.add(self.pending[k], fill_value=0.0)
            m = list(smooth_.values())[group[0]]
            floor = count_threshold(min_frequency, self.n_seen)
            threshold = max(floor, merge_threshold(m, merge_factor), 1)
            ready = pending.index[(pending[0] >= threshold).to_numpy()]
            if len(ready) and not self.plan.frozen[t]:
                self._add_categories(t, ready)
            vocabulary.infrequent = np.asarray(pending.index.difference(ready, sort=False), dtype=object)

    def _add_categories(self, t, values):
        """Give ``values`` rows of table ``t``: vectors at its unknown vector, statistics from pending."""
        vocabulary = self.vocabularies[t]
        old = pd.Series(vocabulary.categories, dtype=object)
        vocabulary.include(values, "+".join(str(k) for k in self.plan.groups[t]))
        moved = np.append(vocabulary.encode(old), vocabulary.unknown_row)
        n_rows = vocabulary.n_rows
        table = self.params.tables[t]
        self.params.tables[t] = _regrow(table, moved, n_rows, table[-1])
        m, v = self.optimizer.table_moments[t]
        self.optimizer.table_moments[t] = (_regrow(m, moved, n_rows, 0), _regrow(v, moved, n_rows, 0))
        new_rows = vocabulary.encode(pd.Series(values, dtype=object))
        for k in self.plan.groups[t]:
            self.counts[k] = _regrow(self.counts[k], moved, n_rows, 0)
            self.sums[k] = _regrow(self.sums[k], moved, n_rows, 0)
            stats = self.pending[k].reindex(values).to_numpy()
            present = ~np.isnan(stats[:, 0])
            self.counts[k][new_rows[present]] = stats[present, 0]
            self.sums[k][new_rows[present]] = stats[present, 1:]
            self.pending[k] = self.pending[k].drop(index=values, errors="ignore")


def _regrow(array, moved, n_rows, fill):
    """``array``'s rows at their new positions ``moved`` in ``n_rows`` rows; new rows ``fill``."""
    grown = np.empty((n_rows, *array.shape[1:]), dtype=array.dtype)
    grown[...] = fill
    grown[moved] = array
    return grown
