"""Full-batch training time with BLAS's own threads against one BLAS thread, by layer width.

Run it as the machine runs glassnet, without OpenBLAS overrides:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/blas_threads.py

For each width w it trains a 2-w-w-1 network (full batch, n samples) ``REPEATS`` times
each way, alternating, and prints the median seconds and their ratio. The rule in
``glassnet.runs.blas_threads`` (one thread up to SMALL_LAYER units) is read off this.
"""

import json
import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import glassnet as gn
from glassnet.data.loading import load

WIDTHS = (8, 32, 64, 128, 256, 512)
N_SAMPLES = 2000
EPOCHS = 100
REPEATS = 5


def seconds(width: int, X: np.ndarray, y: np.ndarray) -> float:
    network = gn.Network([2, width, width, 1], hidden="tanh", random_state=0)
    began = time.perf_counter()
    gn.train(network, X, y, "gd", epochs=EPOCHS, learning_rate=0.1, random_state=0)
    return time.perf_counter() - began


def main() -> None:
    dataset = load("moons", n_samples=N_SAMPLES, random_state=0)
    X, y = dataset.X, dataset.y
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    print(json.dumps({key: blas[0].get(key) for key in ("internal_api", "num_threads",
                      "architecture", "version")} if blas else {}))  # fmt: skip
    print(f"{'width':>6} {'default s':>10} {'1 thread s':>10} {'default/1':>9}")
    for width in WIDTHS:
        default, single = [], []
        for _ in range(REPEATS):
            default.append(seconds(width, X, y))
            with threadpool_limits(limits=1, user_api="blas"):
                single.append(seconds(width, X, y))
        a, b = statistics.median(default), statistics.median(single)
        print(f"{width:>6} {a:>10.3f} {b:>10.3f} {a / b:>9.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
