"""The model file: save/load without pickle, bit-identical round trips, refusal of bad files."""

import datetime
import decimal
import io
import json
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklearn_embed import EmbeddingEncoder, ModelFileError, load_adult_sample
from sklearn_embed._model import FittedModel

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn_embed.DataWarning"),
]


def _adult(n=1500):
    X, y = load_adult_sample()
    return X.iloc[:n], y.iloc[:n]


def _fitted(kind):
    X, y = _adult()
    if kind == "default":
        return EmbeddingEncoder(max_iter=5, random_state=0).fit(X, y), X
    if kind == "regression, 2 outputs, history":
        Y = np.column_stack([X["hours-per-week"] + 0.5, X["age"] * 1.5])
        enc = EmbeddingEncoder(max_iter=3, record_embeddings=True, random_state=0)
        return enc.fit(X.drop(columns=["hours-per-week"]), Y), X.drop(columns=["hours-per-week"])
    if kind == "multiclass, int categories, drop":
        enc = EmbeddingEncoder(
            categorical_features=[
                "workclass",
                "marital-status",
                "occupation",
                "relationship",
                "race",
                "sex",
                "native-country",
                "age",
            ],
            embedding_dim={"age": 3},
            hidden_layer_sizes=(8, 4),
            remainder="drop",
            smooth=0,
            max_iter=3,
            random_state=0,
        )
        return enc.fit(X.drop(columns="education"), X["education"]), X.drop(columns="education")
    if kind == "numpy array, no early stopping":
        values = X[["workclass", "race", "age"]].to_numpy()
        enc = EmbeddingEncoder(early_stopping=False, max_iter=2, random_state=0)
        return enc.fit(values, (y == ">50K").to_numpy()), values
    if kind == "shared and frozen tables":
        Xs = X.assign(spouse_occupation=X["occupation"].sample(frac=1, random_state=0).to_numpy())
        given = pd.DataFrame(np.eye(2), index=["Male", "Female"])
        enc = EmbeddingEncoder(
            shared_embeddings=[["occupation", "spouse_occupation"]],
            initial_embeddings={"sex": given},
            freeze_embeddings=["sex"],
            dtype=np.float32,
            max_iter=3,
            random_state=0,
        )
        return enc.fit(Xs, y), Xs
    raise ValueError(kind)


def _fitted_attributes(encoder):
    return {
        name: value
        for name, value in vars(encoder).items()
        if name.endswith("_") and not name.startswith("_")
    }


def _assert_same(a, b, name):
    if isinstance(a, FittedModel):
        # The model file keeps a shared table once per column: compare what the model computes with.
        _assert_same(a.embeddings, b.embeddings, f"{name}.embeddings")
        _assert_same(
            a.network.coefs + a.network.intercepts, b.network.coefs + b.network.intercepts, name
        )
        for part in ("feature_names", "categorical_mask", "unknown_shares", "embedded_dtypes"):
            _assert_same(getattr(a.coder, part), getattr(b.coder, part), f"{name}.coder.{part}")
        for part in ("bounds", "mean", "scale"):
            _assert_same(getattr(a.coder.numeric, part), getattr(b.coder.numeric, part), name)
        for part in ("type", "classes", "mean", "scale"):
            _assert_same(getattr(a.target, part), getattr(b.target, part), f"{name}.target.{part}")
        assert a.activation == b.activation, name
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), name
        for key in a:
            _assert_same(a[key], b[key], f"{name}[{key!r}]")
    elif isinstance(a, (list, tuple)) and a and isinstance(a[0], np.ndarray):
        assert len(a) == len(b), name
        for i, (x, z) in enumerate(zip(a, b)):
            _assert_same(x, z, f"{name}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert pd.isna(a).tolist() == pd.isna(b).tolist(), name
        if a.dtype == object:
            present = ~pd.isna(a)
            assert a[present].tolist() == b[present].tolist(), name
            assert [type(v) for v in a[present]] == [type(v) for v in b[present]], name
        else:
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    else:
        assert a == b or (a != a and b != b), name


@pytest.mark.parametrize(
    "kind",
    [
        "default",
        "regression, 2 outputs, history",
        "multiclass, int categories, drop",
        "numpy array, no early stopping",
        "shared and frozen tables",
    ],
)
def test_round_trip_is_bit_identical(kind, tmp_path):
    encoder, X = _fitted(kind)
    encoder.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")

    params, loaded_params = encoder.get_params(), loaded.get_params()
    given, loaded_given = params.pop("initial_embeddings"), loaded_params.pop("initial_embeddings")
    hidden = tuple(np.asarray(encoder.hidden_layer_sizes).tolist())
    assert loaded_params == {**params, "hidden_layer_sizes": hidden}
    assert (given is None) == (loaded_given is None)
    for column, table in (given or {}).items():  # the starting tables are saved too
        pd.testing.assert_frame_equal(
            loaded_given[column], table.astype(np.float32), check_column_type=False
        )
    attributes = _fitted_attributes(encoder)
    assert attributes.keys() == _fitted_attributes(loaded).keys()
    for name, value in attributes.items():
        _assert_same(value, getattr(loaded, name), name)

    unseen = X.copy() if isinstance(X, pd.DataFrame) else X.copy()
    if isinstance(X, pd.DataFrame):
        column = encoder.categorical_features_[0]
        unseen[column] = unseen[column].astype(object)
        unseen.iloc[:5, list(X.columns).index(column)] = ["never seen", None, np.nan, "x", "y"]
    for rows in (X, unseen):
        np.testing.assert_array_equal(loaded.transform(rows), encoder.transform(rows))
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X).infer_objects()
    np.testing.assert_array_equal(loaded.model_.predict(frame), encoder.model_.predict(frame))
    assert loaded.get_feature_names_out().tolist() == encoder.get_feature_names_out().tolist()
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(
            loaded.set_output(transform="pandas").transform(X),
            encoder.set_output(transform="pandas").transform(X),
        )
        column = encoder.categorical_features_[0]
        category = encoder.categories_[0][0]
        pd.testing.assert_frame_equal(
            loaded.most_similar(column, category, n=2), encoder.most_similar(column, category, n=2)
        )


def test_a_loaded_frozen_encoder_refits_as_the_original(tmp_path):
    encoder, X = _fitted("shared and frozen tables")
    encoder.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")
    refit = clone(loaded).fit(X, _adult()[1])
    np.testing.assert_array_equal(refit.get_embeddings("sex").loc[["Male", "Female"]], np.eye(2))


def test_plots_of_a_loaded_encoder(tmp_path):
    matplotlib = pytest.importorskip(
        "matplotlib", reason='in the test extra: pip install -e ".[test]"'
    )
    matplotlib.use("Agg")
    encoder, _ = _fitted("default")
    encoder.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")
    drawn = loaded.plot_embeddings("occupation").collections[0].get_offsets()
    np.testing.assert_array_equal(
        drawn, encoder.plot_embeddings("occupation").collections[0].get_offsets()
    )
    assert len(loaded.plot_training().lines) >= 2


def test_a_pickle_payload_is_refused_and_never_runs(pickle_payload):
    model, marker = pickle_payload
    with pytest.raises(
        ModelFileError, match="pickle or joblib file, which sklearn-embed never loads"
    ):
        EmbeddingEncoder.load(model)
    assert not marker.exists()


def _model_file(tmp_path):
    encoder, X = _fitted("default")
    encoder.save(tmp_path / "model")
    return tmp_path / "model", X


def _rewrite(path, change):
    """Copy the model file with ``change(name, bytes) -> bytes`` applied to every member."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, change(name, data))


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
            "not a valid sklearn-embed model file",
        ),
        (lambda p: p.write_bytes(b""), "not a valid sklearn-embed model file"),
        (lambda p: p.write_text("age,workclass\n1,a\n"), "not a valid sklearn-embed model file"),
        (
            lambda p: _rewrite(
                p,
                lambda n, d: (
                    d.replace(b'"version": 1', b'"version": 99') if n == "model.json" else d
                ),
            ),
            "format version 99",
        ),
        (
            lambda p: _rewrite(
                p, lambda n, d: d.replace(b'"alpha"', b'"alpha_typo"') if n == "model.json" else d
            ),
            "saved parameters are not valid",
        ),
        (lambda p: _rewrite(p, _swap_first_table), "do not fit together"),
        (
            lambda p: _rewrite(p, _replace_array("unknown_shares.npy", np.zeros(1))),
            "per-column arrays",
        ),
        (
            lambda p: _rewrite(p, _replace_array("categories_0.npy", np.array(["a", "a", "b"]))),
            "a category twice",
        ),
        (
            lambda p: _rewrite(
                p,
                lambda n, d: (
                    d.replace(b'"target_type_": "binary"', b'"target_type_": "continuous"')
                    if n == "model.json"
                    else d
                ),
            ),
            "does not match the output layer",
        ),
    ],
    ids=[
        "truncated",
        "empty",
        "csv",
        "version",
        "parameter",
        "table shape",
        "shares",
        "duplicate",
        "target",
    ],
)
def test_damaged_files_fail_in_one_clear_error(tmp_path, damage, message):
    path, _ = _model_file(tmp_path)
    damage(path)
    with pytest.raises(ModelFileError, match=message):
        EmbeddingEncoder.load(path)


def _replace_array(member, array):
    import io

    def change(name, data):
        if name != member:
            return data
        buffer = io.BytesIO()
        np.save(buffer, array)
        return buffer.getvalue()

    return change


def _swap_first_table(name, data):
    if name != "embeddings_0.npy":
        return data
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 2), np.float32))
    return buffer.getvalue()


def test_model_json_is_readable_and_declares_its_format(tmp_path):
    path, _ = _model_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read("model.json"))
        assert all(name.endswith((".npy", ".json")) for name in archive.namelist())
    assert document["format"] == "sklearn-embed-model" and document["version"] == 1
    # occupation (column 3) keeps its missing value as a category; workclass merged it.
    assert document["values"]["categories_3"] == {"kind": "str", "missing": True, "object": True}
    assert document["values"]["categories_0"] == {"kind": "str", "missing": False, "object": True}
    assert document["state"]["merge_factor_"] == 5


def test_an_interrupted_save_leaves_no_file(tmp_path, monkeypatch):
    encoder, _ = _fitted("default")
    calls = []

    def failing_save(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    original = np.save
    monkeypatch.setattr(np, "save", failing_save)
    with pytest.raises(KeyboardInterrupt):
        encoder.save(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_saving_an_unfitted_encoder_is_refused(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        EmbeddingEncoder().save(tmp_path / "model")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not (tmp_path / "model").exists()


def test_the_output_setting_is_saved(tmp_path):
    encoder, X = _fitted("default")
    encoder.set_output(transform="pandas").save(tmp_path / "model")
    out = EmbeddingEncoder.load(tmp_path / "model").transform(X)
    assert (
        isinstance(out, pd.DataFrame)
        and out.columns.tolist() == encoder.get_feature_names_out().tolist()
    )


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    encoder, _ = _fitted("default")
    with pytest.raises(FileNotFoundError, match="the folder .*nowhere does not exist"):
        encoder.save(tmp_path / "nowhere" / "model")


# ----------------------------------------------------------------- issue 21: model files


def _streamed_zeros(archive, name, descr, shape):
    """A .npy member of zeros written in chunks: its size declared, never held in memory."""
    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
        np.lib.format.write_array_header_1_0(
            member, {"descr": descr, "fortran_order": False, "shape": shape}
        )
        left = int(np.prod(shape)) * np.dtype(descr).itemsize
        while left:
            member.write(bytes(min(left, 1 << 20)))
            left -= min(left, 1 << 20)


def _with_declared_shape(data, shape):
    """A .npy file whose header declares ``shape``, its data and its length unchanged."""
    length = int.from_bytes(data[8:10], "little")
    header = data[10 : 10 + length].decode("latin1")
    header = header.replace(
        header[header.index("'shape'") : header.index(")") + 1], f"'shape': {shape}"
    )
    return (
        data[:10] + header.rstrip().ljust(length - 1).encode("latin1") + b"\n" + data[10 + length :]
    )


def _bomb(path, kind):
    """The model file at ``path`` rewritten as one of the decompression bombs of issue 21."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    fan_in = np.load(io.BytesIO(members["coefs_0.npy"])).shape[0]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if kind == "a member inflates to 40 MB":
            _streamed_zeros(archive, "coefs_0", "<f4", (fan_in, (40 << 20) // (4 * fan_in)))
        if kind == "a consistent network of 115 MB":
            width = 800_000  # every layer fits the next; only the file's size gives it away
            _streamed_zeros(archive, "coefs_0", "<f4", (fan_in, width))
            _streamed_zeros(archive, "intercepts_0", "<f4", (width,))
            _streamed_zeros(archive, "coefs_1", "<f4", (width, 1))
        if kind == "model.json padded with 40 MB of spaces":
            members["model.json"] = b"{" + b" " * (40 << 20) + members["model.json"][1:]
        if kind == "a declared shape of (1e11,)":
            members["loss_curve_.npy"] = _with_declared_shape(members["loss_curve_.npy"], (10**11,))
        for name, data in members.items():
            if name not in archive.namelist():
                archive.writestr(name, data)


@pytest.mark.parametrize(
    "kind",
    [
        "a member inflates to 40 MB",
        "a consistent network of 115 MB",
        "model.json padded with 40 MB of spaces",
        "a declared shape of (1e11,)",
    ],
)
def test_decompression_bombs_are_refused_before_anything_is_inflated(tmp_path, kind, load_traced):
    path, _ = _model_file(tmp_path)
    _bomb(path, kind)
    assert path.stat().st_size < 300_000
    outcome, peak = load_traced(path)
    assert isinstance(outcome, ModelFileError), outcome
    assert peak < 2 << 20


def _rewrite_json(edit):
    def change(name, data):
        if name != "model.json":
            return data
        document = json.loads(data)
        edit(document)
        return json.dumps(document).encode()

    return change


def _first_flip_zlib_rejects(path):
    """A position in coefs_0's deflate stream where one flipped bit makes zlib raise zlib.error."""
    import zlib

    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("coefs_0.npy")
    data = path.read_bytes()
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    stream = data[start : start + info.compress_size]
    for position in range(len(stream)):
        flipped = bytearray(stream)
        flipped[position] ^= 0x80
        try:
            zlib.decompressobj(-15).decompress(bytes(flipped))
        except zlib.error:
            return start + position
    raise AssertionError("no flip found")


def _flip_where_zlib_fails(path):
    position = _first_flip_zlib_rejects(path)
    data = bytearray(path.read_bytes())
    data[position] ^= 0x80
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        _flip_where_zlib_fails,
        lambda p: _rewrite(p, lambda n, d: d if n != "model.json" else _nested_text(d)),
        lambda p: _rewrite(p, _rewrite_json(lambda d: d["state"]["categorical_features_"].pop())),
        lambda p: _rewrite(p, _replace_array("target_mean.npy", np.array([np.nan, 1.0]))),
        lambda p: _rewrite(p, _replace_array("target_mean.npy", np.array([np.inf, 1.0]))),
        lambda p: _rewrite(p, _replace_array("target_scale.npy", np.array([np.nan, 1.0]))),
        lambda p: _rewrite(p, _replace_array("target_scale.npy", np.array([np.inf, 1.0]))),
        lambda p: _rewrite(p, _replace_array("target_scale.npy", np.array([]))),
        lambda p: _rewrite(p, _rewrite_json(lambda d: d.update(version=1.0))),
        lambda p: _rewrite(p, _rewrite_json(lambda d: d.update(version=True))),
        lambda p: _rewrite(p, _rewrite_json(lambda d: d["params"].update(dtype="x"))),
    ],
    ids=[
        "zlib error",
        "nested json",
        "short categorical_features_",
        "nan mean",
        "inf mean",
        "nan scale",
        "inf scale",
        "empty scale",
        "version 1.0",
        "version true",
        "dtype x",
    ],
)
def test_corrupt_files_that_gave_tracebacks_are_a_model_file_error_at_load(tmp_path, damage):
    encoder, _ = _fitted("regression, 2 outputs, history")
    encoder.save(tmp_path / "model")
    damage(tmp_path / "model")
    with pytest.raises(ModelFileError, match="model"):
        EmbeddingEncoder.load(tmp_path / "model")


def _nested_text(data):
    return data.replace(
        b'"params": {', b'"params": ' + b"[" * 100_000 + b"]" * 100_000 + b', "p": {', 1
    )


def _infrequent_nan_first():
    """A string column with one missing cell, min_frequency=2 and a noisy target: the NaN is
    infrequent, and the categories merged for their noise come after it."""
    rng = np.random.RandomState(0)
    shop = pd.Series(rng.choice(list("abcdefghijkl"), size=200)).where(np.arange(200) != 7)
    X = pd.DataFrame({"shop": shop.astype("str"), "size": rng.normal(size=200)})
    encoder = EmbeddingEncoder(min_frequency=2, max_iter=2, random_state=0).fit(
        X, rng.randint(2, size=200)
    )
    return encoder, X


def test_save_keeps_a_missing_value_where_it_stood_among_infrequent_categories(tmp_path):
    encoder, X = _infrequent_nan_first()
    assert (
        pd.isna(encoder.infrequent_categories_[0][0]) and len(encoder.infrequent_categories_[0]) > 1
    )
    encoder.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")
    _assert_same(
        encoder.infrequent_categories_, loaded.infrequent_categories_, "infrequent_categories_"
    )
    unseen = X.assign(shop=X["shop"].where(np.arange(len(X)) % 3 != 0))
    for rows in (X, unseen):
        np.testing.assert_array_equal(loaded.transform(rows), encoder.transform(rows))


def test_a_file_that_needs_no_version_2_feature_is_written_as_version_1(tmp_path):
    _fitted("default")[0].save(tmp_path / "plain")
    _infrequent_nan_first()[0].save(tmp_path / "nan first")
    versions = [
        json.loads(zipfile.ZipFile(tmp_path / name).read("model.json"))["version"]
        for name in ("plain", "nan first")
    ]
    assert versions == [1, 2]


@pytest.mark.parametrize(
    "values, kind",
    [
        ([2**63, 2**63 + 1, 2**64 - 1, 0], "uint64"),
        ([2**70, -(2**70), 5, -3], "decimal text"),
    ],
)
def test_ints_beyond_int64_are_saved_exactly(tmp_path, values, kind):
    dtype = np.uint64 if kind == "uint64" else object
    X = pd.DataFrame({"code": np.array(values * 30, dtype=dtype), "size": np.arange(120.0)})
    encoder = EmbeddingEncoder(categorical_features=["code"], smooth=0, max_iter=2, random_state=0)
    encoder.fit(X, [0, 1, 1, 0] * 30)
    encoder.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")
    assert loaded.categories_[0].tolist() == sorted(values)
    assert [type(v) for v in loaded.categories_[0]] == [int] * 4
    np.testing.assert_array_equal(loaded.transform(X), encoder.transform(X))


def test_class_labels_keep_their_dtype(tmp_path):
    X = pd.DataFrame({"shop": list("abcd") * 30})
    encoder = EmbeddingEncoder(max_iter=2, random_state=0).fit(
        X, np.array([0, 1, 1, 0] * 30, dtype=np.uint8)
    )
    encoder.save(tmp_path / "model")
    assert EmbeddingEncoder.load(tmp_path / "model").classes_.dtype == np.uint8


@pytest.mark.parametrize(
    "values, type_name",
    [
        (lambda i: datetime.date(2020, 1, 1 + i), "date"),
        (lambda i: datetime.time(10, i), "time"),
        (lambda i: decimal.Decimal(i) / 10, "Decimal"),
        (lambda i: bytes([65 + i]), "bytes"),
        (lambda i: pd.Timestamp("2020-01-01") + pd.Timedelta(days=i), "Timestamp"),
        (lambda i: pd.Period("2020-01", freq="M") + i, "Period"),
        (lambda i: pd.Timedelta(minutes=i), "Timedelta"),
    ],
)
def test_save_refuses_dates_times_decimals_bytes_timestamps_periods_timedeltas_naming_the_column(
    tmp_path, values, type_name
):
    X = pd.DataFrame(
        {
            "when": pd.Series([values(i % 4) for i in range(120)], dtype=object),
            "size": np.arange(120.0),
        }
    )
    encoder = EmbeddingEncoder(categorical_features=["when"], max_iter=2, random_state=0).fit(
        X, [0, 1] * 60
    )
    with pytest.raises(TypeError, match=rf"column 'when'.*{type_name}.*astype\(str\)"):
        encoder.save(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_to_replace_a_fifo_or_a_device_node(tmp_path):
    import os
    import stat

    encoder, _ = _fitted("numpy array, no early stopping")
    os.mkfifo(tmp_path / "fifo")
    special = [tmp_path / "fifo"]
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
        special.append(tmp_path / "null")
    except PermissionError:
        pass
    for path in special:
        with pytest.raises(FileExistsError, match="not a regular file"):
            encoder.save(path)
    assert stat.S_ISFIFO((tmp_path / "fifo").stat().st_mode)
    assert all(not stat.S_ISREG(path.stat().st_mode) for path in special)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in special)
