"""Streaming and scale-out: the command line's --chunk-rows, and dask's ParallelPostFit.

For 400k, 1M, 4M and 10M rows (synthetic Parquet files: 50,000 users, all
seen within the first 400k rows, so that the model's size is the same for
every file; 1,000 zip codes; two numeric columns; a binary target), one
process per run:

- ``sklearn-embed fit FILE --chunk-rows 100000 --max-iter 1``: rows/s of the
  pass and the process's peak RSS;
- ``sklearn-embed transform FILE --chunk-rows 100000``: rows/s and peak RSS;

then dask: ``ParallelPostFit(encoder).transform`` of the 4M-row file on a
``LocalCluster`` with one and with two worker processes (rows/s, median of 3).

    python benchmarks/bench_streaming.py            # about 10 minutes
    python benchmarks/bench_streaming.py --quick    # 400k and 1M rows, no dask

Prints Markdown tables (pasted into RESULTS.md).
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "_out" / "streaming"
CHUNK_ROWS = 100_000
PEAK = (
    "import resource, sys, time; from sklearn_embed._cli import main; start = time.perf_counter(); "
    "status = main(sys.argv[1:]); print(time.perf_counter() - start, "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr); sys.exit(status)"
)


def make_file(n_rows, path, seed=0):
    """Write the synthetic table in pieces, so that making it needs little memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.RandomState(seed)
    user_effect, zip_effect = rng.normal(size=50_000), rng.normal(size=1_000)
    writer = None
    for start in range(0, n_rows, 1_000_000):
        n = min(1_000_000, n_rows - start)
        user, zip_code = rng.randint(50_000, size=n), rng.randint(1_000, size=n)
        x1, x2 = rng.normal(size=(2, n))
        logit = user_effect[user] + zip_effect[zip_code] + x1 - 0.5 * x2
        frame = pd.DataFrame(
            {
                "user": np.char.add("u", user.astype(str)),
                "zip": np.char.add("z", zip_code.astype(str)),
                "x1": x1,
                "x2": x2,
                "clicked": (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int),
            }
        )
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def timed_run(args):
    """Seconds and peak RSS (MB) of one run of the command line tool, in its own process."""
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *map(str, args)], capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(result.stderr)
    seconds, peak = map(float, result.stderr.strip().splitlines()[-1].split())
    return seconds, peak


def bench_command_line(sizes):
    print("| rows | fit pass rows/s | fit peak RSS MB | transform rows/s | transform peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        data = OUT / f"clicks_{n}.parquet"
        if not data.exists():
            make_file(n, data)
        model = OUT / f"clicks_{n}.sk-embed"
        fit_s, fit_peak = timed_run(
            [
                "fit",
                data,
                "--target",
                "clicked",
                "--chunk-rows",
                CHUNK_ROWS,
                "--max-iter",
                1,
                "--model",
                model,
                "--random-state",
                0,
                "--quiet",
            ]
        )
        out = OUT / f"clicks_{n}_emb.parquet"
        tr_s, tr_peak = timed_run(
            [
                "transform",
                data,
                "--model",
                model,
                "--chunk-rows",
                CHUNK_ROWS,
                "--output",
                out,
                "--quiet",
            ]
        )
        out.unlink()
        print(
            f"| {n:,} | {n / fit_s:,.0f} | {fit_peak:,.0f} | {n / tr_s:,.0f} | {tr_peak:,.0f} |",
            flush=True,
        )


def bench_dask(n_rows):
    import dask.dataframe as dd
    from dask_ml.wrappers import ParallelPostFit
    from distributed import Client, LocalCluster

    from sklearn_embed import EmbeddingEncoder

    data = OUT / f"clicks_{n_rows}.parquet"
    encoder = EmbeddingEncoder.load(OUT / f"clicks_{n_rows}.sk-embed")
    print(
        f"\n| dask workers (1 thread each) | ParallelPostFit.transform rows/s, {n_rows:,} rows (median of 3) |"
    )
    print("|---:|---:|")
    for n_workers in (1, 2):
        with (
            LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            frame = dd.read_parquet(data, split_row_groups=True).drop(columns="clicked")
            times = []
            for _ in range(3):
                start = time.perf_counter()
                ParallelPostFit(encoder).transform(frame).map_blocks(
                    np.sum, drop_axis=[0, 1]
                ).compute()
                times.append(time.perf_counter() - start)
        print(f"| {n_workers} | {n_rows / statistics.median(times):,.0f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [400_000, 1_000_000] if args.quick else [400_000, 1_000_000, 4_000_000, 10_000_000]
    bench_command_line(sizes)
    if not args.quick:
        bench_dask(4_000_000)


if __name__ == "__main__":
    main()
