"""Synthetic data of the speed benchmark, deterministic by seed.

Three categorical columns with nominal cardinalities 10, 1,000 and 100,000 and
Zipf(1.05) frequencies, three standard-normal numeric columns, and a target made
of hidden per-category effects, an interaction of the first two categorical
columns, and a linear numeric effect (binary: Bernoulli of its sigmoid;
regression: plus Gaussian noise).
"""

import numpy as np

CARDINALITIES = (10, 1_000, 100_000)
EMBEDDING_DIMS = (6, 50, 50)
ZIPF_EXPONENT = 1.05


def zipf_codes(rng, cardinality, n):
    """``n`` draws of categories 0..cardinality-1 with Zipf frequencies, ids shuffled."""
    probabilities = 1.0 / np.arange(1, cardinality + 1) ** ZIPF_EXPONENT
    probabilities /= probabilities.sum()
    draws = rng.choice(cardinality, size=n, p=probabilities)
    return rng.permutation(cardinality)[draws].astype(np.int32)


def hidden_law(seed):
    """The per-category effects, the interaction table and the numeric slopes."""
    law = np.random.RandomState(seed)
    effects = [law.normal(scale=s, size=k) for s, k in zip((0.5, 0.7, 0.7), CARDINALITIES)]
    interaction = law.normal(scale=0.5, size=(CARDINALITIES[0], CARDINALITIES[1]))
    beta = law.normal(scale=0.5, size=3)
    return effects, interaction, beta


def draw(n, law, task, rng):
    """Codes (n, 3) int32, numeric (n, 3) float32 and y (n,) float32 from ``law``."""
    effects, interaction, beta = law
    codes = np.column_stack([zipf_codes(rng, k, n) for k in CARDINALITIES])
    numeric = rng.normal(size=(n, 3)).astype(np.float32)
    signal = sum(e[codes[:, j]] for j, e in enumerate(effects))
    signal += interaction[codes[:, 0], codes[:, 1]] + numeric @ beta
    if task == "binary":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-signal))).astype(np.float32)
    else:
        y = (signal + rng.normal(size=n)).astype(np.float32)
    return codes, numeric, y


def train_validation(n_train, n_validation=100_000, task="binary", seed=0):
    """Training and validation sets drawn from one hidden law."""
    law = hidden_law(seed)
    train = draw(n_train, law, task, np.random.RandomState(seed + 1))
    validation = draw(n_validation, law, task, np.random.RandomState(seed + 2))
    return train, validation
