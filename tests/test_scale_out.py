"""dask (Incremental, ParallelPostFit) on a real local cluster, and Spark's mapInPandas in local mode.

Both need optional packages (``pip install -e ".[dask,spark]"``; CI installs
them) and Spark needs Java; the tests skip, saying which, when they are missing.
"""

import copy
import os
import shutil
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_embed import EmbeddingEncoder, map_in_pandas

pytestmark = [
    pytest.mark.engines,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


def _table(n=6_000, seed=0):
    rng = np.random.RandomState(seed)
    shop = rng.randint(40, size=n)
    zip_code = rng.choice([7030, 10001, 94103, 60601], n)
    price = rng.normal(size=n)
    logit = np.linspace(-2, 2, 40)[shop] + (zip_code > 50000) - 0.5 + price
    y = rng.uniform(size=n) < 1 / (1 + np.exp(-logit))
    X = pd.DataFrame(
        {"shop": np.char.add("shop", shop.astype(str)), "zip": zip_code, "price": price}
    )
    return X, pd.Series(y.astype(int), name="sold")


def _encoder():
    return EmbeddingEncoder(categorical_features=["shop", "zip"], embedding_dim=3, random_state=0)


def test_dask_incremental_and_parallel_post_fit_on_a_local_cluster():
    dd = pytest.importorskip(
        "dask.dataframe", reason="dask is not installed: pip install -e '.[dask]'"
    )
    distributed = pytest.importorskip(
        "distributed", reason="distributed is not installed: pip install -e '.[dask]'"
    )
    wrappers = pytest.importorskip(
        "dask_ml.wrappers", reason="dask-ml is not installed: pip install -e '.[dask]'"
    )
    X, y = _table()
    X_parts, y_parts = dd.from_pandas(X, npartitions=4), dd.from_pandas(y, npartitions=4)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster):
        incremental = wrappers.Incremental(_encoder(), shuffle_blocks=False)
        incremental.fit(X_parts, y_parts, classes=[0, 1])
        encoder = incremental.estimator_
        in_parallel = wrappers.ParallelPostFit(encoder).transform(X_parts).compute()
        # Every output mode transforms in parallel as in memory.
        for mode in ("vectors+prediction", "prediction"):
            moded = clone_fitted(encoder, mode)
            parts = wrappers.ParallelPostFit(moded).transform(X_parts).compute()
            np.testing.assert_array_equal(np.asarray(parts), moded.transform(X))

    # The same partial_fit calls, in this process, give the same encoder.
    local = _encoder()
    for rows in np.array_split(np.arange(len(X)), 4):
        local.partial_fit(X.iloc[rows], y.iloc[rows], classes=[0, 1])
    assert encoder.n_iter_ == local.n_iter_ == 4
    for theirs, ours in zip(encoder.embeddings_, local.embeddings_):
        np.testing.assert_array_equal(theirs, ours)
    np.testing.assert_array_equal(np.asarray(in_parallel), encoder.transform(X))


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]'")
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip(
            "Spark needs Java (none on PATH, no JAVA_HOME): install a JDK, e.g. "
            "sudo apt-get install default-jre, or brew install openjdk"
        )
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("sklearn-embed-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_map_in_pandas_gives_the_in_memory_transform(spark):
    X, y = _table()
    X = X.assign(shop=X["shop"].astype("category"))  # fit on a categorical; Spark hands strings
    encoder = _encoder().fit(X, y)
    rows = X.assign(id=np.arange(len(X)), shop=X["shop"].astype(str)).astype({"zip": "float64"})
    rows.loc[::50, "zip"] = np.nan  # a nullable integer column: Spark's batches hold floats
    frame = spark.createDataFrame(rows).repartition(3)
    function, schema = map_in_pandas(encoder, keep={"id": "bigint"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = frame.mapInPandas(function, schema).toPandas().sort_values("id")

    expected = encoder.transform(X.assign(zip=rows["zip"]))
    assert out.columns.tolist() == ["id", *encoder.get_feature_names_out()]
    np.testing.assert_allclose(out.drop(columns="id").to_numpy(), expected)
    for mode in ("vectors+prediction", "prediction"):
        moded = clone_fitted(encoder, mode)
        function, schema = map_in_pandas(moded, keep={"id": "bigint"})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = frame.mapInPandas(function, schema).toPandas().sort_values("id")
        assert out.columns.tolist() == ["id", *moded.get_feature_names_out()]
        expected = moded.transform(X.assign(zip=rows["zip"]))
        np.testing.assert_allclose(out.drop(columns="id").to_numpy(), expected, rtol=1e-6)


def clone_fitted(encoder, output):
    """A copy of a fitted encoder with another output mode (one network serves every mode)."""
    return copy.deepcopy(encoder).set_params(output=output)


def test_item14_map_in_pandas_escapes_backticks_in_its_ddl_schema():
    X = pd.DataFrame({"shop": ["a", "b", "c"] * 20, "odd`name": np.arange(60.0)})
    encoder = EmbeddingEncoder(embedding_dim=1, max_iter=1, random_state=0).fit(X, [0, 1, 1] * 20)
    _, schema = map_in_pandas(encoder, keep={"id`": "bigint"})
    assert schema == "`id``` bigint, `shop_emb0` double, `odd``name` double"
