"""1. Logistic regression on one numeric feature plus a 2-D embedding of four categories
=====================================================================================

The classic first picture of entity embeddings: categories A..D, a numeric x and
a binary y, no hidden layer, so the model is a logistic regression whose
inputs include each category's 2-D vector. A and C come with y = 0, B and D with
y = 1: their vectors are pushed in opposite directions along the output weights.
Writes the decision boundary (PNG) and the vectors moving over the epochs (GIF).

Run: python examples/plot_01_logistic_embedding_2d.py [output_dir]
"""

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sklearn_embed import EmbeddingEncoder, animate_embeddings

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
X = pd.DataFrame({"category": list("ABCD") * 50, "x": [-1.0, 3.0, -2.0, 4.0] * 50})
y = np.array([0, 1, 0, 1] * 50)

encoder = EmbeddingEncoder(
    embedding_dim=2,
    hidden_layer_sizes=(),
    max_iter=40,
    early_stopping=False,
    record_embeddings=True,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # 40 epochs on purpose: enough to see the picture
    encoder.fit(X, y)
E = encoder.get_embeddings("category")
print("Learned 2-D embeddings:\n", E.round(3))

distance = np.linalg.norm(E.to_numpy()[:, None] - E.to_numpy()[None], axis=2)
print(f"|A-C| = {distance[0, 2]:.3f}, |B-D| = {distance[1, 3]:.3f}, |A-B| = {distance[0, 1]:.3f}")
assert distance[0, 2] < distance[0, 1] and distance[1, 3] < distance[0, 1]

# The model is p = sigmoid(w_e . e + w_x * x_std + b): for each category the
# boundary p = 0.5 sits at its own value of x.
weights, bias = encoder.coefs_[0][:, 0], encoder.intercepts_[0][0]
w_embedding, w_x = weights[:2], weights[2]
x_mean, x_scale = encoder.numeric_mean_[0], encoder.numeric_scale_[0]
boundary = {c: x_mean - x_scale * (E.loc[c].to_numpy() @ w_embedding + bias) / w_x for c in E.index}
print("x at which p = 0.5, per category:", {c: round(float(v), 2) for c, v in boundary.items()})

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
for row, category in enumerate("ABCD"):
    xs = X["x"][X["category"] == category].iloc[0]
    left.scatter(xs, row, c="C1" if y[row] else "C0", s=80, zorder=3)
    left.plot(boundary[category], row, "k|", markersize=18)
left.set_yticks(range(4), list("ABCD"))
left.set_xlabel("x  (dot: observation, orange y=1; bar: decision boundary)")
left.set_title("Decision boundary per category")
history = encoder.embedding_history_[0][:, :4]
for i, category in enumerate("ABCD"):
    right.plot(history[:, i, 0], history[:, i, 1], "-", color=f"C{i}", alpha=0.6)
    right.annotate(category, history[-1, i], fontsize=12)
right.set_title("Embedding trajectories over the epochs")
fig.savefig(out / "example1_boundary.png", dpi=100, bbox_inches="tight")
print("wrote", animate_embeddings(encoder, "category", out / "example1_embeddings.gif", fps=10))
