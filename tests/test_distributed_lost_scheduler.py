"""A ``tcp://`` scheduler killed mid-run: glassnet's one ``error:`` line, none of Dask's logs.

The scheduler and its worker are processes of their own (``dask scheduler``, ``dask
worker``), so killing the scheduler is what a user sees when theirs goes away; the run
is ``glassnet train`` in another process, its standard error read whole.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

STARTUP_SECONDS = 60  # for the scheduler file, the worker and the first cost line, at most


def dask_process(kind: str, *args: str) -> subprocess.Popen:
    """``dask scheduler`` or ``dask worker`` as a process, its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", f"distributed.cli.dask_{kind}", *args, "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(found, what: str):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come within {STARTUP_SECONDS} s")


@pytest.fixture
def scheduler(tmp_path):
    """The address of a scheduler with one worker, and the scheduler's process (to kill)."""
    scheduler_file = tmp_path / "scheduler.json"
    started = [dask_process("scheduler", "--port", "0", "--scheduler-file", str(scheduler_file))]
    try:
        wait_for(lambda: scheduler_file.is_file() and scheduler_file.stat().st_size, "scheduler")
        address = json.loads(scheduler_file.read_text())["address"]
        started.append(
            dask_process("worker", address, "--nthreads", "1", "--no-nanny", "--memory-limit", "0")
        )
        yield address, started[0]
    finally:
        for process in started:
            process.kill()
            process.wait()


def test_a_killed_scheduler_gives_one_error_line_and_no_dask_logs(scheduler, tmp_path):
    address, scheduler_process = scheduler
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    rows = [f"{a:.4f},{b:.4f},{c:.4f},{int(a + b > 0)}" for a, b, c in X]
    (tmp_path / "part-0.csv").write_text("\n".join(["a,b,c,label", *rows]) + "\n")
    run = subprocess.Popen(
        [
            sys.executable, "-c", "from glassnet.cli import main; main()", "train",
            "--dask", address, "--data", str(tmp_path / "part-*.csv"), "--target", "label",
            "--iterations", "100000", "--no-progress", "--out", str(tmp_path / "run"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"},
    )  # fmt: skip
    try:
        assert run.stdout is not None
        first = wait_for(run.stdout.readline, "the first cost line")
        assert first.startswith("Cost after iteration 0")
        scheduler_process.kill()
        out, err = run.communicate(timeout=STARTUP_SECONDS)
    finally:
        run.kill()
    assert run.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # glassnet's line alone: no traceback, no distributed.* log
    assert lines[0].startswith("error: the Dask scheduler at ")
    assert "--resume" in lines[0]
    assert "Traceback" not in out + err
    assert Path(tmp_path / "run" / "checkpoint.npz").is_file()


def test_a_scheduler_lost_while_the_data_is_read_is_one_error():
    from concurrent.futures import CancelledError
    from types import SimpleNamespace

    from glassnet.distributed.run_endings import SchedulerLostError, scheduler_watched

    client = SimpleNamespace(status="running", scheduler=SimpleNamespace(address="tcp://h:1"))
    with pytest.raises(CancelledError), scheduler_watched(client, "while reading"):
        raise CancelledError("a task cancelled, the scheduler still up")  # not a loss
    client.status = "closed"
    lost = pytest.raises(SchedulerLostError, match=r"tcp://h:1 went away while reading")
    with lost, scheduler_watched(client, "while reading"):
        raise CancelledError("scheduler-connection-lost")
    with pytest.raises(ZeroDivisionError), scheduler_watched(client, "while reading"):
        raise ZeroDivisionError  # a bug stays a bug
