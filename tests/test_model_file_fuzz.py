"""Model files damaged or crafted at random: load raises only ModelFileError, in bounded memory.

Each mutation of a genuine file (a flipped bit, a truncation, an edit of a field of
model.json, a member inflated: a zip bomb, a wider string dtype, a larger declared size or
shape, a padded model.json) must either load into an encoder that transforms the training
rows into finite numbers of the right shape, or raise ModelFileError. Memory is what load
allocates, followed by tracemalloc (NumPy reports its buffers to it): at most a small
multiple of the genuine model's inflated size, plus a fixed allowance for the interpreter's
own objects. An inflated member declares INFLATED bytes, far beyond that bound, so a check
that lets one through shows here as memory, not as a crash.
"""

import io
import json
import random
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import EmbeddingEncoder, ModelFileError, load_adult_sample

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn_embed.DataWarning"),
    pytest.mark.filterwarnings("ignore:X does not have valid feature names"),
]

INFLATED = 4 << 20
ALLOWANCE = 1 << 20
REPLACEMENTS = [
    None,
    -1,
    0,
    1,
    2,
    1.5,
    True,
    10**30,
    "x",
    "",
    [],
    {},
    [1],
    ["x"],
    float("nan"),
    float("inf"),
    "float32",
    [[[[[[]]]]]],
]


def _binary_model():
    """Strings, ints (age), a NaN among the infrequent values, history, a given table."""
    X, y = load_adult_sample()
    X, y = X[["workclass", "occupation", "sex", "age", "hours-per-week"]][:600], y[:600]
    # One missing cell, too rare for a row: the NaN is infrequent, then merged categories follow it.
    shop = pd.Series(np.random.RandomState(0).choice(list("abcdefghijkl"), size=600)).where(
        X.index != 5
    )
    X = X.assign(shop=shop.astype("str"))
    encoder = EmbeddingEncoder(
        categorical_features=["workclass", "occupation", "sex", "shop", "age"],
        initial_embeddings={"sex": pd.DataFrame(np.eye(2), index=["Male", "Female"])},
        hidden_layer_sizes=(8,),
        min_frequency=2,
        record_embeddings=True,
        max_iter=2,
        random_state=0,
    )
    return encoder.fit(X, y), X


def _continuous_model():
    """A NumPy array (no column names), two outputs in y's units, float32 output."""
    X, _ = load_adult_sample()
    X = X.iloc[:600]
    Y = np.column_stack([X["hours-per-week"], X["age"] * 1.5])
    values = X[["workclass", "race", "education-num"]].to_numpy()
    encoder = EmbeddingEncoder(
        hidden_layer_sizes=(8, 4), dtype=np.float32, max_iter=2, random_state=0
    )
    return encoder.fit(values, Y), values


@pytest.fixture(scope="module", params=["binary", "continuous"])
def genuine(request, tmp_path_factory):
    encoder, X = {"binary": _binary_model, "continuous": _continuous_model}[request.param]()
    path = tmp_path_factory.mktemp("fuzz") / "genuine.sk-embed"
    encoder.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return path.read_bytes(), members, X


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# ----------------------------------------------------------------- mutations


def _flips(data, rng, n):
    for _ in range(n):
        damaged = bytearray(data)
        position = rng.randrange(len(damaged))
        damaged[position] ^= 1 << rng.randrange(8)
        yield f"bit flip at {position}", bytes(damaged)


def _truncations(data, rng, n):
    for length in sorted(rng.sample(range(len(data)), n)):
        yield f"truncated to {length}", data[:length]


def _fields(node, path=()):
    """Every path into the JSON tree (the first two items of each list)."""
    if path:
        yield path
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node[:2])
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from _fields(child, (*path, key))


def _json_edits(members, rng, per_field):
    """Each field of model.json deleted, and replaced by ``per_field`` values of other types."""
    document = json.loads(members["model.json"])
    for path in _fields(document):
        for replacement in ["delete", *rng.sample(REPLACEMENTS, per_field)]:
            edited = json.loads(members["model.json"])
            parent = edited
            for key in path[:-1]:
                parent = parent[key]
            if replacement == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
            yield f"{path} = {replacement!r}", _zip({**members, "model.json": json.dumps(edited)})


def _inflations(members):
    """Each member made to declare INFLATED bytes, in every way a file can declare a size."""
    yield (
        "model.json padded",
        _zip({**members, "model.json": b"{" + b" " * INFLATED + members["model.json"][1:]}),
    )
    document = json.loads(members["model.json"])
    document["state"]["validation_scores_"] = [0.0] * (INFLATED // 5)
    yield "model.json with a long list", _zip({**members, "model.json": json.dumps(document)})
    for name, data in members.items():
        if name == "model.json":
            continue
        array = np.load(io.BytesIO(data))
        yield f"{name}: zip bomb", _zip({**members, name: _npy(_bomb(array))})
        if array.dtype.kind == "U" and array.size:
            width = min(INFLATED // (4 * array.size), 50_000)
            yield (
                f"{name}: wider strings",
                _zip({**members, name: _npy(array.astype(f"<U{width}"))}),
            )
        yield f"{name}: declared shape", _zip({**members, name: _declared_shape(data)})
        yield f"{name}: declared size", _declared_size(_zip(members), name)


def _bomb(array):
    """Zeros (or empty strings) of the array's dtype, INFLATED bytes, its first axis stretched."""
    rows = max(1, INFLATED // array.dtype.itemsize // max(1, int(np.prod(array.shape[1:]))))
    return np.zeros((rows, *array.shape[1:]), dtype=array.dtype)


def _declared_shape(data):
    """The .npy header declaring 10**11 rows, its data unchanged."""
    header_length = int.from_bytes(data[8:10], "little")
    header = data[10 : 10 + header_length].decode("latin1")
    header = re.sub(r"'shape': \((\d*)", "'shape': (100000000000", header).rstrip()
    return (
        data[:10]
        + header.ljust(header_length - 1).encode("latin1")
        + b"\n"
        + data[10 + header_length :]
    )


def _declared_size(data, name):
    """The archive with ``name``'s inflated size set to INFLATED in both of its zip headers."""
    data, encoded = bytearray(data), name.encode()
    # Local and central headers: signature, offset of the inflated size, offset of the name.
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = data.find(signature)
        while start >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                data[start + size_at : start + size_at + 4] = INFLATED.to_bytes(4, "little")
            start = data.find(signature, start + 1)
    return bytes(data)


# ----------------------------------------------------------------- checks


def _check_loaded(encoder, X):
    if hasattr(encoder, "feature_names_in_") and isinstance(X, pd.DataFrame):
        X = X.set_axis(encoder.feature_names_in_, axis=1)
    out = np.asarray(encoder.transform(X), dtype=np.float64)
    assert out.shape[0] == len(X) and np.isfinite(out).all()


def _run(mutations, X, tmp_path, bound, load_traced):
    """Load every mutated file; return how many loaded and the largest peak."""
    path, loaded, largest = tmp_path / "mutated.sk-embed", 0, 0
    for label, data in mutations:
        path.write_bytes(data)
        result, peak = load_traced(path)
        assert peak <= bound, f"{label}: load allocated {peak:,} bytes (bound {bound:,})"
        largest = max(largest, peak)
        if not isinstance(result, ModelFileError):
            _check_loaded(result, X)
            loaded += 1
    return loaded, largest


def _bound(members):
    return 4 * sum(len(data) for data in members.values()) + ALLOWANCE


def test_mutated_model_files_raise_only_model_file_error_in_bounded_memory(
    genuine, tmp_path, load_traced
):
    data, members, X = genuine
    rng = random.Random(0)
    path = tmp_path / "genuine.sk-embed"
    path.write_bytes(data)
    encoder, genuine_peak = load_traced(path)
    _check_loaded(encoder, X)
    bound = _bound(members)
    assert genuine_peak <= bound
    mutations = [
        *_flips(data, rng, 60),
        *_truncations(data, rng, 20),
        *_json_edits(members, rng, 1),
    ]
    loaded, _ = _run(mutations, X, tmp_path, bound, load_traced)
    assert 0 < loaded < len(mutations) / 2  # most damage is found; harmless edits load
    loaded, largest = _run(_inflations(members), X, tmp_path, bound, load_traced)
    assert loaded == 0 and largest < bound


@pytest.mark.slow
def test_many_more_mutated_model_files_raise_only_model_file_error(genuine, tmp_path, load_traced):
    data, members, X = genuine
    rng = random.Random(1)
    mutations = [
        *_flips(data, rng, 1500),
        *_truncations(data, rng, 300),
        *_json_edits(members, rng, 6),
    ]
    _run(mutations, X, tmp_path, _bound(members), load_traced)
