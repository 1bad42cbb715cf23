"""Running a fitted encoder inside Spark: ``DataFrame.mapInPandas``.

Spark hands the function pandas batches whose dtypes need not be the training
frame's: strings arrive as ``object``, integer columns with nulls as
``float64``, categoricals as their values. ``transform`` matches categories by
value (an integer code read back as ``7030.0`` finds ``7030``), so the batches
go in as they come. Nothing here imports pyspark: the function and the schema
are plain Python, and Spark ships the fitted encoder to its workers by pickling.
"""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted


def map_in_pandas(encoder, keep=None):
    """The function and schema that run ``encoder.transform`` in Spark's ``mapInPandas``.

    Parameters
    ----------
    encoder : EmbeddingEncoder
        Fitted on a DataFrame (its columns are taken by name from each batch).
    keep : dict, default=None
        ``{column: Spark SQL type}`` of input columns to copy into the output,
        first (ids, to join the rows back), e.g. ``{"user_id": "bigint"}``. A
        column that the output passes through anyway is written once, first,
        with its values as they came and the type given here.

    Returns
    -------
    function : callable
        Takes an iterator of pandas batches, yields the transformed batches.
    schema : str
        The output's schema in Spark's DDL: the ``keep`` columns, then
        ``get_feature_names_out()`` (but the ``keep`` columns) as ``double``
        (``float`` with ``dtype=np.float32``).

    Raises
    ------
    ValueError
        If a ``keep`` column has the name of an output column that is not that
        input column passed through (``shop_emb0``, ``network_log_odds``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_embed import EmbeddingEncoder, map_in_pandas
    >>> X = pd.DataFrame({"shop": ["a", "b", "c"] * 20, "price": [9.5, 12.0, 3.25] * 20})
    >>> enc = EmbeddingEncoder(embedding_dim=2, max_iter=3).fit(X, [0, 1, 1] * 20)
    >>> function, schema = map_in_pandas(enc)
    >>> schema
    '`shop_emb0` double, `shop_emb1` double, `price` double'
    >>> next(function(iter([X.head(2)]))).shape  # spark_df.mapInPandas(function, schema)
    (2, 3)
    """
    check_is_fitted(encoder)
    if not hasattr(encoder, "feature_names_in_"):
        raise ValueError(
            "map_in_pandas needs an encoder fitted on a DataFrame: it takes columns by name."
        )
    if keep is not None and not isinstance(keep, dict):
        raise TypeError(
            f"keep must be a dict {{column: Spark SQL type}}, e.g. {{'id': 'bigint'}}; got {keep!r}."
        )
    keep = dict(keep or {})
    columns = list(encoder.feature_names_in_)
    names = encoder.get_feature_names_out().tolist()
    embedded = set(encoder.categorical_features_)
    passed = {name for name in names if name in columns and name not in embedded}
    clash = [name for name in keep if name in names and name not in passed]
    if clash:
        raise ValueError(
            f"keep names {clash}, which are also output columns of the encoder "
            "(get_feature_names_out()): copy those input columns under another name."
        )
    shown = [name for name in names if name not in keep]  # a kept passed-through column: once
    kind = "float" if np.dtype(encoder.dtype) == np.float32 else "double"
    fields = [*keep.items(), *((name, kind) for name in shown)]
    # DDL quotes a name in backticks, and a backtick inside it by doubling it.
    quoted = [(str(name).replace("`", "``"), spark_type) for name, spark_type in fields]
    schema = ", ".join(f"`{name}` {spark_type}" for name, spark_type in quoted)

    def transform_batches(batches):
        for batch in batches:
            out = pd.DataFrame(np.asarray(encoder.transform(batch[columns])), columns=names)
            yield pd.concat([batch[list(keep)].reset_index(drop=True), out[shown]], axis=1)

    return transform_batches, schema
