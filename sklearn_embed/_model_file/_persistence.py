"""The model file: a fitted encoder saved and loaded without pickle.

A model file is a zip archive holding ``model.json`` (the format's name and
version, the parameters, the scalar fitted state and the layout of the arrays)
and one ``.npy`` file per array. Loading never runs code from the file and
never trusts a size it declares: :mod:`sklearn_embed._model_file._archive` reads
within limits, every field of ``model.json`` is checked for its type, every
array's declared dtype and shape are checked against the others before any
array is read, and the values (finite weights, positive scales, distinct
categories) once they are. Categories keep their type (str, int of any size,
float, bool; a missing value where it stood), so a saved encoder transforms
exactly as the fitted one did.

Layout of ``model.json``::

    {"format": "sklearn-embed-model", "version": 1, "library_version": "...",
     "params": {...},            # get_params(), as JSON
     "state": {...},             # scalars and lists: n_iter_, target_type_, ...
     "values": {name: {"kind": ..., "missing": bool, "object": bool}},
     "arrays": [name, ...]}      # every .npy member, in a fixed order

Version 2 adds what version 1 cannot say: a missing value that is not the
last of a list of values (``"missing_at": position``), and int values stored
unsigned (categories beyond int64, class labels of an unsigned dtype) or,
beyond 64 bits, as decimal text. A file is written as version 1 whenever it
needs none of these, so that earlier releases read it.
"""

import io
import json
import os
import secrets
import stat
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from .._table_setup import given_tables
from .._version import __version__
from .._vocabulary import as_python
from ._archive import MAX_STRING, ModelArchive, ModelFileError
from ._checks import FORMAT, V1_KINDS, check_document, check_shapes, check_values

# Fitted attributes that are lists of arrays, one per embedded column (or layer).
_ARRAY_LISTS = [
    "embeddings_",
    "coefs_",
    "intercepts_",
    "category_counts_",
    "category_target_means_",
]
_ARRAYS = ["numeric_bounds_", "numeric_mean_", "numeric_scale_", "loss_curve_"]
_SCALARS = ["n_features_in_", "n_iter_", "target_type_", "best_validation_score_", "merge_factor_"]
# Scalars a file of an earlier release may lack (None when it does).
_LATER_SCALARS = ["baseline_validation_score_"]


def save_model(path, encoder, output=None):
    """Write ``encoder`` (fitted) to ``path`` atomically: a partial file never appears.

    ``output`` is its ``set_output(transform=...)`` setting (None when not set).

    Raises
    ------
    TypeError
        If categories (or class labels) are of a type the file cannot store
        (dates, times, Decimal, bytes, ...), naming the column.
    FileExistsError
        If ``path`` is a FIFO, a device or anything but a regular file.
    """
    arrays, values = {}, {}
    coder, target = encoder.model_.coder, encoder.model_.target
    names = [str(c) for c in encoder.categorical_features_]
    state = {name: as_python(getattr(encoder, name)) for name in _SCALARS}
    # An encoder unpickled from an earlier release may lack them.
    state.update({name: as_python(getattr(encoder, name, None)) for name in _LATER_SCALARS})
    state["embedding_dims_"] = {str(k): int(v) for k, v in encoder.embedding_dims_.items()}
    state["categorical_features_"] = names
    state["feature_names"] = [str(c) for c in coder.feature_names]
    state["embedded_dtypes"] = list(coder.embedded_dtypes)
    state["has_feature_names_in"] = hasattr(encoder, "feature_names_in_")
    state["validation_scores_"] = encoder.validation_scores_
    state["n_tables"], state["n_layers"] = len(encoder.embeddings_), len(encoder.coefs_)
    state["has_history"] = hasattr(encoder, "embedding_history_")
    state["output"] = output
    for k, column in enumerate(names):
        for name in ("categories_", "infrequent_categories_"):
            values[f"{name}{k}"] = _value_array(
                getattr(encoder, name)[k], arrays, f"{name}{k}", column
            )
    if hasattr(encoder, "classes_"):
        values["classes_"] = _value_array(encoder.classes_, arrays, "classes_", None)
    for name in _ARRAY_LISTS:
        for k, array in enumerate(getattr(encoder, name)):
            arrays[f"{name}{k}"] = array
    for k, array in enumerate(getattr(encoder, "embedding_history_", [])):
        arrays[f"embedding_history_{k}"] = array
    for name in _ARRAYS:
        arrays[name] = np.asarray(getattr(encoder, name))
    arrays["smooth_"] = np.array(list(encoder.smooth_.values()), dtype=np.float64)
    arrays["categorical_mask"] = coder.categorical_mask
    arrays["unknown_shares"] = coder.unknown_shares
    if target.mean is not None:
        arrays["target_mean"], arrays["target_scale"] = target.mean, target.scale
    params = _json_params(encoder)
    params["initial_embeddings"] = _save_initial_tables(encoder, arrays, values)
    document = {
        "format": FORMAT,
        "version": _version_needed(values, arrays),
        "library_version": __version__,
        "params": {key: as_python(value) for key, value in params.items()},
        "state": state,
        "values": values,
        "arrays": sorted(arrays),
    }
    _write_atomically(path, document, arrays)


def load_model(path):
    """Read a model file; return ``(params, attributes, layout)``.

    ``params`` are the constructor's arguments, ``attributes`` the public fitted
    attributes, and ``layout`` what the column coder and the target record need
    besides them (the column mask, the unknown shares, the target's scaling).

    Raises
    ------
    ModelFileError
        If the file is not a model file, is truncated or corrupted, or was
        changed so that its parts no longer fit together.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise ModelFileError(f"{path} is not a regular file, so not a model file.")
    try:
        with ModelArchive.open(path) as archive:
            document = archive.read_document()
            check_document(document)
            if archive.array_names != document["arrays"]:
                raise ModelFileError("its members are not the arrays model.json lists.")
            headers = {name: archive.header(name) for name in document["arrays"]}
            check_shapes(document, headers)
            arrays = _read_arrays(archive, document, headers)
        return _rebuild(document, arrays)
    except FileNotFoundError:
        raise
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        ValueError,
    ) as error:
        raise ModelFileError(
            f"{path} is not a valid sklearn-embed model file ({type(error).__name__}: "
            f"{error}). {_pickle_hint(path)}"
        ) from None


def _read_arrays(archive, document, headers):
    """Every array, values (categories, classes) as the typed arrays the encoder holds."""
    values, arrays = document["values"], {}
    for name, header in headers.items():
        if name in values:
            arrays[name] = _typed_values(
                values[name], archive.read_values(name, header), header.dtype
            )
        else:
            arrays[name] = archive.read_array(name, header)
    return arrays


def _rebuild(document, arrays):
    state = document["state"]
    n_tables, n_layers = state["n_tables"], state["n_layers"]
    attributes = {name: state[name] for name in _SCALARS}
    attributes.update({name: state.get(name) for name in _LATER_SCALARS})
    attributes["categorical_features_"] = np.asarray(state["categorical_features_"], dtype=object)
    attributes["embedding_dims_"] = dict(state["embedding_dims_"])
    attributes["validation_scores_"] = state["validation_scores_"]
    for name in ("categories_", "infrequent_categories_"):
        attributes[name] = [arrays[f"{name}{k}"] for k in range(n_tables)]
    if "classes_" in arrays:
        attributes["classes_"] = arrays["classes_"]
    for name in _ARRAY_LISTS:
        count = n_layers if name in ("coefs_", "intercepts_") else n_tables
        attributes[name] = [arrays[f"{name}{k}"] for k in range(count)]
    if state["has_history"]:
        attributes["embedding_history_"] = [
            arrays[f"embedding_history_{k}"] for k in range(n_tables)
        ]
    for name in _ARRAYS:
        attributes[name] = arrays[name]
    attributes["loss_curve_"] = arrays["loss_curve_"].tolist()
    attributes["smooth_"] = dict(zip(state["categorical_features_"], arrays["smooth_"].tolist()))
    if state["has_feature_names_in"]:
        attributes["feature_names_in_"] = np.asarray(state["feature_names"], dtype=object)
    check_values(arrays, state)
    layout = {
        "feature_names": state["feature_names"],
        "categorical_mask": arrays["categorical_mask"],
        "unknown_shares": arrays["unknown_shares"],
        "embedded_dtypes": state["embedded_dtypes"],
        "target_mean": arrays.get("target_mean"),
        "target_scale": arrays.get("target_scale"),
        "output": state["output"],
    }
    return _params(document["params"], arrays), attributes, layout


# ----------------------------------------------------------------- values


def _value_array(values, arrays, name, column):
    """Store category values (or, with ``column`` None, class labels) typed; return their description."""
    values = np.asarray(values)
    missing = np.zeros(len(values), dtype=bool)
    if values.dtype != object and values.dtype.kind in "biufU":  # typed labels keep their dtype
        kind = {"b": "bool", "f": "float", "U": "str"}.get(values.dtype.kind, "int")
        stored = values.astype(values.dtype.newbyteorder("="))
        problem = _string_problem(stored) if kind == "str" else None
    else:
        missing = np.asarray(pd.isna(values), dtype=bool)
        kind, stored = _stored_form(values[~missing])
        problem = stored if kind is None else None
        if missing.sum() > 1:
            problem = "holds several missing markers"
    if problem:
        owner = "the target's classes" if column is None else f"column {column!r}"
        fix = (
            "y = y.astype(str)" if column is None else f"X[{column!r}] = X[{column!r}].astype(str)"
        )
        raise TypeError(
            f"Cannot save {owner}: it {problem}. Convert it, e.g. {fix}, and fit again."
        )
    arrays[name] = stored
    description = {
        "kind": kind,
        "missing": bool(missing.any()),
        "object": bool(values.dtype == object),
    }
    if missing.any() and not missing[-1]:  # infrequent values: NaN where it was seen
        description["missing_at"] = int(np.flatnonzero(missing)[0])
    return description


def _stored_form(present):
    """``(kind, array)`` that stores these values exactly, or ``(None, problem)``."""
    inferred = infer_dtype(present, skipna=False) if len(present) else "string"
    if inferred == "string":
        problem = _string_problem(present)
        return (None, problem) if problem else ("str", np.array(present.tolist(), dtype=str))
    if inferred == "boolean":
        return "bool", np.array(present.tolist(), dtype=bool)
    if inferred == "floating":
        return "float", np.array(present.tolist(), dtype=np.float64)
    if inferred == "integer":
        return "int", _int_array([int(value) for value in present])
    if inferred == "mixed-integer-float":
        return None, "mixes int and float values"
    types = sorted({type(value).__name__ for value in present[:1000]})
    return None, f"holds values of type {types} (a model file stores str, int, float and bool)"


def _string_problem(strings):
    longest = max(map(len, strings.tolist()), default=0)
    if longest > MAX_STRING:
        return f"holds a value of {longest:,} characters (at most {MAX_STRING:,} can be saved)"
    if any(text.endswith("\x00") for text in strings.tolist()):
        return "holds a value that ends in a NUL character"
    return None


def _int_array(ints):
    """int64 when they fit, else uint64, else decimal text: every Python int, exactly."""
    low, high = min(ints, default=0), max(ints, default=0)
    if -(2**63) <= low and high < 2**63:
        return np.array(ints, dtype=np.int64)
    if low >= 0 and high < 2**64:
        return np.array(ints, dtype=np.uint64)
    return np.array([str(value) for value in ints], dtype=str)


def storable_problem(series):
    """What keeps a column's values from being saved as categories, or None.

    The check :func:`save_model` makes, for the command line to make before
    training: e.g. ``"holds values of type ['date'] ..."``.
    """
    distinct = pd.Series(pd.unique(series.dropna()), dtype=object).to_numpy()
    kind, problem = _stored_form(distinct)
    return None if kind is not None else problem


def _version_needed(values, arrays):
    """1 when a release that reads only version 1 reads the file right, else 2."""
    for name, description in values.items():
        if "missing_at" in description or arrays[name].dtype.kind != V1_KINDS[description["kind"]]:
            return 2
    return 1


def _typed_values(description, items, dtype):
    """The values array the encoder held, from the Python values read from the file."""
    if description["kind"] == "int" and dtype.kind == "U":
        items = [_decimal(text) for text in items]
    if not description["object"]:
        return np.array(items, dtype=dtype)
    if description["missing"]:
        position = description.get("missing_at", len(items))
        if position > len(items):
            raise ModelFileError(f"a missing value at {position}, past the end of its list.")
        items.insert(position, np.nan)
    typed = np.empty(len(items), dtype=object)
    typed[:] = items
    return typed


def _decimal(text):
    value = int(text)
    if str(value) != text:
        raise ModelFileError(f"{text[:40]!r} is not an integer written as save writes it.")
    return value


# ----------------------------------------------------------------- parameters


def _json_params(encoder):
    params = encoder.get_params(deep=False)
    if not isinstance(params["random_state"], (int, np.integer, type(None))):
        params["random_state"] = None  # a RandomState's stream cannot be saved; refits differ
    if not isinstance(params["cv"], (int, np.integer, type(None))):
        params["cv"] = None  # nor can a splitter or splits: a refit splits in 5 folds
    for name in ("categorical_features", "hidden_layer_sizes"):
        if not isinstance(params[name], str):
            params[name] = np.asarray(params[name]).tolist()
    if isinstance(params["embedding_dim"], dict):
        params["embedding_dim"] = {str(k): int(v) for k, v in params["embedding_dim"].items()}
    params["dtype"] = np.dtype(params["dtype"]).name
    if not isinstance(params["freeze_embeddings"], (bool, np.bool_)):
        params["freeze_embeddings"] = [str(c) for c in params["freeze_embeddings"]]
    if params["shared_embeddings"] is not None:
        params["shared_embeddings"] = [
            [str(c) for c in group] for group in params["shared_embeddings"]
        ]
    return params


def _save_initial_tables(encoder, arrays, values):
    """Store the tables ``initial_embeddings`` gave, as arrays; return their columns (or None).

    A fitted encoder given as ``initial_embeddings`` is stored as the tables it
    gave, so the loaded encoder's parameters hold them as a dict.
    """
    if encoder.initial_embeddings is None:
        return None
    given, _ = given_tables(list(encoder.categorical_features_), encoder.initial_embeddings)
    for k, (column, table) in enumerate(given.items()):
        if table.shape[1] != encoder.embedding_dims_[column]:
            raise ValueError(
                f"initial_embeddings gives column {column!r} a table of width {table.shape[1]}, "
                f"but the fitted one has {encoder.embedding_dims_[column]}: it was changed after "
                "fit. Fit again, or set it back, before saving."
            )
        arrays[f"initial_table{k}"] = table.to_numpy(np.float32)
        index = table.index.to_numpy(dtype=object)
        values[f"initial_index{k}"] = _value_array(index, arrays, f"initial_index{k}", column)
    return list(given)


def _params(saved, arrays):
    params = dict(saved)
    if params.get("initial_embeddings") is not None:
        params["initial_embeddings"] = {
            column: pd.DataFrame(arrays[f"initial_table{k}"], index=arrays[f"initial_index{k}"])
            for k, column in enumerate(params["initial_embeddings"])
        }
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    if "dtype" in params:
        params["dtype"] = np.dtype(params["dtype"]).type
    return params


# ----------------------------------------------------------------- files


def _write_atomically(path, document, arrays):
    with atomic_path(path) as temporary:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("model.json", json.dumps(document, indent=1))
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
                archive.writestr(f"{name}.npy", buffer.getvalue())
        try:  # never leave a file that load would refuse: read it back as load does
            load_model(temporary)
        except ModelFileError as error:
            problem = str(error).removeprefix(f"{temporary}: ")
            raise ValueError(
                f"this encoder cannot be saved in a file that load accepts: {problem}"
            ) from None


@contextmanager
def atomic_path(path):
    """A temporary path in ``path``'s folder, renamed to ``path`` only on success.

    Written there, a file appears whole or not at all: an error or an interrupt
    (Ctrl-C, SIGTERM turned into an exception) removes the temporary file. Only
    a regular file (or nothing) at ``path`` is replaced: see :func:`check_replaceable`.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist.")
    check_replaceable(path)
    # Created like any new file (permissions from the umask, unlike mkstemp's 0600).
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    temporary.touch(exist_ok=False)
    try:
        yield temporary
        check_replaceable(path)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def check_replaceable(path):
    """Refuse to write over anything at ``path`` but a regular file.

    Renaming a file over a FIFO, a device node (a copy of ``/dev/null``) or a
    socket would replace it, not write into it.

    Raises
    ------
    IsADirectoryError, FileExistsError
        If ``path`` is a folder, or another file that is not a regular one.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:  # absent, or a symbolic link to nothing
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name.")
    if not stat.S_ISREG(mode):
        kinds = [
            (stat.S_ISFIFO, "a FIFO"),
            (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"),
            (stat.S_ISSOCK, "a socket"),
        ]
        kind = next((name for test, name in kinds if test(mode)), "a special file")
        raise FileExistsError(
            f"cannot write {path}: it is {kind}, not a regular file, and would be replaced; "
            "give the name of a regular file or of a new one."
        )


def _pickle_hint(path):
    try:
        with open(path, "rb") as file:
            start = file.read(2)
    except OSError:
        return ""
    if start[:1] == b"\x80":
        return (
            "It looks like a pickle or joblib file, which sklearn-embed never loads: "
            "unpickling can run any code the file contains. Save the encoder with "
            "EmbeddingEncoder.save or 'sklearn-embed fit --model'."
        )
    return ""
