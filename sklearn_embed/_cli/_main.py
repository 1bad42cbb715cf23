"""The command-line tool: ``sklearn-embed fit | transform | demo``.

Errors a user can act on (missing file, unknown column, bad target) print one
line on stderr and exit with status 2, like argparse's own usage errors.
"""

import argparse
import signal
import sys
from pathlib import Path

from .._encoder import HANDLE_UNKNOWN_OPTIONS, OUTPUT_OPTIONS, REMAINDER_OPTIONS
from .._network import ACTIVATIONS
from .._target import TARGET_TYPES
from .._version import __version__
from ._files import EXIT_USAGE, UsageError
from ._fit import run_fit
from ._messages import as_options, split_names
from ._transform import run_transform

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

# --na-values: which text of a CSV is a missing value, besides empty fields.
NA_VALUES = ("--na-values",)
NA_VALUES_OPTION = {
    "type": lambda text: [value for value in text.split(",") if value],
    "default": [],
    "metavar": "A,B",
    "help": "text that marks a missing value in every column of a CSV, e.g. NA,null (default: "
    "only empty fields, and in columns of numbers or booleans also NA, NaN, null, None, ...)",
}


def main(argv=None):
    """Run the tool; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    # SIGTERM (a scheduler stopping the job) unwinds like Ctrl-C, so that
    # partly written outputs are removed on the way out.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("sklearn-embed: interrupted; no output was left half-written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (UsageError, OSError, ValueError, TypeError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        # The encoder's advice in the command line's words, as for its warnings.
        one_line = " ".join(as_options(str(message)).split())
        print(f"sklearn-embed: error: {one_line}", file=sys.stderr)
        return EXIT_USAGE


def interrupt(signum, frame):
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
        type=split_names,
        default=[],
        metavar="A,B",
        help="columns that are not features (ids): left out of the fit",
    )
    fit.add_argument(
        "--output",
        type=Path,
        help="write the encoded training table here, after the --keep columns and the target "
        "column: cross-fitted, as a pipeline's next step gets it (EmbeddingEncoder.fit_transform: "
        "rare categories' vectors and the prediction out of fold); with --chunk-rows, as transform "
        "encodes it (partial_fit does not cross-fit)",
    )
    fit.add_argument(
        "--keep",
        type=split_names,
        default=[],
        metavar="A,B",
        help="copy these input columns (ids) into --output, first, so rows can be matched back",
    )
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
        type=split_names,
        nargs="?",
        const=True,
        metavar="A,B",
        help="keep the --initial-embeddings tables fixed (all, or these columns')",
    )
    fit.add_argument(
        "--shared",
        type=split_names,
        action="append",
        metavar="A,B",
        help="columns that share one table, e.g. home,away (repeat for more groups)",
    )
    _add_encoder_parameters(fit)
    fit.add_argument(
        "--chunk-rows",
        type=_positive_int,
        metavar="N",
        help="read and train N rows at a time (memory holds one chunk): --max-iter passes of partial_fit, 5 by default",
    )
    fit.add_argument(*NA_VALUES, **NA_VALUES_OPTION)
    fit.add_argument("--quiet", action="store_true", help="print nothing but errors")
    fit.set_defaults(run=run_fit)

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
        type=split_names,
        default=[],
        metavar="A,B",
        help="copy these input columns (ids, target) into the output, first",
    )
    transform.add_argument(
        "--chunk-rows", type=_positive_int, metavar="N", help="read and write N rows at a time"
    )
    transform.add_argument(*NA_VALUES, **NA_VALUES_OPTION)
    transform.add_argument("--quiet", action="store_true")
    transform.set_defaults(run=run_transform)

    demo = commands.add_parser("demo", help="the demo on the bundled Adult sample")
    demo.add_argument("--plot", type=Path, default=Path("adult_occupation_embeddings.png"))
    demo.set_defaults(run=_demo)
    return parser


def _add_encoder_parameters(fit):
    """``fit``'s options for the encoder's parameters (``_messages.OPTIONS``, the output mode)."""
    parameters = fit.add_argument_group("encoder parameters (see EmbeddingEncoder)")
    parameters.add_argument("--embedding-dim", type=int)
    parameters.add_argument(
        "--hidden-layer-sizes",
        type=_sizes,
        metavar="64,32",
        help="widths of the hidden layers, or none: the embeddings straight to the output",
    )
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
        "--no-cross-fit",
        dest="cross_fit",
        action="store_false",
        default=None,
        help="the encoder's cross_fit=False: --output writes the training rows as transform "
        "encodes them, not cross-fitted, and the model keeps its rare categories' vectors as "
        "trained",
    )
    parameters.add_argument(
        "--cv",
        type=_fold_count,
        metavar="K",
        help="the folds of --output's cross-fitting (5); not with --no-cross-fit or --chunk-rows",
    )
    parameters.add_argument(
        "--output-mode",
        choices=list(OUTPUT_OPTIONS),
        help="what --output and transform write (the encoder's output parameter): vectors (the "
        "default, for boosting), vectors+prediction (for a linear model), prediction (the numeric "
        "columns and the network's prediction, for nearest neighbours)",
    )
    parameters.add_argument("--append-prediction", action="store_true", help=argparse.SUPPRESS)


def _demo(args):
    from .._demo import run_demo

    run_demo(plot_path=args.plot)
    return 0


def _positive_int(text):
    """``--chunk-rows``: a number of rows, 1 or more."""
    return _whole_number(text, 1, "a positive number of rows")


def _fold_count(text):
    """``--cv``: a number of folds, 2 or more."""
    return _whole_number(text, 2, "a number of folds, 2 or more")


def _whole_number(text, least, what):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < least:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def _sizes(text):
    """``--hidden-layer-sizes``: widths like 64,32, or "none" for no hidden layer."""
    if text.strip().lower() == "none":
        return ()
    try:
        sizes = tuple(int(size) for size in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes:
        raise argparse.ArgumentTypeError(
            f"expected integers like 64,32 (or none, for no hidden layer), got {text!r}"
        )
    return sizes


def _auto_or_float(text):
    return text if text == "auto" else float(text)


def _int_or_float(text):
    return float(text) if "." in text else int(text)
