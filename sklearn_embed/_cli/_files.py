"""Files for the command line: table formats, outputs checked before work, atomic writes.

Every output is checked before any training (its folder exists and takes a
file, its disk is not full, its format is known from its name, it is not an
input or another output, nothing but a regular file stands at its name) and
written to a temporary file in the same folder, then renamed: an interrupted
run never leaves a partial file that looks complete.
"""

import importlib
import os
import re
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from pandas.api.types import (
    infer_dtype,
    is_bool_dtype,
    is_integer_dtype,
    is_numeric_dtype,
    is_string_dtype,
)
from pandas.io.common import get_handle

from .._columns import resolve_categorical_mask
from .._model_file._persistence import atomic_path, check_replaceable, storable_problem

# Table formats by file name ending; pandas infers the compression of .csv.* itself.
CSV_ENDINGS = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zst", ".csv.zip")
PARQUET_ENDINGS = (".parquet", ".pq")
PLOT_ENDINGS = (".png", ".pdf", ".svg")
# An output folder must take a file of PROBE_BYTES, and its disk have MIN_FREE_BYTES free:
# a read-only folder or a full disk is found before training, not after.
PROBE_BYTES = 64 << 10
MIN_FREE_BYTES = 1 << 20


# Text that pandas reads as a missing value by default. The command line reads it so
# only in a column of numbers or booleans, which it cannot be a value of; in a text
# column it is a value ("NA" is Namibia's code). --na-values makes text missing everywhere.
MISSING_MARKERS = (
    "NA",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "-NaN",
    "-nan",
    "NULL",
    "null",
    "None",
    "#N/A",
    "#NA",
    "<NA>",
    "#N/A N/A",
    "-1.#IND",
    "1.#QNAN",
    "1.#IND",
    "-1.#QNAN",
)
_BOOLEANS = {
    "True": True,
    "TRUE": True,
    "true": True,
    "False": False,
    "FALSE": False,
    "false": False,
}


# The exit status of a usage error, and of a fit that could not write its model where asked.
EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with the user's input or files: reported in one line, exit status 2."""


def table_format(path):
    """ "csv" or "parquet" from the file name; a ``UsageError`` for anything else."""
    name = Path(path).name.lower()
    if name.endswith(".csv.zst"):
        _require("zstandard", path)
    if name.endswith(CSV_ENDINGS):
        return "csv"
    if name.endswith(PARQUET_ENDINGS):
        return "parquet"
    raise UsageError(
        f"{path}: unknown table format; use a name ending in {', '.join(CSV_ENDINGS)}, "
        f"{' or '.join(PARQUET_ENDINGS)}."
    )


def read_table(path, text_columns=(), na_values=()):
    """Read a CSV (optionally compressed) or Parquet file into a DataFrame.

    ``text_columns`` are read from a CSV as text, not parsed as numbers. What
    is missing in a CSV: empty fields, the ``na_values`` strings (``--na-values``),
    and in a column of numbers or booleans pandas' usual markers
    (``MISSING_MARKERS``: NA, NaN, null, None, ...), see :func:`markers_as_missing`.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"input file {path} does not exist.")
    if table_format(path) == "parquet":
        return pd.read_parquet(path, engine=parquet_engine())
    frame = pd.read_csv(
        path,
        dtype={name: "str" for name in text_columns},
        keep_default_na=False,
        na_values=["", *na_values],
    )
    return markers_as_missing(frame, text_columns)


def markers_as_missing(frame, text_columns=()):
    """``frame`` with each text column of numbers (or booleans) and missing markers read as such.

    A CSV column of numbers in which some rows say "NA" or "null" is read as
    text when only empty fields are missing; those markers cannot be values
    of a column of numbers, so the column is read as numbers with them
    missing, as pandas would. A column of text keeps them as values, and so
    does every column of ``text_columns``.
    """
    for name in frame.columns:
        series = frame[name]
        if name in text_columns or not (is_string_dtype(series.dtype) or series.dtype == object):
            continue
        present = series.dropna()
        markers = present.isin(MISSING_MARKERS).to_numpy()
        if not markers.any() or markers.all():
            continue
        others = present[~markers].astype(str)
        numbers = pd.to_numeric(others, errors="coerce")
        unmarked = series.where(~series.isin(MISSING_MARKERS))
        if numbers.notna().all():
            frame[name] = pd.to_numeric(unmarked)
        elif others.isin(list(_BOOLEANS)).all():
            frame[name] = unmarked.astype(object).map(_BOOLEANS, na_action="ignore")
    return frame


FIT_ADVICE = "name a text column in --categorical, or raise --chunk-rows"
TRANSFORM_ADVICE = (
    "the model's numeric columns must hold numbers, as at fit; raise --chunk-rows if an integer "
    "column holds fractions further down"
)


def marker_notes(X, columns):
    """Notes on the text ``columns`` of ``X`` that hold missing markers, read as values.

    "NA" in a text column may be Namibia or a missing value: the command line
    keeps it as a value and says so, with the option that reads it as missing.
    """
    notes = []
    for name in columns:
        series = X[name]
        if not (is_string_dtype(series.dtype) or series.dtype == object):
            continue
        counts = series[series.isin(MISSING_MARKERS)].value_counts()
        if len(counts):
            shown = ", ".join(f"{value!r} ({n:,} rows)" for value, n in counts.items())
            notes.append(
                f"note: column {name!r} holds {shown}, read as values (categories); if they "
                f"mark missing values, pass --na-values {','.join(map(str, counts.index))}"
            )
    return notes


def iter_table(  # noqa: PLR0913
    path, chunk_rows, columns=None, text_columns=(), advice=FIT_ADVICE, na_values=()
):
    """The rows of a CSV or Parquet file as DataFrames of at most ``chunk_rows`` rows.

    Memory holds one chunk, whatever the file's size. A CSV chunk would guess
    each column's type from its own rows only (a text column of digits, an
    integer column with a gap), so every chunk reads the columns as the first
    did: text as text, integers as nullable integers, other numbers as floats,
    booleans as nullable booleans. ``text_columns`` (the categorical ones, when
    known) are read as text. A column is thus of the kind :func:`read_table`
    reads it in (the same ``text_columns``): numbers, text or booleans.
    Missing values are those of :func:`read_table`, ``na_values`` among them.
    ``advice`` ends the message when a later chunk does not read so: ``fit``'s
    (``FIT_ADVICE``) or ``transform``'s (``TRANSFORM_ADVICE``).
    """
    if not Path(path).is_file():
        raise UsageError(f"input file {path} does not exist.")
    if table_format(path) == "parquet":
        parquet = _require("pyarrow.parquet", path)
        # pre_buffer (the default) keeps the buffered ranges of the whole file:
        # memory then grows with the file (75 MB more per 2.5M rows, measured).
        with parquet.ParquetFile(path, pre_buffer=False) as file:
            for batch in file.iter_batches(batch_size=chunk_rows, columns=columns):
                yield batch.to_pandas()
        return
    markers = ["", *na_values]
    try:
        first = pd.read_csv(
            path,
            nrows=chunk_rows,
            usecols=columns,
            dtype={name: "str" for name in text_columns},
            keep_default_na=False,
            na_values=markers,
        )
    except ValueError as error:  # usecols naming a missing column
        raise UsageError(f"{path}: {error}") from None
    first = markers_as_missing(first, text_columns)
    dtypes = {name: _chunk_dtype(first[name]) for name in first.columns}
    dtypes.update({name: "str" for name in text_columns if name in dtypes})
    missing = {
        name: markers if dtype == "str" else [*markers, *MISSING_MARKERS]
        for name, dtype in dtypes.items()
    }
    rows = 0
    reader = pd.read_csv(
        path,
        chunksize=chunk_rows,
        usecols=columns,
        dtype=dtypes,
        keep_default_na=False,
        na_values=missing,
    )
    try:
        # The file is closed however the reading ends: a caller may stop after one chunk.
        with reader:
            for chunk in reader:
                rows += len(chunk)
                yield chunk
    except ValueError as error:
        numeric = [name for name, dtype in dtypes.items() if dtype != "str"]
        raise UsageError(
            f"{path}, after row {rows:,}: {error}. The columns' types come from the first "
            f"{chunk_rows:,} rows, which read {numeric} as numbers: {advice}."
        ) from None


def _chunk_dtype(series):
    """The dtype every chunk reads a column in, from the first chunk's ``series``."""
    dtype = series.dtype
    if is_bool_dtype(dtype) or infer_dtype(series, skipna=True) == "boolean":
        return "boolean"  # as read_table reads them: booleans, not the text "True"
    if not is_numeric_dtype(dtype):
        return "str"
    return "Int64" if is_integer_dtype(dtype) else "float64"


@contextmanager
def table_writer(path):
    """A function that appends a chunk to the table at ``path``; the file appears whole when done.

    An error or an interrupt inside the ``with`` block leaves no file.
    """
    with atomic_path(path) as temporary:
        if table_format(path) == "parquet":
            pyarrow, parquet = _require("pyarrow", path), _require("pyarrow.parquet", path)
            writers = []

            def write(frame):
                table = pyarrow.Table.from_pandas(frame, preserve_index=False)
                if not writers:
                    writers.append(parquet.ParquetWriter(temporary, table.schema))
                writers[0].write_table(table.cast(writers[0].schema))

            try:
                yield write
            finally:
                for writer in writers:
                    writer.close()
            return
        with get_handle(temporary, "w", compression=_csv_compression(path)) as handle:
            written = []

            def write(frame):
                frame.to_csv(handle.handle, index=False, header=not written)
                written.append(len(frame))

            yield write


def write_table(frame, path):
    """Write a DataFrame as CSV or Parquet (by the name), atomically."""
    with atomic_path(path) as temporary:
        if table_format(path) == "parquet":
            frame.to_parquet(temporary, engine=parquet_engine(), index=False)
        else:
            frame.to_csv(temporary, index=False, compression=_csv_compression(path))


def _csv_compression(path):
    compression = pd.io.common.infer_compression(str(path), "infer")
    if compression == "zip":  # the file inside is named after the output, not the temporary
        return {"method": "zip", "archive_name": Path(path).name[: -len(".zip")]}
    return compression


def check_outputs(outputs, inputs):
    """Refuse, before any work, outputs that could not be written or would destroy a file.

    Parameters
    ----------
    outputs : dict
        ``{option: path}`` for every output asked for (None where not given):
        ``--output``, ``--embeddings`` and ``--model`` hold tables or a model,
        ``--plot`` a picture.
    inputs : list of path
        Files read by the command: no output may be one of them.
    """
    given = {option: Path(path) for option, path in outputs.items() if path is not None}
    _check_distinct(given, [Path(p) for p in inputs])
    for option, path in given.items():
        if path.is_dir():
            raise UsageError(f"{option} {path} is a folder; give a file name.")
        if not path.parent.resolve().is_dir():
            raise UsageError(f"{option} {path}: the folder {path.parent} does not exist.")
        try:
            check_replaceable(path)
        except OSError as error:
            raise UsageError(f"{option}: {error}") from None
        _check_writable(option, path)
        if option in ("--output", "--embeddings"):
            if table_format(path) == "parquet":
                parquet_engine()
        elif option == "--plot" and not path.name.lower().endswith(PLOT_ENDINGS):
            raise UsageError(
                f"{option} {path}: a picture needs a name ending in {', '.join(PLOT_ENDINGS)}."
            )


def check_model_can_store(X, y, categorical_features, source):
    """Refuse, before training, categories that ``--model`` could not store (dates, Decimal, bytes...).

    The check ``EmbeddingEncoder.save`` makes, on the columns that
    ``categorical_features`` embeds and on the target ``y`` (its classes are
    saved too); ``source`` is the data file, for the message.
    """
    mask = resolve_categorical_mask(X, list(X.columns), categorical_features)
    for column in [c for c, embedded in zip(X.columns, mask) if embedded] + [None]:
        problem = storable_problem(y if column is None else X[column])
        if problem:
            what = f"target column {y.name!r}" if column is None else f"column {column!r}"
            fix = "" if column is None else f", or leave it out (--drop {column})"
            raise UsageError(
                f"{what} {problem}: --model could not save it. Store it as text in {source}{fix}."
            )


def _check_writable(option, path):
    """Write, sync and remove a small file next to ``path``; refuse a full disk."""
    folder = path.parent
    probe = folder / f".{path.name}.{secrets.token_hex(4)}.probe"
    try:
        with open(probe, "xb") as file:
            try:
                file.write(bytes(PROBE_BYTES))
                file.flush()
                os.fsync(file.fileno())
            finally:
                probe.unlink()
    except OSError as error:
        raise UsageError(
            f"{option} {path}: cannot write in {folder} ({error.strerror or error})."
        ) from None
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise UsageError(f"{option} {path}: the disk of {folder} is full ({free:,} bytes free).")


def _check_distinct(given, inputs):
    seen = {}
    for path in inputs:
        seen[path.resolve()] = f"the input {path}"
    for option, path in given.items():
        resolved = path.resolve()
        if resolved in seen:
            raise UsageError(f"{option} {path} is also {seen[resolved]}; it would be overwritten.")
        seen[resolved] = f"the file of {option}"


def _require(module, path):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{path}: this format needs {module}: pip install {module}") from None


def parquet_engine():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UsageError("reading or writing Parquet needs pyarrow: pip install pyarrow") from None
    return "pyarrow"


def read_embeddings_table(path, X):
    """The tables of a file that ``--embeddings`` wrote, as ``{column: DataFrame}``.

    Categories are stored as text; each column's are read back in the type of
    that column of ``X`` (numbers for an integer-coded column), so that they
    match its values.
    """
    table = read_table(path, text_columns=["category"])
    vectors = [name for name in table.columns if re.fullmatch(r"emb\d+", str(name))]
    if not {"column", "category"} <= set(table.columns) or not vectors:
        raise UsageError(
            f"{path} is not an embeddings table: it needs the columns column, category, "
            "emb0, emb1, ... that 'fit --embeddings' writes."
        )
    unknown = sorted(set(table["column"]) - set(X.columns))
    if unknown:
        raise UsageError(f"{path} has tables for {unknown}, which are not columns of the data.")
    given = {}
    for column, part in table.groupby("column", sort=False):
        # A table narrower than the file's widest leaves the extra cells empty.
        part_vectors = part[vectors].dropna(axis=1, how="all")
        categories = typed_like(part["category"], X[column], path)
        given[column] = pd.DataFrame(
            part_vectors.to_numpy(), index=pd.Index(categories, dtype=object)
        )
    return given


def typed_like(categories, column, path):
    """Categories read as text, converted to the type of the data column they belong to."""
    text = pd.Series(categories, dtype=object).reset_index(drop=True)
    values, present = text.copy(), text.notna()
    if is_bool_dtype(column.dtype):
        values[present] = text[present].map({"True": True, "False": False})
    elif is_numeric_dtype(column.dtype):
        values[present] = pd.to_numeric(text[present], errors="coerce")
    unreadable = present & values.isna()
    if unreadable.any():
        raise UsageError(
            f"{path}: categories of {column.name!r} that are not {column.dtype} values, e.g. "
            f"{text[unreadable].iloc[:3].tolist()}."
        )
    return values.to_numpy()
