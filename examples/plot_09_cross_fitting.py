"""9. Cross-fitting: a booster that stops trusting the network's memory of its training rows
=========================================================================================

In a ``Pipeline``, the model after the encoder is trained on ``fit_transform``'s
output for the very rows the network learned from. A category seen on a few rows
has a vector fitted to those rows' targets, and the model learns to trust it more
than it deserves on new rows. Three columns, as in scikit-learn's example for its
``TargetEncoder``:

- ``informative``: 30 levels that shift the target;
- ``shuffled``: the same values in another order, which say nothing;
- ``rare``: 1,500 levels of about 3 rows each, with a real but small effect.

Without cross-fitting (``cross_fit=False``), gradient boosting scores far better on
its own training rows than on new ones: it learned the network's memory of them.
With it (the default), each training row is encoded by vectors that its own row
did not train, and the training score tells what holds on new rows; the test
score is at least as good.

Run: python examples/plot_09_cross_fitting.py [output_dir]
"""

import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_embed import EmbeddingEncoder

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
rng = np.random.RandomState(0)
n = 6_000
informative, rare = rng.randint(30, size=n), rng.randint(1_500, size=n)
effects = np.random.RandomState(1).normal(size=30), np.random.RandomState(2).normal(size=1_500)
y = effects[0][informative] + 0.8 * effects[1][rare] + rng.normal(size=n)
X = pd.DataFrame(
    {
        "informative": informative.astype(str),
        "shuffled": rng.permutation(informative).astype(str),
        "rare": rare.astype(str),
    }
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

scores = {}
for cross_fit in (False, True):
    model = make_pipeline(
        EmbeddingEncoder(cross_fit=cross_fit, random_state=0),
        HistGradientBoostingRegressor(random_state=0),
    )
    model.fit(X_train, y_train)
    label = "cross-fitted" if cross_fit else "not cross-fitted"
    scores[label] = model.score(X_train, y_train), model.score(X_test, y_test)
    print(
        f"{label:>17}: R² {scores[label][0]:.3f} on its training rows, {scores[label][1]:.3f} on new rows"
    )

fig, ax = plt.subplots(figsize=(6, 3.2))
for i, (train, test) in enumerate(scores.values()):
    ax.bar([i - 0.2, i + 0.2], [train, test], width=0.38, color=["C7", "C2"])
ax.set_xticks([0, 1], list(scores))
ax.legend(
    handles=[plt.Rectangle((0, 0), 1, 1, color=c) for c in ("C7", "C2")],
    labels=["training rows", "new rows"],
    loc="upper right",
)
ax.set_ylabel("R² of the booster")
ax.set_title("Gradient boosting after EmbeddingEncoder")
fig.tight_layout()
fig.savefig(out / "example9_cross_fitting.png", dpi=110)
print("wrote", out / "example9_cross_fitting.png")

(train_in, test_in), (train_cross, test_cross) = scores.values()
assert train_in - test_in > 0.25  # the booster learned the network's memory of its rows
assert train_cross - test_cross < train_in - test_in - 0.15
assert test_cross >= test_in - 0.002
