"""The target: its type, its classes, and the form the network trains on.

:func:`encode_target` is a pure function of ``y``; the :class:`Target` it returns
holds everything the rest of the fit needs to know about the target.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array

from ._columns import safe_scale

TARGET_TYPES = ("binary", "multiclass", "continuous")

# type_of_target's verdicts that the network can learn, and as what.
_INFERRED = {
    "binary": "binary",
    "multiclass": "multiclass",
    "continuous": "continuous",
    "continuous-multioutput": "continuous",
}


@dataclass(frozen=True)
class Target:
    """An encoded target.

    Attributes
    ----------
    type : {"binary", "multiclass", "continuous"}
    y : ndarray of float32, shape (n_samples, n_outputs) or None
        What the network trains on: 0/1, one-hot, or standardised values.
    classes : ndarray or None
        Class labels (classification).
    stratify : ndarray of int or None
        Class codes, for a stratified validation split (classification).
    mean, scale : ndarray of shape (n_outputs,) or None
        The standardisation of a continuous target.
    """

    type: str
    y: np.ndarray = None
    classes: np.ndarray = None
    stratify: np.ndarray = None
    mean: np.ndarray = None
    scale: np.ndarray = None

    def without_rows(self):
        """The same target without its per-row arrays, to keep after fit."""
        return replace(self, y=None, stratify=None)

    def to_original_scale(self, output):
        """Network outputs as probabilities, or as targets on their own scale."""
        if self.type == "continuous":
            return output * self.scale + self.mean
        return output

    def signal(self):
        """Per row: the first output on its own scale, or the share of the last class.

        For a binary target the last class is the positive one; this is what the
        plots colour categories by.
        """
        if self.type == "continuous":
            return self.y[:, 0] * self.scale[0] + self.mean[0]
        return self.y[:, -1]


def encode_target(y, n_samples, target_type="auto"):
    """Validate ``y`` and encode it for the network.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    n_samples : int
        Rows of ``X``, which ``y`` must match.
    target_type : {"auto", "binary", "multiclass", "continuous"}
        "auto" uses :func:`~sklearn.utils.multiclass.type_of_target`.

    Returns
    -------
    target : Target
    """
    if y is None:
        raise ValueError("EmbeddingEncoder requires y to be passed, but the target y is None.")
    y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=False, input_name="y")
    if y.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}; they must match.")
    n_missing = int(pd.isna(y).sum()) if y.dtype.kind in "fcOUS" else 0
    if n_missing:
        raise ValueError(
            f"y contains {n_missing} missing values (NaN/None); drop those rows "
            "or impute the target before fitting."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if target_type == "auto":
        inferred = type_of_target(y, input_name="y")
        if inferred not in _INFERRED:
            raise ValueError(
                f"Unknown label type {inferred!r}: y must be binary, "
                "multiclass or continuous (several continuous outputs are allowed)."
            )
        target_type = _INFERRED[inferred]
    if target_type == "continuous":
        return _continuous(y, n_samples)
    return _classes(y, target_type)


def _continuous(y, n_samples):
    try:
        values = y.astype(np.float64).reshape(n_samples, -1)
    except (TypeError, ValueError) as error:
        raise ValueError(f"target_type='continuous' needs numeric y: {error}") from None
    if not np.isfinite(values).all():
        raise ValueError("y contains infinite values.")
    mean = values.mean(axis=0)
    scale = safe_scale(values.std(axis=0))
    standardised = ((values - mean) / scale).astype(np.float32)
    return Target("continuous", standardised, mean=mean, scale=scale)


def _classes(y, target_type):
    if y.ndim != 1:
        raise ValueError(f"target_type={target_type!r} needs a 1-D y, got shape {y.shape}.")
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) == 1:
        raise ValueError(
            f"y contains only one class ({classes[0]!r}); at least 2 classes "
            "are needed to learn embeddings from a classification target."
        )
    if target_type == "binary":
        if len(classes) > 2:
            raise ValueError(
                f"target_type='binary' but y has {len(classes)} classes; use 'multiclass'."
            )
        return Target("binary", codes.astype(np.float32)[:, None], classes, stratify=codes)
    one_hot = np.eye(len(classes), dtype=np.float32)[codes]
    return Target("multiclass", one_hot, classes, stratify=codes)
