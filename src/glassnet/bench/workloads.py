"""The six benchmark workloads, their data, and the one score every implementation gets.

=====  ==========================================================================
W1     moons, 2-5-1 tanh, full-batch gradient descent (per-call overhead)
W2     breast cancer, 30-16-1 ReLU, full-batch gradient descent (the same)
W3     200,000 x 64, 64-256-256-1 ReLU, Adam, batches of 256, float32 (arithmetic)
W4     1,000,000 x 50, 50-256-128-1 ReLU, Adam, batches of 512, float32 (a big table)
W5     the W4 network serving: one row at a time, and 1M rows in memory
W6     the W4 network behind ``glassnet predict`` on a 1 GB CSV
=====  ==========================================================================

Every workload has a small version (:func:`quick`); all data come from fixed seeds.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.data import generators
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.training.metrics import accuracy

TABLE_FEATURES = 50  # W4's columns
TEACHER_UNITS = 32  # the hidden units of the network that labels W4's rows
CHUNK_ROWS = 65_536  # rows labelled or predicted at a time, so that no (n, units) array is made

Predict = Callable[[np.ndarray], np.ndarray]  # X (n, d) -> P(y = 1), (n,)


@dataclass(frozen=True)
class Workload:
    """A training workload: data, architecture, optimizer and length."""

    name: str
    description: str
    data: str  # "moons", "cancer", "wide" or "table"
    hidden: tuple[int, ...]
    activation: str
    optimizer: str
    learning_rate: float
    epochs: int
    batch_size: int | None  # None: full batch
    dtype: str
    rows: int | None = None  # the rows of "table" data
    init: str = "he"  # glassnet's and PyTorch's initial weights ("glorot": scikit-learn's rule)
    kind: str = "train"


@dataclass(frozen=True)
class Serving:
    """Prediction with the W4 network: ``calls`` one-row calls, and one call on ``rows`` rows."""

    name: str
    description: str
    rows: int
    calls: int
    kind: str = "serve"


@dataclass(frozen=True)
class CsvToPredictions:
    """``glassnet predict`` with the W4 network on a generated CSV of about ``megabytes`` MB."""

    name: str
    description: str
    megabytes: int
    kind: str = "csv"


AnyWorkload = Workload | Serving | CsvToPredictions

TABLE = Workload(
    "W4", "table 1,000,000 x 50, 50-256-128-1 relu, Adam lr 1e-3, batch 512, 1 epoch, float32, "
    "Glorot-uniform initial weights in all three",
    "table", (256, 128), "relu", "adam", 1e-3, 1, 512, "float32", rows=1_000_000, init="glorot",
)  # fmt: skip
WORKLOADS: dict[str, AnyWorkload] = {
    "W1": Workload(
        "W1", "moons 2-5-1 tanh, full batch GD, lr 0.3",
        "moons", (5,), "tanh", "gd", 0.3, 5000, None, "float64",
    ),
    "W2": Workload(
        "W2", "cancer 30-16-1 relu, full batch GD, lr 0.05",
        "cancer", (16,), "relu", "gd", 0.05, 15000, None, "float64",
    ),
    "W3": Workload(
        "W3", "wide 64-256-256-1 relu, Adam lr 1e-3, batch 256, 2 epochs, float32",
        "wide", (256, 256), "relu", "adam", 1e-3, 2, 256, "float32",
    ),
    "W4": TABLE,
    "W5": Serving(
        "W5", "the W4 network predicting: one row (median of 1000 calls), and 1,000,000 rows",
        rows=1_000_000, calls=1000,
    ),
    "W6": CsvToPredictions(
        "W6", "glassnet predict with the W4 network on a generated 1 GB CSV of 50 columns",
        megabytes=1000,
    ),
}  # fmt: skip
QUICK_EPOCHS = {"W1": 500, "W2": 1000, "W3": 1}  # glassnet bench --quick: seconds in all
QUICK_ROWS = 20_000  # W4's and W5's rows in a quick run
QUICK_CALLS = 100
QUICK_MEGABYTES = 10


def quick(workload: AnyWorkload) -> AnyWorkload:
    """The small version of ``workload``, for a smoke check of the whole run."""
    if isinstance(workload, Serving):
        return dataclasses.replace(workload, rows=QUICK_ROWS, calls=QUICK_CALLS)
    if isinstance(workload, CsvToPredictions):
        return dataclasses.replace(workload, megabytes=QUICK_MEGABYTES)
    if workload.data == "table":
        return dataclasses.replace(workload, rows=QUICK_ROWS)
    return dataclasses.replace(workload, epochs=QUICK_EPOCHS[workload.name])


def load_data(name: str, dtype: str, rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The workload's data: X (n, d) in ``dtype``, y (n,) of 0/1."""
    X: np.ndarray
    y: np.ndarray
    if name == "table":
        return table(rows or TABLE.rows or 0)
    if name == "moons":
        dataset = generators.moons(500, noise=0.2, random_state=0)
        X, y = dataset.X, dataset.y
    elif name == "cancer":
        dataset = generators.cancer()
        labels = LabelCodec(order=dataset.classes).fit(dataset.y)  # malignant 0, benign 1
        X, y = Standardizer().fit_transform(dataset.X), labels.encode(dataset.y)  # standardised
    else:
        from sklearn.datasets import make_classification

        X, y = make_classification(200_000, n_features=64, random_state=0)
    return np.ascontiguousarray(X, dtype=dtype), y.astype(np.int64)


def table(rows: int, seed: int = 0) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """W4's table: X (rows, 50) standard normal float32, y from a fixed random teacher network.

    y = 1 when t(x) + e > 0, with t(x) = v . tanh(x W / sqrt(50) * 2) a 50-32-1 network and
    e logistic noise: the best possible accuracy is about 0.9, which every learner nears
    in one epoch. X is drawn straight in float32 and labelled in chunks, so making it
    never holds more than X and a chunk.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, TABLE_FEATURES), dtype=np.float32)  # (n, 50)
    W = rng.standard_normal((TABLE_FEATURES, TEACHER_UNITS), dtype=np.float32)
    W *= 2 / np.sqrt(TABLE_FEATURES)  # (50, 32)
    v = rng.standard_normal(TEACHER_UNITS, dtype=np.float32) * 1.5  # (32,)
    noise = rng.logistic(size=rows).astype(np.float32)  # e, (n,)
    y = np.empty(rows, dtype=np.int64)
    for start in range(0, rows, CHUNK_ROWS):
        chunk = slice(start, start + CHUNK_ROWS)
        y[chunk] = np.tanh(X[chunk] @ W) @ v + noise[chunk] > 0  # t(x) + e > 0
    return X, y


def table_network() -> Network:
    """The network W5 and W6 predict with: W4's 50-256-128-1 ReLU, float32, seeded He weights.

    Its speed does not depend on the values of its weights, so it is not trained.
    """
    sizes = [TABLE_FEATURES, *TABLE.hidden, 1]
    return Network(sizes, TABLE.activation, random_state=0, dtype=TABLE.dtype)


def evaluate(probability: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The shared score of every peer's P(y = 1), in float64: log-loss and accuracy."""
    from sklearn.metrics import log_loss

    p = np.asarray(probability, dtype=np.float64).reshape(-1, 1)  # (n, 1), as A[L]
    Y = y.reshape(-1, 1)
    loss = log_loss(y, p[:, 0], labels=[0, 1])  # peers give probabilities, not logits
    return {"loss": float(loss), "accuracy": accuracy("sigmoid", p, Y)}


def in_chunks(predict: Predict, X: np.ndarray) -> np.ndarray:
    """``predict(X)`` computed ``CHUNK_ROWS`` rows at a time (scoring 1M rows in little memory)."""
    return np.concatenate(
        [predict(X[s : s + CHUNK_ROWS]) for s in range(0, X.shape[0], CHUNK_ROWS)]
    )
