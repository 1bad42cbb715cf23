"""Semantics of the row-wise Adam."""

import numpy as np
import pytest

from sklearn_embed._optim import Adam


def _reference_adam(param, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Textbook Adam (Kingma & Ba, Algorithm 1, with scikit-learn's epsilon placement)."""
    param = param.copy()
    m = np.zeros_like(param)
    v = np.zeros_like(param)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        param -= step * m / (np.sqrt(v) + eps)
    return param


def test_dense_update_matches_textbook_adam():
    rng = np.random.RandomState(0)
    param = rng.normal(size=(4, 3))
    grads = [rng.normal(size=(4, 3)) for _ in range(5)]
    expected = _reference_adam(param, grads, lr=0.01)
    optimizer = Adam([param], [], learning_rate=0.01)
    for g in grads:
        optimizer.step([g], [])
    np.testing.assert_allclose(param, expected, rtol=1e-12)


def test_lazy_update_equals_dense_when_every_row_is_in_the_batch():
    rng = np.random.RandomState(0)
    table = rng.normal(size=(6, 3))
    dense_copy = table.copy()
    grads = [rng.normal(size=(6, 3)) for _ in range(7)]
    lazy = Adam([], [table], learning_rate=0.05)
    dense = Adam([dense_copy], [], learning_rate=0.05)
    all_rows = np.arange(6)
    for g in grads:
        lazy.step([], [(all_rows, g)])
        dense.step([g], [])
    np.testing.assert_allclose(table, dense_copy, rtol=1e-12)


def test_lazy_update_leaves_absent_rows_and_their_moments_alone():
    rng = np.random.RandomState(0)
    table = rng.normal(size=(5, 2))
    before = table.copy()
    optimizer = Adam([], [table], learning_rate=0.1)
    rows = np.array([1, 3])
    grad = rng.normal(size=(2, 2))
    optimizer.step([], [(rows, grad)])
    optimizer.step([], [(rows, grad)])
    untouched = [0, 2, 4]
    np.testing.assert_array_equal(table[untouched], before[untouched])
    expected_rows = _reference_adam(before[rows], [grad, grad], lr=0.1)
    np.testing.assert_allclose(table[rows], expected_rows, rtol=1e-12)
    m, v = optimizer.table_moments[0]
    assert not m[untouched].any() and not v[untouched].any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_update_keeps_dtype(dtype):
    table = np.zeros((3, 2), dtype=dtype)
    Adam([], [table], learning_rate=0.1).step([], [(np.array([0]), np.ones((1, 2), dtype))])
    assert table.dtype == dtype
    assert (table[0] < 0).all()


def test_subnormal_moments_and_weights_are_flushed_to_zero():
    """Subnormal floats make x86 arithmetic ~100x slower; a long stream of steps produced them."""
    tiny = np.finfo(np.float32).tiny
    weights = np.array([1e-39, 1.0, -3e-40], dtype=np.float32)  # subnormal, normal, subnormal
    optimizer = Adam([weights], [], learning_rate=1e-3)
    optimizer._dense_moments[0][1][:] = 1e-40
    optimizer.step([np.zeros(3, dtype=np.float32)], [])
    for array in (weights, *optimizer._dense_moments[0]):
        assert not ((array != 0) & (np.abs(array) < tiny)).any()
    assert weights[1] == 1.0
