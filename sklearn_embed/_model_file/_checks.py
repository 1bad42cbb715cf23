"""What the parts of a model file must be, checked in three stages, each before the next reads.

1. :func:`check_document`: every field of ``model.json`` has its type and
   range, the counts agree with the lists, and the arrays it lists are exactly
   the ones its state calls for.
2. :func:`check_shapes`: every array's declared dtype and shape (its ``.npy``
   header) agrees with ``model.json`` and with the other arrays, before any
   array is read, so that an edited shape is refused, never allocated.
3. :func:`check_values`: once read, the weights are finite, the scales
   positive, the column mask names the embedded columns.

Any failure is a :class:`~sklearn_embed._model_file._archive.ModelFileError`.
"""

from collections import Counter

import numpy as np

from .._network import check_hidden_layer_sizes
from .._target import TARGET_TYPES
from ._archive import ModelFileError

FORMAT = "sklearn-embed-model"
READABLE_VERSIONS = (1, 2)
_DOCUMENT_KEYS = {"format", "version", "library_version", "params", "state", "values", "arrays"}
# The dtype kinds that hold each kind of value: version 2 also stores ints as uint64 or text.
V1_KINDS = {"str": "U", "int": "i", "float": "f", "bool": "b"}
_V2_KINDS = {"str": "U", "int": "iuU", "float": "f", "bool": "b"}
_PARTS = "the model file's parts do not fit together: "


def _is_int(value, low=0):
    return type(value) is int and value >= low


def _is_number(value):
    return type(value) in (int, float)


def _is_names(value):
    return isinstance(value, list) and all(type(name) is str for name in value)


_STATE = {
    "n_features_in_": lambda v: _is_int(v, 1),
    "n_iter_": _is_int,
    "target_type_": lambda v: v in TARGET_TYPES,
    "best_validation_score_": lambda v: v is None or _is_number(v),
    "merge_factor_": lambda v: _is_int(v, 1),
    "embedding_dims_": lambda v: isinstance(v, dict) and all(_is_int(d, 1) for d in v.values()),
    "categorical_features_": _is_names,
    "feature_names": _is_names,
    "embedded_dtypes": _is_names,
    "has_feature_names_in": lambda v: type(v) is bool,
    "validation_scores_": lambda v: v is None or (isinstance(v, list) and all(map(_is_number, v))),
    "n_tables": _is_int,
    "n_layers": lambda v: _is_int(v, 1),
    "has_history": lambda v: type(v) is bool,
    "output": lambda v: v in (None, "default", "pandas", "polars"),
}
# State fields that files of earlier releases lack.
_LATER_STATE = {
    "baseline_validation_score_": lambda v: v is None or _is_number(v),
}


def _require(condition, message):
    if not condition:
        raise ModelFileError(message)


# ----------------------------------------------------------------- model.json


def check_document(document):
    """Stage 1: the fields of ``model.json``; see the module's docstring."""
    _require(
        isinstance(document, dict) and document.get("format") == FORMAT,
        f"it is not a sklearn-embed model file (no '{FORMAT}' header).",
    )
    version = document.get("version")
    _require(
        type(version) is int and version in READABLE_VERSIONS,
        f"it is a model file of format version {version!r}; this sklearn-embed reads "
        f"versions {', '.join(map(str, READABLE_VERSIONS))}. Load it with the release that "
        "wrote it, or fit again.",
    )
    _require(set(document) == _DOCUMENT_KEYS, f"model.json has the fields {sorted(document)}.")
    state, params = document["state"], document["params"]
    _require(type(document["library_version"]) is str, "library_version is not a string.")
    _require(
        isinstance(state, dict) and set(_STATE) <= set(state) <= {*_STATE, *_LATER_STATE},
        f"the state has other fields than {sorted(_STATE)} (and {sorted(_LATER_STATE)}).",
    )
    checks = {**_STATE, **{name: _LATER_STATE[name] for name in state if name in _LATER_STATE}}
    wrong = [name for name, valid in checks.items() if not valid(state[name])]
    _require(not wrong, f"the state's fields {wrong} hold values of the wrong type.")
    _check_counts(state, document["arrays"])
    _check_params(params, state["categorical_features_"])
    expected, listed = _array_names(state, params), document["arrays"]
    _require(
        _is_names(listed) and listed == sorted(set(listed)), "the list of arrays is malformed."
    )
    missing, unexpected = sorted(set(expected) - set(listed)), sorted(set(listed) - set(expected))
    if missing or unexpected:
        target = {"classes_", "target_mean", "target_scale"} & {*missing, *unexpected}
        what = (
            f"the target ({state['target_type_']!r}) does not match the output layer"
            if target
            else "the arrays listed are not those of the fitted state"
        )
        raise ModelFileError(
            f"{_PARTS}{what} (missing {missing[:5]}, unexpected {unexpected[:5]})."
        )
    _check_value_descriptions(document["values"], _value_names(state, params), version)


def _check_counts(state, arrays):
    """The counts agree with the lists (before any list of names is built from a count)."""
    names, n_tables = state["categorical_features_"], state["n_tables"]
    # fit refuses a table with a repeated column name: an edited file must not bring one.
    counts = [Counter(state["feature_names"]), Counter(names)]
    repeated = sorted({name for count in counts for name, n in count.items() if n > 1})
    problems = [
        (bool(repeated), f"column names {repeated[:5]} appear twice"),
        (
            len(names) != n_tables or len(state["embedded_dtypes"]) != n_tables,
            "the number of embedded columns differs between parts",
        ),
        (
            n_tables > state["n_features_in_"]
            or len(state["feature_names"]) != state["n_features_in_"],
            "column names or dtypes do not match the columns",
        ),
        (set(state["embedding_dims_"]) != set(names), "embedding_dims_ names other columns"),
        (
            state["validation_scores_"] is not None
            and len(state["validation_scores_"]) != state["n_iter_"],
            "validation_scores_ does not have n_iter_ entries",
        ),
        (
            not isinstance(arrays, list) or state["n_layers"] > len(arrays),
            "n_layers exceeds the arrays",
        ),
    ]
    found = [message for failed, message in problems if failed]
    _require(not found, _PARTS + "; ".join(found) + ".")


def _check_params(params, names):
    """Parameters the constructor's validation lets through but ``transform`` or ``fit`` would not."""
    _require(isinstance(params, dict), "params is not a mapping.")
    _require(
        params.get("dtype", "float64") in ("float32", "float64"),
        f"the saved dtype {params.get('dtype')!r} is not float32 or float64.",
    )
    try:
        check_hidden_layer_sizes(params.get("hidden_layer_sizes", ()))
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"the saved parameters are not valid: {error}") from None
    given = params.get("initial_embeddings")
    _require(
        given is None
        or (_is_names(given) and len(set(given)) == len(given) and set(given) <= set(names)),
        "initial_embeddings lists columns that are not embedded.",
    )


def _check_value_descriptions(values, expected, version):
    _require(
        isinstance(values, dict) and sorted(values) == sorted(expected),
        "the value descriptions do not match the embedded columns.",
    )
    for name, description in values.items():
        _require(isinstance(description, dict), f"the description of {name} is malformed.")
        keys = set(description)
        at = description.get("missing_at")
        valid = (
            {"kind", "missing", "object"} <= keys <= {"kind", "missing", "object", "missing_at"}
            and type(description["kind"]) is str
            and description["kind"] in V1_KINDS
            and type(description["missing"]) is bool
            and type(description["object"]) is bool
            and (description["object"] or not description["missing"])
            # Categories and classes keep NaN last (the vocabulary's row layout); others anywhere.
            and (
                at is None
                or (
                    version >= 2
                    and _is_int(at)
                    and description["missing"]
                    and name.startswith(("infrequent_", "initial_index"))
                )
            )
            and (description["object"] or name == "classes_")
            and not (description["missing"] and name == "classes_")
        )
        _require(valid, f"the description of {name} is malformed: {description!r:.200}.")


def _value_names(state, params):
    names = [
        f"{part}{k}"
        for k in range(state["n_tables"])
        for part in ("categories_", "infrequent_categories_")
    ]
    if state["target_type_"] != "continuous":
        names.append("classes_")
    return names + [f"initial_index{k}" for k in range(len(params.get("initial_embeddings") or []))]


def _array_names(state, params):
    per_table = ["embeddings_", "category_counts_", "category_target_means_"]
    per_table += ["embedding_history_"] if state["has_history"] else []
    names = _value_names(state, params)
    names += [f"{part}{k}" for part in per_table for k in range(state["n_tables"])]
    names += [f"{part}{k}" for part in ("coefs_", "intercepts_") for k in range(state["n_layers"])]
    names += ["numeric_bounds_", "numeric_mean_", "numeric_scale_", "loss_curve_", "smooth_"]
    names += ["categorical_mask", "unknown_shares"]
    names += ["target_mean", "target_scale"] if state["target_type_"] == "continuous" else []
    return names + [f"initial_table{k}" for k in range(len(params.get("initial_embeddings") or []))]


# ----------------------------------------------------------------- shapes


def check_shapes(document, headers):
    """Stage 2: the arrays' declared dtypes and shapes; ``headers`` maps names to ``Header``."""
    state, params = document["state"], document["params"]
    lengths = _value_lengths(document["values"], headers, document["version"])
    names, n_tables = state["categorical_features_"], state["n_tables"]
    dims = [state["embedding_dims_"][name] for name in names]
    rows = [lengths[f"categories_{k}"] + 1 for k in range(n_tables)]
    n_numeric = state["n_features_in_"] - n_tables
    expected = {
        "categorical_mask": ((state["n_features_in_"],), "b"),
        "loss_curve_": ((state["n_iter_"],), "f"),
    }
    for k in range(n_tables):
        expected[f"embeddings_{k}"] = ((rows[k], dims[k]), "f")
        for part in ("category_counts_", "category_target_means_"):
            expected[f"{part}{k}"] = ((rows[k],), "f")
    for part, shape in [
        ("numeric_bounds_", (n_numeric, 2)),
        ("numeric_mean_", (n_numeric,)),
        ("numeric_scale_", (n_numeric,)),
    ]:
        expected[part] = (shape, "f")
    for k, column in enumerate(params.get("initial_embeddings") or []):
        expected[f"initial_table{k}"] = (
            (lengths[f"initial_index{k}"], dims[names.index(column)]),
            "f",
        )
    problems = [
        f"{name} is {headers[name].dtype.name} of shape {headers[name].shape}, not {shape}"
        for name, (shape, kinds) in expected.items()
        if headers[name].dtype.kind not in kinds or headers[name].shape != shape
    ]
    if any(
        headers[name].shape != (n_tables,) or headers[name].dtype.kind != "f"
        for name in ("smooth_", "unknown_shares")
    ):
        problems.append("per-column arrays do not match the embedded columns")
    problems += _network_problems(state, headers, lengths, n_numeric + sum(dims))
    if state["has_history"]:
        infrequent = [lengths[f"infrequent_categories_{k}"] for k in range(n_tables)]
        problems += _history_problems(
            state, params, headers, [r + i for r, i in zip(rows, infrequent)], dims
        )
    _require(not problems, _PARTS + "; ".join(problems[:5]) + ".")


def _value_lengths(values, headers, version):
    """Entries of each list of values (a missing value included), from its header."""
    kinds = _V2_KINDS if version >= 2 else V1_KINDS
    lengths, problems = {}, []
    for name, description in values.items():
        header, kind = headers[name], description["kind"]
        typed_text = kind == "int" and header.dtype.kind == "U" and not description["object"]
        if len(header.shape) != 1 or header.dtype.kind not in kinds[kind] or typed_text:
            problems.append(
                f"{name} holds {header.dtype.name} of shape {header.shape}, not {kind} values"
            )
        else:
            lengths[name] = header.shape[0] + description["missing"]
    _require(not problems, _PARTS + "; ".join(problems[:5]) + ".")
    return lengths


def _network_problems(state, headers, lengths, fan_in):
    """Each dense layer takes the previous one's width; the last gives the target's outputs."""
    for k in range(state["n_layers"]):
        coef, intercept = headers[f"coefs_{k}"], headers[f"intercepts_{k}"]
        if (
            coef.dtype.kind != "f"
            or intercept.dtype.kind != "f"
            or len(coef.shape) != 2
            or coef.shape[0] != fan_in
            or intercept.shape != coef.shape[1:]
        ):
            return [
                f"dense layer {k} has shape {coef.shape} (bias {intercept.shape}), expected {fan_in} inputs"
            ]
        fan_in = coef.shape[1]
    target_type, n_classes = state["target_type_"], lengths.get("classes_")
    if target_type == "continuous":
        mean, scale = headers["target_mean"], headers["target_scale"]
        fits = (
            fan_in >= 1
            and mean.shape == scale.shape == (fan_in,)
            and mean.dtype.kind == scale.dtype.kind == "f"
        )
    elif target_type == "binary":
        fits = n_classes == 2 and fan_in == 1
    else:
        fits = n_classes is not None and n_classes >= 2 and fan_in == n_classes
    return (
        []
        if fits
        else [f"the target ({target_type!r}) does not match the output layer ({fan_in} wide)"]
    )


def _history_problems(state, params, headers, max_rows, dims):
    """``embedding_history_``: one shared number of epochs, the tables' widths, at most the rows seen.

    A ``partial_fit`` after ``fit`` keeps the fit's history, so its epochs are
    bounded by ``max_iter``, not equal to ``n_iter_ + 1``; and its rows by the
    categories seen (some may have been merged into the unknown row since).
    """
    max_iter = params.get("max_iter")
    max_epochs = max(state["n_iter_"], max_iter if _is_int(max_iter) else 0) + 1
    shapes = [headers[f"embedding_history_{k}"] for k in range(len(dims))]
    epochs = {header.shape[0] for header in shapes if len(header.shape) == 3}
    for k, header in enumerate(shapes):
        if (
            header.dtype.kind != "f"
            or len(header.shape) != 3
            or len(epochs) != 1
            or not 1 <= header.shape[0] <= max_epochs
            or not 1 <= header.shape[1] <= max_rows[k]
            or header.shape[2] != dims[k]
        ):
            return [f"embedding_history_{k} has shape {header.shape}"]
    return []


# ----------------------------------------------------------------- values


def check_values(arrays, state):
    """Stage 3: the arrays' values, once read (``arrays`` maps names to arrays)."""
    mask, problems = arrays["categorical_mask"], []
    embedded = [
        name for name, is_embedded in zip(state["feature_names"], mask.tolist()) if is_embedded
    ]
    if embedded != state["categorical_features_"]:
        problems.append("the column mask does not match the embedded columns")
    weights = ("embeddings_", "coefs_", "intercepts_", "embedding_history_", "initial_table")
    if not all(
        np.isfinite(array).all() for name, array in arrays.items() if name.startswith(weights)
    ):
        problems.append("weights must be finite")
    counts = [arrays[name] for name in arrays if name.startswith("category_counts_")]
    means = [arrays[name] for name in arrays if name.startswith("category_target_means_")]
    if not all((c >= 0).all() and np.isfinite(c).all() for c in counts) or any(
        np.isinf(m).any() for m in means
    ):
        problems.append("per-category counts or means are not finite")
    bounds, scale = arrays["numeric_bounds_"], arrays["numeric_scale_"]
    if np.isnan(bounds).any() or (bounds[:, 0] > bounds[:, 1]).any() or not _positive(scale):
        problems.append("the numeric scaling is malformed")
    if not np.isfinite(arrays["numeric_mean_"]).all():
        problems.append("the numeric means must be finite")
    shares = arrays["unknown_shares"]
    if not ((arrays["smooth_"] >= 0).all() and (shares >= 0).all() and (shares <= 1).all()):
        problems.append("per-column smoothing or unknown shares are out of range")
    if "target_mean" in arrays and not (
        np.isfinite(arrays["target_mean"]).all() and _positive(arrays["target_scale"])
    ):
        problems.append("the target's mean and scale must be finite, the scale positive")
    _require(not problems, _PARTS + "; ".join(problems) + ".")


def _positive(array):
    return bool(np.isfinite(array).all() and (array > 0).all())
