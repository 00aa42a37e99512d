"""``--beta2`` is judged against the optimizer the run will use: the recipe's, unless given.

The tabular recipe chooses AdamW, so ``--beta2`` on a CSV is the user's Adam beta2;
with ``--optimizer gd``, or on a bundled set (the tutorial's gradient descent), it is
refused, naming the fix.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from glassnet import cli
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig
from glassnet.runs.config_check import check_run

REFUSED = "beta2 applies only to the adam and adamw optimizer(s), not to 'gd'"


def invoke(*args: object) -> Result:
    runner = CliRunner(env={"COLUMNS": "200"})
    return runner.invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def table_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=300).round(3), rng.normal(size=300).round(3)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "y": np.where(x1 + x2 > 0, "yes", "no")})
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    return path


def saved_config(folder: Path) -> dict[str, object]:
    return json.loads((folder / "config.json").read_text())


def test_beta2_with_the_recipes_optimizer_is_the_runs_beta2(tmp_path, table_file):
    out = tmp_path / "run"
    args = ["--target", "y", "--epochs", "2", "--out", out, "--no-plots"]
    result = invoke("train", "--data", table_file, "--beta2", "0.9", *args)
    assert result.exit_code == 0, result.output
    config = saved_config(out)
    assert (config["optimizer"], config["beta2"]) == ("adamw", 0.9)
    assert config["recipe_reasons"]["beta2"] == "given"  # type: ignore[index]


def test_beta2_with_a_given_adam_is_kept(tmp_path, table_file):
    out = tmp_path / "run"
    args = ["--target", "y", "--epochs", "2", "--out", out, "--no-plots"]
    result = invoke("train", "--data", table_file, "--optimizer", "adam", "--beta2", "0.8", *args)
    assert result.exit_code == 0, result.output
    config = saved_config(out)
    assert (config["optimizer"], config["beta2"]) == ("adam", 0.8)
    assert config["weight_decay"] is None  # the recipe's AdamW decay is no option of Adam
    assert "weight_decay" not in config["recipe_reasons"]  # type: ignore[operator]


@pytest.mark.parametrize("order", ["optimizer first", "beta2 first"])
def test_beta2_with_gradient_descent_given_is_refused(tmp_path, table_file, order):
    options = ["--optimizer", "gd", "--beta2", "0.9"]
    if order == "beta2 first":
        options = options[2:] + options[:2]
    out = tmp_path / "run"
    result = invoke("train", "--data", table_file, "--target", "y", *options, "--out", out)
    assert result.exit_code == 2
    assert REFUSED in result.output and "--optimizer" in result.output
    assert not out.exists()


def test_beta2_on_a_bundled_set_is_refused_as_the_tutorial_trains_with_gd(tmp_path):
    result = invoke("train", "--data", "moons", "--beta2", "0.9", "--out", tmp_path / "run")
    assert result.exit_code == 2 and REFUSED in result.output


def test_check_run_leaves_the_optimizers_options_to_the_recipe_only_while_it_chooses():
    open_choice = check_run(RunConfig(recipe="auto", beta2=0.9)).config
    assert open_choice.optimizer == "gd" and open_choice.beta2 is None  # checked again later
    refused = [
        RunConfig(recipe="tutorial", beta2=0.9),
        RunConfig(recipe="auto", beta2=0.9, pinned=("optimizer",)),  # --optimizer gd given
        RunConfig(recipe="tabular", momentum=0.5, optimizer="adam"),
        RunConfig(recipe="auto", beta2=0.9, resume_from="run/model.npz"),  # no recipe then
    ]
    for config in refused:
        with pytest.raises(InputError, match="applies only to the"):
            check_run(config)
