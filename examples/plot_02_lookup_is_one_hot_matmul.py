"""2. A lookup is a one-hot row times the embedding matrix
=======================================================

For a fitted table E (one row per category), transform's vector for category k
is E[k], which is exactly one_hot(k) @ E. The library never builds the one-hot
matrix; this shows the two agree.

Run: python examples/plot_02_lookup_is_one_hot_matmul.py
"""

import numpy as np
import pandas as pd

from sklearn_embed import EmbeddingEncoder, load_adult_sample

X, y = load_adult_sample()
encoder = EmbeddingEncoder(random_state=0).fit(X, y)

column = "occupation"
k = encoder.categorical_features_.tolist().index(column)
E = encoder.embeddings_[k]  # (n_categories + 1, dim): the last row is the unknown vector
# The row of each value: its position in categories_, or the last (unknown) row.
codes = pd.Index(encoder.categories_[k]).get_indexer(X[column].head(10))
codes[codes < 0] = len(E) - 1
one_hot = np.eye(E.shape[0], dtype=E.dtype)[codes]

by_matmul = one_hot @ E
by_lookup = E[codes]
names = encoder.get_feature_names_out()
from_transform = encoder.transform(X.head(10))[:, [n.startswith(column + "_emb") for n in names]]

print(f"{column}: table {E.shape}, one-hot block {one_hot.shape}")
print("max |one_hot @ E - E[codes]|       =", np.abs(by_matmul - by_lookup).max())
print("max |one_hot @ E - transform(X)|   =", np.abs(by_matmul - from_transform).max())
assert np.array_equal(by_matmul, by_lookup)
assert np.array_equal(by_matmul, from_transform)
