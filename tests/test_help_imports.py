"""``glassnet --help`` and each subcommand's ``--help`` import no table, plot or cluster library.

Each runs in a fresh interpreter under ``python -X importtime`` (this one has imported
everything already); the modules it lists are every module the command loaded.
``glassnet bench`` finds PyTorch and scikit-learn without importing them, and a library's
one-off start-up is not in its time.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from glassnet.bench import harness, peers

HEAVY = {"pandas", "sklearn", "scipy", "matplotlib", "dask", "distributed", "pyarrow", "torch"}
COMMANDS = ("train", "predict", "evaluate", "explain", "gradcheck", "plot", "bench", "playground")


def imported_by(*args: str) -> set[str]:
    """The top-level packages ``python -X importtime -m glassnet *args`` imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "glassnet", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage: glassnet" in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    names = [line.rsplit("|", 1)[-1].strip() for line in lines[1:]]  # [0] is the column titles
    return {name.split(".")[0] for name in names}


def test_importtime_lists_what_a_command_imports():
    assert {"glassnet", "click", "numpy"} <= imported_by("--help")


@pytest.mark.parametrize("args", [("--help",), *((name, "--help") for name in COMMANDS)])
def test_help_imports_no_heavy_library(args):
    assert imported_by(*args) & HEAVY == set()


# --- glassnet bench: its runner finds the peers without loading them, and times no start-up --


def test_the_bench_runner_finds_its_peers_without_importing_them():
    code = (
        "import json, sys\n"
        "from glassnet.bench.peers import peer_available\n"
        "found = [peer_available(name) for name in ('glassnet', 'sklearn', 'torch', 'floor')]\n"
        "print(json.dumps([found, sorted({m.split('.')[0] for m in sys.modules} & {'torch', "
        "'sklearn'})]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    found, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert found[0] is True and found[3] is True
    assert loaded == []


def test_a_missing_peer_is_not_available(monkeypatch):
    monkeypatch.setitem(peers.IMPORTS, "torch", ("no_such_package_here.nn",))
    assert not peers.peer_available("torch")
    assert peers.peer_available("glassnet")


def test_each_library_takes_an_untimed_first_step_before_its_timed_run(monkeypatch):
    calls: list[tuple[int, int]] = []

    def trainer(w: object, X: np.ndarray, y: np.ndarray, epochs: int) -> None:
        calls.append((X.shape[0], epochs))

    monkeypatch.setitem(peers.TRAINERS, "glassnet", trainer)
    full_batch = harness.quick(harness.WORKLOADS["W1"])
    record = harness.measure_training("glassnet", full_batch)  # type: ignore[arg-type]
    assert calls == [(harness.WARM_UP_ROWS, 1), (500, full_batch.epochs)]  # type: ignore[union-attr]
    assert record["times"]["train"] < 1.0  # the fake trainer's run: nothing else timed
