"""glassnet.runs.run: a whole run from a RunConfig, without the command line."""

import json
import os
import signal
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_moons

import glassnet as gn
from glassnet.errors import DivergenceError, InputError
from glassnet.files.model_file import load as load_model
from glassnet.runs import RunConfig, run_training, write_run_folder
from glassnet.runs.config_check import check_run
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.viz import draw_run

QUICK = RunConfig(epochs=30)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def string_label_csv(path: Path, n: int = 60) -> Path:
    """Two features; 'yes' where x1 + x2 > 0, else 'no'."""
    X = np.random.default_rng(0).normal(size=(n, 2)).round(4)
    labels = np.where(X.sum(axis=1) > 0, "yes", "no")
    return write_csv(
        path, ["x1", "x2", "answer"], [[*x, label] for x, label in zip(X, labels, strict=True)]
    )


def regression_csv(path: Path, n: int = 80) -> Path:
    """Three features and a real target y = X w + noise."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.normal(size=n)
    return write_csv(path, ["a", "b", "c", "price"], np.column_stack([X, y]).round(5).tolist())


def test_the_defaults_are_the_tutorial_network():
    config = RunConfig()
    assert (config.data, config.hidden, config.activation, config.init) == (
        "moons",
        (5,),
        ("tanh",),
        "he",
    )
    assert (config.optimizer, config.lr, config.epochs, config.batch_size) == (
        "gd",
        0.3,
        5000,
        None,
    )
    assert (config.test_size, config.standardize, config.version) == (0.2, True, gn.__version__)


def test_without_split_or_scaling_the_run_equals_the_reference_experiment():
    config = RunConfig(epochs=40, test_size=0, standardize=False, seed=0)
    result = run_training(config)
    X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
    network = gn.Network([2, 5, 1], hidden="tanh", output="sigmoid", init="he", random_state=0)
    history = gn.train(network, X, y, learning_rate=0.3, epochs=40)
    assert result.history.cost == history.cost
    np.testing.assert_array_equal(result.network.W[1], network.W[1])


def test_the_config_comes_back_resolved():
    result = run_training(QUICK)
    config = result.config
    assert (config.task, config.output, config.noise, config.n_samples) == (
        "classification",
        "sigmoid",
        0.2,
        500,
    )
    assert config.momentum is None and config.beta1 is None and config.min_delta is None


def test_the_standardizer_sees_only_the_training_part():
    result = run_training(QUICK)
    np.testing.assert_allclose(result.model.standardizer.mean_, result.parts.X_train.mean(axis=0))
    all_data_mean = result.dataset.X.mean(axis=0)
    assert not np.allclose(result.model.standardizer.mean_, all_data_mean)
    assert len(result.parts.y_train) == 400 and len(result.parts.y_test) == 100


def test_the_held_out_part_keeps_the_class_proportions():
    result = run_training(replace(QUICK, data="cancer"))
    train_share = np.mean(result.parts.y_train == 1)
    test_share = np.mean(result.parts.y_test == 1)
    assert abs(train_share - test_share) < 0.02


def test_three_classes_get_a_softmax_with_three_outputs():
    config = RunConfig(data="spiral", classes=3, optimizer="adam", lr=0.01, batch_size=32, epochs=5)
    result = run_training(config)
    assert result.network.output == "softmax" and result.network.layer_sizes[-1] == 3
    assert np.array(result.metrics["confusion_matrix"]).shape == (3, 3)
    assert result.config.beta1 == 0.9 and result.config.beta2 == 0.999


def test_string_labels_are_encoded_and_named(tmp_path):
    path = string_label_csv(tmp_path / "answers.csv")
    result = run_training(RunConfig(data=str(path), target="answer", epochs=30))
    assert result.network.output == "sigmoid"
    assert result.class_names == ["no", "yes"]
    assert result.metrics["classes"] == ["no", "yes"]
    assert set(result.model.predictions(result.output(result.parts.X_test))) <= {"no", "yes"}


def test_a_real_target_is_regression_scored_with_r2(tmp_path):
    path = regression_csv(tmp_path / "prices.csv")
    result = run_training(RunConfig(data=str(path), target="price", epochs=200))
    assert result.network.output == "identity"
    assert result.metrics["metric"] == "r2" and result.metrics["test_r2"] > 0.5
    assert "confusion_matrix" not in result.metrics


def test_validation_and_early_stopping_are_reported():
    config = replace(QUICK, epochs=500, validation=0.25, early_stopping=3, min_delta=0.01)
    result = run_training(config)
    metrics = result.metrics
    assert metrics["n_validation"] == 100 and metrics["n_train"] == 300
    assert metrics["epochs_run"] < 500 and metrics["stop_reason"].startswith("early stopping")
    assert metrics["validation_accuracy"] is not None
    assert not np.isnan(result.history.last("val_cost"))


def test_float32_trains_in_float32():
    result = run_training(replace(QUICK, dtype="float32"))
    assert result.network.W[1].dtype == np.float32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden": (4, 0)}, "hidden layer sizes must be 1 or more"),
        ({"lr": 0.0}, "learning rate"),
        ({"lr": -0.5}, "learning rate"),
        ({"activation": "swish"}, "unknown hidden activation 'swish': choose one of"),
        ({"hidden": (3, 3), "activation": ("relu", "tanh", "relu")}, "3 activations for 2"),
        ({"init": "zeros"}, "unknown initialiser"),
        ({"optimizer": "rmsprop"}, "unknown optimizer"),
        ({"momentum": 0.5}, "momentum applies only to"),
        ({"optimizer": "momentum", "momentum": 1.5}, "momentum must lie in"),
        ({"lr_schedule": "cosine"}, "unknown learning-rate schedule"),
        ({"lr_schedule": "step", "schedule_options": {"decay": 1}}, "unknown option 'decay'"),
        ({"test_size": 1.0}, "test_size must be a fraction"),
        ({"validation": 0.0}, "validation must be a fraction"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"min_delta": 0.1}, "min_delta applies only with early stopping"),
        ({"early_stopping": 0}, "patience"),
        ({"alpha": -1.0}, "alpha"),
        ({"dtype": "float16"}, "unsupported dtype"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_options_are_refused_before_any_data_is_loaded(change, message):
    with pytest.raises(InputError, match=message):
        check_run(replace(RunConfig(), **change))


def test_a_single_class_target_is_refused(tmp_path):
    path = write_csv(tmp_path / "one.csv", ["x", "y"], [[i, "a"] for i in range(10)])
    with pytest.raises(InputError, match="single class"):
        run_training(RunConfig(data=str(path), target="y", epochs=1))


def test_divergence_raises_and_writes_nothing(tmp_path):
    config = RunConfig(
        data="moons", activation="identity", lr=1e6, epochs=200, out=str(tmp_path / "run")
    )
    with pytest.raises(DivergenceError, match="learning rate"):
        run_training(config)
    assert not (tmp_path / "run").exists()


def test_the_run_folder_holds_every_file(tmp_path):
    result = run_training(QUICK)
    folder = write_run_folder(result, tmp_path / "run")
    draw_run(result, folder)
    names = {path.name for path in folder.iterdir()}
    expected = {"config.json", "history.csv", "metrics.json", "model.npz", "loss.png"}
    expected.add("manifest.json")  # written last: the data files' sizes and hashes
    pictures = {"boundary.png", "confusion.png", "roc.png", "hidden_units.png"}
    assert names == expected | pictures | {"report.html"}
    config = json.loads((folder / "config.json").read_text())
    assert config["seed"] == 0 and config["version"] == gn.__version__
    assert config["standardizer"]["mean"] == result.model.standardizer.mean_.tolist()


def test_a_rerun_in_the_same_folder_removes_what_it_does_not_write(tmp_path):
    first = run_training(QUICK)
    folder = write_run_folder(first, tmp_path / "run")
    draw_run(first, folder)
    assert (folder / "boundary.png").exists()
    second = run_training(replace(QUICK, data="cancer"))
    draw_run(second, write_run_folder(second, folder))
    assert not (folder / "boundary.png").exists()
    assert not (folder / "hidden_units.png").exists()  # cancer has 30 features
    assert (folder / "confusion.png").exists() and (folder / "roc.png").exists()
    assert "hidden_units.png" not in (folder / "report.html").read_text()


class InterruptAt(Callback):
    """Send this process a SIGINT (a Ctrl-C) at the end of epoch ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, state: TrainingState) -> None:
        if state.epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_stops_cleanly_and_the_folder_is_still_written(tmp_path):
    with pytest.warns(UserWarning, match="interrupted"):
        result = run_training(replace(QUICK, epochs=1000), callbacks=[InterruptAt(4)])
    assert result.history.interrupted and len(result.history) == 5
    assert result.metrics["interrupted"] is True and result.metrics["epochs_run"] == 5
    folder = write_run_folder(result, tmp_path / "run")
    assert (folder / "metrics.json").exists()


def test_the_saved_model_predicts_as_the_run_did(tmp_path):
    result = run_training(replace(QUICK, data="cancer"))
    folder = write_run_folder(result, tmp_path / "run")
    model = load_model(folder / "model.npz")
    expected = result.model.predictions(result.output(result.parts.X_test))
    np.testing.assert_array_equal(model.predict(result.parts.X_test), expected)
    assert model.config["seed"] == 0 and model.metrics["n_test"] == len(result.parts.y_test)


@pytest.mark.parametrize("data", ["cancer", "moons", "csv"])
def test_plot_and_evaluate_split_the_rows_the_run_split(tmp_path, data):
    from glassnet.runs.evaluation import held_out_part
    from glassnet.runs.folder import read_run_folder

    source = str(string_label_csv(tmp_path / "points.csv", n=90)) if data == "csv" else data
    target = "answer" if data == "csv" else None
    config = replace(QUICK, data=source, target=target, validation=0.25, out=str(tmp_path / "run"))
    result = run_training(config)
    folder = write_run_folder(result)
    reread = read_run_folder(folder).result
    assert reread is not None
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        made, again = getattr(result.parts, name), getattr(reread.parts, name)
        np.testing.assert_array_equal(again, made, err_msg=name)
    model = load_model(folder / "model.npz")
    X_test, y_test = held_out_part(model, source)
    if data == "csv":  # a table's held-out rows come raw; the parts hold what the network sees
        X_test = model.transform_features(X_test)
    np.testing.assert_array_equal(X_test, result.parts.X_test)
    np.testing.assert_array_equal(y_test, result.parts.y_test)
    # the three parts are the data set's rows, each row in exactly one part
    rows = np.vstack([result.parts.X_train, result.parts.X_val, result.parts.X_test])

    def in_order(X):
        return X[np.lexsort(X.T[::-1])]

    np.testing.assert_array_equal(in_order(rows), in_order(result.dataset.X))
