"""The warning the encoder gives when it had to guess about the data, and how findings are raised.

The builders below the estimator never warn: they return what they found as
warning instances (findings), and the estimator's public method raises them
once, through :func:`warn_at_caller`, at the line of the user's code that
called it.
"""

import sys
import warnings


class DataWarning(UserWarning):
    """Fit had to guess how to read the data, or transform met data unlike fit's.

    Raised when the target's type was inferred from ambiguous values, when a
    column looks like an identifier or its output is constant, when more than
    1% of a numeric column's values are extreme enough to squash it, when a
    given table matches few of its column's values, when ``transform`` finds
    far more unknown categories in a column than ``fit`` did (or values of
    another kind than the column's), and when its output's dtype cannot hold a
    value (integers beyond 2**53 in float64, magnitudes beyond 3.4e38 in
    float32). Each message says what was done and the one-line change that
    overrides it. Filter it like any
    warning::

        import warnings
        from sklearn_embed import DataWarning
        warnings.filterwarnings("ignore", category=DataWarning)

    Parameters
    ----------
    message : str
    kind : str, default=None
        What was found, for programs that react to it: "ambiguous_target",
        "identifier", "constant_column", "outliers", "unmatched_table",
        "unknown_drift", "output_precision", "float_precision" (floats beyond
        2**53 looked up among integer categories: they get the unknown vector),
        "dates" (a text column of dates embedded as categories),
        "integer_codes" (an integer column used as a number that looks like
        ids or codes),
        "sample_weight" (weights far below one per row), or, from
        ``partial_fit``, "out_of_range" (a
        numeric column past the first chunk's range) and "target_order" (a
        chunk that looks cut from rows sorted by the target).
    column : str, default=None
        The column it is about, if any.
    """

    def __init__(self, message, kind=None, column=None):
        super().__init__(message)
        self.kind = kind
        self.column = column


# Frames of these packages are not the user's: a warning is shown at the first
# frame outside them (scikit-learn's own wrappers, such as _fit_context, and
# meta-estimators like Pipeline, sit between the user and the encoder).
_LIBRARY_PACKAGES = ("sklearn_embed", "sklearn")


def warn_at_caller(findings):
    """Raise each finding (a ``Warning`` instance) at the user's line that led here."""
    if not findings:
        return
    frame, level = sys._getframe(0), 1
    while frame is not None and _is_library(frame):
        frame, level = frame.f_back, level + 1
    for finding in findings:
        warnings.warn(finding, stacklevel=level)


def _is_library(frame):
    module = frame.f_globals.get("__name__", "")
    return module.split(".")[0] in _LIBRARY_PACKAGES


def unique_findings(findings, said=()):
    """``findings`` without those of a (kind, column) in ``said`` or earlier in the list.

    A verdict on a column is heard once, however many chunks or folds reach it;
    a warning without a kind is always kept.
    """
    said, unique = set(said), []
    for finding in findings:
        key = (getattr(finding, "kind", None), getattr(finding, "column", None))
        if key[0] is None or key not in said:
            said.add(key)
            unique.append(finding)
    return unique
