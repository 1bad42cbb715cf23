"""Settings shared by the whole test run (tests/ and the docstring examples)."""

import pytest


def pytest_collection_modifyitems(items):
    # The docstring examples train on tiny, separable toys or for a few epochs
    # on purpose: their ConvergenceWarning is expected there, and only there.
    for item in items:
        if isinstance(item, pytest.DoctestItem):
            item.add_marker(
                pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
            )
