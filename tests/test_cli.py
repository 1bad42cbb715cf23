"""The command-line tool end to end (in this process, and once as a program), its errors, and its progress line."""

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import EmbeddingEncoder
from sklearn_embed._cli import Progress, main


def run(*args, cwd):
    """Run the tool in this process as a new one would: its exit status, stdout and stderr.

    A subprocess per call spent a second or more importing the libraries, half of
    the quick suite; what these tests check is what the tool does. Warnings are
    shown once per place, as in a new interpreter (pytest would record them instead).
    :func:`test_the_module_runs_as_a_program` runs it as a program.
    """
    out, err, sigterm = io.StringIO(), io.StringIO(), signal.getsignal(signal.SIGTERM)
    with (
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(),
    ):
        warnings.resetwarnings()
        warnings.simplefilter("default")
        for hidden in (
            DeprecationWarning,
            PendingDeprecationWarning,
            ImportWarning,
            ResourceWarning,
        ):
            warnings.simplefilter("ignore", hidden)
        try:
            status = main([str(arg) for arg in args])
        except SystemExit as exit:  # argparse's usage errors, --version
            status = exit.code
        finally:
            signal.signal(signal.SIGTERM, sigterm)  # main sets its own handler
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def run_program(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "sklearn_embed", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.RandomState(0)
    n = 600
    shop = rng.choice(["north", "south", "east", "west"], size=n)
    size = rng.normal(size=n)
    sold = ((shop == "north") | (shop == "east")) ^ (rng.uniform(size=n) < 0.1)
    frame = pd.DataFrame(
        {"shop": shop, "size": size, "id": np.arange(n) % 7, "sold": sold.astype(int)}
    )
    path = tmp_path_factory.mktemp("cli") / "sales.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_fit_then_transform(table, tmp_path):
    data, frame = table
    result = run(
        "fit",
        data,
        "--target",
        "sold",
        "--categorical",
        "shop,id",
        "--embedding-dim",
        "3",
        "--hidden-layer-sizes",
        "8",
        "--max-iter",
        "30",
        "--random-state",
        "0",
        "--output",
        "out.csv",
        "--embeddings",
        "emb.csv",
        "--plot",
        "emb.png",
        "--model",
        "model.sk-embed",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "fitted 2 embedded columns (shop, id) on 600 rows" in result.stderr
    assert "target 'sold' read as binary, 2 classes: 0, 1" in result.stderr
    assert "\r" not in result.stderr  # no progress line: stderr is not a terminal

    out = pd.read_csv(tmp_path / "out.csv")
    assert out.columns.tolist() == [
        "sold",  # the target, first: the encoded training file holds what it was fit on
        "shop_emb0",
        "shop_emb1",
        "shop_emb2",
        "size",
        "id_emb0",
        "id_emb1",
        "id_emb2",
    ]
    np.testing.assert_array_equal(out["sold"], frame["sold"])
    np.testing.assert_allclose(out["size"], frame["size"])
    embeddings = pd.read_csv(tmp_path / "emb.csv")
    assert embeddings.columns.tolist() == ["column", "category", "emb0", "emb1", "emb2"]
    assert sorted(embeddings.loc[embeddings["column"] == "shop", "category"]) == [
        "east",
        "north",
        "south",
        "west",
    ]
    assert (tmp_path / "emb.png").stat().st_size > 10_000

    model = EmbeddingEncoder.load(tmp_path / "model.sk-embed")
    assert isinstance(model, EmbeddingEncoder) and model.embedding_dim == 3
    encoded = out.drop(columns="sold")
    # The command line reads the columns named in --categorical as text, whole or in chunks.
    as_read = frame.drop(columns="sold").astype({"id": str})
    # --output did not change the model's own output setting: it returns arrays, as fit's would.
    assert isinstance(model.transform(as_read.iloc[:2]), np.ndarray)
    np.testing.assert_allclose(encoded.to_numpy(), model.transform(as_read), rtol=1e-6)

    # The file still holds the target: transform takes the model's columns.
    result = run(
        "transform", data, "--model", "model.sk-embed", "--output", "again.parquet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(
        pd.read_parquet(tmp_path / "again.parquet").to_numpy(), encoded.to_numpy(), rtol=1e-6
    )


def test_the_module_runs_as_a_program(table, tmp_path):
    data, frame = table
    fitted = run_program(
        "fit", data, "--target", "sold", "--max-iter", "5", "--output", "out.csv", cwd=tmp_path
    )
    assert fitted.returncode == 0, fitted.stderr
    assert pd.read_csv(tmp_path / "out.csv").shape[0] == len(frame)
    refused = run_program(
        "transform", "missing.csv", "--model", "nope", "--output", "o.csv", cwd=tmp_path
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("sklearn-embed: error: ") and "Traceback" not in refused.stderr


@pytest.mark.parametrize("flag", [["--output-mode", "vectors+prediction"], ["--append-prediction"]])
def test_output_mode_option(table, tmp_path, flag):
    data, frame = table
    result = run(
        "fit",
        data,
        "--target",
        "sold",
        "--max-iter",
        "20",
        "--random-state",
        "0",
        *flag,
        "--output",
        "out.csv",
        "--model",
        "model.sk-embed",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert ("deprecated" in result.stderr) == (flag == ["--append-prediction"])
    out = pd.read_csv(tmp_path / "out.csv")
    assert out.columns[-1] == "network_log_odds"
    model = EmbeddingEncoder.load(tmp_path / "model.sk-embed")
    assert model.output == "vectors+prediction"
    np.testing.assert_allclose(
        out.drop(columns="sold").to_numpy(),
        model.transform(frame.drop(columns="sold")),
        rtol=1e-5,
        atol=1e-6,
    )
    # Sold shops have higher log-odds.
    assert (
        out.loc[frame["sold"] == 1, "network_log_odds"].mean()
        > out.loc[frame["sold"] == 0, "network_log_odds"].mean() + 1
    )


def test_prediction_output_mode_drops_the_vectors(table, tmp_path):
    data, frame = table
    result = run(
        "fit",
        data,
        "--target",
        "sold",
        "--max-iter",
        "5",
        "--random-state",
        "0",
        "--output-mode",
        "prediction",
        "--output",
        "out.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(tmp_path / "out.csv").columns.tolist() == [
        "sold",
        "size",
        "id",
        "network_log_odds",
    ]


def test_initial_frozen_and_shared_tables(table, tmp_path):
    data, frame = table
    first = run(
        "fit",
        data,
        "--target",
        "sold",
        "--categorical",
        "shop,id",
        "--smooth",
        "0",
        "--embedding-dim",
        "2",
        "--max-iter",
        "5",
        "--embeddings",
        "emb.csv",
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    # The integer column's categories are read back as numbers and match its values.
    second = run(
        "fit",
        data,
        "--target",
        "sold",
        "--categorical",
        "shop,id",
        "--max-iter",
        "5",
        "--initial-embeddings",
        "emb.csv",
        "--freeze",
        "id",
        "--embeddings",
        "again.csv",
        cwd=tmp_path,
    )
    assert second.returncode == 0, second.stderr
    before, after = (pd.read_csv(tmp_path / name) for name in ("emb.csv", "again.csv"))
    ids = [part[part["column"] == "id"].reset_index(drop=True) for part in (before, after)]
    assert len(ids[0]) == 7
    pd.testing.assert_frame_equal(ids[0], ids[1], rtol=1e-6)
    shops = [part.loc[part["column"] == "shop", "emb0"].to_numpy() for part in (before, after)]
    assert not np.allclose(shops[0], shops[1])  # not frozen: trained further

    frame.assign(shop2=frame["shop"][::-1].to_numpy()).to_csv(tmp_path / "two.csv", index=False)
    shared = run(
        "fit",
        "two.csv",
        "--target",
        "sold",
        "--shared",
        "shop,shop2",
        "--max-iter",
        "5",
        "--embeddings",
        "shared.csv",
        cwd=tmp_path,
    )
    assert shared.returncode == 0, shared.stderr
    tables = pd.read_csv(tmp_path / "shared.csv").set_index(["column", "category"])
    np.testing.assert_array_equal(tables.loc["shop"], tables.loc["shop2"])

    wrong = run(
        "fit",
        data,
        "--target",
        "sold",
        "--initial-embeddings",
        "two.csv",
        "--output",
        "x.csv",
        cwd=tmp_path,
    )
    assert wrong.returncode == 2 and "is not an embeddings table" in wrong.stderr


def test_parquet_input_and_quiet(table, tmp_path):
    _, frame = table
    frame.to_parquet(tmp_path / "sales.parquet")
    result = run(
        "fit",
        "sales.parquet",
        "--target",
        "sold",
        "--max-iter",
        "3",
        "--quiet",
        "--model",
        "m.sk-embed",
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""
    assert EmbeddingEncoder.load(tmp_path / "m.sk-embed").n_iter_ == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["fit", "missing.csv", "--target", "sold", "--model", "m"],
            "input file missing.csv does not exist",
        ),
        (["fit", "{data}", "--target", "nope", "--model", "m"], "target column 'nope' is not in"),
        (
            ["fit", "{nan_data}", "--target", "sold", "--model", "m"],
            "target column 'sold' has 1 missing values",
        ),
        (
            ["fit", "{data}", "--target", "sold", "--categorical", "nope", "--model", "m"],
            "names columns ['nope'] that are not in X",
        ),
        (["fit", "{data}", "--target", "sold"], "fit writes nothing without --output"),
        (["fit", "{data}", "--target", "sold", "--output", "{data}"], "is also the input"),
        (
            ["fit", "{data}", "--target", "sold", "--model", "same.csv", "--output", "same.csv"],
            "is also the file of --output",
        ),
        (
            ["fit", "{data}", "--target", "sold", "--output", "nowhere/out.csv"],
            "the folder nowhere does not exist",
        ),
        (["fit", "{data}", "--target", "sold", "--output", "."], "is a folder"),
        (["fit", "{data}", "--target", "sold", "--output", "out.xlsx"], "unknown table format"),
        (
            ["fit", "{data}", "--target", "sold", "--plot", "p.txt"],
            "a picture needs a name ending in .png",
        ),
        (
            ["transform", "{data}", "--model", "{data}", "--output", "x.csv"],
            "not a valid sklearn-embed model file",
        ),
        (["transform", "{data}", "--model", "m", "--output", "m"], "is also the input m"),
        (
            ["transform", "{data}", "--model", "none.sk-embed", "--output", "x.csv"],
            "model file none.sk-embed does not exist",
        ),
    ],
)
def test_errors_are_one_line_with_exit_code_2(table, tmp_path, args, message):
    data, frame = table
    frame.assign(sold=frame["sold"].where(frame.index != 3)).to_csv(
        tmp_path / "nan.csv", index=False
    )
    args = [a.format(data=data, nan_data=tmp_path / "nan.csv") for a in args]
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sklearn-embed: error: ") and message in lines[0]


@pytest.mark.demo
def test_demo_is_the_default_and_writes_its_plot(tmp_path):
    result = run_program(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "occupation='Exec-managerial'" in result.stdout
    scores = dict(re.findall(r"^  (\S.*?\S) +(0\.\d{4}) \+- ", result.stdout, re.MULTILINE))
    families = ("logistic", "neighbours", "boosting")
    assert sorted(scores) == sorted(
        [
            f"{encoder} + {family}"
            for encoder in ("one-hot", "target")
            for family in families
            if (encoder, family) != ("one-hot", "boosting")
        ]
        + [
            "EmbeddingEncoder('vectors+prediction') + logistic",
            "EmbeddingEncoder('prediction') + neighbours",
            "EmbeddingEncoder('vectors') + boosting",
        ]
    )
    assert all(0.8 < float(score) < 1 for score in scores.values())
    assert (tmp_path / "adult_occupation_embeddings.png").stat().st_size > 10_000


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_overwrites_itself_and_disappears():
    stream = FakeTerminal()
    progress = Progress(stream=stream)
    for epoch in (1, 2):
        progress.update(
            {
                "epoch": epoch,
                "max_iter": 10,
                "loss": 0.5 / epoch,
                "validation_score": -0.6 / epoch,
                "elapsed": 2.0 * epoch,
            }
        )
    progress.close()
    text = stream.getvalue()
    assert "epoch 2/10  loss 0.2500  validation 0.3000  4s, at most 16s left" in text
    assert text.endswith("\r") and "\n" not in text
    assert text.rsplit("\r", 2)[-2].strip() == ""  # the last thing drawn is blank


def test_progress_is_silent_off_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream=stream)
    progress.update(
        {"epoch": 1, "max_iter": 2, "loss": 1.0, "validation_score": None, "elapsed": 1.0}
    )
    progress.close()
    assert stream.getvalue() == ""


def test_fit_summary_hints_and_warnings_speak_the_command_line(table, tmp_path):
    _, frame = table
    frame = frame.assign(rating=np.arange(len(frame)) % 5 + 1, store_id=np.arange(len(frame)) % 40)
    frame.drop(columns="sold").to_csv(tmp_path / "ratings.csv", index=False)
    result = run(
        "fit",
        "ratings.csv",
        "--target",
        "rating",
        "--categorical",
        "+id",
        "--smooth",
        "0",
        "--max-iter",
        "2",
        "--model",
        "m.sk-embed",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "pass --target-type continuous" in result.stderr and "target_type=" not in result.stderr
    assert "Increase --max-iter" in result.stderr
    assert "fitted 2 embedded columns (shop, id)" in result.stderr
    assert "read as multiclass, 5 classes: 1, 2, 3, 4, ..." in result.stderr
    assert "integer columns ['store_id'] look like ids" in result.stderr
    assert "--categorical +store_id" in result.stderr
    model = EmbeddingEncoder.load(tmp_path / "m.sk-embed")
    assert model.smooth == 0.0 and model.target_type_ == "multiclass"


def test_transform_refuses_a_pickle_model_without_running_it(table, tmp_path, pickle_payload):
    data, _ = table
    model, marker = pickle_payload
    result = run("transform", data, "--model", model, "--output", "x.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "pickle or joblib file, which sklearn-embed never loads" in result.stderr
    assert not marker.exists() and not (tmp_path / "x.csv").exists()


def test_transform_keeps_named_columns_and_writes_float32_digits(table, tmp_path):
    data, frame = table
    fitted = run(
        "fit",
        data,
        "--target",
        "sold",
        "--max-iter",
        "3",
        "--model",
        "m",
        "--random-state",
        "0",
        cwd=tmp_path,
    )
    assert fitted.returncode == 0, fitted.stderr
    frame.assign(row_id=np.arange(len(frame))).to_csv(tmp_path / "new.csv", index=False)
    result = run(
        "transform",
        "new.csv",
        "--model",
        "m",
        "--output",
        "out.csv",
        "--keep",
        "row_id,sold",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv")
    assert out.columns[:3].tolist() == ["row_id", "sold", "shop_emb0"]
    np.testing.assert_array_equal(out["row_id"], np.arange(len(frame)))
    first_line = (tmp_path / "out.csv").read_text().splitlines()[1]
    # float32's at most 9 significant digits, not float64's 17 ("-1.2345678e-05" has 8)
    mantissas = [
        cell.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
        for cell in first_line.split(",")[2:-2]
    ]
    assert max(len(digits) for digits in mantissas) <= 9
    encoder = EmbeddingEncoder.load(tmp_path / "m")
    expected = encoder.set_output(transform="pandas").transform(frame.drop(columns="sold"))
    for column in expected.columns:
        if "_emb" in column:  # written with float32's digits: the same float32 read back
            np.testing.assert_array_equal(
                out[column].to_numpy(np.float32), expected[column].to_numpy(np.float32)
            )
        else:
            np.testing.assert_array_equal(out[column], expected[column])


def test_version():
    from sklearn_embed import __version__

    result = run("--version", cwd=".")
    assert result.returncode == 0 and result.stdout.strip() == f"sklearn-embed {__version__}"


def test_an_interrupted_write_leaves_no_output(table, tmp_path, monkeypatch, capsys):
    """Interrupted at a known point: after the first chunk is in the temporary file."""
    import signal

    from sklearn_embed import _cli

    data, frame = table
    assert (
        run(
            "fit", data, "--target", "sold", "--max-iter", "2", "--model", "m", cwd=tmp_path
        ).returncode
        == 0
    )
    written, output_frame = [], _cli._transform.output_frame

    def interrupted_after_one_chunk(*args):
        if written:
            assert list(tmp_path.glob(".out.csv.*.part"))  # the first chunk is on disk
            raise KeyboardInterrupt  # what SIGTERM's handler raises
        written.append(True)
        return output_frame(*args)

    monkeypatch.setattr(_cli._transform, "output_frame", interrupted_after_one_chunk)
    handler = signal.getsignal(signal.SIGTERM)
    try:
        status = _cli.main(
            [
                "transform",
                str(data),
                "--model",
                str(tmp_path / "m"),
                "--chunk-rows",
                "100",
                "--output",
                str(tmp_path / "out.csv"),
            ]
        )
        assert signal.getsignal(signal.SIGTERM) is _cli._main.interrupt
    finally:
        signal.signal(signal.SIGTERM, handler)
    assert status == 130 and "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists() and not list(tmp_path.glob(".out.csv.*"))
    with pytest.raises(KeyboardInterrupt):
        _cli._main.interrupt(signal.SIGTERM, None)


def test_dropped_ids_can_be_kept_and_outputs_take_any_table_format(table, tmp_path):
    data, frame = table
    frame.assign(row_id=np.arange(len(frame)), flag=frame["size"] > 0).to_csv(
        tmp_path / "ids.csv", index=False
    )
    fitted = run(
        "fit",
        "ids.csv",
        "--target",
        "sold",
        "--drop",
        "row_id",
        "--categorical",
        "+id,flag",
        "--max-iter",
        "2",
        "--smooth",
        "0",
        "--model",
        "m",
        "--embeddings",
        "e.parquet",
        cwd=tmp_path,
    )
    assert fitted.returncode == 0, fitted.stderr
    assert "row_id" not in EmbeddingEncoder.load(tmp_path / "m").feature_names_in_
    tables = pd.read_parquet(tmp_path / "e.parquet")  # str, int and bool categories in one column
    assert set(tables["column"]) == {"shop", "id", "flag"} and "True" in set(tables["category"])
    result = run(
        "transform",
        "ids.csv",
        "--model",
        "m",
        "--keep",
        "row_id",
        "--output",
        "o.csv.zip",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    import zipfile

    assert zipfile.ZipFile(tmp_path / "o.csv.zip").namelist() == ["o.csv"]
    assert pd.read_csv(tmp_path / "o.csv.zip")["row_id"].tolist() == list(range(len(frame)))


def test_fit_and_transform_in_chunks(table, tmp_path):
    data, frame = table
    result = run(
        "fit",
        data,
        "--target",
        "sold",
        "--categorical",
        "shop,id",
        "--chunk-rows",
        "100",
        "--max-iter",
        "2",
        "--random-state",
        "0",
        "--output",
        "out.parquet",
        "--model",
        "m.sk-embed",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "on 600 rows" in result.stderr and "(2 passes of 6 chunks)" in result.stderr
    model = EmbeddingEncoder.load(tmp_path / "m.sk-embed")
    assert model.n_iter_ == 12 and model.classes_.tolist() == [0, 1]
    X = frame.drop(columns="sold").astype({"id": str})  # --categorical reads it as text
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["sold"].tolist() == frame["sold"].tolist()  # the target, first
    np.testing.assert_allclose(out.drop(columns="sold").to_numpy(), model.transform(X), rtol=1e-6)

    result = run(
        "transform",
        data,
        "--model",
        "m.sk-embed",
        "--chunk-rows",
        "250",
        "--keep",
        "sold",
        "--output",
        "again.csv.gz",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    again = pd.read_csv(tmp_path / "again.csv.gz")
    assert again.columns[0] == "sold" and len(again) == 600
    pd.testing.assert_frame_equal(again, out, check_dtype=False, rtol=1e-6)


def test_chunked_csv_reads_categorical_columns_as_text(tmp_path):
    """A text column that looks numeric in the first chunk: name it, or let the model say."""
    rng = np.random.RandomState(0)
    code = np.r_[
        rng.randint(50, size=300).astype(str),
        np.char.add("X", rng.randint(50, size=300).astype(str)),
    ]
    frame = pd.DataFrame({"code": code, "y": rng.randint(2, size=600)})
    frame.to_csv(tmp_path / "codes.csv", index=False)
    guessed = run(
        "fit", "codes.csv", "--target", "y", "--chunk-rows", "100", "--model", "m", cwd=tmp_path
    )
    assert guessed.returncode == 2 and "name a text column in --categorical" in guessed.stderr
    named = run(
        "fit",
        "codes.csv",
        "--target",
        "y",
        "--chunk-rows",
        "100",
        "--max-iter",
        "1",
        "--categorical",
        "code",
        "--model",
        "m.sk-embed",
        cwd=tmp_path,
    )
    assert named.returncode == 0, named.stderr
    out = run(
        "transform",
        "codes.csv",
        "--model",
        "m.sk-embed",
        "--chunk-rows",
        "100",
        "--output",
        "out.csv",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    model = EmbeddingEncoder.load(tmp_path / "m.sk-embed")
    expected = model.transform(frame[["code"]].astype(object))
    np.testing.assert_allclose(pd.read_csv(tmp_path / "out.csv").to_numpy(), expected, rtol=1e-6)


# ----------------------------------------------------------------- issue 21: never lose a trained model


def main_in_process(args, monkeypatch):
    """The tool's ``main`` in this process (to patch it), leaving this process's signal handlers alone."""
    from sklearn_embed import _cli

    monkeypatch.setattr(_cli._main.signal, "signal", lambda *args: None)
    return _cli.main([str(arg) for arg in args])


def _no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("trained although an output was refused")

    monkeypatch.setattr(EmbeddingEncoder, "fit", refuse)
    monkeypatch.setattr(EmbeddingEncoder, "partial_fit", refuse)


def test_fit_refuses_categories_a_model_cannot_store_before_training(tmp_path):
    import datetime

    frame = pd.DataFrame(
        {"day": [datetime.date(2020, 1, 1 + i % 4) for i in range(200)], "sold": [0, 1] * 100}
    )
    frame.to_parquet(tmp_path / "days.parquet")  # a Parquet date32 column: datetime.date values
    result = run(
        "fit",
        "days.parquet",
        "--target",
        "sold",
        "--model",
        "m",
        "--output",
        "out.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "column 'day' holds values of type ['date']" in lines[0]
    assert "--drop day" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["days.parquet"]


def _a_folder_where_no_file_can_be_created(tmp_path):
    """/proc on Linux; elsewhere a folder without write permission (which root ignores),
    beside ``tmp_path``."""
    if Path("/proc").is_dir():
        return Path("/proc")
    if os.geteuid() == 0:
        pytest.skip("needs /proc, or a user other than root (who writes in any folder)")
    locked = tmp_path.with_name(f"{tmp_path.name}-locked")
    locked.mkdir()
    locked.chmod(0o500)
    return locked


def test_fit_checks_that_output_folders_take_a_file_before_training(table, tmp_path, monkeypatch):
    data, _ = table
    locked = _a_folder_where_no_file_can_be_created(tmp_path)
    result = run(
        "fit",
        data,
        "--target",
        "sold",
        "--model",
        f"{locked}/m.sk-embed",
        "--output",
        "out.csv",
        cwd=tmp_path,
    )
    assert (
        result.returncode == 2
        and f"--model {locked}/m.sk-embed: cannot write in {locked}" in result.stderr
    )
    assert list(tmp_path.iterdir()) == []
    # A full disk, as the system reports it.
    import shutil

    _no_training(monkeypatch)
    monkeypatch.setattr(
        shutil, "disk_usage", lambda folder: shutil._ntuple_diskusage(10**9, 10**9, 0)
    )
    assert (
        main_in_process(["fit", data, "--target", "sold", "--model", tmp_path / "m"], monkeypatch)
        == 2
    )
    assert list(tmp_path.iterdir()) == []


def test_fit_writes_the_model_before_the_output(table, tmp_path, monkeypatch, capsys):
    import errno

    from sklearn_embed import _cli

    data, frame = table

    def full_disk(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_cli._fit, "write_table", full_disk)
    status = main_in_process(
        [
            "fit",
            data,
            "--target",
            "sold",
            "--max-iter",
            "2",
            "--model",
            tmp_path / "m",
            "--output",
            tmp_path / "out.csv",
        ],
        monkeypatch,
    )
    assert status == 2 and "No space left on device" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()
    assert EmbeddingEncoder.load(tmp_path / "m").transform(frame.drop(columns="sold")).shape[
        0
    ] == len(frame)


def test_fit_saves_a_text_column_with_one_missing_cell_and_min_frequency_2(tmp_path):
    rng = np.random.RandomState(0)
    shop = pd.Series(rng.choice(list("abcdefghijkl"), size=200)).where(np.arange(200) != 7)
    pd.DataFrame({"shop": shop, "sold": rng.randint(2, size=200)}).to_csv(
        tmp_path / "noisy.csv", index=False
    )
    result = run(
        "fit",
        "noisy.csv",
        "--target",
        "sold",
        "--min-frequency",
        "2",
        "--max-iter",
        "2",
        "--random-state",
        "0",
        "--model",
        "m",
        "--output",
        "out.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    model = EmbeddingEncoder.load(tmp_path / "m")
    infrequent = model.infrequent_categories_[0]
    assert (
        pd.isna(infrequent[0]) and len(infrequent) > 1
    )  # the missing value, then merged categories
    expected = model.transform(pd.read_csv(tmp_path / "noisy.csv").drop(columns="sold"))
    out = pd.read_csv(tmp_path / "out.csv").drop(columns="sold")
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-6)


def test_fit_saves_uint64_categories_beyond_int64(tmp_path):
    n = 200
    big = np.array([2**63 + 5 * (i % 4) for i in range(n)], dtype=np.uint64)
    pd.DataFrame(
        {"big": big, "x": np.arange(n) / n, "sold": (np.arange(n) % 4 < 2).astype(int)}
    ).to_parquet(tmp_path / "big.parquet")
    fitted = run(
        "fit",
        "big.parquet",
        "--target",
        "sold",
        "--categorical",
        "+big",
        "--smooth",
        "0",
        "--max-iter",
        "2",
        "--model",
        "m",
        "--output",
        "fit.parquet",
        cwd=tmp_path,
    )
    assert fitted.returncode == 0, fitted.stderr
    assert EmbeddingEncoder.load(tmp_path / "m").categories_[0].tolist() == [
        2**63 + 5 * k for k in range(4)
    ]
    again = run(
        "transform",
        "big.parquet",
        "--model",
        "m",
        "--keep",
        "sold",
        "--output",
        "again.parquet",
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "again.parquet"), pd.read_parquet(tmp_path / "fit.parquet")
    )


def test_outputs_refuse_a_fifo_or_a_device_node(table, tmp_path, monkeypatch, capsys):
    import socket
    import stat

    data, _ = table
    os.mkfifo(tmp_path / "fifo.csv")
    _no_training(monkeypatch)
    status = main_in_process(
        ["fit", data, "--target", "sold", "--output", tmp_path / "fifo.csv"], monkeypatch
    )
    assert status == 2 and "it is a FIFO, not a regular file" in capsys.readouterr().err
    assert stat.S_ISFIFO((tmp_path / "fifo.csv").stat().st_mode)
    special = tmp_path / "null"
    try:
        os.mknod(special, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
        kind, is_kind = "a character device", stat.S_ISCHR
    except PermissionError:  # without CAP_MKNOD: a socket, a special file anyone can make
        listening = socket.socket(socket.AF_UNIX)
        listening.bind(str(special))
        listening.close()
        kind, is_kind = "a socket", stat.S_ISSOCK
    status = main_in_process(["fit", data, "--target", "sold", "--model", special], monkeypatch)
    assert status == 2 and f"it is {kind}" in capsys.readouterr().err
    assert is_kind(special.stat().st_mode)


# ----------------------------------------------------------------- issue 21: numbers kept exact


def test_item6_passed_through_integers_beyond_2_53_are_written_exactly_and_can_be_kept(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "account": [2**53 + 1] * 300,
            "shop": rng.choice(list("abcde"), 300),
            "size": rng.normal(size=300),
            "sold": rng.randint(2, size=300),
        }
    )
    frame.to_csv(tmp_path / "accounts.csv", index=False)
    result = run(
        "fit",
        "accounts.csv",
        "--target",
        "sold",
        "--max-iter",
        "2",
        "--model",
        "m.sk-embed",
        "--output",
        "fitted.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "2**53" not in result.stderr  # written exactly: nothing to warn about
    fitted = pd.read_csv(tmp_path / "fitted.csv", dtype={"account": str})
    assert (fitted["account"] == "9007199254740993").all()  # was 9007199254740992.0
    assert pd.read_csv(tmp_path / "fitted.csv")["size"].tolist() == frame["size"].tolist()

    result = run(
        "transform",
        "accounts.csv",
        "--model",
        "m.sk-embed",
        "--output",
        "out.csv",
        "--keep",
        "account,sold",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr  # was refused as a name clash
    out = pd.read_csv(tmp_path / "out.csv", dtype={"account": str})
    columns = out.columns.tolist()
    assert columns[:2] == ["account", "sold"] and columns.count("account") == 1
    assert (out["account"] == "9007199254740993").all()


# ----------------------------------------------------------------- issue 29: fit --keep


@pytest.mark.parametrize("chunk_rows", [[], ["--chunk-rows", "250"]], ids=["whole", "chunks"])
def test_fit_output_holds_the_kept_columns_and_the_target_so_rows_join_back(tmp_path, chunk_rows):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "row_id": [f"r{i:04d}" for i in range(600)],  # not a feature: dropped, kept
            "shop": rng.choice(["north", "south", "east"], 600),
            "size": rng.normal(size=600),
        }
    )
    frame["sold"] = (frame["shop"] == "north").astype(int)
    frame.to_csv(tmp_path / "sales.csv", index=False)
    options = ["--target", "sold", "--drop", "row_id", "--keep", "row_id", "--max-iter", "3"]
    result = run("fit", "sales.csv", *options, *chunk_rows, "--output", "out.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv")
    assert out.columns.tolist()[:3] == ["row_id", "sold", "shop_emb0"]
    assert "size" in out.columns and out.columns.tolist().count("sold") == 1
    joined = frame.merge(out[["row_id", "size"]], on="row_id", suffixes=("", "_out"))
    np.testing.assert_allclose(joined["size_out"], joined["size"])
    np.testing.assert_array_equal(out["sold"], frame["sold"])


def test_fit_keeps_the_target_once_and_refuses_an_unknown_column(table, tmp_path):
    data, frame = table
    once = run(
        "fit",
        data,
        "--target",
        "sold",
        "--keep",
        "sold,id",
        "--max-iter",
        "2",
        "--output",
        "out.csv",
        cwd=tmp_path,
    )
    assert once.returncode == 0, once.stderr
    assert pd.read_csv(tmp_path / "out.csv").columns.tolist()[:3] == ["sold", "id", "shop_emb0"]
    unknown = run(
        "fit", data, "--target", "sold", "--keep", "row", "--output", "o.csv", cwd=tmp_path
    )
    assert unknown.returncode == 2 and "has no columns ['row']" in unknown.stderr
    assert not (tmp_path / "o.csv").exists()


def test_fit_help_says_what_output_holds(capsys):
    from sklearn_embed._cli import main

    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "after the --keep columns and the target column" in text
    assert "--keep A,B" in text


# ----------------------------------------------------------------- issue 21: hints


@pytest.mark.parametrize("chunk_rows", [None, 300])
def test_item13_row_numbers_are_pointed_to_drop_and_iso_dates_are_pointed_out(tmp_path, chunk_rows):
    rng = np.random.RandomState(0)
    n = 600
    days = pd.date_range("2021-01-01", periods=40).strftime("%Y-%m-%d").to_numpy()
    frame = pd.DataFrame(
        {
            "rownames": np.arange(1, n + 1),
            "store_id": np.arange(n) % 40,
            "day": days[rng.randint(40, size=n)],
            "shop": rng.choice(list("ab"), n),
            "sold": rng.randint(2, size=n),
        }
    )
    frame.to_csv(tmp_path / "sales.csv", index=False)
    chunks = ["--chunk-rows", chunk_rows] if chunk_rows else []
    result = run(
        "fit",
        "sales.csv",
        "--target",
        "sold",
        "--max-iter",
        "1",
        "--model",
        "m.sk-embed",
        *chunks,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "integer columns ['rownames'] hold one value per row" in result.stderr
    assert "--drop rownames" in result.stderr and "+rownames" not in result.stderr
    assert "--categorical +store_id" in result.stderr  # a code whose values repeat
    assert "column 'day' holds dates as text (e.g. '2021-" in result.stderr
    assert "embedded as 40 categories" in result.stderr and "--drop day" in result.stderr
    assert "pd.to_datetime" not in result.stderr  # the API's warning, said by the note instead


# ----------------------------------------------------------------- issue 21: clear errors


def test_item14_fit_in_chunks_takes_every_class_of_a_many_class_string_target(tmp_path):
    rng = np.random.RandomState(0)
    labels = [f"c{i % 1500}" for i in range(3000)]
    frame = pd.DataFrame({"shop": rng.choice(list("abcde"), 3000), "y": labels})
    frame.to_csv(tmp_path / "many.csv", index=False)
    result = run(
        "fit",
        "many.csv",
        "--target",
        "y",
        "--max-iter",
        "1",
        "--chunk-rows",
        "1000",
        "--model",
        "m.sk-embed",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr  # was: y has labels ... not in classes
    assert len(EmbeddingEncoder.load(tmp_path / "m.sk-embed").classes_) == 1500


def test_item14_transform_errors_give_transform_advice(table, tmp_path):
    data, frame = table
    fitted = run("fit", data, "--target", "sold", "--max-iter", "1", "--model", "m", cwd=tmp_path)
    assert fitted.returncode == 0, fitted.stderr
    spoiled = frame.assign(size=frame["size"].astype(object))
    spoiled.loc[500, "size"] = "oops"
    spoiled.to_csv(tmp_path / "spoiled.csv", index=False)
    errors = []
    for chunks in (["--chunk-rows", "100"], []):
        result = run(
            "transform", "spoiled.csv", "--model", "m", "--output", "o.csv", *chunks, cwd=tmp_path
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "--categorical" not in result.stderr and "categorical_features" not in result.stderr
        errors.append(result.stderr)
    assert "the model's numeric columns must hold numbers" in errors[0]
    assert "Column 'size' held numbers at fit but has dtype str now (e.g. 'oops')" in errors[1]


# ----------------------------------------------------------------- issue 30: --output cross-fits


def test_fit_output_cross_fits_unless_told_not_to(tmp_path):
    rng = np.random.RandomState(3)
    effects = rng.normal(size=150)
    levels = rng.randint(150, size=900)  # 6 rows a level: rare, re-estimated out of fold
    frame = pd.DataFrame({"level": [f"L{k}" for k in levels], "x": rng.normal(size=900)})
    frame["y"] = (effects[levels] + rng.normal(size=900) > 0).astype(int)
    frame.to_csv(tmp_path / "t.csv", index=False)
    common = ["--target", "y", "--random-state", "0", "--model"]
    for name, flags in [("in", ["--no-cross-fit"]), ("cf", ["--cv", "3"])]:
        result = run(
            "fit",
            "t.csv",
            *common,
            f"{name}.sk-embed",
            *flags,
            "--output",
            f"{name}.csv",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
    X = frame.drop(columns="y")
    fitted = EmbeddingEncoder.load(tmp_path / "in.sk-embed")
    assert fitted.cross_fit is False
    in_sample = pd.read_csv(tmp_path / "in.csv").drop(columns="y").to_numpy()
    np.testing.assert_allclose(in_sample, fitted.transform(X), rtol=1e-6, atol=1e-7)
    cross_fitted = EmbeddingEncoder.load(tmp_path / "cf.sk-embed")
    assert cross_fitted.cv == 3
    out = pd.read_csv(tmp_path / "cf.csv").drop(columns="y").to_numpy()
    expected = EmbeddingEncoder(cv=3, random_state=0).fit_transform(X, frame["y"])
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    assert not np.allclose(out, cross_fitted.transform(X))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cv", "1"], "argument --cv: must be a number of folds, 2 or more, got '1'"),
        (["--cv", "abc"], "argument --cv: must be a number of folds, 2 or more, got 'abc'"),
        (
            ["--cv", "3", "--no-cross-fit"],
            "--cv sets the folds of cross-fitting, which --no-cross-fit",
        ),
        (["--cv", "3", "--chunk-rows", "10"], "which fit --chunk-rows does not do"),
        (
            ["--cv", "41"],
            "--cv 41 asks for 41 folds of 40 training rows: pass a smaller --cv, or --no-cross-fit",
        ),
    ],
)
def test_fit_cv_errors_speak_the_command_lines_options(tmp_path, flags, message):
    pd.DataFrame({"shop": list("abcd") * 10, "y": [0, 1] * 20}).to_csv(
        tmp_path / "t.csv", index=False
    )
    result = run("fit", "t.csv", "--target", "y", "--output", "o.csv", *flags, cwd=tmp_path)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "o.csv").exists()
