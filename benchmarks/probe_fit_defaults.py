"""Time to quality of training settings: the search behind the defaults of the fast-fit issue.

For every table (shared and extra, see datasets.py) and every setting, the encoder is
fitted once per fold of bench_quality's 3-fold split (``--folds`` of them), on one BLAS
thread, by ``fit_transform`` as a pipeline fits it (cross-fitted unless the setting says
``cross_fit: false``); one fit serves the three downstream families, each with its
recommended output (boosting on the vectors, a linear model on vectors+prediction, KNN on
the prediction), scored on the fold's held-out rows. A setting is a JSON object: encoder parameters
(``params``) and module constants (``knobs``, e.g. ``{"_fitting.RACE_EPOCHS": 3}``).

    python benchmarks/probe_fit_defaults.py --settings settings.json --datasets shared extra
    python benchmarks/probe_fit_defaults.py --settings settings.json --folds 3 --tag finalists

Writes benchmarks/_out/probe-fit-TAG.json and prints one line per (table, setting) and a
summary per setting: total fit seconds and each score's difference from the first setting.
"""

import argparse
import importlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.metrics import get_scorer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
from bench_quality import SCORING, boosting, cv_for, linear, neighbours  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402

HERE = Path(__file__).resolve().parent
FAMILIES = {"hgb": "vectors", "linear": "vectors+prediction", "knn": "prediction"}


def downstream(family, task):
    if family == "hgb":
        return boosting(task)
    steps = [SimpleImputer(), StandardScaler()]
    return make_pipeline(*steps, linear(task) if family == "linear" else neighbours(task))


def apply_knobs(knobs):
    """Set module constants; return their previous values."""
    previous = {}
    for name, value in knobs.items():
        module_name, attribute = name.rsplit(".", 1)
        module = importlib.import_module(f"sklearn_embed.{module_name}")
        previous[name] = getattr(module, attribute)
        setattr(module, attribute, value)
    return previous


def run(ds, setting, folds):
    scorer = get_scorer(SCORING[ds.task])
    sign = -1 if ds.task == "multiclass" else 1
    rows = []
    for fold, (train, test) in enumerate(cv_for(ds).split(ds.X, ds.y)):
        if fold >= folds:
            break
        X_train, y_train = ds.X.iloc[train], ds.y.iloc[train]
        X_test, y_test = ds.X.iloc[test], ds.y.iloc[test]
        params = {"random_state": 0, **setting.get("params", {})}
        encoder = EmbeddingEncoder(
            categorical_features=ds.categorical, output="vectors+prediction", **params
        )
        previous = apply_knobs(setting.get("knobs", {}))
        try:
            with warnings.catch_warnings(), threadpool_limits(1):
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                # What a pipeline's fit gives its next step: cross-fitted unless cross_fit=False.
                encoded_train = encoder.fit_transform(X_train, y_train)
                seconds = time.perf_counter() - start
        finally:
            apply_knobs(previous)
        encoded_test = encoder.transform(X_test)
        all_names = encoder.get_feature_names_out().tolist()
        row = {
            "dataset": ds.name,
            "task": ds.task,
            "setting": setting["name"],
            "fold": fold,
            "fit_seconds": seconds,
            "epochs": encoder.n_iter_,
            "merge_factor": encoder.merge_factor_,
            "validation_loss": -encoder.best_validation_score_
            if encoder.best_validation_score_ is not None
            else None,
        }
        for family, output in FAMILIES.items():
            # Each output's columns, taken from the widest one (the same fitted model).
            names = encoder.set_params(output=output).get_feature_names_out().tolist()
            columns = [all_names.index(name) for name in names]
            model = clone(downstream(family, ds.task))
            with warnings.catch_warnings(), threadpool_limits(1):
                warnings.simplefilter("ignore")
                model.fit(encoded_train[:, columns], y_train)
                row[family] = sign * float(scorer(model, encoded_test[:, columns], y_test))
        rows.append(row)
    return rows


def summary(rows, settings):
    names = [s["name"] for s in settings]
    reference = names[0]
    by = {}
    for r in rows:
        by.setdefault((r["dataset"], r["setting"]), []).append(r)
    print(f"\n{'setting':<28} {'fit s':>8}  " + "  ".join(f"{f:>22}" for f in FAMILIES))
    for name in names:
        total = sum(r["fit_seconds"] for r in rows if r["setting"] == name)
        cells = []
        for family in FAMILIES:
            deltas = []
            for (dataset, setting), group in by.items():
                if setting != name or (dataset, reference) not in by:
                    continue
                mine = np.mean([r[family] for r in group])
                theirs = np.mean([r[family] for r in by[(dataset, reference)]])
                lower_better = group[0]["task"] == "multiclass"
                deltas.append((theirs - mine) if lower_better else (mine - theirs))
            cells.append(f"mean {np.mean(deltas):+.4f} min {np.min(deltas):+.4f}")
        print(f"{name:<28} {total:8.1f}  " + "  ".join(f"{c:>22}" for c in cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=Path, required=True, help="JSON list of settings")
    parser.add_argument("--datasets", nargs="*", default=["shared"])
    parser.add_argument("--folds", type=int, default=1)
    parser.add_argument("--tag", default="probe")
    args = parser.parse_args()
    settings = json.loads(args.settings.read_text())
    names = [n for name in args.datasets for n in datasets.GROUPS.get(name, [name])]
    rows = []
    for name in names:
        ds = datasets.load(name)
        for setting in settings:
            for row in run(ds, setting, args.folds):
                rows.append(row)
                print(
                    f"{ds.name:<18} {setting['name']:<28} fold {row['fold']} {row['fit_seconds']:6.2f}s "
                    f"{row['epochs']:3d} ep  f{row['merge_factor']}  "
                    + "  ".join(f"{f} {row[f]:.4f}" for f in FAMILIES),
                    flush=True,
                )
    summary(rows, settings)
    out = HERE / "_out"
    out.mkdir(exist_ok=True)
    (out / f"probe-fit-{args.tag}.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
