"""Nearest categories in an embedding table (cosine or Euclidean)."""

import numpy as np
import pandas as pd

METRICS = ("cosine", "euclidean")


def nearest_categories(embeddings, category, n=5, metric="cosine"):
    """The ``n`` categories closest to ``category`` in one column's table.

    Parameters
    ----------
    embeddings : pandas.DataFrame
        One row per category, as returned by ``EmbeddingEncoder.get_embeddings``.
    category : object
        A row label of ``embeddings`` (``None`` or NaN for the missing category).
    n : int
        How many neighbours to return (fewer if the table is smaller).
    metric : {"cosine", "euclidean"}
        Cosine distance is measured between vectors centred on the column's
        mean vector.

    Returns
    -------
    neighbours : pandas.DataFrame
        Columns ``category`` and ``distance``, nearest first, without the query.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    position = _position(embeddings.index, category)
    vectors = embeddings.to_numpy(dtype=np.float64)
    distances = _distances(vectors, vectors[position], metric)
    distances[position] = np.inf
    order = np.argsort(distances, kind="stable")[: min(n, len(vectors) - 1)]
    return pd.DataFrame(
        {"category": embeddings.index[order], "distance": distances[order]}
    ).reset_index(drop=True)


def _distances(vectors, query, metric):
    if metric == "euclidean":
        return np.linalg.norm(vectors - query, axis=1)
    # Directions are taken from the column's mean vector, not from the origin: a
    # shift shared by every vector only adds a constant to the first layer (a
    # bias), so the network is blind to it, and cosine from the origin is not.
    centre = vectors.mean(axis=0)
    vectors, query = vectors - centre, query - centre
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(query)
    # A zero vector has no direction: call it maximally far (distance 1).
    cosine = np.divide(vectors @ query, norms, out=np.zeros(len(vectors)), where=norms > 0)
    return 1.0 - cosine


def _position(index, category):
    if pd.isna(category) if np.ndim(category) == 0 else False:
        missing = np.flatnonzero(pd.isna(index))
        if missing.size:
            return int(missing[0])
    else:
        matches = np.flatnonzero(index == category)
        if matches.size:
            return int(matches[0])
    shown = index.tolist()[:10]
    more = f" and {len(index) - 10} more" if len(index) > 10 else ""
    raise KeyError(
        f"Category {category!r} has no vector in column {index.name!r}; its "
        f"categories are {shown}{more}. Unknown and infrequent categories share the "
        "unknown vector."
    )
