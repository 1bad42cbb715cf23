"""Settings of every pytest session of this repository.

OpenMP's threads (HistGradientBoosting's, in the tests that put a booster after
the encoder) spin while they wait for a core: on a machine whose cores are busy
with other jobs, a test that takes 2 s alone took 100 to 300 s. One OpenMP
thread per process keeps the suite's time in proportion to its work on a shared
machine. It is set before scikit-learn loads OpenMP, and subprocesses (the
examples, the demo, the documentation build) inherit it; a value the caller set
is kept.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
