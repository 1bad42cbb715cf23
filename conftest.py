"""Settings shared by the whole test run (tests/ and the docstring examples)."""

import importlib.util
import pickle

import pytest

# The ONNX export needs the onnx extra: without it, --doctest-modules must not import it.
ONNX_MODULES = ["sklearn_embed/onnx.py", "sklearn_embed/_onnx_converter.py"]
collect_ignore = [] if importlib.util.find_spec("skl2onnx") else ONNX_MODULES


def pytest_collection_modifyitems(items):
    # The docstring examples train on tiny, separable toys or for a few epochs
    # on purpose: their ConvergenceWarning is expected there, and only there.
    for item in items:
        if isinstance(item, pytest.DoctestItem):
            item.add_marker(
                pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
            )
            if item.path.name in ("onnx.py", "_onnx_converter.py"):
                item.add_marker(pytest.mark.onnx)


class _Payload:
    """Unpickling this creates a file: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def pickle_payload(tmp_path):
    """A crafted "model.joblib" whose unpickling would create the returned marker file."""
    marker, model = tmp_path / "pwned", tmp_path / "model.joblib"
    model.write_bytes(pickle.dumps(_Payload(marker)))
    return model, marker
