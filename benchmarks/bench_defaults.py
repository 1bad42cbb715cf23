"""What a default fit costs, next to scikit-learn's TargetEncoder and the booster after it.

For each shared table (adult's training file, employee salaries, a 30,000-row sample of
NYC flights, car), on one thread (BLAS and OpenMP), alternating in every round:

- ``EmbeddingEncoder().fit``, its ``fit_transform`` (what a pipeline calls: the fit, then the
  training rows cross-fitted) and ``TargetEncoder().fit`` alone;
- the pipelines ``EmbeddingEncoder() + HistGradientBoosting*`` and
  ``TargetEncoder() + HistGradientBoosting*`` (the same booster, ``random_state=0``).

Reported: medians over the rounds, the ratios taken round by round (same moment, same
load), the peak memory of a default fit (tracemalloc: NumPy's allocations included), the
epochs and merge factor of the fit, and beside them each pipeline's 3-fold CV score
(bench_quality's folds and metrics; not timed).

    python benchmarks/bench_defaults.py                 # 5 rounds (about 3 minutes)
    python benchmarks/bench_defaults.py --rounds 9 --tables adult
    PYTHONPATH=<another checkout> python benchmarks/bench_defaults.py --no-scores   # an older version

Needs ../shared/data (see datasets.py).
"""

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import TargetEncoder
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
from bench_quality import SCORING, boosting, cv_for  # noqa: E402

import sklearn_embed  # noqa: E402
from sklearn_embed import EmbeddingEncoder  # noqa: E402

FLIGHTS_ROWS = 30_000
TABLES = {
    "adult": datasets.adult,
    "salaries": datasets.employee_salaries,
    "flights": lambda: datasets.rng_subsample(datasets.nycflights(), FLIGHTS_ROWS),
    "car": datasets.car_evaluation,
}


def contenders(ds):
    """The four timed fits of one table, by name."""
    task = ds.task
    target_type = "continuous" if task == "regression" else task
    embedding = EmbeddingEncoder(categorical_features=ds.categorical, random_state=0)
    target = ColumnTransformer(
        [("cat", TargetEncoder(target_type=target_type, random_state=0), ds.categorical)],
        remainder="passthrough",
    )
    return {
        "EmbeddingEncoder": embedding,
        "fit_transform": embedding,  # what a pipeline calls: fit, then the rows cross-fitted
        "TargetEncoder": target,
        "Embedding + HGB": make_pipeline(clone(embedding), boosting(task)),
        "Target + HGB": make_pipeline(clone(target), boosting(task)),
    }


def timed_fit(model, ds, fit_transform=False):
    model = clone(model)
    start = time.perf_counter()
    if fit_transform:
        model.fit_transform(ds.X, ds.y)
    else:
        model.fit(ds.X, ds.y)
    return time.perf_counter() - start, model


def peak_memory_mb(ds):
    """Peak traced memory of one default fit, in MB."""
    tracemalloc.start()
    EmbeddingEncoder(categorical_features=ds.categorical, random_state=0).fit(ds.X, ds.y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run_table(name, rounds, scores):
    ds = TABLES[name]()
    models = contenders(ds)
    seconds = {key: [] for key in models}
    fitted = None
    for round_ in range(rounds):
        order = list(models) if round_ % 2 == 0 else list(reversed(models))
        for key in order:
            seconds[key].append(timed_fit(models[key], ds, key == "fit_transform")[0])
            if key == "EmbeddingEncoder" and fitted is None:
                fitted = timed_fit(models[key], ds)[1]
    ratio = {
        "fit": [e / t for e, t in zip(seconds["EmbeddingEncoder"], seconds["TargetEncoder"])],
        "cross-fit": [c / e for c, e in zip(seconds["fit_transform"], seconds["EmbeddingEncoder"])],
        "pipeline": [e / t for e, t in zip(seconds["Embedding + HGB"], seconds["Target + HGB"])],
    }
    row = {
        "table": f"{ds.name} ({len(ds.y):,})",
        **{key: statistics.median(values) for key, values in seconds.items()},
        "fit ratio": statistics.median(ratio["fit"]),
        "fit_transform / fit": statistics.median(ratio["cross-fit"]),
        "pipeline ratio": statistics.median(ratio["pipeline"]),
        "peak MB": peak_memory_mb(ds),
        "epochs": fitted.n_iter_,
        "merge factor": getattr(fitted, "merge_factor_", None),
    }
    if scores:
        sign = -1 if ds.task == "multiclass" else 1
        for key in ("Embedding + HGB", "Target + HGB"):
            cv = cross_val_score(
                clone(models[key]), ds.X, ds.y, cv=cv_for(ds), scoring=SCORING[ds.task]
            )
            row[f"{key} score"] = sign * cv.mean()
    return row


def markdown(rows, scores):
    columns = [
        "EmbeddingEncoder",
        "fit_transform",
        "fit_transform / fit",
        "TargetEncoder",
        "fit ratio",
        "Embedding + HGB",
        "Target + HGB",
        "pipeline ratio",
        "epochs",
        "merge factor",
        "peak MB",
    ]
    if scores:
        columns += ["Embedding + HGB score", "Target + HGB score"]
    lines = ["| table | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            if column.endswith("ratio") or column == "fit_transform / fit":
                cells.append(f"{value:.1f}x")
            elif column.endswith("score"):
                cells.append(f"{value:.4f}")
            elif isinstance(value, float):
                cells.append(f"{value:.2f}" if column != "peak MB" else f"{value:.0f}")
            else:
                cells.append(str(value))
        lines.append(f"| {row['table']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--no-scores", dest="scores", action="store_false")
    args = parser.parse_args()
    if not datasets.available():
        sys.exit(datasets.missing_reason())
    print(f"sklearn_embed {sklearn_embed.__version__} from {Path(sklearn_embed.__file__).parent}")
    rows = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        print("threads:", [(i["internal_api"], i["num_threads"]) for i in threadpool_info()])
        for name in args.tables:
            rows.append(run_table(name, args.rounds, args.scores))
            print(
                f"  {rows[-1]['table']}: fit {rows[-1]['EmbeddingEncoder']:.2f}s "
                f"({rows[-1]['fit ratio']:.1f}x TargetEncoder), pipeline {rows[-1]['pipeline ratio']:.1f}x",
                flush=True,
            )
    print()
    print(
        f"Seconds: medians of {args.rounds} alternating rounds, one thread; ratios taken round by round."
    )
    print(markdown(rows, args.scores))


if __name__ == "__main__":
    main()
