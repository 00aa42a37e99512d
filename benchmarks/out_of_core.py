"""Training on data larger than the workers' memory: glassnet.distributed.fit on a LocalCluster.

Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/out_of_core.py
    python benchmarks/out_of_core.py --scale 0.05       # a quick check, not a result

Writes ``benchmarks/out_of_core.md``. The steps:

1. Generate a classification data set to a temporary directory as two ``.npy``
   stacks (``dask.array.to_npy_stack``): X float64 (N, 20), labels from a fixed
   random teacher network; N is chosen so X is ``DATA_FACTOR`` x the workers' total
   memory limit. Deleted at the end.
2. On a LocalCluster of W = 2, then W = 1 workers (one thread each, ``MEMORY_LIMIT``
   each), open the stacks with ``glassnet.distributed.from_store`` and train
   MLPClassifier(solver="gd") with ``glassnet.distributed.fit``: exact full-batch
   descent, so both clusters must give the same weights. Dask spills the persisted
   chunks that do not fit to the workers' disk and reads them back each epoch.
   Recorded: each epoch's time (the median is reported), the peak RSS of each
   worker process (sampled every 50 ms by a thread inside it), workers paused or
   restarted (their logs, and the workers' addresses before and after).
3. The same training on a slice that fits in memory: in this process with glassnet's
   own MLPClassifier.fit (1 and 2 BLAS threads: single-process NumPy), and on the
   clusters with the slice in memory. Samples per second = rows / epoch time.
"""

import argparse
import logging
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import distributed
import numpy as np
import psutil
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import glassnet
from glassnet.bench.machine import machine, seen_by_child
from glassnet.distributed import fit, from_store

OUT = Path(__file__).with_name("out_of_core.md")
MEMORY_LIMIT = "768MiB"  # per worker; see the .md for why not 400 MiB
MEMORY_LIMIT_BYTES = 768 * 2**20
DATA_FACTOR = 3.0  # X's bytes over the workers' total memory limit (2 workers)
N_FEATURES = 50
HIDDEN = (16,)
CHUNK_ROWS = 32_768  # 12.5 MiB of X per chunk
EPOCHS = 3  # full-batch epochs on the large data (the first one is timed too)
SLICE_ROWS = 8 * CHUNK_ROWS  # 100 MiB of X: fits in memory everywhere, one worker too
SLICE_EPOCHS = 5
REPEATS = 3  # single-process repeats
HELD_OUT_ROWS = 200_000
SEED = 13
SAMPLE_SECONDS = 0.05


def teacher_weights() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    return rng.normal(size=(N_FEATURES, 8)), rng.normal(size=8)


def features_block(block_id: tuple[int, ...], rows: int, seed: int) -> np.ndarray:
    return np.random.default_rng([seed, block_id[0]]).standard_normal((rows, N_FEATURES))


def labels_block(block_id: tuple[int, ...], rows: int, seed: int) -> np.ndarray:
    V, v = teacher_weights()
    X = features_block(block_id, rows, seed)
    return (np.tanh(X @ V) @ v > 0).astype(np.int8)  # y = [tanh(X V) v > 0]


def generate(folder: Path, rows: int, seed: int) -> None:
    """X and y as .npy stacks, one file per chunk, written a few chunks at a time."""
    chunks = tuple(min(CHUNK_ROWS, rows - start) for start in range(0, rows, CHUNK_ROWS))
    for name, make, shape, dtype in (
        ("X", features_block, (N_FEATURES,), np.float64),
        ("y", labels_block, (), np.int8),
    ):
        array = da.map_blocks(
            lambda block_id=None, make=make: make(block_id, CHUNK_ROWS, seed)[
                : chunks[block_id[0]]
            ],
            chunks=(chunks, *((s,) for s in shape)),
            dtype=dtype,
            meta=np.empty((0,) * (1 + len(shape)), dtype=dtype),
        )
        with dask.config.set(scheduler="threads", num_workers=2):
            da.to_npy_stack(str(folder / name), array)


def in_memory(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    blocks = range(-(-rows // CHUNK_ROWS))
    X = np.concatenate([features_block((b,), CHUNK_ROWS, seed) for b in blocks])[:rows]
    y = np.concatenate([labels_block((b,), CHUNK_ROWS, seed) for b in blocks])[:rows]
    return X, y


def estimator(epochs: int) -> Any:
    return glassnet.MLPClassifier(
        HIDDEN, solver="gd", learning_rate_init=0.5, max_iter=epochs, tol=0.0,
        n_iter_no_change=epochs + 1, random_state=0,
    )  # fmt: skip


# --- inside each worker: a thread that keeps the process's peak RSS ------------------


def start_sampler(dask_worker: Any) -> None:
    process, stop = psutil.Process(), threading.Event()
    dask_worker.glassnet_peak, dask_worker.glassnet_stop = process.memory_info().rss, stop

    def sample() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            dask_worker.glassnet_peak = max(dask_worker.glassnet_peak, process.memory_info().rss)

    threading.Thread(target=sample, daemon=True).start()


def stop_sampler(dask_worker: Any) -> int:
    dask_worker.glassnet_stop.set()
    return int(dask_worker.glassnet_peak)


def warm_up() -> float:
    import glassnet.distributed.fitting  # noqa: F401  (what every task imports)

    return psutil.Process().memory_info().rss / 2**20


def timed_fit(client: distributed.Client, X: Any, y: Any, epochs: int) -> dict[str, Any]:
    """One cluster fit: the epochs' times, the workers' peak RSS, pauses and restarts."""
    before = sorted(client.scheduler_info()["workers"])
    baseline = client.run(warm_up)
    client.run(start_sampler)
    stamps: list[float] = []
    began = time.perf_counter()
    model = fit(
        estimator(epochs),
        X,
        y,
        client=client,
        on_round=lambda _: stamps.append(time.perf_counter()),
    )
    ended = time.perf_counter()
    peaks = client.run(stop_sampler)
    after = sorted(client.scheduler_info()["workers"])
    logs = [msg for lines in client.get_worker_logs().values() for _, msg in lines]
    nanny_logs = [msg for lines in client.get_worker_logs(nanny=True).values() for _, msg in lines]
    epoch_times = np.diff([began, *stamps])
    return {
        "model": model,
        "epochs": [float(t) for t in epoch_times],
        "median_epoch": float(np.median(epoch_times[1:] if len(epoch_times) > 1 else epoch_times)),
        "total": ended - began,
        "peak_mb": {address: peak / 2**20 for address, peak in peaks.items()},
        "baseline_mb": baseline,
        "paused": sum("Pausing worker" in msg for msg in logs),
        "restarted": sum("Restarting" in msg or "exceeded" in msg for msg in nanny_logs)
        + len(set(before) ^ set(after)),
    }


def cluster_runs(workers: int, folder: Path, slice_rows: int) -> dict:
    """The out-of-core fit, then the in-memory one, each on a fresh cluster of ``workers``."""
    runs = {}
    for name, rows, epochs in (("big", None, EPOCHS), ("slice", slice_rows, SLICE_EPOCHS)):
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, memory_limit=MEMORY_LIMIT,
                dashboard_address=":0", silence_logs=logging.WARNING,
                local_directory=str(folder / "dask-worker-space"),
            ) as cluster,
            distributed.Client(cluster) as client,
        ):  # fmt: skip
            X, y = from_store(folder / "X")[:rows], from_store(folder / "y")[:rows]
            runs[name] = timed_fit(client, X, y, epochs)
            print(f"{workers} worker(s), {name}: {runs[name]['epochs']} s", flush=True)
    return runs


def single_process(X: np.ndarray, y: np.ndarray) -> dict[int, float]:
    """Median seconds per epoch of MLPClassifier.fit in this process, by BLAS threads."""
    seconds = {}
    for threads in (1, 2):
        with threadpool_limits(threads):
            runs = []
            for _ in range(REPEATS):
                began = time.perf_counter()
                estimator(SLICE_EPOCHS).fit(X, y)
                runs.append((time.perf_counter() - began) / SLICE_EPOCHS)
        seconds[threads] = statistics.median(runs)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="rows times this (a check)")
    scale = parser.parse_args().scale
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # a fixed number of epochs
    rows = int(DATA_FACTOR * 2 * MEMORY_LIMIT_BYTES * scale / (8 * N_FEATURES))
    slice_rows = min(SLICE_ROWS, rows)
    environment = {**machine(), **seen_by_child()}
    folder = Path(tempfile.mkdtemp(prefix="glassnet-out-of-core-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped: the generated data is deleted"))
    try:
        began = time.perf_counter()
        generate(folder, rows, SEED)
        generated = time.perf_counter() - began
        print(f"generated {rows:,} rows in {generated:.0f} s", flush=True)
        data_bytes = sum(p.stat().st_size for p in (folder / "X").glob("*.npy"))
        X_slice, y_slice = in_memory(slice_rows, SEED)
        X_test, y_test = in_memory(HELD_OUT_ROWS, SEED + 1)
        here = single_process(X_slice, y_slice)
        print(f"one process: {here} s per epoch", flush=True)
        clusters = {workers: cluster_runs(workers, folder, slice_rows) for workers in (2, 1)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    write_report(
        rows, data_bytes, generated, slice_rows, here, clusters, X_test, y_test, environment, scale
    )


def write_report(
    rows: int, data_bytes: int, generated: float, slice_rows: int, here: dict[int, float],
    clusters: dict[int, dict], X_test: np.ndarray, y_test: np.ndarray, environment: dict,
    scale: float,
) -> None:  # fmt: skip
    gib = 2**30
    total_limit = 2 * MEMORY_LIMIT_BYTES
    big = {w: clusters[w]["big"] for w in clusters}
    ram = {w: clusters[w]["slice"] for w in clusters}
    weights = [
        max(
            float(np.abs(a - b).max())
            for a, b in zip(big[1]["model"].coefs_, big[2]["model"].coefs_, strict=True)
        )
    ]
    lines = [
        "# Out-of-core training on a LocalCluster (issue 13)",
        "",
        "    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/out_of_core.py",
        "",
        "Written by `benchmarks/out_of_core.py` (its docstring says what each step does)."
        + ("" if scale == 1.0 else f" **A check at --scale {scale}, not a result.**"),
        "",
        "## The data and the cluster",
        "",
        f"- X: {rows:,} rows x {N_FEATURES} float64 features = **{data_bytes / gib:.2f} GiB** "
        f"on disk ({-(-rows // CHUNK_ROWS)} chunks of {CHUNK_ROWS:,} rows, a `.npy` stack; "
        f"labels from a random teacher network, int8); generated in {generated:.0f} s to a "
        "temporary directory, deleted afterwards.",
        f'- Workers: one thread each, `memory_limit="{MEMORY_LIMIT}"` each; two of them '
        f"hold {total_limit / gib:.2f} GiB in all: X is **{data_bytes / total_limit:.1f}x** "
        "that. Dask's default thresholds: spill at 60-70 %, pause at 80 %, restart at 95 %.",
        "- The spilled chunks are files under the temporary directory; this machine's "
        f"{psutil.virtual_memory().total / gib:.1f} GiB of RAM can keep them in the OS page "
        "cache, so an epoch's reread is not always a disk read. The limit that holds is "
        "the workers' own memory.",
        f"- Why not 400 MiB: a worker that has imported what a fit's tasks import "
        f"(glassnet, scikit-learn, dask.dataframe) already holds "
        f"{max(big[2]['baseline_mb'].values()):.0f} MiB, above 70 % of 400 MiB before any "
        "data: it would spill nothing but still pause.",
        f"- Model: MLPClassifier(hidden_layer_sizes={HIDDEN}, solver='gd'), exact full-batch "
        f"descent by `glassnet.distributed.fit`, {EPOCHS} epochs on the large data.",
        "",
        "## Out of core (X larger than the workers' memory)",
        "",
        "| workers | s / epoch (median) | samples / s | peak worker RSS (MiB) | paused | "
        "workers restarted | whole fit (s) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for w in (1, 2):
        run = big[w]
        peaks = ", ".join(f"{p:.0f}" for p in run["peak_mb"].values())
        lines.append(
            f"| {w} | {run['median_epoch']:.1f} | {rows / run['median_epoch']:,.0f} | {peaks} "
            f"| {run['paused']} | {run['restarted']} | {run['total']:.0f} |"
        )
    speed_big = big[1]["median_epoch"] / big[2]["median_epoch"]
    speed_ram = ram[1]["median_epoch"] / ram[2]["median_epoch"]
    lines += [
        "",
        f"Each epoch's time: 1 worker {', '.join(f'{t:.1f}' for t in big[1]['epochs'])} s; "
        f"2 workers {', '.join(f'{t:.1f}' for t in big[2]['epochs'])} s (the first epoch "
        "includes reading the store, checking and persisting the chunks, spilling what "
        "does not fit). The median leaves the first out.",
        f"- Speed-up from 1 to 2 workers, out of core: **{speed_big:.2f}x**.",
        f"- The same model on 1 and 2 workers (exact full batch): largest weight difference "
        f"{weights[0]:.1e}.",
        f"- Held-out accuracy after {EPOCHS} full-batch epochs (a throughput run, not a "
        f"trained model): {big[2]['model'].score(X_test, y_test):.3f}.",
        "",
        f"## In memory ({slice_rows:,} rows, {SLICE_EPOCHS} epochs)",
        "",
        "| where | s / epoch (median) | samples / s | vs one process, 1 BLAS thread |",
        "| --- | --- | --- | --- |",
    ]
    rows_here = [(f"one process, {t} BLAS thread{'s' if t > 1 else ''}", here[t]) for t in (1, 2)]
    rows_here += [
        (f"LocalCluster, {w} worker{'s' if w > 1 else ''}", ram[w]["median_epoch"]) for w in (1, 2)
    ]
    for name, seconds in rows_here:
        lines.append(
            f"| {name} | {seconds:.3f} | {slice_rows / seconds:,.0f} | {here[1] / seconds:.2f}x |"
        )
    lines += [
        "",
        f"- Speed-up from 1 to 2 workers, in memory: **{speed_ram:.2f}x**.",
        f"- Out of core against in memory, per sample (2 workers): "
        f"{(big[2]['median_epoch'] / rows) / (ram[2]['median_epoch'] / slice_rows):.2f}x the time.",
        "",
        "## Environment",
        "",
        f"- {environment['cpu']}, {environment['cores']} cores, load {environment['load']} "
        "at the start (other sessions share the machine: timings are noisy).",
        f"- Python {environment['python']}; "
        + ", ".join(f"{k} {v}" for k, v in environment["versions"].items())
        + f"; dask {dask.__version__}, distributed {distributed.__version__}.",
        "- BLAS (threadpoolctl, this process): " + "; ".join(environment["pools"]) + ".",
        "- OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE: "
        + ", ".join(environment.get(k, "unset") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))
        + ".",
        "",
    ]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
