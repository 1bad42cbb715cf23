"""EmbeddingEncoder: the scikit-learn estimator. Parameters, validation, fit/transform.

The maths lives in ``_network``, ``_optim`` and ``_training``; column handling
in ``_columns``. This module only wires them to the estimator API.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._columns import (
    describe_unknown,
    encode_column,
    fit_vocabulary,
    numeric_values,
    resolve_categorical_mask,
)
from ._compat import (
    Interval,
    RealNotInt,
    StrOptions,
    _check_feature_names_in,
    _check_sample_weight,
    _fit_context,
)
from ._network import NetworkParams, init_params, predict_in_chunks
from ._plotting import plot_embeddings, plot_training
from ._shrinkage import auto_smooth, shrink_table, too_noisy, weighted_counts
from ._similarity import nearest_categories
from ._training import train

# Largest automatic embedding size: beyond ~50 dimensions the downstream model
# pays more in width than it gains, whatever the cardinality.
MAX_AUTO_DIM = 50


def auto_embedding_dim(n_categories):
    """Embedding size for a column with ``n_categories`` categories.

    ``round(1.6 * n ** 0.56)`` capped at 50: the rule of thumb fast.ai derived
    from many tabular problems. It grows slowly with cardinality: 2 categories
    get 2 dimensions, 10 get 6, 100 get 21, 1,000 and more get 50.

    Examples
    --------
    >>> from sklearn_embed._encoder import auto_embedding_dim
    >>> [auto_embedding_dim(n) for n in (2, 10, 100, 100_000)]
    [2, 6, 21, 50]
    """
    return int(min(MAX_AUTO_DIM, max(1, round(1.6 * n_categories**0.56))))


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
        column name, column index, or a boolean mask.

    embedding_dim : "auto", int or dict, default="auto"
        Size of each column's embedding. "auto" uses
        ``min(50, round(1.6 * n_categories ** 0.56))``; an int applies to every
        column; a dict ``{column: int}`` sets some columns and leaves the others
        on "auto".

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
        [32, 256]: about 32 updates per epoch on small tables (so early stopping
        sees progress every epoch), 256 rows per step on large ones (so the
        per-step overhead stays low).

    learning_rate_init : float, default=1e-3
        Adam's step size (the usual default, stable on standardised inputs).

    max_iter : int, default=200
        Maximum number of epochs.

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows (stratified for
        classification), stop when the validation loss stops improving, and
        restore the best epoch's weights. On by default because embeddings of
        rare categories overfit quickly.

    validation_fraction : float, default=0.1
        Fraction of rows held out for early stopping.

    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping.

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
        target. 0 keeps the trained vectors. Categories seen fewer than
        ``min(smooth_, 100)`` times get no vector of their own (they join the
        unknown row before training): shrinking alone does not stop a tree
        model from splitting on them.

    handle_unknown : {"use_unknown", "error"}, default="use_unknown"
        What ``transform`` does with categories not seen in ``fit``.
        "use_unknown" gives them the trained unknown vector (it learns from
        rare categories and from 2% of training codes replaced by it at random,
        so it sits where an "average" category would); "error" raises a
        ``ValueError`` naming the column and the first unknown values.
        Categories that were seen but rarer than ``min_frequency`` never raise.

    target_type : {"auto", "binary", "multiclass", "continuous"}, default="auto"
        Type of ``y``; "auto" uses :func:`~sklearn.utils.multiclass.type_of_target`.
        Continuous targets may have several columns; they are standardised for
        training.

    remainder : {"passthrough", "drop"}, default="passthrough"
        Keep the numeric (non-embedded) columns in the output, unchanged, or
        output the embeddings only.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split, the shuffling and the
        unknown-code replacement. An int gives bit-identical embeddings on refit.

    verbose : int, default=0
        Print the loss of every epoch when positive.

    record_embeddings : bool, default=False
        Keep a copy of every table after each epoch in ``embedding_history_``,
        to watch the vectors move during training (see
        :func:`~sklearn_embed.animate_embeddings`). Costs one table copy per epoch.

    Attributes
    ----------
    categorical_features_ : ndarray of str
        Names of the embedded columns, in input order.

    categories_ : list of ndarray
        For each embedded column, the categories with a vector of their own,
        sorted, with ``nan`` last when missing values were frequent enough.

    infrequent_categories_ : list of ndarray
        For each embedded column, the categories seen in ``fit`` but rarer than
        ``min_frequency``; they use the unknown vector.

    embeddings_ : list of ndarray of shape (len(categories_[i]) + 1, dim)
        The learned tables, float32. Row ``k`` is the vector of
        ``categories_[i][k]``; the last row is the unknown vector.

    embedding_dims_ : dict
        ``{column: dim}`` for each embedded column.

    smooth_ : dict
        ``{column: m}``, the shrinkage pseudo-count used for each column
        (``inf`` when the column showed no signal: every vector is the unknown one).

    target_type_ : str
        "binary", "multiclass" or "continuous".

    classes_ : ndarray
        Class labels (classification only).

    coefs_ : list of ndarray
        Weights of the dense layers, input to output.

    intercepts_ : list of ndarray
        Biases of the dense layers.

    n_iter_ : int
        Epochs run.

    loss_curve_ : list of float
        Mean training loss of each epoch (without the L2 penalty).

    validation_scores_ : list of float or None
        Negated validation loss of each epoch (greater is better, like the
        ``neg_log_loss`` scorer); None without early stopping.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; its weights are the ones kept.

    embedding_history_ : list of ndarray of shape (n_iter_ + 1, n_rows, dim)
        With ``record_embeddings=True``: each table at initialisation and after
        every epoch (the last epoch's, before the best weights are restored).

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
    the column mean); infinite values are refused.

    References
    ----------
    C. Guo and F. Berkhahn, "Entity Embeddings of Categorical Variables",
    arXiv:1604.06737, 2016.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_embed import EmbeddingEncoder
    >>> X = pd.DataFrame({"shop": ["a", "b", "c", "a"] * 25, "price": range(100)})
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
        "activation": [StrOptions({"relu", "tanh", "logistic", "identity"})],
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
        "handle_unknown": [StrOptions({"use_unknown", "error"})],
        "target_type": [StrOptions({"auto", "binary", "multiclass", "continuous"})],
        "remainder": [StrOptions({"passthrough", "drop"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "record_embeddings": ["boolean"],
    }

    def __init__(
        self,
        *,
        categorical_features="auto",
        embedding_dim="auto",
        hidden_layer_sizes=(64,),
        activation="relu",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        min_frequency=1,
        smooth="auto",
        handle_unknown="use_unknown",
        target_type="auto",
        remainder="passthrough",
        random_state=None,
        verbose=0,
        record_embeddings=False,
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
        self.random_state = random_state
        self.verbose = verbose
        self.record_embeddings = record_embeddings

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, callback=None):
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
            Non-negative weights of the rows in the loss.
        callback : callable, default=None
            Called after every epoch with a dict: ``epoch``, ``max_iter``,
            ``loss``, ``validation_score`` (None without early stopping) and
            ``elapsed`` seconds. The command-line tool draws its progress with it.

        Returns
        -------
        self : EmbeddingEncoder
            Fitted encoder.
        """
        frame = self._check_X(X, reset=True)
        n_samples = frame.shape[0]
        y_train, stratify = self._encode_target(y, n_samples)
        weight = _check_sample_weight(sample_weight, frame, ensure_non_negative=True)
        # Mean 1, so that the loss and the step sizes do not depend on the
        # weights' scale.
        weight = (weight * (n_samples / weight.sum())).astype(np.float32)

        names = self._column_names()
        self._categorical_mask = resolve_categorical_mask(frame, names, self.categorical_features)
        categorical = np.flatnonzero(self._categorical_mask)
        self.categorical_features_ = np.asarray([names[i] for i in categorical], dtype=object)

        codes = self._learn_vocabularies(frame, y_train, weight)
        dims = self._embedding_dims()
        self.embedding_dims_ = dict(zip(self.categorical_features_.tolist(), dims))
        x_numeric = self._numeric_block(frame)
        self._numeric_mean = _nan_or_zero(np.nanmean, x_numeric)
        self._numeric_scale = _safe_scale(_nan_or_zero(np.nanstd, x_numeric))
        x_numeric = self._standardise(x_numeric)

        rng = check_random_state(self.random_state)
        params = init_params(
            [len(c) + 1 for c in self.categories_],
            dims,
            x_numeric.shape[1],
            self._hidden_layer_sizes(),
            y_train.shape[1],
            rng,
            np.float32,
        )
        if categorical.size == 0:
            warnings.warn(
                "EmbeddingEncoder found no categorical column to embed; transform will "
                "pass X through. Name integer-coded categoricals in categorical_features.",
                UserWarning,
                stacklevel=2,
            )
        history = train(
            params,
            codes,
            x_numeric,
            y_train,
            weight,
            unknown_codes=np.array([len(c) for c in self.categories_], dtype=np.int32),
            target_type=self.target_type_,
            activation=self.activation,
            alpha=self.alpha,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate_init,
            max_iter=self.max_iter,
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            stratify=stratify,
            rng=rng,
            on_epoch=self._epoch_hook(params, callback),
        )
        self._keep_training_results(params, history, codes, y_train, weight)
        return self

    def transform(self, X):
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
            input's column order. See :meth:`get_feature_names_out`.
        """
        check_is_fitted(self)
        frame = self._check_X(X, reset=False)
        codes = self._codes(frame, check_unknown=self.handle_unknown == "error")
        names = self._column_names()
        widths = self._output_widths()
        table_of = np.cumsum(self._categorical_mask) - 1  # table of each embedded column
        # One preallocated output, each block written in place: no concatenation copy.
        out = np.empty((frame.shape[0], sum(widths)))
        starts = np.cumsum([0, *widths])
        for i, is_categorical in enumerate(self._categorical_mask):
            block = slice(starts[i], starts[i + 1])
            if is_categorical:
                k = table_of[i]
                out[:, block] = np.take(self.embeddings_[k], codes[:, k], axis=0)
            elif widths[i]:
                out[:, block] = numeric_values(frame.iloc[:, i], names[i])[:, None]
        return out

    def get_feature_names_out(self, input_features=None):
        """Output column names: ``f"{column}_emb{j}"`` for embedded columns.

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
        names = []
        for name, is_categorical, width in zip(
            input_features, self._categorical_mask, self._output_widths()
        ):
            if is_categorical:
                names.extend(f"{name}_emb{j}" for j in range(width))
            elif width:
                names.append(name)
        return np.asarray(names, dtype=object)

    def _output_widths(self):
        """Output columns of each input column: its embedding size, 1 or 0 for numbers."""
        dims = iter(self.embedding_dims_.values())
        passthrough = int(self.remainder == "passthrough")
        return [next(dims) if is_categorical else passthrough for is_categorical in self._categorical_mask]

    def get_embeddings(self, column):
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
        k = self._embedded_position(column)
        dim = self.embeddings_[k].shape[1]
        return pd.DataFrame(
            self.embeddings_[k][:-1],
            index=pd.Index(self.categories_[k], name=column),
            columns=[f"{column}_emb{j}" for j in range(dim)],
        )

    def most_similar(self, column, category, n=5, metric="cosine"):
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

    def plot_embeddings(self, column, ax=None, **kwargs):
        """Draw one column's categories in 2-D (PCA above two dimensions).

        Points are coloured by the category's mean target in the training data
        (the share of the last class for classification), sized by their count,
        and the most frequent ones are labelled. Needs matplotlib.

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

    def plot_training(self, ax=None):
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------ helpers

    def _learn_vocabularies(self, frame, y_train, weight):
        """Set ``categories_``, ``infrequent_categories_`` and ``smooth_``; return the codes."""
        names = self._column_names()
        vocabularies = [
            fit_vocabulary(frame.iloc[:, i], self.min_frequency, names[i])
            for i in np.flatnonzero(self._categorical_mask)
        ]
        self.categories_ = [categories for categories, _ in vocabularies]
        self.infrequent_categories_ = [infrequent for _, infrequent in vocabularies]
        codes = self._codes(frame, check_unknown=False)
        return self._merge_noisy_categories(codes, y_train, weight)

    def _keep_training_results(self, params, history, codes, y_train, weight):
        """Set the fitted attributes from the trained network and its history."""
        # Shrink by the rows that trained each vector: a category met only in
        # the validation split was never trained and gets the unknown vector.
        trained = history.train_idx
        self.embeddings_ = [
            shrink_table(table, weighted_counts(codes[trained, k], weight[trained], len(table)), m)
            for k, (table, m) in enumerate(zip(params.tables, self.smooth_.values()))
        ]
        self.coefs_ = params.coefs
        self.intercepts_ = params.intercepts
        self.n_iter_ = history.n_iter
        self.loss_curve_ = history.loss_curve
        self.validation_scores_ = history.validation_scores if self.early_stopping else None
        self.best_validation_score_ = history.best_validation_score
        if self.record_embeddings:
            self.embedding_history_ = [np.stack(h) for h in self.embedding_history_]

        # For the plots: each row's count, and its share of the last class (the
        # positive one when binary) or mean of the first output.
        if self.target_type_ == "continuous":
            signal = y_train[:, 0] * self._y_scale[0] + self._y_mean[0]
        else:
            signal = y_train[:, -1]
        self._category_counts = [
            weighted_counts(codes[:, k], weight, len(c) + 1) for k, c in enumerate(self.categories_)
        ]
        self._category_target_means = [
            _mean_per_row(codes[:, k], signal, weight, counts)
            for k, counts in enumerate(self._category_counts)
        ]

    def _merge_noisy_categories(self, codes, y_train, weight):
        """Set ``smooth_``; move categories with fewer rows than it to the unknown row.

        Updates ``categories_`` and ``infrequent_categories_`` and returns the
        codes in the new layout.
        """
        self.smooth_ = {}
        for k, name in enumerate(self.categorical_features_.tolist()):
            n_rows = len(self.categories_[k]) + 1
            if self.smooth == "auto":
                self.smooth_[name] = auto_smooth(codes[:, k], y_train, weight, n_rows)
            else:
                self.smooth_[name] = float(self.smooth)
            noisy = too_noisy(weighted_counts(codes[:, k], weight, n_rows)[:-1], self.smooth_[name])
            if not noisy.any():
                continue
            kept = np.flatnonzero(~noisy)
            self.infrequent_categories_[k] = np.concatenate(
                [self.infrequent_categories_[k], self.categories_[k][noisy]]
            )
            self.categories_[k] = self.categories_[k][kept]
            new_code = np.full(n_rows, len(kept), dtype=codes.dtype)  # unknown row by default
            new_code[kept] = np.arange(len(kept))
            codes[:, k] = new_code[codes[:, k]]
        return codes

    def _epoch_hook(self, params, callback):
        """The per-epoch function of the training loop: verbose, history, callback."""
        if self.record_embeddings:
            snapshots = [[table.copy()] for table in params.tables]
            self.embedding_history_ = snapshots
        elif hasattr(self, "embedding_history_"):
            del self.embedding_history_

        def on_epoch(params, record):
            if self.verbose:
                score = record["validation_score"]
                shown = "" if score is None else f", validation score = {score:.6f}"
                print(f"Epoch {record['epoch']}, loss = {record['loss']:.6f}{shown}")
            if self.record_embeddings:
                for history, table in zip(snapshots, params.tables):
                    history.append(table.copy())
            if callback is not None:
                callback(record)

        return on_epoch

    def _check_X(self, X, *, reset):
        """Validate ``X`` and return it as a DataFrame whose columns keep their dtypes."""
        if hasattr(X, "to_pandas") and hasattr(X, "columns"):  # polars, pyarrow
            X = X.to_pandas()
        if not isinstance(X, pd.DataFrame):
            # check_array gives scikit-learn's errors for 1-D, 3-D, sparse and empty input.
            X = check_array(X, dtype=None, ensure_all_finite=False)
            if X.dtype.kind in "US":
                X = X.astype(object)
            validate_data(self, X, reset=reset, skip_check_array=True)
            frame = pd.DataFrame(X)
            return frame.infer_objects() if X.dtype == object else frame
        validate_data(self, X, reset=reset, skip_check_array=True)
        if X.shape[0] == 0 or X.shape[1] == 0:
            kind = "sample(s)" if X.shape[0] == 0 else "feature(s)"
            raise ValueError(
                f"Found array with 0 {kind} (shape={X.shape}) while a minimum of 1 is required."
            )
        return X

    def _column_names(self):
        if hasattr(self, "feature_names_in_"):
            return self.feature_names_in_.tolist()
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _encode_target(self, y, n_samples):
        """Validate ``y``; set ``target_type_`` (and ``classes_``); return training targets.

        Returns
        -------
        y_train : ndarray of float32, shape (n_samples, n_outputs)
            0/1, one-hot, or standardised values.
        stratify : ndarray or None
            Class codes for a stratified validation split.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=False, input_name="y")
        if y.shape[0] != n_samples:
            raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}; they must match.")
        n_missing = int(pd.isna(y).sum()) if y.dtype.kind in "fcOUS" else 0
        if n_missing:
            raise ValueError(
                f"y contains {n_missing} missing values (NaN/None); drop those rows "
                "or impute the target before fitting."
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        target_type = self.target_type
        if target_type == "auto":
            inferred = type_of_target(y, input_name="y")
            kinds = {"binary": "binary", "multiclass": "multiclass", "continuous": "continuous",
                     "continuous-multioutput": "continuous"}  # fmt: skip
            if inferred not in kinds:
                raise ValueError(
                    f"Unknown label type {inferred!r}: y must be binary, "
                    "multiclass or continuous (several continuous outputs are allowed)."
                )
            target_type = kinds[inferred]
        self.target_type_ = target_type

        if target_type == "continuous":
            try:
                values = y.astype(np.float64).reshape(n_samples, -1)
            except (TypeError, ValueError) as error:
                raise ValueError(f"target_type='continuous' needs numeric y: {error}") from None
            if not np.isfinite(values).all():
                raise ValueError("y contains infinite values.")
            self._y_mean = values.mean(axis=0)
            self._y_scale = _safe_scale(values.std(axis=0))
            return ((values - self._y_mean) / self._y_scale).astype(np.float32), None

        if y.ndim != 1:
            raise ValueError(f"target_type={target_type!r} needs a 1-D y, got shape {y.shape}.")
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes == 1:
            raise ValueError(
                f"y contains only one class ({self.classes_[0]!r}); at least 2 classes "
                "are needed to learn embeddings from a classification target."
            )
        if target_type == "binary":
            if n_classes > 2:
                raise ValueError(
                    f"target_type='binary' but y has {n_classes} classes; use 'multiclass'."
                )
            return y_codes.astype(np.float32)[:, None], y_codes
        return np.eye(n_classes, dtype=np.float32)[y_codes], y_codes

    def _embedding_dims(self):
        names = self.categorical_features_.tolist()
        auto = [auto_embedding_dim(len(c)) for c in self.categories_]
        if self.embedding_dim == "auto":
            return auto
        if isinstance(self.embedding_dim, Integral):
            return [int(self.embedding_dim)] * len(names)
        unknown = sorted(set(self.embedding_dim) - set(names), key=str)
        if unknown:
            raise ValueError(
                f"embedding_dim names columns {unknown} that are not embedded; the "
                f"embedded columns are {names}."
            )
        dims = [self.embedding_dim.get(name, default) for name, default in zip(names, auto)]
        bad = {n: d for n, d in zip(names, dims) if not isinstance(d, Integral) or d < 1}
        if bad:
            raise ValueError(f"embedding_dim values must be positive integers, got {bad}.")
        return [int(d) for d in dims]

    def _hidden_layer_sizes(self):
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes)).ravel()
        if sizes.size and (sizes.dtype.kind not in "iu" or (sizes < 1).any()):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _codes(self, frame, *, check_unknown):
        """Codes of every embedded column, shape (n_samples, n_embedded); unknown -> last row."""
        names = self._column_names()
        columns = []
        for k, i in enumerate(np.flatnonzero(self._categorical_mask)):
            series = frame.iloc[:, i]
            codes = encode_column(series, self.categories_[k])
            unknown = codes < 0
            if check_unknown and unknown.any():
                values, n_values = describe_unknown(series, codes, self.infrequent_categories_[k])
                if n_values:
                    raise ValueError(
                        f"Found {n_values} unknown categories in column {names[i]!r} during "
                        f"transform, e.g. {values}. Use handle_unknown='use_unknown' to give "
                        "them the learned unknown vector."
                    )
            codes[unknown] = len(self.categories_[k])
            columns.append(codes)
        return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0), np.int32)

    def _numeric_block(self, frame):
        names = self._column_names()
        numeric = np.flatnonzero(~self._categorical_mask)
        columns = [numeric_values(frame.iloc[:, i], names[i]) for i in numeric]
        return np.column_stack(columns) if columns else np.empty((frame.shape[0], 0))

    def _standardise(self, x_numeric):
        """Network input of the numeric columns: standardised, missing values at the mean."""
        standardised = (x_numeric - self._numeric_mean) / self._numeric_scale
        return np.nan_to_num(standardised, nan=0.0).astype(np.float32)

    def _embedded_position(self, column):
        names = self.categorical_features_.tolist()
        if column in names:
            return names.index(column)
        raise ValueError(f"Column {column!r} is not embedded; the embedded columns are {names}.")

    def _predict_network(self, X):
        """The trained network's output for ``X``: probabilities, or targets on their scale.

        Used by the examples and tests to look at what the network learned.
        """
        check_is_fitted(self)
        frame = self._check_X(X, reset=False)
        params = NetworkParams(self.embeddings_, self.coefs_, self.intercepts_)
        output = predict_in_chunks(
            params,
            self._codes(frame, check_unknown=False),
            self._standardise(self._numeric_block(frame)),
            self.activation,
            self.target_type_,
        )
        if self.target_type_ == "continuous":
            return output * self._y_scale + self._y_mean
        return output


def _mean_per_row(codes, signal, weight, counts):
    """Mean of ``signal`` over the training rows of each table row (NaN when unseen)."""
    total = np.bincount(codes, weights=signal * weight, minlength=len(counts))
    return np.divide(total, counts, out=np.full(len(counts), np.nan), where=counts > 0)


def _nan_or_zero(statistic, x):
    """Column statistic ignoring NaN; 0 for all-missing columns, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(statistic(x, axis=0), nan=0.0)


def _safe_scale(std):
    """Standard deviations with zeros replaced by one (constant columns stay constant)."""
    return np.where(std > 0, std, 1.0)
