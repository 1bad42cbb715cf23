r"""Adam, dense for the weights and row-wise ("lazy") for the embedding tables.

For a parameter :math:`\theta` with gradient :math:`g` at step :math:`t`:

.. math::

    m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
    v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
    \theta \leftarrow \theta - \eta \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}
        \frac{m}{\sqrt{v} + \epsilon}

(Kingma & Ba, 2015, with the bias correction folded into the step size as in
scikit-learn). An embedding table only receives gradient on the rows looked up
in the batch, so only those rows' moments and values are updated, as PyTorch's
``SparseAdam`` does: updating all rows of a 100,000-row table every step would
cost far more than the whole rest of the network. Rows absent from a batch keep
their moments unchanged instead of decaying them; when every row is in the
batch the two updates are identical.
"""

import itertools

import numpy as np

# Every FLUSH_EVERY steps, moments and dense weights smaller than float32's
# smallest normal number are set to 0. Moments that decay for thousands of
# steps (a weight with no gradient but its L2 term) become subnormal, and so do
# the weights they move: x86 computes with subnormals ~100x slower, which made a
# long stream of partial_fit calls three times slower per chunk. A value that
# decays into the subnormal range stays there for ~150 steps (m) to ~16,000
# steps (v) before it underflows to 0, so a flush every 16 steps removes nearly
# all of that time, at a sixteenth of the cost of a flush at every step (three
# passes per array, ~14 us for the 22k weights of bench_fit's network).
FLUSH_EVERY = 16


class Adam:
    """Adam over dense arrays and embedding tables, updated in place.

    Parameters
    ----------
    dense_params : list of ndarray
        Updated with their full gradient at every step.
    tables : list of ndarray of shape (n_rows, dim)
        Updated only on the rows given with their gradient.
    learning_rate : float
    fixed_rows : list of (ndarray of bool or None), default=None
        Per table, the rows that never move (a frozen pretrained table's given
        vectors); None for a table whose every row trains.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates.
    epsilon : float
        Added to the root of the second moment for numerical stability.
    """

    def __init__(  # noqa: PLR0913
        self,
        dense_params,
        tables,
        learning_rate,
        fixed_rows=None,
        beta1=0.9,
        beta2=0.999,
        epsilon=1e-8,
    ):
        self.dense_params = dense_params
        self.tables = tables
        self.learning_rate = learning_rate
        self.fixed_rows = fixed_rows
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.t = 0
        self._dense_moments = [(np.zeros_like(p), np.zeros_like(p)) for p in dense_params]
        self.table_moments = [(np.zeros_like(t), np.zeros_like(t)) for t in tables]

    def step(self, dense_grads, table_grads):
        """Apply one update.

        Parameters
        ----------
        dense_grads : list of ndarray
            One gradient per array of ``dense_params``.
        table_grads : list of (rows, grad) pairs
            For each table, distinct row indices and their gradient of shape
            (n_rows_in_batch, dim). The gradient of fixed rows is dropped, so
            that their values and moments never change.
        """
        table_grads = self._without_fixed_rows(table_grads)
        self.t += 1
        # A Python float: a NumPy float64 scalar would promote every float32
        # update below to float64 temporaries (NEP 50).
        step_size = float(
            self.learning_rate * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        )
        flush = self.t % FLUSH_EVERY == 0
        for param, grad, (m, v) in zip(self.dense_params, dense_grads, self._dense_moments):
            param += self._update(grad, m, v, step_size)
            if flush:
                for array in (param, m, v):
                    _flush_subnormals(array)
        if table_grads:
            self._step_tables(table_grads, step_size, flush)

    def _without_fixed_rows(self, table_grads):
        if self.fixed_rows is None:
            return table_grads
        kept = []
        for (rows, grad), fixed in zip(table_grads, self.fixed_rows):
            if fixed is not None:
                trains = ~fixed[rows]
                rows, grad = rows[trains], grad[trains]
            kept.append((rows, grad))
        return kept

    def grow_table(self, t, moved, n_rows):
        """Table ``t`` grows to ``n_rows`` rows: old row ``r`` becomes row ``moved[r]``.

        The table's rows start at its last (unknown) row, their moments at zero;
        the others keep their values and moments. A fixed table never grows.
        """
        table = self.tables[t]
        self.tables[t] = _regrow(table, moved, n_rows, table[-1])
        m, v = self.table_moments[t]
        self.table_moments[t] = (_regrow(m, moved, n_rows, 0), _regrow(v, moved, n_rows, 0))

    def _step_tables(self, table_grads, step_size, flush):
        """The lazy update of the rows given, with the arithmetic done once for all tables.

        Each table's rows and moments are gathered into one flat buffer, so that
        the dozen array operations of an Adam update run once per step rather
        than once per table (most of the cost for many small tables).
        """
        stops = np.cumsum([0] + [grad.size for _, grad in table_grads])
        dtype = np.result_type(*(grad.dtype for _, grad in table_grads))
        grads, m_rows, v_rows = (np.empty(stops[-1], dtype=dtype) for _ in range(3))
        pieces = [slice(*pair) for pair in itertools.pairwise(stops)]
        for (rows, grad), (m, v), piece in zip(table_grads, self.table_moments, pieces):
            grads[piece] = grad.ravel()
            m_rows[piece] = m.take(rows, axis=0).ravel()
            v_rows[piece] = v.take(rows, axis=0).ravel()
        update = self._update(grads, m_rows, v_rows, step_size)
        if flush:
            _flush_subnormals(m_rows)
            _flush_subnormals(v_rows)
        tables = zip(self.tables, table_grads, self.table_moments, pieces)
        for table, (rows, grad), (m, v), piece in tables:
            new_rows = update[piece].reshape(grad.shape)
            new_rows += table.take(rows, axis=0)
            # Distinct rows: each is written once.
            table[rows] = new_rows
            m[rows] = m_rows[piece].reshape(grad.shape)
            v[rows] = v_rows[piece].reshape(grad.shape)

    def _update(self, grad, m, v, step_size):
        """Update the moments ``m`` and ``v`` in place; return ``-step_size * m / (sqrt(v) + eps)``.

        ``m += (1 - beta1) * (grad - m)`` is ``m = beta1 * m + (1 - beta1) * grad``
        in fewer passes over memory; so for ``v``. Python-float factors keep
        float32 arrays float32.
        """
        update = np.subtract(grad, m)
        update *= float(1 - self.beta1)
        m += update
        np.multiply(grad, grad, out=update)
        update -= v
        update *= float(1 - self.beta2)
        v += update
        np.sqrt(v, out=update)
        update += float(self.epsilon)
        np.divide(m, update, out=update)
        update *= -step_size
        return update


def _flush_subnormals(array):
    """Set values smaller than float32's smallest normal number to 0, in place."""
    np.putmask(array, np.abs(array) < np.finfo(np.float32).tiny, 0)


def _regrow(array, moved, n_rows, fill):
    """``array``'s rows at their new positions ``moved`` in ``n_rows`` rows; new rows ``fill``."""
    grown = np.empty((n_rows, *array.shape[1:]), dtype=array.dtype)
    grown[...] = fill
    grown[moved] = array
    return grown
