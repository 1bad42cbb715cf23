"""Loaders for the shared evaluation data (``../shared/data`` beside the checkout).

Each loader returns a :class:`Dataset`: the frame of features, the target, which
columns are categorical, and the task. Only the preprocessing the data card asks
for is done here (e.g. the hire date becomes a year).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(os.environ.get("SKLEARN_EMBED_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data"


@dataclass
class Dataset:
    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str  # "binary", "multiclass" or "regression"
    categorical: list
    numeric: list = field(default_factory=list)
    high_cardinality: list = field(default_factory=list)


FILES = [
    "adult_train.csv.gz",
    "car_evaluation.csv",
    "employee_salaries_2016.csv",
    "nycflights13_arr_delay_100k.csv.gz",
]


def available():
    return all((DATA / name).is_file() for name in FILES)


def missing_reason():
    """Why the shared data cannot be used here, and how to get it."""
    missing = [name for name in FILES if not (DATA / name).is_file()]
    return (
        f"the shared evaluation data is missing ({', '.join(missing)} not in {DATA}): "
        "put the project's shared/ folder beside the checkout, or set "
        "SKLEARN_EMBED_SHARED to the folder that holds data/"
    )


def adult():
    frame = pd.read_csv(DATA / "adult_train.csv.gz", na_values=["?"], keep_default_na=False)
    X, y = frame.drop(columns="income"), (frame["income"] == ">50K").astype(int)
    categorical = X.select_dtypes(exclude="number").columns.tolist()
    numeric = X.select_dtypes(include="number").columns.tolist()
    return Dataset("adult", X, y, "binary", categorical, numeric, ["native-country"])


def car_evaluation():
    frame = pd.read_csv(DATA / "car_evaluation.csv")
    X, y = frame.drop(columns="class"), frame["class"]
    return Dataset("car evaluation", X, y, "multiclass", X.columns.tolist())


def employee_salaries():
    frame = pd.read_csv(DATA / "employee_salaries_2016.csv")
    y = frame.pop("Current Annual Salary")
    hired = pd.to_datetime(frame.pop("Date First Hired"), format="%m/%d/%Y")
    frame["hire year"] = hired.dt.year + hired.dt.day_of_year / 366
    categorical = frame.select_dtypes(exclude="number").columns.tolist()
    return Dataset(
        "employee salaries", frame, y, "regression", categorical, ["hire year"],
        ["Division", "Employee Position Title"],
    )  # fmt: skip


def nycflights():
    frame = pd.read_csv(DATA / "nycflights13_arr_delay_100k.csv.gz")
    y = frame.pop("arr_delay").astype(float)
    categorical = ["carrier", "tailnum", "origin", "dest", "flight"]
    numeric = [c for c in frame.columns if c not in categorical]
    return Dataset("nycflights13", frame, y, "regression", categorical, numeric, ["tailnum", "flight"])


LOADERS = {"adult": adult, "car": car_evaluation, "salaries": employee_salaries, "flights": nycflights}


def load(name):
    return LOADERS[name]()


def rng_subsample(dataset, n, seed=0):
    """A row subsample (for quick runs); the full data otherwise."""
    if n is None or n >= len(dataset.y):
        return dataset
    rows = np.sort(np.random.RandomState(seed).choice(len(dataset.y), n, replace=False))
    dataset.X, dataset.y = dataset.X.iloc[rows].reset_index(drop=True), dataset.y.iloc[rows].reset_index(drop=True)
    return dataset
