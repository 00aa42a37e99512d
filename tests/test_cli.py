"""The command line: ``glassnet train`` end to end, through click's CliRunner."""

import csv
import io
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

import glassnet as gn
from glassnet import cli
from glassnet.cli import train as train_command
from glassnet.cli.train import ProgressBar, progress_display
from glassnet.files.model_file import load as load_model
from glassnet.training.callbacks import Callback, TrainingState

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METRIC_KEYS = {
    "task",
    "metric",
    "final_cost",
    "epochs_run",
    "epochs_requested",
    "stop_reason",
    "interrupted",
    "best_epoch",
    "seconds",
    "n_train",
    "n_validation",
    "n_test",
}


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)


def train(*args: object) -> Result:
    return invoke("train", *args)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 1000, path


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("runs") / "moons"
    return train("--data", "moons", "--iterations", 300, "--print-every", 100, "--out", out), out


@pytest.fixture
def labelled_csv(tmp_path) -> Path:
    """Two features and text labels: 'yes' where x1 + x2 > 0, else 'no'."""
    X = np.random.default_rng(0).normal(size=(80, 2)).round(4)
    labels = np.where(X.sum(axis=1) > 0, "yes", "no")
    rows = [[*x, label] for x, label in zip(X.tolist(), labels, strict=True)]
    return write_csv(tmp_path / "answers.csv", ["x1", "x2", "answer"], rows)


@pytest.fixture
def regression_file(tmp_path) -> Path:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.normal(size=100)
    rows = np.column_stack([X, y]).round(5).tolist()
    return write_csv(tmp_path / "prices.csv", ["a", "b", "c", "price"], rows)


# --- a real run ---------------------------------------------------------------------


def test_train_prints_the_cost_every_n_iterations(moons_run):
    result, _ = moons_run
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("Cost after")]
    iterations = [int(line.split()[3].rstrip(":")) for line in lines]
    assert iterations == [0, 100, 200, 299]
    assert float(lines[-1].split()[-1]) < float(lines[0].split()[-1])


def test_train_ends_with_a_summary_and_the_confusion_matrix(moons_run):
    result, out = moons_run
    for text in ("final cost", "train accuracy", "held-out accuracy", "300 of 300", str(out)):
        assert text in result.stdout
    assert "Confusion matrix, held-out part" in result.stdout


def test_train_writes_every_file_of_the_run_folder(moons_run):
    _, out = moons_run
    assert files_in(out) == {
        "config.json",
        "history.csv",
        "metrics.json",
        "model.npz",  # no checkpoint.npz: a finished run removes it
        "loss.png",
        "boundary.png",
        "confusion.png",
        "roc.png",
        "hidden_units.png",
        "report.html",
        "manifest.json",
    }
    for name in ("loss.png", "boundary.png", "confusion.png", "roc.png", "hidden_units.png"):
        assert_png(out / name)


def test_config_json_holds_the_resolved_config_the_seed_and_the_version(moons_run):
    _, out = moons_run
    config = json.loads((out / "config.json").read_text())
    assert config["seed"] == 0 and config["version"] == gn.__version__
    assert config["hidden"] == [5] and config["activation"] == ["tanh"]
    assert config["output"] == "sigmoid" and config["lr"] == 0.3 and config["epochs"] == 300
    assert config["noise"] == 0.2 and config["n_samples"] == 500
    assert len(config["standardizer"]["mean"]) == 2


def test_history_csv_has_a_header_and_one_row_per_iteration(moons_run):
    _, out = moons_run
    with (out / "history.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["epoch", "cost"]
    assert len(rows) == 1 + 300


def test_metrics_json_has_the_scores_and_the_confusion_matrix(moons_run):
    _, out = moons_run
    metrics = json.loads((out / "metrics.json").read_text())
    assert METRIC_KEYS | {"train_accuracy", "test_accuracy", "confusion_matrix"} <= set(metrics)
    assert metrics["n_test"] == 100 and sum(map(sum, metrics["confusion_matrix"])) == 100
    assert 0.5 < metrics["test_accuracy"] <= 1


# --- other data ---------------------------------------------------------------------


def test_the_summary_counts_iterations_for_full_batch_and_epochs_for_mini_batches(tmp_path):
    full = train("--data", "xor", "--iterations", 30, "--out", tmp_path / "full")
    assert full.exit_code == 0, full.output
    assert "iterations run" in full.stdout and "epochs run" not in full.stdout
    mini = train(
        *("--data", "xor", "--epochs", 3, "--batch-size", 16, "--print-every", 1),
        *("--out", tmp_path / "mini"),
    )
    assert mini.exit_code == 0, mini.output
    assert "epochs run" in mini.stdout and "iterations run" not in mini.stdout
    assert "Cost after epoch 2:" in mini.stdout


def test_data_with_more_than_two_features_gets_no_boundary(tmp_path):
    result = train("--data", "cancer", "--iterations", 20, "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert "boundary.png" not in files_in(tmp_path / "run")
    assert_png(tmp_path / "run" / "confusion.png")


def test_a_real_target_gets_a_regression_plot_and_r2(tmp_path, regression_file):
    out = tmp_path / "run"
    result = train(
        "--data", regression_file, "--target", "price", "--iterations", 200, "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "held-out R²" in result.stdout
    assert files_in(out) == {
        "config.json",
        "history.csv",
        "metrics.json",
        "model.npz",  # no checkpoint.npz: a finished run removes it
        "loss.png",
        "regression.png",
        "report.html",
        "manifest.json",
    }
    assert_png(out / "regression.png")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["metric"] == "r2" and metrics["test_r2"] > 0.5


def test_three_class_spiral_with_adam_and_mini_batches(tmp_path):
    out = tmp_path / "run"
    result = train(
        *("--data", "spiral", "--classes", 3, "--hidden", "16,16", "--activation", "relu,tanh"),
        *("--optimizer", "adam", "--lr", 0.01, "--batch-size", 32, "--iterations", 30),
        *("--out", out),
    )
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert config["output"] == "softmax" and config["layer_sizes"] == [2, 16, 16, 3]
    assert config["batch_size"] == 32 and config["beta2"] == 0.999
    metrics = json.loads((out / "metrics.json").read_text())
    assert np.array(metrics["confusion_matrix"]).shape == (3, 3)


def test_a_csv_with_text_labels(tmp_path, labelled_csv):
    out = tmp_path / "run"
    result = train("--data", labelled_csv, "--target", "answer", "--iterations", 50, "--out", out)
    assert result.exit_code == 0, result.output
    assert files_in(out) >= {"boundary.png", "confusion.png"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["classes"] == ["no", "yes"]
    config = json.loads((out / "config.json").read_text())
    assert config["labels"]["classes"] == ["no", "yes"] and config["output"] == "sigmoid"
    model = load_model(out / "model.npz")
    assert set(model.predict([[2.0, 2.0], [-2.0, -2.0]])) == {"no", "yes"}


def test_validation_and_early_stopping_say_why_training_stopped(tmp_path):
    out = tmp_path / "run"
    result = train(
        *("--data", "moons", "--iterations", 2000, "--validation", 0.2),
        *("--early-stopping", 3, "--min-delta", 0.01, "--out", out),
    )
    assert result.exit_code == 0, result.output
    assert "early stopping at epoch" in result.stdout and "validation accuracy" in result.stdout
    assert "(validation" in result.stdout  # the cost lines show the validation cost


# --- bad input ----------------------------------------------------------------------


@pytest.fixture
def bad_csvs(tmp_path) -> dict[str, Path]:
    return {
        "text": write_csv(tmp_path / "text.csv", ["x", "y"], [[1, 0], ["high", 1], [3, 0]]),
        "nan": write_csv(tmp_path / "nan.csv", ["x", "y"], [[1, 0], ["nan", 1], [3, 0]]),
        "good": write_csv(tmp_path / "good.csv", ["x", "y"], [[1, 0], [2, 1], [3, 0]]),
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--data", "moonz"], "unknown data set 'moonz': choose one of cancer, circles, moons"),
        (["--data", "{tmp}/missing.csv", "--target", "y"], "does not exist"),
        (["--data", "{good}"], "needs a target column: pass --target"),
        (["--data", "{good}", "--target", "label"], "target column 'label' is not in"),
        (["--data", "{text}", "--target", "y"], "'high' is not a number"),
        (
            ["--data", "{nan}", "--target", "y", "--nan", "error"],
            "missing or non-finite value 'nan'",
        ),
        (["--data", "moons", "--hidden", "5,0"], "hidden layer sizes must be 1 or more"),
        (["--data", "moons", "--hidden", "five"], "--hidden takes whole numbers"),
        (["--data", "moons", "--lr", "0"], "learning rate must be a number above 0"),
        (["--data", "moons", "--lr", "-0.1"], "learning rate must be a number above 0"),
        (["--data", "moons", "--activation", "swish"], "unknown hidden activation 'swish'"),
        (["--data", "moons", "--classes", "3"], "not an option of the moons data set"),
        (["--data", "moons", "--momentum", "0.5"], "momentum applies only to"),
        (["--data", "moons", "--test-size", "1"], "test_size must be a fraction"),
        (["--data", "moons", "--schedule-option", "gamma"], "--schedule-option takes KEY=VALUE"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_code_2(tmp_path, bad_csvs, args, expected):
    paths = {"tmp": tmp_path, **bad_csvs}
    out = tmp_path / "run"
    result = train(*(arg.format(**paths) for arg in args), "--iterations", 5, "--out", out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_activation_lists_the_known_ones(tmp_path):
    result = train("--data", "moons", "--activation", "swish", "--out", tmp_path / "run")
    assert "choose one of identity, leaky_relu, relu, sigmoid, tanh" in result.stderr


def test_click_usage_errors_keep_clicks_format():
    result = train("--data", "moons", "--init", "zeros")
    assert result.exit_code == 2
    assert "Usage: glassnet train" in result.stderr and "'zeros' is not one of" in result.stderr


def test_a_diverging_run_exits_2_names_the_learning_rate_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = train(
        *("--data", "cancer", "--no-standardize", "--activation", "identity"),
        *("--lr", "1e6", "--iterations", 100, "--out", out),
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: training diverged") and "learning rate" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


# --- reproducibility, defaults, the group -----------------------------------------


def test_the_same_seed_gives_the_same_history(tmp_path):
    def history(seed: int, name: str) -> str:
        out = tmp_path / name
        result = train(
            *("--data", "xor", "--iterations", 40, "--seed", seed, "--out", out, "--overwrite")
        )
        assert result.exit_code == 0, result.output
        return (out / "history.csv").read_text()

    assert history(7, "a") == history(7, "b")
    assert history(7, "a") != history(8, "c")


def test_without_print_every_off_a_terminal_the_cost_is_printed_ten_times(tmp_path):
    result = train("--data", "xor", "--iterations", 50, "--out", tmp_path / "run")
    lines = [line for line in result.stdout.splitlines() if line.startswith("Cost after")]
    assert len(lines) == 11  # iterations 0, 5, ..., 45 and the last, 49


def test_the_default_run_folder_is_runs_data_timestamp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = train("--data", "xor", "--iterations", 5)
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.startswith("xor-") and (folder / "config.json").exists()


def test_version_and_help():
    assert invoke("--version").stdout.strip() == f"glassnet {gn.__version__}"
    group_help = invoke("--help").stdout
    assert "train" in group_help
    train_help = train("--help").stdout
    for option in ("--data", "--hidden", "--lr", "--iterations, --epochs", "--early-stopping"):
        assert option in train_help
    assert "Default: 0.3" in train_help and "Default: 5000" in train_help


# --- Ctrl-C and the progress bar ----------------------------------------------------


class InterruptAt(Callback):
    """Send this process a SIGINT (a Ctrl-C) at the end of epoch ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, state: TrainingState) -> None:
        if state.epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_ends_the_run_cleanly_and_writes_the_folder(tmp_path, monkeypatch):
    real_run = train_command.run_training
    monkeypatch.setattr(
        train_command,
        "run_training",
        lambda config, callbacks=(), **hooks: real_run(config, [InterruptAt(9)], **hooks),
    )
    out = tmp_path / "run"
    result = train("--data", "moons", "--iterations", 5000, "--out", out)
    assert result.exit_code == cli.EXIT_INTERRUPTED
    assert "Interrupted (Ctrl-C) after 10 of 5000 iterations" in result.stdout
    assert "Traceback" not in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["epochs_run"] == 10
    assert "confusion.png" in files_in(out)


def test_the_progress_bar_follows_the_epochs():
    console = Console(file=io.StringIO(), force_terminal=False)
    with progress_display(console) as progress:
        bar = ProgressBar(progress)
        network = gn.Network([2, 3, 1], hidden="tanh", random_state=0)
        X = np.random.default_rng(0).normal(size=(20, 2))
        gn.train(network, X, (X[:, 0] > 0).astype(int), epochs=7, callbacks=[bar])
    (task,) = progress.tasks
    assert task.completed == task.total == 7
    assert np.isfinite(float(task.fields["cost"]))
