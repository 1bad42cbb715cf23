"""Fingerprints of fitted encoders: has a refactor changed what fit computes?

Fits ten configurations on the bundled Adult sample (defaults, no early stopping, a
continuous and a multiclass target, a shared table, min_frequency, smooth=0, a warm start,
partial_fit in chunks, a frozen pretrained table), each with an int ``random_state``, and
prints a hash of every table, weight, per-category statistic and transform output. Run it
with each checkout first on ``PYTHONPATH`` and compare the two outputs line by line:

    PYTHONPATH=<old checkout> python benchmarks/fingerprint_fits.py > old.txt
    PYTHONPATH=. python benchmarks/fingerprint_fits.py > new.txt
    diff old.txt new.txt
"""

import hashlib
import warnings

import numpy as np

from sklearn_embed import EmbeddingEncoder, load_adult_sample

X, y = load_adult_sample()


def digest(encoder, X):
    X = X[list(encoder.feature_names_in_)]
    h = hashlib.sha256()
    for name in (
        "embeddings_",
        "coefs_",
        "intercepts_",
        "category_counts_",
        "category_target_means_",
    ):
        for array in getattr(encoder, name):
            h.update(np.ascontiguousarray(array).tobytes())
    h.update(np.ascontiguousarray(encoder.transform(X)).tobytes())
    categories = [list(map(str, c)) for c in encoder.categories_]
    state = (
        sorted(encoder.smooth_.items()),
        getattr(encoder, "merge_factor_", None),
        encoder.n_iter_,
    )
    h.update(repr((state, categories)).encode())
    return h.hexdigest()[:16]


def partial():
    encoder = EmbeddingEncoder(random_state=7)
    for start in range(0, len(X), 1000):
        encoder.partial_fit(X[start : start + 1000], y[start : start + 1000], classes=np.unique(y))
    return encoder


def pretrained():
    base = EmbeddingEncoder(random_state=8, max_iter=5).fit(X, y)
    encoder = EmbeddingEncoder(
        random_state=9, max_iter=10, initial_embeddings=base, freeze_embeddings=["education"]
    )
    return encoder.fit(X, y)


CASES = {
    "default": lambda: EmbeddingEncoder(random_state=0).fit(X, y),
    "no early stopping": lambda: EmbeddingEncoder(
        random_state=0, early_stopping=False, max_iter=5
    ).fit(X, y),
    "continuous": lambda: EmbeddingEncoder(random_state=1).fit(
        X.drop(columns="age"), X["age"] + 0.5
    ),
    "multiclass": lambda: EmbeddingEncoder(random_state=2, max_iter=20).fit(
        X.drop(columns="race"), X["race"]
    ),
    "shared": lambda: EmbeddingEncoder(
        random_state=3, max_iter=20, shared_embeddings=[["workclass", "occupation"]]
    ).fit(X, y),
    "min_frequency": lambda: EmbeddingEncoder(random_state=4, max_iter=20, min_frequency=5).fit(
        X, y
    ),
    "smooth=0": lambda: EmbeddingEncoder(random_state=5, max_iter=20, smooth=0).fit(X, y),
    "warm start": lambda: (
        EmbeddingEncoder(random_state=6, max_iter=5, warm_start=True)
        .fit(X[:3000], y[:3000])
        .fit(X, y)
    ),
    "partial_fit": partial,
    "frozen pretrained": pretrained,
}


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    for name, make in CASES.items():
        print(f"{name:<18} {digest(make(), X)}", flush=True)
