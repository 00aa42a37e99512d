"""The lbfgs solver: scipy's L-BFGS-B on glassnet's cost, recorded as scikit-learn records it.

:func:`objective` is the cost J(theta) and its gradient over the flattened parameters,
from :func:`~glassnet.forward`, :func:`~glassnet.cost` and :func:`~glassnet.backward`;
:func:`minimize` hands it to ``scipy.optimize.minimize(method="L-BFGS-B")``.
:class:`LbfgsSolverMixin` gives :class:`~glassnet.estimators._base.BaseMultilayerPerceptron`
its lbfgs methods: the options only the stochastic solvers take refused, the run, and
its record (``n_iter_``, ``loss_``, ``loss_curve_``, ``history_``, scikit-learn's
``ConvergenceWarning``), which a cluster's L-BFGS shares through ``finish_fit``.
"""

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning

from glassnet.core.dropout import check_dropout
from glassnet.core.network import Network, backward, cost, forward
from glassnet.errors import InputError
from glassnet.estimators.fit_sequence import FitStart, LbfgsResult, SolverState
from glassnet.training.history import History
from glassnet.training.metrics import metric_name

Array = NDArray[np.floating]
Objective = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]
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

    def cost_and_gradient(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        for param, value in zip(params, unflatten(network, theta), strict=True):
            param[...] = value
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

    Stops after ``max_iter`` iterations or ``max_fun`` cost evaluations, or when the
    largest gradient component is below ``tol`` (scikit-learn's ``gtol``).
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


class LbfgsSolverMixin(SolverState):
    """``_fit_lbfgs`` and what an L-BFGS run leaves, methods of the base estimator."""

    def _fit_lbfgs(self, start: FitStart) -> LbfgsResult:
        """lbfgs: scipy's L-BFGS-B on glassnet's cost, leaving the optimum in the network."""
        p, weights = self._settings, start.weights
        total_weight = start.X.shape[0] if weights is None else float(weights.sum())
        l2 = p.alpha / total_weight  # (alpha / (2 n)) sum ||W||^2, as train's
        cost_and_gradient, theta = objective(start.network, start.X, start.Y, weights, l2)
        return minimize(
            cost_and_gradient,
            theta,
            max_iter=p.max_iter,
            max_fun=p.max_fun,
            tol=p.tol,
            verbose=p.verbose,
        )

    def _check_lbfgs_options(self, network: Network) -> None:
        """Refuse the options only the stochastic solvers use (they run inside glassnet.train)."""
        p = self._settings
        stochastic = {
            "callbacks": bool(p.callbacks),
            "dropout": bool(check_dropout(p.dropout, network.n_layers - 1)),
            "clip_norm": p.clip_norm is not None,
        }
        for name, given in stochastic.items():
            if given:
                raise InputError(
                    f"{name} works inside glassnet.train, which solver='lbfgs' does not use: "
                    f"choose solver='adam', 'adamw', 'sgd' or 'gd' to use {name}"
                )

    def _record_lbfgs(self, network: Network, result: LbfgsResult, stacklevel: int) -> None:
        """The fitted attributes of an L-BFGS run, and scikit-learn's warning when it did not
        converge (``stacklevel`` points it at the caller's fit)."""
        p = self._settings
        self.n_iter_ = result.n_iter
        self.loss_ = result.loss
        self.loss_curve_.extend(result.loss_curve)
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        self.history_ = History(metric_name=metric_name(network.output))
        for iteration, loss in enumerate(result.loss_curve):
            self.history_.append(epoch=iteration, cost=loss)
        if result.status != 0:
            advice = (
                f"\nIncrease the number of iterations (max_iter={p.max_iter}) or scale the data."
                if result.n_iter == p.max_iter
                else "\nScale the data, e.g. with sklearn.preprocessing.StandardScaler."
            )
            warnings.warn(
                f"lbfgs failed to converge after {result.n_iter} iteration(s) "
                f"(status={result.status}):\n{result.message}\n{advice}",
                ConvergenceWarning,
                stacklevel=stacklevel,
            )
