"""Supervised entity embeddings for categorical columns, as a scikit-learn transformer."""

from ._datasets import load_adult_sample
from ._encoder import EmbeddingEncoder
from ._exceptions import DataWarning
from ._model_file._persistence import ModelFileError
from ._plotting import animate_embeddings
from ._spark import map_in_pandas
from ._version import __version__

#: The package's types that a skops file of a fitted encoder, or of a pipeline
#: holding one, names: what ``skops.io.load(file, trusted=...)`` must be given
#: besides the types skops trusts by default (see "Saving and loading" in the
#: user guide). The encoder's private state is written as plain data, so this
#: is the encoder's class alone.
SKOPS_TRUSTED_TYPES = [f"{EmbeddingEncoder.__module__}.{EmbeddingEncoder.__qualname__}"]

__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "DataWarning",
    "EmbeddingEncoder",
    "ModelFileError",
    "__version__",
    "animate_embeddings",
    "load_adult_sample",
    "map_in_pandas",
]
