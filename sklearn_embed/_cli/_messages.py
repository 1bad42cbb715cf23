"""What the command line prints: warnings as one line each, notes on columns, progress.

The encoder's advice names its parameters (``target_type='continuous'``); the
command line says it in its own options (``--target-type continuous``).
"""

import re
import sys
import warnings
from contextlib import contextmanager

from .._columns import integer_codes, looks_like_dates

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
    "cross_fit",
    "cv",
]


def split_names(text):
    """Column names from an option's comma-separated text."""
    return [name.strip() for name in text.split(",") if name.strip()]


def say_to_stderr(quiet):
    return (lambda message: None) if quiet else (lambda message: print(message, file=sys.stderr))


@contextmanager
def warnings_as_lines(say, before=None, stale=None):
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
    # Once each: a chunked fit raises the same verdict on many chunks. A DataWarning is one
    # (kind, column) however it is worded (the first words win); other warnings, one text.
    shown = {}
    for caught_warning in caught:
        message = caught_warning.message
        if not (stale and stale(message)):
            shown.setdefault(_identity(message), message)
    for message in shown.values():
        say(f"sklearn-embed: warning: {as_options(' '.join(str(message).split()))}")


def _identity(message):
    """What makes two warnings the same: a DataWarning's kind and column, else the text."""
    if getattr(message, "kind", None) is not None:
        return (message.kind, message.column)
    return " ".join(str(message).split())


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


# The parameters whose option turns them off; what to say of them set to True.
_SWITCHES = {
    "early_stopping": "(early stopping is the default)",
    "cross_fit": "(cross-fitting is the default)",
}


def _option_with_value(match):
    if match[1] in _SWITCHES:
        return _flag(f"no_{match[1]}") if match[3] == "False" else _SWITCHES[match[1]]
    return f"{_flag(match[1])} {match[3]}"


def _flag(name):
    return "--" + name.replace("_", "-")


def noted(warning):
    """A warning that a note of :func:`column_hints` says in the command line's words."""
    return getattr(warning, "kind", None) in ("dates", "integer_codes")


def column_hints(X, encoder):
    """Notes on columns of ``X`` that ``encoder`` probably read the wrong way: ids, codes, dates.

    - integer columns used as numbers with one value per row (a row index such
      as R's ``rownames``, or an id): they say nothing about new rows, so the
      note says ``--drop``;
    - integer columns used as numbers named like codes (``store_id``, ``zip``)
      whose values repeat: the note says ``--categorical +``;

    the two by the rule of ``fit``'s own warning (:func:`~sklearn_embed._columns.integer_codes`);
    - embedded text columns of ISO dates: each date is a category of its own,
      and a date unseen at fit gets the unknown vector.
    """
    embedded = encoder.categorical_features_.tolist()
    verdicts = integer_codes(X, list(X.columns), X.columns.isin(embedded))
    per_row = [column for column, verdict in verdicts.items() if verdict == "row_ids"]
    codes = [column for column, verdict in verdicts.items() if verdict == "codes"]
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


def count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


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
