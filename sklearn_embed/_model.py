"""The fitted model: a table in, ``transform``'s output out, as one value.

:class:`FittedModel` holds everything ``transform`` uses: the column coder (the
input layout, :class:`~sklearn_embed._columns.ColumnCoder`), the target's
encoding, and the network (the published tables and the dense weights) with its
activation. It is also the one place that lays the output out, for
``transform``, ``get_feature_names_out``, the ONNX export and the model file:
each embedded column replaced, in place, by its vectors; the numeric columns
passed through; then the network's prediction, on the scale where its output
layer is linear:

- binary target: the log-odds of the positive class (``network_log_odds``);
- multiclass: the log-probability of each class (``network_log_proba_{class}``);
- continuous: the prediction in ``y``'s own units (``network_prediction``, or
  ``network_prediction{k}`` for each of several outputs).

A linear or nearest-neighbour model downstream reads the vectors only through
what the network's hidden layer made of them, which it cannot undo: the
prediction is the one number in which everything the network learned from the
row adds up. What the output holds is the estimator's ``output`` setting
(:data:`OUTPUT_OPTIONS`), given to each method, so that one fitted model serves
all three.
"""

from dataclasses import dataclass

import numpy as np

from ._exceptions import DataWarning
from ._network import predict_in_chunks

OUTPUT_OPTIONS = ("vectors", "vectors+prediction", "prediction")

# transform writes the prediction about this many values (rows x columns) at a
# time, so that 1,000 classes on 200,000 rows never exist as a second copy of
# the output; in whole forward passes of CHUNK_ROWS rows, as the network
# predicts all rows at once, so that the values are the same bit for bit.
BLOCK_VALUES = 1 << 20
CHUNK_ROWS = 8192


def output_mode(output, append_prediction="deprecated"):
    """The output mode the ``output`` and deprecated ``append_prediction`` parameters ask for."""
    if append_prediction == "deprecated":
        return output
    if append_prediction and output != "vectors":
        raise ValueError(
            f"append_prediction=True and output={output!r} contradict each other; "
            "append_prediction is deprecated: pass output only."
        )
    return "vectors+prediction" if append_prediction else output


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A fitted encoder's model: what ``transform`` computes, and how its output is laid out.

    Attributes
    ----------
    coder : ColumnCoder
        The input columns: which are embedded, their vocabularies, the numeric scaling.
    target : Target
        The target's type, classes and scale (no rows).
    network : NetworkParams
        The published tables (one per table, shrunk), the dense weights and
        which table each embedded column looks up (``network.lookups``).
    activation : str
        The hidden layers' activation.
    """

    coder: object
    target: object
    network: object
    activation: str

    @property
    def embeddings(self):
        """The table of each embedded column (a shared table's columns hold the same array)."""
        return self.network.looked_up()

    # -------------------------------------------------------------- layout

    def output_widths(self, output, remainder):
        """Output columns of each input column: its embedding size (0 without vectors), 1 or 0."""
        dims = [table.shape[1] * (output != "prediction") for table in self.embeddings]
        return output_widths(self.coder.categorical_mask, dims, remainder)

    def prediction_names(self, output):
        """The names of the prediction columns ``output`` appends (none for "vectors")."""
        return prediction_names(self.target) if output != "vectors" else []

    def feature_names_out(self, input_features, output, remainder):
        """``f"{column}_emb{j}"`` for embedded columns, the name for passed-through ones, then the prediction's."""
        widths = self.output_widths(output, remainder)
        names = names_out(input_features, self.coder.categorical_mask, widths)
        return np.concatenate([names, np.asarray(self.prediction_names(output), dtype=object)])

    def n_outputs(self, output, remainder):
        """Number of output columns."""
        return sum(self.output_widths(output, remainder)) + len(self.prediction_names(output))

    # -------------------------------------------------------------- computing

    def transform(self, frame, output, remainder, dtype=np.float64, check_unknown=False):  # noqa: PLR0913
        """The output for the rows of ``frame``, and what the user should hear of them.

        Parameters
        ----------
        frame : pandas.DataFrame
            Checked: the columns seen at fit, in order.
        output : {"vectors", "vectors+prediction", "prediction"}
        remainder : {"passthrough", "drop"}
        dtype : np.float64 or np.float32
        check_unknown : bool, default=False
            Raise a ``ValueError`` on categories never seen at fit.

        Returns
        -------
        out : ndarray of shape (n_samples, n_outputs(output, remainder))
        findings : list of DataWarning
            Columns read another way than at fit, values the output's dtype
            cannot hold.
        """
        codes = self.coder.codes(frame, check_unknown=check_unknown)
        findings = self.coder.imprecise_numbers(frame) + self.coder.unknown_drift(frame, codes)
        appended = self.prediction_names(output)
        widths = self.output_widths(output, remainder)
        values = None
        if appended or (remainder == "passthrough" and (~self.coder.categorical_mask).any()):
            values = self.coder.numeric_values(frame)  # read once, for the output and the network
        out = np.empty((frame.shape[0], sum(widths) + len(appended)), dtype=output_dtype(dtype))
        findings += self._write_columns(out, frame, codes, values, widths)
        if appended:
            numeric = self.coder.numeric.apply(values)
            clipped = Clipped.none(len(appended))
            self._write_prediction(out, codes, numeric, clipped)
            findings += clipped.findings(appended)
        return out, findings

    def rewrite_learned(self, out, codes, numeric, output, remainder, clipped):  # noqa: PLR0913
        """Overwrite what this model's tables decide in ``out``, laid out by :meth:`transform`:
        the embedded columns' vectors and the prediction, for rows already encoded.

        Cross-fitting writes each fold's rows this way (``_crossfit``).

        Parameters
        ----------
        out : ndarray of shape (n_rows, n_outputs(output, remainder))
        codes : ndarray of int, shape (n_rows, n_embedded)
            The rows' table rows, as :meth:`network_inputs` gives them.
        numeric : ndarray of shape (n_rows, n_numeric)
            The rows' scaled numbers, as :meth:`network_inputs` gives them.
        output, remainder : str
        clipped : Clipped
            Where the predictions that ``out``'s dtype cannot hold are counted.
        """
        self._write_vectors(out, codes, self.output_widths(output, remainder))
        if self.prediction_names(output):
            self._write_prediction(out, codes, numeric, clipped)

    def _write_vectors(self, out, codes, widths):
        """Each embedded column's block of ``out``: its rows' vectors."""
        starts = np.cumsum([0, *widths])
        for k, i in enumerate(np.flatnonzero(self.coder.categorical_mask)):
            if widths[i]:
                out[:, starts[i] : starts[i + 1]] = np.take(self.embeddings[k], codes[:, k], axis=0)

    def _write_columns(self, out, frame, codes, values, widths):
        """Each input column's block of ``out``: vectors in place, numbers passed through.

        Returns the findings for numbers that ``out``'s dtype cannot hold or rounds.
        """
        self._write_vectors(out, codes, widths)
        starts = np.cumsum([0, *widths])
        findings = []
        numeric_columns = np.flatnonzero(~self.coder.categorical_mask)
        for j, i in enumerate(numeric_columns):
            if widths[i]:
                name = self.coder.feature_names[i]
                out[:, starts[i] : starts[i + 1]], beyond = as_output(values[:, [j]], out.dtype)
                if beyond is not None:
                    findings.append(
                        beyond_float32(name, int(beyond.sum()), values[beyond[:, 0], j][0])
                    )
                findings += rounded_integers(frame.iloc[:, i], out.dtype, name)
        return findings

    def _write_prediction(self, out, codes, numeric, clipped):
        """Fill the last columns of ``out`` with the prediction, a block of rows at a time,
        and count in ``clipped`` (a :class:`Clipped`) the predictions its dtype cannot hold."""
        n_columns = len(prediction_names(self.target))
        block_rows = CHUNK_ROWS * max(1, BLOCK_VALUES // (CHUNK_ROWS * n_columns))
        first = out.shape[1] - n_columns
        for start in range(0, out.shape[0], block_rows):
            rows = slice(start, start + block_rows)
            scores = self.scores(codes[rows], numeric[rows])
            prediction = prediction_columns(scores, self.target)
            out[rows, first:], beyond = as_output(prediction, out.dtype)
            clipped.add(prediction, beyond)

    def scores(self, codes, numeric):
        """The output layer's pre-activation for encoded rows (float32, standardised targets)."""
        return predict_in_chunks(
            self.network, codes, numeric, self.activation, "continuous", chunk_size=CHUNK_ROWS
        )

    def network_inputs(self, frame):
        """The network's two inputs for ``frame``: table rows of the embedded columns, scaled numbers."""
        return self.coder.codes(frame), self.coder.numeric.apply(self.coder.numeric_values(frame))

    def network_output(self, frame):
        """The network's output for ``frame`` through its output activation, on the network's
        scale (a continuous target standardised). It predicts from the published (shrunk) tables."""
        codes, numeric = self.network_inputs(frame)
        return predict_in_chunks(self.network, codes, numeric, self.activation, self.target.type)

    def predict(self, frame):
        """The network's prediction for ``frame``: class probabilities, or targets in ``y``'s units."""
        return self.target.to_original_scale(self.network_output(frame))


# ------------------------------------------------------------------ layout


def output_widths(categorical_mask, dims, remainder):
    """Output columns of each input column: its embedding size (``dims``, in order), 1 or 0."""
    dims = iter(dims)
    passthrough = int(remainder == "passthrough")
    return [next(dims) if embedded else passthrough for embedded in categorical_mask]


def names_out(input_features, categorical_mask, widths):
    """``f"{column}_emb{j}"`` for embedded columns, the name for passed-through ones."""
    names = []
    for name, embedded, width in zip(input_features, categorical_mask, widths):
        if embedded:
            names.extend(f"{name}_emb{j}" for j in range(width))
        elif width:
            names.append(name)
    return np.asarray(names, dtype=object)


def check_output_names(feature_names, categorical_mask, dims, remainder, appended=()):
    """Refuse input column names that would make two output columns share a name.

    ``dims`` are the embedded columns' output widths, ``appended`` the prediction's names.
    """
    widths = output_widths(categorical_mask, dims, remainder)
    names = np.concatenate([names_out(feature_names, categorical_mask, widths), appended])
    repeated, counts = np.unique(names.astype(str), return_counts=True)
    repeated = repeated[counts > 1].tolist()
    if not repeated:
        return
    if set(repeated) & set(map(str, appended)):
        cause = f"the prediction adds {list(appended)}, which input columns already use"
    else:
        embedded = [name for name, flag in zip(feature_names, categorical_mask) if flag]
        column, clashing = next(
            (name, given)
            for name, dim in zip(embedded, dims)
            if (given := [f"{name}_emb{j}" for j in range(dim) if f"{name}_emb{j}" in repeated])
        )
        dim = dims[embedded.index(column)]
        cause = (
            f"embedded column {column!r} outputs {clashing} (one column per dimension, {dim} "
            "in all), which input columns already use"
        )
    raise ValueError(
        f"The output would have repeated column names {repeated}: {cause}. Rename those input columns."
    )


def prediction_names(target):
    """Output names of the prediction columns for a fitted :class:`~._target.Target`."""
    if target.type == "binary":
        return ["network_log_odds"]
    if target.type == "multiclass":
        return [f"network_log_proba_{label}" for label in target.classes]
    n_outputs = len(np.atleast_1d(target.mean))
    return (
        ["network_prediction"]
        if n_outputs == 1
        else [f"network_prediction{k}" for k in range(n_outputs)]
    )


def prediction_columns(scores, target):
    """The network's prediction per row, on the scale :func:`prediction_names` describes.

    Parameters
    ----------
    scores : ndarray of shape (n_rows, n_outputs)
        The output layer's pre-activation: the log-odds for a binary target.
    target : Target

    Returns
    -------
    prediction : ndarray of shape (n_rows, len(prediction_names(target))), float64
    """
    scores = scores.astype(np.float64)
    if target.type == "multiclass":
        scores -= scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    if target.type == "continuous":
        return target.to_original_scale(scores)
    return scores


# ------------------------------------------------------------------ the output's dtype


def output_dtype(dtype):
    """The ``dtype`` parameter as a NumPy dtype: float64 or float32, else a ValueError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.float64, np.float32):
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}.")
    return resolved


@dataclass(frozen=True, eq=False)
class Clipped:
    """Predictions clipped to float32's range (:func:`as_output`), per prediction column,
    counted over every block (and, for cross-fitting, every fold) written."""

    counts: np.ndarray
    examples: np.ndarray

    @classmethod
    def none(cls, n_columns):
        return cls(np.zeros(n_columns, dtype=np.int64), np.zeros(n_columns))

    def add(self, prediction, beyond):
        """Count the values ``beyond`` flags in ``prediction``; keep each column's first one."""
        if beyond is None:
            return
        new = (self.counts == 0) & beyond.any(axis=0)
        first = prediction[beyond.argmax(axis=0), np.arange(prediction.shape[1])]
        self.examples[new] = first[new]
        self.counts[:] += beyond.sum(axis=0)

    def findings(self, names):
        """One finding per prediction column (``names``) with clipped values."""
        columns = np.flatnonzero(self.counts)
        return [beyond_float32(names[j], int(self.counts[j]), self.examples[j]) for j in columns]


def as_output(values, dtype):
    """``values`` as an output of ``dtype`` holds them, and where it cannot.

    float32 cannot hold magnitudes beyond about 3.4e38: they would become
    infinite, so they are clipped to float32's largest value instead (and
    :func:`beyond_float32` says so). NaN stays NaN (it was in the input).

    Returns
    -------
    values : ndarray of float64, shape of ``values``
    beyond : ndarray of bool or None
        The values clipped; None when none was.
    """
    if dtype != np.float32:
        return values, None
    largest = np.finfo(np.float32).max
    beyond = np.abs(values) > largest
    if not beyond.any():
        return values, None
    return np.clip(values, -largest, largest), beyond


def beyond_float32(name, n_values, example):
    """The finding for ``n_values`` values of column ``name`` clipped by :func:`as_output`."""
    largest = np.finfo(np.float32).max
    message = (
        f"Column {name!r}: {n_values:,} values lie beyond float32's range (such as "
        f"{example:.3g}); the output (dtype=np.float32) holds {np.sign(example) * largest:.3g} "
        "there instead of an infinity. Pass dtype=np.float64 to keep them."
    )
    return DataWarning(message, kind="output_precision", column=name)


def rounded_integers(series, dtype, name):
    """A finding when a column of integers holds values that the output's ``dtype`` rounds.

    float64 holds every integer up to 2**53 exactly: larger ones (account
    numbers, 64-bit hashes) come out as a neighbour. float32's rounding of
    every value is documented (``dtype``), so only float64 is checked here.

    Returns
    -------
    findings : list of DataWarning
    """
    if dtype != np.float64 or series.dtype.kind not in "iu":
        return []
    present = series.dropna()
    integers = present.to_numpy(dtype=getattr(present.dtype, "numpy_dtype", present.dtype))
    large = integers[(integers > 2**53) | (integers < -(2**53))]
    if not len(large):
        return []
    as_float = large.astype(np.float64)
    # No value of the integer type is at or beyond 2**63 (2**64 unsigned): those were rounded up.
    outside = as_float >= (2.0**63 if series.dtype.kind == "i" else 2.0**64)
    rounded = outside | (np.where(outside, 0, as_float).astype(large.dtype) != large)
    if not rounded.any():
        return []
    example = large[rounded][0]
    message = (
        f"Column {name!r}: {int(rounded.sum()):,} integers lie beyond 2**53, which float64 "
        f"output rounds ({example} becomes {float(example):.17g}). Such a column is usually "
        "an id, not a feature: leave it out of X and join it back by row (the command line "
        "writes passed-through columns exactly)."
    )
    return [DataWarning(message, kind="output_precision", column=name)]
