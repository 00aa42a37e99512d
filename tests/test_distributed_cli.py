"""``glassnet train --dask``: a run on a real LocalCluster, the same run folder as on one machine.

One LocalCluster of two worker processes serves the module (passed as tcp://...). The
data is three CSV files of unequal sizes (a glob: several chunks). The single-machine
run it is compared with trains on the rows the cluster run kept, found independently
of the run: the files read as text and each row's part computed from its cells.
"""

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from sklearn.metrics import r2_score

pytest.importorskip("distributed")
pytest.importorskip("dask_ml")

from distributed import LocalCluster

import glassnet
from glassnet import cli
from glassnet.distributed.frames import read_frame
from glassnet.distributed.hashed_split import TEST, part_labels
from glassnet.training.callbacks import Callback

ROWS = (150, 230, 95)  # three files, three chunk sizes
ITERATIONS = 40
TEST_SIZE = 0.25
SEED = 3
FORMS = "'local', 'local:N'"  # the accepted forms, as connect's errors list them


def invoke(*args: object) -> Result:
    runner = CliRunner(env={"COLUMNS": "200"})
    return runner.invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def weights(folder: Path) -> list[np.ndarray]:
    return glassnet.load(folder / "model.npz").network.parameters()


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """part-0.csv .. part-2.csv: two numeric features, a category, a yes/no label, a price."""
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for i, n in enumerate(ROWS):
        x1, x2 = rng.standard_normal(n), rng.standard_normal(n) * 3 + 1
        city = rng.choice(["north", "south", "west"], n)
        logit = 2 * x1 - x2 / 3 + (city == "west")
        label = np.where(logit + 0.5 * rng.standard_normal(n) > 0, "yes", "no")
        price = 50 + 10 * x1 + 4 * x2 + 5 * (city == "north") + rng.standard_normal(n)
        frame = pd.DataFrame({"x1": x1, "x2": x2, "city": city, "label": label, "price": price})
        frame.to_csv(folder / f"part-{i}.csv", index=False)
    return folder


def run_options(*extra: object) -> list[object]:
    return ["--target", "label", "--drop", "price", "--seed", SEED, "--lr", 0.5, "--no-progress",
            *extra]  # fmt: skip


@pytest.fixture(scope="module")
def dask_run(cluster, files, tmp_path_factory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("runs") / "dask"
    data = files / "part-*.csv"
    result = ok(
        invoke(
            "train", "--dask", cluster, "--data", data, "--iterations", ITERATIONS,
            "--test-size", TEST_SIZE, "--out", out, *run_options(),
        )
    )  # fmt: skip
    return out, result


@pytest.fixture(scope="module")
def rows(files) -> pd.DataFrame:
    """Every row as text, in file order, with its part (TEST: held out) from its cells."""
    frame = read_frame(str(files / "part-*.csv")).compute().reset_index(drop=True)
    frame["part"] = part_labels(frame, TEST_SIZE, None, SEED)
    return frame


@pytest.fixture(scope="module")
def single_run(rows, tmp_path_factory) -> Path:
    """One process on the rows the cluster trained on, nothing held out."""
    folder = tmp_path_factory.mktemp("single")
    kept = rows[rows["part"] != TEST].drop(columns="part")  # the cells as the files hold them
    kept.to_csv(folder / "kept.csv", index=False)
    ok(
        invoke(
            "train", "--data", folder / "kept.csv", "--iterations", ITERATIONS,
            "--test-size", 0, "--out", folder / "run", *run_options(),
            "--recipe", "tutorial",  # the cluster's: a --dask run trains the options as given
        )
    )  # fmt: skip
    return folder / "run"


def test_the_run_folder_holds_a_single_machine_runs_files(dask_run, single_run):
    folder, _ = dask_run
    names = {path.name for path in folder.iterdir()}
    assert names == {path.name for path in single_run.iterdir()}
    assert {"model.npz", "history.csv", "metrics.json", "config.json", "report.html"} <= names


def test_full_batch_weights_equal_the_single_machine_run_on_the_same_rows(dask_run, single_run):
    folder, _ = dask_run
    for on_cluster, alone in zip(weights(folder), weights(single_run), strict=True):
        np.testing.assert_allclose(on_cluster, alone, rtol=0, atol=1e-10)
    history = pd.read_csv(folder / "history.csv")
    assert len(history) == ITERATIONS
    np.testing.assert_allclose(
        history["cost"], pd.read_csv(single_run / "history.csv")["cost"], rtol=1e-12
    )


def test_the_held_out_rows_are_the_hashed_ones_and_the_model_predicts_them(dask_run, rows):
    folder, _ = dask_run
    model = glassnet.load(folder / "model.npz")
    held = rows[rows["part"] == TEST]
    features = held[["x1", "x2", "city"]].astype({"x1": float, "x2": float})
    predicted = model.predict(features)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["n_test"] == len(held)
    assert metrics["n_train"] == sum(ROWS) - len(held)
    accuracy = float(np.mean(predicted == held["label"].to_numpy()))
    assert metrics["test_accuracy"] == pytest.approx(accuracy, abs=1e-12)
    assert accuracy > 0.8


def test_the_summary_names_the_cluster_workers_and_rounds(dask_run, cluster):
    _, result = dask_run
    assert cluster in result.output
    assert "2 worker(s)" in result.output
    assert f"{ITERATIONS}: full batch (exact)" in result.output
    config = json.loads((dask_run[0] / "config.json").read_text())
    assert config["cluster"]["rounds"] == ITERATIONS
    assert config["cluster"]["chunks"] == len(ROWS)


def test_regression_scores_are_those_of_the_model_file_on_the_held_out_rows(
    cluster, files, rows, tmp_path
):
    out = tmp_path / "price"
    ok(
        invoke(
            "train", "--dask", cluster, "--data", files / "part-*.csv", "--target", "price",
            "--drop", "label", "--iterations", 60, "--test-size", TEST_SIZE, "--seed", SEED,
            "--lr", 0.3, "--out", out, "--no-progress",
        )
    )  # fmt: skip
    metrics = json.loads((out / "metrics.json").read_text())
    held = rows[rows["part"] == TEST]
    features = held[["x1", "x2", "city"]].astype({"x1": float, "x2": float})
    truth = held["price"].astype(float).to_numpy()
    predicted = glassnet.load(out / "model.npz").predict(features)
    assert metrics["test_r2"] == pytest.approx(r2_score(truth, predicted), abs=1e-10)
    rmse = float(np.sqrt(np.mean((truth - predicted) ** 2)))
    assert metrics["test_rmse"] == pytest.approx(rmse, rel=1e-10)
    assert metrics["test_r2"] > 0.8


def test_local_sgd_with_validation_and_early_stopping(cluster, files, tmp_path):
    out = tmp_path / "sgd"
    result = ok(
        invoke(
            "train", "--dask", cluster, "--data", files / "part-*.csv", "--iterations", 200,
            "--batch-size", 16, "--local-steps", 3, "--optimizer", "adam", "--validation", 0.3,
            "--early-stopping", 3, "--min-delta", 0.01, "--out", out, *run_options("--lr", 0.05),
        )
    )  # fmt: skip
    history = pd.read_csv(out / "history.csv")
    assert history["val_cost"].notna().all()
    assert len(history) < 200  # stopped early
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["stop_reason"].startswith("early stopping")
    assert metrics["n_validation"] > 0
    assert "local SGD, K = 3 local steps a round" in result.output


@pytest.mark.parametrize("address", ["local:zero", "udp://127.0.0.1:8786", "cluster"])
def test_an_unknown_dask_address_is_refused_with_the_accepted_forms(address, files, tmp_path):
    result = invoke("train", "--dask", address, "--data", files / "part-0.csv", "--target", "label")
    assert result.exit_code == 2
    assert address in result.output
    assert FORMS in result.output or "'local:2'" in result.output


def test_an_unreachable_scheduler_is_named(files, tmp_path):
    address = "tcp://127.0.0.1:9"
    result = invoke("train", "--dask", address, "--data", files / "part-0.csv", "--target", "label")
    assert result.exit_code == 2
    assert f"no Dask scheduler answered at {address}" in result.output


def test_local_steps_need_dask_and_mini_batches(files, cluster):
    data = files / "part-0.csv"
    alone = invoke("train", "--data", data, "--target", "label", "--local-steps", 5)
    assert alone.exit_code == 2 and "--local-steps applies to a run on a cluster" in alone.output
    exact = invoke(
        "train", "--dask", cluster, "--data", data, "--target", "label", "--local-steps", 5
    )
    assert exact.exit_code == 2 and "--local-steps applies to local SGD" in exact.output


def test_a_bundled_data_set_is_refused_before_any_cluster_starts():
    result = invoke("train", "--dask", "local:2", "--data", "moons")
    assert result.exit_code == 2
    assert "--data moons is a bundled data set that fits in memory" in result.output


class CloseTheCluster(Callback):
    """Close the cluster (its scheduler with it) at the end of one epoch."""

    def __init__(self, cluster: LocalCluster, epoch: int) -> None:
        self.cluster, self.epoch = cluster, epoch

    def on_epoch_end(self, state) -> None:
        if state.epoch == self.epoch:
            self.cluster.close()


def test_a_diverging_cluster_run_exits_2_and_leaves_no_model_behind(cluster, files, tmp_path):
    out = tmp_path / "run"
    result = invoke(
        "train", "--dask", cluster, "--data", files / "part-*.csv", "--target", "price",
        "--no-standardize", "--activation", "identity", "--lr", "1e6", "--iterations", 20,
        "--seed", SEED, "--out", out, "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: training diverged") and "learning rate" in result.stderr
    assert not out.exists()  # the best round's checkpoint was written, then taken back


@pytest.mark.filterwarnings("ignore:Port .* is already in use")  # no dashboard is asked for
def test_a_lost_scheduler_leaves_a_checkpoint_and_resume_finishes(
    cluster, files, tmp_path, monkeypatch
):
    from glassnet.runs import config_check  # check_run builds the run's callbacks there

    data, epochs = files / "part-*.csv", 5
    doomed = LocalCluster(
        n_workers=1, processes=False, protocol="tcp", dashboard_address=None,
        silence_logs=logging.ERROR,
    )  # fmt: skip
    own_callbacks = config_check.training_callbacks  # what the run's one check builds
    monkeypatch.setattr(
        config_check,
        "training_callbacks",
        lambda config: [*own_callbacks(config), CloseTheCluster(doomed, 2)],
    )
    lost_at = doomed.scheduler_address
    stopped = invoke(
        "train", "--dask", lost_at, "--data", data, "--iterations", epochs,
        "--out", tmp_path / "lost", *run_options(),
    )  # fmt: skip
    monkeypatch.undo()
    assert stopped.exit_code == 2
    assert f"the Dask scheduler at {lost_at} went away after 3 finished round(s)" in stopped.output
    assert f"--resume {tmp_path / 'lost'}" in stopped.output
    assert [path.name for path in (tmp_path / "lost").iterdir()] == ["checkpoint.npz"]

    resumed = ok(
        invoke(
            "train", "--resume", tmp_path / "lost", "--dask", cluster, "--iterations", epochs - 3,
            "--out", tmp_path / "resumed", "--no-progress",
        )
    )  # fmt: skip
    assert "rounds" in resumed.output
    whole = ok(
        invoke(
            "train", "--dask", cluster, "--data", data, "--iterations", epochs,
            "--out", tmp_path / "whole", *run_options(),
        )
    )  # fmt: skip
    assert whole.exit_code == 0
    # plain gradient descent keeps no state: 3 rounds, lost, then 2 more are the 5 rounds
    for resumed_param, whole_param in zip(
        weights(tmp_path / "resumed"), weights(tmp_path / "whole"), strict=True
    ):
        np.testing.assert_allclose(resumed_param, whole_param, rtol=0, atol=1e-10)


def test_glassnet_help_and_train_help_load_no_dask():
    code = (
        "import sys; from click.testing import CliRunner; from glassnet.cli import cli; "
        "CliRunner().invoke(cli, ['--help']); CliRunner().invoke(cli, ['train', '--help']); "
        "print(sorted({'dask', 'distributed', 'dask_ml'} & set(sys.modules)))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_without_dask_the_error_says_how_to_install_it(files):
    data = str(files / "part-0.csv")
    code = (
        "import sys; sys.modules['distributed'] = None; from glassnet.cli import main; "
        f"sys.argv = ['glassnet', 'train', '--dask', 'local:2', '--data', {data!r}, "
        "'--target', 'label']; main()"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 2
    assert "pip install 'glassnet[dask]'" in found.stderr
    assert "distributed is not installed" in found.stderr
