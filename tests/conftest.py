"""Shared fixtures: small seeded data sets, one per kind of task, and a Dask cluster.

Each data set returns ``(X, y)`` as fresh arrays (tests may modify them): 12 samples,
3 float64 features, and targets as ``encode_targets`` takes them.
"""

import logging
from collections.abc import Iterator

import numpy as np
import pytest

N_SAMPLES = 12
N_FEATURES = 3


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded Generator, new for each test."""
    return np.random.default_rng(0)


@pytest.fixture
def binary_data() -> tuple[np.ndarray, np.ndarray]:
    """Two classes, labels 0/1 (six of each), the classes shifted apart in X."""
    rng = np.random.default_rng(1)
    y = np.arange(N_SAMPLES) % 2
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)) + np.where(y[:, None] == 1, 1.0, -1.0)
    return X, y


@pytest.fixture
def multiclass_data() -> tuple[np.ndarray, np.ndarray]:
    """Three classes, labels 0, 1, 2 (four of each), around three different centres."""
    rng = np.random.default_rng(2)
    y = np.arange(N_SAMPLES) % 3
    centres = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]])
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)) + centres[y]
    return X, y


@pytest.fixture
def regression_data() -> tuple[np.ndarray, np.ndarray]:
    """One real target, y = X w + 0.1 noise."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.standard_normal(N_SAMPLES)
    return X, y


@pytest.fixture
def tutorial_steps() -> list[str]:
    """One iteration of a 2-5-1 tanh/sigmoid network, in the tutorials' names and order."""
    return [
        "Z1 = X W1 + b1",
        "A1 = tanh(Z1)",
        "Z2 = A1 W2 + b2",
        "A2 = sigmoid(Z2)",
        "J = -1/m sum(Y log(A2) + (1 - Y) log(1 - A2))",
        "dZ2 = A2 - Y",
        "dW2 = A1^T dZ2 / m",
        "db2 = sum(dZ2) / m",
        "dA1 = dZ2 W2^T",
        "dZ1 = dA1 * (1 - A1**2)",
        "dW1 = X^T dZ1 / m",
        "db1 = sum(dZ1) / m",
        "W1 := W1 - lr dW1",
        "b1 := b1 - lr db1",
        "W2 := W2 - lr dW2",
        "b2 := b2 - lr db2",
    ]


@pytest.fixture(scope="module")
def tcp_cluster() -> Iterator[str]:
    """A real LocalCluster of two threaded workers for one test module: its tcp:// address,
    which ``glassnet train --dask`` and ``glassnet.distributed.connect`` take."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local.scheduler_address
