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


Evaluation = Callable[[], tuple[float, list[Array]]]  # J and [dW[1], db[1], ...] at the network now


def objective(
    network: Network, X: Array, Y: Array, sample_weight: Array | None, l2: float
) -> tuple[Objective, NDArray[np.float64]]:
    """The cost J(theta) and its gradient over the flattened parameters, and theta now.

    theta = [W[1].ravel(), b[1], ..., W[L].ravel(), b[L]] (``Network.parameters()``
    order). Evaluating J writes theta into the network's arrays, in place.
    """

    def evaluate() -> tuple[float, list[Array]]:
        trace = forward(network, X)
        J = cost(network, trace, Y, sample_weight, l2)
        return J, backward(network, trace, Y, sample_weight, l2).as_list()

    return flat_objective(network, evaluate)


def flat_objective(network: Network, evaluate: Evaluation) -> tuple[Objective, NDArray[np.float64]]:
    """J(theta) and its gradient from ``evaluate`` (J and the gradients at the network's
    parameters), theta written into the network first; and theta now.

    The local objective evaluates one process's forward and backward; glassnet's Dask
    L-BFGS evaluates the sums over a cluster's chunks.
    """
    params = network.parameters()
    ends = np.cumsum([param.size for param in params])[:-1]

    def cost_and_gradient(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        for param, piece in zip(params, np.split(theta, ends), strict=True):
            param[...] = piece.reshape(param.shape)
        J, grads = evaluate()
        return J, np.concatenate([g.ravel() for g in grads]).astype(np.float64)

    theta = np.concatenate([param.ravel() for param in params]).astype(np.float64)
    return cost_and_gradient, theta


def unflatten(network: Network, theta: NDArray[np.float64]) -> list[Array]:
    """theta as new arrays shaped and typed as ``network.parameters()``."""
    params = network.parameters()
    ends = np.cumsum([param.size for param in params])[:-1]
    pieces = zip(params, np.split(theta, ends), strict=True)
    return [piece.reshape(param.shape).astype(param.dtype) for param, piece in pieces]


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
    return minimize(
        cost_and_gradient, theta, max_iter=max_iter, max_fun=max_fun, tol=tol, verbose=verbose
    )


def minimize(
    cost_and_gradient: Objective,
    theta: NDArray[np.float64],
    *,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool | int = False,
    on_iteration: Callable[[int, float, NDArray[np.float64]], None] | None = None,
) -> LbfgsResult:
    """scipy's L-BFGS-B from ``theta``; the objective is left evaluated at the optimum.

    ``on_iteration(i, J, theta)`` is called after each iteration i = 1, 2, ... with
    its cost and parameters.
    """
    curve: list[float] = []

    def record(intermediate_result: Any) -> None:
        curve.append(float(intermediate_result.fun))
        if verbose:
            print(f"Iteration {len(curve)}, loss = {curve[-1]:.8f}")
        if on_iteration is not None:
            on_iteration(len(curve), curve[-1], intermediate_result.x)

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
