"""The model file: a fitted encoder saved and loaded without pickle.

A model file is a zip archive holding ``model.json`` (the format's name and
version, the parameters, the scalar fitted state and the layout of the arrays)
and one ``.npy`` file per array, read back with ``allow_pickle=False``. Loading
never runs code from the file: it parses JSON, reads plain arrays, and checks
every name, shape and dtype before it builds the encoder. Categories keep their
type (str, int, float, bool; missing values as a flag), so a saved encoder
transforms exactly as the fitted one did.

Layout of ``model.json``::

    {"format": "sklearn-embed-model", "version": 1, "library_version": "...",
     "params": {...},            # get_params(), as JSON
     "state": {...},             # scalars and lists: n_iter_, target_type_, ...
     "values": {name: {"kind": ..., "missing": bool, "object": bool}},
     "arrays": [name, ...]}      # every .npy member, in a fixed order
"""

import io
import json
import os
import secrets
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ._table_plan import given_tables
from ._version import __version__
from ._vocabulary import as_python, is_missing

FORMAT = "sklearn-embed-model"
VERSION = 1

# Fitted attributes that are lists of arrays, one per embedded column (or layer).
_ARRAY_LISTS = [
    "embeddings_", "coefs_", "intercepts_", "category_counts_", "category_target_means_",
]  # fmt: skip
_ARRAYS = ["numeric_bounds_", "numeric_mean_", "numeric_scale_", "loss_curve_"]
_SCALARS = ["n_features_in_", "n_iter_", "target_type_", "best_validation_score_", "merge_factor_"]


class ModelFileError(ValueError):
    """The file is not a complete, valid sklearn-embed model file."""


def save_model(path, encoder, coder, target, output=None):
    """Write ``encoder`` (fitted) to ``path`` atomically: a partial file never appears.

    ``coder`` and ``target`` are the encoder's column coder and target record,
    ``output`` its ``set_output(transform=...)`` setting (None when not set).
    """
    arrays, values = {}, {}
    state = {name: as_python(getattr(encoder, name)) for name in _SCALARS}
    state["embedding_dims_"] = {str(k): int(v) for k, v in encoder.embedding_dims_.items()}
    state["categorical_features_"] = [str(c) for c in encoder.categorical_features_]
    state["feature_names"] = [str(c) for c in coder.feature_names]
    state["embedded_dtypes"] = list(coder.embedded_dtypes)
    state["has_feature_names_in"] = hasattr(encoder, "feature_names_in_")
    state["validation_scores_"] = encoder.validation_scores_
    state["n_tables"], state["n_layers"] = len(encoder.embeddings_), len(encoder.coefs_)
    state["has_history"] = hasattr(encoder, "embedding_history_")
    state["output"] = output
    for k in range(state["n_tables"]):
        for name in ("categories_", "infrequent_categories_"):
            values[f"{name}{k}"] = _value_array(getattr(encoder, name)[k], arrays, f"{name}{k}")
    if hasattr(encoder, "classes_"):
        values["classes_"] = _value_array(encoder.classes_, arrays, "classes_")
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
        "version": VERSION,
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
    try:
        with zipfile.ZipFile(path) as archive:
            document = json.loads(archive.read("model.json"))
            _check_header(document, path)
            arrays = {name: _read_array(archive, name) for name in document["arrays"]}
        return _rebuild(document, arrays)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ModelFileError(
            f"{path} is not a valid sklearn-embed model file ({type(error).__name__}: "
            f"{error}). {_pickle_hint(path)}"
        ) from None


def _rebuild(document, arrays):
    state, values = document["state"], document["values"]
    n_tables, n_layers = state["n_tables"], state["n_layers"]
    attributes = {name: state[name] for name in _SCALARS}
    attributes["categorical_features_"] = np.asarray(state["categorical_features_"], dtype=object)
    attributes["embedding_dims_"] = dict(state["embedding_dims_"])
    attributes["validation_scores_"] = state["validation_scores_"]
    for name in ("categories_", "infrequent_categories_"):
        attributes[name] = [_values(values[f"{name}{k}"], arrays, f"{name}{k}") for k in range(n_tables)]
    if "classes_" in values:
        attributes["classes_"] = _values(values["classes_"], arrays, "classes_")
    for name in _ARRAY_LISTS:
        count = n_layers if name in ("coefs_", "intercepts_") else n_tables
        attributes[name] = [arrays[f"{name}{k}"] for k in range(count)]
    if state["has_history"]:
        attributes["embedding_history_"] = [arrays[f"embedding_history_{k}"] for k in range(n_tables)]
    for name in _ARRAYS:
        attributes[name] = arrays[name]
    attributes["loss_curve_"] = arrays["loss_curve_"].tolist()
    names = state["categorical_features_"]
    attributes["smooth_"] = dict(zip(names, arrays["smooth_"].tolist()))
    if state["has_feature_names_in"]:
        attributes["feature_names_in_"] = np.asarray(state["feature_names"], dtype=object)
    _check_shapes(attributes, arrays, state)
    layout = {
        "feature_names": state["feature_names"],
        "categorical_mask": arrays["categorical_mask"],
        "unknown_shares": arrays["unknown_shares"],
        "embedded_dtypes": state["embedded_dtypes"],
        "target_mean": arrays.get("target_mean"),
        "target_scale": arrays.get("target_scale"),
        "output": state.get("output"),
    }
    return _params(document["params"], arrays, values), attributes, layout


def _check_shapes(attributes, arrays, state):
    """Every part must fit the others: a tampered file fails here, not in transform."""
    mask = arrays["categorical_mask"]
    n_numeric = int((~mask).sum()) if mask.dtype == bool else -1
    problems = []
    if mask.dtype != bool or mask.shape != (state["n_features_in_"],):
        problems.append("the column mask does not match n_features_in_")
    if int(mask.sum()) != state["n_tables"] or len(state["categorical_features_"]) != state["n_tables"]:
        problems.append("the number of embedded columns differs between parts")
    width = 0
    for k, (table, categories) in enumerate(zip(attributes["embeddings_"], attributes["categories_"])):
        dim = attributes["embedding_dims_"].get(state["categorical_features_"][k])
        if table.ndim != 2 or table.shape != (len(categories) + 1, dim):
            problems.append(f"table {k} has shape {table.shape}, not ({len(categories) + 1}, {dim})")
        width += table.shape[1] if table.ndim == 2 else 0
    fan_in = width + n_numeric
    for coef, intercept in zip(attributes["coefs_"], attributes["intercepts_"]):
        if coef.ndim != 2 or coef.shape[0] != fan_in or intercept.shape != (coef.shape[1],):
            problems.append(f"a dense layer has shape {coef.shape}, expected {fan_in} inputs")
            break
        fan_in = coef.shape[1]
    for name in ("numeric_mean_", "numeric_scale_"):
        if attributes[name].shape != (n_numeric,):
            problems.append(f"{name} has shape {attributes[name].shape}, not ({n_numeric},)")
    arrays_of_tables = [attributes[name] for name in ("embeddings_", "coefs_", "intercepts_")]
    if not all(a.dtype.kind == "f" and np.isfinite(a).all() for group in arrays_of_tables for a in group):
        problems.append("weights must be finite floating-point arrays")
    problems += _check_parts(attributes, arrays, state, n_numeric)
    if problems:
        raise ModelFileError("the model file's parts do not fit together: " + "; ".join(problems))


def _check_parts(attributes, arrays, state, n_numeric):
    """The checks beyond the network's shapes: per-column arrays, target, scaling."""
    n_tables, problems = state["n_tables"], []
    rows = [len(c) + 1 for c in attributes["categories_"]]
    per_row = [attributes[name] for name in ("category_counts_", "category_target_means_")]
    if any([len(a) for a in group] != rows for group in per_row):
        problems.append("per-category counts or means do not match the tables")
    if any(not pd.Index(c).is_unique for c in attributes["categories_"]):
        problems.append("a column lists a category twice")
    if arrays["unknown_shares"].shape != (n_tables,) or len(attributes["smooth_"]) != n_tables:
        problems.append("per-column arrays do not match the embedded columns")
    if len(state["embedded_dtypes"]) != n_tables or len(state["feature_names"]) != state["n_features_in_"]:
        problems.append("column names or dtypes do not match the columns")
    if not all(isinstance(name, str) for name in state["feature_names"] + state["embedded_dtypes"]):
        problems.append("column names must be strings")
    bounds, scale = attributes["numeric_bounds_"], attributes["numeric_scale_"]
    if bounds.shape != (n_numeric, 2) or not (np.isfinite(scale).all() and (scale > 0).all()):
        problems.append("the numeric scaling is malformed")
    if not np.isfinite(attributes["numeric_mean_"]).all():
        problems.append("the numeric means must be finite")
    if state.get("output") not in (None, "default", "pandas", "polars"):
        problems.append(f"unknown output setting {state.get('output')!r}")
    problems += _check_target(attributes, arrays)
    return problems


def _check_target(attributes, arrays):
    target_type, classes = attributes["target_type_"], attributes.get("classes_")
    width = attributes["coefs_"][-1].shape[1] if attributes["coefs_"] else None
    expected = {
        "binary": 1 if classes is not None and len(classes) == 2 else None,
        "multiclass": len(classes) if classes is not None and len(classes) > 2 else None,
        "continuous": len(arrays["target_mean"]) if "target_mean" in arrays else None,
    }.get(target_type)
    if expected is None or width != expected:
        return [f"the target ({target_type!r}) does not match the output layer ({width} wide)"]
    return []


# ----------------------------------------------------------------- values


def _value_array(values, arrays, name):
    """Store category values (or class labels) typed; return their description."""
    values = np.asarray(values)
    missing = values.dtype == object and len(values) > 0 and is_missing(values[-1])
    present = values[:-1] if missing else values
    kinds = {type(v).__name__ for v in present.tolist()}  # categories are few: no hot path
    if not kinds <= {"str", "int", "float", "bool"} or len(kinds) > 1:
        raise TypeError(
            f"Cannot save categories of types {sorted(kinds)} (only str, int, float and bool)."
        )
    kind = kinds.pop() if kinds else "str"
    dtype = {"str": str, "int": np.int64, "float": np.float64, "bool": bool}[kind]
    arrays[name] = np.array(present.tolist(), dtype=dtype) if len(present) else np.array([], dtype)
    return {"kind": kind, "missing": bool(missing), "object": values.dtype == object}


def _values(description, arrays, name):
    present = arrays[name]
    expected = {"str": "U", "int": "i", "float": "f", "bool": "b"}[description["kind"]]
    if len(present) and present.dtype.kind != expected:
        raise ModelFileError(f"{name} holds {present.dtype}, not {description['kind']} values")
    if not description["object"]:
        return present
    values = np.array(present.tolist() + ([np.nan] if description["missing"] else []), dtype=object)
    return values


# ----------------------------------------------------------------- parameters


def _json_params(encoder):
    params = encoder.get_params(deep=False)
    if not isinstance(params["random_state"], (int, np.integer, type(None))):
        params["random_state"] = None  # a RandomState's stream cannot be saved; refits differ
    for name in ("categorical_features", "hidden_layer_sizes"):
        if not isinstance(params[name], str):
            params[name] = np.asarray(params[name]).tolist()
    if isinstance(params["embedding_dim"], dict):
        params["embedding_dim"] = {str(k): int(v) for k, v in params["embedding_dim"].items()}
    params["dtype"] = np.dtype(params["dtype"]).name
    if not isinstance(params["freeze_embeddings"], (bool, np.bool_)):
        params["freeze_embeddings"] = [str(c) for c in params["freeze_embeddings"]]
    if params["shared_embeddings"] is not None:
        params["shared_embeddings"] = [[str(c) for c in group] for group in params["shared_embeddings"]]
    return params


def _save_initial_tables(encoder, arrays, values):
    """Store the tables ``initial_embeddings`` gave, as arrays; return their columns (or None).

    A fitted encoder given as ``initial_embeddings`` is stored as the tables it
    gave, so the loaded encoder's parameters hold them as a dict.
    """
    if encoder.initial_embeddings is None:
        return None
    given = given_tables(list(encoder.categorical_features_), encoder.initial_embeddings)
    for k, table in enumerate(given.values()):
        arrays[f"initial_table{k}"] = table.to_numpy(np.float32)
        index = table.index.to_numpy(dtype=object)
        values[f"initial_index{k}"] = _value_array(index, arrays, f"initial_index{k}")
    return list(given)


def _params(saved, arrays, values):
    params = dict(saved)
    if params.get("initial_embeddings") is not None:
        params["initial_embeddings"] = {
            column: pd.DataFrame(
                arrays[f"initial_table{k}"],
                index=_values(values[f"initial_index{k}"], arrays, f"initial_index{k}"),
            )
            for k, column in enumerate(params["initial_embeddings"])
        }
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    if isinstance(params.get("dtype"), str) and params["dtype"] in ("float32", "float64"):
        params["dtype"] = np.dtype(params["dtype"]).type
    return params


# ----------------------------------------------------------------- files


def _check_header(document, path):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a sklearn-embed model file (no '{FORMAT}' header).")
    if document.get("version") != VERSION:
        raise ModelFileError(
            f"{path} is a model file of format version {document.get('version')!r}; this "
            f"sklearn-embed reads version {VERSION}."
        )


def _read_array(archive, name):
    if not isinstance(name, str) or "/" in name:
        raise ModelFileError(f"bad array name {name!r}")
    array = np.load(io.BytesIO(archive.read(f"{name}.npy")), allow_pickle=False)
    if array.dtype.kind not in "biufU":
        raise ModelFileError(f"array {name} has dtype {array.dtype}")
    return array


def _write_atomically(path, document, arrays):
    with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", json.dumps(document, indent=1))
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())


@contextmanager
def atomic_path(path):
    """A temporary path in ``path``'s folder, renamed to ``path`` only on success.

    Written there, a file appears whole or not at all: an error or an interrupt
    (Ctrl-C, SIGTERM turned into an exception) removes the temporary file.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist.")
    # Created like any new file (permissions from the umask, unlike mkstemp's 0600).
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    temporary.touch(exist_ok=False)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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

