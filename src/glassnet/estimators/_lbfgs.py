"""L-BFGS on glassnet's cost: the parameters flattened into one vector for scipy.

Pure functions of a network and its data, with no estimator state:
:func:`objective` is the cost J(theta) and its gradient from :func:`~glassnet.forward`,
:func:`~glassnet.cost` and :func:`~glassnet.backward`; :func:`minimize_lbfgs` hands it
to ``scipy.optimize.minimize(method="L-BFGS-B")`` and reports what happened.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from glassnet.core.network import Network, backward, cost, forward

Array = NDArray[np.floating]
Objective = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]


@dataclass
class LbfgsResult:
    """What L-BFGS-B returned: the final cost, the iterations, the cost after each.

    ``status`` and ``message`` are scipy's: 0 means converged (the largest gradient
    component fell below ``tol``); anything else names why it stopped.
    """

    loss: float
    n_iter: int
    status: int
    message: str
    loss_curve: list[float] = field(default_factory=list)


def objective(
    network: Network, X: Array, Y: Array, sample_weight: Array | None, l2: float
) -> tuple[Objective, NDArray[np.float64]]:
    """The cost J(theta) and its gradient over the flattened parameters, and theta now.

    theta = [W[1].ravel(), b[1], ..., W[L].ravel(), b[L]] (``Network.parameters()``
    order). Evaluating J writes theta into the network's arrays, in place.
    """
    params = network.parameters()
    ends = np.cumsum([param.size for param in params])[:-1]

    def cost_and_gradient(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        for param, piece in zip(params, np.split(theta, ends), strict=True):
            param[...] = piece.reshape(param.shape)
        trace = forward(network, X)
        J = cost(network, trace, Y, sample_weight, l2)
        grads = backward(network, trace, Y, sample_weight, l2)
        return J, np.concatenate([g.ravel() for g in grads.as_list()]).astype(np.float64)

    theta = np.concatenate([param.ravel() for param in params]).astype(np.float64)
    return cost_and_gradient, theta


def minimize_lbfgs(
    network: Network,
    X: Array,
    Y: Array,
    sample_weight: Array | None,
    l2: float,
    *,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool | int = False,
) -> LbfgsResult:
    """Minimise glassnet's cost with scipy's L-BFGS-B, leaving the optimum in ``network``.

    Stops after ``max_iter`` iterations or ``max_fun`` cost evaluations, or when the
    largest gradient component is below ``tol`` (scikit-learn's ``gtol``).
    """
    cost_and_gradient, theta = objective(network, X, Y, sample_weight, l2)
    curve: list[float] = []

    def record(intermediate_result: Any) -> None:
        curve.append(float(intermediate_result.fun))
        if verbose:
            print(f"Iteration {len(curve)}, loss = {curve[-1]:.8f}")

    result = scipy.optimize.minimize(
        cost_and_gradient,
        theta,
        method="L-BFGS-B",
        jac=True,
        callback=record,
        options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
    )
    cost_and_gradient(result.x)  # the optimum, not the last point the line search tried
    return LbfgsResult(
        loss=float(result.fun),
        n_iter=min(int(result.nit), max_iter),
        status=int(result.status),
        message=str(result.message),
        loss_curve=curve,
    )
