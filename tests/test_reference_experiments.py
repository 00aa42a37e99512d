"""The product's acceptance tests: the tutorials' experiments, end to end, with their numbers.

1. Planar moons, a 2-5-1 tanh network, full-batch descent (the classic first exercise).
2. Wisconsin breast cancer, held-out accuracy with a ReLU hidden layer (the tutorial's
   "cost after iteration i" print included).
3. The CS231n three-arm spiral with Adam and mini-batches (issue 3).
"""

import itertools
import re

import numpy as np
import pytest

from glassnet import Adam, Callback, Network, PrintCost, train

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def accuracy(network, X, y):
    """Share of samples whose thresholded (sigmoid) or argmax (softmax) output equals y."""
    A = network.predict_output(X)
    predicted = A.argmax(axis=1) if A.shape[1] > 1 else (A[:, 0] >= 0.5).astype(int)
    return float(np.mean(predicted == y))


def test_moons_tanh_network():
    X, y = sklearn_datasets.make_moons(n_samples=500, noise=0.2, random_state=0)
    network = Network([2, 5, 1], hidden="tanh", output="sigmoid", init="he", random_state=0)
    history = train(network, X, y, learning_rate=0.3, epochs=5000)
    first, last = history.cost[0], history.cost[-1]
    assert len(history) == 5000
    assert 0.5 < first < 1.0  # about log 2 for an untrained network
    assert last < 0.1
    assert last < first / 5
    # monotone-ish: every 500-epoch block ends lower than it started
    blocks = [*history.cost[::500], last]
    assert all(b < a for a, b in itertools.pairwise(blocks))
    assert accuracy(network, X, y) > 0.95


@pytest.mark.slow
def test_breast_cancer_held_out(capsys):
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    data = sklearn_datasets.load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.2, stratify=data.target, random_state=0
    )
    scaler = StandardScaler().fit(X_train)  # statistics of the training part only
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    network = Network([30, 16, 1], hidden="relu", output="sigmoid", init="he", random_state=0)
    # lr 0.05 .. 0.5 all train stably for seeds 0..2 (held-out accuracy 0.956-0.965)
    history = train(
        network, X_train, y_train, learning_rate=0.1, epochs=15000, callbacks=[PrintCost(500)]
    )

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 31
    printed = [re.fullmatch(r"Cost after iteration (\d+): (\d+\.\d{6})", line) for line in lines]
    assert all(printed), lines
    assert [int(m.group(1)) for m in printed] == [*range(0, 15000, 500), 14999]
    for m in printed:
        assert float(m.group(2)) == pytest.approx(history.cost[int(m.group(1))], abs=5e-7)
    assert 0.5 < history.cost[0] < 1.5 and history.cost[-1] < 0.01

    predicted = (network.predict_output(X_test)[:, 0] >= 0.5).astype(int)
    held_out_accuracy = float(np.mean(predicted == y_test))
    assert held_out_accuracy >= 0.95

    matrix = confusion_matrix(y_test, predicted)
    assert matrix.shape == (2, 2)
    assert matrix.sum() == len(y_test) == 114
    assert np.trace(matrix) / matrix.sum() == pytest.approx(held_out_accuracy)


def cs231n_spiral(points_per_class=100, classes=3, noise=0.2, seed=0):
    """CS231n's spiral: arm j has radius linspace(0, 1) and angle linspace(4j, 4(j+1)) + noise."""
    rng = np.random.default_rng(seed)
    X = np.zeros((points_per_class * classes, 2))
    y = np.zeros(points_per_class * classes, dtype=int)
    for j in range(classes):
        rows = slice(points_per_class * j, points_per_class * (j + 1))
        r = np.linspace(0.0, 1.0, points_per_class)  # radius
        t = np.linspace(4.0 * j, 4.0 * (j + 1), points_per_class)
        t = t + rng.normal(0.0, noise, points_per_class)  # theta
        X[rows] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[rows] = j
    return X, y


class StopWhenAccurate(Callback):
    """Stops as soon as the training accuracy exceeds ``target``; remembers that epoch."""

    def __init__(self, X, y, target):
        self.X, self.y, self.target = X, y, target
        self.epoch = None

    def on_epoch_end(self, state):
        if accuracy(state.network, self.X, self.y) > self.target:
            self.epoch = state.epoch
            state.request_stop(f"training accuracy above {self.target}")


@pytest.mark.slow
def test_spiral_three_classes_adam():
    X, y = cs231n_spiral()
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    network = Network([2, 64, 64, 3], hidden="relu", output="softmax", random_state=0)
    stopper = StopWhenAccurate(X, y, 0.95)
    history = train(
        network,
        X,
        y,
        optimizer=Adam(0.01),
        epochs=2000,
        batch_size=32,
        callbacks=[stopper],
        random_state=0,
    )
    assert stopper.epoch is not None and stopper.epoch < 2000
    assert len(history) == stopper.epoch + 1
    assert accuracy(network, X, y) > 0.95
    assert history.cost[-1] < history.cost[0]
