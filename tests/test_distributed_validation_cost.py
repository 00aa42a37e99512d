"""A cluster run's validation cost is the one a single-machine run records: the loss over
the validation rows plus the L2 term, (l2 / 2) sum_l ||W[l]||^2 with l2 = alpha / n_fit,
so early stopping and the checkpoint watch the same number on a cluster as on one machine.

Each run's last epoch is checked against its own files: the validation loss (metrics.json,
without the L2 term) plus the L2 term computed here with NumPy from model.npz's weights.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")
pytest.importorskip("dask_ml")


import glassnet
from glassnet import cli

pytestmark = pytest.mark.filterwarnings("ignore:Port .* is already in use")  # no dashboard asked

ALPHA = 2.0


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """part-0.csv, part-1.csv (two chunks) and all.csv (their rows): two features, a label."""
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(1)
    frames = []
    for i, n in enumerate((160, 140)):
        x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
        label = np.where(2 * x1 - x2 + 0.5 * rng.standard_normal(n) > 0, "yes", "no")
        frames.append(pd.DataFrame({"x1": x1, "x2": x2, "label": label}))
        frames[-1].to_csv(folder / f"part-{i}.csv", index=False)
    pd.concat(frames).to_csv(folder / "all.csv", index=False)
    return folder


def train(*args: object) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    options = ["--target", "label", "--alpha", ALPHA, "--validation", 0.3, "--iterations", 15,
               "--lr", 0.5, "--seed", 3, "--hidden", 8, "--no-progress"]  # fmt: skip
    result = runner.invoke(
        cli.cli, ["train", *(str(arg) for arg in (*args, *options))], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("where", ["cluster", "one machine"])
def test_the_validation_cost_includes_the_l2_term(where, tcp_cluster, files, tmp_path):
    out = tmp_path / "run"
    if where == "cluster":
        train("--dask", tcp_cluster, "--data", files / "part-*.csv", "--out", out)
    else:
        train("--data", files / "all.csv", "--recipe", "tutorial", "--out", out)
    metrics = json.loads((out / "metrics.json").read_text())
    W = glassnet.load(out / "model.npz").network.W.values()  # the last epoch's weights
    l2 = ALPHA / metrics["n_train"]  # alpha / n over the fit part
    l2_term = 0.5 * l2 * sum(float(np.sum(w**2)) for w in W)  # (l2 / 2) sum_l ||W[l]||^2
    assert l2_term > 0.01 * metrics["validation_cost"]  # large enough to be seen
    val_cost = pd.read_csv(out / "history.csv")["val_cost"].iloc[-1]
    assert val_cost == pytest.approx(metrics["validation_cost"] + l2_term, rel=1e-9, abs=0)
