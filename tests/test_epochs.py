"""One record of a run's epochs: a cluster run's rounds record them as the engine does.

The engine, the cluster's solvers and a ``--dask`` run's rounds (``EpochsFromRounds``) all
keep their epochs with ``training.epochs.EpochRecord``. Fed the engine's own rounds, the
cluster run's record must give the callbacks the same states at every hook, the same
History, and stop by the same rules (a Ctrl-C at an epoch where a callback stops too is
recorded as an interruption by both).
"""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import glassnet as gn
from glassnet.core.optimizers import GradientDescent
from glassnet.training.engine import Engine
from glassnet.training.prepare import prepare

pytest.importorskip("distributed")
from glassnet.distributed.cluster import RoundState
from glassnet.distributed.run_rounds import EpochsFromRounds, StopRounds

HOOKS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")


class Seen(gn.Callback):
    """Every epoch hook's view of the state, and the weights at each epoch's end."""

    def __init__(self, stop_at=None):
        self.seen, self.weights, self.stop_at = [], [], stop_at

    def _note(self, hook, state):
        self.seen.append((hook, state.epoch, state.step, len(state.history), state.stop))

    def on_train_begin(self, state):
        self._note("on_train_begin", state)

    def on_epoch_begin(self, state):
        self._note("on_epoch_begin", state)

    def on_epoch_end(self, state):
        self._note("on_epoch_end", state)
        self.weights.append([param.copy() for param in state.network.parameters()])
        if state.epoch == self.stop_at:
            state.request_stop(f"stopped at epoch {state.epoch}")

    def on_train_end(self, state):
        self._note("on_train_end", state)


@pytest.fixture
def data():
    return make_moons(n_samples=60, noise=0.2, random_state=0)


def _net():
    return gn.Network([2, 4, 1], hidden="tanh", output="sigmoid", random_state=0)


def _rounds_of(history, weights):
    """The engine's full-batch epochs as a cluster's rounds: one round an epoch."""
    for epoch, (cost, parameters) in enumerate(zip(history.cost, weights, strict=True)):
        yield RoundState(epoch + 1, cost, parameters, epoch + 1, epoch_end=True)


def _rounds_record(seen, epochs):
    return EpochsFromRounds(_net(), GradientDescent(0.5), epochs, [seen], steps_in_round=1)


def test_a_cluster_runs_rounds_record_the_engines_epochs(data):
    alone = Seen()
    history = gn.train(_net(), *data, learning_rate=0.5, epochs=4, callbacks=[alone])
    spread = Seen()
    record = _rounds_record(spread, epochs=4)
    record.begin()
    for finished in _rounds_of(history, alone.weights):
        record(finished)
    record.end()
    assert spread.seen == alone.seen  # on_train_end at the last epoch (3), as the engine's
    assert record.history.keys() == history.keys()
    for name, column in history.items():
        np.testing.assert_array_equal(record.history[name], column)
    for mine, theirs in zip(record.state.network.parameters(), alone.weights[-1], strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_a_ctrl_c_when_a_callback_stops_too_is_an_interruption_on_both(data):
    def ctrl_c_from_epoch_1(record):
        return lambda: record.state.epoch >= 1

    alone, network = Seen(stop_at=1), _net()
    engine = Engine(network, prepare(network, *data, learning_rate=0.5, epochs=5), [alone])
    engine.record.interrupted = ctrl_c_from_epoch_1(engine.record)
    while engine.step() is not None:
        pass
    assert engine.history.interrupted and len(engine.history) == 2

    spread = Seen(stop_at=1)
    record = _rounds_record(spread, epochs=5)
    record.interrupted = ctrl_c_from_epoch_1(record)
    record.begin()
    with pytest.raises(StopRounds, match=r"interrupted by the user \(Ctrl-C\) after epoch 1"):
        for finished in _rounds_of(engine.history, alone.weights):
            record(finished)
    assert record.history.interrupted
    assert record.history.stop_reason == engine.history.stop_reason
