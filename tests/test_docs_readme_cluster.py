"""The README's cluster examples run as written: the command, and the Python snippet pasted
into a script, on a small table of the README's layout (``big/part-*.csv`` with ``label``).

The README states the time of its command on a 200,000-row table; this checks the command
and the snippet themselves: a fast run (mini-batches, a few epochs), a script that runs
and closes its cluster cleanly (no traceback, no error from Dask).
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("## On a cluster")[1]
CLUSTER_SECTION = CLUSTER_SECTION.split("\n## ")[0]


def readme_command() -> str:
    """The README's ``glassnet train --dask local:2`` command, its lines joined."""
    (bash,) = re.findall(r"```bash\n(.*?)```", CLUSTER_SECTION, re.S)
    joined = bash.replace("\\\n", " ")
    (line,) = [line for line in joined.splitlines() if "--dask local:2" in line]
    return line


def readme_snippet() -> str:
    (snippet,) = re.findall(r"```python\n(.*?)```", CLUSTER_SECTION, re.S)
    return snippet


@pytest.fixture
def folder(tmp_path) -> Path:
    """``big/part-0.csv`` and ``big/part-1.csv``: 8 numbers, a category and a yes/no label."""
    rng = np.random.default_rng(5)
    (tmp_path / "big").mkdir()
    for k in range(2):
        X = rng.standard_normal((150, 8))
        color = rng.choice(["red", "blue"], 150)
        label = np.where(X[:, 0] + (color == "red") > 0.5, "yes", "no")
        rows = [
            ",".join([*(f"{v:.4f}" for v in x), c, t])
            for x, c, t in zip(X, color, label, strict=True)
        ]
        header = ",".join([*(f"x{j}" for j in range(1, 9)), "color", "label"])
        (tmp_path / "big" / f"part-{k}.csv").write_text("\n".join([header, *rows]) + "\n")
    return tmp_path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_readme_command_is_the_fast_one_and_runs_as_written(folder):
    words = shlex.split(readme_command())
    assert words[words.index("--batch-size") + 1] == "256"
    assert words[words.index("--optimizer") + 1] == "adam"
    assert int(words[words.index("--iterations") + 1]) <= 10
    command = [sys.executable, "-c", "from glassnet.cli import main; main()", *words[1:]]
    done = run(command, folder)
    assert done.returncode == 0, done.stderr
    assert re.search(r"Epoch 1 took \S+ s: the 10 epochs end in about", done.stdout), done.stdout
    assert (folder / "runs" / "big" / "model.npz").is_file()
    assert "Traceback" not in done.stderr


def test_the_readme_snippet_runs_as_a_script_and_closes_its_cluster(folder):
    snippet = readme_snippet()
    script = folder / "train_big.py"
    script.write_text(snippet + "\n    print('trained', model.n_iter_)\n")
    done = run([sys.executable, str(script)], folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "trained 10"
    assert "Traceback" not in done.stderr and "ERROR" not in done.stderr, done.stderr
