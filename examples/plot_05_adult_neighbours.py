"""5. Nearest occupations and countries in the bundled Adult sample, and the 2-D plot
==================================================================================

Run: python examples/plot_05_adult_neighbours.py [output_dir]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from sklearn_embed import EmbeddingEncoder, load_adult_sample

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
X, y = load_adult_sample()
# smooth=0: keep a vector for every category, to look at all of them. The
# default merges categories too rare for their column's noise level into the
# unknown vector (most countries, in this 5,000-row sample), which is what a
# downstream model wants but hides them from view.
encoder = EmbeddingEncoder(smooth=0, random_state=0).fit(X, y)

for column, category in [
    ("occupation", "Exec-managerial"),
    ("occupation", "Handlers-cleaners"),
    ("native-country", "Mexico"),
    ("native-country", "India"),
]:
    neighbours = encoder.most_similar(column, category, n=3)
    print(
        f"{column} = {category}:",
        ", ".join(f"{c} ({d:.2f})" for c, d in neighbours.itertuples(index=False)),
    )

ax = encoder.plot_embeddings("occupation")
ax.figure.savefig(out / "example5_occupation.png", dpi=110, bbox_inches="tight")
print("wrote", out / "example5_occupation.png")
