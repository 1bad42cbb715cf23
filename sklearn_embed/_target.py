"""The target: its type, its classes, and the form the network trains on.

:func:`encode_target` is a pure function of ``y``; the :class:`Target` it returns
holds everything the rest of the fit needs to know about the target.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from pandas.api.types import CategoricalDtype
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array

from ._exceptions import DataWarning
from ._statistics import mean_and_scale
from ._vocabulary import as_python, value_kind

TARGET_TYPES = ("binary", "multiclass", "continuous")

# Who reads a target against a fitted one, for messages: what it continues, and what to
# do when y does not fit. "stream": partial_fit after its first call; "partial_fit": its
# first call after fit (or load); "score"; "warm_start": fit with warm_start=True.
CONTINUED_BY = {
    "warm_start": (
        "warm_start continues the previous fit",
        "Fit with warm_start=False to start over.",
    ),
    "partial_fit": (
        "partial_fit continues the fit before it (or the encoder loaded)",
        "Fit again on rows with every label (fit starts over), or pass y of that target.",
    ),
    "stream": (
        "partial_fit fixes the target on its first call",
        "Pass classes=[every label of the whole data] to that call.",
    ),
    "score": (
        "score reads y as the fitted network's target",
        "Score on rows whose labels the network was fitted on.",
    ),
}

# A numeric target with more distinct whole numbers than this is read as a
# quantity (minutes of delay, miles per gallon, counts), not as class labels.
# Fixed, not a share of the rows: the reading must not change with the table's size.
MAX_WHOLE_NUMBER_CLASSES = 20


@dataclass(frozen=True)
class Target:
    """An encoded target.

    Attributes
    ----------
    type : {"binary", "multiclass", "continuous"}
    y : ndarray or None
        What the network trains on: 0/1 of shape (n_samples, 1), class codes of
        shape (n_samples,) (one-hot rows are built per batch, so that a target
        with many classes never exists as a dense matrix), or standardised
        values of shape (n_samples, n_outputs); float32, codes int32.
    classes : ndarray or None
        Class labels (classification).
    stratify : ndarray of int or None
        Class codes, for a stratified validation split (classification).
    mean, scale : ndarray of shape (n_outputs,) or None
        The standardisation of a continuous target.
    findings : tuple of DataWarning
        What reading the target had to guess (an ambiguous type).
    """

    type: str
    y: np.ndarray = None
    classes: np.ndarray = None
    stratify: np.ndarray = None
    mean: np.ndarray = None
    scale: np.ndarray = None
    findings: tuple = ()

    @property
    def n_outputs(self):
        """Width of the network's output: one per class (multiclass), per output, or 1 (binary)."""
        if self.type == "multiclass":
            return len(self.classes)
        return 1 if self.type == "binary" else len(self.mean)

    @classmethod
    def restore(cls, attributes, layout):
        """The target of a saved encoder, from the parts of its model file."""
        return cls(
            attributes["target_type_"],
            classes=attributes.get("classes_"),
            mean=layout["target_mean"],
            scale=layout["target_scale"],
        )

    def continuing(self, previous, by="warm_start"):
        """This target as the ``previous`` fit's network reads it, for a warm start.

        A continuous target is standardised with the previous mean and scale,
        so that the network's output keeps its meaning. ``by`` is who continues
        (a key of ``CONTINUED_BY``), for the message.

        Raises
        ------
        ValueError
            If the target's type, classes or number of outputs changed.
        """
        before, now = _description(previous), _description(self)
        if before != now:
            continues, fix = CONTINUED_BY[by]
            raise ValueError(
                f"{continues}, whose target was {before}; y now is {now}. "
                + ("" if by == "score" else fix)
            )
        if self.mean is None:
            return self
        y = (self.y * self.scale + self.mean - previous.mean) / previous.scale
        return replace(self, y=y.astype(np.float32), mean=previous.mean, scale=previous.scale)

    def encode_more(self, y, n_samples, by="stream"):
        """More rows of this target, coded as the fitted ones were.

        ``by`` is who reads them (a key of ``CONTINUED_BY``: ``partial_fit``'s
        later calls, its first call after ``fit``, ``score``), for the message
        when they do not fit.
        """
        target = encode_target(y, n_samples, self.type, self.classes, continued_by=by)
        return target.continuing(self, by)

    def without_rows(self):
        """The same target without its per-row arrays and findings, to keep after fit."""
        return replace(self, y=None, stratify=None, findings=())

    def to_original_scale(self, output):
        """Network outputs as probabilities, or as targets on their own scale."""
        if self.type == "continuous":
            return output * self.scale + self.mean
        return output

    def signal(self, y=None):
        """Per row of ``y`` (default: this target's): the first output on its own scale, or the share of the last class.

        For a binary target the last class is the positive one; this is what the
        plots colour categories by.
        """
        y = self.y if y is None else y
        if self.type == "continuous":
            return y[:, 0] * self.scale[0] + self.mean[0]
        if self.type == "multiclass":
            return (y == len(self.classes) - 1).astype(np.float32)
        return y[:, -1]

    def signal_means(self, tally):
        """:meth:`signal`'s mean per entry of a :class:`~sklearn_embed._statistics.Tally`.

        NaN where an entry has no rows.
        """
        sums = tally.last_output() if self.classes is not None else tally.sums[:, 0]
        counts = tally.weight
        means = np.divide(sums, counts, out=np.full(len(counts), np.nan), where=counts > 0)
        return means * self.scale[0] + self.mean[0] if self.type == "continuous" else means


def encode_target(  # noqa: PLR0913
    y, n_samples, target_type="auto", classes=None, partial=False, continued_by=None
):
    """Validate ``y`` and encode it for the network.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    n_samples : int
        Rows of ``X``, which ``y`` must match.
    target_type : {"auto", "binary", "multiclass", "continuous"}
        "auto" reads the type from the values: see :func:`_read_target_type`.
    classes : array-like or None
        Every label of the whole target (``partial_fit``): ``y`` is coded
        against them and may hold only some of them.
    partial : bool
        Whether ``y`` is the first chunk of a ``partial_fit`` without
        ``classes``: its labels are then the classes, and a chunk with one
        label only is an error that asks for ``classes``.
    continued_by : str or None
        Where ``classes`` come from when they are a fitted target's (a key of
        ``CONTINUED_BY``), for the message on labels outside them; None: the
        ``classes`` parameter of ``partial_fit``.

    Returns
    -------
    target : Target
    """
    if y is None:
        raise ValueError("EmbeddingEncoder requires y to be passed, but the target y is None.")
    labels = isinstance(getattr(y, "dtype", None), CategoricalDtype)
    if getattr(getattr(y, "dtype", None), "kind", None) == "c":
        raise TypeError("y holds values of types ['complex']; a target must hold real numbers.")
    if isinstance(y, (list, tuple)):
        # check_array would turn [1, True, "a"] into one dtype and merge the labels.
        _value_kind(np.asarray(y, dtype=object).ravel())
    elif hasattr(getattr(y, "dtype", None), "numpy_dtype") and not pd.isna(y).any():
        y = y.to_numpy(dtype=y.dtype.numpy_dtype)  # nullable Int64 / boolean: keep the labels' type
    y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=False, input_name="y")
    if y.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}; they must match.")
    n_missing = int(pd.isna(y).sum()) if y.dtype.kind in "fcOUS" else 0
    if n_missing:
        raise ValueError(
            f"y contains {n_missing} missing values (NaN/None); drop those rows "
            "or impute the target before fitting."
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(
            f"y contains {int(np.isinf(y).sum())} infinite values; drop those rows or "
            "replace them before fitting."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if classes is not None:
        return _given_classes(y, np.unique(np.asarray(classes)), target_type, continued_by)
    findings = ()
    if target_type == "auto":
        target_type, findings = _read_target_type(y, labels)
    if target_type == "continuous":
        target = _continuous(y, n_samples)
    else:
        target = _classes(y, target_type, partial)
    return replace(target, findings=findings)


def _read_target_type(y, labels):
    """What ``target_type="auto"`` reads ``y`` as, and the finding when it had to guess.

    The rule, where scikit-learn's ``type_of_target`` calls every whole-number
    target "multiclass":

    - strings, booleans and pandas categoricals are class labels: "binary" with
      two classes, else "multiclass" (with a :class:`~sklearn_embed.DataWarning`
      when more than 20 strings all read as numbers: prices saved as text);
    - numbers with a fractional part are "continuous";
    - whole numbers (integers, or floats such as 3.0) are class labels when
      there are at most 20 distinct values (2: "binary"; 3 to 20: "multiclass",
      with a :class:`~sklearn_embed.DataWarning`, since ratings and small counts
      look the same), and "continuous" above 20 (minutes, miles per gallon,
      counts), whatever the number of rows;
    - a 2-D numeric ``y`` is "continuous" (several outputs).

    ``labels``: whether ``y`` came as a pandas categorical (class labels whatever
    their values).

    Returns
    -------
    target_type : {"binary", "multiclass", "continuous"}
    findings : tuple of DataWarning
    """
    if y.ndim == 2:
        inferred = type_of_target(y, input_name="y")
        if inferred != "continuous-multioutput" and not (
            inferred == "multiclass-multioutput" and y.dtype.kind in "iuf"
        ):
            raise ValueError(
                f"Unknown label type {inferred!r}: a 2-D y must hold several continuous "
                "outputs; class labels must be 1-D."
            )
        return "continuous", ()
    if labels or _value_kind(y) == "labels":
        return _read_labels(np.unique(y), categorical=labels)
    if y.dtype.kind not in "iu":  # floats, or numbers in an object array
        values = y.astype(np.float64)
        if not np.isfinite(values).all():
            raise ValueError(f"y contains {int(np.isinf(values).sum())} infinite values.")
        if not np.array_equal(values, np.round(values)):
            return "continuous", ()
    # Counted in y's own dtype: 2**60 + 1 and 2**60 are one float64 but two labels.
    n_distinct = len(np.unique(y))
    if n_distinct <= 2:
        return "binary", ()
    if n_distinct > MAX_WHOLE_NUMBER_CLASSES:
        return "continuous", ()
    message = (
        f"y holds {n_distinct} distinct whole numbers, read as {n_distinct} classes "
        f"(target_type='multiclass'). If y is a quantity (a count, a rating, minutes), "
        "pass target_type='continuous'; pass target_type='multiclass' to silence this."
    )
    return "multiclass", (DataWarning(message, kind="ambiguous_target"),)


def _read_labels(classes, categorical):
    """Class labels: "binary" for two, else "multiclass", warned of when they read as numbers.

    A pandas categorical is not warned of: its dtype says its values are labels.
    """
    if len(classes) <= 2:
        return "binary", ()
    return "multiclass", () if categorical else _numbers_as_text(classes)


def _numbers_as_text(classes):
    """The finding for many strings that all read as numbers (prices saved as text)."""
    if len(classes) <= MAX_WHOLE_NUMBER_CLASSES or classes.dtype.kind not in "OU":
        return ()
    if pd.to_numeric(pd.Series(classes, dtype=object), errors="coerce").isna().any():
        return ()
    message = (
        f"y holds {len(classes):,} distinct class labels that all read as numbers (e.g. "
        f"{as_python(classes[:3].tolist())}), read as {len(classes):,} classes. If y is a "
        "quantity, convert it, y.astype(float), and it is read as continuous; pass "
        "target_type='multiclass' to silence this."
    )
    return (DataWarning(message, kind="ambiguous_target"),)


def _value_kind(y):
    """ "labels" or "numbers"; a ``TypeError`` for values that are neither, or both."""
    kind = y.dtype.kind
    if kind in "iuf":
        return "numbers"
    if kind in "bUS":
        return "labels"
    if kind == "O" and value_kind(y) != "other":
        return "numbers" if value_kind(y) == "number" else "labels"
    examples = pd.unique(pd.Series(y[:1000].astype(str))).tolist()[:5] if kind == "O" else []
    types = sorted({type(value).__name__ for value in y.ravel()}) if kind == "O" else [str(y.dtype)]
    raise TypeError(
        f"y holds values of types {types} (e.g. {examples}); a target must hold only "
        "class labels (strings or booleans) or only real numbers. Convert it first, "
        "e.g. y.astype(str) for labels or y.astype(float) for a quantity."
    )


def _continuous(y, n_samples):
    if y.dtype.kind == "O":
        _value_kind(y)
    try:
        values = y.astype(np.float64).reshape(n_samples, -1)
    except (TypeError, ValueError) as error:
        raise ValueError(f"target_type='continuous' needs numeric y: {error}") from None
    if not np.isfinite(values).all():  # numbers written as strings or objects
        raise ValueError(f"y contains {int(np.isinf(values).sum())} infinite values.")
    # Safe at any scale: y in units of 1e160 or 1e-300 trains as y itself does.
    mean, scale = mean_and_scale(values)
    standardised = ((values - mean) / scale).astype(np.float32)
    return Target("continuous", standardised, mean=mean, scale=scale)


def _classes(y, target_type, partial=False):
    if y.ndim != 1:
        raise ValueError(f"target_type={target_type!r} needs a 1-D y, got shape {y.shape}.")
    _value_kind(y)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) == 1:
        advice = (
            " The first call to partial_fit takes its classes from its chunk: pass classes, "
            "every label of the whole data."
            if partial
            else ""
        )
        raise ValueError(
            f"y contains only one class ({as_python(classes[0])!r}); at least 2 classes "
            f"are needed to learn embeddings from a classification target.{advice}"
        )
    if target_type == "binary" and len(classes) > 2:
        raise ValueError(
            f"target_type='binary' but y has {len(classes)} classes; use 'multiclass'."
        )
    return class_target(codes, classes, target_type)


def _given_classes(y, classes, target_type, continued_by=None):
    """Class codes of ``y`` against the labels ``classes`` (sorted, unique).

    ``continued_by``: who fixed the classes (see :func:`encode_target`).
    """
    if target_type == "continuous":
        raise ValueError("classes is for a classification target; target_type is 'continuous'.")
    if len(classes) < 2 or (target_type == "binary" and len(classes) > 2):
        raise ValueError(
            f"classes must hold 2 labels for binary and 2 or more for multiclass, got {len(classes)}."
        )
    if y.ndim != 1:
        raise ValueError(f"A classification target must be 1-D, got shape {y.shape}.")
    unknown = ~np.isin(y, classes)
    if unknown.any():
        if continued_by is None:
            cause = "classes must hold every label of the whole data."
        else:
            continues, fix = CONTINUED_BY[continued_by]
            cause = f"{continues}, and its classes. {fix}"
        raise ValueError(
            f"y has labels {as_python(pd.unique(y[unknown])[:5].tolist())} that are not in classes "
            f"{as_python(classes[:10].tolist())}: {cause}"
        )
    codes = np.searchsorted(classes, y)
    return class_target(codes, classes, target_type)


def class_target(codes, classes, target_type):
    """Class codes as the network trains on them: 0/1 in one column for a binary target.

    Two classes are binary unless ``target_type`` is "multiclass" (a softmax
    over two classes, kept through ``partial_fit`` and the model file).
    """
    if target_type == "binary" or (target_type == "auto" and len(classes) == 2):
        return Target("binary", codes.astype(np.float32)[:, None], classes, stratify=codes)
    return Target("multiclass", codes.astype(np.int32), classes, stratify=codes)


def _description(target):
    """The target's type with its classes or its number of outputs, for comparisons."""
    if target.classes is not None:
        return f"{target.type} with classes {as_python(target.classes.tolist())}"
    return f"{target.type} with {len(target.mean)} output(s)"
