"""``sklearn-embed fit``: read a table, fit an encoder on it (whole or in chunks), write what was asked."""

import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from .._columns import is_auto_categorical
from .._encoder import EmbeddingEncoder
from .._model_file._persistence import atomic_path
from .._plotting import _pyplot
from .._target import encode_target
from ._files import (
    EXIT_USAGE,
    UsageError,
    check_model_can_store,
    check_outputs,
    iter_table,
    marker_notes,
    read_embeddings_table,
    read_table,
    write_table,
)
from ._messages import (
    OPTIONS,
    Progress,
    column_hints,
    count,
    noted,
    say_to_stderr,
    split_names,
    warnings_as_lines,
)
from ._transform import output_frame, transform_in_chunks

# What fit --output copies first, for the message when such a column is also an output column.
KEPT = "--keep, and the target"

# Distinct numeric target values kept by fit --chunk-rows to read the target's type:
# more than 20 whole numbers, or any fraction, is already a continuous target.
MAX_DISTINCT = 1_000


def run_fit(args):
    outputs = {
        "--output": args.output,
        "--embeddings": args.embeddings,
        "--plot": args.plot,
        "--model": args.model,
    }
    if not any(outputs.values()):
        raise UsageError("fit writes nothing without --output, --embeddings, --plot or --model.")
    _check_cross_fitting(args)
    check_outputs(outputs, inputs=[args.data, *filter(None, [args.initial_embeddings])])
    if args.plot:
        _pyplot()  # before training, not after
    if args.chunk_rows:
        return _fit_in_chunks(args)
    frame = read_table(args.data, text_columns=_named(args), na_values=args.na_values)
    X, y = _features_and_target(frame, args)
    parameters = _fit_parameters(args, X)
    if args.model:
        check_model_can_store(X, y, parameters.get("categorical_features", "auto"), args.data)
    encoder = EmbeddingEncoder(**parameters)
    progress = Progress(enabled=not args.quiet)
    say = say_to_stderr(args.quiet)
    start = time.perf_counter()
    with warnings_as_lines(say, before=progress.close, stale=noted):
        try:
            # --output writes the training rows as a pipeline's next step gets them:
            # cross-fitted (EmbeddingEncoder.fit_transform).
            training_rows = _fitted(encoder, X, y, frame, args, progress)
        finally:
            progress.close()
    say(_fit_summary(encoder, args.target, len(X), time.perf_counter() - start))
    for hint in [*column_hints(X, encoder), *marker_notes(X, encoder.categorical_features_)]:
        say(hint)
    unsaved = _save_model(encoder, args, say)
    if args.output:
        write_table(training_rows, args.output)
        say(f"wrote {args.output}")
    _write_fit_outputs(encoder, args, say)
    return _status(unsaved)


def _fitted(encoder, X, y, frame, args, progress):
    """Fit ``encoder``; with ``--output``, return the frame to write: ``fit_transform``'s rows."""
    if not args.output:
        encoder.fit(X, y, callback=progress.update)
        return None

    def encode(X):
        return encoder.fit_transform(X, y, callback=progress.update)

    return output_frame(encoder, X, frame, _kept(args), KEPT, encode=encode)


def _check_cross_fitting(args):
    """--cv says how to cross-fit: with --no-cross-fit or --chunk-rows it would say nothing."""
    if args.cv is None:
        return
    if args.cross_fit is False:
        raise UsageError("--cv sets the folds of cross-fitting, which --no-cross-fit turns off.")
    if args.chunk_rows:
        raise UsageError(
            "--cv sets the folds of cross-fitting, which fit --chunk-rows does not do (it "
            "trains with partial_fit, which does not cross-fit; --output is encoded as "
            "transform encodes it)."
        )


def _fit_in_chunks(args):
    """``fit --chunk-rows``: read the target first (its type and classes), then train in passes.

    Each of ``--max-iter`` passes (5 by default) reads the file chunk by chunk
    and calls ``partial_fit`` on each chunk, so memory holds one chunk. The
    first pass counts the rows; the others train on them again
    (``new_rows=False``), so that passes do not weaken the shrinkage.
    """
    n_rows, target = _distinct_target(args)
    text = _named(args)
    first = next(_chunks(args, text))
    X, y = _features_and_target(first, args)
    first_X = X  # the hints read the first chunk
    parameters = _fit_parameters(args, X)
    if args.model:
        check_model_can_store(X, y, parameters.get("categorical_features", "auto"), args.data)
    encoder = EmbeddingEncoder(**{**parameters, "max_iter": args.max_iter or 5})
    classes = _classes_of(target, encoder.target_type)
    progress, say, start = (
        Progress(enabled=not args.quiet),
        say_to_stderr(args.quiet),
        time.perf_counter(),
    )

    def stale(warning):
        """A column called constant on an early chunk that has vectors of its own by the end,
        or what a note says."""
        names = list(encoder.categorical_features_)
        if noted(warning):
            return True
        if getattr(warning, "kind", None) != "constant_column" or warning.column not in names:
            return False
        has_rows = len(encoder.categories_[names.index(warning.column)]) > 0
        return has_rows and np.isfinite(encoder.smooth_[warning.column])

    with warnings_as_lines(say, before=progress.close, stale=stale):
        try:
            for n_pass in range(encoder.max_iter):
                rows, losses = 0, []
                for chunk in _chunks(args, text):
                    X, y = _features_and_target(chunk, args)
                    # Rows are counted on the first pass; later passes train on them again.
                    encoder.partial_fit(X, y, classes=classes, new_rows=n_pass == 0)
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
    for hint in [
        *column_hints(first_X, encoder),
        *marker_notes(first_X, encoder.categorical_features_),
    ]:
        say(hint)
    unsaved = _save_model(encoder, args, say)
    if args.output:
        transform_in_chunks(encoder, args, _kept(args), say, KEPT)
        say(f"wrote {args.output}")
    _write_fit_outputs(encoder, args, say)
    return _status(unsaved)


def _named(args):
    """The columns ``--categorical`` names: read as text, whole or in chunks alike.

    So a column of codes is the same categories however it is read: "07030"
    keeps its zero, a column of float codes with gaps is "1.0", "2.0", and a
    chunk of codes that holds a letter further down reads as the first did.
    """
    return [name for name in split_names((args.categorical or "").lstrip("+"))]


def _chunks(args, text):
    """The data file's chunks of ``--chunk-rows`` rows, ``text`` columns read as text."""
    return iter_table(args.data, args.chunk_rows, text_columns=text, na_values=args.na_values)


def _kept(args):
    """The columns ``fit --output`` copies first: ``--keep``'s, then the target."""
    return [*args.keep, *([args.target] if args.target not in args.keep else [])]


def _features_and_target(frame, args):
    """``X`` and ``y`` of a table read by ``fit``: the target and ``--drop`` columns out."""
    if args.target not in frame.columns:
        raise UsageError(
            f"target column {args.target!r} is not in {args.data}; its columns are "
            f"{list(frame.columns)}."
        )
    named = [*args.drop, *args.keep, *filter(None, [args.plot_column])]
    unknown = [c for c in named if c not in frame.columns]
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
    columns = list(next(iter_table(args.data, 1, na_values=args.na_values)).columns)
    if args.target not in columns:
        raise UsageError(
            f"target column {args.target!r} is not in {args.data}; its columns are {columns}."
        )
    n_rows, distinct = 0, None
    for chunk in iter_table(args.data, args.chunk_rows, [args.target], na_values=args.na_values):
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
    """``--model``, written first: a later failure (a full disk) must not lose the trained model.

    When the model's folder refuses it (its disk is full: the model is larger
    than the space the check before training asked for), the model is written
    where it can be (:func:`_save_elsewhere`) and the run goes on to the other
    outputs; the returned line says where it is, for the end of the run.

    Returns
    -------
    error : str or None
        What to report once the other outputs are written; None when the model
        is where it was asked to be.
    """
    if not args.model:
        return None
    try:
        encoder.save(args.model)
    except OSError as error:
        cause = error.strerror or str(error)
    except (ValueError, TypeError) as error:  # no file could hold it: say why, at the end
        return f"--model {args.model}: {error}"
    else:
        say(f"wrote {args.model}")
        return None
    problem = f"--model {args.model}: cannot write in {args.model.parent} ({cause})"
    saved, tried = _save_elsewhere(encoder, args)
    if saved is None:
        return (
            f"{problem}, nor in {', '.join(map(str, tried))}: the trained model is lost. Free "
            "some space, or give --model another disk, and fit again."
        )
    say(f"wrote {saved} (instead of {args.model})")
    return f"{problem}; the trained model is saved at {saved} instead: move it where it belongs."


def _save_elsewhere(encoder, args):
    """Write the model where it can be: beside the other outputs, here, in the temporary folder.

    Returns
    -------
    saved : Path or None
        Where it was written, under a name that replaces no file.
    tried : list of Path
        The folders tried.
    """
    folders = [path.parent for path in (args.output, args.embeddings, args.plot) if path]
    folders += [Path.cwd(), Path(tempfile.gettempdir()), Path.home()]
    tried = []
    for folder in folders:
        folder = folder.resolve()
        if folder in tried or folder == args.model.parent.resolve() or not folder.is_dir():
            continue
        tried.append(folder)
        path = folder / args.model.name
        if path.exists():
            path = folder / f"{args.model.stem}-{secrets.token_hex(4)}{args.model.suffix}"
        try:
            encoder.save(path)
        except OSError:
            continue
        return path, tried
    return None, tried


def _status(unsaved):
    """The exit status: 0, or 2 with the line saying where the model is when it is not where asked."""
    if unsaved is None:
        return 0
    print(f"sklearn-embed: error: {unsaved}", file=sys.stderr)
    return EXIT_USAGE


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


def _categorical_columns(text, X):
    """The columns to embed from ``--categorical``: a list, or ``+list`` to add to the default."""
    names = split_names(text.lstrip("+"))
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
        f"fitted {count(len(encoder.categorical_features_), 'embedded column')} ({columns}) on "
        f"{n_rows:,} rows in {seconds:.1f}s ({runs or f'{encoder.n_iter_} epochs'}{shown}); "
        f"target {target!r} read as {task}"
    )


def _encoder_parameters(args):
    parameters = {name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None}
    if args.append_prediction:
        if args.output_mode not in (None, "vectors+prediction"):
            raise UsageError(
                "--append-prediction is --output-mode vectors+prediction; give one of them."
            )
        say_to_stderr(args.quiet)(
            "sklearn-embed: warning: --append-prediction is deprecated: use --output-mode vectors+prediction"
        )
        args.output_mode = "vectors+prediction"
    if args.output_mode is not None:
        parameters["output"] = args.output_mode
    return parameters
