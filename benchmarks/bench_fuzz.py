"""Random small frames through fit, transform, save and load: what can go wrong? (issue 21)

Each case draws a small frame (1 to 300 rows, 1 to 5 columns of random kinds:
strings of few or many values, digit strings, categoricals, booleans, nullable
types, integers up to 2**63, ids beyond 2**53 as integers or as floats, floats
with NaN and extreme magnitudes, constant and all-missing columns, dates, mixed
objects), a target (labels, one class, whole numbers, quantities at 1e40 or
1e-300, several outputs, missing values), sample weights on a third of the
cases (counts, a wide spread, all 1e155, all 1e-300, one positive among
zeros, 1e307) and random parameters (``max_iter`` of 1 to 3, ``smooth``,
``min_frequency``, every ``output``, both ``dtype``, ``remainder``, sizes), then

1. fits (or ``fit_transform``s: cross-fitted, ``cv`` of 2, 3 or 5), or calls
   ``partial_fit`` (on two halves; one row per call; the same
   chunk several times; and a further pass with ``new_rows=False`` on the rows
   reshuffled), transforms the training rows and a drifted copy (unseen and
   retyped values, integer columns read back as floats with gaps, extremes,
   NaN);
2. checks the output: the right shape, NaN exactly where a passed-through
   input was missing, and no other NaN or infinity;
3. saves, loads and transforms again: the outputs must be bit-identical.

An exception is counted as *documented* when it is a ``ValueError`` or a
``TypeError`` raised by sklearn_embed or scikit-learn's validation; anything
else (another type, or one raised inside NumPy or pandas), a non-finite value
or a round trip that differs is a *failure*, printed with its case number:
``--case K`` re-runs that case alone, with the traceback.

    python benchmarks/bench_fuzz.py                 # 10,000 cases (a few minutes idle)
    python benchmarks/bench_fuzz.py --cases 500     # a quick look
    python benchmarks/bench_fuzz.py --case 1234     # one case, verbose

Prints a Markdown summary and writes benchmarks/_out/fuzz.json.
"""

import argparse
import json
import re
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_embed import EmbeddingEncoder

HERE = Path(__file__).resolve().parent
OUT = HERE / "_out"

WORDS = np.array(
    ["north", "south", "east", "west", "Zürich", "", " ", "a`b", "NaN", "None", "x" * 40]
)


# ------------------------------------------------------------------ random inputs


def _nullable(rng, n):
    dtype = pick(rng, ["Int64", "boolean", "string", "Float64"])
    raw = {
        "Int64": rng.randint(-5, 5, n),
        "boolean": rng.uniform(size=n) < 0.5,
        "string": rng.choice(list("pqr"), n),
        "Float64": rng.normal(size=n),
    }
    return pd.Series(pd.array(raw[dtype], dtype=dtype))


def _all_missing(rng, n):
    numbers = rng.uniform() < 0.5
    return pd.Series(np.full(n, np.nan)) if numbers else pd.Series([None] * n, dtype=object)


def _dates(rng, n):
    values = pd.Series(pd.date_range("2020-01-01", periods=n, freq="D"))
    return values.dt.strftime("%Y-%m-%d") if rng.uniform() < 0.7 else values


# One generator per kind of column: (rng, n_rows) -> Series.
COLUMNS = {
    "few_strings": lambda rng, n: pd.Series(
        WORDS[rng.randint(rng.randint(1, len(WORDS)), size=n)], dtype="str"
    ),
    "many_strings": lambda rng, n: pd.Series(
        [f"id{k}" for k in rng.randint(max(1, n), size=n)], dtype="str"
    ),
    "digit_strings": lambda rng, n: pd.Series(
        [f"{k:05d}" for k in rng.randint(20, size=n)], dtype=object
    ),
    "category": lambda rng, n: pd.Series(
        pd.Categorical(rng.choice(list("abcde"), n), categories=list("abcdefg"))
    ),
    "bool": lambda rng, n: pd.Series(rng.uniform(size=n) < 0.5),
    "nullable": _nullable,
    "int": lambda rng, n: pd.Series(
        rng.randint(-(high := pick(rng, [3, 100, 2**31, 2**62])), high, size=n, dtype=np.int64)
    ),
    "uint": lambda rng, n: pd.Series(rng.randint(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2)),
    # snowflake-like ids beyond 2**53, as int64 or as the float64 a column with nulls becomes
    "big_ids": lambda rng, n: pd.Series(
        2**60 + 67 * rng.randint(0, max(1, n // 3), size=n).astype(np.int64)
    ),
    "float_ids": lambda rng, n: pd.Series(
        (2**60 + 67 * rng.randint(0, max(1, n // 3), size=n).astype(np.int64)).astype(np.float64)
    ),
    "float": lambda rng, n: pd.Series(
        rng.standard_cauchy(size=n) * pick(rng, [1.0, 1e-300, 1e300, 1e38, 1e40])
    ).clip(-1.7e308, 1.7e308),
    "float32": lambda rng, n: pd.Series(
        rng.normal(size=n).astype(np.float32) * np.float32(pick(rng, [1.0, 1e30]))
    ),
    "constant": lambda rng, n: pd.Series(np.full(n, pick(rng, [0.0, 1.0, 1e39, -7.5]))),
    "all_missing": _all_missing,
    "dates": _dates,
    # numbers, strings and booleans in one object column
    "mixed": lambda rng, n: pd.Series(
        rng.choice(np.array([1, 2.5, "a", True], dtype=object), n), dtype=object
    ),
}


def random_column(rng, n, kind):
    """One column of ``n`` rows of ``kind``, with missing values on a random share of them."""
    missing = rng.uniform(size=n) < pick(rng, [0, 0, 0.1, 0.5])
    values = COLUMNS[kind](rng, n)
    if not missing.any() or kind in ("bool", "category", "int", "uint", "big_ids", "constant"):
        return values
    return values.where(~missing, None) if values.dtype == object else values.mask(missing)


# Kinds of columns, the common ones more often; "mixed" and datetime "dates" are refused at fit.
KINDS = [
    *["few_strings"] * 4,
    *["many_strings", "digit_strings", "category", "bool", "nullable"] * 2,
    *["int"] * 3,
    *["float"] * 4,
    "uint",
    "big_ids",
    "float_ids",
    "float32",
    "constant",
    "all_missing",
    "dates",
    "mixed",
]


# The names random_frame gives (kind and position), or "x3" for an array's columns.
COLUMN_NAME = r"'(x|" + "|".join(sorted(set(KINDS))) + r")\d+'"


def random_frame(rng):
    n = pick(rng, [1, 3, 8, 20, 20, 50, 50, 120, 120, 300, 300])
    kinds = [pick(rng, KINDS) for _ in range(rng.randint(1, 6))]
    return pd.DataFrame({f"{kind}{i}": random_column(rng, n, kind) for i, kind in enumerate(kinds)})


# One generator per kind of target: (rng, n_rows) -> y.
TARGETS = {
    "binary": lambda rng, n: rng.randint(2, size=n),
    "labels": lambda rng, n: rng.choice(["yes", "no", "maybe"], n),
    "many_labels": lambda rng, n: np.array(
        [f"c{k}" for k in rng.randint(40, size=n)], dtype=object
    ),
    "one_class": lambda rng, n: np.zeros(n, dtype=int),
    "whole": lambda rng, n: rng.randint(0, pick(rng, [5, 50]), size=n),
    "continuous": lambda rng, n: rng.normal(size=n),
    "huge": lambda rng, n: rng.normal(size=n) * 1e40,
    "tiny": lambda rng, n: rng.normal(size=n) * 1e-300,
    "outputs": lambda rng, n: rng.normal(size=(n, 2)),
    "missing": lambda rng, n: np.where(rng.uniform(size=n) < 0.2, np.nan, rng.normal(size=n)),
    "bool": lambda rng, n: pd.Series(rng.uniform(size=n) < 0.5),
}


def random_target(rng, n):
    kind = pick(
        rng,
        [
            "binary",
            "binary",
            "labels",
            "many_labels",
            "whole",
            "continuous",
            "continuous",
            "huge",
            "tiny",
            "outputs",
            "bool",
            "one_class",
            "missing",
        ],
    )
    return TARGETS[kind](rng, n)


# One generator per kind of sample weights: (rng, n_rows) -> weights.
WEIGHTS = {
    "counts": lambda rng, n: rng.randint(0, 5, size=n).astype(float) + (np.arange(n) == 0),
    "spread": lambda rng, n: np.exp(rng.normal(scale=20, size=n)),
    "huge": lambda rng, n: np.full(n, 1e155),
    "tiny": lambda rng, n: np.full(n, 1e-300),
    "one_positive": lambda rng, n: (np.arange(n) == rng.randint(n)).astype(float),
    "beyond": lambda rng, n: np.full(n, 1e307),
}


def random_weights(rng, n):
    """Sample weights for a third of the cases, of a random kind; None for the others."""
    if rng.uniform() >= 1 / 3:
        return None
    return WEIGHTS[pick(rng, sorted(WEIGHTS))](rng, n)


def pick(rng, options):
    """One of ``options``, as it is (``rng.choice`` would turn them into one NumPy dtype)."""
    return options[rng.randint(len(options))]


def random_parameters(rng, frame):
    parameters = {
        "max_iter": int(rng.randint(1, 4)),
        "random_state": int(rng.randint(1000)),
        "smooth": pick(rng, ["auto", "auto", 0.0, 5.0]),
        "min_frequency": pick(rng, [1, 1, 2, 0.2]),
        "output": pick(rng, ["vectors", "vectors+prediction", "prediction"]),
        "dtype": pick(rng, [np.float64, np.float32]),
        "remainder": pick(rng, ["passthrough", "passthrough", "drop"]),
        "hidden_layer_sizes": pick(rng, [(), (4,), (8, 4)]),
        "embedding_dim": pick(rng, ["auto", 1, 3]),
        "early_stopping": bool(rng.uniform() < 0.6),
        "batch_size": pick(rng, ["auto", 1, 16]),
        "handle_unknown": pick(rng, ["use_unknown", "use_unknown", "error"]),
        "cv": pick(rng, [5, 5, 2, 3]),
        "shuffle": bool(rng.uniform() < 0.8),
    }
    integers = [
        c for c in frame.columns if str(c).startswith(("int", "uint", "big_ids", "float_ids"))
    ]
    if integers and rng.uniform() < 0.3:  # the default's columns and an integer code
        auto = [
            c
            for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c].dtype)
            or pd.api.types.is_bool_dtype(frame[c].dtype)
        ]
        parameters["categorical_features"] = [*auto, integers[0]]
    return parameters


def drifted(rng, frame):
    """The frame with unseen values, retyped values, extremes and missing cells."""
    other = frame.copy()
    for column in other.columns:
        series = other[column]
        chosen = rng.uniform(size=len(series)) < 0.3
        if not chosen.any():
            continue
        if series.dtype.kind == "f":
            other[column] = series.where(~chosen, pick(rng, [np.nan, 1e300, -1e300, 3e38, 0.0]))
        elif series.dtype.kind in "iu" and rng.uniform() < 0.5:
            # an integer column read back as floats with gaps (a CSV, Spark's bigint with nulls)
            other[column] = series.astype(np.float64).where(~chosen)
        elif series.dtype.kind in "iub" or isinstance(series.dtype, pd.CategoricalDtype):
            continue  # retyping these is the caller's job: see the "retyped" case below
        else:
            values = series.astype(object).copy()
            values[chosen] = pick(rng, ["never seen", 7030, None])
            other[column] = values
    if rng.uniform() < 0.2 and len(other.columns):  # a column read back as text
        column = other.columns[rng.randint(len(other.columns))]
        other[column] = other[column].astype(str)
    return other


# ------------------------------------------------------------------ one case


def missing_mask(frame, encoder):
    """Where the output may hold NaN: the passed-through inputs' missing cells, by output column."""
    names = encoder.get_feature_names_out().tolist()
    mask = np.zeros((len(frame), len(names)), dtype=bool)
    columns = list(getattr(encoder, "feature_names_in_", [f"x{i}" for i in range(frame.shape[1])]))
    for j, name in enumerate(names):
        if name in columns and name not in encoder.categorical_features_:
            mask[:, j] = frame.iloc[:, columns.index(name)].isna().to_numpy()
    return mask


def check_output(out, frame, encoder, what):
    """Problems with one output: its shape, a NaN where none is due, an infinity."""
    expected = (len(frame), len(encoder.get_feature_names_out()))
    if out.shape != expected:
        return [f"{what}: shape {out.shape}, expected {expected}"]
    allowed = missing_mask(frame, encoder)
    problems = []
    if np.isinf(out).any():
        problems.append(f"{what}: {int(np.isinf(out).sum())} infinite values")
    if (np.isnan(out) & ~allowed).any():
        problems.append(f"{what}: {int((np.isnan(out) & ~allowed).sum())} NaN not in the input")
    if (~np.isnan(out) & allowed).any():
        problems.append(f"{what}: a missing input came out as a number")
    return problems


def documented(error):
    """A ValueError or TypeError raised by sklearn_embed or scikit-learn itself."""
    if not isinstance(error, (ValueError, TypeError)):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    innermost = frames[-1].filename if frames else ""
    return "sklearn_embed" in innermost or "sklearn" in innermost


def stream(encoder, X, y, weight, rng):
    """``partial_fit`` in one of four ways: two halves, one row per call (at most 40 rows),
    the same chunk three times, or a first pass then one with ``new_rows=False`` on the
    rows reshuffled into other chunks."""

    def rows(index):
        part = X[index] if isinstance(X, np.ndarray) else X.iloc[index]
        return part, y[index], None if weight is None else weight[index]

    n = len(y)
    mode = pick(rng, ["halves", "one_row", "repeated", "passes"])
    if mode == "halves":
        calls = [(np.arange(max(1, n // 2)), True), (np.arange(n), True)]
    elif mode == "one_row":
        calls = [(np.array([i]), True) for i in range(min(n, 40))]
    elif mode == "repeated":
        calls = [(np.arange(n), True)] * 3
    else:
        cuts = np.array_split(np.arange(n), min(n, 3))
        again = np.array_split(rng.permutation(n), min(n, 2))
        calls = [(c, True) for c in cuts] + [(c, False) for c in again]
    for index, new_rows in calls:
        chunk_X, chunk_y, chunk_weight = rows(index)
        encoder.partial_fit(chunk_X, chunk_y, sample_weight=chunk_weight, new_rows=new_rows)


def run_case(case, folder):
    """Returns (outcome, detail): "fitted", "refused" (a documented error) or "failure"."""
    rng = np.random.RandomState(case)
    frame = random_frame(rng)
    y = random_target(rng, len(frame))
    parameters = random_parameters(rng, frame)
    X = frame.to_numpy(dtype=object) if rng.uniform() < 0.1 else frame
    weight = random_weights(rng, len(frame))
    encoder = EmbeddingEncoder(**parameters)
    stage, cross_fitted = "fit", False
    try:
        if rng.uniform() < 0.15:
            stage = "partial_fit"
            stream(encoder, X, y, weight, rng)
        elif rng.uniform() < 0.4:
            stage = "fit_transform"
            crossed = encoder.fit_transform(X, y, sample_weight=weight)
            cross_fitted = True
        else:
            encoder.fit(X, y, sample_weight=weight)
        frame_in = pd.DataFrame(X) if isinstance(X, np.ndarray) else X
        stage = "transform"
        out = encoder.transform(X)
        problems = check_output(out, frame_in, encoder, "transform")
        if cross_fitted:
            problems += check_output(crossed, frame_in, encoder, "fit_transform")
        other = drifted(rng, frame_in)
        other_in = other.to_numpy(dtype=object) if isinstance(X, np.ndarray) else other
        stage = "transform (drifted)"
        try:
            drift_out = encoder.transform(other_in)
            problems += check_output(drift_out, other, encoder, "transform (drifted)")
        except (ValueError, TypeError) as error:
            if not documented(error):
                raise
        stage = "save"
        path = Path(folder) / f"case{case}.sk-embed"
        encoder.save(path)
        stage = "load"
        loaded = EmbeddingEncoder.load(path)
        path.unlink()
        stage = "transform (loaded)"
        again = loaded.transform(X)
        if again.dtype != out.dtype or not np.array_equal(again, out, equal_nan=True):
            problems.append("save/load: the loaded encoder transforms differently")
    except Exception as error:  # noqa: BLE001 (every exception is sorted, none is hidden)
        if documented(error):
            return "refused", f"{stage}: {type(error).__name__}: {str(error)[:90]}"
        return "failure", f"{stage}: {type(error).__name__}: {error}\n{traceback.format_exc()}"
    if problems:
        return "failure", "; ".join(problems)
    return "fitted", None


# ------------------------------------------------------------------ driver


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--first", type=int, default=0, help="number of the first case")
    parser.add_argument("--case", type=int, help="run this case alone and print everything")
    args = parser.parse_args()
    cases = [args.case] if args.case is not None else range(args.first, args.first + args.cases)
    outcomes, refusals, failures = Counter(), Counter(), []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings are the library's words to the user, not faults
        for case in cases:
            outcome, detail = run_case(case, folder)
            outcomes[outcome] += 1
            if outcome == "refused":  # grouped by stage and message, whatever the column
                message = re.sub(COLUMN_NAME, "'<column>'", " ".join(detail.split()[1:7]))
                refusals[f"{detail.split(':')[0]}: {message}"] += 1
            if outcome == "failure" or args.case is not None:
                failures.append({"case": case, "detail": detail})
                print(f"case {case}: {outcome}: {detail}", flush=True)
            if (case + 1) % 1000 == 0:
                seconds = time.perf_counter() - start
                print(f"... {case + 1 - args.first:,} cases, {seconds:.0f} s", flush=True)
    seconds = time.perf_counter() - start
    summary = {
        "cases": len(cases),
        "seconds": seconds,
        **outcomes,
        "failures": failures,
        "refusals": refusals.most_common(),
    }
    print(
        "\n| cases | fitted and checked | refused (documented ValueError/TypeError) | failures "
        "| seconds |\n|---:|---:|---:|---:|---:|"
    )
    counts = [len(cases), *(outcomes[outcome] for outcome in ("fitted", "refused", "failure"))]
    print("| " + " | ".join(f"{count:,}" for count in counts) + f" | {seconds:.0f} |")
    print("\nMost common refusals:")
    for text, count in refusals.most_common(12):
        print(f"  {count:5d}  {text}")
    OUT.mkdir(exist_ok=True)
    (OUT / "fuzz.json").write_text(json.dumps(summary, indent=1, default=str))
    return 1 if failures and args.case is None else 0


if __name__ == "__main__":
    raise SystemExit(main())
