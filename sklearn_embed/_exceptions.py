"""The warning the encoder gives when it had to guess about the data, or the data drifted."""


class DataWarning(UserWarning):
    """Fit had to guess how to read the data, or transform met data unlike fit's.

    Raised when the target's type was inferred from ambiguous values, when a
    column looks like an identifier, and when ``transform`` finds far more
    unknown categories in a column than ``fit`` did. Each message says what was
    done and the one-line change that overrides it. Filter it like any warning::

        import warnings
        from sklearn_embed import DataWarning
        warnings.filterwarnings("ignore", category=DataWarning)
    """
