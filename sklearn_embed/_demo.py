"""The main job: ``python -m sklearn_embed`` with no arguments.

Fits the encoder on the bundled Adult sample, prints what it learned, and
compares it by cross-validation with one-hot and target encoding under the three
families of downstream models, each with the ``output`` it needs: a linear model
("vectors+prediction"), nearest neighbours ("prediction") and gradient boosting
("vectors", the default).
"""

import time

import numpy as np
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler, TargetEncoder

from ._columns import embedded_position
from ._datasets import load_adult_sample
from ._encoder import EmbeddingEncoder

# education is left out: education-num states the same thing, so its vectors only model residuals.
QUERIES = [
    ("occupation", "Exec-managerial"),
    ("marital-status", "Divorced"),
    ("relationship", "Husband"),
]


def run_demo(print=print, plot_path=None):
    """Fit, inspect and cross-validate on the bundled data; optionally save the plot.

    Parameters
    ----------
    print : callable, default=print
        Where each line goes.
    plot_path : str or None, default=None
        If given (and matplotlib is installed), save a 2-D picture of the
        ``occupation`` embeddings there.

    Returns
    -------
    encoder : EmbeddingEncoder
        The encoder fitted on all 5,000 rows.
    """
    X, y = load_adult_sample()
    categorical = X.select_dtypes(exclude="number").columns.tolist()
    print(
        f"UCI Adult sample (Becker & Kohavi 1996, CC BY 4.0): {X.shape[0]:,} rows, "
        f"{len(categorical)} categorical and {X.shape[1] - len(categorical)} numeric columns; "
        f"target income, {np.mean(y == '>50K'):.0%} '>50K'."
    )

    start = time.perf_counter()
    encoder = EmbeddingEncoder(random_state=0).fit(X, y)
    seconds = time.perf_counter() - start
    print(
        f"\nEmbeddingEncoder fitted in {seconds:.1f}s: {encoder.n_iter_} epochs, best "
        f"validation log loss {-encoder.best_validation_score_:.4f}."
    )
    print("Embedding sizes: " + ", ".join(f"{c} {d}" for c, d in encoder.embedding_dims_.items()))
    merged = [
        f"{column} {len(rare)} of {len(rare) + len(kept)}"
        for column, kept, rare in zip(
            encoder.categorical_features_, encoder.categories_, encoder.infrequent_categories_
        )
        if len(rare)
    ]
    if merged:
        print(
            "Categories too rare for their column's noise level share the unknown vector: "
            + ", ".join(merged)
            + " (smooth=0 keeps them all)."
        )

    print("Nearest categories, cosine distance (and training rows behind each vector):")
    for column, category in QUERIES:
        k = embedded_position(encoder.categorical_features_, column)
        rows = dict(zip(encoder.categories_[k], encoder.category_counts_[k].round().astype(int)))
        neighbours = encoder.most_similar(column, category, n=3)
        listed = ", ".join(
            f"{c} {d:.2f} ({rows[c]:,})" for c, d in neighbours.itertuples(index=False)
        )
        print(f"  {column}={category!r} ({rows[category]:,}): {listed}")

    print(
        "\n3-fold cross-validated ROC AUC (seed 0); EmbeddingEncoder with the output each model"
        "\nneeds (output=...: a grid search can choose it):"
    )
    for name, model in _models(categorical).items():
        result = cross_validate(
            model, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0), scoring="roc_auc"
        )
        print(
            f"  {name:<50} {result['test_score'].mean():.4f} +- {result['test_score'].std():.4f}"
            f"   fit {result['fit_time'].mean():.1f}s",
            flush=True,  # a line per model as it is scored, also when piped
        )

    if plot_path is not None:
        try:
            ax = encoder.plot_embeddings("occupation")
        except ImportError as error:
            print(f"\nNo plot: {error}")
        else:
            ax.figure.savefig(plot_path, dpi=120, bbox_inches="tight")
            print(f"\nWrote {plot_path}: the occupation embeddings in 2-D.")
    return encoder


def _target_encoder():
    """Reproducible cross-fitting folds: from a splitter since scikit-learn 1.9, before from random_state."""
    if TargetEncoder().random_state == "deprecated":
        return TargetEncoder(cv=StratifiedKFold(5, shuffle=True, random_state=0))
    return TargetEncoder(random_state=0)


def _models(categorical):
    """One-hot, target encoding and EmbeddingEncoder under each family of downstream model."""
    one_hot = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), categorical), remainder=StandardScaler()
    )
    target = make_column_transformer((_target_encoder(), categorical), remainder="passthrough")

    def embedding(output):
        return EmbeddingEncoder(output=output, random_state=0)

    logistic = LogisticRegression(max_iter=1000)
    neighbours = [SimpleImputer(), StandardScaler(), KNeighborsClassifier(25, weights="distance")]
    boosting = HistGradientBoostingClassifier(random_state=0)
    return {
        "one-hot + logistic": make_pipeline(one_hot, logistic),
        "target + logistic": make_pipeline(target, StandardScaler(), logistic),
        "EmbeddingEncoder('vectors+prediction') + logistic": make_pipeline(
            embedding("vectors+prediction"), StandardScaler(), logistic
        ),
        # One-hot output is sparse: scaled without centring, which leaves every distance as it was.
        "one-hot + neighbours": make_pipeline(
            one_hot, StandardScaler(with_mean=False), neighbours[-1]
        ),
        "target + neighbours": make_pipeline(target, *neighbours),
        "EmbeddingEncoder('prediction') + neighbours": make_pipeline(
            embedding("prediction"), *neighbours
        ),
        "target + boosting": make_pipeline(target, boosting),
        "EmbeddingEncoder('vectors') + boosting": make_pipeline(embedding("vectors"), boosting),
    }
