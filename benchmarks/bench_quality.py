"""Downstream quality: EmbeddingEncoder against one-hot and target encoding.

For every dataset in ../shared/data, 3-fold shuffled cross-validation (seed 0,
stratified for classification), each encoder refit inside the pipeline on every
training fold. Metric: ROC AUC (binary), log loss (multiclass, lower is
better), R² (regression); plus the mean fit time of each pipeline.

    python benchmarks/bench_quality.py                 # all datasets, writes results
    python benchmarks/bench_quality.py --datasets car  # one dataset
    python benchmarks/bench_quality.py --leakage       # also the train-vs-CV gap

Writes benchmarks/_out/quality.json and benchmarks/quality.png, and prints a
Markdown table (pasted into RESULTS.md).
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402

HERE = Path(__file__).resolve().parent
SCORING = {"binary": "roc_auc", "multiclass": "neg_log_loss", "regression": "r2"}
METRIC_NAME = {"binary": "ROC AUC", "multiclass": "log loss", "regression": "R²"}


def linear(task):
    return Ridge() if task == "regression" else LogisticRegression(max_iter=2000)


def boosting(task, **kwargs):
    if task == "regression":
        return HistGradientBoostingRegressor(random_state=0, **kwargs)
    return HistGradientBoostingClassifier(random_state=0, **kwargs)


def numeric_steps():
    return make_pipeline(SimpleImputer(), StandardScaler())


def pipelines(ds):
    """The compared pipelines, every encoder inside so it is refit per fold."""
    cat, num, task = ds.categorical, ds.numeric, ds.task
    target_type = "continuous" if task == "regression" else task

    def columns(cat_step, num_step):
        return ColumnTransformer([("cat", cat_step, cat), ("num", num_step, num)])

    native = ColumnTransformer(
        [
            ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                   encoded_missing_value=np.nan, max_categories=255), cat),
            ("num", "passthrough", num),
        ]
    )  # fmt: skip
    embedding = EmbeddingEncoder(categorical_features=cat, random_state=0)
    return {
        "OneHot + linear": make_pipeline(
            columns(OneHotEncoder(handle_unknown="ignore"), numeric_steps()), linear(task)
        ),
        "Target + linear": make_pipeline(
            columns(make_pipeline(TargetEncoder(target_type=target_type, random_state=0),
                                  StandardScaler()), numeric_steps()),
            linear(task),
        ),  # fmt: skip
        "Target + HGB": make_pipeline(
            columns(TargetEncoder(target_type=target_type, random_state=0), "passthrough"),
            boosting(task),
        ),
        "HGB native categorical": make_pipeline(
            native, boosting(task, categorical_features=list(range(len(cat))))
        ),
        "Embedding + linear": make_pipeline(
            embedding, SimpleImputer(), StandardScaler(), linear(task)
        ),
        "Embedding + HGB": make_pipeline(embedding, boosting(task)),
    }


def cv_for(ds):
    if ds.task == "regression":
        return KFold(3, shuffle=True, random_state=0)
    return StratifiedKFold(3, shuffle=True, random_state=0)


def evaluate(ds, names=None):
    rows = []
    for name, model in pipelines(ds).items():
        if names and name not in names:
            continue
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cross_validate(model, ds.X, ds.y, cv=cv_for(ds), scoring=SCORING[ds.task])
        scores = result["test_score"]
        if ds.task == "multiclass":
            scores = -scores
        rows.append(
            {
                "dataset": ds.name,
                "pipeline": name,
                "metric": METRIC_NAME[ds.task],
                "mean": float(scores.mean()),
                "std": float(scores.std()),
                "fit_seconds": float(result["fit_time"].mean()),
                "wall_seconds": time.perf_counter() - start,
            }
        )
        print(f"  {name:<24} {rows[-1]['mean']:.4f} ± {rows[-1]['std']:.4f}  "
              f"fit {rows[-1]['fit_seconds']:.1f}s", flush=True)  # fmt: skip
    return rows


def leakage(ds):
    """Train-vs-CV gap of Embedding + linear, and of the high-cardinality columns alone.

    A model that scores much better on the rows its encoder was trained on than
    on held-out rows is fitting the encoder's memory of those rows.
    """
    scorer = get_scorer(SCORING[ds.task])
    out = []
    for label, columns in [("all columns", None), ("high-cardinality only", ds.high_cardinality)]:
        if columns == []:
            continue
        X = ds.X if columns is None else ds.X[columns]
        cat = ds.categorical if columns is None else columns
        model = make_pipeline(
            EmbeddingEncoder(categorical_features=cat, random_state=0),
            SimpleImputer(), StandardScaler(), linear(ds.task),
        )  # fmt: skip
        train_scores, test_scores = [], []
        for train, test in cv_for(ds).split(X, ds.y):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X.iloc[train], ds.y.iloc[train])
            train_scores.append(scorer(model, X.iloc[train], ds.y.iloc[train]))
            test_scores.append(scorer(model, X.iloc[test], ds.y.iloc[test]))
        sign = -1 if ds.task == "multiclass" else 1
        out.append(
            {
                "dataset": ds.name,
                "columns": label,
                "train": sign * float(np.mean(train_scores)),
                "cv": sign * float(np.mean(test_scores)),
            }
        )
        print(f"  leakage, {label}: train {out[-1]['train']:.4f}  CV {out[-1]['cv']:.4f}", flush=True)
    return out


def markdown(rows):
    lines = ["| dataset | metric | pipeline | score (mean ± sd, 3 folds) | fit s |", "|---|---|---|---|---:|"]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['metric']} | {r['pipeline']} | {r['mean']:.4f} ± {r['std']:.4f} "
            f"| {r['fit_seconds']:.1f} |"
        )
    return "\n".join(lines)


def chart(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r["dataset"] for r in rows))
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names):
        sub = [r for r in rows if r["dataset"] == name]
        labels = [r["pipeline"] for r in sub]
        values = np.array([r["mean"] for r in sub])
        colours = ["C2" if label.startswith("Embedding") else "C7" for label in labels]
        ax.barh(range(len(sub)), values, xerr=[r["std"] for r in sub], color=colours)
        ax.set_yticks(range(len(sub)), labels if ax is axes[0][0] else [""] * len(sub))
        ax.invert_yaxis()
        lower_better = sub[0]["metric"] == "log loss"
        span = values.max() - values.min()
        ax.set_xlim(max(0, values.min() - 0.6 * span - 1e-3), values.max() + 0.3 * span + 1e-3)
        ax.set_title(f"{name}\n{sub[0]['metric']} ({'lower' if lower_better else 'higher'} is better)")
    fig.suptitle("3-fold CV, default parameters (green: EmbeddingEncoder)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=list(datasets.LOADERS))
    parser.add_argument("--pipelines", nargs="*")
    parser.add_argument("--leakage", action="store_true")
    parser.add_argument("--rows", type=int, help="subsample each dataset (quick runs)")
    args = parser.parse_args()
    if not datasets.available():
        sys.exit(datasets.missing_reason())

    rows, gaps = [], []
    for name in args.datasets:
        ds = datasets.rng_subsample(datasets.load(name), args.rows)
        print(f"{ds.name}: {len(ds.y):,} rows, {ds.task}", flush=True)
        rows += evaluate(ds, args.pipelines)
        if args.leakage:
            gaps += leakage(ds)
    print()
    print(markdown(rows))
    out = HERE / "_out"
    out.mkdir(exist_ok=True)
    (out / "quality.json").write_text(json.dumps({"rows": rows, "leakage": gaps}, indent=1))
    if not args.pipelines and not args.rows:
        chart(rows, HERE / "quality.png")


if __name__ == "__main__":
    main()
