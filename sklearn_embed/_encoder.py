"""EmbeddingEncoder: the scikit-learn estimator. Parameters, input checks, the public methods.

Each public method checks its input, freezes the parameters into the records
the builders read (``_fitting.FitSpec``), calls them, publishes the fitted
state they return at once (:meth:`EmbeddingEncoder._publish`) and raises their
findings at the user's line. ``transform`` is the fitted model's
(``_model.FittedModel``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._columns import ColumnCoder, embedded_position
from ._compat import (
    HasMethods,
    Hidden,
    Interval,
    RealNotInt,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
)
from ._crossfit import CrossFitSpec, encode_out_of_fold, fold_models, fold_splits
from ._exceptions import warn_at_caller
from ._fitting import (
    FitSpec,
    Inputs,
    Monitor,
    NetworkSpec,
    Previous,
    draw_seed,
    fitted_attributes,
    sample_weights,
    train_model,
)
from ._model import OUTPUT_OPTIONS, FittedModel, output_dtype, output_mode
from ._model_file._persistence import ModelFileError, load_model, save_model
from ._network import ACTIVATIONS, NetworkParams, check_hidden_layer_sizes, mean_loss
from ._numeric import NumericScaling
from ._optim import Adam
from ._plain import from_plain, to_plain
from ._plotting import plot_embeddings, plot_training
from ._similarity import nearest_categories
from ._statistics import ColumnStatistics, Tally, TargetTotals
from ._streaming import StreamState, advance, start_stream
from ._table_setup import TableSetup, TableSpec, table_frame, tables_of_fit
from ._tables import EmbeddingTable
from ._target import TARGET_TYPES, Target, encode_target
from ._training import Stream, TrainingConfig
from ._vocabulary import Vocabulary

REMAINDER_OPTIONS = ("passthrough", "drop")
HANDLE_UNKNOWN_OPTIONS = ("use_unknown", "error")

# What pickle and skops files hold as plain data (see _plain), so that a skops file
# names this class alone (SKOPS_TRUSTED_TYPES): the fitted state that is not public
# attributes (the fitted model and, during partial_fit, the stream), and the tables
# initial_embeddings may give as DataFrames, which skops cannot save.
_PLAIN_STATE = ("model_", "_stream", "initial_embeddings")
# The private classes in that state, the only ones a file may name. A class
# missing here stays an object in the file, which tests/test_skops.py finds.
_STATE_CLASSES = (
    FittedModel,
    ColumnCoder,
    Vocabulary,
    NumericScaling,
    Target,
    NetworkParams,
    StreamState,
    EmbeddingTable,
    TableSetup,
    ColumnStatistics,
    Tally,
    TargetTotals,
    Stream,
    Adam,
)


class EmbeddingEncoder(TransformerMixin, BaseEstimator):
    """Replace categorical columns by supervised entity embeddings.

    ``fit`` trains a small neural network on ``(X, y)``: one embedding table per
    categorical column, the looked-up vectors concatenated with the
    standardised numeric columns, a multi-layer perceptron, and a sigmoid,
    softmax or linear output with the log loss or squared error, by minibatch
    Adam. Each table is the first layer's weights for its column (a lookup is a
    one-hot row times the table), learned by backpropagation like every other
    weight. ``transform`` replaces each categorical column, in place, by the
    learned vector of its category, and passes numeric columns through.

    Parameters
    ----------
    categorical_features : "auto" or array-like of str, int or bool, default="auto"
        Columns to embed. "auto" takes every non-numeric column: pandas ``str``,
        ``string``, ``object``, ``category`` and ``bool``. Integer-coded
        categoricals (ids, zip codes) are embedded only when named here, by
        column name, column index, or a boolean mask; fit warns
        (:class:`~sklearn_embed.DataWarning`, ``kind="integer_codes"``) of an
        integer column it uses as a number that looks like ids or codes (named
        like ``store_id`` or ``zip``, or one value per row of consecutive
        numbers).

    embedding_dim : "auto", int or dict, default="auto"
        Size of each column's embedding. "auto" uses
        ``min(50, round(1.6 * n_categories ** 0.56))``; an int applies to every
        column; a dict ``{column: int}`` sets some columns and leaves the others
        on "auto" (naming one column of a shared table sizes the table).

    hidden_layer_sizes : array-like of int, default=(64,)
        Widths of the hidden layers between the concatenated inputs and the
        output. ``()`` connects the embeddings straight to a logistic / softmax
        / linear output. One modest layer lets the embeddings capture
        interactions without the network memorising rare categories.

    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of the hidden layers.

    alpha : float, default=1e-4
        L2 penalty on the dense weights, and on each looked-up embedding row per
        occurrence (so rare categories are shrunk in proportion to their data).

    batch_size : "auto" or int, default="auto"
        Rows per Adam step. "auto" is ``n_train_samples // 32`` clipped to
        [32, 1024]: about 32 steps per epoch on small tables (so early stopping
        sees progress every epoch), large steps on large ones, where a step's
        cost is its arithmetic rather than its overhead.

    learning_rate_init : float, default=1e-2
        Adam's step size. Large, with large batches and a short patience: a
        default fit converges in 10 to 30 epochs (``benchmarks/RESULTS.md``,
        "Fast fit"). A table with many rare categories that inform the target
        (users and films for ratings) may gain from ``1e-3``, at several times
        the cost.

    max_iter : int, default=200
        Maximum number of epochs. With ``cross_fit``, the re-estimation of
        rare categories after training runs at most ``min(40, max_iter)``
        epochs more, over the rows that look them up (stopping as early
        stopping does: ``tol``, ``n_iter_no_change``).

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows (stratified for
        classification), stop when the validation loss stops improving, and
        restore the best epoch's weights. On by default because embeddings of
        rare categories overfit quickly.

    validation_fraction : float, default=0.1
        Fraction of rows held out for early stopping.

    n_iter_no_change : int, default=3
        Epochs without an improvement of at least ``tol`` before the step size
        is cut to 0.3 times, from the best epoch's weights; the next time,
        training stops and the best epoch's weights are kept (with
        ``early_stopping``; without it, training stops at the first time).

    tol : float, default=1e-4
        Minimum improvement of the validation (or training) loss.

    min_frequency : int or float, default=1
        Categories seen fewer times (or, as a float in (0, 1), in a smaller
        fraction of rows) get no vector of their own: they share the "unknown"
        vector, which they help train. The default leaves this decision to
        ``smooth``, which adapts it to how noisy the target is.

    smooth : "auto" or float, default="auto"
        After training, each category's vector is pulled toward the unknown
        vector by ``n / (n + smooth)``, ``n`` its training count, so that rare
        categories do not carry their few rows' noise into the downstream model
        (which is trained on the same rows). "auto" estimates ``smooth`` per
        column from the target, as :class:`~sklearn.preprocessing.TargetEncoder`
        does (within-category variance over the variance of the category
        means): large for noisy targets, small when categories decide the
        target. 0 shrinks nothing. Categories seen fewer than
        ``min(merge_factor_ * smooth_, 100)`` times get no vector of their own
        (they join the unknown row before training): shrinking alone does not
        stop a tree model from splitting on them. With ``early_stopping``, fit
        builds a network for each ``merge_factor_`` in (1, 5) that merges
        differently, trains each for 4 epochs on the same validation rows, and
        goes on only with the one of lower validation loss: many categories of
        a few noisy rows each (aircraft for delays) are better merged, while
        users with a few ratings each still tell much about their ratings.
        With "auto", a column where most rows
        hold a value seen on that row only is taken for an identifier: those
        values join the unknown row too (their vector would be their row's own
        target), with a :class:`~sklearn_embed.DataWarning`. With ``cross_fit``,
        the vectors of the categories rare for the target's noise are
        re-estimated after training (see ``cross_fit``), whatever ``smooth``.

    handle_unknown : {"use_unknown", "error"}, default="use_unknown"
        What ``transform`` does with categories not seen in ``fit`` (values
        written in another type, such as the integer 7030 for the string
        "07030", are matched by their numeric value first).
        "use_unknown" gives them the trained unknown vector (it learns from
        rare categories and from 2% of training codes replaced by it at random,
        so it sits where an "average" category would); "error" raises a
        ``ValueError`` naming the column and the first unknown values.
        Categories that were seen but rarer than ``min_frequency`` never raise.

    target_type : {"auto", "binary", "multiclass", "continuous"}, default="auto"
        Type of ``y``. "auto": strings, booleans and pandas categoricals are
        classes; numbers with a fractional part are continuous; whole numbers
        are classes up to 20 distinct values (3 to 20 with a
        :class:`~sklearn_embed.DataWarning`: ratings and small counts look the
        same) and continuous above (minutes, counts), whatever the number of
        rows. Unlike :func:`~sklearn.utils.multiclass.type_of_target`, which
        calls any whole-number target "multiclass". Continuous targets may have
        several columns; they are standardised for training.

    remainder : {"passthrough", "drop"}, default="passthrough"
        Keep the numeric (non-embedded) columns in the output, unchanged, or
        output the embeddings only.

    dtype : {np.float64, np.float32}, default=np.float64
        Type of ``transform``'s output, as ``OneHotEncoder``'s ``dtype``. The
        tables are float32, so float32 output loses nothing on the embedding
        columns and halves the output's memory (5M rows of 100 columns: 2 GB
        instead of 4); passed-through numeric columns are rounded to float32 too.
        ``transform`` never makes an infinity or a NaN of a finite input: a
        value (passed through, or the prediction) beyond float32's range
        becomes its largest value, with a :class:`~sklearn_embed.DataWarning`;
        so do integers beyond 2**53 in float64 output, which rounds them.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split, the shuffling and the
        unknown-code replacement. An int gives bit-identical embeddings on refit.

    verbose : int, default=0
        Print the loss of every epoch when positive, saying which network while
        fit races two (see ``smooth``).

    record_embeddings : bool, default=False
        Keep a copy of every table after each epoch in ``embedding_history_``,
        to watch the vectors move during training (see
        :func:`~sklearn_embed.animate_embeddings`). Costs one table copy per epoch.

    initial_embeddings : None, dict or fitted EmbeddingEncoder, default=None
        Starting vectors for some tables: a dict ``{column: DataFrame}``
        indexed by category with one column per dimension (what
        :meth:`get_embeddings` returns and ``sklearn-embed fit --embeddings``
        writes), or a fitted encoder, whose tables are taken for the columns it
        embedded under the same names (wrap it in
        :class:`sklearn.frozen.FrozenEstimator` inside cross-validation or a
        grid search: their ``clone`` unfits estimators passed as parameters).
        A given table's width sets its column's size (an explicit, different
        ``embedding_dim`` is an error). Its categories always get a row: those
        absent from ``X`` keep their given vectors, so ``transform`` uses them
        instead of the unknown vector, and rare ones are shrunk toward their
        given vector instead of the unknown one. Categories of ``X`` absent
        from the table start at random, as usual; the unknown vector starts at
        the encoder's or at the mean of the given vectors. Fit warns
        (:class:`~sklearn_embed.DataWarning`) when no training row finds its
        category in a column's table, or fewer than half when it is frozen: the
        table probably names categories another way ("U1" for "u1"). The table's
        index must hold the column's kind of values (strings, numbers or
        booleans); integers do find digit strings ("07030" and 7030), and two
        entries that find one category ("7030" and "07030") are refused.
        :meth:`save` keeps the given tables (a fitted encoder's as a dict).

    freeze_embeddings : bool or list of str, default=False
        Keep given tables fixed while the network trains on top of them: True
        for every table of ``initial_embeddings``, or a list of columns (naming
        one column of a shared table freezes the table). A frozen table's
        categories are exactly its given ones and ``transform`` outputs its
        vectors as given, rounded to float32 as every table is (about seven
        significant digits: 123456789.123 comes out as 123456792.0), without
        shrinkage (``smooth_`` 0); other values of its column share the
        unknown vector, the one row that trains.

    shared_embeddings : None or list of list of str, default=None
        Groups of columns that look up one table, e.g. ``[["origin", "dest"]]``
        or home and away team: one vocabulary (the union of the columns'), one
        table trained from every column of the group, and one ``smooth_``: the
        harmonic mean of the columns' own estimates (a team's effect at home
        and away differ in sign), applied to the group's total counts. A
        category seen in only one column of a group still has its own vector in
        the others. Output names stay per column; ``get_embeddings`` of any
        member returns the group's table, and the members' entries of
        ``embeddings_`` are one array (equal arrays after :meth:`load`).

    warm_start : bool, default=False
        As in :class:`~sklearn.neural_network.MLPClassifier`: when already
        fitted, ``fit`` continues from the previous tables (``embeddings_``) and
        dense weights, with the previous numeric scaling, instead of starting
        over; ``initial_embeddings`` is not read again (the previous tables are
        the given ones, and ``freeze_embeddings`` applies to them). Categories
        new to the table get rows that start at the unknown vector. The
        embedded columns, the target's classes or type, and
        ``hidden_layer_sizes`` must not change (a ``ValueError`` says which
        did). ``n_iter_`` and ``loss_curve_`` describe the last fit.

    output : {"vectors", "vectors+prediction", "prediction"}, default="vectors"
        What ``transform`` outputs for the downstream model; a grid search can
        try them (``{"embeddingencoder__output": [...]}``), as the network is
        the same for all three.

        - "vectors": each categorical column replaced by its vectors, the
          numeric columns passed through. What gradient boosting needs.
        - "vectors+prediction": the same, then the network's prediction for
          each row: the log-odds for a binary target (``network_log_odds``),
          each class's log-probability for a multiclass one
          (``network_log_proba_{class}``), or the prediction in ``y``'s units
          (``network_prediction``). For a linear model downstream: it reads
          the vectors only through what the network's hidden layer made of
          them, which it cannot undo, and this column hands it that result.
          ``fit_transform`` computes it out of fold (``cross_fit``): on
          its own training rows the network is more confident than on new rows,
          and a model trained on those values would trust it more than it
          deserves. (``docs/user_guide/output.md`` compares the three per
          downstream model.)
        - "prediction": the numeric columns and the prediction, without the
          vectors. For nearest neighbours, whose distances dozens of vector
          columns would dominate.

    cross_fit : bool, default=True
        Whether ``fit_transform``, what a ``Pipeline`` calls on its training
        rows, cross-fits: each training row is encoded by rare categories'
        vectors, and a prediction, that its own row did not train, as
        :class:`~sklearn.preprocessing.TargetEncoder` encodes its training rows, so that a downstream model does not learn to
        trust the network's memory of them (see Notes). ``transform`` encodes
        every row with the fitted model, so ``fit(X, y).transform(X)`` differs
        from ``fit_transform(X, y)``. For the vectors of training rows and of
        new rows to come from one estimator, ``fit`` then re-estimates the
        vectors of rare categories (see Notes) as the folds do. False:
        ``fit`` keeps every vector as the network trained it, and
        ``fit_transform(X, y)`` is ``fit(X, y).transform(X)``.

    cv : int, cross-validation generator or iterable, default=5
        The folds of ``fit_transform``'s cross-fitting: an int (None: 5) is a
        ``StratifiedKFold`` for classes (a ``KFold`` when a class has fewer
        rows than folds) and a ``KFold`` for a continuous target; a splitter,
        or an iterable of ``(train, test)`` index arrays, is used as given.
        Every row must be in exactly one test fold (else a ``ValueError``,
        before training). Unused with ``cross_fit=False``. A splitter that needs groups is given as its
        splits, in a list: ``list(GroupKFold(5).split(X, y, groups))`` (a
        generator would be used up by the first fit).

    shuffle : bool, default=True
        With an int ``cv``, shuffle the rows before splitting them into folds,
        with ``random_state``.

    append_prediction : bool
        Deprecated: use ``output="vectors+prediction"`` (``True``) or
        ``output="vectors"`` (``False``). Still honoured for one release, with
        a ``FutureWarning`` at fit.

    Attributes
    ----------
    categorical_features_ : ndarray of str
        Names of the embedded columns, in input order.

    categories_ : list of ndarray
        For each embedded column, the categories with a vector of their own,
        sorted, with ``nan`` last when missing values were frequent enough.

    infrequent_categories_ : list of ndarray
        For each embedded column, the categories seen in ``fit`` but rarer than
        ``min_frequency`` or than the merge threshold of ``smooth``; they use
        the unknown vector.

    embeddings_ : list of ndarray of shape (len(categories_[i]) + 1, dim)
        The learned tables, float32. Row ``k`` is the vector of
        ``categories_[i][k]``; the last row is the unknown vector. Columns of a
        shared table hold the same array (equal arrays after :meth:`load`).

    embedding_dims_ : dict
        ``{column: dim}`` for each embedded column.

    category_counts_ : list of ndarray of shape (len(categories_[i]) + 1,)
        Weighted training rows of each row of ``embeddings_[i]`` (the last
        entry counts the rows that use the unknown vector).

    category_target_means_ : list of ndarray of shape (len(categories_[i]) + 1,)
        Mean target of the training rows of each row of ``embeddings_[i]``:
        the share of the last class (the positive one when binary), or the
        mean of the first output; NaN for a row no training row uses.

    numeric_bounds_ : ndarray of shape (n_numeric_features, 2)
        The range the network sees each non-embedded column clipped to: its
        0.1% and 99.9% training quantiles widened by their distance on each
        side, but never more than ten times the distance of its 1% and 99%
        quantiles beyond those (so up to 1% of extreme values on a side cannot
        move them); its training range when the 0.1% and 99.9% quantiles are
        equal (so rare values of a flag stay). A few extreme values thus do not
        squash a column; more than 1% give a :class:`~sklearn_embed.DataWarning`.
        The output passes the raw values through.

    numeric_mean_, numeric_scale_ : ndarray of shape (n_numeric_features,)
        Mean and standard deviation of each clipped column: the network sees
        ``(clip(x, *numeric_bounds_[j]) - numeric_mean_[j]) / numeric_scale_[j]``
        (missing values as 0).

    smooth_ : dict
        ``{column: m}``, the shrinkage pseudo-count used for each column
        (``inf`` when the column showed no signal: every vector is the unknown one).

    merge_factor_ : int
        The merge threshold kept, in units of ``smooth_`` (see ``smooth``): 1
        or 5. Without ``early_stopping`` and for ``partial_fit`` from scratch it
        is 1; a warm-started ``fit`` and ``partial_fit`` after ``fit`` keep the
        previous fit's.

    target_type_ : str
        "binary", "multiclass" or "continuous".

    classes_ : ndarray
        Class labels (classification only).

    coefs_ : list of ndarray
        Weights of the dense layers, input to output.

    intercepts_ : list of ndarray
        Biases of the dense layers.

    n_iter_ : int
        Epochs run by the kept network (its 4 racing epochs included, when fit
        raced two).

    loss_curve_ : list of float
        Mean training loss of each epoch (without the L2 penalty), of the
        kept network when fit raced two (as ``validation_scores_`` and
        ``best_validation_score_``).

    validation_scores_ : list of float or None
        Negated validation loss of each epoch (greater is better, like the
        ``neg_log_loss`` scorer); None without early stopping.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; its weights are the ones kept. With
        ``cross_fit``, the network's score before its rare categories were
        re-estimated (:meth:`score` on the validation rows scores the model
        published).

    baseline_validation_score_ : float or None
        On the same validation rows and with the same loss, the score of a
        target-encoding baseline: a logistic or ridge regression on each
        embedded column's shrunk target means and the numeric columns, fitted
        on the network's training rows. A network that does not beat it by much
        found little beyond one number per category, and is unlikely to make a
        downstream model beat target encoding (see the user guide, "When
        embeddings help"). None without early stopping, after ``partial_fit``,
        without embedded columns, with one class among the training rows, or
        with more than 256 features (embedded columns times classes, plus the
        numeric columns): with many classes its cost would pass the network's.
        An indicator, not a test: on the validation rows of one split.

    embedding_history_ : list of ndarray of shape (n_iter_ + 1, n_rows, dim)
        With ``record_embeddings=True``: each table at initialisation and after
        every epoch (as trained: before the best epoch's weights are restored,
        before the re-estimation of rare categories of ``cross_fit``, and
        before the shrinkage of ``smooth``).

    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` had string column names.

    See Also
    --------
    sklearn.preprocessing.OneHotEncoder : One column per category, no training.
    sklearn.preprocessing.TargetEncoder : One cross-fitted target mean per category.
    sklearn.neural_network.MLPClassifier : The dense network this one extends.

    Notes
    -----
    The network is trained in float32 NumPy; the embedding tables are updated
    with a row-wise ("lazy") Adam that touches only the rows looked up in each
    batch, so the cost per step does not grow with cardinality. Missing values
    in numeric columns are passed through unchanged (the network sees them at
    the column mean); infinite values are refused. The network sees numeric
    columns clipped far outside their 0.1% and 99.9% training quantiles (see
    ``numeric_bounds_``), so a few extreme values do not squash a column; the
    output keeps the raw values.
    ``transform`` warns (:class:`~sklearn_embed.DataWarning`) when a column
    maps far more rows to the unknown vector than ``fit`` did, or maps values
    of another kind than the column's (strings in a column of booleans) to it.

    Cross-fitting (``cross_fit=True``, the default). A category seen on a few
    rows has a vector fitted to those rows' targets, and a downstream model
    trained on them (in a ``Pipeline``: on ``fit_transform``'s output) learns
    to trust it more than it deserves on new rows. So, after training, the
    vectors of the categories seen fewer than ``min(5 m, 100)`` times, ``m``
    the pseudo-count the target's noise calls for (what ``smooth="auto"``
    estimates), are re-estimated: each starts at its prior (the unknown
    vector, or the vector ``initial_embeddings`` gave it) and trains with the
    network's other weights frozen (so it lives in the coordinates
    the network reads), for as many epochs as the validation loss asks; these
    are the vectors ``transform`` uses. ``fit_transform`` then splits the
    training rows into ``cv`` folds and encodes each fold's rows by vectors
    re-estimated the same way on the other folds' rows alone (a category no
    other fold holds gets its prior), shrunk as ``embeddings_`` is;
    the prediction columns are the network's on those vectors. Frequent
    categories keep their trained vectors: one row among many hardly moves a
    vector. ``partial_fit`` neither re-estimates nor cross-fits.

    References
    ----------
    C. Guo and F. Berkhahn, "Entity Embeddings of Categorical Variables",
    arXiv:1604.06737, 2016.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_embed import EmbeddingEncoder
    >>> X = pd.DataFrame({"shop": ["a", "b", "c", "a"] * 25, "price": [9.5, 12.0, 3.25, 7.0] * 25})
    >>> y = [0, 1, 1, 0] * 25
    >>> enc = EmbeddingEncoder(embedding_dim=2, random_state=0).fit(X, y)
    >>> enc.transform(X).shape
    (100, 3)
    >>> enc.get_feature_names_out()
    array(['shop_emb0', 'shop_emb1', 'price'], dtype=object)
    >>> enc.get_embeddings("shop").shape
    (3, 2)
    """

    _parameter_constraints: dict = {
        "categorical_features": [StrOptions({"auto"}), "array-like"],
        "embedding_dim": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"), dict],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
        ],
        "smooth": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "handle_unknown": [StrOptions(set(HANDLE_UNKNOWN_OPTIONS))],
        "target_type": [StrOptions({"auto", *TARGET_TYPES})],
        "remainder": [StrOptions(set(REMAINDER_OPTIONS))],
        "dtype": [type, str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "record_embeddings": ["boolean"],
        "initial_embeddings": [None, dict, HasMethods(["get_embeddings"])],
        "freeze_embeddings": ["boolean", list],
        "shared_embeddings": [None, list],
        "warm_start": ["boolean"],
        "output": [StrOptions(set(OUTPUT_OPTIONS))],
        "cross_fit": ["boolean"],
        "cv": ["cv_object"],
        "shuffle": ["boolean"],
        "append_prediction": ["boolean", Hidden(StrOptions({"deprecated"}))],
    }

    # An estimator's __init__ lists its parameters, as scikit-learn's do.
    def __init__(  # noqa: PLR0913
        self,
        *,
        categorical_features="auto",
        embedding_dim="auto",
        hidden_layer_sizes=(64,),
        activation="relu",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-2,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=3,
        tol=1e-4,
        min_frequency=1,
        smooth="auto",
        handle_unknown="use_unknown",
        target_type="auto",
        remainder="passthrough",
        dtype=np.float64,
        random_state=None,
        verbose=0,
        record_embeddings=False,
        initial_embeddings=None,
        freeze_embeddings=False,
        shared_embeddings=None,
        warm_start=False,
        output="vectors",
        cross_fit=True,
        cv=5,
        shuffle=True,
        append_prediction="deprecated",
    ):
        self.categorical_features = categorical_features
        self.embedding_dim = embedding_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.min_frequency = min_frequency
        self.smooth = smooth
        self.handle_unknown = handle_unknown
        self.target_type = target_type
        self.remainder = remainder
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        self.record_embeddings = record_embeddings
        self.initial_embeddings = initial_embeddings
        self.freeze_embeddings = freeze_embeddings
        self.shared_embeddings = shared_embeddings
        self.warm_start = warm_start
        self.output = output
        self.cross_fit = cross_fit
        self.cv = cv
        self.shuffle = shuffle
        self.append_prediction = append_prediction

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X: ArrayLike | pd.DataFrame,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        callback: Callable[[dict], None] | None = None,
    ) -> EmbeddingEncoder:
        """Train the network and keep its embedding tables.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Categorical and numeric columns. Missing values in categorical
            columns are a category of their own; in numeric columns they are
            replaced by the column mean for the network.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (any hashable values) or continuous targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights, counted as repetitions (scikit-learn's
            meaning): a row of weight 3 counts as three rows in the category
            counts that ``smooth`` and the merging of rare categories read, and
            weighs three times in the loss. So the weights' scale matters where
            counts do: weights of 1,000 on every row keep more rare categories
            than no weights, as a table a thousand times longer would; weights
            averaging below 0.5 per row (probabilities) warn. A table
            aggregated to one row per distinct row with the count as weight is
            counted as the table it came from; but early stopping holds out
            whole aggregated rows (all of a category's rows with one label, at
            once), which misleads the validation loss and the choice of merge
            threshold it makes (``merge_factor_``): pass
            ``early_stopping=False`` for such a table. The loss is divided by
            the mean weight: its balance against ``alpha`` does not depend on
            the weights' unit, and training reads only their ratios (uniform
            weights of 1e155 train as weights of 1). Weights that sum beyond
            float64's range (or do so times the squared target) cannot be
            counted and are refused before any work. The numeric columns'
            scaling ignores weights.
        callback : callable, default=None
            Called after every epoch with a dict: ``epoch``, ``max_iter``,
            ``loss``, ``validation_score`` (None without early stopping) and
            ``elapsed`` seconds since fit started. The command-line tool draws
            its progress with it. While fit races two networks (see ``smooth``),
            each one's epochs are reported, counting from 1, with
            ``merge_factor`` (which network) and ``racing`` (2); the one kept
            then reports ``racing`` 0.

        Returns
        -------
        self : EmbeddingEncoder
            Fitted encoder.
        """
        self._fit(X, y, sample_weight, callback, out_of_fold=False)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(
        self,
        X: ArrayLike | pd.DataFrame,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        callback: Callable[[dict], None] | None = None,
    ) -> np.ndarray:
        """Fit, then encode the training rows out of fold: what a ``Pipeline`` calls.

        The fitted encoder is the one :meth:`fit` makes, and :meth:`transform`
        uses it on any rows. The rows returned here are cross-fitted (with
        ``cross_fit=True``, the default): each is encoded by rare categories'
        vectors, and a prediction, that its own row did not train (see
        ``cross_fit`` and Notes), so a downstream
        model trained on them learns how much to trust the vectors from rows the
        network did not memorise. ``fit(X, y).transform(X)`` therefore differs
        from ``fit_transform(X, y)``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            As for :meth:`fit`.
        callback : callable, default=None
            As for :meth:`fit`; the re-estimation of each fold is not reported.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            As :meth:`transform` lays it out.
        """
        if not self.cross_fit:
            return self._fit(X, y, sample_weight, callback, out_of_fold=False).transform(X)
        return self._fit(X, y, sample_weight, callback, out_of_fold=True)

    def _fit(self, X, y, sample_weight, callback, out_of_fold):  # noqa: PLR0913
        """Fit; with ``out_of_fold``, return the training rows encoded out of fold, else ``self``."""
        warm = self.warm_start and hasattr(self, "model_")
        previous = self._previous("warm_start") if warm else None
        inputs, seen = self._inputs(X, y, sample_weight, previous)
        seed = draw_seed(self.random_state)
        spec = self._spec(inputs.target.type)
        # The folds are checked before any training: a cv that cannot split costs nothing.
        folds = fold_splits(spec.cross_fit, inputs.target, seed) if out_of_fold else None
        trained, findings = train_model(inputs, spec, seed, previous, callback)
        attributes, result = fitted_attributes(trained, inputs, spec), self
        if out_of_fold:
            models = fold_models(trained, inputs.target, spec, folds, seed)
            result, found = encode_out_of_fold(
                trained, attributes["model_"], models, inputs.frame, spec.network, self.dtype
            )
            findings += found
        self._publish({**seen, **attributes})
        warn_at_caller([*self._deprecations(), *findings])
        return result

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike | pd.DataFrame,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
        new_rows: bool = True,
    ) -> EmbeddingEncoder:
        """Train on one chunk of rows (one pass of minibatch Adam): data larger than memory.

        The first call fixes the columns, the numeric scaling and the target
        (its type, classes and scale), as ``fit`` would from that chunk. A
        classification target takes its classes from ``classes`` (every label
        of the whole data, as for ``SGDClassifier``) or else from that chunk's
        labels; a later chunk with another label is refused. Each call then
        runs one epoch over the chunk, continuing the same Adam optimisation,
        without early stopping (``validation_fraction``, ``n_iter_no_change``,
        ``tol`` and ``max_iter`` do not apply: call it as many passes as
        wanted). Category counts and target sums accumulate over the calls,
        and after every call the fitted attributes are as ``fit`` would set
        them, by the same rule, from all rows counted so far: ``smooth_``
        re-estimated, vectors shrunk by their counts. A value seen without a
        row of its own gets one, starting at the unknown vector, once its count
        reaches ``fit``'s threshold (``min_frequency``, and
        ``min(merge_factor_ * smooth_, 100)``), unless the column looks like an
        identifier.

        As for scikit-learn's incremental estimators, every call brings new
        rows, and all of them are counted: ``smooth_``, the merging of rare
        values and the identifier rule read the counts, so a row given twice
        counts twice (an id seen once looks seen twice). To make further passes
        over rows already given (epochs), pass ``new_rows=False`` on those
        calls: they are trained on again, not counted again, however they are
        shuffled or cut into chunks (``sklearn-embed fit --chunk-rows`` does so
        from its second pass on)::

            for epoch in range(5):
                for X_chunk, y_chunk in chunks():
                    enc.partial_fit(X_chunk, y_chunk, new_rows=epoch == 0)

        A call that raises leaves the encoder as it was. After ``fit`` (or
        :meth:`load`), the first call continues from the fitted weights, with
        statistics counted from then on. ``fit`` starts over. A stream neither
        re-estimates rare categories nor cross-fits (see ``cross_fit``): a
        downstream model should be trained on rows the stream has not seen.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Counted as in :meth:`fit`. The loss is divided by the first chunk's
            mean weight, so later chunks keep their weight relative to it.
        classes : array-like, default=None
            All class labels, for the first call of a classification target
            whose first chunk may lack some; ignored afterwards (and after
            ``fit``, whose classes are kept).
        new_rows : bool, default=True
            Whether the rows of ``X`` are new: counted into the statistics. Pass
            False for a further pass over rows given to earlier calls: trained
            on, not counted again. The first call of a sequence counts its
            rows: it cannot be False there.

        Returns
        -------
        self : EmbeddingEncoder

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_embed import EmbeddingEncoder
        >>> X = pd.DataFrame({"shop": ["a", "b", "c", "a"] * 50})
        >>> y = [0, 1, 1, 0] * 50
        >>> enc = EmbeddingEncoder(random_state=0)
        >>> for start in range(0, 200, 40):
        ...     chunk = slice(start, start + 40)
        ...     _ = enc.partial_fit(X[chunk], y[chunk])
        >>> enc.n_iter_, len(enc.loss_curve_)
        (5, 5)
        """
        if not isinstance(new_rows, (bool, np.bool_)):
            raise TypeError(f"new_rows must be True or False, got {new_rows!r}.")
        if not new_rows and not hasattr(self, "_stream"):
            raise ValueError(
                "partial_fit(..., new_rows=False) makes a further pass over rows that earlier "
                "calls counted, but none has been counted yet: the first call of a sequence "
                "(also the first after fit or load) counts its rows. Pass new_rows=True to it."
            )
        if hasattr(self, "_stream"):
            self._check_settings()
            state = self._stream
            frame = check_frame(self, X, reset=False)
            target = state.target.encode_more(y, len(frame), by=state.continued_by)
            inputs = Inputs(
                frame, self._feature_names(), target, sample_weights(sample_weight, frame)
            )
            spec, seen, findings = self._spec(target.type), {}, []
        else:
            # After fit (or load), the first call continues from the fitted network.
            previous = self._previous("partial_fit") if hasattr(self, "model_") else None
            inputs, seen = self._inputs(X, y, sample_weight, previous, classes, partial=True)
            spec = self._spec(inputs.target.type)
            state, findings = start_stream(inputs, spec, draw_seed(self.random_state), previous)
        state, attributes, more = advance(state, inputs, spec, bool(new_rows))
        self._publish({**seen, **attributes})
        warn_at_caller([*self._deprecations(), *findings, *more])
        return self

    def transform(self, X: ArrayLike | pd.DataFrame) -> np.ndarray:
        """Replace each categorical column by its embedding columns.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Same columns, in the same order, as in ``fit``.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            Embedding columns in place of each categorical column, then (with
            ``remainder="passthrough"``) the numeric columns unchanged, in the
            input's column order, then the network's prediction (with
            ``output="vectors+prediction"``); with ``output="prediction"``, the
            numeric columns and the prediction only. See :meth:`get_feature_names_out`.
        """
        check_is_fitted(self)
        frame = check_frame(self, X, reset=False)
        out, findings = self.model_.transform(
            frame,
            self._output(),
            self.remainder,
            self.dtype,
            check_unknown=self.handle_unknown == "error",
        )
        warn_at_caller(findings)
        return out

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Output column names: ``f"{column}_emb{j}"`` for embedded columns, then the prediction's.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; defaults to ``feature_names_in_`` (or
            ``x0, x1, ...`` when ``X`` had no column names).

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        input_features = _check_feature_names_in(self, input_features)
        return self.model_.feature_names_out(input_features, self._output(), self.remainder)

    def get_embeddings(self, column: str) -> pd.DataFrame:
        """The learned table of one column, one row per category.

        Parameters
        ----------
        column : str
            An embedded column (one of ``categorical_features_``).

        Returns
        -------
        embeddings : pandas.DataFrame of shape (n_categories, dim)
            Indexed by category (missing values as ``NaN``), columns named as in
            :meth:`get_feature_names_out`. The unknown vector is the last row of
            ``embeddings_[i]`` and is not included.

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_embed import EmbeddingEncoder
        >>> X = pd.DataFrame({"colour": ["red", "blue", "green"] * 20})
        >>> enc = EmbeddingEncoder(embedding_dim=2, random_state=0)
        >>> enc.fit(X, [0, 1, 1] * 20).get_embeddings("colour").index.tolist()
        ['blue', 'green', 'red']
        """
        check_is_fitted(self)
        k = embedded_position(self.categorical_features_, column)
        return table_frame(column, self.categories_[k], self.embeddings_[k])

    def most_similar(
        self, column: str, category: Any, n: int = 5, metric: str = "cosine"
    ) -> pd.DataFrame:
        """The categories of ``column`` whose vectors are nearest to ``category``'s.

        Parameters
        ----------
        column : str
            An embedded column (one of ``categorical_features_``).
        category : object
            One of ``categories_`` of that column (``None``/NaN for missing).
        n : int, default=5
            Number of neighbours.
        metric : {"cosine", "euclidean"}, default="cosine"
            Cosine distance compares directions from the column's mean vector
            (a shift shared by all vectors means nothing to the network);
            Euclidean distance also compares lengths.

        Returns
        -------
        neighbours : pandas.DataFrame
            Columns ``category`` and ``distance``, nearest first; the query
            itself is left out.

        Raises
        ------
        KeyError
            If ``category`` has no vector of its own (unseen or infrequent).

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_embed import EmbeddingEncoder
        >>> X = pd.DataFrame({"code": [0, 1, 2, 2] * 50})
        >>> enc = EmbeddingEncoder(categorical_features=["code"], random_state=0)
        >>> enc.fit(X, [1, 1, 0, 0] * 50).most_similar("code", 0, n=2)["category"].tolist()
        [1, 2]
        """
        return nearest_categories(self.get_embeddings(column), category, n=n, metric=metric)

    def plot_embeddings(self, column: str, ax: Any = None, **kwargs: Any) -> Any:
        """Draw one column's categories in 2-D (PCA above two dimensions).

        Points are coloured by the category's mean target in the training data
        (the share of the last class for classification), sized by their count,
        and the most frequent ones are labelled, each where its label covers no
        other label and no point (on a crowded plot, the labels that fit nowhere
        are left out). Needs matplotlib.

        Parameters
        ----------
        column : str
            An embedded column.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs
            ``n_labels`` (default 20), ``cmap``, ``annotate``; see
            :func:`sklearn_embed._plotting.plot_embeddings`.

        Returns
        -------
        ax : matplotlib Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn_embed import EmbeddingEncoder, load_adult_sample
        >>> X, y = load_adult_sample()
        >>> enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y)
        >>> ax = enc.plot_embeddings("occupation")
        >>> len(ax.collections[0].get_offsets()) == len(enc.categories_[3])
        True
        """
        return plot_embeddings(self, column, ax=ax, **kwargs)

    def plot_training(self, ax: Any = None) -> Any:
        """Plot the training and validation loss per epoch. Needs matplotlib.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn_embed import EmbeddingEncoder, load_adult_sample
        >>> X, y = load_adult_sample()
        >>> enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, y)
        >>> [line.get_label() for line in enc.plot_training().lines[:2]]
        ['training loss', 'validation loss']
        """
        return plot_training(self, ax=ax)

    def save(self, path: str | os.PathLike) -> None:
        """Write the fitted encoder to ``path`` in sklearn-embed's model format (no pickle).

        The file is a zip of JSON and ``.npy`` arrays (see
        :mod:`sklearn_embed._model_file._persistence`); :meth:`load` reads it back without
        running any code from it, and the loaded encoder transforms bit for bit
        as this one does. The file appears only once it is complete. A
        ``random_state`` that is a ``RandomState``, and a ``cv`` that is a
        splitter or a list of splits, are stored as None: they only matter to
        a refit.

        Parameters
        ----------
        path : str or path-like
            Any name; ``.sk-embed`` is a good extension.

        Examples
        --------
        >>> import pandas as pd, tempfile, os
        >>> from sklearn_embed import EmbeddingEncoder
        >>> X = pd.DataFrame({"shop": list("abc") * 20})
        >>> enc = EmbeddingEncoder(max_iter=3, random_state=0).fit(X, [0, 1, 1] * 20)
        >>> path = os.path.join(tempfile.mkdtemp(), "shops.sk-embed")
        >>> enc.save(path)
        >>> (EmbeddingEncoder.load(path).transform(X) == enc.transform(X)).all()
        np.True_
        """
        check_is_fitted(self)
        output = getattr(self, "_sklearn_output_config", {}).get("transform")
        save_model(path, self, output)

    @classmethod
    def load(cls, path: str | os.PathLike) -> EmbeddingEncoder:
        """Read an encoder written by :meth:`save`. Never unpickles, never runs code.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        encoder : EmbeddingEncoder
            Fitted, as it was saved.

        Raises
        ------
        ModelFileError
            (a ``ValueError``) if the file is not a complete, consistent model
            file of a version this release reads: truncated, corrupted, edited,
            or a pickle/joblib file.
        """
        params, attributes, layout = load_model(path)
        if "cross_fit" not in params:  # saved before cross-fitting: it encoded in sample
            params = {**params, **_BEFORE_CROSS_FITTING}
        if "output" not in params and isinstance(params.get("append_prediction"), bool):
            # A file of 0.2, before output replaced append_prediction.
            appended = params.pop("append_prediction")
            params["output"] = "vectors+prediction" if appended else "vectors"
        try:
            encoder = cls(**params)
            encoder._validate_params()
        except (TypeError, ValueError) as error:
            raise ModelFileError(f"{path}: the saved parameters are not valid: {error}") from None
        model = _restored_model(encoder.activation, attributes, layout)
        encoder._publish({**attributes, "model_": model})
        if layout["output"] is not None:
            encoder.set_output(transform=layout["output"])
        return encoder

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------ helpers

    def _check_settings(self):
        """Check what ``_parameter_constraints`` cannot, before any work."""
        output_dtype(self.dtype)
        check_hidden_layer_sizes(self.hidden_layer_sizes)
        self._output()

    def _spec(self, target_type):
        """The parameters a fit reads, checked, as the records the builders read.

        ``target_type`` is the target's, read from ``y``: it sets the training's loss.
        """
        return FitSpec(
            categorical_features=self.categorical_features,
            tables=TableSpec(
                self.min_frequency,
                self.embedding_dim,
                self.smooth,
                self.initial_embeddings,
                self.freeze_embeddings,
                self.shared_embeddings,
            ),
            network=NetworkSpec(
                check_hidden_layer_sizes(self.hidden_layer_sizes),
                self.activation,
                self._output(),
                self.remainder,
            ),
            training=TrainingConfig(
                target_type=target_type,
                activation=self.activation,
                alpha=self.alpha,
                batch_size=self.batch_size,
                learning_rate=self.learning_rate_init,
                max_iter=self.max_iter,
                early_stopping=self.early_stopping,
                validation_fraction=self.validation_fraction,
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol,
            ),
            monitor=Monitor(self.verbose, self.record_embeddings),
            cross_fit=CrossFitSpec(self.cv, self.shuffle) if self.cross_fit else None,
        )

    def _output(self):
        """The ``output`` setting, with the deprecated ``append_prediction`` honoured."""
        return output_mode(self.output, self.append_prediction)

    def _deprecations(self):
        """The FutureWarning a fit gives for deprecated parameters (a finding)."""
        if self.append_prediction == "deprecated":
            return []
        spelling = "vectors+prediction" if self.append_prediction else "vectors"
        return [
            FutureWarning(
                f"append_prediction was deprecated in 0.3 and will be removed in 0.4: pass "
                f"output={spelling!r} instead of append_prediction={self.append_prediction}."
            )
        ]

    def _inputs(self, X, y, sample_weight, previous=None, classes=None, partial=False):  # noqa: PLR0913
        """The checked table, target and weights of a new fit; and the columns seen, to publish.

        Continuing a previous fit (``previous``), ``X`` must have its columns and
        ``y`` its target (``partial_fit`` after ``fit``: its classes and scale);
        otherwise nothing is read from, or written to, the estimator.
        """
        self._check_settings()  # every parameter is checked before any work
        if previous is None:
            frame, seen = check_frame(self, X, reset=True)
            n_features = seen["n_features_in_"]
            names = list(seen.get("feature_names_in_", [f"x{i}" for i in range(n_features)]))
            target = encode_target(y, len(frame), self.target_type, classes, partial=partial)
        else:
            frame, seen, names = check_frame(self, X, reset=False), {}, self._feature_names()
            if partial:
                target = previous.target.encode_more(y, len(frame), by="partial_fit")
            else:
                target = encode_target(y, len(frame), self.target_type).continuing(previous.target)
        return Inputs(frame, names, target, sample_weights(sample_weight, frame)), seen

    def _feature_names(self):
        return _check_feature_names_in(self).tolist()

    def _previous(self, by):
        """What a warm start or a first ``partial_fit`` after ``fit`` continues from.

        ``by`` is who continues ("warm_start" or "partial_fit"), for messages.
        """
        names = self.categorical_features_.tolist()
        return Previous(
            by=by,
            embedded=names,
            given=tables_of_fit(names, names, self.categories_, self.embeddings_),
            numeric=self.model_.coder.numeric,
            dense=[array.copy() for array in self.coefs_ + self.intercepts_],
            target=self.model_.target,
            merge_factor=self.merge_factor_,
        )

    def _publish(self, attributes):
        """Set the fitted state at once: the end of a successful fit, partial_fit or load.

        Attributes that the new state may lack (``classes_`` for a continuous
        target, ``embedding_history_``, ``partial_fit``'s ``_stream``) go first.
        """
        for name in ("classes_", "embedding_history_", "_stream"):
            self.__dict__.pop(name, None)
        if "n_features_in_" in attributes:
            self.__dict__.pop("feature_names_in_", None)
        self.__dict__.update(attributes)

    def __getstate__(self):
        state = super().__getstate__()
        private = {name: state[name] for name in _PLAIN_STATE if name in state}
        return {**state, **to_plain(private, _STATE_CLASSES)}

    def __setstate__(self, state):
        private = {name: state[name] for name in _PLAIN_STATE if name in state}
        state = {**state, **from_plain(private, _STATE_CLASSES)}
        # A pickle of 0.3.0.dev held the model in parts: the column coder and the target.
        if "_coder" in state and "model_" not in state:
            coder, target = state.pop("_coder"), state.pop("_target")
            network = NetworkParams(state["embeddings_"], state["coefs_"], state["intercepts_"])
            state["model_"] = FittedModel(coder, target, network, state["activation"])
        # Pickled by 0.3, before cross-fitting: it encoded its training rows in sample.
        state = {**_BEFORE_CROSS_FITTING, **state}
        if "model_" in state:  # fitted before baseline_validation_score_ existed
            state.setdefault("baseline_validation_score_", None)
        super().__setstate__(state)

    def score(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The network's negated mean loss on ``(X, y)``: greater is better.

        Log loss for classes, half the squared error of the standardised target
        for a continuous one (the loss fit minimises and ``validation_scores_``
        records). What a search over the encoder's own parameters, or
        ``dask_ml.wrappers.Incremental``, compares; the network predicts from
        the shrunk tables that ``transform`` outputs.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        output = self.model_.network_output(check_frame(self, X, reset=False))
        target = self.model_.target.encode_more(y, len(output), by="score")
        weight = sample_weights(sample_weight, output)
        return -mean_loss(output, target.y, weight, self.target_type_)


_BEFORE_CROSS_FITTING = {"cross_fit": False, "cv": 5, "shuffle": True}


def _restored_model(activation, attributes, layout):
    """The fitted model of a saved encoder, from the parts of its model file."""
    coder = ColumnCoder.restore(layout, attributes)
    target = Target.restore(attributes, layout)
    network = NetworkParams(
        attributes["embeddings_"], attributes["coefs_"], attributes["intercepts_"]
    )
    return FittedModel(coder, target, network, activation)


def check_frame(estimator, X, *, reset):
    """Validate ``X`` for ``estimator`` and return it as a DataFrame whose columns keep their dtypes.

    DataFrames pass as they are (polars and pyarrow tables are converted);
    arrays go through scikit-learn's ``check_array``, for its errors on 1-D,
    3-D, sparse and empty input.

    With ``reset`` (a new fit) the estimator is not changed: the columns are
    checked on a copy, and ``(frame, seen)`` is returned, ``seen`` the
    ``n_features_in_`` and ``feature_names_in_`` to publish with the fit.
    """
    target = copy.copy(estimator) if reset else estimator
    if hasattr(X, "to_pandas") and hasattr(X, "columns"):  # polars, pyarrow
        X = X.to_pandas()
    if not isinstance(X, pd.DataFrame):
        X = check_array(X, dtype=None, ensure_all_finite=False)
        if X.dtype.kind in "US":
            X = X.astype(object)
        validate_data(target, X, reset=reset, skip_check_array=True)
        frame = pd.DataFrame(X)
        frame = frame.infer_objects() if X.dtype == object else frame
    else:
        validate_data(target, X, reset=reset, skip_check_array=True)
        if X.shape[0] == 0 or X.shape[1] == 0:
            kind = "sample(s)" if X.shape[0] == 0 else "feature(s)"
            raise ValueError(
                f"Found array with 0 {kind} (shape={X.shape}) while a minimum of 1 is required."
            )
        frame = X
    if not reset:
        return frame
    names = ("n_features_in_", "feature_names_in_")
    return frame, {name: getattr(target, name) for name in names if hasattr(target, name)}
