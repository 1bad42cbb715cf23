"""Probe: each column's vectors rotated onto their principal axes and cut at a share of the variance.

Issue 30, item 4: a narrower output is the lever on the booster's cost. For each table, the
default encoder + HistGradientBoosting (bench_quality's folds and metrics) is scored with the
full vectors and with each column's vectors projected onto the principal axes of its table
(weighted by the categories' training counts) that hold ``--variance`` of its variance; the
booster's fit time and the number of output columns are reported beside the scores. The
projection is applied outside the encoder (a wrapper), so this needs no change to the package.

    python benchmarks/probe_narrow.py --datasets shared extra --variance 0.95 0.99
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.model_selection import cross_validate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
from bench_quality import SCORING, boosting, cv_for  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402


def principal_axes(table, counts, variance):
    """The axes (dim x r) of ``table``'s rows weighted by ``counts`` that hold ``variance``."""
    weight = np.asarray(counts, dtype=np.float64)
    weight = weight / weight.sum() if weight.sum() > 0 else np.full(len(table), 1 / len(table))
    rows = table.astype(np.float64)
    centred = rows - weight @ rows
    covariance = centred.T @ (weight[:, None] * centred)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0, None), vectors[:, order]
    share = np.cumsum(values) / max(values.sum(), 1e-300)
    keep = int(np.searchsorted(share, variance - 1e-12) + 1)
    return vectors[:, : min(keep, len(values))]


class Narrowed(TransformerMixin, BaseEstimator):
    """The encoder, its vector columns projected per column onto their principal axes."""

    def __init__(self, encoder, variance=0.95):
        self.encoder = encoder
        self.variance = variance

    def _project(self, out):
        enc = self.encoder_
        names = enc.get_feature_names_out()
        blocks, start = [], 0
        for name in enc.feature_names_in_:
            if name in enc.categorical_features_:
                k = list(enc.categorical_features_).index(name)
                width = enc.embeddings_[k].shape[1]
                blocks.append(out[:, start : start + width] @ self.axes_[k])
                start += width
            elif name in names:
                blocks.append(out[:, start : start + 1])
                start += 1
        blocks.append(out[:, start:])
        return np.hstack(blocks)

    def _learn(self):
        enc = self.encoder_
        self.axes_ = [
            principal_axes(table, counts, self.variance)
            for table, counts in zip(enc.embeddings_, enc.category_counts_)
        ]

    def fit_transform(self, X, y):
        self.encoder_ = clone(self.encoder)
        out = self.encoder_.fit_transform(X, y)
        self._learn()
        return self._project(out)

    def fit(self, X, y):
        self.fit_transform(X, y)
        return self

    def transform(self, X):
        return self._project(self.encoder_.transform(X))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=["shared", "extra"])
    parser.add_argument("--variance", nargs="*", type=float, default=[0.95])
    args = parser.parse_args()
    names = [n for name in args.datasets for n in datasets.GROUPS.get(name, [name])]
    warnings.simplefilter("ignore")
    print("| table | variance | columns | score | booster fit s |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        ds = datasets.load(name)
        encoder = EmbeddingEncoder(categorical_features=ds.categorical, random_state=0)
        for variance in [None, *args.variance]:
            step = encoder if variance is None else Narrowed(encoder, variance)
            from sklearn.pipeline import make_pipeline

            model = make_pipeline(step, boosting(ds.task))
            result = cross_validate(
                model, ds.X, ds.y, cv=cv_for(ds), scoring=SCORING[ds.task], return_estimator=True
            )
            scores = result["test_score"] * (-1 if ds.task == "multiclass" else 1)
            fitted = result["estimator"][0]
            width = fitted[-1].n_features_in_
            start = time.perf_counter()
            clone(fitted[-1]).fit(
                fitted[0].transform(ds.X.iloc[:5000]), ds.y.iloc[:5000]
            )  # the booster alone, on 5,000 encoded rows
            booster = time.perf_counter() - start
            print(
                f"| {name} | {variance or 'all'} | {width} | {scores.mean():.4f} | {booster:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
