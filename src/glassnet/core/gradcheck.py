"""The numeric check of backpropagation: central finite differences in float64.

For every parameter theta (each entry of each W[l] and b[l]):

    numeric = (J(theta + h) - J(theta - h)) / (2 h)          error O(h^2)

and for each parameter array the relative error of the analytic gradient:

    ||analytic - numeric|| / (||analytic|| + ||numeric||)

which passes below ``TOLERANCE`` = 1e-6 (right backpropagation gives 1e-11 to
1e-7 in float64), and is near 1 when a derivative is wrong. The check runs on a float64
copy of the network, whatever its dtype, so rounding does not hide or fake an error.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.validation import check_lengths, check_X

TOLERANCE = 1e-6


@dataclass
class GradientCheck:
    """The result of :func:`check_gradients`, one entry per parameter array ("W1", "b1", ...)."""

    relative_error: dict[str, float] = field(default_factory=dict)
    analytic_norm: dict[str, float] = field(default_factory=dict)
    numeric_norm: dict[str, float] = field(default_factory=dict)
    tolerance: float = TOLERANCE

    @property
    def max_error(self) -> float:
        """The largest relative error over all parameter arrays."""
        return max(self.relative_error.values())

    @property
    def passed(self) -> bool:
        """True when every relative error is below the tolerance."""
        return self.max_error < self.tolerance

    def __getitem__(self, name: str) -> float:
        return self.relative_error[name]


def check_gradients(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    alpha: float = 0.0,
    sample_weight: ArrayLike | None = None,
    epsilon: float = 1e-5,
    tolerance: float = TOLERANCE,
) -> GradientCheck:
    """Compare backpropagation's gradients with central finite differences.

    ``alpha`` is the L2 strength as ``train`` takes it (the penalty is
    (alpha / (2 n)) sum ||W||^2), so the check covers the regularised cost too.
    The network passed in is not modified. The step ``epsilon`` = 1e-5 is about
    eps^(1/3) for float64, which balances the O(h^2) truncation error against the
    rounding error eps |J| / h of the difference.
    """
    net = network.astype(np.float64)
    X = check_X(X, dtype=np.float64)
    y = np.asarray(y)
    check_lengths(X, y)
    Y = encode_targets(net, y)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    l2 = alpha / (X.shape[0] if weights is None else float(weights.sum()))

    def J() -> float:
        return cost(net, forward(net, X), Y, weights, l2)

    analytic = backward(net, forward(net, X), Y, weights, l2).as_list()
    report = GradientCheck(tolerance=tolerance)
    for name, theta, grad in zip(net.parameter_names(), net.parameters(), analytic, strict=True):
        numeric = _numeric_gradient(J, theta, epsilon)
        difference = np.linalg.norm(grad - numeric)
        scale = np.linalg.norm(grad) + np.linalg.norm(numeric)
        report.relative_error[name] = float(difference / scale) if scale > 0 else 0.0
        report.analytic_norm[name] = float(np.linalg.norm(grad))
        report.numeric_norm[name] = float(np.linalg.norm(numeric))
    return report


def _numeric_gradient(J: Callable[[], float], theta: NDArray[np.floating], h: float) -> NDArray:
    """dJ/dtheta by central differences, perturbing ``theta`` in place and restoring it.

    Each entry is written by its index into ``theta`` itself, so the perturbation
    reaches the network whatever the array's memory layout (a ``reshape(-1)`` of a
    Fortran-ordered array would be a copy, and the network would never see it).
    """
    gradient = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        original = theta[index]
        theta[index] = original + h
        plus = J()
        theta[index] = original - h
        minus = J()
        theta[index] = original
        gradient[index] = (plus - minus) / (2 * h)  # (J(theta + h) - J(theta - h)) / 2h
    return gradient
