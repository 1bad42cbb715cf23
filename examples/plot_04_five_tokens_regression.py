"""4. Five tokens with effects from -20 to 20, 10,000 noisy observations, a deeper MLP
===================================================================================

y = effect[token] + noise. The Euclidean nearest neighbours of the token with
the largest effect follow the order of the effects.

Run: python examples/plot_04_five_tokens_regression.py
"""

import numpy as np
import pandas as pd

from sklearn_embed import EmbeddingEncoder

rng = np.random.RandomState(0)
effects = {"vv": -20.0, "w": -10.0, "o": 0.0, "p": 10.0, "pp": 20.0}
tokens = rng.choice(list(effects), size=10_000)
X = pd.DataFrame({"token": tokens})
y = np.array([effects[t] for t in tokens]) + rng.normal(scale=5.0, size=10_000)

encoder = EmbeddingEncoder(hidden_layer_sizes=(64, 32), random_state=0).fit(X, y)
neighbours = encoder.most_similar("token", "pp", n=4, metric="euclidean")
print("Nearest to 'pp' (effect +20) by Euclidean distance:")
print(neighbours.round(3).to_string(index=False))
assert neighbours["category"].tolist() == ["p", "o", "w", "vv"]
