"""``sklearn-embed transform``: a saved encoder applied to a table, whole or in chunks."""

import warnings

import numpy as np
import pandas as pd

from .._encoder import EmbeddingEncoder
from .._vocabulary import value_kind
from ._files import (
    TRANSFORM_ADVICE,
    UsageError,
    check_outputs,
    iter_table,
    read_table,
    table_writer,
    write_table,
)
from ._messages import say_to_stderr, warnings_as_lines


def transform_in_chunks(encoder, args, keep, say, kept_as="--keep"):
    """Transform ``args.data`` chunk by chunk into ``args.output``, which appears whole when done.

    ``keep`` and ``kept_as``: the columns copied first (see :func:`output_frame`).
    """
    columns, data = list(encoder.feature_names_in_), args.data
    with warnings_as_lines(say), table_writer(args.output) as write:
        chunks = iter_table(
            data,
            args.chunk_rows,
            text_columns=text_columns(encoder),
            advice=TRANSFORM_ADVICE,
            na_values=args.na_values,
        )
        for chunk in chunks:
            missing = [c for c in [*columns, *keep] if c not in chunk.columns]
            if missing:
                raise UsageError(
                    f"{data} lacks the columns {missing}; its columns are {list(chunk.columns)}."
                )
            write(output_frame(encoder, chunk[columns], chunk, keep, kept_as))


def text_columns(encoder):
    """The embedded columns whose categories are text: read as text, whole or in chunks.

    Their values are then the strings the model knows ("07030", "1.0"); the
    other embedded columns are read as numbers or booleans, as their categories
    are, so a model fitted on float codes finds them either way.
    """
    names = []
    for name, categories, infrequent in zip(
        encoder.categorical_features_, encoder.categories_, encoder.infrequent_categories_
    ):
        seen = pd.Series(np.concatenate([categories, infrequent]), dtype=object).dropna()
        if len(seen) and value_kind(seen) == "string":
            names.append(name)
    return names


def run_transform(args):
    check_outputs({"--output": args.output}, inputs=[args.data, args.model])
    if not args.model.is_file():
        raise UsageError(f"model file {args.model} does not exist or is not a file.")
    encoder = EmbeddingEncoder.load(args.model)
    if not hasattr(encoder, "feature_names_in_"):
        raise UsageError(
            f"{args.model} was fitted on an array without column names; the "
            "command line matches columns by name."
        )
    say = say_to_stderr(args.quiet)
    if args.chunk_rows:
        transform_in_chunks(encoder, args, args.keep, say)
        say(f"wrote {args.output}")
        return 0
    frame = read_table(args.data, text_columns=text_columns(encoder), na_values=args.na_values)
    missing = [c for c in [*encoder.feature_names_in_, *args.keep] if c not in frame.columns]
    if missing:
        raise UsageError(
            f"{args.data} lacks the columns {missing}; its columns are {list(frame.columns)}."
        )
    # The file may also hold the target or ids: take the model's columns, in its order.
    X = frame[list(encoder.feature_names_in_)]
    with warnings_as_lines(say):
        write_table(output_frame(encoder, X, frame, args.keep), args.output)
    say(f"wrote {args.output}")
    return 0


def output_frame(encoder, X, frame, keep, kept_as="--keep", encode=None):  # noqa: PLR0913
    """The transformed table, the ``keep`` columns first, embeddings as float32.

    The vectors are float32 in the model: writing them with float64's 17
    digits only makes the file larger. Passed-through columns are written as
    they were read (integers beyond 2**53 stay exact), so the output's warnings
    about their precision do not apply; a ``keep`` column that is one of them
    is written once, first. ``kept_as`` says where ``keep`` comes from, for
    the message when one of them is also an output column. ``encode`` makes
    the encoded frame of ``X`` (``fit``'s ``fit_transform``); by default the
    fitted encoder's ``transform``. The encoder's own output setting is left
    as it is: a saved model keeps the user's.
    """
    encode = encode or encoder.transform
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        encoded = encode(X)
    out = pd.DataFrame(np.asarray(encoded), columns=encoder.get_feature_names_out())
    passed = [name for name in encoder.get_feature_names_out() if name in set(X.columns)]
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
            f"columns {clash} copied into the output first ({kept_as}) are also output columns; "
            "keep them under another name."
        )
    out = out.drop(columns=[name for name in keep if name in passed])
    return pd.concat([frame[keep].reset_index(drop=True), out], axis=1)
