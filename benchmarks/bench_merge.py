"""What choosing the merge threshold by validation loss costs, and what it picks.

``EmbeddingEncoder.fit`` trains one network with rare categories merged below
``min(smooth_, 100)`` rows and, when it merges differently, one below
``min(5 * smooth_, 100)``, and keeps the lower validation loss
(``merge_factor_``). Per table, this script fits the default encoder and the
same encoder restricted to the first threshold (the single network fit trained
before the choice existed), alternating, ``--rounds`` times, and prints the
median fit seconds of each, their ratio (pair by pair, then the median), the
factor kept, the categories with a vector of their own and the kept network's
validation score against the first network's (higher is better; the first
network is the same in both fits: same split, same draws).

    python benchmarks/bench_merge.py                    # shared and extra tables
    python benchmarks/bench_merge.py flights movielens  # some tables
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402


def timed_fit(ds, factors):
    """Fit the default encoder with these merge factors; (seconds, fitted encoder)."""
    encoder = EmbeddingEncoder(categorical_features=ds.categorical, random_state=0)
    # The choice of thresholds is not a parameter: patch the module's constant.
    with mock.patch("sklearn_embed._fitting.MERGE_FACTORS", factors):
        start = time.perf_counter()
        encoder.fit(ds.X, ds.y)
    return time.perf_counter() - start, encoder


def measure(ds, rounds):
    times = {"chosen": [], "first only": []}
    encoders = {}
    for _ in range(rounds):
        for label, factors in (("chosen", (1, 5)), ("first only", (1,))):
            seconds, encoders[label] = timed_fit(ds, factors)
            times[label].append(seconds)
    fitted, first = encoders["chosen"], encoders["first only"]
    ratio = statistics.median(c / f for c, f in zip(times["chosen"], times["first only"]))
    kept = sum(len(c) for c in fitted.categories_)
    return {
        "chosen s": statistics.median(times["chosen"]),
        "first only s": statistics.median(times["first only"]),
        "ratio": ratio,
        "factor": fitted.merge_factor_,
        "categories kept / first": f"{kept:,} / {sum(len(c) for c in first.categories_):,}",
        "validation kept / first": f"{fitted.best_validation_score_:.4f} / {first.best_validation_score_:.4f}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", nargs="*", default=datasets.GROUPS["all"])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for name in args.tables:
        row = {"table": name, **measure(datasets.load(name), args.rounds)}
        rows.append(row)
        print(row, flush=True)
    print("\n| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
