"""The ONNX graph of a fitted EmbeddingEncoder's ``transform``, for skl2onnx.

The converter and the shape calculator that :mod:`sklearn_embed.onnx`
registers. The graph does what ``transform`` does, on the fitted attributes:

- each categorical column's values are looked up in their table's row layout
  (``categories_`` sorted, ``nan`` last when missing values have a row, the
  last row of ``embeddings_`` for unknown and rare values) by ONNX's
  ``LabelEncoder``, then their vectors gathered from ``embeddings_``;
- numeric columns pass through as they are, and reach the network as
  ``(clip(x, numeric_bounds_) - numeric_mean_) / numeric_scale_``, NaN as 0;
- the network (``coefs_``, ``intercepts_``, ``activation``) runs in float32 on
  the vectors and scaled numbers, and its pre-activation becomes the prediction
  columns (``_model.prediction_columns``).
"""

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from onnx import TensorProto, numpy_helper
from pandas.api.types import infer_dtype
from skl2onnx.common.data_types import (
    BooleanTensorType,
    DoubleTensorType,
    FloatTensorType,
    Int32TensorType,
    Int64TensorType,
    StringTensorType,
)

from .._model import FittedModel, output_dtype, output_mode
from .._vocabulary import EXACT_INTEGERS

MISSING_STRING = ""
"""What a serving client feeds for a missing value of a string column."""

# The name skl2onnx knows the encoder's converter by.
ALIAS = "SklearnEmbedEmbeddingEncoder"

# Integers below 2**53 are exact in float64: only those can be matched to
# integer categories through an int64 cast (the rule of Vocabulary.encode).
_EXACT_INTEGERS = float(EXACT_INTEGERS)

# The input tensor types the converter reads, by the kind of values they hold.
_TENSOR_KINDS = {
    StringTensorType: "string",
    Int64TensorType: "integer",
    Int32TensorType: "integer",
    DoubleTensorType: "float",
    FloatTensorType: "float",
    BooleanTensorType: "bool",
}

# Which tensor kinds can carry a column's categories: booleans also as floats, the one
# tensor that holds them and a missing value (0, 1 and NaN).
_CATEGORY_TENSORS = {
    "string": {"string"},
    "number": {"integer", "float"},
    "bool": {"bool", "float"},
}

_HIDDEN_ACTIVATIONS = {"relu": "Relu", "tanh": "Tanh", "logistic": "Sigmoid", "identity": None}


@dataclass(frozen=True, eq=False)
class _Export:
    """What the graph is built from: the encoder's fitted model and its output settings."""

    model: FittedModel
    output: str
    remainder: str
    dtype: np.dtype
    input_names: list
    named: bool  # fitted on a DataFrame: its inputs must carry the column names

    @classmethod
    def of(cls, encoder):
        _check_exportable(encoder)
        names = getattr(encoder, "feature_names_in_", None)
        named = names is not None
        names = list(names) if named else [f"x{i}" for i in range(encoder.n_features_in_)]
        output = output_mode(encoder.output, encoder.append_prediction)
        dtype = output_dtype(encoder.dtype)
        return cls(encoder.model_, output, encoder.remainder, dtype, names, named)

    @property
    def n_outputs(self):
        return self.model.n_outputs(self.output, self.remainder)


def _check_opsets(container):
    """The graph needs ONNX opset 11 (Equal on floats) and ai.onnx.ml 2 (LabelEncoder's int64 keys)."""
    main = container.target_opset_any_domain("")
    ml = container.target_opset_any_domain("ai.onnx.ml")
    if main < 11 or ml < 2:
        raise ValueError(
            f"EmbeddingEncoder exports to ONNX opset 11 and ai.onnx.ml opset 2 or later; "
            f"target_opset asks for {main} and {ml}."
        )


def _check_exportable(encoder):
    if encoder.handle_unknown == "error":
        raise ValueError(
            "EmbeddingEncoder(handle_unknown='error') cannot be exported to ONNX: an ONNX "
            "graph cannot raise on unknown categories. handle_unknown only changes "
            "transform, so encoder.set_params(handle_unknown='use_unknown') exports the "
            "same fitted encoder, unknown categories getting the unknown vector."
        )
    output = output_mode(encoder.output, encoder.append_prediction)
    if encoder.model_.n_outputs(output, encoder.remainder) == 0:
        raise ValueError(
            "This EmbeddingEncoder outputs no column (no embedded column and "
            "remainder='drop'): there is nothing to export."
        )


# --------------------------------------------------------------- categories


@dataclass
class _Categories:
    """One column's row layout (see ``_vocabulary.py``): known values, missing row, unknown row."""

    known: np.ndarray
    missing_row: int
    unknown_row: int
    kind: str  # "string", "number", "bool" or "empty"

    @classmethod
    def of(cls, categories, name):
        categories = np.asarray(categories, dtype=object)
        has_missing = len(categories) > 0 and _is_missing(categories[-1])
        known = categories[:-1] if has_missing else categories
        unknown_row = len(categories)
        missing_row = len(categories) - 1 if has_missing else unknown_row
        return cls(known, missing_row, unknown_row, _category_kind(known, name))

    def rows(self):
        return np.arange(len(self.known), dtype=np.int64)


def _is_missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _category_kind(known, name):
    """What the categories are, as the input tensor must carry them; TypeError when nothing can."""
    if len(known) == 0:
        return "empty"
    inferred = infer_dtype(known, skipna=False)
    if inferred == "boolean":
        return "bool"
    if inferred in ("string", "bytes"):
        return "string"
    if inferred == "integer":
        return "number"
    if inferred in ("floating", "mixed-integer-float", "decimal"):
        numbers = np.asarray(known, dtype=np.float64)
        if np.all((numbers == np.round(numbers)) & (np.abs(numbers) < _EXACT_INTEGERS)):
            return "number"
        raise TypeError(
            f"Column {name!r} has non-integer numeric categories (e.g. "
            f"{[v for v in known if float(v) != round(float(v))][:3]}), which ONNX's "
            "LabelEncoder matches in float32 only. Convert the column to strings or integers "
            "before fitting to export it."
        )
    raise TypeError(
        f"Column {name!r} has categories of type {sorted({type(v).__name__ for v in known[:100]})} "
        f"(e.g. {known[:3].tolist()}), which no ONNX tensor type holds. Convert the column "
        f"to strings (X[{name!r}].astype(str)) or integers before fitting to export it."
    )


# --------------------------------------------------------------------- graph


class _Graph:
    """Adds nodes and initializers to skl2onnx's container under unique names."""

    def __init__(self, scope, container):
        self.scope = scope
        self.container = container
        self._constants = {}  # tables shared by several columns are stored once

    def name(self, seed):
        return self.scope.get_unique_variable_name(seed)

    def constant(self, seed, array, dtype):
        key = (id(array), dtype)
        if key not in self._constants:
            name = self.name(seed)
            tensor = numpy_helper.from_array(np.asarray(array, dtype=dtype), name)
            self.container.add_initializer(name, None, None, tensor)
            self._constants[key] = (name, array)  # holding the array keeps its id unique
        return self._constants[key][0]

    def floats(self, seed, array):
        return self.constant(seed, array, np.float32)

    def doubles(self, seed, array):
        return self.constant(seed, array, np.float64)

    def int64s(self, seed, array):
        return self.constant(seed, array, np.int64)

    def node(self, op_type, inputs, seed=None, output=None, domain="", op_version=None, **attrs):
        output = output or self.name(seed or op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            op_domain=domain,
            op_version=op_version,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output

    def cast(self, name, to):
        return self.node("Cast", [name], "cast", to=to)

    def label_encoder(self, name, keys_attribute, keys, rows, default):
        """Row of each value of ``name`` through ``keys`` -> ``rows``; ``default`` for the others.

        ONNX's LabelEncoder needs at least one key; a key mapped to ``default`` changes nothing.
        """
        if len(keys) == 0:
            keys, rows = (["k"] if keys_attribute == "keys_strings" else [0]), [default]
        return self.node(
            "LabelEncoder",
            [name],
            "rows",
            domain="ai.onnx.ml",
            op_version=2,
            **{keys_attribute: list(keys), "values_int64s": [int(r) for r in rows]},
            default_int64=int(default),
        )


@dataclass
class _InputColumn:
    """One input column of the graph: a (n, 1) tensor and the kind of values it holds."""

    name: str
    tensor: str  # onnx name
    kind: str  # "string", "integer", "float" or "bool"
    int32: bool = False


def _input_columns(graph, inputs, export):
    """Split the graph's inputs into one (n, 1) tensor per column of ``X``."""
    names = export.input_names
    widths = [variable.get_second_dimension() for variable in inputs]
    if len(inputs) == 1 and widths[0] is None:
        widths = [len(names)]
    if None in widths or sum(widths) != len(names):
        raise ValueError(
            f"The ONNX inputs {[v.raw_name for v in inputs]} have {widths} columns, but the "
            f"encoder was fit on {len(names)} columns {names}: give to_onnx a sample of X "
            "with the columns seen in fit, in order."
        )
    if len(inputs) == len(names) and export.named:
        given = [variable.raw_name for variable in inputs]
        if given != [str(name) for name in names]:
            raise ValueError(
                f"The ONNX inputs are the columns {given}, but the encoder was fit on {names}: "
                "give to_onnx a sample of X with the columns seen in fit, in order."
            )
    columns = []
    for variable, width in zip(inputs, widths):
        kind = _TENSOR_KINDS.get(type(variable.type))
        if kind is None:
            raise TypeError(
                f"ONNX input {variable.raw_name!r} is a {type(variable.type).__name__}; the "
                f"encoder reads {sorted({t.__name__ for t in _TENSOR_KINDS})} inputs."
            )
        int32 = isinstance(variable.type, Int32TensorType)
        for j in range(width):
            tensor = variable.onnx_name
            if width > 1:
                index = graph.int64s("column_index", np.array([j]))
                tensor = graph.node("Gather", [tensor, index], "column", axis=1)
            columns.append(_InputColumn(names[len(columns)], tensor, kind, int32))
    return columns


def _category_rows(graph, column, categories, missing_string, infrequent):
    """The table row of each value of ``column``, shape (n,), int64."""
    allowed = _CATEGORY_TENSORS.get(categories.kind, {"string", "integer", "float", "bool"})
    if column.kind not in allowed:
        bools = (
            " (bool; a float sample, 0 and 1 with NaN, for a column with missing values: "
            "initial_types(X) gives it)"
            if categories.kind == "bool"
            else ""
        )
        raise TypeError(
            f"Column {column.name!r} was fit on {categories.kind} values (e.g. "
            f"{categories.known[:3].tolist()}), but its ONNX input is a {column.kind} tensor: "
            f"give to_onnx a sample (or initial_types) with the column's type at fit{bools}."
        )
    unknown, missing = categories.unknown_row, categories.missing_row
    if column.kind == "string":
        seen = {str(v) for v in [*categories.known, *infrequent] if not _is_missing(v)}
        if missing_string in seen:
            free = _free_marker(seen)
            raise ValueError(
                f"Column {column.name!r} holds the value {missing_string!r} at fit, which is "
                "the marker of a missing string in the ONNX graph. Pass another marker, one "
                "that no value of the column is: to_onnx(..., options={EmbeddingEncoder: "
                f"{{'missing_string': {free!r}}}}}), and the same to onnx_inputs."
            )
        keys = [*map(str, categories.known), missing_string]
        rows = [*categories.rows(), missing]
        found = graph.label_encoder(column.tensor, "keys_strings", keys, rows, unknown)
    elif column.kind in ("integer", "bool"):
        tensor = column.tensor
        if column.kind == "bool" or column.int32:
            tensor = graph.cast(tensor, TensorProto.INT64)
        keys = [int(v) for v in categories.known]
        found = graph.label_encoder(tensor, "keys_int64s", keys, categories.rows(), unknown)
    else:
        found = _float_category_rows(graph, column, categories)
    return graph.node("Reshape", [found, graph.int64s("flat", np.array([-1]))], "rows")


def _free_marker(seen):
    """A marker of a missing string that is none of the values ``seen``: "<NA>", "<missing>", ..."""
    candidates = itertools.chain(["<NA>", "<missing>"], (f"<NA{k}>" for k in itertools.count(1)))
    return next(marker for marker in candidates if marker not in seen)


def _float_category_rows(graph, column, categories):
    """Rows of a float input: whole numbers through an int64 look-up, NaN on the missing row.

    Integer categories, or booleans (0 is False, 1 True): a float carries a
    boolean column with missing values.
    """
    x = column.tensor
    if column.kind == "float":
        x = graph.cast(x, TensorProto.DOUBLE)
    # Only whole numbers below 2**53 can equal an integer category; the others
    # (and NaN, whose Floor is NaN) must not be cast to int64.
    whole = graph.node("Equal", [graph.node("Floor", [x]), x], "whole")
    small = graph.node("Less", [graph.node("Abs", [x]), graph.doubles("exact", _EXACT_INTEGERS)])
    valid = graph.node("And", [whole, small], "valid")
    safe = graph.node("Where", [valid, x, graph.doubles("zero", 0.0)], "safe")
    keys = [int(v) for v in categories.known]
    found = graph.label_encoder(
        graph.cast(safe, TensorProto.INT64),
        "keys_int64s",
        keys,
        categories.rows(),
        categories.unknown_row,
    )
    unknown = graph.int64s("unknown_row", np.array(categories.unknown_row))
    found = graph.node("Where", [valid, found, unknown], "rows")
    missing = graph.int64s("missing_row", np.array(categories.missing_row))
    return graph.node("Where", [graph.node("IsNaN", [x]), missing, found], "rows")


def _numeric_network_input(graph, numeric, scaling):
    """``(clip(x, bounds) - mean) / scale`` in float64, NaN as 0, then float32: as transform."""
    x = graph.node("Concat", numeric, "numeric", axis=1) if len(numeric) > 1 else numeric[0]
    low, high = scaling.bounds[:, 0], scaling.bounds[:, 1]
    clipped = graph.node(
        "Max",
        [
            graph.node("Min", [x, graph.doubles("high", high[None])]),
            graph.doubles("low", low[None]),
        ],
    )
    centred = graph.node("Sub", [clipped, graph.doubles("mean", scaling.mean[None])])
    scaled = graph.node("Div", [centred, graph.doubles("scale", scaling.scale[None])])
    scaled = graph.node("Where", [graph.node("IsNaN", [x]), graph.doubles("zero", 0.0), scaled])
    return graph.cast(scaled, TensorProto.FLOAT)


def _prediction(graph, vectors, numeric_input, model):
    """The network's prediction columns from its inputs (see ``_model.py``), float64."""
    h = graph.node("Concat", [*vectors, *numeric_input], "network_input", axis=1)
    activation = _HIDDEN_ACTIVATIONS[model.activation]
    network, target = model.network, model.target
    n_layers = len(network.coefs)
    for i, (coef, intercept) in enumerate(zip(network.coefs, network.intercepts)):
        h = graph.node("MatMul", [h, graph.floats(f"coef{i}", coef)])
        h = graph.node("Add", [h, graph.floats(f"intercept{i}", intercept[None])])
        if i < n_layers - 1 and activation:
            h = graph.node(activation, [h])
    scores = graph.cast(h, TensorProto.DOUBLE)  # the output layer's pre-activation
    if target.type == "multiclass":
        return graph.node("LogSoftmax", [scores], "log_proba", axis=1)
    if target.type == "continuous":
        scale, mean = (np.atleast_1d(values)[None] for values in (target.scale, target.mean))
        scaled = graph.node("Mul", [scores, graph.doubles("target_scale", scale)])
        return graph.node("Add", [scaled, graph.doubles("target_mean", mean)])
    return scores


def convert_embedding_encoder(scope, operator, container):
    """skl2onnx converter: the graph of ``transform`` for a fitted EmbeddingEncoder."""
    encoder = operator.raw_operator
    export = _Export.of(encoder)
    _check_opsets(container)
    options = container.get_options(encoder, {"missing_string": MISSING_STRING})
    graph = _Graph(scope, container)
    columns = _input_columns(graph, operator.inputs, export)
    blocks, vectors, numeric = _column_blocks(graph, columns, export, options["missing_string"])
    if export.output != "vectors":
        scaling = export.model.coder.numeric
        numeric_input = [_numeric_network_input(graph, numeric, scaling)] if numeric else []
        blocks.append(_prediction(graph, vectors, numeric_input, export.model))
    out = graph.node("Concat", blocks, "transformed", axis=1) if len(blocks) > 1 else blocks[0]
    to = TensorProto.FLOAT if _output_dtype(operator, export) == np.float32 else TensorProto.DOUBLE
    if to == TensorProto.FLOAT:  # as transform: float32's largest value, not an infinity
        largest = np.float64(np.finfo(np.float32).max)
        bounds = [
            graph.doubles("float32_lowest", -largest),
            graph.doubles("float32_largest", largest),
        ]
        out = graph.node("Clip", [out, *bounds], "in_float32")
    graph.node("Cast", [out], output=operator.outputs[0].full_name, to=to)


def _column_blocks(graph, columns, export, missing_string):
    """Each input column's output block, the vectors the network reads, the numeric inputs."""
    coder, embeddings = export.model.coder, export.model.embeddings
    blocks, vectors, numeric, k = [], [], [], 0
    for column, is_embedded in zip(columns, coder.categorical_mask):
        if is_embedded:
            vocabulary = coder.vocabularies[k]
            categories = _Categories.of(vocabulary.categories, column.name)
            rows = _category_rows(graph, column, categories, missing_string, vocabulary.infrequent)
            table = graph.floats("table", embeddings[k])
            vectors.append(graph.node("Gather", [table, rows], "vectors", axis=0))
            if export.output != "prediction":
                blocks.append(graph.cast(vectors[-1], TensorProto.DOUBLE))
            k += 1
        else:
            if column.kind not in ("integer", "float", "bool"):
                raise TypeError(
                    f"Column {column.name!r} is numeric at fit but its ONNX input is a "
                    f"{column.kind} tensor: give to_onnx a sample with the column's type at fit."
                )
            numeric.append(graph.cast(column.tensor, TensorProto.DOUBLE))
            if export.remainder == "passthrough":
                blocks.append(numeric[-1])
    return blocks, vectors, numeric


def parse_embedding_encoder(scope, model, inputs, custom_parsers=None):
    """skl2onnx parser: the encoder's operator, with its output declared float.

    skl2onnx declares each step's output type from its input's as it parses a
    pipeline, before any shape is calculated: declared float, the steps after the
    encoder are parsed as taking floats, as they do (see :func:`_output_dtype`),
    whatever the type of the sample's first column. The shape calculator then
    sets the type.
    """
    operator = scope.declare_local_operator(ALIAS, model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("variable", FloatTensorType()))
    return operator.outputs


def _output_dtype(operator, export):
    """float32 when the encoder's output feeds another step of the model, else ``dtype``.

    skl2onnx's converters take float tensors: given doubles, LogisticRegression's
    ZipMap, the tree ensembles and the imputer are refused by ONNX Runtime or by
    skl2onnx itself, so ``to_onnx(pipeline, X[:1])`` would fail. The vectors are
    float32 in the tables and lose nothing; numbers passed through are rounded to
    float32, as skl2onnx's own pipelines round their inputs. Alone, the encoder
    outputs ``transform``'s dtype, bit for bit.
    """
    feeds_a_step = bool(getattr(operator.outputs[0], "operators_inputs_", ()))
    return np.dtype(np.float32) if feeds_a_step else export.dtype


def calculate_embedding_encoder_output_shapes(operator):
    """skl2onnx shape calculator: (n_rows, n_output_columns), float32 or float64 (see
    :func:`_output_dtype`)."""
    export = _Export.of(operator.raw_operator)
    tensor = FloatTensorType if _output_dtype(operator, export) == np.float32 else DoubleTensorType
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = tensor([n_rows, export.n_outputs])
