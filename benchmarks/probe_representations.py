"""Which representation of the categorical columns a linear, KNN and boosted model can use.

One split (2/3 train, seed 0) per table. The encoder is fitted once, with
``append_prediction=True``, on the training part; its output gives three
representations (the vector columns are those of the default encoder):

- vectors: the default output (vectors and numeric columns);
- vectors+prediction: the whole output;
- prediction+numeric: the output without its vector columns;

against target encoding (cross-fitted, as ``TargetEncoder.fit_transform`` does) with
the numeric columns. Each goes through a mean imputer and a ``StandardScaler`` into
``RidgeCV`` / ``LogisticRegression``, KNN (k=25, distance weights) and
``HistGradientBoosting*``; the held-out score is printed (R² or ROC AUC).

    python benchmarks/probe_representations.py                  # shared binary/regression tables
    python benchmarks/probe_representations.py movielens loans  # tables of datasets.py
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, TargetEncoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
from bench_quality import boosting, neighbours  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402

DEFAULT_TABLES = ["adult", "salaries", "flights"]


def models(task):
    """bench_quality's KNN and boosting; a linear model that picks its own penalty (RidgeCV)."""
    linear = RidgeCV() if task == "regression" else LogisticRegression(max_iter=2000)
    return {"linear": linear, "KNN": neighbours(task), "HGB": boosting(task)}


def representations(ds, X_train, X_test, y_train):
    """{name: (train matrix, test matrix)}."""
    numeric_train = X_train[ds.numeric].to_numpy(float)
    numeric_test = X_test[ds.numeric].to_numpy(float)
    target = TargetEncoder(target_type="continuous" if ds.task == "regression" else ds.task)
    encoded_train = target.fit_transform(X_train[ds.categorical], y_train)
    out = {
        "target encoding": (
            np.hstack([encoded_train, numeric_train]),
            np.hstack([target.transform(X_test[ds.categorical]), numeric_test]),
        )
    }
    encoder = EmbeddingEncoder(
        categorical_features=ds.categorical, append_prediction=True, random_state=0
    )
    train, test = encoder.fit_transform(X_train, y_train), encoder.transform(X_test)
    names = encoder.get_feature_names_out()
    prediction = np.char.startswith(names.astype(str), "network_")
    vector = np.array([any(n.startswith(f"{c}_emb") for c in ds.categorical) for n in names])
    out["vectors"] = (train[:, ~prediction], test[:, ~prediction])
    out["vectors+prediction"] = (train, test)
    out["prediction+numeric"] = (train[:, ~vector], test[:, ~vector])
    return out


def main(names):
    for name in names:
        ds = datasets.load(name)
        if ds.task == "multiclass":
            print(f"{name}: multiclass, skipped (one score column per class)")
            continue
        X_train, X_test, y_train, y_test = train_test_split(
            ds.X, ds.y, test_size=1 / 3, random_state=0
        )
        regression = ds.task == "regression"
        print(f"{ds.name} ({'R²' if regression else 'ROC AUC'}; linear / KNN / HGB)", flush=True)
        for label, (train, test) in representations(ds, X_train, X_test, y_train).items():
            scores = []
            for model in models(ds.task).values():
                fitted = make_pipeline(SimpleImputer(), StandardScaler(), model).fit(train, y_train)
                if regression:
                    scores.append(r2_score(y_test, fitted.predict(test)))
                else:
                    scores.append(roc_auc_score(y_test, fitted.predict_proba(test)[:, 1]))
            print(f"  {label:<20} " + " / ".join(f"{s:.4f}" for s in scores), flush=True)


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    main(sys.argv[1:] or DEFAULT_TABLES)
