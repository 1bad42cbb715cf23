"""The network's gradients against central finite differences, for every loss."""

import numpy as np
import pytest

from sklearn_embed import _network
from sklearn_embed._network import LOSSES, backward, batch_lookups, forward, init_params

N_OUTPUTS = {"binary": 1, "multiclass": 3, "continuous": 2}


def objective(params, codes, x_numeric, y, weight, activation, target_type, alpha):
    """The full objective that ``backward`` differentiates, on one batch (module docstring)."""
    p = forward(params, codes, x_numeric, activation, target_type)[-1]
    batch_size = y.shape[0]
    loss = float(np.sum(LOSSES[target_type](p, y) * weight) / batch_size)
    penalty = sum(float(np.sum(w * w)) for w in params.coefs)
    for j, table in enumerate(params.looked_up()):
        penalty += float(np.sum(table[codes[:, j]] ** 2)) / batch_size
    return loss + 0.5 * alpha * penalty


def _problem(target_type, hidden_layer_sizes, seed=0, lookups=None):
    rng = np.random.RandomState(seed)
    batch_size = 12
    n_outputs = N_OUTPUTS[target_type]
    params = init_params([5, 4], [3, 2], 2, hidden_layer_sizes, n_outputs, rng, np.float64, lookups)
    # Larger tables than the init gives, so that the gradients are not tiny.
    for table in params.tables:
        table[...] = rng.normal(size=table.shape)
    codes = np.column_stack([rng.randint(4, size=batch_size) for _ in params.lookups])
    x_numeric = rng.normal(size=(batch_size, 2))
    if target_type == "binary":
        y = rng.randint(2, size=(batch_size, 1)).astype(float)
    elif target_type == "multiclass":
        y = np.eye(3)[rng.randint(3, size=batch_size)]
    else:
        y = rng.normal(size=(batch_size, 2))
    weight = rng.uniform(0.5, 2, size=batch_size)
    return params, codes, x_numeric, y, weight


@pytest.mark.parametrize("target_type", ["binary", "multiclass", "continuous"])
@pytest.mark.parametrize(
    "hidden_layer_sizes, activation",
    [((), "relu"), ((4,), "tanh"), ((4, 3), "logistic"), ((4,), "relu"), ((3,), "identity")],
)
# [0, 1, 0]: the first table is shared by the first and third columns of codes.
@pytest.mark.parametrize("lookups", [None, [0, 1, 0]])
# grouped: the training loop's path, forward and backward on the batch's distinct rows.
@pytest.mark.parametrize("grouped", [False, True])
def test_gradient_matches_finite_differences(
    target_type, hidden_layer_sizes, activation, lookups, grouped
):
    alpha = 0.1
    params, codes, x_numeric, y, weight = _problem(target_type, hidden_layer_sizes, lookups=lookups)
    batch = next(batch_lookups(codes, params, len(codes))) if grouped else None
    layers = forward(params, codes, x_numeric, activation, target_type, batch)
    table_grads, dense_grads = backward(params, codes, layers, y, weight, activation, alpha, batch)

    analytic = []
    for table, (rows, grad) in zip(params.tables, table_grads):
        full = np.zeros_like(table)
        full[rows] = grad
        analytic.append(full)
    analytic += dense_grads

    def loss():
        return objective(params, codes, x_numeric, y, weight, activation, target_type, alpha)

    eps = 1e-6
    for array, grad in zip(params.tables + params.dense, analytic):
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + eps
            up = loss()
            array[index] = saved - eps
            down = loss()
            array[index] = saved
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_untouched_rows_get_no_gradient():
    params, codes, x_numeric, y, weight = _problem("binary", (4,))
    layers = forward(params, codes, x_numeric, "relu", "binary")
    table_grads, _ = backward(params, codes, layers, y, weight, "relu", 0.0)
    rows, grad = table_grads[0]
    np.testing.assert_array_equal(rows, np.unique(codes[:, 0]))
    assert 4 not in rows  # row 4 of the first table is never looked up
    assert grad.shape == (rows.size, 3)


def test_lookup_equals_one_hot_times_table():
    params, codes, x_numeric, _, _ = _problem("binary", ())
    h0 = forward(params, codes, x_numeric, "relu", "binary")[0]
    one_hot = np.eye(params.tables[0].shape[0])[codes[:, 0]]
    np.testing.assert_allclose(h0[:, :3], one_hot @ params.tables[0])
    np.testing.assert_allclose(h0[:, 5:], x_numeric)


@pytest.mark.parametrize("lookups", [None, [0, 1, 0]])
def test_forward_on_distinct_rows_equals_forward_on_the_input_layer(lookups):
    params, codes, x_numeric, _, _ = _problem("multiclass", (4, 3), lookups=lookups)
    batch = next(batch_lookups(codes, params, len(codes)))
    plain = forward(params, codes, x_numeric, "tanh", "multiclass")
    grouped = forward(params, codes, x_numeric, "tanh", "multiclass", batch)
    np.testing.assert_array_equal(grouped[0], x_numeric)  # h_0's numeric columns only
    for a, b in zip(plain[1:], grouped[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 7, 40])
def test_batch_lookups_group_every_batch_as_np_unique_does(monkeypatch, batch_size):
    # Plans of 64 rows: several plans, and batches that do not fill the last one.
    monkeypatch.setattr(_network, "PLAN_ROWS", 64)
    rng = np.random.RandomState(3)
    params = init_params([5, 300, 5], [2, 3, 2], 1, (), 1, rng, np.float64, lookups=[0, 1, 2, 0])
    codes = np.column_stack([rng.randint(k, size=203) for k in (5, 300, 5, 5)]).astype(np.int32)
    batches = list(batch_lookups(codes, params, batch_size))
    assert len(batches) == -(-len(codes) // batch_size)
    for b, batch in enumerate(batches):
        batch_codes = codes[b * batch_size : (b + 1) * batch_size]
        one_hot_sums = batch.scatter.toarray()
        for j, segments in enumerate(batch.column_segments()):
            rows, counts = np.unique(batch_codes[:, j], return_counts=True)
            np.testing.assert_array_equal(batch.rows[segments], rows)
            np.testing.assert_array_equal(batch.counts[segments], counts)
            # Segment s sums exactly the batch rows that look up its row.
            expected = (batch_codes[:, j][None, :] == rows[:, None]).astype(float)
            np.testing.assert_array_equal(one_hot_sums[segments], expected)
        # Table 0 is shared by columns 0 and 3: its rows are the union of theirs.
        rows, where = batch.shared[0]
        np.testing.assert_array_equal(rows, np.unique(batch_codes[:, [0, 3]]))
        for j in (0, 3):
            segments = batch.column_segments()[j]
            np.testing.assert_array_equal(rows[where[segments]], np.unique(batch_codes[:, j]))
