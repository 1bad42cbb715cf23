"""Export a fitted :class:`~sklearn_embed.EmbeddingEncoder` to ONNX, through skl2onnx.

Importing this module registers a converter and a shape calculator for
``EmbeddingEncoder`` with `skl2onnx <https://onnx.ai/sklearn-onnx/>`_, so that
``skl2onnx.to_onnx`` converts the encoder alone, or a pipeline that starts with it
followed by models skl2onnx converts (``LogisticRegression``,
``HistGradientBoosting*``, ...)::

    import sklearn_embed.onnx  # registers the converter
    from skl2onnx import to_onnx
    onx = to_onnx(pipeline, X_train[:5])

It needs the ``onnx`` extra (``pip install "sklearn-embed[onnx]"``); the rest of
the package never imports it.

What the graph computes is what ``transform`` computes, for every ``output``
mode: the vectors (``embeddings_``, unknown and rare categories on the last row),
the numeric columns passed through, and the network's prediction (log-odds,
log-probabilities, or the prediction in ``y``'s units).

Output type
    Alone, the encoder outputs ``transform``'s ``dtype``, bit for bit. In a
    pipeline (or a ``ColumnTransformer``) it hands the next step float32,
    whatever ``dtype``: skl2onnx's converters take floats (given doubles,
    ``LogisticRegression``'s ZipMap, the tree ensembles and ``SimpleImputer``
    fail), so the plain ``to_onnx(pipeline, X[:1])`` works. Numbers passed
    through are rounded to float32, as skl2onnx rounds the inputs of
    scikit-learn's own pipelines.

Inputs
    A DataFrame sample gives one input per column, of shape ``(n, 1)``, named
    after the column (skl2onnx writes characters other than letters, digits,
    ``_`` and ``+`` as ``_``). String, categorical-of-string and object columns
    are string tensors; integer columns int64; float columns double (float
    for float32 columns); bool columns bool. A 2-D array sample gives one input ``X`` with
    every column: all numeric, or all strings. skl2onnx reads a DataFrame's
    types from the sample's first row: when that row has a missing value in a
    string column, pass ``initial_types=initial_types(X)`` instead.

Missing values
    Float inputs hold NaN. String tensors cannot hold a missing value, so a
    missing string is fed as ``MISSING_STRING``, the empty string: the graph
    gives it the column's missing row (or the unknown row when missing values
    had no row of their own at fit). A column whose values at fit include the
    empty string cannot use it: pass another marker with
    ``options={EmbeddingEncoder: {"missing_string": "<NA>"}}`` (and the same to
    :func:`onnx_inputs`). Integer and bool inputs cannot be missing; give a
    numeric or bool category column with missing values to the converter as
    float (:func:`initial_types` does: a bool column is then 0, 1 and NaN).
    :func:`onnx_inputs` turns a DataFrame into the feed of an
    ``onnxruntime.InferenceSession`` under these rules.

What cannot be exported raises at conversion: ``handle_unknown="error"`` (an
ONNX graph cannot raise), categories without an ONNX tensor type (dates,
non-integer numbers), and inputs of another kind than the column's categories
(a string column fed as int64, say).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import CategoricalDtype, infer_dtype, is_bool_dtype, is_numeric_dtype

try:
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )

    from ._model_file._onnx_graph import (
        ALIAS,
        MISSING_STRING,
        calculate_embedding_encoder_output_shapes,
        convert_embedding_encoder,
        parse_embedding_encoder,
    )
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "sklearn_embed.onnx needs skl2onnx (and onnxruntime to run the exported model): "
        'pip install "sklearn-embed[onnx]".'
    ) from error

from ._encoder import EmbeddingEncoder

__all__ = [
    "MISSING_STRING",
    "calculate_embedding_encoder_output_shapes",
    "convert_embedding_encoder",
    "initial_types",
    "onnx_inputs",
    "parse_embedding_encoder",
]

# skl2onnx finds the parser and converter of a model by its class.
update_registered_converter(
    EmbeddingEncoder,
    ALIAS,
    calculate_embedding_encoder_output_shapes,
    convert_embedding_encoder,
    parser=parse_embedding_encoder,
    options={"missing_string": None},
)


# ----------------------------------------------------------- serving helpers


def initial_types(X):
    """skl2onnx ``initial_types`` for a sample of ``X``, from its dtypes: one input per column.

    What ``skl2onnx.to_onnx(model, X)`` guesses from the first row of a
    DataFrame, except that a missing value there does not matter: string,
    object and categorical-of-string columns are string tensors, integer
    columns int64, nullable integer columns double (so that they can hold NaN),
    float columns double (float32: float), bool columns bool, and bool columns
    that can hold a missing value (nullable ``boolean``, or with one in ``X``)
    double (0, 1 and NaN).

    Parameters
    ----------
    X : pandas.DataFrame (or polars / pyarrow table)
        A sample of the data, with the columns seen in ``fit``.

    Returns
    -------
    initial_types : list of (str, skl2onnx tensor type)

    Raises
    ------
    TypeError
        For a column whose values no ONNX tensor type holds (dates, mixed types).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_embed.onnx import initial_types
    >>> X = pd.DataFrame({"shop": [None, "b"], "n": [1, 2], "price": [0.5, None]})
    >>> [(name, type(t).__name__) for name, t in initial_types(X)]
    [('shop', 'StringTensorType'), ('n', 'Int64TensorType'), ('price', 'DoubleTensorType')]
    """
    if hasattr(X, "to_pandas") and hasattr(X, "columns"):  # polars, pyarrow
        X = X.to_pandas()
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"initial_types takes a DataFrame, got {type(X).__name__}; for a 2-D array "
            "skl2onnx.to_onnx(model, X) guesses the one input itself."
        )
    return [(str(name), _tensor_type(X[name], name)([None, 1])) for name in X.columns]


def _tensor_type(series, name):
    dtype = series.dtype
    if isinstance(dtype, CategoricalDtype):
        return _tensor_type(pd.Series(dtype.categories), name)
    if is_bool_dtype(dtype):
        # Only a float holds a missing boolean: nullable booleans are doubles.
        return BooleanTensorType if isinstance(dtype, np.dtype) else DoubleTensorType
    if is_numeric_dtype(dtype) and dtype.kind != "c":
        if dtype.kind in "iu":
            return Int64TensorType if isinstance(dtype, np.dtype) else DoubleTensorType
        return FloatTensorType if dtype == np.float32 else DoubleTensorType
    kind = infer_dtype(series, skipna=True)
    tensor = {
        "string": StringTensorType,
        "empty": StringTensorType,
        "integer": Int64TensorType,
        "floating": DoubleTensorType,
        "mixed-integer-float": DoubleTensorType,
        "boolean": BooleanTensorType,
    }.get(kind)
    if tensor is None:
        raise TypeError(
            f"Column {name!r} holds {kind} values (dtype {dtype}), which no ONNX tensor type "
            f"holds. Convert it to strings or numbers before fitting to export the model."
        )
    if tensor in (Int64TensorType, BooleanTensorType) and series.isna().any():
        return DoubleTensorType
    return tensor


_ONNX_DTYPES = {
    "tensor(string)": object,
    "tensor(double)": np.float64,
    "tensor(float)": np.float32,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
}


def onnx_inputs(model, X, *, missing_string=MISSING_STRING):
    """The feed of an exported model for the rows of ``X``: ``{input name: array}``.

    Matches the model's inputs to the columns of ``X`` by position (checking
    their names), converts each column to its input's type, and writes missing
    values of string columns as ``missing_string`` (see the module docstring).

    Parameters
    ----------
    model : onnxruntime.InferenceSession or onnx.ModelProto
        The exported model, or a session running it.
    X : pandas.DataFrame or ndarray of shape (n_samples, n_features)
        Rows to predict, with the columns seen in ``fit``.
    missing_string : str, default=""
        The marker of a missing string, as given to the converter.

    Returns
    -------
    feed : dict
        For ``session.run(None, feed)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skl2onnx import to_onnx
    >>> from sklearn_embed import EmbeddingEncoder
    >>> from sklearn_embed.onnx import onnx_inputs
    >>> X = pd.DataFrame({"shop": ["a", "b", "c", None] * 25, "price": np.arange(100.0)})
    >>> enc = EmbeddingEncoder(max_iter=2, random_state=0).fit(X, [0, 1, 1, 0] * 25)
    >>> feed = onnx_inputs(to_onnx(enc, X[:2]), X[2:4])
    >>> feed["shop"].ravel().tolist(), feed["price"].dtype
    (['c', ''], dtype('float64'))
    """
    inputs = _model_inputs(model)
    if hasattr(X, "to_pandas") and hasattr(X, "columns"):  # polars, pyarrow
        X = X.to_pandas()
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    if len(inputs) == 1 and frame.shape[1] > 1:
        name, onnx_type = inputs[0]
        columns = [
            _as_tensor_column(frame.iloc[:, j], j, onnx_type, missing_string)
            for j in range(frame.shape[1])
        ]
        return {name: np.hstack(columns)}
    if len(inputs) != frame.shape[1]:
        raise ValueError(
            f"The model has {len(inputs)} inputs {[n for n, _ in inputs]}, X has "
            f"{frame.shape[1]} columns."
        )
    feed = {}
    for (name, onnx_type), column in zip(inputs, frame.columns):
        if isinstance(X, pd.DataFrame) and name not in (str(column), _onnx_name(column)):
            raise ValueError(
                f"The model's inputs {[n for n, _ in inputs]} do not match the columns of X "
                f"{frame.columns.tolist()}: give X the columns of the sample given to to_onnx, in order."
            )
        feed[name] = _as_tensor_column(frame[column], column, onnx_type, missing_string)
    return feed


def _model_inputs(model):
    """``[(name, "tensor(...)")]`` of a session's or a ModelProto's inputs."""
    if hasattr(model, "get_inputs"):
        return [(i.name, i.type) for i in model.get_inputs()]
    graph = model.graph
    initializers = {i.name for i in graph.initializer}
    names = {v: k for k, v in TensorProto.DataType.items()}
    return [
        (i.name, f"tensor({names[i.type.tensor_type.elem_type].lower()})")
        for i in graph.input
        if i.name not in initializers
    ]


def _onnx_name(column):
    """The input name skl2onnx gives a column: characters other than \\w and + become _."""
    name = re.sub(r"[^\w+]", "_", str(column))
    return "_" + name if re.match("^[0-9]", name) else name


def _as_tensor_column(series, name, onnx_type, missing_string):
    """One column as a (n, 1) array of the input's type."""
    dtype = _ONNX_DTYPES.get(onnx_type)
    if dtype is None:
        raise TypeError(
            f"Input for column {name!r} is a {onnx_type}, which onnx_inputs does not feed."
        )
    missing = series.isna().to_numpy()
    if dtype is object:
        values = series.astype(object).to_numpy(copy=True)
        values[missing] = missing_string
        return values.astype(str).astype(object)[:, None]
    if missing.any() and dtype not in (np.float64, np.float32):
        raise ValueError(
            f"Column {name!r} has {int(missing.sum())} missing values, but its ONNX input is a "
            f"{onnx_type}, which cannot hold them: export the model with "
            "initial_types=initial_types(X), which makes such a column a double input, or a "
            "float sample of this column (X[col].astype(float))."
        )
    if missing.any():  # into a float input: a bool column's missing values too
        return series.to_numpy(dtype=dtype, na_value=np.nan)[:, None]
    return series.to_numpy(dtype=dtype)[:, None]
