"""Losses, each paired with the output activation whose gradient makes dZ = A - Y.

The cost of a batch is the (sample-weighted) mean over samples of the per-sample
loss L_i; a per-sample loss sums over the output columns.

================  ==================  ==========================================
output            loss                L_i
================  ==================  ==========================================
sigmoid           binary_cross_entropy  -sum_k [y log a + (1 - y) log(1 - a)]
softmax           cross_entropy       -sum_k y log a
identity          squared_error       1/2 sum_k (a - y)^2
================  ==================  ==========================================

For each pair, dL_i/dZ = A - Y exactly: the output activation's derivative
cancels the loss's denominator. glassnet computes that fused form (stable at
A of exactly 0 or 1); the unfused chain dL/dA * g'(Z) is shown in the docs.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def _clip(A: Array) -> Array:
    eps = np.finfo(A.dtype).eps
    return np.minimum(np.maximum(A, eps), 1 - eps)  # keeps log() finite at A of exactly 0 or 1


def _mean_dot(U: Array, V: Array, sample_weight: Array | None) -> float:
    """sum_i s_i sum_k U_ik V_ik / sum_i s_i: the sample-weighted mean of the row-wise dot.

    Without weights (s_i = 1) it is one ``vdot`` over the whole batch divided by n.
    """
    if sample_weight is None:
        return float(np.vdot(U, V)) / U.shape[0]
    return float(sample_weight @ (U * V).sum(axis=1)) / float(sample_weight.sum())


def binary_cross_entropy(Y: Array, A: Array, sample_weight: Array | None = None) -> float:
    """J = -1/n sum_i sum_k [y log a + (1 - y) log(1 - a)]; a is clipped to [eps, 1 - eps]."""
    A = _clip(A)
    log_a, log_1ma = np.log(A), np.log1p(-A)  # log a, log(1 - a), (n, k)
    return -(_mean_dot(Y, log_a, sample_weight) + _mean_dot(1 - Y, log_1ma, sample_weight))


def cross_entropy(Y: Array, A: Array, sample_weight: Array | None = None) -> float:
    """J = -1/n sum_i sum_k y_ik log a_ik, for one-hot (or soft) Y; a is clipped."""
    return -_mean_dot(Y, np.log(_clip(A)), sample_weight)


def squared_error(Y: Array, A: Array, sample_weight: Array | None = None) -> float:
    """J = 1/(2n) sum_i sum_k (a_ik - y_ik)^2; its gradient in A is exactly (A - Y)/n."""
    D = A - Y  # (n, k)
    return 0.5 * _mean_dot(D, D, sample_weight)


@dataclass(frozen=True)
class Loss:
    """A named loss J(Y, A) and the output activation it is paired with."""

    name: str
    fn: Callable[..., float]
    output: str


LOSSES: dict[str, Loss] = {
    "binary_cross_entropy": Loss("binary_cross_entropy", binary_cross_entropy, "sigmoid"),
    "cross_entropy": Loss("cross_entropy", cross_entropy, "softmax"),
    "squared_error": Loss("squared_error", squared_error, "identity"),
}

LOSS_FOR_OUTPUT: dict[str, Loss] = {loss.output: loss for loss in LOSSES.values()}
