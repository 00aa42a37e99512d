"""The tabular recipe: its choices for small and large tables, and ``glassnet train`` on a CSV.

A CSV gets the recipe by default and says so (summary, config.json); ``--recipe tutorial``
gives the tutorial's network; an option on the command line overrides the recipe; the
model (embedding F and P, robust scaling) survives save, load and ``glassnet predict``.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

import glassnet
from glassnet import cli
from glassnet.data.robust_scaling import RobustScaling
from glassnet.runs.config import RunConfig
from glassnet.runs.recipe import TableShape, apply_recipe
from glassnet.runs.run import run_training

RNG = np.random.default_rng(0)
N = 400
X1, X2 = RNG.normal(size=N).round(3), RNG.normal(size=N).round(3)
TABLE = pd.DataFrame(
    {
        "x1": X1,
        "x2": np.where(RNG.random(N) < 0.05, np.nan, X2),
        "colour": np.where(X1 > 0, "red", "blue"),
        "label": np.where(np.sin(2 * X1) + X2 > 0, "yes", "no"),
    }
)


def invoke(*args: object) -> Result:
    runner = CliRunner(env={"COLUMNS": "200"})
    return runner.invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def table_file(tmp_path: Path) -> Path:
    path = tmp_path / "table.csv"
    TABLE.to_csv(path, index=False)
    return path


def test_a_small_table_gets_a_small_regularised_network():
    config = apply_recipe(RunConfig(), TableShape(300, 12, classification=True), "tabular")
    assert config.hidden == (64, 64) and config.dropout == 0.15
    assert config.weight_decay == 1.0  # the recipe's decay from 200 to 2,000 rows, was 0.05
    assert config.embedding == 8  # 12 * (1 + 8) = 108 first-layer inputs, under 600
    assert config.optimizer == "adamw" and config.beta2 == 0.95 and config.label_smoothing == 0.1
    assert config.batch_size == 32 and config.validation == 0.2 and config.scaling == "robust"
    assert config.lr_schedule == "warmup_cosine"
    assert "300 training rows" in config.recipe_reasons["dropout"]


def test_a_large_table_gets_a_wider_deeper_network_with_less_regularisation():
    config = apply_recipe(RunConfig(), TableShape(50_000, 100, classification=False), "tabular")
    assert config.hidden == (256, 256, 256) and config.dropout == 0.05
    assert config.weight_decay == 0.01 and config.batch_size == 256
    assert config.embedding == 5  # 100 * (1 + 5) = 600 first-layer inputs
    assert config.label_smoothing == 0.0  # a regression target is not smoothed
    assert config.epochs == 30  # 157 steps an epoch: the floor of 30 epochs


def test_a_tiny_table_holds_out_no_validation_part_and_a_wide_one_no_embedding():
    config = apply_recipe(RunConfig(), TableShape(100, 700, classification=True), "tabular")
    assert config.validation is None and config.early_stopping is None
    assert config.embedding is None


@pytest.mark.parametrize("rows", [200, 249])
def test_a_table_of_200_rows_or_more_keeps_its_best_epoch_and_a_regression_decays(rows):
    config = apply_recipe(RunConfig(), TableShape(rows, 10, classification=False), "tabular")
    assert config.validation == 0.2 and config.early_stopping == 66  # 200 epochs / 3
    assert (
        config.weight_decay == 5.0  # was 1.0: the recipe's decay of a regression of 200 rows
        and "regression of 200 to 2,000" in config.recipe_reasons["weight_decay"]
    )
    tiny = apply_recipe(RunConfig(), TableShape(199, 10, classification=False), "tabular")
    assert tiny.validation is None and tiny.weight_decay == 0.05


@pytest.mark.parametrize("rows, decay", [(199, 0.05), (200, 1.0), (1999, 1.0), (2000, 0.02)])
def test_a_classifier_decays_as_a_regression_does_from_200_to_2000_rows(rows, decay):
    config = apply_recipe(RunConfig(), TableShape(rows, 10, classification=True), "tabular")
    assert config.weight_decay == decay


def test_a_value_set_in_the_config_or_pinned_is_kept():
    given = RunConfig(hidden=(7,), lr=0.3, pinned=("lr",))  # lr 0.3 is the default: pinned
    config = apply_recipe(given, TableShape(5000, 10, classification=True), "tabular")
    assert config.hidden == (7,) and config.lr == 0.3
    assert config.recipe_reasons["hidden"] == config.recipe_reasons["lr"] == "given"
    assert config.optimizer == "adamw"


def test_a_csv_trains_with_the_recipe_and_says_so(tmp_path, table_file):
    out = tmp_path / "run"
    result = invoke("train", "--data", table_file, "--target", "label", "--out", out, "--no-plots")
    assert result.exit_code == 0, result.output
    assert "Recipe: tabular" in result.stdout and "beta2 = 0.95" in result.stdout
    record = json.loads((out / "config.json").read_text())
    assert record["recipe"] == "tabular" and record["hidden"] == [64, 64]
    assert "320 training rows" in record["recipe_reasons"]["hidden"]
    assert not list(out.glob("*.png"))  # --no-plots
    model = glassnet.load(out / "model.npz")
    assert model.network.embedding is not None
    scaler = model.preprocessor.named_transformers_["numeric"].named_steps["scale"]
    assert isinstance(scaler, RobustScaling)
    assert json.loads((out / "metrics.json").read_text())["test_accuracy"] > 0.8


def test_recipe_tutorial_on_a_csv_gives_the_tutorial_network(tmp_path, table_file):
    out = tmp_path / "run"
    args = ("--target", "label", "--iterations", 50, "--out", out, "--no-plots")
    result = invoke("train", "--data", table_file, "--recipe", "tutorial", *args)
    assert result.exit_code == 0, result.output
    saved = glassnet.load(out / "model.npz")
    old = run_training(RunConfig(data=str(table_file), target="label", epochs=50)).model
    assert saved.network.layer_sizes == old.network.layer_sizes == [4, 5, 1]
    assert saved.network.embedding is None and saved.network.hidden == ["tanh"]
    for mine, theirs in zip(saved.network.parameters(), old.network.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_an_option_on_the_command_line_overrides_the_recipe(tmp_path, table_file):
    out = tmp_path / "run"
    args = ("--target", "label", "--out", out, "--no-plots", "--iterations", 5)
    result = invoke("train", "--data", table_file, *args, "--hidden", "16", "--lr", "0.3")
    assert result.exit_code == 0, result.output
    record = json.loads((out / "config.json").read_text())
    assert record["hidden"] == [16] and record["lr"] == 0.3 and record["epochs"] == 5
    assert record["recipe_reasons"]["hidden"] == "given" == record["recipe_reasons"]["lr"]
    assert record["optimizer"] == "adamw"  # not given: the recipe's


def test_the_recipes_model_round_trips_bit_for_bit_and_predicts_the_same(tmp_path, table_file):
    out = tmp_path / "run"
    args = ("--target", "label", "--out", out, "--no-plots", "--iterations", 10)
    assert invoke("train", "--data", table_file, *args).exit_code == 0
    model = glassnet.load(out / "model.npz")
    glassnet.save(model, tmp_path / "again.npz")
    again = glassnet.load(tmp_path / "again.npz")
    assert (tmp_path / "again.npz").read_bytes() == (out / "model.npz").read_bytes()
    for mine, theirs in zip(model.network.parameters(), again.network.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    predicted = tmp_path / "predicted.csv"
    result = invoke("predict", out / "model.npz", "--csv", table_file, "--out", predicted)
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(predicted)
    features = TABLE.drop(columns="label")
    proba = again.predict_proba(features)[:, 1]
    np.testing.assert_allclose(rows["probability_yes"], proba, rtol=1e-12)
