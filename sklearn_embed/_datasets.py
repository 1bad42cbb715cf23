"""The small real data set shipped with the package, for the demo and the examples."""

from importlib import resources

import pandas as pd


def load_adult_sample() -> tuple[pd.DataFrame, pd.Series]:
    """Load 5,000 rows of the UCI Adult census data (CC BY 4.0).

    The source's missing-value marker ``?`` is read as a missing value, so
    ``workclass``, ``occupation`` and ``native-country`` have NaN, which
    :class:`EmbeddingEncoder` embeds as a category of its own. See
    ``sklearn_embed/data/README.md`` for the source and the attribution.

    Returns
    -------
    X : pandas.DataFrame of shape (5000, 14)
        Eight string columns and six integer columns.
    y : pandas.Series of shape (5000,)
        ``income``: ``"<=50K"`` or ``">50K"``.

    Examples
    --------
    >>> from sklearn_embed import load_adult_sample
    >>> X, y = load_adult_sample()
    >>> X.shape, y.value_counts().to_dict()
    ((5000, 14), {'<=50K': 3777, '>50K': 1223})
    >>> int(X["occupation"].isna().sum())
    280
    """
    path = resources.files("sklearn_embed") / "data" / "adult_sample.csv.gz"
    with resources.as_file(path) as file:
        frame = pd.read_csv(file, na_values=["?"], keep_default_na=False)
    return frame.drop(columns="income"), frame["income"]
