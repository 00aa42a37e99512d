"""The same training run three ways: glassnet, scikit-learn's MLPClassifier and PyTorch.

Each trainer takes a :class:`~glassnet.bench.workloads.Workload`, the data and the
number of epochs, trains from a fixed seed, and returns the trained model's
``predict``: X -> P(y = 1), which the runner scores with the one shared function.
"""

import importlib.util
import itertools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.bench.workloads import Predict, Workload

Trainer = Callable[[Workload, np.ndarray, np.ndarray, int], Predict]


def train_glassnet(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int) -> Predict:
    """``glassnet.train`` on a ``Network`` initialised by ``w.init`` ("he" or "glorot")."""
    from glassnet.core.network import Network
    from glassnet.training.loop import train

    network = Network(
        [X.shape[1], *w.hidden, 1], hidden=w.activation, init=w.init, random_state=0, dtype=w.dtype
    )
    train(
        network,
        X,
        y,
        optimizer=w.optimizer,
        learning_rate=w.learning_rate,
        epochs=epochs,
        batch_size=w.batch_size,
        random_state=0,
    )
    return lambda X: network.predict_output(X)[:, 0]


def train_sklearn(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int) -> Predict:
    """scikit-learn's ``MLPClassifier``, with no L2, no momentum and no early stop.

    It draws its initial weights its own way, always: Glorot-uniform (biases too).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=w.hidden,
        activation=w.activation,
        solver={"gd": "sgd", "adam": "adam"}[w.optimizer],  # plain GD is scikit-learn's "sgd"
        learning_rate_init=w.learning_rate,
        batch_size=w.batch_size or X.shape[0],
        max_iter=epochs,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        shuffle=w.batch_size is not None,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return lambda X: model.predict_proba(X)[:, 1]


def train_torch(w: Workload, X: np.ndarray, y: np.ndarray, epochs: int) -> Predict:
    """A ``torch.nn.Sequential`` of the same layers, ``BCEWithLogitsLoss``, the CPU.

    Its own initial weights (Kaiming-uniform), or Glorot-uniform ones for ``init="glorot"``.
    """
    import torch

    torch.manual_seed(0)
    dtype = getattr(torch, w.dtype)
    sizes = [X.shape[1], *w.hidden]
    activation = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[w.activation]
    layers: list[Any] = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(n_in, n_out, dtype=dtype), activation()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 1, dtype=dtype))
    if w.init == "glorot":  # W ~ U(-r, r), r = sqrt(6 / (fan_in + fan_out)); b = 0
        for linear in (layer for layer in model if isinstance(layer, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(linear.weight)
            torch.nn.init.zeros_(linear.bias)
    make = {"gd": torch.optim.SGD, "adam": torch.optim.Adam}[w.optimizer]
    optimizer = make(model.parameters(), lr=w.learning_rate)
    criterion = torch.nn.BCEWithLogitsLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(X.dtype)).reshape(-1, 1)
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        batches = (
            [None]
            if w.batch_size is None
            else torch.randperm(X.shape[0], generator=generator).split(w.batch_size)
        )
        for rows in batches:
            Xb, yb = (X_t, y_t) if rows is None else (X_t[rows], y_t[rows])
            optimizer.zero_grad()
            loss = criterion(model(Xb), yb)
            loss.backward()
            optimizer.step()
            loss.item()  # record the cost every step, as the others do
    return torch_predict(model)


def torch_predict(model: Any) -> Predict:
    """A torch model's P(y = 1) of each row: the sigmoid of its logit, under ``inference_mode``."""
    import torch

    def predict(X: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return torch.sigmoid(model(torch.from_numpy(X))).numpy()[:, 0]

    return predict


TRAINERS: dict[str, Trainer] = {
    "glassnet": train_glassnet,
    "sklearn": train_sklearn,
    "torch": train_torch,
}
IMPORTS = {  # what each implementation loads before it runs: imported before memory is measured
    "glassnet": ("glassnet.training.loop",),
    "sklearn": ("sklearn.neural_network", "sklearn.metrics"),
    "torch": ("torch",),
    "floor": ("numpy",),
}


def peer_available(implementation: str) -> bool:
    """Whether an implementation's library is installed (glassnet and the floor always are).

    Found, not imported: the runner that asks imports neither PyTorch nor scikit-learn.
    """
    packages = {module.split(".")[0] for module in IMPORTS[implementation]}
    return all(importlib.util.find_spec(package) is not None for package in packages)
