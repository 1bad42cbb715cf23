"""8. Vectors learned for one target start the model of another: "embeddings are just weights"
===========================================================================================

Last year's 20,000 sales taught the product vectors through the price. This
year's target is another one, whether an item was returned, with only 2,000
rows so far (about 7 per product); both depend on the product's hidden quality.
Started from last year's tables (``initial_embeddings=last_year``), the new
encoder gives a logistic regression downstream after one epoch a test ROC AUC
that training from scratch does not reach in 30.

Run: python examples/plot_08_reuse_for_another_target.py
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

from sklearn_embed import EmbeddingEncoder

rng = np.random.RandomState(0)
products = np.array([f"p{i:03d}" for i in range(300)])
quality = rng.normal(size=len(products))


def rows(n):
    """Sales rows (product, store) and the hidden quality of each row's product."""
    product = rng.randint(len(products), size=n)
    X = pd.DataFrame({"product": products[product], "store": rng.choice(list("abcdefgh"), n)})
    return X, quality[product]


X_last, q_last = rows(20_000)
price = 10 + 3 * q_last + rng.normal(size=len(q_last))
last_year = EmbeddingEncoder(random_state=0).fit(X_last, price)


def returns(n):
    X, q = rows(n)
    return X, (q + rng.normal(size=n) < -1).astype(int)  # poor products come back


X_train, y_train = returns(2_000)
X_test, y_test = returns(5_000)


def test_auc(initial, epochs):
    """Test ROC AUC of a logistic regression on vectors trained for ``epochs`` epochs."""
    encoder = EmbeddingEncoder(
        initial_embeddings=initial, max_iter=epochs, early_stopping=False, random_state=0
    )
    model = make_pipeline(encoder, LogisticRegression()).fit(X_train, y_train)
    return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])


warnings.filterwarnings(
    "ignore", category=ConvergenceWarning
)  # stopped after a few epochs on purpose
print("epochs   from scratch   from last year's tables")
scores = {}
for epochs in (1, 3, 10, 30):
    scores[epochs] = test_auc(None, epochs), test_auc(last_year, epochs)
    print(f"{epochs:>6}   {scores[epochs][0]:12.3f}   {scores[epochs][1]:23.3f}")

# One epoch from last year's tables beats thirty from scratch.
assert scores[1][1] > scores[30][0]
