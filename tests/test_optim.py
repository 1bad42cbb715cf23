"""Semantics of the row-wise Adam."""

import numpy as np
import pytest

from sklearn_embed._optim import FLUSH_EVERY, Adam


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
    for _ in range(FLUSH_EVERY):
        optimizer.step([np.zeros(3, dtype=np.float32)], [])
    for array in (weights, *optimizer._dense_moments[0]):
        assert not ((array != 0) & (np.abs(array) < tiny)).any()
    assert weights[1] == 1.0


def test_subnormal_moments_of_the_rows_in_the_batch_are_flushed_to_zero():
    assert 3e-39 < np.finfo(np.float32).tiny  # so both values below are subnormal
    table = np.ones((4, 2), dtype=np.float32)
    optimizer = Adam([], [table], learning_rate=1e-3)
    m, v = optimizer.table_moments[0]
    m[:] = 3e-39
    v[:] = 1e-40
    rows, zero = np.array([0, 2]), np.zeros((2, 2), dtype=np.float32)
    for _ in range(FLUSH_EVERY):
        optimizer.step([], [(rows, zero)])
    assert not m[rows].any() and not v[rows].any()
    # Rows absent from the batch keep their moments, as the lazy update promises.
    assert (m[[1, 3]] == np.float32(3e-39)).all() and (v[[1, 3]] == np.float32(1e-40)).all()


def test_several_tables_match_textbook_adam_row_by_row():
    """Tables of other widths, rows in some steps only, and a table without rows (frozen)."""
    rng = np.random.RandomState(1)
    tables = [rng.normal(size=(6, 3)), rng.normal(size=(4, 5)), rng.normal(size=(3, 2))]
    before = [t.copy() for t in tables]
    optimizer = Adam([], tables, learning_rate=0.05)
    steps = [
        [np.array([0, 2, 5]), np.array([1, 3]), np.array([], dtype=int)],
        [np.array([2, 4]), np.array([0, 1, 2, 3]), np.array([], dtype=int)],
        [np.array([0, 2]), np.array([3]), np.array([], dtype=int)],
    ]
    grads_of = {}
    for rows_per_table in steps:
        table_grads = []
        for t, rows in enumerate(rows_per_table):
            grad = rng.normal(size=(rows.size, tables[t].shape[1]))
            table_grads.append((rows, grad))
            for row, g in zip(rows, grad):
                grads_of.setdefault((t, row), []).append(g)
        optimizer.step([], table_grads)
    for t, table in enumerate(tables):
        for row in range(table.shape[0]):
            grads = grads_of.get((t, row))
            if grads is None:
                np.testing.assert_array_equal(table[row], before[t][row])
                continue
            expected = _lazy_reference(before[t][row], grads_of, t, row, steps, lr=0.05)
            np.testing.assert_allclose(table[row], expected, rtol=1e-12)


def _lazy_reference(param, grads_of, t, row, steps, lr, betas=(0.9, 0.999), eps=1e-8):
    """Textbook Adam for one row that is updated only at the steps whose batch holds it."""
    beta1, beta2 = betas
    param = param.copy()
    m = np.zeros_like(param)
    v = np.zeros_like(param)
    grads = iter(grads_of[(t, row)])
    for step, rows_per_table in enumerate(steps, start=1):
        if row not in rows_per_table[t]:
            continue
        g = next(grads)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        param -= lr * np.sqrt(1 - beta2**step) / (1 - beta1**step) * m / (np.sqrt(v) + eps)
    return param
