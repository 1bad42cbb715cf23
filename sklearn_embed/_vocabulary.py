"""One categorical column's vocabulary: which value sits on which row of its table.

Row layout of a table with ``K = len(vocabulary.categories)``::

    0 .. K-1   the categories kept at fit time, sorted, missing (NaN) last if seen
    K          the reserved "unknown" row: categories unseen at fit time,
               categories rarer than ``min_frequency``, and those too noisy for
               the column's ``smooth`` (``_shrinkage``) share it

so a table has ``K + 1`` rows and its last row is the unknown vector. A
vocabulary is a plain object of arrays, so several columns can share one, and
new categories can be given rows before the unknown row without moving the
others (lookups go through a hash index, not through sorted order).
"""

import numbers

import numpy as np
import pandas as pd
from pandas.api.types import (
    CategoricalDtype,
    infer_dtype,
    is_bool_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_string_dtype,
)

# float64 holds every integer of magnitude below 2**53 exactly, and beyond it
# only every second, fourth, ... one: a float beyond it cannot be told from its
# integer neighbours, nor an integer beyond it from a float neighbour.
EXACT_INTEGERS = 2**53

# infer_dtype's verdicts for object columns that cannot be one kind of category:
# strings mixed with numbers or booleans (pd.factorize would merge 1, 1.0 and
# True), lists or dicts (unhashable), complex numbers.
_REFUSED_KINDS = {"mixed", "mixed-integer", "complex"}


class Vocabulary:
    """The categories of one column and the ones sharing the unknown row.

    Parameters
    ----------
    categories : ndarray of object
        Values with a row of their own, in row order; ``np.nan`` last stands
        for every missing marker (None, NaN, pd.NA, NaT).
    infrequent : ndarray of object
        Values seen at fit time that use the unknown row.
    """

    def __init__(self, categories, infrequent):
        self.categories = categories
        self.infrequent = infrequent
        self._cache = {}  # hash indexes of the categories, built on first use

    def __getstate__(self):
        # Pickles hold the arrays only; the indexes are rebuilt when needed.
        return {"categories": self.categories, "infrequent": self.infrequent}

    def __setstate__(self, state):
        self.__init__(state["categories"], state["infrequent"])

    @classmethod
    def fit(cls, series, min_frequency, name):
        """Learn the vocabulary of one training column.

        Parameters
        ----------
        series : pandas.Series
            The training values.
        min_frequency : int or float
            Categories seen fewer than ``min_frequency`` times (or, as a float in
            (0, 1), in less than that fraction of the rows) share the unknown row.
        name : str
            Column name used in error messages.

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_embed._vocabulary import Vocabulary
        >>> vocabulary = Vocabulary.fit(pd.Series(["b", "a", None, "b", "c"]), 1, "x")
        >>> vocabulary.categories.tolist(), vocabulary.n_rows
        (['a', 'b', 'c', nan], 5)
        """
        check_uniform_types(series, name)
        missing = series.isna().to_numpy()
        # value_counts keeps the unused categories of a Categorical with a zero
        # count, which we filter: an unused category would get a vector that no
        # gradient ever reaches.
        counts = series[~missing].value_counts(sort=False)
        counts = counts[counts.to_numpy() > 0]
        values = as_object_array(counts.index)
        frequencies = counts.to_numpy()
        if infer_dtype(values, skipna=True) == "mixed-integer-float":
            values = _floats_of_mixed(values, name)

        threshold = count_threshold(min_frequency, len(series))
        order = np.argsort(values, kind="stable")
        values, frequencies = values[order], frequencies[order]
        kept = frequencies >= threshold
        categories, infrequent = values[kept], values[~kept]

        n_missing = int(missing.sum())
        if n_missing >= threshold and n_missing > 0:
            categories = np.append(categories, np.nan).astype(object)
        elif n_missing > 0:
            infrequent = np.append(infrequent, np.nan).astype(object)
        return cls(categories, infrequent)

    @property
    def n_rows(self):
        """Rows of the table: one per category, then the unknown row."""
        return len(self.categories) + 1

    @property
    def unknown_row(self):
        return len(self.categories)

    def encode(self, series):
        """Table rows of ``series``; -1 marks values without a row of their own.

        Vectorised through pandas' hash tables; categorical columns are looked
        up through their (small) category list instead of their values.
        Booleans never match numbers (pandas would find True at 1). A number
        matches a category of the other number type (the float 7030.0 the
        integer 7030) only when it is that number exactly and below 2**53 in
        magnitude (:meth:`imprecise`): beyond, a float cannot be told from its
        integer neighbours. Values of the other kind than the categories,
        numbers against strings, get a second look-up by numeric value (see
        :func:`_rows_by_number`).

        Returns
        -------
        codes : ndarray of int32, shape (n_samples,)
        """
        if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
            codes, kind = self._number_rows(series), "number"
        else:
            # Strings, booleans, categoricals: code the column's distinct values
            # (pyarrow's dictionary encoding for pandas 3 strings, the codes for a
            # Categorical), then look up only those few values.
            if isinstance(series.dtype, CategoricalDtype):
                value_codes, values = series.cat.codes.to_numpy(), series.cat.categories
            else:
                value_codes, values = pd.factorize(series, use_na_sentinel=True)
            values = as_object_array(values)
            lookup, kind = self._index("object").get_indexer(values), value_kind(values)
            if kind == "number" and len(lookup):
                lookup[self._imprecise(values)] = -1
            codes = np.where(value_codes >= 0, lookup[value_codes], -1) if len(lookup) else -1
            codes = np.broadcast_to(codes, len(series))
        codes = codes.astype(np.int32)
        missing = series.isna().to_numpy()
        if (kind == "bool") != (self._kind() == "bool"):
            codes[:] = -1
        elif {kind, self._kind()} == {"number", "string"}:
            unknown = (codes < 0) & ~missing
            if unknown.any():
                codes[unknown] = self._rows_by_number(series[unknown])
        codes[missing] = len(self.categories) - 1 if self.has_missing_row else -1
        return codes

    def _number_rows(self, series):
        """Rows of a column of numbers, matched exactly: :meth:`encode` for numeric dtypes.

        Numbers hash fast in their own dtype, and pandas matches integers of any
        size against integers exactly; but a float looked up among integer
        categories (or an integer among float ones) would be compared as the
        nearest float, so that the float 2**53 finds the category 2**53 + 1.
        Such values go through int64 (float64) only when that holds them exactly.
        """
        index, number_type = self._index("typed"), self.number_type
        series_type = {"f": "float", "i": "int", "u": "int"}.get(series.dtype.kind)
        if number_type is None or series_type in (None, number_type):
            return index.get_indexer(series)
        floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        exact = (np.abs(floats) < EXACT_INTEGERS) & (floats == np.floor(floats))
        codes = np.full(len(series), -1, dtype=np.intp)
        if exact.any():
            as_type = np.int64 if number_type == "int" else np.float64
            codes[exact] = index.get_indexer(floats[exact].astype(as_type))
        return codes

    @property
    def number_type(self):
        """ "int" or "float" when the values seen at fit are numbers of one type, else None."""
        if "number_type" not in self._cache:
            seen = pd.Series(np.concatenate([self._known(), self.infrequent]), dtype=object)
            inferred = infer_dtype(seen.dropna(), skipna=True)
            self._cache["number_type"] = {"integer": "int", "floating": "float"}.get(inferred)
        return self._cache["number_type"]

    def _imprecise(self, values):
        """Which of ``values`` are numbers that cannot be matched exactly to this column's.

        Floats of magnitude 2**53 or more where the column holds integers, and
        integers of that size where it holds floats (see :meth:`encode`).

        Parameters
        ----------
        values : ndarray of object

        Returns
        -------
        mask : ndarray of bool
        """
        other = {"int": float, "float": numbers.Integral}.get(self.number_type)
        if other is None:
            return np.zeros(len(values), dtype=bool)
        return np.array(
            [
                isinstance(value, other)
                and not isinstance(value, (bool, np.bool_))
                and not abs(value) < EXACT_INTEGERS  # NaN is missing, not imprecise
                and not is_missing(value)
                for value in values
            ],
            dtype=bool,
        )

    def imprecise(self, series):
        """The values of ``series`` that no category can match exactly, for messages.

        Floats beyond 2**53 in a column of integer categories (an id column
        read back as float64, as a bigint column with nulls arrives from a CSV
        or from Spark), or the reverse: they get the unknown row, whatever
        their nearest category.

        Returns
        -------
        mask : ndarray of bool, shape (n_samples,)
        """
        number_type = self.number_type
        series_type = {"f": "float", "i": "int", "u": "int"}.get(series.dtype.kind)
        if number_type is None or series_type == number_type:
            return np.zeros(len(series), dtype=bool)
        if series_type is not None:
            return np.abs(series.to_numpy(dtype=np.float64, na_value=np.nan)) >= EXACT_INTEGERS
        value_codes, values = pd.factorize(series, use_na_sentinel=True)
        if series.dtype != object or not len(values):
            return np.zeros(len(series), dtype=bool)
        imprecise = self._imprecise(as_object_array(values))
        return (value_codes >= 0) & imprecise[value_codes]

    @property
    def has_missing_row(self):
        """Whether missing values have a row of their own (the last category)."""
        return len(self.categories) > 0 and is_missing(self.categories[-1])

    def _known(self):
        return self.categories[:-1] if self.has_missing_row else self.categories

    def _kind(self):
        if "kind" not in self._cache:
            self._cache["kind"] = value_kind(self._known())
        return self._cache["kind"]

    def other_kind(self, series, codes):
        """The values without a row that are of another kind than the column's, and their kind.

        ``codes`` are ``encode(series)``, or -1 where a row is to be judged. The
        strings "True" and "False" in a column fitted on booleans, say: they
        can only be the column read another way.

        Returns
        -------
        values : ndarray of object
            The distinct values, empty when they are of the column's kind.
        kind, new_kind : str
            The column's kind and theirs (see :func:`value_kind`).
        """
        if "seen" not in self._cache:
            seen = self._known() if len(self._known()) else self.infrequent
            self._cache["seen"] = value_kind(pd.Series(seen, dtype=object).dropna())
        kind = self._cache["seen"]
        if _dtype_kind(series.dtype) == kind:  # the dtype tells, without a look at each value
            return np.empty(0, dtype=object), kind, kind
        values = pd.unique(as_object_array(series[codes < 0].dropna()))
        new_kind = value_kind(values)
        if not len(values) or "other" in (kind, new_kind) or new_kind == kind:
            values = values[:0]
        return values, kind, new_kind

    def check_same_kind(self, series, codes, name):
        """Refuse values without a row that are of another kind than the column's (``partial_fit``).

        ``codes`` are ``encode(series)``. A chunk whose string column arrives as
        integers (or the reverse) would otherwise train every such row on the
        unknown vector, and store values of two kinds.
        """
        values, kind, new_kind = self.other_kind(series, codes)
        if len(values):
            raise TypeError(
                f"Column {name!r} holds {new_kind}s in this chunk (e.g. "
                f"{as_python(values[:3].tolist())}), but {kind}s when partial_fit started. "
                f"Read it as the first chunk was, e.g. X[{name!r}] = X[{name!r}].astype(str)."
            )
        imprecise = self.imprecise(series)
        if imprecise.any():
            raise TypeError(
                f"Column {name!r}: {precision_problem(series[imprecise], self.number_type)} "
                "They would become categories of their own. Read the column as the first "
                "chunk was (a nullable integer column with missing values: dtype 'Int64')."
            )
        unmatched = pd.unique(as_object_array(series[codes < 0]))
        fractions = unmatched[self.in_number_type(unmatched)[1]]
        if len(fractions):
            raise TypeError(
                f"Column {name!r} holds fractions in this chunk (e.g. "
                f"{as_python(fractions[:3].tolist())}), but whole numbers when partial_fit "
                "started: its categories are integers. Read it as the first chunk was."
            )

    def _index(self, form):
        """The hash index of the kept categories, built once: "typed" or "object"."""
        if form not in self._cache:
            known = self._known()
            self._cache[form] = (
                _typed_index(known) if form == "typed" else pd.Index(known, dtype=object)
            )
        return self._cache[form]

    def _rows_by_number(self, values):
        """Rows of ``values`` matched to the categories by numeric value; -1 where none.

        A second look-up for values written in another kind than at fit: the zip
        code "10001" read back as the integer 10001 or the float 10001.0, "07030"
        as 7030, and the reverse. Only whole numbers below 2**53 (exact in
        float64) and strings of digits take part. A number that two values seen
        at fit share ("7030" and "07030"), or that a value too rare for a row of
        its own has, matches nothing.
        """
        if "numbers" not in self._cache:
            seen = np.concatenate([self._known(), self.infrequent]).astype(object)
            numbers = pd.Series(_as_numbers(seen))
            rows = np.r_[np.arange(len(self._known())), np.full(len(self.infrequent), -1)]
            usable = numbers.notna().to_numpy() & ~numbers.duplicated(keep=False).to_numpy()
            self._cache["numbers"] = (pd.Index(numbers[usable]), rows[usable])
        index, rows = self._cache["numbers"]
        distinct_codes, distinct = pd.factorize(values)
        found = index.get_indexer(_as_numbers(distinct))
        matched = np.full(len(found), -1, dtype=np.int32)
        matched[found >= 0] = rows[found[found >= 0]]
        return matched[distinct_codes]

    def infrequent_mask(self, series):
        """Which values of ``series`` fit saw without giving them a row (``infrequent``)."""
        if not len(self.infrequent):
            return np.zeros(len(series), dtype=bool)
        return _isin_with_missing(series, self.infrequent)

    def unseen_values(self, series, codes, max_values=5):
        """The first distinct values of ``series`` never seen at fit time, and how many."""
        unseen = series[codes < 0]
        if len(self.infrequent):
            unseen = unseen[~_isin_with_missing(unseen, self.infrequent)]
        values = pd.unique(as_object_array(unseen))
        return values[:max_values].tolist(), len(values)

    def including(self, values, name):
        """This vocabulary with a row for each of ``values``: the categories of a given table.

        A value that matches a category (by the look-up ``encode`` uses, so the
        string "07030" meets the integer 7030) keeps that category's row; the
        others become categories too, and leave ``infrequent``. Rows move (the
        categories are sorted again): codes made before do not apply to it.

        New numbers take the column's number type (:meth:`in_number_type`), so
        that its values stay of one type.
        """
        values = as_object_array(values)
        new = values[self.encode(pd.Series(values, dtype=object)) < 0]
        missing = np.array([is_missing(value) for value in new], dtype=bool)
        present, known = self.in_number_type(new[~missing])[0], self._known()
        infrequent = self.infrequent[~_isin_with_missing(pd.Series(self.infrequent), new)]
        categories = np.sort(np.concatenate([known, present]).astype(object), kind="stable")
        if self.has_missing_row or missing.any():
            categories = np.append(categories, np.nan).astype(object)
        return Vocabulary(categories, infrequent)

    def with_given(self, values, name, source, frozen=False, continued=False):  # noqa: PLR0913
        """This vocabulary with a row for each of the given table's categories ``values`` (an Index).

        Refuses values of several kinds, repeated values, and values that find
        one row ("7030" and "07030" for an integer column: one vector would
        silently overwrite the other). ``frozen``: the other categories join
        the unknown row, the one row of a frozen table that trains. ``source``
        names the table for messages; ``continued``: it is the categories of
        the fit that this one continues (a warm start, ``partial_fit``), so a
        value of another kind means that the column is read another way now.

        Returns
        -------
        vocabulary : Vocabulary
        """
        types = mixed_types(as_object_array(values))
        if types:
            examples = as_python(list(values[:3]))
            raise TypeError(
                f"{source}[{name!r}] mixes category types {types} in its index (e.g. {examples}); "
                "they must be of the column's one kind: strings, numbers or booleans."
            )
        repeated = values[values.duplicated()].unique()
        if len(repeated):
            raise ValueError(
                f"{source}[{name!r}] repeats categories {repeated[:5].tolist()} in its index."
            )
        given = as_object_array(values)
        # Values that find a category ("07030" for 7030) are of the column's kind as they are.
        unmatched = given[self.encode(pd.Series(given, dtype=object)) < 0]
        self._check_given_kind(unmatched, name, source, continued)
        vocabulary = self.including(values, name)
        rows = vocabulary.encode(pd.Series(values, dtype=object))
        repeated = pd.Series(rows).duplicated(keep=False).to_numpy() & (rows >= 0)
        if repeated.any():
            row = rows[repeated][0]
            same = np.asarray(values, dtype=object)[repeated & (rows == row)].tolist()
            raise ValueError(
                f"{source}[{name!r}] gives the categories {as_python(same)}, which are one "
                f"category of the column ({as_python(vocabulary.categories[row])!r}): keep one "
                "of them in its index."
            )
        if frozen:
            given = np.zeros(len(vocabulary.categories), dtype=bool)
            given[rows] = True
            vocabulary = vocabulary.merged(~given)[0]
        return vocabulary

    def _check_given_kind(self, values, name, source, continued):
        """Refuse given categories without a row that cannot be values of this column (``with_given``)."""
        present = values[~np.array([is_missing(value) for value in values], dtype=bool)]
        seen = np.concatenate([self._known(), self.infrequent])
        seen = seen[~np.array([is_missing(value) for value in seen], dtype=bool)]
        if not len(present) or not len(seen):
            return
        kind = value_kind(seen)
        if value_kind(present) != kind and continued:
            raise TypeError(
                f"Column {name!r} holds {kind}s now (e.g. {as_python(seen[:3].tolist())}), but "
                f"{value_kind(present)}s at {source} (e.g. {as_python(present[:3].tolist())}): "
                f"read it as that fit did, as {value_kind(present)}s."
            )
        if value_kind(present) != kind:
            raise TypeError(
                f"{source}[{name!r}] has categories of another type than the column's {kind}s, "
                f"e.g. {as_python(present[:3].tolist())}; convert its index to the column's type."
            )
        inexact = self.in_number_type(present)[1]
        if inexact.any():
            theirs = {"int": "integers", "float": "floats"}[self.number_type]
            raise TypeError(
                f"{source}[{name!r}] has categories {as_python(present[inexact][:3].tolist())} "
                f"that are not {theirs}, as the column's values are (or lie beyond 2**53, where "
                "float64 cannot hold integers exactly); convert its index to the column's type."
            )

    def in_number_type(self, values):
        """``values`` with the numbers of the other type than the column's written in its type.

        The int 0 joins a column of floats as 0.0, the float 7.0 a column of
        integers as 7: a column's values stay of one type (a model file stores
        one, and ``categories_`` shows it). Fractions among integers, and
        either type beyond 2**53 in magnitude, cannot be written so exactly:
        they are left as they are, and flagged.

        Returns
        -------
        values : ndarray of object
        inexact : ndarray of bool
            The values that could not be written in the column's type.
        """
        return _in_number_type(as_object_array(values), self.number_type)

    def with_infrequent(self, values):
        """This vocabulary with ``values``, seen without a row of their own, among the infrequent ones."""
        values = self.in_number_type(values)[0]
        new = values[~_isin_with_missing(pd.Series(values, dtype=object), self.infrequent)]
        if not len(new):
            return self
        grown = Vocabulary(self.categories, np.concatenate([self.infrequent, new]).astype(object))
        # The rows did not change: the indexes of the categories still hold.
        grown._cache = {
            form: self._cache[form] for form in ("typed", "object") if form in self._cache
        }
        return grown

    def merged(self, merged):
        """This vocabulary with the categories flagged in ``merged`` moved to the unknown row.

        Parameters
        ----------
        merged : ndarray of bool, shape (len(categories),)

        Returns
        -------
        vocabulary : Vocabulary
        new_rows : ndarray of int, shape (n_rows,)
            The new row of every old row (old codes ``c`` become ``new_rows[c]``).
        """
        kept = np.flatnonzero(~merged)
        new_rows = np.full(self.n_rows, len(kept))  # the unknown row by default
        new_rows[kept] = np.arange(len(kept))
        infrequent = np.concatenate([self.infrequent, self.categories[merged]])
        return Vocabulary(self.categories[kept], infrequent), new_rows


_INFERRED = {"int": "integer", "float": "floating"}


def _in_number_type(values, number_type):
    """``values`` (object array) with numbers of the other type written as ``number_type``.

    See :meth:`Vocabulary.in_number_type`; returns ``(values, inexact)``.
    """
    out, inexact = values.copy(), np.zeros(len(values), dtype=bool)
    if (
        number_type is None
        or pd.api.types.infer_dtype(values, skipna=True) == _INFERRED[number_type]
    ):
        return out, inexact  # all of the column's type already (or missing): the usual case
    for i, value in enumerate(values):
        if isinstance(value, (bool, np.bool_)) or is_missing(value):
            continue
        if number_type == "float" and isinstance(value, numbers.Integral):
            exact = abs(value) < EXACT_INTEGERS
            out[i] = float(value) if exact else value
        elif number_type == "int" and isinstance(value, (float, np.floating)):
            exact = float(value).is_integer() and abs(value) < EXACT_INTEGERS
            out[i] = int(value) if exact else value
        else:
            continue
        inexact[i] = not exact
    return out, inexact


def _floats_of_mixed(values, name):
    """The values of a column that mixes integers and floats, as floats (``Vocabulary.fit``).

    ``pd.factorize`` already merged 1 and 1.0; integers beyond 2**53 have no
    exact float, and are refused.
    """
    floats, inexact = _in_number_type(values, "float")
    if inexact.any():
        raise TypeError(
            f"Column {name!r} mixes integers and floats, and its integers "
            f"{as_python(values[inexact][:3].tolist())} lie beyond 2**53, where float64 cannot "
            f"hold them: read the column as integers or as text, e.g. "
            f"X[{name!r}] = X[{name!r}].astype(str)."
        )
    return floats


def precision_problem(values, number_type):
    """What is wrong with numbers that :meth:`Vocabulary.imprecise` found, in words.

    ``values`` are those numbers (a Series), ``number_type`` the type of the
    column's categories ("int" or "float").
    """
    example = as_python(values.iloc[0])
    spacing = 2.0 ** (np.floor(np.log2(abs(float(example)))) - 52)
    held, theirs = ("floats", "integers") if number_type == "int" else ("integers", "floats")
    return (
        f"{len(values):,} values are {held} beyond 2**53 (such as {example!r}), where the "
        f"column's categories are {theirs}. float64 holds integers of that size only to "
        f"the nearest {spacing:,.0f}: such a value cannot be told from its neighbours."
    )


def check_uniform_types(series, name):
    """Raise ``TypeError`` unless a column's values can be categories of one kind.

    Strings, numbers or booleans, not a mix: ``pd.factorize`` would merge 1,
    1.0 and True into one category. Lists, dicts and complex numbers are
    refused too. Every missing marker (None, NaN, pd.NA, NaT) is a missing value.
    """
    if series.dtype.kind == "c":
        raise TypeError(
            f"Column {name!r} holds complex numbers (e.g. {series.iloc[0]}); categories "
            "must be strings, real numbers or booleans."
        )
    if not is_object_dtype(series.dtype):
        return
    present = series.dropna()
    types = mixed_types(present)
    if not types:
        return
    examples = [repr(value) for value in present.iloc[:1000].astype(str).unique()[:3]]
    if set(types) == {"complex"} or not set(types) & {"str", "int", "float", "bool"}:
        raise TypeError(
            f"Column {name!r} holds values of type {types} (e.g. {', '.join(examples)}), "
            "which cannot be categories: they must be strings, real numbers or booleans. "
            f"Convert them first, e.g. X[{name!r}] = X[{name!r}].astype(str)."
        )
    raise TypeError(
        f"Column {name!r} mixes value types {types} (e.g. {', '.join(examples)}); a "
        f"categorical column must hold only strings, only numbers or only booleans. "
        f"Convert it first, e.g. X[{name!r}] = X[{name!r}].astype(str)."
    )


def _dtype_kind(dtype):
    """What every value of a column of ``dtype`` is ("bool", "number", "string"), or None."""
    if isinstance(dtype, CategoricalDtype) or is_object_dtype(dtype):
        return None
    if is_bool_dtype(dtype):
        return "bool"
    if is_numeric_dtype(dtype):
        return "number"
    return "string" if is_string_dtype(dtype) else None


def mixed_types(values):
    """The types of ``values`` when they cannot be categories of one kind, else an empty list.

    Strings mixed with numbers or booleans (``pd.factorize`` would merge 1,
    1.0 and True), complex numbers; missing values are skipped.
    """
    if infer_dtype(values, skipna=True) not in _REFUSED_KINDS:
        return []
    return sorted({type(value).__name__ for value in values if not is_missing(value)})


def value_kind(values):
    """ "bool", "number", "string" or "other": what an array of values holds.

    One reading of pandas' ``infer_dtype`` for the whole package (missing
    values skipped): "other" is a mix of kinds, or values that are none of these.
    """
    inferred = infer_dtype(values, skipna=True)
    if inferred == "boolean":
        return "bool"
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return "number"
    return "string" if inferred in ("string", "bytes") else "other"


def _as_numbers(values):
    """Whole numbers below 2**53, and strings of digits, as float64; NaN for the rest.

    Below 2**53 float64 holds whole numbers exactly: two 20-digit ids differ as
    strings but not as floats. Strings must be plain digits ("07030", "-12"):
    "1e3", "1.0" or " 12 " may be other codes that only parse as the same number.
    """
    values = pd.Series(as_object_array(values), dtype=object)
    kind = value_kind(values)
    if kind == "string":
        values = values.where(values.str.fullmatch(r"-?\d+").fillna(False).astype(bool))
    elif kind != "number":
        return np.full(len(values), np.nan)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    exact = (np.abs(numbers) < EXACT_INTEGERS) & (numbers == np.round(numbers))
    return np.where(exact, numbers, np.nan)


def _isin_with_missing(series, values):
    has_missing = any(is_missing(value) for value in values)
    # As objects: a pyarrow string column cannot even compare itself with an int beyond 2**63.
    present = series.astype(object).isin([value for value in values if not is_missing(value)])
    return present.to_numpy() | (series.isna().to_numpy() & has_missing)


def _typed_index(values):
    if len(values) == 0:
        return pd.Index([], dtype=object)
    index = pd.Index(list(values))
    return index if index.dtype != object else pd.Index(values, dtype=object)


def count_threshold(min_frequency, n_samples):
    if isinstance(min_frequency, numbers.Integral):
        return int(min_frequency)
    return float(min_frequency) * n_samples


def as_object_array(values):
    # One representation for every dtype: pd.NA and NaN become np.nan, and
    # numpy scalars of bool columns stay bools.
    return np.asarray(pd.Series(values, copy=False).astype(object).to_numpy(na_value=np.nan))


def is_missing(value):
    """Whether one value is a missing marker (None, pd.NA, NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def as_python(value):
    """NumPy scalars (also inside a list) as the Python values they hold: for JSON and messages."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [as_python(v) for v in value]
    return value
