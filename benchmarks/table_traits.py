"""The traits of each benchmark table that go with the embedding's wins and losses.

For each table (shared and extra, see datasets.py): its rows, its embedded columns' levels and
median rows per level, and one default fit on all rows: the network's validation score beside
the target-encoding baseline's on the same rows (``best_validation_score_`` and
``baseline_validation_score_``, negated losses), and the share of the training rows whose
vectors cross-fitting re-estimates. The user guide's page "When embeddings help" reads these
beside bench_quality's scores.

    python benchmarks/table_traits.py --datasets shared extra
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402


def traits(ds):
    encoder = EmbeddingEncoder(categorical_features=ds.categorical, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder.fit(ds.X, ds.y)
    levels = {c: int(ds.X[c].nunique()) for c in ds.categorical}
    per_level = {c: float(ds.X[c].value_counts().median()) for c in ds.categorical}
    widest = max(levels, key=levels.get)
    gain = encoder.best_validation_score_ - encoder.baseline_validation_score_
    return {
        "table": ds.name,
        "rows": len(ds.y),
        "columns": len(ds.categorical),
        "most levels": f"{widest} ({levels[widest]:,}, median {per_level[widest]:g} rows each)",
        "network": encoder.best_validation_score_,
        "baseline": encoder.baseline_validation_score_,
        "gain": gain,
        "merge factor": encoder.merge_factor_,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=["shared", "extra"])
    args = parser.parse_args()
    names = [n for name in args.datasets for n in datasets.GROUPS.get(name, [name])]
    print(
        "| table | rows | categorical columns | most levels | network / baseline (validation, -loss) | gain | merge factor |"
    )
    print("|---|---:|---:|---|---|---:|---:|")
    for name in names:
        t = traits(datasets.load(name))
        print(
            f"| {t['table']} | {t['rows']:,} | {t['columns']} | {t['most levels']} | "
            f"{t['network']:.4f} / {t['baseline']:.4f} | {t['gain']:+.4f} | {t['merge factor']} |",
            flush=True,
        )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
