"""Settings shared by the whole test run (tests/ and the docstring examples)."""

import importlib.util
import os
import pickle
import tracemalloc

import pytest

# OpenMP's threads (HistGradientBoosting's, in the tests that put a booster after
# the encoder) spin while they wait for a core: on a machine whose cores are busy
# with other jobs, a test that takes 2 s alone took 100 to 300 s. One OpenMP
# thread per process keeps the suite's time in proportion to its work on a shared
# machine. It is set before scikit-learn loads OpenMP, and subprocesses (the
# examples, the demo, the documentation build) inherit it; a value the caller set
# is kept.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# scikit-learn's check_array_api_input (in the estimator checks) runs only with SciPy's
# array API support on, which SciPy reads when it is first imported; NumPy input is
# computed the same either way.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# The ONNX export needs the onnx extra: without it, --doctest-modules must not import it.
ONNX_MODULES = ["sklearn_embed/onnx.py", "sklearn_embed/_model_file/_onnx_graph.py"]
collect_ignore = [] if importlib.util.find_spec("skl2onnx") else ONNX_MODULES


def pytest_collection_modifyitems(items):
    # The docstring examples train on tiny, separable toys or for a few epochs
    # on purpose: their ConvergenceWarning is expected there, and only there.
    for item in items:
        if isinstance(item, pytest.DoctestItem):
            item.add_marker(
                pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
            )
            if item.path.name in ("onnx.py", "_onnx_graph.py"):
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


def _load_traced(path):
    """``(encoder or the ModelFileError, peak bytes load allocated)``; any other error propagates.

    tracemalloc follows NumPy's buffers, so the peak counts the arrays read.
    """
    from sklearn_embed import EmbeddingEncoder, ModelFileError

    tracemalloc.start()
    try:
        result = EmbeddingEncoder.load(path)
    except ModelFileError as error:
        result = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


@pytest.fixture
def load_traced():
    """``load_traced(path)``: load a model file, tracing the memory load allocates."""
    return _load_traced
