"""The network's gradients against central finite differences, for every loss."""

import numpy as np
import pytest

from sklearn_embed._network import backward, forward, init_params, objective

N_OUTPUTS = {"binary": 1, "multiclass": 3, "continuous": 2}


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
def test_gradient_matches_finite_differences(target_type, hidden_layer_sizes, activation, lookups):
    alpha = 0.1
    params, codes, x_numeric, y, weight = _problem(target_type, hidden_layer_sizes, lookups=lookups)
    layers = forward(params, codes, x_numeric, activation, target_type)
    table_grads, dense_grads = backward(params, codes, layers, y, weight, activation, alpha)

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
