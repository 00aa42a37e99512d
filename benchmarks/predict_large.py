"""``glassnet predict`` on a large numeric CSV, side by side with pandas' own read of the file.

Run it as the machine runs glassnet, without OpenBLAS overrides:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/predict_large.py

It writes, under a temporary folder, a numeric table (8 features, a binary target) of
``TRAIN_ROWS`` rows and one of ``--rows`` rows (1,000,000 by default, about 75 MB),
trains the tabular recipe on the small one (``glassnet train --data small.csv --target y``),
then times, alternating, ``REPEATS`` times each:

- ``read_csv``: ``pandas.read_csv(big.csv)`` in this process;
- ``predict_csv``: :func:`glassnet.runs.predicting.predict_csv` in this process (the model
  loaded once), writing every row with its prediction and probabilities;
- ``glassnet predict``: the command, start-up and model loading included.

It prints the BLAS library (threadpoolctl), the medians in seconds and each one's ratio
to ``read_csv``'s, as JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_info

from glassnet.runs.model import load_trained_model
from glassnet.runs.predicting import predict_csv

TRAIN_ROWS = 4_000
N_FEATURES = 8
REPEATS = 5


def numeric_table(n_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """``N_FEATURES`` normal columns (6 decimals) and a binary ``y`` bent by a sine."""
    X = rng.normal(size=(n_rows, N_FEATURES)).round(6)
    noise = 0.3 * rng.normal(size=n_rows)
    signal = X[:, 0] + np.sin(2 * X[:, 1]) - 0.5 * X[:, 2] * X[:, 3] + noise
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(N_FEATURES)])
    frame["y"] = (signal > 0).astype(int)
    return frame


def pandas_round_trip(big: Path, added: pd.DataFrame, copy: Path) -> None:
    """pandas reading the file and writing what predict writes (its rows and the added
    columns, computed before): what reading and writing the same CSV cost, without the network."""
    pd.concat([pd.read_csv(big), added], axis=1).to_csv(copy, index=False)


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def blas() -> dict[str, object]:
    pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    keys = ("internal_api", "version", "architecture", "num_threads", "threading_layer")
    return {key: pools[0].get(key) for key in keys} if pools else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--recipe",
        choices=("tabular", "tutorial"),
        default="tabular",
        help="the model's recipe: tabular (a CSV's default) or tutorial (5 tanh units)",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        small, big, out = root / "small.csv", root / "big.csv", root / "predicted.csv"
        numeric_table(TRAIN_ROWS, rng).to_csv(small, index=False)
        numeric_table(args.rows, rng).drop(columns="y").to_csv(big, index=False)
        train = ["glassnet", "train", "--data", str(small), "--target", "y", "--no-plots"]
        train += ["--recipe", args.recipe]
        subprocess.run([*train, "--out", str(root / "run")], check=True, capture_output=True)
        model_file = root / "run" / "model.npz"
        model = load_trained_model(model_file)
        command = ["glassnet", "predict", str(model_file), "--data", str(big), "--out", str(out)]
        predict_csv(model, big, out)  # the columns predict adds, for pandas to write
        added = pd.read_csv(out, usecols=lambda name: not name.startswith("x"))
        actions: dict[str, Callable[[], object]] = {
            "read_csv": lambda: pd.read_csv(big),
            "predict_csv": lambda: predict_csv(model, big, out),
            "glassnet predict": lambda: subprocess.run(command, check=True, capture_output=True),
            "read_csv + to_csv": lambda: pandas_round_trip(big, added, root / "pandas.csv"),
        }
        seconds: dict[str, list[float]] = {name: [] for name in actions}
        for _ in range(args.repeats):  # alternating, so a busy moment falls on each alike
            for name, action in actions.items():
                seconds[name].append(timed(action))
        medians = {name: statistics.median(times) for name, times in seconds.items()}
        report = {
            "rows": args.rows,
            "file_mb": round(big.stat().st_size / 1e6, 1),
            "network": repr(model.network),
            "blas": blas(),
            "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")},
            "load_1min": os.getloadavg()[0],
            "median_s": {name: round(value, 3) for name, value in medians.items()},
            "ratio_to_read_csv": {
                name: round(value / medians["read_csv"], 1) for name, value in medians.items()
            },
            "all_s": {name: [round(t, 3) for t in times] for name, times in seconds.items()},
        }
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
