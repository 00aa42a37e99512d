"""The training engine: one step, stepped by every driver.

Stepping the engine by hand (one mini-batch, one epoch, pausing in between) must give
exactly what ``train`` gives, and the trace and gradients it exposes must be the ones
the step used. The step's body (forward, cost, backward, optimizer.step) must stand
once in the package: a parse of ``src/`` finds every function that both backpropagates
and steps an optimizer.
"""

import ast
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_moons

import glassnet as gn
from glassnet.core.network import backward, cost, encode_targets, forward
from glassnet.errors import DivergenceError
from glassnet.training.engine import Engine, start
from glassnet.training.prepare import prepare

SRC = Path(__file__).resolve().parents[1] / "src" / "glassnet"

OPTIONS = {
    "optimizer": "adam",
    "learning_rate": 0.01,
    "epochs": 6,
    "batch_size": 32,
    "validation": 0.2,
    "dropout": 0.1,
    "clip_norm": 1.0,
    "random_state": 3,
}


@pytest.fixture
def data():
    X, y = make_moons(n_samples=200, noise=0.25, random_state=0)
    return X, y


def _net():
    return gn.Network([2, 8, 4, 1], hidden=["relu", "tanh"], output="sigmoid", random_state=1)


def _same_run(net_a, history_a, net_b, history_b):
    for a, b in zip(net_a.parameters(), net_b.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert history_a.keys() == history_b.keys()
    for name in history_a:
        np.testing.assert_array_equal(history_a[name], history_b[name])


def test_stepping_one_batch_at_a_time_is_train(data):
    trained = _net()
    history = gn.train(trained, *data, **OPTIONS)
    stepped = _net()
    engine = start(stepped, *data, **OPTIONS)
    steps = 0
    while engine.step() is not None:
        steps += 1
    assert engine.done and engine.step() is None
    assert steps == 6 * int(np.ceil(160 / 32))  # 6 epochs of ceil(160 / 32) batches
    _same_run(trained, history, stepped, engine.history)


def test_pausing_and_resuming_changes_nothing(data):
    trained = _net()
    history = gn.train(trained, *data, **OPTIONS)
    paused = _net()
    engine = start(paused, *data, **OPTIONS)
    for _ in range(7):  # into the second epoch, then nothing for a while
        engine.step()
    assert engine.epoch == 1 and len(engine.history) == 1
    engine.run_epoch()  # the rest of epoch 1
    assert engine.epoch == 2
    assert engine.run() is engine.history
    _same_run(trained, history, paused, engine.history)


def test_the_trace_and_gradients_are_the_steps_own(data):
    X, y = data
    net = gn.Network([2, 5, 1], hidden="tanh", random_state=0)
    before = net.copy()
    engine = Engine(net, prepare(net, X, y, learning_rate=0.5, epochs=3))
    assert engine.trace is None and engine.grads is None
    J = engine.step().cost
    Y = encode_targets(before, y)
    trace = forward(before, X)  # the pass the step took, at the weights before it
    grads = backward(before, trace, Y)
    assert cost(before, trace, Y) == J
    for l in (1, 2):
        np.testing.assert_array_equal(engine.trace.Z[l], trace.Z[l])
        np.testing.assert_array_equal(engine.grads.dW[l], grads.dW[l])
        np.testing.assert_array_equal(engine.grads.db[l], grads.db[l])
        np.testing.assert_array_equal(net.W[l], before.W[l] - 0.5 * grads.dW[l])  # W - lr dW
    assert engine.history.cost == [J]  # full batch: an epoch is one step


def test_a_diverging_step_raises_and_ends_the_engine():
    X = np.array([[1e3, -1e3], [2e3, 1e3], [-3e3, 2e3], [1e3, 1e3]])
    net = gn.Network([2, 4, 1], hidden="relu", output="identity", random_state=0)
    engine = start(net, X, np.array([1e4, -1e4, 1e4, 2e4]), learning_rate=10.0, epochs=100)
    with pytest.raises(DivergenceError, match="smaller learning rate"):
        while engine.step() is not None:
            pass
    assert engine.done and engine.step() is None


def test_callbacks_see_every_step_of_a_stepped_engine(data):
    seen = []

    class Count(gn.Callback):
        def on_step_end(self, state):
            seen.append(state.step)

    net = _net()
    engine = Engine(net, prepare(net, *data, epochs=2, batch_size=50), [Count()])
    engine.run_epoch()
    assert seen == [1, 2, 3, 4]  # 200 rows, 4 batches of 50
    engine.run()
    assert seen == list(range(1, 9))


def _steppers(source: str, path: str) -> list[str]:
    """Functions in ``source`` that call ``backward(...)`` and an ``x.step(...)`` method both."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        calls = [c.func for c in ast.walk(node) if isinstance(c, ast.Call)]
        backprop = any(isinstance(f, ast.Name) and f.id == "backward" for f in calls)
        steps = any(isinstance(f, ast.Attribute) and f.attr == "step" for f in calls)
        if backprop and steps:
            found.append(f"{path}:{node.name}")
    return found


def test_the_step_stands_once_in_the_package():
    found = []
    for module in sorted(SRC.rglob("*.py")):
        found += _steppers(module.read_text(), str(module.relative_to(SRC)))
    assert found == ["training/step.py:take_step"]


def test_the_step_check_bites_on_a_second_copy():
    planted = """
def my_loop(network, optimizer, X, Y):
    trace = forward(network, X)
    grads = backward(network, trace, Y)
    optimizer.step(network.parameters(), grads.as_list())
"""
    assert _steppers(planted, "planted.py") == ["planted.py:my_loop"]
