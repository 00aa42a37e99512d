"""The runner: every (implementation, repetition) of every workload in its own process.

For each workload, :func:`run_all` runs each repetition of each implementation
(glassnet, scikit-learn, PyTorch where they apply and are installed, and the floor)
in a fresh ``python`` subprocess, interleaved, the order rotated at each repetition,
so that every implementation sees the same machine and its memory is its own.
:func:`run_one` is what such a process runs; it returns one JSON-able record:

    {"workload", "implementation", "times": {measure: seconds}, ...scores, memory...,
     "seen": the OpenBLAS variables and thread pools that process saw}

The child inherits the caller's environment (with ``threads``, the thread-count
variables of ``THREAD_VARIABLES`` added, which every BLAS and OpenMP library and
PyTorch read when they load, W6's ``glassnet predict`` too): run the benchmark with
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`` (as a user's machine would be), and
the record says what the child saw.
"""

import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from glassnet.bench.csv_end_to_end import measure_csv, prepare_csv
from glassnet.bench.floors import train_floor
from glassnet.bench.machine import MB, peak_mb, reset_peak, rss_mb, seen_by_child
from glassnet.bench.peers import IMPORTS, TRAINERS, peer_available
from glassnet.bench.serving import measure_serving
from glassnet.bench.workloads import (
    QUICK_EPOCHS,
    WORKLOADS,
    AnyWorkload,
    CsvToPredictions,
    Serving,
    Workload,
    evaluate,
    in_chunks,
    load_data,
    quick,
)
from glassnet.errors import InputError
from glassnet.validation import lookup

__all__ = ["QUICK_EPOCHS", "WORKLOADS", "load_data", "run_all", "run_one"]  # before_after.py's

IMPLEMENTATIONS = {  # who runs each kind of workload
    "train": ("glassnet", "sklearn", "torch", "floor"),
    "serve": ("glassnet", "sklearn", "torch", "floor"),
    "csv": ("glassnet", "floor"),
}
REPETITIONS = {"W1": 5, "W2": 5, "W3": 5, "W4": 3, "W5": 3, "W6": 3}  # when none are asked for
QUICK_REPETITIONS = 2
WARM_UP_ROWS = 64  # a full-batch workload's untimed first step takes this many rows
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # --threads


def measure_training(implementation: str, w: Workload) -> dict[str, Any]:
    """Train once; the time, the shared score, and the memory the training took over the data.

    One step on a batch's rows goes first, untimed: a library's one-off start-up (PyTorch's
    first autograd pass and optimizer step, about a second) is not counted in its time.
    """
    base = rss_mb()  # the libraries loaded, no data yet
    X, y = load_data(w.data, w.dtype, w.rows)
    trainer = train_floor if implementation == "floor" else TRAINERS[implementation]
    warm_up = w.batch_size or WARM_UP_ROWS  # one step: a full batch of these rows, or one batch
    trainer(w, X[:warm_up], y[:warm_up], 1)
    before = rss_mb()
    peak_was_reset = reset_peak()
    start = time.perf_counter()
    predict = trainer(w, X, y, w.epochs)
    seconds = time.perf_counter() - start
    peak = peak_mb()
    per_epoch = 1 if w.batch_size is None else -(-X.shape[0] // w.batch_size)  # ceil(n / batch)
    steps = per_epoch * w.epochs  # parameter updates in the run
    return {
        "times": {"train": seconds},
        "steps": steps,
        "us_per_step": seconds / steps * 1e6,
        **(evaluate(in_chunks(predict, X), y) if predict is not None else {}),
        "data_mb": (X.nbytes + y.nbytes) / MB,
        "base_mb": base,
        "before_mb": before,
        "peak_mb": peak,
        "peak_was_reset": peak_was_reset,
    }


def run_one(
    implementation: str,
    name: str,
    is_quick: bool = False,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Measure one implementation on workload ``name`` in this process; return its record."""
    workload = lookup(WORKLOADS, name, "workload")
    workload = quick(workload) if is_quick else workload
    if implementation not in IMPLEMENTATIONS[workload.kind]:
        raise InputError(f"{implementation} does not run {name} ({workload.kind})")
    for module in IMPORTS.get(implementation, ()):
        importlib.import_module(module)  # loaded before the memory baseline
    if isinstance(workload, Serving):
        record = measure_serving(implementation, workload)
    elif isinstance(workload, CsvToPredictions):
        record = measure_csv(implementation, context or {})
    else:
        record = measure_training(implementation, workload)
    return {"workload": name, "implementation": implementation, **record, "seen": seen_by_child()}


@contextlib.contextmanager
def prepared(workload: AnyWorkload) -> Iterator[dict[str, Any]]:
    """What a workload's children share: W6's CSV and model, in a folder removed afterwards."""
    if not isinstance(workload, CsvToPredictions):
        yield {}
        return
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-") as folder:
        yield prepare_csv(Path(folder), workload.megabytes)


def run_all(
    names: list[str],
    repetitions: int | None = None,
    is_quick: bool = False,
    echo: Callable[[str], None] = print,
    threads: int | None = None,
    only: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Run every available implementation (of ``only``, when given) on every workload,
    interleaved, each in a subprocess."""
    workloads = {name: lookup(WORKLOADS, name, "workload") for name in names}
    results = []
    for name, workload in workloads.items():
        runs = repetitions or (QUICK_REPETITIONS if is_quick else REPETITIONS[name])
        implementations = [
            i
            for i in IMPLEMENTATIONS[workload.kind]
            if peer_available(i) and (only is None or i in only)
        ]
        with prepared(quick(workload) if is_quick else workload) as context:
            for repetition in range(runs):
                turn = repetition % len(implementations)  # who goes first this time
                for implementation in implementations[turn:] + implementations[:turn]:
                    result = _in_subprocess(implementation, name, is_quick, context, threads)
                    result["repetition"] = repetition
                    echo(_progress(result, repetition, runs))
                    results.append(result)
    return results


def _progress(result: dict[str, Any], repetition: int, runs: int) -> str:
    times = ", ".join(f"{measure} {seconds:.4g} s" for measure, seconds in result["times"].items())
    return f"{result['workload']} {repetition + 1}/{runs} {result['implementation']:>8}: {times}"


def _in_subprocess(
    implementation: str,
    name: str,
    is_quick: bool,
    context: dict[str, Any],
    threads: int | None,
) -> dict[str, Any]:
    arguments = json.dumps([implementation, name, is_quick, context])
    limits = {variable: str(threads) for variable in THREAD_VARIABLES} if threads else {}
    code = (
        "import json, sys; from glassnet.bench.harness import run_one; "
        "print(json.dumps(run_one(*json.loads(sys.argv[1]))))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **limits},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{implementation} on {name} failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
