"""Losses, each paired with the output activation whose gradient makes dZ = A - Y.

The cost of a batch is the (sample-weighted) mean over samples of the per-sample
loss L_i; a per-sample loss sums over the output columns k. Each loss is computed
from the logits ``Z = Z[L]``, not from the probabilities ``A = g(Z)``, as PyTorch's
``binary_cross_entropy_with_logits`` and ``cross_entropy`` do:

========  ====================  =================================  ============================
output    loss                  L_i, from the logits               the same, in A = g(Z)
========  ====================  =================================  ============================
sigmoid   binary_cross_entropy  sum_k [softplus(z) - y z]          -sum_k [y log a + (1-y) log(1-a)]
softmax   cross_entropy         sum_k y_k [logsumexp(z) - z_k]     -sum_k y log a
identity  squared_error         1/2 sum_k (z - y)^2                1/2 sum_k (a - y)^2
exp       poisson_deviance      sum_k [e^z - y z + y log y - y]    sum_k [y log(y/a) - y + a]
========  ====================  =================================  ============================

The two forms are equal: log sigma(z) = -softplus(-z), log(1 - sigma(z)) = -softplus(z)
and softplus(z) - softplus(-z) = z; log softmax(z)_k = z_k - logsumexp(z). The logit
form is exact where the other must fail: sigma(40) rounds to 1 in float64, so
log(1 - a) would be log(0), while softplus(40) = 40 + log1p(e^-40) is 40 to the last bit.
The Poisson deviance is half the deviance, as scikit-learn's ``MLPRegressor(loss="poisson")``
reports it (with its constant y log y - y, which is 0 at the optimum a = y); from the logits
it needs no log of a, which rounds to 0 below z = -745.

For each pair, dL_i/dZ = A - Y exactly: the output activation's derivative
cancels the loss's denominator. ``backward`` computes that fused form; the
unfused chain dL/dA * g'(Z) is shown in the docs.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glassnet.errors import InputError

Array = NDArray[np.floating]


def log_softmax(Z: Array) -> Array:
    """log softmax(z)_k = z_k - logsumexp(z), row-wise, without overflow.

    logsumexp(z) = m + log sum_j exp(z_j - m) with m = max_j z_j, so every
    exponent is at most 0 and the largest term is exactly 1.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)  # z - m, (n, k)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (n, k)


def _mean_dot(U: Array, V: Array, sample_weight: Array | None) -> float:
    """sum_i s_i sum_k U_ik V_ik / sum_i s_i: the sample-weighted mean of the row-wise dot.

    Without weights (s_i = 1) it is one ``vdot`` over the whole batch divided by n.
    """
    if sample_weight is None:
        return float(np.vdot(U, V)) / U.shape[0]
    return float(sample_weight @ (U * V).sum(axis=1)) / float(sample_weight.sum())


def _mean_row_sum(losses: Array, sample_weight: Array | None) -> float:
    """sum_i s_i sum_k losses_ik / sum_i s_i: the sample-weighted mean of the row sums."""
    if sample_weight is None:
        return float(losses.sum()) / losses.shape[0]
    return float(sample_weight @ losses.sum(axis=1)) / float(sample_weight.sum())


def binary_cross_entropy(Y: Array, Z: Array, sample_weight: Array | None = None) -> float:
    """J = 1/n sum_i sum_k [softplus(z_ik) - y_ik z_ik], from the logits Z.

    Equal to -1/n sum_i sum_k [y log a + (1 - y) log(1 - a)] with a = sigma(z), and
    exact at any z: z = 40 costs 40 for y = 0 and 4.2e-18 for y = 1. softplus(z) =
    log(1 + e^z) is computed as max(z, 0) + log1p(e^-|z|), so ``exp`` never overflows.
    """
    losses = np.maximum(Z, 0) - Y * Z  # softplus(z) - y z without its last term, (n, k)
    losses += np.log1p(np.exp(-np.abs(Z)))  # + log1p(e^-|z|), added last to keep tiny losses
    return _mean_row_sum(losses, sample_weight)


def cross_entropy(Y: Array, Z: Array, sample_weight: Array | None = None) -> float:
    """J = -1/n sum_i sum_k y_ik log softmax(z_i)_k, for one-hot (or soft) Y, from the logits Z."""
    return -_mean_dot(Y, log_softmax(Z), sample_weight)  # log a = z - logsumexp(z)


def squared_error(Y: Array, Z: Array, sample_weight: Array | None = None) -> float:
    """J = 1/(2n) sum_i sum_k (z_ik - y_ik)^2 (z = a for the identity output).

    Its gradient in Z is exactly (Z - Y)/n: the sum over outputs, not their mean.
    """
    D = Z - Y  # (n, k)
    return 0.5 * _mean_dot(D, D, sample_weight)


def poisson_deviance(Y: Array, Z: Array, sample_weight: Array | None = None) -> float:
    """J = 1/n sum_i sum_k [e^z_ik - y_ik z_ik + y_ik log y_ik - y_ik], from the log-rates Z.

    Half the Poisson deviance of the rates a = e^z (scikit-learn's ``poisson_loss``):
    y log(y / a) - y + a, with 0 log 0 = 0, so a perfect fit a = y costs 0. Its
    gradient in Z is (e^Z - Y)/n = (A - Y)/n. Targets are counts or rates y >= 0.
    """
    y_log_y = Y * np.log(np.where(Y > 0, Y, 1))  # y log y, 0 where y = 0, (n, k)
    losses = np.exp(Z) - Y * Z  # e^z - y z, (n, k)
    losses += y_log_y - Y  # + y log y - y: the constant that makes the optimum 0
    return _mean_row_sum(losses, sample_weight)


def sigmoid_squared_error(Y: Array, Z: Array, sample_weight: Array | None = None) -> float:
    """J = 1/(2n) sum_i sum_k (sigma(z_ik) - y_ik)^2: squared error on a sigmoid output.

    The TensorFlow Playground's classification loss, kept to show why cross-entropy is
    better: its gradient (A - Y) A (1 - A) vanishes where the sigmoid saturates, even
    when the prediction is confidently wrong.
    """
    D = np.exp(-np.logaddexp(0, -Z)) - Y  # sigma(z) - y, with sigma(z) = e^{-softplus(-z)}, (n, k)
    return 0.5 * _mean_dot(D, D, sample_weight)


def sigmoid_squared_error_gradient(A: Array, Y: Array) -> Array:
    """dL/dZ = (A - Y) sigma'(Z) = (A - Y) A (1 - A): not fused, it carries sigma' along."""
    dZ = A - Y  # (n, k)
    dZ *= A * (1 - A)  # times sigma'(z) = A (1 - A)
    return dZ


@dataclass(frozen=True)
class Loss:
    """A named loss J(Y, Z[L], sample_weight), computed from the logits, and its output.

    ``gradient`` is dL/dZ[L] from (A[L], Y) for a loss that is not its output's fused
    pair; ``None`` for the four pairs, whose dZ[L] is A[L] - Y.
    """

    name: str
    fn: Callable[..., float]
    output: str
    gradient: Callable[[Array, Array], Array] | None = None


LOSSES: dict[str, Loss] = {
    "binary_cross_entropy": Loss("binary_cross_entropy", binary_cross_entropy, "sigmoid"),
    "cross_entropy": Loss("cross_entropy", cross_entropy, "softmax"),
    "squared_error": Loss("squared_error", squared_error, "identity"),
    "poisson_deviance": Loss("poisson_deviance", poisson_deviance, "exp"),
}

LOSS_FOR_OUTPUT: dict[str, Loss] = {loss.output: loss for loss in LOSSES.values()}

# Losses an output can take instead of its pair, by (output, loss name): for teaching only.
OTHER_LOSSES: dict[tuple[str, str], Loss] = {
    ("sigmoid", "squared_error"): Loss(
        "squared_error", sigmoid_squared_error, "sigmoid", sigmoid_squared_error_gradient
    ),
}


def loss_for(output: str, name: str | None = None) -> Loss:
    """An output's loss: its pair (``name`` None or the pair's name), or one of OTHER_LOSSES."""
    pair = LOSS_FOR_OUTPUT[output]
    if name is None or name == pair.name:
        return pair
    other = OTHER_LOSSES.get((output, name))
    if other is None:
        known = [pair.name] + [loss for out, loss in OTHER_LOSSES if out == output]
        raise InputError(
            f"a {output} output takes the loss {' or '.join(map(repr, known))}, got {name!r}"
        )
    return other
