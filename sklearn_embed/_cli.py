"""The command-line tool: ``sklearn-embed fit | transform | demo``.

Errors a user can act on (missing file, unknown column, bad target) print one
line on stderr and exit with status 2, like argparse's own usage errors.
"""

import argparse
import re
import signal
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype

from ._columns import is_auto_categorical, looks_like_dates
from ._encoder import HANDLE_UNKNOWN_OPTIONS, OUTPUT_OPTIONS, REMAINDER_OPTIONS, EmbeddingEncoder
from ._network import ACTIVATIONS
from ._persistence import atomic_path
from ._plotting import _pyplot
from ._tables import (
    TRANSFORM_ADVICE,
    UsageError,
    check_model_can_store,
    check_outputs,
    iter_table,
    read_embeddings_table,
    read_table,
    table_writer,
    write_table,
)
from ._target import TARGET_TYPES, encode_target
from ._version import __version__

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

# The encoder parameters that fit takes as options (--embedding-dim for embedding_dim, ...).
OPTIONS = [
    "embedding_dim",
    "hidden_layer_sizes",
    "activation",
    "alpha",
    "batch_size",
    "learning_rate_init",
    "max_iter",
    "early_stopping",
    "min_frequency",
    "smooth",
    "handle_unknown",
    "target_type",
    "remainder",
    "random_state",
]

# Distinct numeric target values kept by fit --chunk-rows to read the target's type:
# more than 20 whole numbers, or any fraction, is already a continuous target.
MAX_DISTINCT = 1_000

# An integer column is pointed out as a possible id or code only with at least
# this many distinct values: small integer sets are as often counts as codes.
MIN_CODE_VALUES = 20


def main(argv=None):
    """Run the tool; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C, so that
    # partly written outputs are removed on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("sklearn-embed: interrupted; no output was left half-written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (UsageError, OSError, ValueError, TypeError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        one_line = " ".join(str(message).split())
        print(f"sklearn-embed: error: {one_line}", file=sys.stderr)
        return EXIT_USAGE


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-embed",
        description="Learn supervised embeddings of the categorical columns of a table.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="{fit,transform,demo}")

    fit = commands.add_parser("fit", help="fit an encoder on a CSV or Parquet file")
    fit.add_argument("data", type=Path, help="input table (.csv, .csv.gz, .parquet)")
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument(
        "--categorical",
        metavar="[+]A,B",
        help="columns to embed, comma-separated (default: every non-numeric column); a leading + adds them to the default, e.g. +zip,store_id",
    )
    fit.add_argument(
        "--drop",
        type=_names,
        default=[],
        metavar="A,B",
        help="columns that are not features (ids): left out of the fit",
    )
    fit.add_argument("--output", type=Path, help="write the transformed table here")
    fit.add_argument("--embeddings", type=Path, help="write the embedding tables here (CSV)")
    fit.add_argument(
        "--plot", type=Path, help="write a 2-D picture of one column's embeddings here (PNG)"
    )
    fit.add_argument(
        "--plot-column", help="column drawn by --plot (default: the one with most categories)"
    )
    fit.add_argument(
        "--model",
        type=Path,
        help="save the fitted encoder here (sklearn-embed's model format: no pickle)",
    )
    fit.add_argument(
        "--initial-embeddings",
        type=Path,
        metavar="FILE",
        help="start these columns' tables from a file that --embeddings wrote",
    )
    fit.add_argument(
        "--freeze",
        type=_names,
        nargs="?",
        const=True,
        metavar="A,B",
        help="keep the --initial-embeddings tables fixed (all, or these columns')",
    )
    fit.add_argument(
        "--shared",
        type=_names,
        action="append",
        metavar="A,B",
        help="columns that share one table, e.g. home,away (repeat for more groups)",
    )
    parameters = fit.add_argument_group("encoder parameters (see EmbeddingEncoder)")
    parameters.add_argument("--embedding-dim", type=int)
    parameters.add_argument("--hidden-layer-sizes", type=_sizes, metavar="64,32")
    parameters.add_argument("--activation", choices=list(ACTIVATIONS))
    parameters.add_argument("--alpha", type=float)
    parameters.add_argument("--batch-size", type=int)
    parameters.add_argument("--learning-rate-init", type=float)
    parameters.add_argument("--max-iter", type=int)
    parameters.add_argument(
        "--no-early-stopping", dest="early_stopping", action="store_false", default=None
    )
    parameters.add_argument("--min-frequency", type=_int_or_float)
    parameters.add_argument("--smooth", type=_auto_or_float, metavar="auto|M")
    parameters.add_argument("--handle-unknown", choices=list(HANDLE_UNKNOWN_OPTIONS))
    parameters.add_argument("--target-type", choices=["auto", *TARGET_TYPES])
    parameters.add_argument("--remainder", choices=list(REMAINDER_OPTIONS))
    parameters.add_argument("--random-state", type=int)
    parameters.add_argument(
        "--output-mode",
        choices=list(OUTPUT_OPTIONS),
        help="what --output and transform write (the encoder's output parameter): vectors (the "
        "default, for boosting), vectors+prediction (for a linear model), prediction (the numeric "
        "columns and the network's prediction, for nearest neighbours)",
    )
    parameters.add_argument("--append-prediction", action="store_true", help=argparse.SUPPRESS)
    fit.add_argument(
        "--chunk-rows",
        type=_positive_int,
        metavar="N",
        help="read and train N rows at a time (memory holds one chunk): --max-iter passes of partial_fit, 5 by default",
    )
    fit.add_argument("--quiet", action="store_true", help="print nothing but errors")
    fit.set_defaults(run=_fit)

    transform = commands.add_parser("transform", help="transform a table with a saved encoder")
    transform.add_argument("data", type=Path)
    transform.add_argument(
        "--model",
        type=Path,
        required=True,
        help="encoder saved by 'fit --model' (pickle/joblib files are refused: they can run code)",
    )
    transform.add_argument("--output", type=Path, required=True)
    transform.add_argument(
        "--keep",
        type=_names,
        default=[],
        metavar="A,B",
        help="copy these input columns (ids, target) into the output, first",
    )
    transform.add_argument(
        "--chunk-rows", type=_positive_int, metavar="N", help="read and write N rows at a time"
    )
    transform.add_argument("--quiet", action="store_true")
    transform.set_defaults(run=_transform)

    demo = commands.add_parser("demo", help="the demo on the bundled Adult sample")
    demo.add_argument("--plot", type=Path, default=Path("adult_occupation_embeddings.png"))
    demo.set_defaults(run=_demo)
    return parser


# ----------------------------------------------------------------- commands


def _fit(args):
    outputs = {
        "--output": args.output,
        "--embeddings": args.embeddings,
        "--plot": args.plot,
        "--model": args.model,
    }
    if not any(outputs.values()):
        raise UsageError("fit writes nothing without --output, --embeddings, --plot or --model.")
    check_outputs(outputs, inputs=[args.data, *filter(None, [args.initial_embeddings])])
    if args.plot:
        _pyplot()  # before training, not after
    if args.chunk_rows:
        return _fit_in_chunks(args)
    frame = read_table(args.data)
    X, y = _features_and_target(frame, args)
    parameters = _fit_parameters(args, X)
    if args.model:
        check_model_can_store(X, y, parameters.get("categorical_features", "auto"), args.data)
    encoder = EmbeddingEncoder(**parameters)
    progress = Progress(enabled=not args.quiet)
    say = _say(args.quiet)
    start = time.perf_counter()
    with _warnings_as_lines(say, before=progress.close, stale=_noted):
        try:
            encoder.fit(X, y, callback=progress.update)
        finally:
            progress.close()
    say(_fit_summary(encoder, args.target, len(X), time.perf_counter() - start))
    for hint in column_hints(X, encoder):
        say(hint)
    _save_model(encoder, args, say)
    if args.output:
        with _warnings_as_lines(say):
            write_table(_output_frame(encoder, X, frame, []), args.output)
        say(f"wrote {args.output}")
    _write_fit_outputs(encoder, args, say)
    return 0


def _fit_in_chunks(args):
    """``fit --chunk-rows``: read the target first (its type and classes), then train in passes.

    Each of ``--max-iter`` passes (5 by default) reads the file chunk by chunk
    and calls ``partial_fit`` on each chunk, so memory holds one chunk.
    """
    n_rows, target = _distinct_target(args)
    text = [name.lstrip("+") for name in _names(args.categorical or "")]
    first = next(iter_table(args.data, args.chunk_rows, text_columns=text))
    X, y = _features_and_target(first, args)
    first_X = X  # the hints read the first chunk
    parameters = _fit_parameters(args, X)
    if args.model:
        check_model_can_store(X, y, parameters.get("categorical_features", "auto"), args.data)
    encoder = EmbeddingEncoder(**{**parameters, "max_iter": args.max_iter or 5})
    classes = _classes_of(target, encoder.target_type)
    progress, say, start = Progress(enabled=not args.quiet), _say(args.quiet), time.perf_counter()

    def stale(warning):
        """A column called constant on an early chunk that has vectors of its own by the end,
        or what a note says."""
        names = list(encoder.categorical_features_)
        if _noted(warning):
            return True
        if getattr(warning, "kind", None) != "constant_column" or warning.column not in names:
            return False
        has_rows = len(encoder.categories_[names.index(warning.column)]) > 0
        return has_rows and np.isfinite(encoder.smooth_[warning.column])

    with _warnings_as_lines(say, before=progress.close, stale=stale):
        try:
            for n_pass in range(encoder.max_iter):
                rows, losses = 0, []
                for chunk in iter_table(args.data, args.chunk_rows, text_columns=text):
                    X, y = _features_and_target(chunk, args)
                    encoder.partial_fit(X, y, classes=classes)
                    rows, losses = rows + len(X), [*losses, encoder.loss_curve_[-1] * len(X)]
                    progress.update(
                        {
                            "epoch": n_pass + rows / n_rows,
                            "max_iter": encoder.max_iter,
                            "loss": sum(losses) / rows,
                            "validation_score": None,
                            "elapsed": time.perf_counter() - start,
                        }
                    )
        finally:
            progress.close()
    runs = f"{encoder.max_iter} passes of {encoder.n_iter_ // encoder.max_iter} chunks"
    say(_fit_summary(encoder, args.target, n_rows, time.perf_counter() - start, runs))
    for hint in column_hints(first_X, encoder):
        say(hint)
    _save_model(encoder, args, say)
    if args.output:
        _transform_in_chunks(encoder, args.data, args.output, [], args.chunk_rows, say)
        say(f"wrote {args.output}")
    _write_fit_outputs(encoder, args, say)
    return 0


def _features_and_target(frame, args):
    """``X`` and ``y`` of a table read by ``fit``: the target and ``--drop`` columns out."""
    if args.target not in frame.columns:
        raise UsageError(
            f"target column {args.target!r} is not in {args.data}; its columns are "
            f"{list(frame.columns)}."
        )
    unknown = [c for c in [*args.drop, *filter(None, [args.plot_column])] if c not in frame.columns]
    if unknown:
        raise UsageError(
            f"{args.data} has no columns {unknown}; its columns are {list(frame.columns)}."
        )
    X, y = frame.drop(columns=[args.target, *args.drop]), frame[args.target]
    if y.isna().any():
        raise UsageError(
            f"target column {args.target!r} has {int(y.isna().sum())} missing values; "
            "drop those rows first."
        )
    return X, y


def _fit_parameters(args, X):
    parameters = _encoder_parameters(args)
    if args.categorical:
        parameters["categorical_features"] = _categorical_columns(args.categorical, X)
    if args.initial_embeddings:
        parameters["initial_embeddings"] = read_embeddings_table(args.initial_embeddings, X)
    if args.freeze:
        parameters["freeze_embeddings"] = args.freeze
    if args.shared:
        parameters["shared_embeddings"] = args.shared
    return parameters


def _distinct_target(args):
    """The number of rows, and the target column's distinct values (enough of them to read its type).

    A pass over the target column alone, one chunk at a time: the type and the
    classes depend only on the distinct values. Labels (text, booleans) and
    numbers read as classes (``--target-type binary`` or ``multiclass``) are
    kept all; of other numbers, more than ``MAX_DISTINCT`` can only be a
    continuous target, so no more are kept.
    """
    columns = list(next(iter_table(args.data, 1)).columns)
    if args.target not in columns:
        raise UsageError(
            f"target column {args.target!r} is not in {args.data}; its columns are {columns}."
        )
    n_rows, distinct = 0, None
    for chunk in iter_table(args.data, args.chunk_rows, [args.target]):
        if args.target not in chunk.columns:
            raise UsageError(f"target column {args.target!r} is not in {args.data}.")
        y = chunk[args.target]
        if y.isna().any():
            raise UsageError(
                f"target column {args.target!r} has missing values; drop those rows first."
            )
        values = pd.Series(y.unique(), dtype=y.dtype)
        distinct = values if distinct is None else pd.concat([distinct, values]).drop_duplicates()
        labels = args.target_type in ("binary", "multiclass") or not is_numeric_dtype(y.dtype)
        if not labels:
            distinct = distinct.iloc[:MAX_DISTINCT]
        n_rows += len(y)
    return n_rows, distinct


def _classes_of(distinct, target_type):
    """The classes of a target column from its distinct values (None for a continuous one)."""
    return encode_target(distinct, len(distinct), target_type).classes


def _save_model(encoder, args, say):
    """``--model``, written first: a later failure (a full disk) must not lose the trained model."""
    if args.model:
        encoder.save(args.model)
        say(f"wrote {args.model}")


def _write_fit_outputs(encoder, args, say):
    """The embedding tables and the plot that ``fit`` was asked for."""
    if args.embeddings:
        write_table(embeddings_table(encoder), args.embeddings)
        say(f"wrote {args.embeddings}")
    if args.plot:
        column = args.plot_column or _widest_column(encoder)
        figure = encoder.plot_embeddings(column).figure
        with atomic_path(args.plot) as temporary:
            figure.savefig(
                temporary, dpi=120, bbox_inches="tight", format=args.plot.suffix[1:].lower()
            )
        say(f"wrote {args.plot}")


def _transform_in_chunks(encoder, data, output, keep, chunk_rows, say):
    """Transform ``data`` chunk by chunk into ``output``, which appears whole when done."""
    columns = list(encoder.feature_names_in_)
    with _warnings_as_lines(say), table_writer(output) as write:
        text = list(encoder.categorical_features_)
        for chunk in iter_table(data, chunk_rows, text_columns=text, advice=TRANSFORM_ADVICE):
            missing = [c for c in [*columns, *keep] if c not in chunk.columns]
            if missing:
                raise UsageError(
                    f"{data} lacks the columns {missing}; its columns are {list(chunk.columns)}."
                )
            write(_output_frame(encoder, chunk[columns], chunk, keep))


def _transform(args):
    check_outputs({"--output": args.output}, inputs=[args.data, args.model])
    if not args.model.is_file():
        raise UsageError(f"model file {args.model} does not exist or is not a file.")
    encoder = EmbeddingEncoder.load(args.model)
    if not hasattr(encoder, "feature_names_in_"):
        raise UsageError(
            f"{args.model} was fitted on an array without column names; the "
            "command line matches columns by name."
        )
    say = _say(args.quiet)
    if args.chunk_rows:
        _transform_in_chunks(encoder, args.data, args.output, args.keep, args.chunk_rows, say)
        say(f"wrote {args.output}")
        return 0
    frame = read_table(args.data)
    missing = [c for c in [*encoder.feature_names_in_, *args.keep] if c not in frame.columns]
    if missing:
        raise UsageError(
            f"{args.data} lacks the columns {missing}; its columns are {list(frame.columns)}."
        )
    # The file may also hold the target or ids: take the model's columns, in its order.
    X = frame[list(encoder.feature_names_in_)]
    with _warnings_as_lines(say):
        write_table(_output_frame(encoder, X, frame, args.keep), args.output)
    say(f"wrote {args.output}")
    return 0


def _output_frame(encoder, X, frame, keep):
    """The transformed table, the ``keep`` columns first, embeddings as float32.

    The vectors are float32 in the model: writing them with float64's 17
    digits only makes the file larger. Passed-through columns are written as
    they were read (integers beyond 2**53 stay exact), so the output's warnings
    about their precision do not apply; a ``keep`` column that is one of them
    is written once, first.
    """
    passed = [name for name in encoder.get_feature_names_out() if name in set(X.columns)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = encoder.set_output(transform="pandas").transform(X)
    for caught_warning in caught:
        message = caught_warning.message
        if getattr(message, "kind", None) == "output_precision" and message.column in passed:
            continue
        warnings.warn_explicit(
            message, caught_warning.category, caught_warning.filename, caught_warning.lineno
        )
    out = out.reset_index(drop=True)
    embedded = [name for name in out.columns if name not in set(X.columns)]
    out[embedded] = out[embedded].astype(np.float32)
    for name in passed:
        out[name] = X[name].reset_index(drop=True)
    clash = sorted(set(keep) & set(out.columns) - set(passed))
    if clash:
        raise UsageError(
            f"--keep columns {clash} are also output columns; keep them under another name."
        )
    out = out.drop(columns=[name for name in keep if name in passed])
    return pd.concat([frame[keep].reset_index(drop=True), out], axis=1)


def _demo(args):
    from ._demo import run_demo

    run_demo(plot_path=args.plot)
    return 0


# ------------------------------------------------------------------ helpers


def embeddings_table(encoder):
    """All learned tables in one frame: column, category, emb0, emb1, ...

    Columns with fewer dimensions than the widest leave the extra cells empty.
    """
    parts = []
    for column in encoder.categorical_features_:
        table = encoder.get_embeddings(column)
        table.columns = [f"emb{j}" for j in range(table.shape[1])]
        # Text, missing as NA: one column can hold every table's categories in Parquet too.
        table.insert(
            0, "category", pd.Series(table.index, dtype=object).astype("string").to_numpy()
        )
        table.insert(0, "column", column)
        parts.append(table.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)


def _widest_column(encoder):
    return encoder.categorical_features_[int(np.argmax([len(c) for c in encoder.categories_]))]


@contextmanager
def _warnings_as_lines(say, before=None, stale=None):
    """Print each warning raised inside as one line on stderr, without source lines.

    ``before`` runs first (the progress line must be gone before anything is printed);
    warnings for which ``stale(warning)`` is true, judged at the end, are left out
    (``warning`` is the raised instance: a ``DataWarning`` has ``kind`` and ``column``).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if before is not None:
        before()
    # Once each: a chunked fit raises the same warning on many chunks.
    shown = {
        " ".join(str(w.message).split()): w.message
        for w in caught
        if not (stale and stale(w.message))
    }
    for message in shown:
        say(f"sklearn-embed: warning: {as_options(message)}")


def as_options(message):
    """The encoder's advice in the command line's words: --target-type continuous, not
    target_type='continuous'; --max-iter, not max_iter.

    Examples
    --------
    >>> as_options("pass target_type='continuous'; increase max_iter")
    'pass --target-type continuous; increase --max-iter'
    """
    names = "|".join(OPTIONS)
    message = re.sub(rf"\b({names})=('?)([\w.+-]+)\2", _option_with_value, message)
    return re.sub(rf"(?<![-\w])({names})\b", lambda match: _flag(match[1]), message)


def _option_with_value(match):
    if match[1] == "early_stopping":
        return "--no-early-stopping" if match[3] == "False" else "(early stopping is the default)"
    return f"{_flag(match[1])} {match[3]}"


def _flag(name):
    return "--" + name.replace("_", "-")


def _categorical_columns(text, X):
    """The columns to embed from ``--categorical``: a list, or ``+list`` to add to the default."""
    names = _names(text.lstrip("+"))
    missing = [name for name in names if name not in X.columns]
    if missing:
        raise UsageError(
            f"--categorical names columns {missing} that are not in X; its columns are "
            f"{list(X.columns)}."
        )
    if not text.startswith("+"):
        return names
    default = [column for column in X.columns if is_auto_categorical(X[column])]
    return default + [name for name in names if name not in default]


def _fit_summary(encoder, target, n_rows, seconds, runs=None):
    """What was learned, in one line: columns, target type, rows, time, validation loss."""
    columns = ", ".join(map(str, encoder.categorical_features_)) or "none"
    if encoder.target_type_ == "continuous":
        task = "continuous"
    else:
        classes = encoder.classes_.tolist()
        shown = ", ".join(map(repr, classes[:4])) + (", ..." if len(classes) > 4 else "")
        task = f"{encoder.target_type_}, {len(classes)} classes: {shown}"
    score = encoder.best_validation_score_
    shown = "" if score is None else f", best validation loss {-score:.4f}"
    return (
        f"fitted {_count(len(encoder.categorical_features_), 'embedded column')} ({columns}) on "
        f"{n_rows:,} rows in {seconds:.1f}s ({runs or f'{encoder.n_iter_} epochs'}{shown}); "
        f"target {target!r} read as {task}"
    )


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _noted(warning):
    """A warning that a note of :func:`column_hints` says in the command line's words."""
    return getattr(warning, "kind", None) == "dates"


def column_hints(X, encoder):
    """Notes on columns of ``X`` that ``encoder`` probably read the wrong way: ids, codes, dates.

    - integer columns used as numbers with one value per row (a row index such
      as R's ``rownames``, or an id): they say nothing about new rows, so the
      note says ``--drop``;
    - integer columns used as numbers named like codes (``store_id``, ``zip``)
      whose values repeat: the note says ``--categorical +``;
    - embedded text columns of ISO dates: each date is a category of its own,
      and a date unseen at fit gets the unknown vector.
    """
    embedded = encoder.categorical_features_.tolist()
    numeric = [
        column
        for column in X.columns
        if column not in set(embedded)
        and is_integer_dtype(X[column].dtype)
        and not is_bool_dtype(X[column].dtype)
    ]
    per_row = [column for column in numeric if _one_value_per_row(X[column])]
    codes = [c for c in numeric if c not in per_row and _named_like_code(c, X[c])]
    dates = [column for column in embedded if looks_like_dates(X[column])]
    hints = []
    if per_row:
        hints.append(
            f"note: integer columns {per_row} hold one value per row, like row numbers or ids: "
            f"they say nothing about new rows; leave them out with --drop "
            f"{','.join(map(str, per_row))}"
        )
    if codes:
        hints.append(
            f"note: integer columns {codes} look like ids or codes but are used as numbers; "
            f"to embed them, add --categorical +{','.join(map(str, codes))}"
        )
    for column in dates:
        k = embedded.index(column)
        n_values = len(encoder.categories_[k]) + len(encoder.infrequent_categories_[k])
        example = X[column].dropna().iloc[0]
        hints.append(
            f"note: column {column!r} holds dates as text (e.g. {example!r}), embedded as "
            f"{n_values:,} categories: a date not seen at fit gets the unknown vector. To use "
            f"time as a number, convert it (to a year, a month, days since a start) in the file, "
            f"or leave it out with --drop {column}"
        )
    return hints


def _one_value_per_row(series):
    n_distinct = series.nunique()
    return n_distinct >= MIN_CODE_VALUES and n_distinct >= 0.9 * len(series)


def _named_like_code(name, series):
    # A name like store_id, zip or product_code, with enough distinct values to be codes.
    pattern = r"(^|[^a-z])(id|ids|code|zip|zipcode|postcode|key|no)$|[a-z]Id$"
    named = re.search(pattern, str(name), re.IGNORECASE)
    return bool(named) and series.nunique() >= MIN_CODE_VALUES


def _encoder_parameters(args):
    parameters = {name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None}
    if args.append_prediction:
        if args.output_mode not in (None, "vectors+prediction"):
            raise UsageError(
                "--append-prediction is --output-mode vectors+prediction; give one of them."
            )
        _say(args.quiet)(
            "sklearn-embed: warning: --append-prediction is deprecated: use --output-mode vectors+prediction"
        )
        args.output_mode = "vectors+prediction"
    if args.output_mode is not None:
        parameters["output"] = args.output_mode
    return parameters


def _say(quiet):
    return (lambda message: None) if quiet else (lambda message: print(message, file=sys.stderr))


def _names(text):
    return [name.strip() for name in text.split(",") if name.strip()]


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number of rows, got {text}")
    return value


def _sizes(text):
    try:
        return tuple(int(size) for size in _names(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers like 64,32, got {text!r}") from None


def _auto_or_float(text):
    return text if text == "auto" else float(text)


def _int_or_float(text):
    return float(text) if "." in text else int(text)


class Progress:
    """One self-overwriting status line on stderr, shown only on a terminal.

    Parameters
    ----------
    enabled : bool
        False silences it (``--quiet``).
    stream : file, default=sys.stderr
    """

    def __init__(self, enabled=True, stream=None):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled and self.stream.isatty()
        self._width = 0

    def update(self, record):
        """Show one epoch's record (the ``callback`` of ``EmbeddingEncoder.fit``)."""
        if not self.enabled:
            return
        per_epoch = record["elapsed"] / record["epoch"]
        left = per_epoch * (record["max_iter"] - record["epoch"])
        line = f"epoch {record['epoch']:.3g}/{record['max_iter']}  loss {record['loss']:.4f}"
        if record.get("racing"):  # which of the networks fit races is training
            line = (
                f"racing {record['racing']} networks, merge factor {record['merge_factor']}: {line}"
            )
        if record["validation_score"] is not None:
            line += f"  validation {-record['validation_score']:.4f}"
        line += f"  {record['elapsed']:.0f}s, at most {left:.0f}s left"
        self._width = max(self._width, len(line))
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()

    def close(self):
        """Erase the line, so that the terminal keeps only the results."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
