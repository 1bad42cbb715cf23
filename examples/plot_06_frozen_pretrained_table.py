"""6. A pretrained table kept fixed: city coordinates, with a network trained on top
=================================================================================

1,000 cities, each with a known position on a map (the pretrained 2-D table),
and 1,500 training rows: a city is seen 1.5 times on average, so its own rows
say little. The target is whether the city lies within a circle. With the map
given and frozen (``initial_embeddings`` + ``freeze_embeddings``), every city
keeps its known position, including the cities the training rows never show,
and a boosted model downstream finds the circle; learning the city vectors from
the rows alone cannot place the rare and unseen cities.

Run: python examples/plot_06_frozen_pretrained_table.py
"""

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

from sklearn_embed import EmbeddingEncoder

rng = np.random.RandomState(0)
cities = np.array([f"city{i:04d}" for i in range(1000)])
# The pretrained table: one row per city, one column per dimension, as get_embeddings returns.
where = pd.DataFrame(rng.uniform(size=(len(cities), 2)), index=cities, columns=["east", "north"])


def sample(n):
    """Rows of (city, income) whose target is 1 within the circle, with 10% of labels flipped."""
    city = rng.randint(len(cities), size=n)
    inside = np.hypot(where["east"].iloc[city] - 0.5, where["north"].iloc[city] - 0.5) < 0.3
    y = inside.to_numpy() ^ (rng.uniform(size=n) < 0.1)
    return pd.DataFrame({"city": cities[city], "income": rng.normal(size=n)}), y.astype(int)


X_train, y_train = sample(1_500)
X_test, y_test = sample(3_000)
print(
    f"test rows whose city no training row shows: {1 - X_test['city'].isin(X_train['city']).mean():.0%}"
)

scores, models = {}, {}
for name, encoder in {
    "frozen map": EmbeddingEncoder(
        initial_embeddings={"city": where}, freeze_embeddings=True, random_state=0
    ),
    "learned from the rows": EmbeddingEncoder(random_state=0),
}.items():
    models[name] = make_pipeline(encoder, HistGradientBoostingClassifier(random_state=0))
    models[name].fit(X_train, y_train)
    scores[name] = roc_auc_score(y_test, models[name].predict_proba(X_test)[:, 1])
    print(f"{name:>22}: test ROC AUC {scores[name]:.3f}")

frozen = models["frozen map"][0]
# Frozen means exact: the table after fit is the given one, unseen cities included.
np.testing.assert_array_equal(frozen.get_embeddings("city").to_numpy(), where.to_numpy(np.float32))
assert scores["frozen map"] > scores["learned from the rows"] + 0.04
