"""W6: a CSV from disk to predictions with ``glassnet predict``, against pandas reading it.

:func:`prepare_csv` writes the CSV and a model file of the W4 network once per benchmark
run; :func:`measure_csv` times one child process, from start to exit (interpreter and
imports included), with its own peak memory (``ru_maxrss``, from ``os.wait4``).
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.bench.workloads import TABLE_FEATURES, table_network

POOL_ROWS = 65_536  # distinct rows, formatted once; the file repeats them in a seeded order
BLOCK_ROWS = 8_192  # rows written at a time
READ_ONLY = "import sys, pandas; pandas.read_csv(sys.argv[1])"


def prepare_csv(folder: Path, megabytes: int) -> dict[str, Any]:
    """Write the CSV and the model file into ``folder``; return their paths and sizes."""
    from glassnet.data.array_encoders import LabelCodec
    from glassnet.files.model_file import save
    from glassnet.runs.model import TrainedModel

    names = [f"x{j}" for j in range(TABLE_FEATURES)]
    model = TrainedModel(
        table_network(),
        "classification",
        label_codec=LabelCodec().fit(np.array([0, 1])),
        feature_names=names,
    )
    model_path = save(model, folder / "model.npz")
    csv_path = folder / "table.csv"
    rows = write_csv(csv_path, names, megabytes * 10**6)
    return {
        "csv": str(csv_path),
        "model": str(model_path),
        "out": str(folder / "predictions.csv"),
        "rows": rows,
        "bytes": csv_path.stat().st_size,
    }


def write_csv(path: Path, names: list[str], size: int, seed: int = 0) -> int:
    """Write a header and standard-normal rows (4 decimals) until ``size`` bytes; return the rows.

    ``POOL_ROWS`` rows are formatted once, and the file draws its rows from them in a
    seeded random order: formatting 2.7 million rows one by one would take minutes.
    """
    rng = np.random.default_rng(seed)
    pool = rng.standard_normal((POOL_ROWS, len(names)))
    lines = [(",".join(f"{v:.4f}" for v in row) + "\n").encode() for row in pool.tolist()]
    rows = 0
    with open(path, "wb") as handle:
        written = handle.write((",".join(names) + "\n").encode())
        while written < size:
            block = b"".join(lines[i] for i in rng.integers(0, POOL_ROWS, BLOCK_ROWS))
            written += handle.write(block)
            rows += BLOCK_ROWS
    return rows


def timed_child(argv: list[str]) -> tuple[float, float]:
    """Run ``argv`` to its end; return its wall time in seconds and its peak memory in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{argv[:4]} failed ({child.returncode}):\n{errors.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024  # kB on Linux


def measure_csv(implementation: str, context: dict[str, Any]) -> dict[str, Any]:
    """Time ``glassnet predict`` (or the pandas read) on the prepared CSV, in a child process."""
    csv, out = context["csv"], Path(context["out"])
    predict = ["predict", context["model"], "--csv", csv, "--out", str(out)]
    argv = {
        "glassnet": [sys.executable, "-m", "glassnet", *predict],
        "floor": [sys.executable, "-c", READ_ONLY, csv],
    }[implementation]
    seconds, peak = timed_child(argv)
    result: dict[str, Any] = {
        "times": {"csv": seconds},
        "rows": context["rows"],
        "megabytes_per_s": context["bytes"] / 10**6 / seconds,
        "peak_mb": peak,
    }
    if implementation == "glassnet":
        result["rows_out"] = _count_lines(out) - 1  # the header
        out.unlink()
    return result


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(2**24), b""))
