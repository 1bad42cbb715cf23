"""Supervised entity embeddings for categorical columns, as a scikit-learn transformer."""

from ._datasets import load_adult_sample
from ._encoder import EmbeddingEncoder
from ._exceptions import DataWarning
from ._persistence import ModelFileError
from ._plotting import animate_embeddings
from ._spark import map_in_pandas
from ._version import __version__

__all__ = [
    "DataWarning",
    "EmbeddingEncoder",
    "ModelFileError",
    "__version__",
    "animate_embeddings",
    "load_adult_sample",
    "map_in_pandas",
]
