"""Trust checks: inputs on which EmbeddingEncoder could quietly mislead.

The scenarios of the "can I trust it" issue. Every setting runs in a fresh
process, so the peak RSS shown is its own and a crash or an out-of-memory kill
stays in its row:

1. whole_number_target: NYC flights delay in whole minutes. Does target_type
   "auto" read it as hundreds of classes, and what does that cost against
   "continuous" (fit time, memory, CV R² of Embedding + Ridge)?
2. id_memorisation: a unique-id column and a pure-noise target. Training AUC of
   a booster on the embeddings (memorisation) against cross-validated AUC.
3. outliers: a few huge x values, all-huge x, a target scaled by 1e160 / 1e-300.
4. dtype_drift: zip codes fitted as strings, transformed as int64.
5. many_classes_memory: 1,000 string classes on 200,000 rows, two epochs.
6. outlier_share: 21 values of 1e12 among 20,000 (or 2 among 2,000), just above
   the 0.1% quantile: the clip bounds and the network's holdout AUC (issue 21, item 10).
7. prediction_memory: transform of those rows with output="vectors+prediction"
   (1,000 log-probability columns): the traced peak of transform against the
   size of its output (issue 21, item 15).

    python benchmarks/bench_trust.py                          # everything
    python benchmarks/bench_trust.py --quick                  # smaller sizes
    python benchmarks/bench_trust.py --scenarios outliers dtype_drift

Prints a Markdown table and writes benchmarks/_out/trust.json. A crash inside
the library is caught per setting and shown in the table, not worked around.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import traceback
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent
OUT = HERE / "_out"
sys.path.insert(0, str(HERE))
import datasets  # noqa: E402

from sklearn_embed import EmbeddingEncoder  # noqa: E402

CV_BUDGET = 180  # seconds: "a few minutes" for the multiclass CV of scenario 1
TIMEOUT = 3600  # seconds per setting; a hang is a finding too


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quiet(func, *args, **kwargs):
    """Call with warnings silenced: the scenarios measure outcomes, not messages."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def timed_fit(encoder, X, y, out):
    start = time.perf_counter()
    quiet(encoder.fit, X, y)
    out["fit_s"] = time.perf_counter() - start
    return encoder


# --------------------------------------------------------------- scenarios


def whole_number_target(setting, args, out):
    """Integral float delays: "auto" may see ~500 classes where a quantity was meant."""
    rows = args.rows or (30_000 if args.quick else None)
    ds = datasets.rng_subsample(datasets.load("flights"), rows)
    params = {"categorical_features": ds.categorical, "random_state": 0}
    if setting == "continuous":
        params["target_type"] = "continuous"
    out["rows"] = len(ds.y)
    enc = timed_fit(EmbeddingEncoder(**params), ds.X, ds.y, out)
    classes = getattr(enc, "classes_", None)
    out["target_type_"] = enc.target_type_
    out["n_classes"] = None if classes is None else len(classes)
    out["n_iter_"] = enc.n_iter_
    # Three folds each train on 2/3 of the rows: about two full fits.
    if enc.target_type_ == "multiclass" and 2 * out["fit_s"] > CV_BUDGET:
        out["cv_r2"] = "skipped: multiclass"
        return
    model = make_pipeline(EmbeddingEncoder(**params), SimpleImputer(), StandardScaler(), Ridge())
    cv = KFold(3, shuffle=True, random_state=0)
    start = time.perf_counter()
    out["cv_r2"] = quiet(cross_val_score, model, ds.X, ds.y, cv=cv, scoring="r2").mean()
    out["cv_s"] = time.perf_counter() - start


def id_memorisation(setting, args, out):
    """A unique id can carry each row's own label into the downstream model.

    Noise target: anything above 0.5 in the training AUC of a booster fitted on
    the encoder's own training rows is memorisation, the CV AUC is the truth.
    """
    n = 4000
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, size=n)
    small = rng.choice(list("abcde"), size=n)
    ids = np.arange(n)
    if setting == "10% ids repeated":
        rows = np.random.RandomState(1).choice(n, 400, replace=False)
        ids[rows[200:]] = ids[rows[:200]]  # 400 rows (10%) share their id with one other row
    X = pd.DataFrame({"id": [f"id{i}" for i in ids], "small": small})
    enc = timed_fit(EmbeddingEncoder(random_state=0), X, y, out)
    column = list(enc.categorical_features_).index("id")
    out["distinct_ids"] = len(set(ids))
    out["id_vectors"] = len(enc.categories_[column])
    out["smooth_id"] = enc.smooth_["id"]
    Z = enc.transform(X)
    booster = quiet(HistGradientBoostingClassifier(random_state=0).fit, Z, y)
    out["train_auc"] = roc_auc_score(y, booster.predict_proba(Z)[:, 1])
    model = make_pipeline(
        EmbeddingEncoder(random_state=0), HistGradientBoostingClassifier(random_state=0)
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    out["cv_auc"] = quiet(cross_val_score, model, X, y, cv=cv, scoring="roc_auc").mean()


OUTLIER_SETTINGS = [
    "clean",
    "5 x = 1e12",
    "x * 1e200",
    "continuous y",
    "continuous y * 1e160",
    "continuous y * 1e-300",
]


def outliers(setting, args, out):
    """Extreme magnitudes must not silently flatten the embeddings or poison training."""
    n = 20_000
    rng = np.random.RandomState(0)
    level = rng.randint(20, size=n)
    x = rng.normal(size=n)
    eta = rng.normal(size=20)[level] + x
    X = pd.DataFrame({"level": [f"L{k}" for k in level], "x": x})
    if setting.startswith("continuous"):
        y = eta + rng.normal(size=n)
        scale = {
            "continuous y": 1.0,
            "continuous y * 1e160": 1e160,
            "continuous y * 1e-300": 1e-300,
        }[setting]
        enc = timed_fit(EmbeddingEncoder(random_state=0), X, y * scale, out)
    else:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
        if setting == "5 x = 1e12":
            X.loc[rng.choice(n, 5, replace=False), "x"] = 1e12
        elif setting == "x * 1e200":
            X["x"] *= 1e200
        enc = timed_fit(EmbeddingEncoder(random_state=0), X, y, out)
    out["val_loss"] = -enc.best_validation_score_
    out["n_iter_"] = enc.n_iter_
    out["smooth_level"] = enc.smooth_["level"]
    # Spread of the category vectors (unknown row excluded): 0 means every level looks alike.
    out["emb_std"] = enc.embeddings_[0][:-1].std(axis=0).mean()
    if setting.startswith("continuous"):
        Z = np.asarray(enc.transform(X), dtype=float)
        out["finite_output"] = bool(np.isfinite(Z).all())
        if out["finite_output"]:
            out["ridge_r2_unscaled_y"] = Ridge().fit(Z, y).score(Z, y)


OUTLIER_SHARES = {
    "20,000 rows, clean": (20_000, 0),
    "20,000 rows, 21 x = 1e12": (20_000, 21),
    "2,000 rows, clean": (2_000, 0),
    "2,000 rows, 2 x = 1e12": (2_000, 2),
}


def outlier_share(setting, args, out):
    """More outliers than the 0.1% quantile holds: do the clip bounds and the network hold?"""
    n, n_outliers = OUTLIER_SHARES[setting]
    rng = np.random.RandomState(0)
    level = rng.randint(20, size=2 * n)
    x = rng.normal(size=2 * n)
    logit = np.linspace(-2, 2, 20)[level] + 1.5 * x
    y = (rng.uniform(size=2 * n) < 1 / (1 + np.exp(-logit))).astype(int)
    x[rng.choice(n, n_outliers, replace=False)] = 1e12  # in the training half
    X = pd.DataFrame({"level": [f"L{k}" for k in level], "x": x})
    enc = timed_fit(EmbeddingEncoder(random_state=0), X[:n], y[:n], out)
    out["bounds"] = enc.numeric_bounds_[0].round(1).tolist()
    log_odds = quiet(enc.set_params(output="prediction").transform, X[n:])[:, -1]
    out["holdout_auc"] = roc_auc_score(y[n:], log_odds)


def dtype_drift(setting, args, out):
    """Zips fitted as strings and sent as int64 later: silently unknown, or warned?"""
    n = 20_000
    rng = np.random.RandomState(0)
    zips = [str(z) for z in range(10001, 10201)] + ["X9", "Y7", "Z0"]
    codes = rng.randint(len(zips), size=n)
    y = rng.normal(size=len(zips))[codes] + rng.normal(scale=0.5, size=n)
    X = pd.DataFrame({"zip": np.array(zips, dtype=object)[codes]})
    enc = timed_fit(EmbeddingEncoder(categorical_features=["zip"], random_state=0), X, y, out)
    digits = X[X["zip"].str.isdigit()].reset_index(drop=True)
    new = digits if setting == "transform as str" else digits.astype({"zip": "int64"})
    out["rows"] = len(new)
    out["dtype"] = str(new["zip"].dtype)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Z = np.asarray(enc.transform(new), dtype=float)
    unknown = enc.embeddings_[0][-1]
    is_unknown = np.isclose(Z[:, : len(unknown)], unknown, rtol=0, atol=1e-6).all(axis=1)
    out["share_unknown"] = is_unknown.mean()
    out["warnings"] = len(caught)
    if caught:
        out["first_warning"] = f"{caught[0].category.__name__}: {str(caught[0].message)[:120]}"


def many_classes_memory(setting, args, out):
    """1,000 classes: anything of size rows x classes in float64 is 1.6 GB at 200k rows."""
    n = args.rows or (50_000 if args.quick else 200_000)
    rng = np.random.RandomState(0)
    big = rng.randint(2000, size=n)
    small = rng.randint(50, size=n)
    labels = np.where(rng.uniform(size=n) < 0.5, big % 1000, rng.randint(1000, size=n))
    X = pd.DataFrame({"big": [f"b{k}" for k in big], "small": [f"s{k}" for k in small]})
    y = np.array([f"c{k}" for k in labels], dtype=object)
    out["rows"] = n
    out["rss_before_fit_mb"] = peak_rss_mb()
    enc = timed_fit(EmbeddingEncoder(max_iter=2, random_state=0), X, y, out)
    out["n_classes"] = len(enc.classes_)
    out["n_iter_"] = enc.n_iter_
    out["val_loss"] = -enc.best_validation_score_


def prediction_memory(setting, args, out):
    """transform's peak (NumPy's allocations, traced) against its output's size."""
    n = args.rows or (50_000 if args.quick else 200_000)
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"big": [f"b{k}" for k in rng.randint(2000, size=n)]})
    y = np.array([f"c{k}" for k in rng.randint(1000, size=n)], dtype=object)
    enc = EmbeddingEncoder(max_iter=1, output="vectors+prediction", random_state=0)
    timed_fit(enc, X, y, out)
    out["rows"], out["n_classes"] = n, len(enc.classes_)
    tracemalloc.start()
    start = time.perf_counter()
    transformed = quiet(enc.transform, X)
    out["transform_s"] = time.perf_counter() - start
    out["transform_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["output_mb"] = transformed.nbytes / 2**20


SCENARIOS = {
    "whole_number_target": (whole_number_target, ["auto", "continuous"]),
    "id_memorisation": (id_memorisation, ["distinct ids", "10% ids repeated"]),
    "outliers": (outliers, OUTLIER_SETTINGS),
    "outlier_share": (outlier_share, list(OUTLIER_SHARES)),
    "dtype_drift": (dtype_drift, ["transform as str", "transform as int64"]),
    "many_classes_memory": (many_classes_memory, ["1,000 classes, max_iter=2"]),
    "prediction_memory": (prediction_memory, ["1,000 classes, vectors+prediction"]),
}


# ------------------------------------------------------------------ driver


def plain(value):
    return value.item() if hasattr(value, "item") else str(value)


def worker(args):
    """One setting; prints one JSON line. Partial figures survive a crash."""
    func, settings = SCENARIOS[args.worker]
    out, error = {}, None
    start = time.perf_counter()
    try:
        func(settings[args.setting], args, out)
    except Exception:
        error = traceback.format_exc().strip().splitlines()[-6:]
    seconds = time.perf_counter() - start
    result = {"figures": out, "error": error, "seconds": seconds, "rss_mb": peak_rss_mb()}
    print(json.dumps(result, default=plain))


def launch(name, index, args):
    command = [sys.executable, __file__, "--worker", name, "--setting", str(index)]
    command += ["--quick"] if args.quick else []
    command += ["--rows", str(args.rows)] if args.rows else []
    failed = {"figures": {}, "seconds": None, "rss_mb": None}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {**failed, "error": [f"timeout after {TIMEOUT} s"]}
    if result.returncode:
        tail = result.stderr.strip().splitlines()[-5:]
        return {**failed, "error": [f"process exited with {result.returncode}"] + tail}
    return json.loads(result.stdout.strip().splitlines()[-1])


def cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def describe(run):
    """Figures as `key=value`; a crash as its last traceback line and innermost frame."""
    text = "; ".join(f"{key}={cell(value)}" for key, value in run["figures"].items())
    if run["error"]:
        frames = [line.strip() for line in run["error"] if line.strip().startswith("File ")]
        where = f" ({frames[-1]})" if frames else ""
        text += f"{'; ' if text else ''}**CRASH** {run['error'][-1]}{where}"
    return text.replace("|", "\\|")


def markdown(results):
    lines = ["| scenario | setting | figures | seconds | peak RSS MB |", "|---|---|---|---:|---:|"]
    for r in results:
        seconds = "–" if r["seconds"] is None else f"{r['seconds']:.1f}"
        rss = "–" if r["rss_mb"] is None else f"{r['rss_mb']:.0f}"
        lines.append(f"| {r['scenario']} | {r['setting']} | {describe(r)} | {seconds} | {rss} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--rows", type=int, help="rows for the flights and many-classes scenarios")
    parser.add_argument("--worker")
    parser.add_argument("--setting", type=int)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    results = []
    for name in args.scenarios:
        for index, setting in enumerate(SCENARIOS[name][1]):
            run = launch(name, index, args)
            results.append({"scenario": name, "setting": setting, **run})
            print(f"{name} / {setting}: {describe(results[-1])}", flush=True)
    print()
    print(markdown(results))
    OUT.mkdir(exist_ok=True)
    (OUT / "trust.json").write_text(json.dumps(results, indent=1, default=plain))


if __name__ == "__main__":
    main()
