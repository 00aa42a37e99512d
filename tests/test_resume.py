"""``glassnet train --resume RUN_FOLDER``: training continues where the saved model left it."""

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from glassnet import cli
from glassnet.core.network import Network
from glassnet.files.model_file import load, save
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training


def train(*args: object) -> Result:
    arguments = ["train", *(str(arg) for arg in args)]
    return CliRunner().invoke(cli.cli, arguments, catch_exceptions=False)


def costs(folder: Path) -> list[float]:
    with (folder / "history.csv").open(newline="") as handle:
        return [float(row["cost"]) for row in csv.DictReader(handle)]


def config_of(folder: Path) -> dict:
    return json.loads((folder / "config.json").read_text())


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "first"
    ok(train("--data", "moons", "--iterations", 200, "--lr", 0.5, "--out", out))
    return out


@pytest.fixture(scope="module")
def resumed_run(first_run) -> Path:
    out = first_run.parent / "resumed"
    ok(train("--resume", first_run, "--iterations", 50, "--out", out))
    return out


def test_the_resumed_run_starts_where_the_first_one_ended(first_run, resumed_run):
    before, after = costs(first_run), costs(resumed_run)
    assert len(after) == 50  # --iterations: how many more
    assert after[0] == pytest.approx(before[-1], rel=1e-3)  # not the untrained cost
    assert after[0] < before[-1] < before[0] / 1.5
    assert after[-1] < after[0]


def test_the_saved_options_are_the_defaults(first_run, resumed_run):
    first, resumed = config_of(first_run), config_of(resumed_run)
    assert resumed["resume_from"] == str(first_run / "model.npz")
    assert resumed["epochs"] == 50 and first["epochs"] == 200
    for option in ("data", "lr", "hidden", "activation", "seed", "noise", "n_samples", "test_size"):
        assert resumed[option] == first[option], option
    metrics = json.loads((resumed_run / "metrics.json").read_text())
    assert metrics["n_test"] == 100  # the same split: the held-out part stays unseen


def test_the_standardizer_and_the_classes_are_kept(tmp_path):
    X = np.random.default_rng(0).normal([5.0, -3.0], [2.0, 0.1], size=(80, 2)).round(4)
    labels = np.where(X[:, 0] - 5 + 10 * (X[:, 1] + 3) > 0, "yes", "no")
    data = tmp_path / "answers.csv"
    data.write_text(
        "x1,x2,answer\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, labels, strict=True))
    )
    first, resumed = tmp_path / "first", tmp_path / "resumed"
    ok(
        train(
            "--data",
            data,
            "--target",
            "answer",
            "--iterations",
            40,
            "--out",
            first,
            "--recipe",
            "tutorial",
        )
    )
    ok(train("--resume", first, "--iterations", 10, "--out", resumed))
    before, after = load(first / "model.npz"), load(resumed / "model.npz")

    def scaler(model):  # a CSV's features are standardised inside its preprocessor
        return model.preprocessor.named_transformers_["numeric"].named_steps["scale"]

    np.testing.assert_array_equal(scaler(after).mean_, scaler(before).mean_)
    np.testing.assert_array_equal(scaler(after).scale_, scaler(before).scale_)
    assert after.classes_.tolist() == before.classes_.tolist() == ["no", "yes"]
    assert after.feature_names == ["x1", "x2"] and after.target_name == "answer"
    assert config_of(resumed)["labels"] == config_of(first)["labels"]


def test_after_a_crash_the_checkpoint_alone_resumes_exactly(first_run, tmp_path):
    crashed = tmp_path / "crashed"  # first_run's training, its folder never written: a crash
    run_training(RunConfig(data="moons", epochs=200, lr=0.5, out=str(crashed)))
    assert [path.name for path in crashed.iterdir()] == ["checkpoint.npz"]  # no config.json
    out = tmp_path / "resumed"
    ok(train("--resume", crashed, "--iterations", 5, "--out", out))
    assert config_of(out)["resume_from"] == str(crashed / "checkpoint.npz")
    saved = load(crashed / "checkpoint.npz").metrics  # the best epoch's cost, and its weights
    assert costs(out)[0] == pytest.approx(saved["cost"], rel=1e-12)
    assert saved["best_epoch"] == 199


def test_options_given_override_and_out_may_be_the_same_folder(first_run, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(first_run, folder)
    old_model = (folder / "model.npz").read_bytes()
    args = ("--optimizer", "adam", "--lr", 0.01, "--iterations", 20, "--batch-size", 50)
    ok(train("--resume", folder, *args, "--out", folder))
    config = config_of(folder)
    assert (config["optimizer"], config["lr"], config["epochs"]) == ("adam", 0.01, 20)
    assert (config["beta1"], config["momentum"], config["batch_size"]) == (0.9, None, 50)
    assert config["resume_from"] == str(folder / "model.npz")
    assert (folder / "model.npz").read_bytes() != old_model and len(costs(folder)) == 20


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no such folder", "there is no such run folder or model file"),
        ("empty folder", "holds neither model.npz nor checkpoint.npz"),
        ("bare network", "holds a Network, not a trained model"),
        ("other network", "hidden is 7 but the model resumed from has 5"),
        ("other data", "the data's features (mean radius, mean texture"),
        ("no data", "Missing option '--data' (or --resume RUN_FOLDER)"),
    ],
)
def test_every_error_exits_2_with_one_line(first_run, tmp_path, case, expected):
    args: list[object] = ["--resume", first_run, "--iterations", 5, "--out", tmp_path / "out"]
    if case == "no such folder":
        args[1] = tmp_path / "absent"
    elif case == "empty folder":
        args[1] = tmp_path
    elif case == "bare network":
        args[1] = save(Network([2, 5, 1], "tanh", random_state=0), tmp_path / "net.npz")
    elif case == "other network":
        args += ["--hidden", 7]
    elif case == "other data":
        args += ["--data", "cancer"]
    elif case == "no data":
        args = ["--iterations", 5]
    result = train(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    if case != "no data":  # click's own usage errors keep click's format
        assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_run_folder_that_named_gradient_descent_sgd_still_resumes(first_run, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    model = load(first_run / "model.npz")
    assert model.config["optimizer"] == "gd"
    model.config = {**model.config, "optimizer": "sgd"}  # as glassnet 0.1.0 wrote it
    save(model, old / "model.npz")
    out = tmp_path / "resumed"
    ok(train("--resume", old, "--iterations", 5, "--out", out))
    assert config_of(out)["optimizer"] == "gd"
    assert costs(out)[0] == pytest.approx(costs(first_run)[-1], rel=1e-3)


def test_a_european_export_with_dates_resumes_read_as_before(tmp_path):
    """The sniffed number format is saved with the run, and the date columns are the model's:
    a resumed run reads ``893.366,34`` as 893366.34 again and trains on the same columns."""
    from messy_export import write_messy_export

    data, first, resumed = tmp_path / "messy.csv", tmp_path / "first", tmp_path / "resumed"
    write_messy_export(data)
    common = ("--no-plots", "--no-progress", "--seed", 3)
    ok(train("--data", data, "--target", "price_eur", "--epochs", 6, "--out", first, *common))
    saved = config_of(first)
    assert (saved["sep"], saved["decimal"], saved["thousands"]) == (";", ",", ".")
    assert "listed_on" in saved["columns"]["dates"]
    ok(train("--resume", first, "--epochs", 2, "--out", resumed, *common))
    before, after = costs(first), costs(resumed)
    assert after[0] < before[0]  # it starts from the saved weights, not afresh
    assert config_of(resumed)["columns"] == saved["columns"]


def test_a_plain_csv_records_no_number_format(tmp_path):
    data = tmp_path / "plain.csv"
    rows = ["a,b,y", *(f"{i / 10},{(i * 7) % 5},{i % 2}" for i in range(60))]
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    ok(train("--data", data, "--target", "y", "--epochs", 2, "--out", out, "--no-plots"))
    assert (config_of(out)["decimal"], config_of(out)["thousands"]) == (None, None)
