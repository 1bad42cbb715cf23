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

import numpy as np


class Adam:
    """Adam over dense arrays and embedding tables, updated in place.

    Parameters
    ----------
    dense_params : list of ndarray
        Updated with their full gradient at every step.
    tables : list of ndarray of shape (n_rows, dim)
        Updated only on the rows given with their gradient.
    learning_rate : float
    beta1, beta2 : float
        Decay rates of the first and second moment estimates.
    epsilon : float
        Added to the root of the second moment for numerical stability.
    """

    def __init__(self, dense_params, tables, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.dense_params = dense_params
        self.tables = tables
        self.learning_rate = learning_rate
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
            For each table, the unique row indices and their gradient of shape
            (n_rows_in_batch, dim).
        """
        self.t += 1
        # A Python float: a NumPy float64 scalar would promote every float32
        # update below to float64 temporaries (NEP 50).
        step_size = float(
            self.learning_rate * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        )
        for param, grad, (m, v) in zip(self.dense_params, dense_grads, self._dense_moments):
            param -= step_size * self._direction(grad, m, v)
            _flush_subnormals(param)
        for table, (rows, grad), (m, v) in zip(self.tables, table_grads, self.table_moments):
            m_rows, v_rows = m[rows], v[rows]
            table[rows] -= step_size * self._direction(grad, m_rows, v_rows)
            m[rows], v[rows] = m_rows, v_rows

    def _direction(self, grad, m, v):
        """Update the moments ``m`` and ``v`` in place; return ``m / (sqrt(v) + eps)``."""
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * (grad * grad)
        # Moments that decay for thousands of steps (a weight with no gradient
        # but its L2 term) become subnormal, and so do the weights they move:
        # x86 computes with subnormals ~100x slower, which made a long stream of
        # partial_fit calls three times slower per chunk. Flush them to zero.
        _flush_subnormals(m)
        _flush_subnormals(v)
        return m / (np.sqrt(v) + self.epsilon)


def _flush_subnormals(array):
    """Set values smaller than float32's smallest normal number to 0, in place."""
    np.putmask(array, np.abs(array) < np.finfo(np.float32).tiny, 0)
