r"""Forward and backward passes of the entity-embedding network, in NumPy.

For a batch of ``B`` rows with codes ``c_1 .. c_k`` (one per categorical
column) and standardised numeric features ``x``::

    h_0 = [E_1[c_1], ..., E_k[c_k], x]            (B, D_0)
    h_l = act(h_{l-1} W_l + b_l)                   l = 1 .. L-1
    p   = out_act(h_{L-1} W_L + b_L)               (B, n_outputs)

``E_j[c_j]`` is a gather, the same as the one-hot row of ``c_j`` times
``E_j``: the table is the first layer's weights restricted to that column, and
its gradient is the upstream gradient scattered back onto the rows that were
looked up. No one-hot matrix is ever built.

In training, the first layer's products run on each column's distinct rows
rather than on the batch rows (:class:`BatchLookups`). With ``S_j`` the 0/1
matrix that sums the batch rows looking up each distinct row ``r_j`` of column
``j``, and ``W_{1,j}`` the rows of ``W_1`` that column feeds,

.. math::

    h_0 W_1 = \sum_j S_j^\top (E_j[r_j] W_{1,j}) + x W_{1,x}, \quad
    \frac{\partial}{\partial E_j[r_j]} = (S_j \delta_1) W_{1,j}^\top, \quad
    \frac{\partial}{\partial W_{1,j}} = E_j[r_j]^\top (S_j \delta_1),

the usual products restricted to column ``j``, with ``delta_1`` summed over the
batch rows sharing a row before the products instead of after: a category that
appears many times in a batch costs one row of each product.

The objective minimised is

.. math::

    \frac{1}{n}\sum_i w_i\,\ell(p_i, y_i)
    + \frac{\alpha}{2}\sum_l \lVert W_l \rVert^2
    + \frac{\alpha}{2}\,\frac{1}{n}\sum_i \sum_j \lVert E_j[c_{ij}] \rVert^2

with the sample weights ``w`` rescaled to mean 1. The embedding penalty is
per occurrence, so a row's shrinkage stays in proportion to its data.
"""

import functools
import itertools
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.special import expit


def _relu(z):
    # Against an array of zeros: with the scalar 0, np.maximum takes a loop
    # ~5x slower (NumPy 2.4). Training batches qualify; larger arrays (prediction
    # chunks) keep the scalar rather than a cached array of their size.
    zero = _zeros(z.shape, z.dtype) if z.size <= _CACHED_ZEROS else 0
    np.maximum(z, zero, out=z)


_CACHED_ZEROS = 1 << 18


@functools.lru_cache(maxsize=4)
def _zeros(shape, dtype):
    zeros = np.zeros(shape, dtype=dtype)
    zeros.flags.writeable = False
    return zeros


def _tanh(z):
    np.tanh(z, out=z)


def _logistic(z):
    expit(z, out=z)


def _identity(z):
    pass


def _softmax(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


# Activations act in place on the pre-activation; derivatives multiply the
# upstream gradient in place, written in terms of the activation's output.
ACTIVATIONS = {"relu": _relu, "tanh": _tanh, "logistic": _logistic, "identity": _identity}


def _relu_derivative(h, delta):
    # A multiply by the 0/1 mask is ~10x faster than boolean-mask assignment.
    delta *= h > 0


def _tanh_derivative(h, delta):
    delta *= 1 - h * h


def _logistic_derivative(h, delta):
    delta *= h * (1 - h)


def _identity_derivative(h, delta):
    pass


DERIVATIVES = {
    "relu": _relu_derivative,
    "tanh": _tanh_derivative,
    "logistic": _logistic_derivative,
    "identity": _identity_derivative,
}

# Output activation of each target type; each is the canonical link of its
# loss, which is what makes the output gradient simply ``p - y`` (see backward).
OUTPUT_ACTIVATIONS = {"binary": _logistic, "multiclass": _softmax, "continuous": _identity}


def _binary_log_loss(p, y):
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1 - eps)
    return -(y * np.log(p) + (1 - y) * np.log1p(-p)).sum(axis=1)


def _log_loss(p, y):
    eps = np.finfo(p.dtype).eps
    return -(y * np.log(np.maximum(p, eps))).sum(axis=1)


def _half_squared_error(p, y):
    return 0.5 * ((p - y) ** 2).sum(axis=1)


LOSSES = {"binary": _binary_log_loss, "multiclass": _log_loss, "continuous": _half_squared_error}


class NetworkParams:
    """The trainable arrays: embedding tables, then dense weights and biases.

    Parameters
    ----------
    tables : list of ndarray of shape (n_rows_j, dim_j)
    coefs : list of ndarray of shape (fan_in_l, fan_out_l)
    intercepts : list of ndarray of shape (fan_out_l,)
    flat : ndarray of shape (n_dense,) or None
        The buffer ``coefs`` and ``intercepts`` are views into, so the
        optimizer updates every dense weight in a few calls instead of a few
        calls per array. Needed for training (:func:`init_params` makes it);
        None suffices for :func:`forward` alone.
    lookups : sequence of int or None
        The table each column of codes is looked up in; several columns may
        share one table (home and away team). None: column ``j`` uses table ``j``.
    """

    def __init__(self, tables, coefs, intercepts, flat=None, lookups=None):
        self.tables = tables
        self.coefs = coefs
        self.intercepts = intercepts
        self.flat = flat
        self.lookups = list(range(len(tables)) if lookups is None else lookups)

    def __getstate__(self):
        # Pickle keeps no view: the dense layers are rebuilt as views of ``flat``,
        # which the optimizer updates, so a pickled network trains on after loading.
        state = dict(self.__dict__)
        if self.flat is not None:
            state["coefs"] = [w.shape for w in self.coefs]
            state.pop("intercepts")
        return state

    def __setstate__(self, state):
        if state["flat"] is not None:
            state["coefs"], state["intercepts"] = _dense_views(state["flat"], state["coefs"])
        self.__dict__.update(state)

    def looked_up(self):
        """The table of each column of codes, in order."""
        return [self.tables[t] for t in self.lookups]

    @property
    def dense(self):
        """Every array updated densely by the optimizer."""
        return [self.flat]

    def copy(self):
        flat = self.flat.copy()
        coefs, intercepts = _dense_views(flat, [w.shape for w in self.coefs])
        tables = [t.copy() for t in self.tables]
        return NetworkParams(tables, coefs, intercepts, flat, self.lookups)


def _dense_views(flat, shapes):
    """Views of ``flat`` as the weight matrices of ``shapes``, then their biases."""
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in shapes:
        coefs.append(flat[start : start + fan_in * fan_out].reshape(fan_in, fan_out))
        start += fan_in * fan_out
    for _, fan_out in shapes:
        intercepts.append(flat[start : start + fan_out])
        start += fan_out
    return coefs, intercepts


def check_hidden_layer_sizes(hidden_layer_sizes):
    """The ``hidden_layer_sizes`` parameter as a list of positive ints, or a ValueError."""
    sizes = np.atleast_1d(np.asarray(hidden_layer_sizes)).ravel()
    if sizes.size and (sizes.dtype.kind not in "iu" or (sizes < 1).any()):
        raise ValueError(
            f"hidden_layer_sizes must be positive integers, got {hidden_layer_sizes!r}."
        )
    return [int(s) for s in sizes]


def init_params(
    table_rows, dims, n_numeric, hidden_layer_sizes, n_outputs, rng, dtype, lookups=None
):
    """Random initial parameters: :func:`init_table` for each table, then :func:`init_dense`.

    ``lookups`` maps columns of codes to tables (see :class:`NetworkParams`).
    """
    tables = [init_table(n, d, rng, dtype) for n, d in zip(table_rows, dims)]
    return init_dense(tables, n_numeric, hidden_layer_sizes, n_outputs, rng, dtype, lookups)


def init_table(n_rows, dim, rng, dtype=np.float32):
    """A table's random initial rows: uniform in +-0.05, small, so untrained rows stay near the origin."""
    return rng.uniform(-0.05, 0.05, size=(n_rows, dim)).astype(dtype)


def init_dense(  # noqa: PLR0913
    tables, n_numeric, hidden_layer_sizes, n_outputs, rng, dtype, lookups=None, previous=None
):
    """The network on ``tables``: dense layers with Glorot-uniform bounds, as scikit-learn's MLP.

    ``previous`` (a warm start) gives the dense weights and biases to continue
    from, in the order ``coefs + intercepts``; the random ones are drawn anyway,
    so that the generator moves on as without it.
    """
    lookups = list(range(len(tables)) if lookups is None else lookups)
    sizes = [sum(tables[t].shape[1] for t in lookups) + n_numeric, *hidden_layer_sizes, n_outputs]
    shapes = list(zip(sizes[:-1], sizes[1:]))
    flat = np.zeros(sum(a * b + b for a, b in shapes), dtype=dtype)
    coefs, intercepts = _dense_views(flat, shapes)
    for coef, (fan_in, fan_out) in zip(coefs, shapes):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        coef[...] = rng.uniform(-bound, bound, size=(fan_in, fan_out))
    if previous is not None:
        _continue_dense(coefs + intercepts, previous)
    return NetworkParams(tables, coefs, intercepts, flat, lookups)


def _continue_dense(arrays, previous):
    if [a.shape for a in arrays] != [a.shape for a in previous]:
        raise ValueError(
            "warm_start continues the previous network, but its layers had other sizes; "
            "hidden_layer_sizes changed. Fit with warm_start=False to start over."
        )
    for array, old in zip(arrays, previous):
        array[...] = old


def embed(tables, codes, x_numeric):
    """The input layer ``h_0``: each table's looked-up rows, then the numeric columns.

    Parameters
    ----------
    tables : list of ndarray of shape (n_rows_j, dim_j)
    codes : ndarray of int of shape (B, n_tables)
    x_numeric : ndarray of shape (B, n_numeric)

    Returns
    -------
    h0 : ndarray of shape (B, sum(dim_j) + n_numeric)
    """
    width = sum(t.shape[1] for t in tables) + x_numeric.shape[1]
    dtype = tables[0].dtype if tables else x_numeric.dtype
    h0 = np.empty((codes.shape[0], width), dtype=dtype)
    start = 0
    for j, table in enumerate(tables):
        stop = start + table.shape[1]
        # A gather into a new array, then a copy, is ~1.5x faster than a take
        # into the strided slice of h0 (out=).
        h0[:, start:stop] = np.take(table, codes[:, j], axis=0)
        start = stop
    h0[:, start:] = x_numeric
    return h0


def forward(params, codes, x_numeric, activation, target_type, lookups=None):
    """All layer outputs, from ``h_0`` to the predicted ``p``.

    Parameters
    ----------
    params : NetworkParams
    codes : ndarray of int of shape (B, n_columns)
    x_numeric : ndarray of shape (B, n_numeric)
    activation, target_type : str
    lookups : BatchLookups, default=None
        The rows ``codes`` looks up, grouped (:func:`batch_lookups`). Given, the
        first layer's product runs on the distinct rows (module docstring) and
        the embedded part of ``h_0`` is never built.

    Returns
    -------
    layers : list of ndarray
        ``[h_0, h_1, ..., p]``; kept for the backward pass. With ``lookups``,
        ``h_0`` holds only the numeric columns.
    """
    if lookups is None:
        h = embed(params.looked_up(), codes, x_numeric)
        layers = [h]
        h = h @ params.coefs[0]
        h += params.intercepts[0]
    else:
        layers = [x_numeric]
        h = _first_layer_product(params, lookups, x_numeric)
    n_layers = len(params.coefs)
    for i in range(n_layers):
        if i > 0:
            h = h @ params.coefs[i]
            h += params.intercepts[i]
        if i < n_layers - 1:
            ACTIVATIONS[activation](h)
        else:
            OUTPUT_ACTIVATIONS[target_type](h)
        layers.append(h)
    return layers


def _first_layer_product(params, lookups, x_numeric):
    """``h_0 W_1 + b_1`` from each column's distinct rows: ``sum_j S_j^T (E_j[r_j] W_{1,j})``."""
    coef = params.coefs[0]
    products = np.empty((lookups.rows.shape[0], coef.shape[1]), dtype=coef.dtype)
    start = 0
    for j, segments in enumerate(lookups.column_segments()):
        table = params.tables[params.lookups[j]]
        stop = start + table.shape[1]
        looked_up = table.take(lookups.rows[segments], axis=0)
        np.matmul(looked_up, coef[start:stop], out=products[segments])
        if j == 0:
            # Every batch row looks up exactly one row of the first column: the
            # bias added to those few products reaches each batch row once.
            products[segments] += params.intercepts[0]
        start = stop
    h = lookups.scatter.T @ products
    if start < coef.shape[0]:
        h += x_numeric @ coef[start:]
    return h


def backward(params, codes, layers, y, weight, activation, alpha, lookups=None):
    """Gradients of the objective (see module docstring) for one batch.

    Parameters
    ----------
    params : NetworkParams
    codes : ndarray of int of shape (B, n_columns)
    layers : list of ndarray
        Output of :func:`forward` on the same batch.
    y : ndarray of shape (B, n_outputs)
        Targets: 0/1 for binary, one-hot for multiclass, standardised values for
        regression.
    weight : ndarray of shape (B,)
        Sample weights (rescaled to mean 1 over the training set).
    activation : str
    alpha : float
        L2 penalty.
    lookups : BatchLookups, default=None
        The rows ``codes`` looks up, grouped (:func:`batch_lookups`, made once
        per epoch for every batch); None groups them here.

    Returns
    -------
    table_grads : list of (rows, grad) pairs
        For each table, the distinct rows looked up in the batch (by any of the
        columns sharing it), in increasing order, and the gradient of those
        rows, shape (n_rows_looked_up, dim_j).
    dense_grads : list of ndarray
        The gradient of ``params.flat``, as the one-element list ``params.dense``.
    """
    batch_size = y.shape[0]
    # Sigmoid + binary log loss, softmax + categorical log loss and identity +
    # half squared error are canonical pairs: d loss / d pre-activation = p - y.
    delta = layers[-1] - y
    delta *= (weight / batch_size)[:, None].astype(delta.dtype, copy=False)

    n_layers = len(params.coefs)
    flat_grad = np.empty_like(params.flat)
    coef_grads, intercept_grads = _dense_views(flat_grad, [w.shape for w in params.coefs])
    # Column sums as a product with ones: BLAS is ~4x faster than sum(axis=0).
    ones = np.ones(batch_size, dtype=delta.dtype)
    for i in range(n_layers - 1, 0, -1):
        np.matmul(layers[i].T, delta, out=coef_grads[i])
        np.matmul(ones, delta, out=intercept_grads[i])
        delta = _times_transpose(delta, params.coefs[i])
        DERIVATIVES[activation](layers[i], delta)
    np.matmul(ones, delta, out=intercept_grads[0])
    if params.tables:
        if lookups is None:
            lookups = next(batch_lookups(codes, params, batch_size))
        table_grads = _first_layer_backward(params, lookups, layers[0], delta, coef_grads[0], alpha)
    else:
        np.matmul(layers[0].T, delta, out=coef_grads[0])
        table_grads = []
    if alpha:
        for coef, coef_grad in zip(params.coefs, coef_grads):
            coef_grad += alpha * coef
    return table_grads, [flat_grad]


def _times_transpose(delta, coef):
    """``delta @ coef.T``; a broadcast multiply when the layer has one output.

    A (B, 1) x (1, h) matrix product is several times slower than the same
    outer product by broadcasting.
    """
    if coef.shape[1] == 1:
        return delta * coef[:, 0]
    return delta @ coef.T


def _first_layer_backward(params, lookups, h0, delta, coef_grad, alpha):
    """The first layer's weight gradient (into ``coef_grad``) and the tables' gradients.

    Each column's part of both products runs on the distinct rows it looks up,
    from ``delta`` summed over the batch rows sharing a row (module docstring).
    """
    summed = lookups.scatter @ delta
    coef = params.coefs[0]
    segments = lookups.column_segments()
    # The embedding penalty is per occurrence: alpha * count / B times the row.
    if alpha:
        penalty = ((alpha / h0.shape[0]) * lookups.counts).astype(delta.dtype)[:, None]
    column_grads, start = [], 0
    for j, t in enumerate(params.lookups):
        table = params.tables[t]
        stop = start + table.shape[1]
        looked_up = table.take(lookups.rows[segments[j]], axis=0)
        np.matmul(looked_up.T, summed[segments[j]], out=coef_grad[start:stop])
        grad = summed[segments[j]] @ coef[start:stop].T
        if alpha:
            looked_up *= penalty[segments[j]]
            grad += looked_up
        column_grads.append(grad)
        start = stop
    # h0 is the whole input layer, or only its numeric columns (forward with lookups).
    np.matmul(h0[:, h0.shape[1] - (coef.shape[0] - start) :].T, delta, out=coef_grad[start:])

    columns_of = [[] for _ in params.tables]
    for j, t in enumerate(params.lookups):
        columns_of[t].append(j)
    table_grads = []
    for t, (table, columns) in enumerate(zip(params.tables, columns_of)):
        if len(columns) == 1:
            table_grads.append((lookups.rows[segments[columns[0]]], column_grads[columns[0]]))
            continue
        rows, where = lookups.shared[t]
        grad = np.zeros((rows.shape[0], table.shape[1]), dtype=table.dtype)
        for j in columns:
            # A column's segments are distinct rows: no index repeats within one +=.
            grad[where[segments[j]]] += column_grads[j]
        table_grads.append((rows, grad))
    return table_grads


class BatchLookups(NamedTuple):
    """The table rows one batch looks up, grouped for :func:`backward`.

    A *segment* is one (column, row) pair looked up in the batch; segments are
    ordered by column, then by row.

    Attributes
    ----------
    scatter : scipy.sparse.csr_array of shape (n_segments, B)
        0/1: row ``s`` sums the batch rows that look up segment ``s``.
    rows : ndarray of int of shape (n_segments,)
        The table row of each segment.
    counts : ndarray of int of shape (n_segments,)
        The batch rows that look it up.
    column_stops : ndarray of int of shape (n_columns + 1,)
        Column ``j``'s segments are ``column_stops[j]:column_stops[j + 1]``.
    shared : dict
        For each table that several columns look up: ``(rows, where)``, its
        distinct rows in increasing order and, for each segment of its columns,
        the position of the segment's row in ``rows``.
    """

    scatter: object
    rows: np.ndarray
    counts: np.ndarray
    column_stops: np.ndarray
    shared: dict

    def column_segments(self):
        """Column ``j``'s segments, as a slice, for each column."""
        return [slice(*pair) for pair in itertools.pairwise(self.column_stops.tolist())]


# Rows planned at once by batch_lookups: enough that the per-call costs vanish,
# few enough that the sort keys stay in cache.
PLAN_ROWS = 1 << 14


def batch_lookups(codes, params, batch_size):
    """The :class:`BatchLookups` of each consecutive batch of ``batch_size`` rows of ``codes``.

    One sort per ``PLAN_ROWS`` rows groups the rows every batch looks up,
    instead of a ``np.unique`` per batch and column. Yields one per batch.
    """
    column_rows = np.array([params.tables[t].shape[0] for t in params.lookups], dtype=np.int64)
    entry_bits = int(batch_size - 1).bit_length()
    # The packed sort keys of _plan must stay below 2**62.
    fits = max(1, (2**62 >> entry_bits) // int(column_rows.sum()))
    per_plan = batch_size * min(max(1, PLAN_ROWS // batch_size), fits)
    for first in range(0, codes.shape[0], per_plan):
        plan_codes = codes[first : first + per_plan]
        yield from _plan(plan_codes, params, column_rows, batch_size, entry_bits)


def _plan(codes, params, column_rows, batch_size, entry_bits):
    """:func:`batch_lookups` of a few whole batches, from one sort."""
    n_rows, n_columns = codes.shape
    n_batches = -(-n_rows // batch_size)
    offsets = np.concatenate([[0], np.cumsum(column_rows)[:-1]])
    n_keys = int(column_rows.sum())
    # Each code is packed with its segment, (batch, column, row), in the high
    # bits and its row in the batch in the low bits: one plain sort (several
    # times faster than an argsort) orders the segments and lists each one's
    # batch rows. Column-major, so that every broadcast runs along n_rows.
    batch_rows = np.arange(n_rows)
    batch_rows = ((batch_rows // batch_size * n_keys) << entry_bits) | (batch_rows % batch_size)
    keys = np.left_shift(codes.T, entry_bits, dtype=np.int64)
    keys += (offsets << entry_bits)[:, None]
    keys += batch_rows
    keys = keys.ravel()
    keys.sort()
    positions = np.bitwise_and(keys, (1 << entry_bits) - 1).astype(np.int32)
    keys >>= entry_bits
    is_first = np.empty(keys.shape, dtype=bool)
    is_first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=is_first[1:])
    starts = np.flatnonzero(is_first)
    segment_batch, segment_key = np.divmod(keys[starts], n_keys)
    segment_column = np.searchsorted(offsets, segment_key, side="right") - 1
    rows = segment_key - offsets[segment_column]
    starts = np.append(starts, keys.shape[0]).astype(np.int32)
    counts = np.diff(starts)
    batch_stops = np.searchsorted(segment_batch, np.arange(n_batches + 1))
    column_stops = np.searchsorted(
        segment_batch * n_columns + segment_column, np.arange(n_batches * n_columns + 1)
    )
    shared = _shared_rows(params, rows, segment_batch, segment_column, n_batches)
    ones = np.ones(batch_size * n_columns, dtype=params.tables[0].dtype)
    for b in range(n_batches):
        first, last = batch_stops[b], batch_stops[b + 1]
        size = min(batch_size, n_rows - b * batch_size)
        begin, end = b * batch_size * n_columns, (b * batch_size + size) * n_columns
        scatter = sparse.csr_array(
            (ones[: end - begin], positions[begin:end], starts[first : last + 1] - begin),
            shape=(last - first, size),
        )
        yield BatchLookups(
            scatter,
            rows[first:last],
            counts[first:last],
            column_stops[b * n_columns : (b + 1) * n_columns + 1] - first,
            {
                t: (distinct[stops[b] : stops[b + 1]], where[first:last])
                for t, (distinct, stops, where) in shared.items()
            },
        )


def _shared_rows(params, rows, segment_batch, segment_column, n_batches):
    """Per table that several columns look up: its distinct rows per batch, each segment's place.

    Returns a dict of table -> (rows, batch_stops, where): batch ``b``'s distinct
    rows are ``rows[batch_stops[b]:batch_stops[b + 1]]``; ``where`` gives the
    position of each of the table's segments among its batch's distinct rows.
    """
    shared = {}
    lookups = np.asarray(params.lookups)
    for t, table in enumerate(params.tables):
        columns = np.flatnonzero(lookups == t)
        if len(columns) < 2:
            continue
        mine = np.isin(segment_column, columns)
        n_table = table.shape[0]
        distinct, where = np.unique(segment_batch[mine] * n_table + rows[mine], return_inverse=True)
        stops = np.searchsorted(distinct // n_table, np.arange(n_batches + 1))
        positions = np.zeros(rows.shape[0], dtype=np.intp)
        positions[mine] = where - stops[segment_batch[mine]]
        shared[t] = (distinct % n_table, stops, positions)
    return shared


def dense_targets(y, n_outputs):
    """Targets as the losses take them: class codes become one-hot rows.

    Built per batch (and for the validation rows), so that a target with many
    classes never exists as a dense (rows x classes) matrix.
    """
    if y.ndim == 2:
        return y
    one_hot = np.zeros((len(y), n_outputs), dtype=np.float32)
    one_hot[np.arange(len(y)), y] = 1.0
    return one_hot


def mean_loss(output, y, weight, target_type):
    """Weighted mean loss of network outputs against targets as ``Target.y`` holds them."""
    return data_loss(output, dense_targets(y, output.shape[1]), weight, target_type)


def data_loss(p, y, weight, target_type):
    """Weighted mean loss of predictions ``p`` (no penalty)."""
    losses = LOSSES[target_type](p, y)
    total_weight = float(weight.sum())
    return float(losses @ weight) / total_weight if total_weight > 0 else float(losses.mean())


def predict_in_chunks(params, codes, x_numeric, activation, target_type, chunk_size=8192):
    """Predictions for many rows without holding every layer of every row at once."""
    parts = [
        forward(
            params,
            codes[s : s + chunk_size],
            x_numeric[s : s + chunk_size],
            activation,
            target_type,
        )[-1]
        for s in range(0, codes.shape[0], chunk_size)
    ]
    return np.concatenate(parts) if parts else np.empty((0, params.coefs[-1].shape[1]))
