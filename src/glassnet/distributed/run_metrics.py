"""A cluster run's scores: every part scored where its chunks live, the sums added here.

    chunk c ──forward (the trained network)──> n_c, sum of losses, confusion counts
                                               (regression: squared errors, mean, M2)
    the chunks' sums, in chunk order ──added──> accuracy or R^2, cost, RMSE, confusion matrix

The metrics have the keys and meanings of :func:`glassnet.runs.result.compute_metrics`,
so metrics.json, the summary and the report read the same; they are computed over
every row of each part, not over the sample the pictures draw.
"""

import functools
from dataclasses import dataclass
from typing import Any

import dask
import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network, encode_targets, forward
from glassnet.runs.encoding import unscaled
from glassnet.training.metrics import metric_name, predicted_indices, r2_from_sums

Array = NDArray[np.floating]


@dataclass
class PartSums:
    """One chunk's (or several chunks') sums; ``add`` merges two in order.

    ``loss`` is sum_i L_i (without the L2 term); ``confusion`` counts (true, predicted)
    pairs for classification; for regression, in the targets' units, ``squared`` is
    sum_i (y_i - yhat_i)^2 per output, and ``mean``, ``m2`` the targets' mean and sum of
    squared deviations per output (merged by Chan's rule, so R^2 needs no second pass).
    """

    n: int
    loss: float
    confusion: NDArray[np.int64] | None = None
    squared: Array | None = None
    mean: Array | None = None
    m2: Array | None = None

    def add(self, other: "PartSums") -> "PartSums":
        """The sums of both: counts added, means and M2 merged (Chan, Golub and LeVeque)."""
        n = self.n + other.n
        merged = PartSums(n, self.loss + other.loss)
        if self.confusion is not None and other.confusion is not None:
            merged.confusion = self.confusion + other.confusion
        if self.mean is not None and other.mean is not None and self.m2 is not None:
            assert other.m2 is not None and self.squared is not None and other.squared is not None
            delta = other.mean - self.mean  # mean_b - mean_a, (n_L,)
            merged.mean = self.mean + delta * (other.n / n)  # mean = mean_a + delta n_b / n
            merged.m2 = self.m2 + other.m2 + delta**2 * (self.n * other.n / n)  # M2_a + M2_b + ...
            merged.squared = self.squared + other.squared
        return merged


def chunk_sums(
    network: Network, X: Array, y: NDArray[Any], n_classes: int, target_scaler: Any
) -> PartSums:
    """The sums of one chunk: ``X`` encoded features, ``y`` class indices or scaled targets."""
    X = np.asarray(X, dtype=network.dtype)
    trace = forward(network, X)
    Y = encode_targets(network, y)  # (n, n_L)
    n = X.shape[0]
    loss = network.loss.fn(Y, trace.Z[network.n_layers], None) * n  # sum_i L_i = n mean_i L_i
    A = trace.output  # A[L], (n, n_L)
    if n_classes:
        predicted = predicted_indices(network.output, A)
        confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
        np.add.at(confusion, (np.asarray(y, dtype=np.intp), predicted), 1)  # rows: true class
        return PartSums(n, float(loss), confusion=confusion)
    truth = unscaled(target_scaler, Y)  # y in the targets' units, (n, n_L)
    mean = truth.mean(axis=0)
    return PartSums(
        n,
        float(loss),
        squared=((truth - unscaled(target_scaler, A)) ** 2).sum(axis=0),  # sum (y - yhat)^2
        mean=mean,
        m2=((truth - mean) ** 2).sum(axis=0),  # sum (y - mean)^2
    )


def part_sums(
    network: Network, X: Any, y: Any, n_classes: int, target_scaler: Any
) -> PartSums | None:
    """Every chunk's sums of a part (dask arrays ``X``, ``y``), added in chunk order."""
    if X is None:
        return None
    compute = dask.delayed(chunk_sums, pure=True)
    blocks = zip(X.to_delayed().ravel(), y.to_delayed().ravel(), strict=True)
    (sums,) = dask.compute(
        [compute(network, Xc, yc, n_classes, target_scaler) for Xc, yc in blocks]
    )
    return functools.reduce(PartSums.add, sums)


def scores(sums: PartSums) -> dict[str, float]:
    """The part's score (accuracy or R^2), its mean loss and, for regression, its RMSE."""
    found = {"cost": sums.loss / sums.n}
    if sums.confusion is not None:
        found["score"] = float(np.trace(sums.confusion) / sums.n)  # right / all
        return found
    assert sums.squared is not None and sums.m2 is not None
    found["score"] = r2_from_sums(sums.squared, sums.m2)  # SS_res, SS_tot per output
    found["rmse"] = float(np.sqrt(sums.squared.sum() / (sums.n * sums.squared.size)))
    return found


def cluster_metrics(
    network: Network,
    parts: dict[str, tuple[Any, Any]],
    *,
    class_names: list[str],
    target_scaler: Any,
    history: Any,
    epochs: int,
    seconds: float,
) -> dict[str, Any]:
    """metrics.json's content, as :func:`~glassnet.runs.result.compute_metrics` writes it.

    ``parts`` maps "train", "validation" and "test" to ``(X, y)`` dask arrays, or
    ``(None, None)`` for a part not asked for.
    """
    name = metric_name(network.output)
    n_classes = len(class_names)
    summed = {
        part: part_sums(network, X, y, n_classes, target_scaler) for part, (X, y) in parts.items()
    }
    found = {part: {} if sums is None else scores(sums) for part, sums in summed.items()}
    metrics: dict[str, Any] = {
        "task": "classification" if n_classes else "regression",
        "metric": name,
        "final_cost": history.last("cost"),
        **{f"{part}_{name}": f.get("score") for part, f in found.items()},
        "validation_cost": found["validation"].get("cost"),
        "test_cost": found["test"].get("cost"),
        "epochs_run": len(history),
        "epochs_requested": epochs,
        "stop_reason": history.stop_reason,
        "interrupted": history.interrupted,
        "best_epoch": history.best_epoch,
        "seconds": seconds,
        **{f"n_{part}": 0 if sums is None else sums.n for part, sums in summed.items()},
    }
    if n_classes:
        return metrics | _confusion(summed, class_names)
    return metrics | {
        "cost_of": "standardised targets" if target_scaler is not None else "targets",
        "target_scale": None if target_scaler is None else [float(v) for v in target_scaler.scale_],
        **{f"{part}_rmse": f.get("rmse") for part, f in found.items()},
    }


def _confusion(summed: dict[str, PartSums | None], class_names: list[str]) -> dict[str, Any]:
    """The confusion matrix of the held-out part, else of the training part."""
    part = "test" if summed["test"] is not None else "train"
    confusion = summed[part].confusion  # type: ignore[union-attr]
    assert confusion is not None
    return {
        "classes": class_names,
        "confusion_matrix": confusion.tolist(),
        "confusion_matrix_part": "held-out" if part == "test" else "training",
    }
