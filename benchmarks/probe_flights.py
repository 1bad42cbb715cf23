"""Why Embedding + HGB lost ground on NYC flights once the target was read as continuous.

One split (2/3 train, seed 0), one BLAS thread; each setting fits the encoder on
the training part and a HistGradientBoostingRegressor on its output, and
prints the held-out R², the epochs run and the epoch kept, and ``smooth_``.

    python benchmarks/probe_flights.py                       # every setting
    python benchmarks/probe_flights.py "continuous" "smooth=300"
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402

# name -> (encoder parameters, quantile at which the training target is clipped)
SETTINGS = {
    "continuous": ({}, None),
    "multiclass (the old automatic reading)": ({"target_type": "multiclass"}, None),
    "n_iter_no_change=30": ({"n_iter_no_change": 30}, None),
    "smooth=300": ({"smooth": 300}, None),
    "learning_rate_init=1e-4": ({"learning_rate_init": 1e-4}, None),
    "y clipped at 0.1%": ({}, 0.001),
    "y clipped at 1%": ({}, 0.01),
    "y clipped at 5%": ({}, 0.05),
}


def probe(name, X_train, X_test, y_train, y_test, categorical):
    parameters, clip = SETTINGS[name]
    y_fit = y_train if clip is None else y_train.clip(*y_train.quantile([clip, 1 - clip]))
    start = time.perf_counter()
    encoder = EmbeddingEncoder(categorical_features=categorical, random_state=0, **parameters)
    encoder.fit(X_train, y_fit)
    seconds = time.perf_counter() - start
    booster = HistGradientBoostingRegressor(random_state=0).fit(encoder.transform(X_train), y_train)
    r2 = booster.score(encoder.transform(X_test), y_test)
    kept = int(np.argmax(encoder.validation_scores_)) + 1
    smooth = {column: round(m, 1) for column, m in encoder.smooth_.items()}
    print(
        f"{name:40s} HGB R² {r2:.4f}  epochs {encoder.n_iter_} (kept {kept})  "
        f"fit {seconds:.1f}s  smooth_ {smooth}",
        flush=True,
    )


def main():
    warnings.simplefilter("ignore")
    ds = datasets.load("flights")
    split = train_test_split(ds.X, ds.y, test_size=1 / 3, random_state=0)
    with threadpool_limits(1):
        for name in sys.argv[1:] or SETTINGS:
            probe(name, *split, ds.categorical)


if __name__ == "__main__":
    main()
