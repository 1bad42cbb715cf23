"""Files for the command line: table formats, outputs checked before work, atomic writes.

Every output is checked before any training (its folder exists, its format is
known from its name, it is not an input or another output) and written to a
temporary file in the same folder, then renamed: an interrupted run never
leaves a partial file that looks complete.
"""

from pathlib import Path

import pandas as pd

from ._persistence import atomic_path

# Table formats by file name ending; pandas infers the compression of .csv.* itself.
CSV_ENDINGS = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zst", ".csv.zip")
PARQUET_ENDINGS = (".parquet", ".pq")
PLOT_ENDINGS = (".png", ".pdf", ".svg")


class UsageError(Exception):
    """A problem with the user's input or files: reported in one line, exit status 2."""


def table_format(path):
    """"csv" or "parquet" from the file name; a ``UsageError`` for anything else."""
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


def read_table(path, text_columns=()):
    """Read a CSV (optionally compressed) or Parquet file into a DataFrame.

    ``text_columns`` are read from a CSV as text, not parsed as numbers.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"input file {path} does not exist.")
    if table_format(path) == "parquet":
        return pd.read_parquet(path, engine=parquet_engine())
    return pd.read_csv(path, dtype={name: "str" for name in text_columns})


def write_table(frame, path):
    """Write a DataFrame as CSV or Parquet (by the name), atomically."""
    with atomic_path(path) as temporary:
        if table_format(path) == "parquet":
            frame.to_parquet(temporary, engine=parquet_engine(), index=False)
        else:
            compression = pd.io.common.infer_compression(str(path), "infer")
            if compression == "zip":  # the file inside is named after the output, not the temporary
                compression = {"method": "zip", "archive_name": Path(path).name[: -len(".zip")]}
            frame.to_csv(temporary, index=False, compression=compression)


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
        if option in ("--output", "--embeddings"):
            if table_format(path) == "parquet":
                parquet_engine()
        elif option == "--plot" and not path.name.lower().endswith(PLOT_ENDINGS):
            raise UsageError(f"{option} {path}: a picture needs a name ending in {', '.join(PLOT_ENDINGS)}.")


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
        __import__(module)
    except ImportError:
        raise UsageError(f"{path}: this format needs {module}: pip install {module}") from None


def parquet_engine():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UsageError("reading or writing Parquet needs pyarrow: pip install pyarrow") from None
    return "pyarrow"
