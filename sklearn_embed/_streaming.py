"""The network of a ``partial_fit`` sequence, carried from one chunk to the next.

``fit`` trains a network to the end in one call; ``partial_fit`` trains it one
pass over one chunk per call. :class:`Stream` keeps what that needs between
calls, all arrays: the network as trained (tables before shrinkage), Adam's
moments, so that each call continues the same optimisation, and the random
generator that shuffles the chunks. When a table gains rows (a value became
frequent enough for a row of its own), :meth:`Stream.grow_table` moves its
rows and moments. What decides which values gain rows lives above, in
``_fitting``; nothing here knows of DataFrames or of the estimator.
"""

import numpy as np

from ._optim import Adam
from ._training import run_pass


class Stream:
    """The state of a ``partial_fit`` sequence's network.

    Parameters
    ----------
    params : NetworkParams
        The network as trained (tables not shrunk); updated in place.
    rng : numpy.random.RandomState
        Shuffles every chunk and drops codes, call after call.
    learning_rate : float
    """

    def __init__(self, params, rng, learning_rate):
        self.params = params
        self.rng = rng
        self.optimizer = Adam(params.dense, params.tables, learning_rate)

    def train_pass(self, data, config):
        """One epoch over a chunk's training rows (``TrainingData``); returns its mean loss."""
        return run_pass(self.params, self.optimizer, data, config, self.rng)

    def grow_table(self, t, moved, n_rows):
        """Table ``t`` now has ``n_rows`` rows; old row ``r`` is row ``moved[r]``.

        New rows start at the unknown vector (the last row), with zero moments.
        """
        table = self.params.tables[t]
        self.params.tables[t] = _regrow(table, moved, n_rows, table[-1])
        m, v = self.optimizer.table_moments[t]
        self.optimizer.table_moments[t] = (
            _regrow(m, moved, n_rows, 0),
            _regrow(v, moved, n_rows, 0),
        )
        self.optimizer.tables[t] = self.params.tables[t]


def _regrow(array, moved, n_rows, fill):
    """``array``'s rows at their new positions ``moved`` in ``n_rows`` rows; new rows ``fill``."""
    grown = np.empty((n_rows, *array.shape[1:]), dtype=array.dtype)
    grown[...] = fill
    grown[moved] = array
    return grown
