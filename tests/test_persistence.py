"""The model file: save/load without pickle, bit-identical round trips, refusal of bad files."""

import json
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklearn_embed import EmbeddingEncoder, ModelFileError, load_adult_sample

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
            categorical_features=["workclass", "marital-status", "occupation", "relationship",
                                  "race", "sex", "native-country", "age"],
            embedding_dim={"age": 3},
            hidden_layer_sizes=(8, 4), remainder="drop", smooth=0, max_iter=3, random_state=0,
        )  # fmt: skip
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
            initial_embeddings={"sex": given}, freeze_embeddings=["sex"], dtype=np.float32,
            max_iter=3, random_state=0,
        )  # fmt: skip
        return enc.fit(Xs, y), Xs
    raise ValueError(kind)


def _fitted_attributes(encoder):
    return {name: value for name, value in vars(encoder).items() if name.endswith("_") and not name.startswith("_")}


def _assert_same(a, b, name):
    if isinstance(a, dict):
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
    ["default", "regression, 2 outputs, history", "multiclass, int categories, drop",
     "numpy array, no early stopping", "shared and frozen tables"],
)  # fmt: skip
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
        pd.testing.assert_frame_equal(loaded_given[column], table.astype(np.float32), check_column_type=False)
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
    np.testing.assert_array_equal(loaded._predict_network(X), encoder._predict_network(X))
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
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    encoder, _ = _fitted("default")
    encoder.save(tmp_path / "model")
    loaded = EmbeddingEncoder.load(tmp_path / "model")
    drawn = loaded.plot_embeddings("occupation").collections[0].get_offsets()
    np.testing.assert_array_equal(drawn, encoder.plot_embeddings("occupation").collections[0].get_offsets())
    assert len(loaded.plot_training().lines) >= 2


def test_a_pickle_payload_is_refused_and_never_runs(pickle_payload):
    model, marker = pickle_payload
    with pytest.raises(ModelFileError, match="pickle or joblib file, which sklearn-embed never loads"):
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
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "not a valid sklearn-embed model file"),
        (lambda p: p.write_bytes(b""), "not a valid sklearn-embed model file"),
        (lambda p: p.write_text("age,workclass\n1,a\n"), "not a valid sklearn-embed model file"),
        (lambda p: _rewrite(p, lambda n, d: d.replace(b'"version": 1', b'"version": 99') if n == "model.json" else d), "format version 99"),
        (lambda p: _rewrite(p, lambda n, d: d.replace(b'"alpha"', b'"alpha_typo"') if n == "model.json" else d), "saved parameters are not valid"),
        (lambda p: _rewrite(p, _swap_first_table), "do not fit together"),
        (lambda p: _rewrite(p, _replace_array("unknown_shares.npy", np.zeros(1))), "per-column arrays"),
        (lambda p: _rewrite(p, _replace_array("categories_0.npy", np.array(["a", "a", "b", "c", "d", "e", "f"]))), "a category twice"),
        (lambda p: _rewrite(p, lambda n, d: d.replace(b'"target_type_": "binary"', b'"target_type_": "continuous"') if n == "model.json" else d), "does not match the output layer"),
    ],
    ids=["truncated", "empty", "csv", "version", "parameter", "table shape", "shares", "duplicate", "target"],
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
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == encoder.get_feature_names_out().tolist()


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    encoder, _ = _fitted("default")
    with pytest.raises(FileNotFoundError, match="the folder .*nowhere does not exist"):
        encoder.save(tmp_path / "nowhere" / "model")
