"""A cluster run's scores: every part scored where its chunks live, the sums added here.

    chunk c ──forward (the trained network)──> n_c, sum of losses, confusion counts
                                               (regression: squared errors, mean, M2)
    the chunks' sums, in chunk order ──added──> accuracy or R^2, cost, RMSE, confusion matrix
    each part's numbers ──runs.result.metrics_record──> metrics.json's record

The record is the one :func:`glassnet.runs.result.compute_metrics` writes (the same
function turns the numbers into it), so metrics.json, the summary and the report read
the same; the numbers are computed over every row of each part, not over the sample
the pictures draw.
"""

import functools
from dataclasses import dataclass
from typing import Any

import dask
import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network, encode_targets, forward
from glassnet.runs.encoding import unscaled
from glassnet.runs.result import PartScores, RunResult, metrics_record
from glassnet.training.metrics import predicted_indices, r2_from_sums

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


def scores(sums: PartSums) -> PartScores:
    """The part's score (accuracy or R^2), its mean loss, and its RMSE or confusion counts."""
    cost = sums.loss / sums.n  # mean_i L_i
    if sums.confusion is not None:
        accuracy = float(np.trace(sums.confusion) / sums.n)  # right / all
        return PartScores(sums.n, accuracy, cost, confusion=sums.confusion)
    assert sums.squared is not None and sums.m2 is not None
    r2 = r2_from_sums(sums.squared, sums.m2)  # SS_res, SS_tot per output
    rmse = float(np.sqrt(sums.squared.sum() / (sums.n * sums.squared.size)))
    return PartScores(sums.n, r2, cost, rmse=rmse)


def cluster_metrics(result: RunResult, parts: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """metrics.json's content, as :func:`~glassnet.runs.result.compute_metrics` writes it, from
    the sums over every row of each part.

    ``parts`` maps "train", "validation" and "test" to ``(X, y)`` dask arrays, or
    ``(None, None)`` for a part not asked for.
    """
    n_classes, scaler = len(result.class_names), result.model.target_scaler
    summed = {
        part: part_sums(result.network, X, y, n_classes, scaler) for part, (X, y) in parts.items()
    }
    return metrics_record(
        result, {part: None if sums is None else scores(sums) for part, sums in summed.items()}
    )
