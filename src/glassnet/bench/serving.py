"""W5: the W4 network serving predictions, in glassnet, scikit-learn and PyTorch.

Every implementation holds the same weights (:func:`~glassnet.bench.workloads.table_network`)
and is called the way its users call it; the floor is the forward pass's products alone.
Two measures: the median latency of one row, and the time to predict all ``rows`` rows in
one call. The first rows' probabilities are returned, so that the runner can check that
the implementations computed the same thing.
"""

import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.bench.floors import Products
from glassnet.bench.machine import peak_mb, reset_peak, rss_mb
from glassnet.bench.peers import torch_predict
from glassnet.bench.workloads import Predict, Serving, table, table_network
from glassnet.core.network import Network

FIT_ROWS = 200  # rows a model is fitted on once, to make it fitted, before its weights are set
WARM_UP = 50  # one-row calls made before the timed ones
PROBE_ROWS = 16  # rows whose probabilities every implementation reports


def _given_weights(classifier: Any, network: Network, X: np.ndarray, y: np.ndarray) -> Predict:
    """A scikit-learn-style ``classifier`` fitted briefly, then given ``network``'s weights."""
    hidden = tuple(network.layer_sizes[1:-1])
    model = classifier(hidden_layer_sizes=hidden, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one iteration does not converge, on purpose
        model.fit(X[:FIT_ROWS], y[:FIT_ROWS])
    model.coefs_ = [W.copy() for W in network.W.values()]  # W[l], (n_{l-1}, n_l)
    model.intercepts_ = [b.copy() for b in network.b.values()]
    return lambda X: model.predict_proba(X)[:, 1]


def glassnet_predictor(network: Network, X: np.ndarray, y: np.ndarray) -> Predict:
    """glassnet's ``MLPClassifier`` holding ``network``'s weights: P(y = 1) of each row."""
    from glassnet.estimators import MLPClassifier

    return _given_weights(MLPClassifier, network, X, y)


def sklearn_predictor(network: Network, X: np.ndarray, y: np.ndarray) -> Predict:
    """scikit-learn's ``MLPClassifier`` holding ``network``'s weights."""
    from sklearn.neural_network import MLPClassifier

    return _given_weights(MLPClassifier, network, X, y)


def torch_predictor(network: Network, X: np.ndarray, y: np.ndarray) -> Predict:
    """A ``torch.nn.Sequential`` of Linear and ReLU layers holding ``network``'s weights."""
    import torch

    layers: list[Any] = []
    for l in network.W:
        linear = torch.nn.Linear(*network.W[l].shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(network.W[l].T))  # torch stores W^T
            linear.bias.copy_(torch.from_numpy(network.b[l]))
        layers += [linear, torch.nn.ReLU()]
    return torch_predict(torch.nn.Sequential(*layers[:-1]).eval())  # no ReLU after the output


PREDICTORS = {
    "glassnet": glassnet_predictor,
    "sklearn": sklearn_predictor,
    "torch": torch_predictor,
}


def measure_serving(implementation: str, workload: Serving) -> dict[str, Any]:
    """Time one implementation's one-row latency and its throughput on ``workload.rows`` rows."""
    X, y = table(workload.rows)
    network = table_network()
    if implementation == "floor":
        products = Products(network.layer_sizes, workload.rows, "float32", backward=False)

        def one_row(i: int) -> object:
            return products.forward(1)

        def every_row(X: np.ndarray) -> object:
            return products.forward(X.shape[0])

        probe = None
    else:
        predict = PREDICTORS[implementation](network, X, y)

        def one_row(i: int) -> object:
            return predict(X[i : i + 1])  # row i, (1, 50)

        def every_row(X: np.ndarray) -> object:
            return predict(X)

        probe = [float(p) for p in predict(X[:PROBE_ROWS])]
    latency = _median_call(one_row, workload.calls)
    every_row(X[: min(10_000, workload.rows)])  # warm up at a size that allocates
    before = rss_mb()
    reset_peak()
    start = time.perf_counter()
    every_row(X)
    seconds = time.perf_counter() - start
    return {
        "times": {"one row": latency, "all rows": seconds},
        "rows": workload.rows,
        "calls": workload.calls,
        "rows_per_s": workload.rows / seconds,
        "predict_extra_mb": peak_mb() - before,
        "probe": probe,
    }


def _median_call(call: Callable[[int], object], calls: int) -> float:
    """The median time of ``call(i)`` for rows i = 0..calls-1, after a warm-up."""
    for i in range(min(WARM_UP, calls)):
        call(i)
    times = []
    for i in range(calls):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
