"""A frame of the page: the heatmap, each hidden unit's map, the weights, the gradients, the scores.

One frame is one binary WebSocket message (the arrays and header fields are listed in
``docs/playground.md``)::

    uint32 n (little-endian) | n bytes of JSON header, padded with spaces to 4 bytes | float32 data

Every number comes from glassnet's one forward pass (:func:`glassnet.forward`) and the
engine's last step; nothing is computed here but the grid and the encoding.
"""

import json
import struct
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.core.trace import Gradients
from glassnet.playground.problem import Problem
from glassnet.training.metrics import metric_name, predicted_indices, score

GRID = 64  # the heatmap's side, in cells
UNIT_STRIDE = 4  # a unit's map takes every 4th cell: 16 x 16
MAX_CURVE_POINTS = 300


def grid_points(domain: tuple[float, float, float, float], side: int = GRID) -> NDArray[np.float64]:
    """The centres of a side x side grid over the view, row 0 at the top: (side * side, 2)."""
    x1_low, x1_high, x2_low, x2_high = domain
    step1, step2 = (x1_high - x1_low) / side, (x2_high - x2_low) / side
    x1 = x1_low + step1 * (np.arange(side) + 0.5)  # (side,)
    x2 = x2_high - step2 * (np.arange(side) + 0.5)  # top row first, (side,)
    G1, G2 = np.meshgrid(x1, x2)  # (side, side) each
    return np.column_stack([G1.ravel(), G2.ravel()])


def encode(header: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> bytes:
    """One binary message: the header (with each array's place added) and the float32 data."""
    index, offset, blocks = [], 0, []
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, dtype="<f4")
        index.append({"name": name, "shape": list(data.shape), "offset": offset})
        offset += data.size
        blocks.append(data.tobytes())
    text = json.dumps(json_ready({**header, "arrays": index})).encode("utf-8")
    text += b" " * (-len(text) % 4)  # the float32 data starts on a 4-byte boundary
    return struct.pack("<I", len(text)) + text + b"".join(blocks)


def json_ready(value: Any) -> Any:
    """``value`` with every NaN or inf float replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


def decode(message: bytes) -> tuple[dict[str, Any], dict[str, NDArray[np.float32]]]:
    """The header and the arrays of a message :func:`encode` wrote (for tests and tools)."""
    (n,) = struct.unpack_from("<I", message)
    header = json.loads(message[4 : 4 + n])
    data = np.frombuffer(message, dtype="<f4", offset=4 + n)
    arrays = {}
    for entry in header["arrays"]:
        size = int(np.prod(entry["shape"]))
        arrays[entry["name"]] = data[entry["offset"] : entry["offset"] + size].reshape(
            entry["shape"]
        )
    return header, arrays


class Curves:
    """The train and test loss after each frame, against the epoch, thinned to a few hundred."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float, float]] = []  # (epoch, train loss, test loss)
        self._every = 1
        self._seen = 0

    def add(self, epoch: float, train: float, test: float) -> None:
        """Record one frame's losses, keeping every ``_every``-th (doubled when full)."""
        self._seen += 1
        if self._seen % self._every:
            return
        self.points.append((epoch, train, test))
        if len(self.points) > MAX_CURVE_POINTS:
            self.points = self.points[::2]
            self._every *= 2

    def as_json(self) -> list[list[float]]:
        """The points as lists, rounded for a small message."""
        return [[round(value, 5) for value in point] for point in self.points]


def scores(
    network: Network, problem: Problem, part: NDArray[np.intp]
) -> tuple[float, float, NDArray[Any] | None]:
    """The loss (without the L2 term), the accuracy or R^2 and the output A[L] of ``network``
    on rows ``part`` (NaN, NaN, None when ``part`` is empty)."""
    if part.size == 0:
        return float("nan"), float("nan"), None
    trace = forward(network, problem.X(problem.P[part]))
    Y = encode_targets(network, problem.y[part])
    return cost(network, trace, Y), score(network.output, trace.output, Y), trace.output


def confusion(network: Network, problem: Problem, A: NDArray[Any] | None) -> list[list[int]]:
    """Counts of (true class, predicted class) from the test rows' output ``A``; [] for a
    regression or no test rows."""
    if problem.task != "classification" or A is None:
        return []
    predicted = predicted_indices(network.output, A)
    k = problem.n_classes
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (problem.y[problem.test].astype(np.intp), predicted), 1)
    return counts.tolist()


def build_frame(
    network: Network,
    problem: Problem,
    grads: Gradients | None,
    status: Mapping[str, Any],
    curves: Curves,
) -> bytes:
    """The frame for the network as it is now; ``status`` adds the epoch, step and state.

    Raises
    ------
    FloatingPointError
        When a picture would hold NaN or inf (weights grown past float32): the run diverged.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # checked below, with a clear message
        trace = forward(network, problem.X(grid_points(problem.domain)))  # the one forward pass
        L = network.n_layers
        arrays: dict[str, NDArray[Any]] = {"heatmap": trace.A[L].reshape(GRID, GRID, -1)}
        for l in range(1, L):
            maps = trace.A[l].reshape(GRID, GRID, -1)[::UNIT_STRIDE, ::UNIT_STRIDE]  # (g, g, n_l)
            arrays[f"units{l}"] = np.moveaxis(maps, 2, 0)  # (n_l, g, g)
        for l in range(1, L + 1):
            arrays[f"W{l}"] = network.W[l]
            arrays[f"b{l}"] = network.b[l]
            if grads is not None:
                arrays[f"dW{l}"] = grads.dW[l]
                arrays[f"dZ{l}"] = grads.dZ[l].mean(axis=0)  # the batch's mean dZ[l], (n_l,)
        train_loss, train_metric, _ = scores(network, problem, problem.train)
        test_loss, test_metric, test_output = scores(network, problem, problem.test)
        curves.add(float(status.get("epoch_progress", 0.0)), train_loss, test_loss)
        header = {
            "type": "frame",
            **status,
            "layer_sizes": network.layer_sizes,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "metric_name": metric_name(network.output),
            "train_metric": train_metric,
            "test_metric": test_metric,
            "confusion": confusion(network, problem, test_output),
            "curves": curves.as_json(),
        }
        arrays32 = {name: np.asarray(array, dtype=np.float32) for name, array in arrays.items()}
        if not all(np.isfinite(array).all() for array in arrays32.values()):
            raise FloatingPointError("the weights or the outputs grew past float32's range")
        return encode(header, arrays32)


def points_message(problem: Problem) -> bytes:
    """The data's points, sent once per setup: ``points`` (n, 2), ``y`` (n,) and ``part``
    (n,: 0 train, 1 test), with the view, the task and the names in the header."""
    part = np.zeros(problem.P.shape[0])
    part[problem.test] = 1
    header = {
        "type": "points",
        "domain": list(problem.domain),
        "task": problem.task,
        "n_classes": problem.n_classes,
        "classes": list(problem.classes),
        "names": list(problem.names),
        "features": list(problem.features),
        "output": problem.output,
        "grid": GRID,
        "unit_grid": GRID // UNIT_STRIDE,
    }
    return encode(header, {"points": problem.P, "y": problem.y.astype(np.float64), "part": part})
