"""Start-up imports only what a command uses, and a run's pictures come after its model.

``import glassnet`` and ``glassnet --help`` run in a fresh interpreter (a subprocess: this
one has imported everything already), which then lists the heavy modules it loaded.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from glassnet import cli
from glassnet.cli import train as train_command

HEAVY = ("matplotlib", "pandas", "sklearn", "scipy", "dask", "starlette", "torch")
REPORT = "import sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


def loaded_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\n{REPORT}"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1])) & set(HEAVY)


def test_import_glassnet_loads_no_heavy_library():
    assert loaded_after("import glassnet") == set()


def test_the_tabular_estimators_are_imported_on_first_use():
    assert loaded_after("import glassnet; glassnet.TabularClassifier") >= {"pandas", "sklearn"}


def test_glassnet_help_draws_nothing():
    code = (
        "import sys; sys.argv = ['glassnet', '--help']\n"
        "from glassnet.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    loaded = loaded_after(code)
    assert "matplotlib" not in loaded and "dask" not in loaded and "torch" not in loaded


@pytest.fixture
def table_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    frame = pd.DataFrame({"x": x, "y": np.where(x > 0, "yes", "no")})
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("no_plots", [False, True])
def test_pictures_are_drawn_after_the_model_is_saved(tmp_path, table_file, monkeypatch, no_plots):
    seen: list[bool] = []

    def draw_run(result: object, folder: Path) -> None:
        seen.append((folder / "model.npz").is_file())  # the model is on disk already

    monkeypatch.setattr(train_command, "draw_run", draw_run)
    args = ["train", "--data", str(table_file), "--target", "y", "--epochs", "3"]
    args += ["--out", str(tmp_path / "run"), *(["--no-plots"] if no_plots else [])]
    result = CliRunner().invoke(cli.cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert seen == ([] if no_plots else [True])
