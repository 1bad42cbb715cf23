"""No silent wrong results, round 3 (issue 28): one test per item, each failing before its fix."""

import contextlib
import errno
import importlib
import io
import json
import os
import signal
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import DataWarning, EmbeddingEncoder
from sklearn_embed._cli import main
from sklearn_embed._model_file._archive import ModelFileError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _caught(function, *args, **kwargs):
    """``function``'s result and the DataWarnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    return result, [w.message for w in caught if issubclass(w.category, DataWarning)]


def _cli(*args, cwd):
    """Run the command line in this process: its exit status and stderr."""
    err, sigterm = io.StringIO(), signal.getsignal(signal.SIGTERM)
    with contextlib.chdir(cwd), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("default")
        try:
            status = main([str(arg) for arg in args])
        except SystemExit as exit:  # argparse's usage errors
            status = exit.code
        finally:
            signal.signal(signal.SIGTERM, sigterm)  # main sets its own handler
    return status, err.getvalue()


# ------------------------------------------------------------ item 1: big ids typed as floats


def _snowflake_ids(n=3_000, seed=0):
    """Ids of 1.4e18 + 67 k, each seen about ten times: float64 holds them only to 256."""
    rng = np.random.RandomState(seed)
    ids = 1_400_000_000_000_000_000 + 67 * rng.randint(0, 300, n).astype(np.int64)
    y = (rng.uniform(size=n) < 0.5).astype(int)
    return pd.DataFrame({"id": ids}), y


def test_item1_float_ids_beyond_2_53_get_the_unknown_vector_never_a_neighbours():
    X, y = _snowflake_ids()
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["id"], smooth=0, max_iter=2, random_state=0).fit,
        X,
        y,
    )
    assert len(enc.categories_[0]) == 300
    out, found = _caught(enc.transform, X.astype(np.float64))
    unknown = enc.embeddings_[0][-1]
    # Was: 2,214 of 3,000 rows with another id's vector, and no word.
    assert (out == unknown).all()
    (precision,) = [f for f in found if f.kind == "float_precision"]
    assert precision.column == "id"
    assert "3,000 values are floats beyond 2**53" in str(precision)
    assert "to the nearest 256" in str(precision)


def test_item1_the_float_2_53_does_not_find_the_category_2_53_plus_1():
    ids = np.array([2**53 + 1, 7030] * 50, dtype=np.int64)
    X = pd.DataFrame({"id": ids})
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["id"], smooth=0, max_iter=1, random_state=0).fit,
        X,
        [0, 1] * 50,
    )
    assert enc.categories_[0].tolist() == [7030, 2**53 + 1]
    frame = pd.DataFrame({"id": [2.0**53, 7030.0, 7030.5, np.nan]})
    codes = enc.model_.network_inputs(frame)[0][:, 0]
    # The float 2**53 got 2**53 + 1's row; 7030.0 is 7030 exactly and keeps its row.
    assert codes.tolist() == [2, 0, 2, 2]


def test_item1_a_partial_fit_chunk_of_float_ids_beyond_2_53_is_refused():
    X, y = _snowflake_ids()
    enc = EmbeddingEncoder(categorical_features=["id"], random_state=0)
    _quietly(enc.partial_fit, X[:1500], y[:1500])
    with pytest.raises(TypeError, match=r"Column 'id': 1,500 values are floats beyond 2\*\*53"):
        enc.partial_fit(X[1500:].astype(np.float64), y[1500:])


@pytest.mark.onnx
def test_item1_onnx_with_a_double_input_gives_what_transform_gives():
    pytest.importorskip("skl2onnx")
    pytest.importorskip("onnxruntime")
    from onnxruntime import InferenceSession
    from skl2onnx import to_onnx

    onnx = importlib.import_module("sklearn_embed.onnx")
    X, y = _snowflake_ids()
    small = pd.DataFrame({"id": np.r_[X["id"].to_numpy()[:20], np.arange(7000, 7020)]})
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["id"], smooth=0, max_iter=2, random_state=0).fit,
        pd.concat([X, small.iloc[20:]] * 2, ignore_index=True),
        np.r_[y, np.arange(20) % 2, y, np.arange(20) % 2],
    )
    as_floats = small.astype(np.float64)
    onx = to_onnx(enc, as_floats[:2])
    session = InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    (served,) = session.run(None, onnx.onnx_inputs(session, as_floats))
    expected = _quietly(enc.transform, as_floats)
    np.testing.assert_array_equal(served, expected)
    unknown = enc.embeddings_[0][-1]
    assert (expected[:20] == unknown).all() and not (expected[20:] == unknown).all(axis=1).any()


# ------------------------------------------------------------ item 2: rows counted once, and all


def _shops(n=600, seed=0):
    """Three shops of very different target rates."""
    rng = np.random.RandomState(seed)
    shop = rng.choice(["a", "b", "c"], n)
    rate = pd.Series(shop).map({"a": 0.1, "b": 0.5, "c": 0.9}).to_numpy()
    return pd.DataFrame({"shop": shop}), (rng.uniform(size=n) < rate).astype(int)


def test_item2_one_row_per_call_counts_every_row_as_fit_does():
    X, y = _shops()
    fitted = _quietly(EmbeddingEncoder(random_state=0).fit, X, y)
    online = EmbeddingEncoder(random_state=0)
    for i in range(len(X)):
        _quietly(online.partial_fit, X[i : i + 1], y[i : i + 1], classes=[0, 1])
    # Was 6 rows of 600 counted (one row repeats the content of another), smooth_ inf, no vectors.
    np.testing.assert_array_equal(online.category_counts_[0], fitted.category_counts_[0])
    assert online.category_counts_[0][:3].tolist() == [211, 200, 189]
    assert online.categories_[0].tolist() == ["a", "b", "c"]
    assert np.isfinite(online.smooth_["shop"])


def test_item2_identical_daily_batches_are_all_counted():
    X, y = _shops(60)
    enc = EmbeddingEncoder(random_state=0)
    for _ in range(30):
        _quietly(enc.partial_fit, X, y)
    expected = 30 * X["shop"].value_counts().sort_index().to_numpy()
    np.testing.assert_array_equal(enc.category_counts_[0][:3], expected)  # was 5 per shop


def _ids_on_noise(n=4_000, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"id": [f"u{i}" for i in range(n)], "x": rng.normal(size=n)})
    return X, (rng.normal(size=n) + X["x"] > 0).astype(int)


@pytest.mark.parametrize("recut", ["reshuffled", "other_boundaries", "permuted_within"])
def test_item2_further_passes_with_new_rows_false_are_not_counted_however_cut(recut):
    X, y = _ids_on_noise()
    rng = np.random.RandomState(1)
    enc = EmbeddingEncoder(random_state=0)
    for rows in np.array_split(np.arange(len(X)), 4):
        _quietly(enc.partial_fit, X.iloc[rows], y[rows])
    for epoch in range(3):
        order = {
            "reshuffled": rng.permutation(len(X)),
            "other_boundaries": np.arange(len(X)),
            "permuted_within": np.concatenate(
                [rng.permutation(c) for c in np.array_split(np.arange(len(X)), 4)]
            ),
        }[recut]
        cuts = 4 + epoch if recut == "other_boundaries" else 4
        for rows in np.array_split(order, cuts):
            _quietly(enc.partial_fit, X.iloc[rows], y[rows], new_rows=False)
    # Were evaded by the content digest: every id counted again, 4,000 vectors, leakage.
    assert enc.category_counts_[0].sum() == len(X)
    assert len(enc.categories_[0]) == 0 and enc.smooth_["id"] == np.inf
    assert enc.n_iter_ == 4 + sum(4 + e if recut == "other_boundaries" else 4 for e in range(3))


def test_item2_new_rows_false_needs_rows_counted_before():
    X, y = _shops()
    with pytest.raises(ValueError, match=r"new_rows=False.*none has been counted yet"):
        EmbeddingEncoder().partial_fit(X, y, new_rows=False)
    with pytest.raises(TypeError, match="new_rows must be True or False"):
        EmbeddingEncoder().partial_fit(X, y, new_rows="no")


def test_item2_the_command_lines_passes_count_each_row_once(tmp_path):
    X, y = _shops()
    X.assign(target=y).to_csv(tmp_path / "shops.csv", index=False)
    status, err = _cli(
        "fit", "shops.csv", "--target", "target", "--chunk-rows", "100", "--max-iter", "3",
        "--model", "m.sk-embed", "--random-state", "0", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert status == 0, err
    enc = EmbeddingEncoder.load(tmp_path / "m.sk-embed")
    assert enc.n_iter_ == 18 and enc.category_counts_[0].sum() == 600


# ------------------------------------------------------------ item 3: extreme weights


def _shop_table(n=1_000, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({"shop": rng.choice(list("abcdefghij"), n), "x": rng.normal(size=n)})
    y = (rng.uniform(size=n) < 0.3 + 0.04 * X["shop"].map(ord).mod(10)).astype(int)
    return X, y


def test_item3_uniform_weights_of_1e155_train_as_weights_of_1_and_the_file_loads(tmp_path):
    X, y = _shop_table()
    params = {"smooth": 0, "max_iter": 3, "random_state": 0}
    plain = _quietly(EmbeddingEncoder(**params).fit, X, y)
    heavy = _quietly(EmbeddingEncoder(**params).fit, X, y, sample_weight=np.full(len(X), 1e155))
    # Only the weights' ratios reach training: the same network, bit for bit (was all NaN).
    np.testing.assert_array_equal(heavy.transform(X), plain.transform(X))
    assert heavy.category_counts_[0].sum() == pytest.approx(1e155 * len(X))
    auto = _quietly(
        EmbeddingEncoder(max_iter=3, random_state=0).fit,
        X,
        y,
        sample_weight=np.full(len(X), 1e155),
    )
    assert np.isfinite(auto.transform(X)).all() and np.isfinite(list(auto.smooth_.values())).all()
    auto.save(tmp_path / "heavy.sk-embed")  # was written, then refused by load
    loaded = EmbeddingEncoder.load(tmp_path / "heavy.sk-embed")
    np.testing.assert_array_equal(loaded.transform(X), auto.transform(X))


def test_item3_weights_beyond_what_float64_counts_are_refused_up_front():
    X, y = _shop_table()
    enc = EmbeddingEncoder(max_iter=3, random_state=0)
    # Was a bare ZeroDivisionError from the training loop.
    with pytest.raises(
        ValueError, match=r"sample_weight is too large to count.*Divide the weights"
    ):
        enc.fit(X, y, sample_weight=np.full(len(X), 1e307))
    assert not hasattr(enc, "model_")


def test_item3_one_positive_weight_held_out_for_validation_is_refused_with_the_reason():
    X, y = _shop_table(300)
    # Found by the fuzz: a ZeroDivisionError. Row 0 is among the validation rows of seed 0.
    weight = (np.arange(300) == 0).astype(float)
    with pytest.raises(ValueError, match=r"sample_weight is 0 on every training row: the 1 rows"):
        EmbeddingEncoder(max_iter=2, random_state=0).fit(X, y, sample_weight=weight)
    enc = _quietly(
        EmbeddingEncoder(max_iter=2, random_state=0, early_stopping=False).fit,
        X,
        y,
        sample_weight=weight,
    )
    assert np.isfinite(enc.transform(X)).all()


def test_item3_save_never_writes_a_file_that_load_refuses(tmp_path):
    X, y = _shop_table()
    enc = _quietly(EmbeddingEncoder(max_iter=2, random_state=0).fit, X, y)
    enc.embeddings_[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"cannot be saved in a file that load accepts.*finite"):
        enc.save(tmp_path / "bad.sk-embed")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ item 4: the CLI's missing values


def _countries_csv(path, n=3_000):
    """A text column where "NA" is Namibia, "None" and "" other things, and a numeric column
    of ages in which "NA" marks a missing age (as R writes it)."""
    rng = np.random.RandomState(0)
    country = rng.choice(["NA", "None", "", "FR"], n)
    rate = pd.Series(country).map({"NA": 0.9, "None": 0.7, "": 0.5, "FR": 0.2}).to_numpy()
    age = rng.randint(20, 60, n).astype(object)
    age[::10] = "NA"
    y = (rng.uniform(size=n) < rate).astype(int)
    pd.DataFrame({"country": country, "age": age, "y": y}).to_csv(path, index=False)


def test_item4_na_none_and_empty_fields_stay_three_categories_and_the_cli_says_so(tmp_path):
    _countries_csv(tmp_path / "c.csv")
    status, err = _cli(
        "fit", "c.csv", "--target", "y", "--model", "m.sk-embed", "--random-state", "0",
        "--max-iter", "5", cwd=tmp_path,
    )  # fmt: skip
    assert status == 0, err
    enc = EmbeddingEncoder.load(tmp_path / "m.sk-embed")
    # Was one missing category for all three (pandas' default na_values).
    assert enc.categories_[0][:3].tolist() == ["FR", "NA", "None"]
    assert pd.isna(enc.categories_[0][3])
    means = dict(zip(map(str, enc.categories_[0]), enc.category_target_means_[0]))
    assert means["NA"] > means["None"] > means["nan"] > means["FR"]
    assert enc.categorical_features_.tolist() == ["country"]  # age: numbers, "NA" missing
    assert "note: column 'country' holds 'None' (" in err and "pass --na-values None,NA" in err


def test_item4_na_values_names_the_text_that_is_missing(tmp_path):
    _countries_csv(tmp_path / "c.csv")
    for chunked in ([], ["--chunk-rows", "1000"]):
        status, err = _cli(
            "fit", "c.csv", "--target", "y", "--model", "m.sk-embed", "--random-state", "0",
            "--max-iter", "2", "--na-values", "NA,None", *chunked, "--quiet", cwd=tmp_path,
        )  # fmt: skip
        assert status == 0, err
        categories = EmbeddingEncoder.load(tmp_path / "m.sk-embed").categories_[0]
        assert categories[0] == "FR" and pd.isna(categories[1]) and len(categories) == 2


# ------------------------------------------------------------ item 6: chunked and plain CLI runs


def _float_codes_csv(path, n=3_000):
    """Float codes with gaps (NaN), as a CSV of an integer code column with nulls holds them,
    and booleans with gaps."""
    rng = np.random.RandomState(0)
    code = rng.randint(1, 31, n).astype(float)
    code[::13] = np.nan
    flag = pd.Series(rng.uniform(size=n) < 0.5, dtype=object)
    flag[::7] = None
    y = ((np.nan_to_num(code) % 3 == 0) ^ (rng.uniform(size=n) < 0.1)).astype(int)
    frame = pd.DataFrame({"code": code, "flag": flag, "y": y})
    frame.to_csv(path, index=False)
    return frame


def _unknown_share(out, encoder):
    columns = [c for c in out.columns if str(c).startswith("code_emb")]
    return np.isclose(out[columns].to_numpy(), encoder.embeddings_[0][-1], atol=1e-6).all(1).mean()


def test_item6_chunked_and_plain_runs_read_float_codes_and_booleans_alike(tmp_path):
    _float_codes_csv(tmp_path / "f.csv")
    fit = ["fit", "f.csv", "--target", "y", "--categorical", "+code", "--random-state", "0"]
    fit += ["--max-iter", "3", "--quiet"]
    assert _cli(*fit, "--model", "plain.sk-embed", cwd=tmp_path)[0] == 0
    assert _cli(*fit, "--model", "chunk.sk-embed", "--chunk-rows", "1000", cwd=tmp_path)[0] == 0
    models = {
        name: EmbeddingEncoder.load(tmp_path / f"{name}.sk-embed") for name in ("plain", "chunk")
    }
    for enc in models.values():  # were floats in one, the text "1.0" (and "True") in the other
        assert enc.categories_[0][:2].tolist() == ["1.0", "10.0"]
        assert enc.categories_[1][:2].tolist() == [False, True]
    for name, enc in models.items():
        outputs = []
        for chunked in ([], ["--chunk-rows", "700"]):
            out = tmp_path / f"{name}{len(chunked)}.csv"
            transform = ["transform", "f.csv", "--model", f"{name}.sk-embed", "--output", out]
            assert _cli(*transform, *chunked, "--quiet", cwd=tmp_path)[0] == 0
            outputs.append(pd.read_csv(out))
        # Were 92% of the rows on the unknown vector in the run that read the other way.
        pd.testing.assert_frame_equal(outputs[0], outputs[1])
        assert _unknown_share(outputs[1], enc) == 0


def test_item6_a_model_fitted_on_float_codes_transforms_alike_whole_or_in_chunks(tmp_path):
    frame = _float_codes_csv(tmp_path / "f.csv")
    X = frame[["code", "flag"]]
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["code", "flag"], max_iter=3, random_state=0).fit,
        X,
        frame["y"],
    )
    enc.save(tmp_path / "py.sk-embed")
    outputs = []
    for chunked in ([], ["--chunk-rows", "700"]):
        out = tmp_path / f"py{len(chunked)}.csv"
        transform = ["transform", "f.csv", "--model", "py.sk-embed", "--output", out, "--quiet"]
        assert _cli(*transform, *chunked, cwd=tmp_path)[0] == 0
        outputs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    np.testing.assert_allclose(outputs[1].to_numpy(), enc.transform(X), rtol=1e-6)


# ------------------------------------------------------------ item 5: never lose a trained model


def _disk_full_in(folder, monkeypatch):
    """``EmbeddingEncoder.save`` fails with ENOSPC in ``folder`` (everywhere when None)."""
    save = EmbeddingEncoder.save

    def save_unless_full(self, path):
        if folder is None or Path(path).resolve().parent == Path(folder).resolve():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return save(self, path)

    monkeypatch.setattr(EmbeddingEncoder, "save", save_unless_full)


def test_item5_a_model_its_disk_cannot_hold_is_saved_beside_the_other_outputs(
    tmp_path, monkeypatch
):
    _countries_csv(tmp_path / "c.csv")
    (tmp_path / "full").mkdir()
    (tmp_path / "other").mkdir()
    _disk_full_in(tmp_path / "full", monkeypatch)
    status, err = _cli(
        "fit", "c.csv", "--target", "y", "--model", "full/m.sk-embed", "--output",
        "other/out.csv", "--random-state", "0", "--max-iter", "2", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    # Was: "[Errno 28] No space left on device", exit 2, the model lost and --output skipped.
    assert status == 2
    assert (
        "sklearn-embed: error: --model full/m.sk-embed: cannot write in full (No space left on "
        f"device); the trained model is saved at {tmp_path / 'other' / 'm.sk-embed'} instead"
    ) in err
    out = pd.read_csv(tmp_path / "other" / "out.csv").drop(columns="y")  # the target first
    enc = EmbeddingEncoder.load(tmp_path / "other" / "m.sk-embed")
    X = pd.read_csv(tmp_path / "c.csv", keep_default_na=False, na_values=[""]).drop(columns="y")
    X["age"] = pd.to_numeric(X["age"], errors="coerce")
    np.testing.assert_allclose(out.to_numpy(), _quietly(enc.transform, X), rtol=1e-6)


def test_item5_when_no_disk_takes_the_model_the_other_outputs_are_still_written(
    tmp_path, monkeypatch
):
    _countries_csv(tmp_path / "c.csv")
    _disk_full_in(None, monkeypatch)
    status, err = _cli(
        "fit", "c.csv", "--target", "y", "--model", "m.sk-embed", "--embeddings", "e.csv",
        "--random-state", "0", "--max-iter", "2", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert status == 2 and "the trained model is lost. Free some space" in err
    assert pd.read_csv(tmp_path / "e.csv", keep_default_na=False)["category"].tolist()[:3] == [
        "FR",
        "NA",
        "None",
    ]


# ------------------------------------------------------------ item 7: integer ids and codes


def _plots(n=600, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            "rownames": np.arange(1, n + 1),
            "plot_id": rng.randint(40, size=n),
            "weight": rng.randint(10_000, 500_000, size=n),  # a measurement: per row, not ids
            "shop": rng.choice(list("ab"), n),
        }
    ), rng.randint(2, size=n)


def test_item7_integer_ids_and_codes_used_as_numbers_warn_in_the_api():
    X, y = _plots()
    _, found = _caught(EmbeddingEncoder(max_iter=1, random_state=0).fit, X, y)
    verdicts = {f.column: str(f) for f in found if f.kind == "integer_codes"}
    assert sorted(verdicts) == ["plot_id", "rownames"]  # was silent; 'weight' is a number
    assert "Column 'plot_id' looks like ids or codes (40 distinct integers" in verdicts["plot_id"]
    assert "name it in categorical_features, e.g. [..., 'plot_id']" in verdicts["plot_id"]
    assert "holds one integer per row (600 distinct values in 600 rows)" in verdicts["rownames"]
    embedded = ["shop", "plot_id"]
    _, found = _caught(
        EmbeddingEncoder(categorical_features=embedded, max_iter=1, random_state=0).fit,
        X.drop(columns="rownames"),
        y,
    )
    assert [f for f in found if f.kind == "integer_codes"] == []


def test_item7_the_command_line_says_it_once_in_its_own_words(tmp_path):
    X, y = _plots()
    X.assign(sold=y).to_csv(tmp_path / "plots.csv", index=False)
    status, err = _cli(
        "fit", "plots.csv", "--target", "sold", "--max-iter", "1", "--model", "m.sk-embed",
        cwd=tmp_path,
    )  # fmt: skip
    assert status == 0, err
    assert "integer columns ['plot_id'] look like ids or codes" in err
    assert "add --categorical +plot_id" in err and "--drop rownames" in err
    assert "categorical_features" not in err and "weight" not in err


# ------------------------------------------------------------ item 8: one number type per column


def test_item8_an_integer_indexed_table_joins_a_float_column_as_floats(tmp_path):
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"c": rng.choice([1.0, 2.0, 3.0], 300)})
    y = rng.randint(2, size=300)
    table = pd.DataFrame(rng.normal(size=(4, 2)), index=[0, 1, 2, 3])
    enc = _quietly(
        EmbeddingEncoder(
            categorical_features=["c"], max_iter=2, initial_embeddings={"c": table}
        ).fit,
        X,
        y,
    )
    # Was [0, 1.0, 2.0, 3.0], which save refused as "mixes int and float values".
    assert [type(v) for v in enc.categories_[0]] == [float] * 4
    assert enc.categories_[0].tolist() == [0.0, 1.0, 2.0, 3.0]
    enc.save(tmp_path / "m.sk-embed")
    np.testing.assert_array_equal(
        EmbeddingEncoder.load(tmp_path / "m.sk-embed").transform(X), enc.transform(X)
    )
    fractions = pd.DataFrame(rng.normal(size=(2, 2)), index=[1.0, 2.5])
    as_ints = X.astype(int)
    with pytest.raises(
        TypeError, match=r"initial_embeddings\['c'\] has categories \[2.5\] that are not integers"
    ):
        EmbeddingEncoder(categorical_features=["c"], initial_embeddings={"c": fractions}).fit(
            as_ints, y
        )


def test_item8_a_chunk_of_floats_grows_an_integer_column_with_integers(tmp_path):
    rng = np.random.RandomState(0)
    y = rng.randint(2, size=300)
    enc = EmbeddingEncoder(categorical_features=["c"], smooth=0, random_state=0)
    _quietly(enc.partial_fit, pd.DataFrame({"c": rng.randint(1, 4, 300)}), y)
    floats = pd.DataFrame(
        {"c": np.r_[np.full(200, 7.0), [np.nan] * 100]}
    )  # an Int64 column with nulls
    _quietly(enc.partial_fit, floats, y)
    assert enc.categories_[0][:4].tolist() == [1, 2, 3, 7]
    assert [type(v) for v in enc.categories_[0][:4]] == [int] * 4
    enc.save(tmp_path / "m.sk-embed")  # was refused: "mixes int and float values"
    with pytest.raises(
        TypeError, match=r"Column 'c' holds fractions in this chunk \(e.g. \[7.5\]\)"
    ):
        enc.partial_fit(pd.DataFrame({"c": np.full(300, 7.5)}), y)


def test_item8_an_object_column_of_integers_and_floats_is_a_column_of_floats(tmp_path):
    X = pd.DataFrame({"c": pd.Series([1, 2.5, 3] * 100, dtype=object)})
    enc = _quietly(
        EmbeddingEncoder(categorical_features=["c"], smooth=0, max_iter=2, random_state=0).fit,
        X,
        [0, 1, 1] * 100,
    )
    assert enc.categories_[0].tolist() == [1.0, 2.5, 3.0]
    enc.save(tmp_path / "m.sk-embed")
    np.testing.assert_array_equal(
        EmbeddingEncoder.load(tmp_path / "m.sk-embed").transform(X), enc.transform(X)
    )


# ------------------------------------------------------------ item 9: ONNX, booleans with gaps


def _served(enc, sample, **kwargs):
    """What ONNX Runtime outputs for ``sample`` through the graph exported with its initial types."""
    pytest.importorskip("skl2onnx")
    pytest.importorskip("onnxruntime")
    from onnxruntime import InferenceSession
    from skl2onnx import to_onnx

    onnx = importlib.import_module("sklearn_embed.onnx")
    onx = to_onnx(enc, sample[:2], initial_types=onnx.initial_types(sample), **kwargs)
    session = InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    missing = kwargs.get("options", {}).get(EmbeddingEncoder, {}).get("missing_string", "")
    return session.run(None, onnx.onnx_inputs(session, sample, missing_string=missing))[0]


@pytest.mark.onnx
def test_item9_a_bool_column_with_missing_values_is_served_as_0_1_and_nan():
    rng = np.random.RandomState(0)
    flag = pd.Series(rng.uniform(size=300) < 0.5, dtype=object)
    flag[::7] = None
    y = np.where(flag.isna(), 1, flag.fillna(False).astype(int)) ^ (rng.uniform(size=300) < 0.1)
    X = pd.DataFrame({"flag": flag})
    enc = _quietly(EmbeddingEncoder(max_iter=3, random_state=0).fit, X, y)
    assert enc.categories_[0][:2].tolist() == [False, True] and pd.isna(enc.categories_[0][2])
    expected = enc.transform(X)
    # Were refused: a bool tensor cannot hold the gaps, and a float one was "not the type at fit".
    for sample in (X, X.astype("boolean"), X.astype(np.float64)):
        np.testing.assert_allclose(_served(enc, sample), expected, rtol=1e-6)


# ------------------------------------------------------------ item 10: map_in_pandas' keep


def test_item10_map_in_pandas_writes_a_kept_passed_through_column_once():
    from sklearn_embed import map_in_pandas

    X = pd.DataFrame({"shop": list("abc") * 20, "x": np.arange(60.0), "id": np.arange(60)})
    enc = _quietly(
        EmbeddingEncoder(embedding_dim=2, max_iter=2, random_state=0).fit, X, [0, 1, 1] * 20
    )
    function, schema = map_in_pandas(enc, keep={"x": "double", "id": "bigint"})
    # Was `x` twice in the schema and in every batch.
    assert schema == "`x` double, `id` bigint, `shop_emb0` double, `shop_emb1` double"
    (batch,) = list(function(iter([X.head(3)])))
    assert batch.columns.tolist() == ["x", "id", "shop_emb0", "shop_emb1"]
    assert batch["id"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"keep names \['shop_emb0'\], which are also output"):
        map_in_pandas(enc, keep={"shop_emb0": "double"})


# ------------------------------------------------------------ item 11: the model file's budget


def _wide_network_bomb(path, inflated=115 << 20):
    """Rewrite a model file's network as a consistent one of zeros, ``inflated`` bytes wide,
    each member streamed, never held in memory."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    fan_in = np.load(io.BytesIO(members["coefs_0.npy"])).shape[0]
    width = inflated // (4 * (fan_in + 2))
    shapes = {"coefs_0": (fan_in, width), "intercepts_0": (width,), "coefs_1": (width, 1)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, shape in shapes.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                header = {"descr": "<f4", "fortran_order": False, "shape": shape}
                np.lib.format.write_array_header_1_0(member, header)
                left = int(np.prod(shape)) * 4
                while left:
                    member.write(bytes(min(left, 1 << 20)))
                    left -= min(left, 1 << 20)
        for name, data in members.items():
            if name[: -len(".npy")] not in shapes:
                archive.writestr(name, data)


@pytest.mark.parametrize("prefix", [0, 4 << 20])
def test_item11_the_budget_is_the_members_not_bytes_in_front_of_them(tmp_path, prefix, load_traced):
    X, y = _shop_table()
    enc = _quietly(EmbeddingEncoder(max_iter=1, random_state=0).fit, X, y)
    path = tmp_path / "bomb.sk-embed"
    enc.save(path)
    _wide_network_bomb(path)
    path.write_bytes(np.random.RandomState(0).bytes(prefix) + path.read_bytes())
    outcome, peak = load_traced(path)
    # Behind 4 MB of random bytes it loaded, and allocated the 115 MB it declared.
    assert isinstance(outcome, ModelFileError), outcome
    assert "more than 256 times the" in str(outcome) and "bytes they hold" in str(outcome)
    assert peak < 2 << 20


# ------------------------------------------------------------ item 12: messages that name the cause


def _fitted_shops(**params):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "shop": rng.choice(list("abcde"), 400),
            "flag": rng.uniform(size=400) < 0.5,
            "x": rng.normal(size=400),
        }
    )
    y = (X["flag"] ^ (rng.uniform(size=400) < 0.2)).astype(int).to_numpy()
    enc = _quietly(EmbeddingEncoder(max_iter=2, random_state=0, **params).fit, X, y)
    return enc, X, y


def test_item12_partial_fit_after_fit_speaks_of_itself_and_of_the_column_read_another_way():
    enc, X, y = _fitted_shops()
    with pytest.raises(ValueError) as caught:
        enc.partial_fit(X.assign(x=X["x"].astype(str)), y)
    message = str(caught.value)
    assert "warm_start" not in message  # was "warm_start continues the previous fit"
    assert message.startswith("partial_fit continues the fit before it (or the encoder loaded)")
    assert "columns ['x'] are {'x': 'str'} now" in message
    with pytest.raises(TypeError) as caught:
        enc.partial_fit(X.assign(flag=X["flag"].astype(str)), y)
    message = str(caught.value)
    assert "given table" not in message  # was "The given table of column 'flag' ..."
    assert (
        "Column 'flag' holds strings now (e.g. ['False', 'True']), but bools at the fit" in message
    )


def test_item12_a_new_label_is_explained_by_who_fixed_the_classes():
    enc, X, y = _fitted_shops()
    with pytest.raises(ValueError) as caught:
        enc.score(X, np.where(y == 1, 2, 0))
    assert "score reads y as the fitted network's target" in str(caught.value)
    assert "partial_fit" not in str(caught.value) and "classes=" not in str(caught.value)
    with pytest.raises(ValueError) as caught:
        enc.partial_fit(X, np.where(y == 1, 2, 0))
    assert "partial_fit continues the fit before it" in str(caught.value)
    assert "classes=" not in str(caught.value)  # fit fixed them: classes= cannot help
    stream = EmbeddingEncoder(random_state=0)
    _quietly(stream.partial_fit, X, y)
    with pytest.raises(ValueError, match=r"fixes the target on its first call.*classes="):
        stream.partial_fit(X, np.where(y == 1, 2, 0))


def test_item12_an_overflowing_training_names_the_frozen_table_or_the_weights():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("abcde"), 400), "x": rng.normal(size=400)})
    y = rng.randint(2, size=400)
    table = pd.DataFrame(np.full((5, 2), 1e30), index=list("abcde"))
    frozen = EmbeddingEncoder(
        max_iter=2, random_state=0, initial_embeddings={"shop": table}, freeze_embeddings=True
    )
    with pytest.raises(ValueError) as caught:
        _quietly(frozen.fit, X, y)
    assert "the table of column 'shop' from initial_embeddings holds values up to 1e+30" in str(
        caught.value
    )
    assert "learning_rate_init" not in str(caught.value)
    enc = EmbeddingEncoder(random_state=0)
    _quietly(enc.partial_fit, X[:200], y[:200])
    with pytest.raises(ValueError) as caught:
        for _ in range(3):
            _quietly(enc.partial_fit, X[200:], y[200:], sample_weight=np.full(200, 1e20))
    assert "sample_weight weighs rows up to 1e+20 times the first chunk's mean weight" in str(
        caught.value
    )
    assert "learning_rate_init" not in str(caught.value)


def test_item12_the_name_clash_names_the_column_and_the_outputs_that_clash():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"shop": rng.choice(list("ab"), 200), "shop_emb1": rng.normal(size=200)})
    with pytest.raises(ValueError) as caught:
        EmbeddingEncoder(embedding_dim=3).fit(X, rng.randint(2, size=200))
    assert (
        "embedded column 'shop' outputs ['shop_emb1'] (one column per dimension, 3 in all)"
        in str(caught.value)
    )


@pytest.mark.onnx
def test_item12_onnx_advises_a_marker_the_column_does_not_hold():
    pytest.importorskip("skl2onnx")
    from skl2onnx import to_onnx

    importlib.import_module("sklearn_embed.onnx")
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"s": rng.choice(["", "<NA>", "a"], 300)})
    enc = _quietly(
        EmbeddingEncoder(smooth=0, max_iter=2, random_state=0).fit, X, rng.randint(2, size=300)
    )
    with pytest.raises(ValueError) as caught:
        to_onnx(enc, X[:2], options={EmbeddingEncoder: {"missing_string": "<NA>"}})
    # Was: "Pass another marker: ... {'missing_string': '<NA>'}", the one given.
    assert "holds the value '<NA>' at fit" in str(caught.value)
    assert "{'missing_string': '<missing>'}" in str(caught.value)


def test_item12_a_size_given_for_one_column_of_a_shared_table_sizes_the_table():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"home": rng.choice(list("abcde"), 200), "away": rng.choice(list("abcde"), 200)}
    )
    y = rng.randint(2, size=200)
    shared = {"shared_embeddings": [["home", "away"]], "max_iter": 1, "random_state": 0}
    enc = _quietly(EmbeddingEncoder(embedding_dim={"home": 3}, **shared).fit, X, y)
    # Was refused: "embedding_dim gives them [3, 1]", a size the user did not give.
    assert enc.embedding_dims_ == {"home": 3, "away": 3}
    with pytest.raises(ValueError, match=r"embedding_dim gives \{'home': 3, 'away': 4\}"):
        EmbeddingEncoder(embedding_dim={"home": 3, "away": 4}, **shared).fit(X, y)


def test_item12_hidden_layer_sizes_of_commas_alone_are_refused_and_none_means_none(tmp_path):
    _countries_csv(tmp_path / "c.csv")
    fit = ["fit", "c.csv", "--target", "y", "--model", "m.sk-embed", "--max-iter", "1", "--quiet"]
    status, err = _cli(*fit, "--hidden-layer-sizes", ",", cwd=tmp_path)
    assert status == 2  # was accepted as ()
    assert "expected integers like 64,32 (or none, for no hidden layer), got ','" in err
    assert _cli(*fit, "--hidden-layer-sizes", "none", cwd=tmp_path)[0] == 0
    assert EmbeddingEncoder.load(tmp_path / "m.sk-embed").hidden_layer_sizes == ()


def test_item12_a_model_file_that_repeats_a_column_name_is_refused_at_load(tmp_path):
    enc, X, y = _fitted_shops()
    enc.save(tmp_path / "m.sk-embed")
    with zipfile.ZipFile(tmp_path / "m.sk-embed") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members["model.json"])
    document["state"]["feature_names"][2] = "shop"  # an edit: 'x' renamed as an embedded column
    members["model.json"] = json.dumps(document).encode()
    with zipfile.ZipFile(tmp_path / "edited.sk-embed", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    # Was loaded, then failed in transform.
    with pytest.raises(ModelFileError, match=r"column names \['shop'\] appear twice"):
        EmbeddingEncoder.load(tmp_path / "edited.sk-embed")
