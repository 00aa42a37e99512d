"""``glassnet --help`` and each subcommand's ``--help`` import no table, plot or cluster library.

Each runs in a fresh interpreter under ``python -X importtime`` (this one has imported
everything already); the modules it lists are every module the command loaded.
"""

import subprocess
import sys

import pytest

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
