"""Checkpoint: the best epoch's weights on disk, written only when the monitored cost improves."""

import math
from dataclasses import replace

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DivergenceError, InputError
from glassnet.files.model_file import load
from glassnet.runs import RunConfig, run_training, write_run_folder
from glassnet.runs.model import TrainedModel
from glassnet.runs.run import CHECKPOINT
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.training.checkpoint import Checkpoint


class Weights(Callback):
    """Copies of the weights at the start and at the end of every epoch."""

    def on_train_begin(self, state: TrainingState) -> None:
        self.start: list[list[np.ndarray]] = []
        self.end: list[list[np.ndarray]] = []

    def on_epoch_begin(self, state: TrainingState) -> None:
        self.start.append([p.copy() for p in state.network.parameters()])

    def on_epoch_end(self, state: TrainingState) -> None:
        self.end.append([p.copy() for p in state.network.parameters()])


class Writes:
    """A ``wrap`` that records the epoch of every write and saves the bare network."""

    def __init__(self) -> None:
        self.epochs: list[int] = []

    def __call__(self, network: gn.Network, record: dict) -> gn.Network:
        self.epochs.append(record["best_epoch"])
        return network


def improving_epochs(costs: list[float]) -> list[int]:
    best, epochs = math.inf, []
    for epoch, value in enumerate(costs):
        if value < best:
            best = value
            epochs.append(epoch)
    return epochs


def assert_weights(network: gn.Network, expected: list[np.ndarray]) -> None:
    for mine, theirs in zip(network.parameters(), expected, strict=True):
        np.testing.assert_array_equal(mine, theirs)  # bit for bit


def noisy_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 2))
    y = ((X[:, 0] * X[:, 1] > 0) ^ (rng.random(80) < 0.2)).astype(int)  # 20 % flipped labels
    return X, y


def test_written_only_in_the_epochs_the_validation_cost_improves(tmp_path):
    X, y = noisy_problem()
    network = gn.Network([2, 8, 1], hidden="tanh", random_state=0)
    writes, weights = Writes(), Weights()
    checkpoint = Checkpoint(tmp_path / "best.npz", gn.save, wrap=writes, min_interval=0)
    history = gn.train(
        network, X, y, "adam", epochs=60, batch_size=8, learning_rate=0.05,
        validation=0.3, callbacks=[weights, checkpoint], random_state=0,
    )  # fmt: skip
    expected = improving_epochs(history.val_cost)
    assert writes.epochs == expected and checkpoint.writes == len(expected)
    assert len(expected) < 60  # some epochs did not improve, and wrote nothing
    best = int(np.argmin(history.val_cost))
    assert checkpoint.best_epoch == checkpoint.saved_epoch == best
    assert checkpoint.best == history.val_cost[best]
    assert_weights(load(tmp_path / "best.npz"), weights.end[best])  # val_cost: end of the epoch


def test_full_batch_on_the_training_cost_saves_the_weights_that_scored_it(tmp_path):
    X, y = noisy_problem(1)
    network = gn.Network([2, 6, 1], hidden="tanh", random_state=1)
    weights, path = Weights(), tmp_path / "best.npz"
    history = gn.train(
        network, X, y, learning_rate=0.5, epochs=40,
        callbacks=[weights, Checkpoint(path, gn.save, min_interval=0)],
    )  # fmt: skip
    best = int(np.argmin(history.cost))
    saved = load(path)
    assert_weights(saved, weights.start[best])  # J was computed before that epoch's update
    trace = gn.forward(saved, X)
    assert gn.cost(saved, trace, gn.encode_targets(saved, y)) == pytest.approx(
        history.cost[best], rel=1e-12
    )


def test_a_divergence_leaves_the_last_good_weights(tmp_path):
    X, y = noisy_problem(2)
    network = gn.Network([2, 4, 1], hidden="identity", output="identity", random_state=2)
    initial = [p.copy() for p in network.parameters()]
    path = tmp_path / "best.npz"
    with pytest.raises(DivergenceError):
        gn.train(
            network, X * 1e3, y, learning_rate=1e6, epochs=50, callbacks=[Checkpoint(path, gn.save)]
        )
    assert_weights(load(path), initial)  # epoch 0's cost was the best, scored by these


def test_min_interval_keeps_improvements_in_memory_and_writes_the_best_at_the_end(tmp_path):
    X, y = noisy_problem(3)
    network = gn.Network([2, 6, 1], hidden="tanh", random_state=3)
    writes, weights = Writes(), Weights()
    checkpoint = Checkpoint(tmp_path / "best.npz", gn.save, wrap=writes, min_interval=3600)
    history = gn.train(network, X, y, learning_rate=0.5, epochs=30, callbacks=[weights, checkpoint])
    best = int(np.argmin(history.cost))
    assert writes.epochs == [0, best]  # the first improvement, then the pending best at the end
    assert_weights(load(tmp_path / "best.npz"), weights.start[best])


def test_a_crash_mid_run_leaves_the_best_model_so_far(tmp_path):
    class Crash(Callback):
        def on_epoch_end(self, state: TrainingState) -> None:
            if state.epoch == 20:
                raise RuntimeError("power cut")

    out = tmp_path / "run"
    with pytest.raises(RuntimeError, match="power cut"):
        run_training(RunConfig(data="cancer", epochs=100, out=str(out)), callbacks=[Crash()])
    assert [p.name for p in out.iterdir()] == [CHECKPOINT]
    model = load(out / CHECKPOINT)
    assert isinstance(model, TrainedModel) and model.metrics["best_epoch"] == 20
    assert model.classes_.tolist() == ["malignant", "benign"] and model.standardizer is not None
    assert model.config["data"] == "cancer" and model.config["epochs"] == 100


def test_a_run_writes_its_checkpoint_and_its_finished_folder_drops_it(tmp_path):
    config = RunConfig(data="xor", epochs=30, out=str(tmp_path / "run"))
    result = run_training(config)
    checkpoint = load(tmp_path / "run" / CHECKPOINT)  # trained, the folder not yet written
    folder = write_run_folder(result)
    model = load(folder / "model.npz")
    assert not (folder / CHECKPOINT).exists()  # the run finished: model.npz resumes it
    np.testing.assert_array_equal(checkpoint.standardizer.mean_, model.standardizer.mean_)
    assert checkpoint.metrics == {
        "best_epoch": 29,
        "monitor": "cost",
        "cost": result.history.cost[29],
    }
    write_run_folder(run_training(replace(config, out=None)), folder)  # a run without one
    assert not (folder / CHECKPOINT).exists()  # not that run's: removed with the rest


@pytest.mark.parametrize("interval", [-1, math.inf, "1", True])
def test_min_interval_must_be_seconds(tmp_path, interval):
    with pytest.raises(InputError, match="min_interval"):
        Checkpoint(tmp_path / "best.npz", gn.save, min_interval=interval)


@pytest.mark.parametrize("interval", [math.nan, None, np.True_])
def test_min_interval_refuses_nan_none_and_numpy_booleans(tmp_path, interval):
    with pytest.raises(InputError, match=r"min_interval \(seconds\) must be a number of 0"):
        Checkpoint(tmp_path / "best.npz", gn.save, min_interval=interval)


@pytest.mark.parametrize("interval", [np.float32(0.5), np.int64(0), np.float64(2)])
def test_min_interval_takes_numpy_numbers_as_seconds(tmp_path, interval):
    checkpoint = Checkpoint(tmp_path / "best.npz", gn.save, min_interval=interval)
    assert type(checkpoint.min_interval) is float
    assert checkpoint.min_interval == float(str(interval))  # np.float32(0.5) -> 0.5 s
