"""The numeric check of backpropagation: central finite differences in float64.

For every parameter theta (each entry of each W[l] and b[l], and of an embedding's F and P):

    numeric = (J(theta + h) - J(theta - h)) / (2 h)          error O(h^2)

and for each parameter array the relative error of the analytic gradient:

    ||analytic - numeric|| / (||analytic|| + ||numeric||)

which passes below ``TOLERANCE`` = 1e-6 (right backpropagation gives 1e-11 to
1e-7 in float64), and is near 1 when a derivative is wrong. The check runs on a float64
copy of the network, whatever its dtype, so rounding does not hide or fake an error.
With dropout the check draws one set of masks and keeps it fixed for every cost it
evaluates: J is then a smooth function of the parameters, and backpropagation through
the masks is checked like any other step.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.dropout import Rates, check_dropout, draw_masks
from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.validation import check_lengths, check_random_state, check_X

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
    dropout: Rates = None,
    random_state: int | np.random.Generator | None = None,
) -> GradientCheck:
    """Compare backpropagation's gradients with central finite differences.

    ``alpha`` is the L2 strength as ``train`` takes it (the penalty is
    (alpha / (2 n)) sum ||W||^2), so the check covers the regularised cost too.
    The network passed in is not modified. The step ``epsilon`` = 1e-5 is about
    eps^(1/3) for float64, which balances the O(h^2) truncation error against the
    rounding error eps |J| / h of the difference. ``dropout`` (a rate, or one per hidden
    layer) draws one set of masks from ``random_state`` and uses it for every evaluation.
    ``X`` may be a SciPy sparse matrix.
    """
    net = network.astype(np.float64)
    rows = check_X(X, dtype=np.float64, accept_sparse=True)  # an array, or CSR
    y = np.asarray(y)
    check_lengths(rows, y)
    Y = encode_targets(net, y)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    n = rows.shape[0]
    l2 = alpha / (n if weights is None else float(weights.sum()))
    rates = check_dropout(dropout, net.n_layers - 1)
    mask = draw_masks(rates, net.layer_sizes, n, check_random_state(random_state), np.float64)

    def J() -> float:
        return cost(net, forward(net, rows, mask), Y, weights, l2)  # the same mask every time

    analytic = backward(net, forward(net, rows, mask), Y, weights, l2).as_list()
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
