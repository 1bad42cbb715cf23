"""3. Three categories, labels (1, 1, 0, 0) for codes (0, 1, 2, 2)
===============================================================

Codes 0 and 1 always come with label 1 and code 2 with label 0: after training,
the cosine distance puts 0 and 1 together and 2 far away.

Run: python examples/plot_03_cosine_three_categories.py
"""

import pandas as pd

from sklearn_embed import EmbeddingEncoder

X = pd.DataFrame({"code": [0, 1, 2, 2] * 50})
y = [1, 1, 0, 0] * 50
encoder = EmbeddingEncoder(categorical_features=["code"], random_state=0).fit(X, y)

print(encoder.get_embeddings("code").round(3))
neighbours = encoder.most_similar("code", 0, n=2, metric="cosine")
print("Nearest to code 0 by cosine distance:\n", neighbours.round(3).to_string(index=False))
assert neighbours["category"].tolist() == [1, 2]
assert neighbours["distance"].iloc[0] < 0.5 < neighbours["distance"].iloc[1]
