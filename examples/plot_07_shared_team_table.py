"""7. Two inputs, one table: home and away team share their vectors
================================================================

A synthetic league: 60 teams of hidden strength, 800 matches, and the home side
wins with a probability set by the strength difference. Each team plays about
13 home and 13 away matches. With ``shared_embeddings=[["home", "away"]]`` one
1-D table is trained from both columns, so every match teaches both teams'
vectors and the table recovers the strength order better than two separate
tables, each trained from half the matches.

Run: python examples/plot_07_shared_team_table.py
"""

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from sklearn_embed import EmbeddingEncoder

rng = np.random.RandomState(0)
teams = np.array([f"team{i:02d}" for i in range(60)])
strength = pd.Series(rng.normal(size=len(teams)), index=teams)
home = rng.randint(len(teams), size=800)
away = (home + rng.randint(1, len(teams), size=800)) % len(teams)  # never the same team
p_home_win = 1 / (
    1 + np.exp(-2 * (strength.iloc[home].to_numpy() - strength.iloc[away].to_numpy()))
)
X = pd.DataFrame({"home": teams[home], "away": teams[away]})
y = (rng.uniform(size=800) < p_home_win).astype(int)

# One dimension and a logistic output: each team's vector is its strength, up to scale.
params = {"embedding_dim": 1, "hidden_layer_sizes": (), "random_state": 0}
shared = EmbeddingEncoder(shared_embeddings=[["home", "away"]], **params).fit(X, y)
separate = EmbeddingEncoder(**params).fit(X, y)


def recovered(table):
    """|Spearman correlation| between a 1-D table and the true strengths."""
    return abs(spearmanr(table.iloc[:, 0], strength.reindex(table.index)).statistic)


shared_score = recovered(shared.get_embeddings("home"))
separate_scores = {
    column: recovered(separate.get_embeddings(column)) for column in ("home", "away")
}
print(f"shared table:           rank correlation with strength {shared_score:.3f}")
for column, score in separate_scores.items():
    print(f"separate {column + ' table:':<14} rank correlation with strength {score:.3f}")
# One table: both columns read the same vectors.
assert np.array_equal(shared.get_embeddings("home"), shared.get_embeddings("away"))
assert shared_score > max(separate_scores.values())
