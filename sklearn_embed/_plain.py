"""Private values as plain data, and back: what skops loads without trusting a private type.

skops (``skops.io``, scikit-learn's safer file than pickle) loads only the types
its user trusts. A fitted encoder's state holds objects of the package's private
classes: the fitted model and, during ``partial_fit``, the stream. Written by
:func:`to_plain`, each such object becomes a dict naming its class::

    {"__sklearn_embed__": "_vocabulary.Vocabulary", "state": {...}}

whose state is what pickle stores of the object (its ``__getstate__``, else its
``__dict__``), down to dicts, lists, tuples, arrays, numbers and strings; pandas
indexes and frames and frozensets become plain values the same way.
:func:`from_plain` rebuilds them as pickle does (``__new__``, then
``__setstate__`` or the ``__dict__``), and only objects of the classes it is
given: a file naming another class is refused. An object met twice (a
vocabulary that two columns share, the list of tables that the network and its
optimiser share) is written once and rebuilt once, so it is shared again.
"""

import numpy as np
import pandas as pd

TAG = "__sklearn_embed__"


def class_name(cls):
    """``"_vocabulary.Vocabulary"``: the class's module in the package, and its name."""
    return f"{cls.__module__.removeprefix('sklearn_embed.')}.{cls.__qualname__}"


def to_plain(value, classes):
    """``value`` with every object of ``classes``, pandas index and frame and frozenset as plain data.

    Parameters
    ----------
    value : object
        Containers (dict, list, tuple) are walked; arrays and other values are kept as they are.
    classes : iterable of type

    Returns
    -------
    plain : object
        A new container where ``value`` is one; the objects in it are not changed.
    """
    return _Writer(classes).write(value)


def from_plain(plain, classes):
    """The value :func:`to_plain` wrote, its objects rebuilt.

    Raises
    ------
    TypeError
        If ``plain`` names a class that is not one of ``classes``.
    """
    return _Reader(classes).read(plain)


def _state_of(value):
    """What pickle stores of an object: its ``__getstate__()``, else its ``__dict__``."""
    getstate = getattr(type(value), "__getstate__", None)
    if getstate is None or getstate is getattr(object, "__getstate__", None):
        return dict(vars(value))
    return value.__getstate__()


def _index_dtype(index):
    """The name of ``index``'s dtype when ``pd.Index(values, dtype=name)`` rebuilds it, else None."""
    name = str(index.dtype)
    try:
        rebuilt = pd.Index(index.to_numpy()[:0], dtype=name)
    except (TypeError, ValueError):
        return None
    return name if rebuilt.dtype == index.dtype else None


class _Writer:
    def __init__(self, classes):
        self.classes = set(classes)
        self.memo = {}  # id -> (the value, kept so that its id stays its own; its plain form)

    def write(self, value):
        key = id(value)
        if key not in self.memo:
            self.memo[key] = (value, self._plain(value))
        return self.memo[key][1]

    def _plain(self, value):
        kind = type(value)
        if kind in (list, tuple):
            return kind(self.write(item) for item in value)
        if kind is dict:
            return {key: self.write(item) for key, item in value.items()}
        return self._object(value)

    def _object(self, value):
        kind = type(value)
        if kind in self.classes:
            return {TAG: class_name(kind), "state": self.write(_state_of(value))}
        if kind is frozenset:
            return {TAG: "frozenset", "items": [self.write(item) for item in value]}
        if isinstance(value, pd.Index) and _index_dtype(value) is not None:
            return {
                TAG: "pandas.Index",
                "values": value.to_numpy(),
                "dtype": _index_dtype(value),
                "name": value.name,
            }
        if isinstance(value, pd.DataFrame) and value.dtypes.nunique() == 1:
            return {
                TAG: "pandas.DataFrame",
                "values": value.to_numpy(),
                "index": self.write(value.index),
                "columns": self.write(value.columns),
            }
        return value


class _Reader:
    def __init__(self, classes):
        self.classes = {class_name(cls): cls for cls in classes}
        self.memo = {}  # id of a plain value -> (it, kept alive; the value rebuilt)

    def read(self, plain):
        key = id(plain)
        if key not in self.memo:
            self.memo[key] = (plain, self._rebuilt(plain))
        return self.memo[key][1]

    def _rebuilt(self, plain):
        kind = type(plain)
        if kind is dict and TAG in plain:
            return self._tagged(plain)
        if kind in (list, tuple):
            return kind(self.read(item) for item in plain)
        if kind is dict:
            return {key: self.read(item) for key, item in plain.items()}
        return plain

    def _tagged(self, plain):
        name = plain[TAG]
        if name == "frozenset":
            return frozenset(self.read(item) for item in plain["items"])
        if name == "pandas.Index":
            return pd.Index(np.asarray(plain["values"]), dtype=plain["dtype"], name=plain["name"])
        if name == "pandas.DataFrame":
            index, columns = self.read(plain["index"]), self.read(plain["columns"])
            return pd.DataFrame(plain["values"], index=index, columns=columns)
        if name not in self.classes:
            raise TypeError(f"{name!r} is not a class of a fitted encoder's state.")
        cls = self.classes[name]
        instance = cls.__new__(cls)
        state = self.read(plain["state"])
        if hasattr(instance, "__setstate__"):
            instance.__setstate__(state)
        else:
            instance.__dict__.update(state)
        return instance
