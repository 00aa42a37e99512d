"""How the scikit-learn estimators train: scikit-learn's rules on top of glassnet's loop.

:func:`fit_stochastic` (``sgd``, ``adam``, ``gd``) runs :func:`glassnet.train`, with
:class:`EpochRules`, the callback that adds what scikit-learn's ``MLPClassifier``
does after every epoch (``loss_curve_``, the ``tol`` / ``n_iter_no_change`` test,
the learning-rate schedules). :func:`fit_lbfgs` hands glassnet's cost and gradient,
flattened into one vector, to ``scipy.optimize.minimize(method="L-BFGS-B")``. Every
cost and gradient comes from :func:`~glassnet.forward`, :func:`~glassnet.backward`
and :func:`~glassnet.cost`.
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import scipy.optimize
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.core.optimizers import Adam, GradientDescent, Optimizer
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.training.history import History
from glassnet.training.loop import train
from glassnet.training.metrics import metric_name

if TYPE_CHECKING:
    from glassnet.estimators._multilayer_perceptron import _BaseMLP

Array = NDArray[np.floating]

MIN_ADAPTIVE_RATE = 1e-6  # 'adaptive' stops once the learning rate is this small
AUTO_BATCH = 200  # batch_size='auto' is min(200, n_samples)

OPTIMIZER_FOR_SOLVER: dict[str, Callable[["_BaseMLP"], Optimizer]] = {
    "adam": lambda est: Adam(est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon),
    # scikit-learn ignores Nesterov when momentum is 0; glassnet refuses the pair, so drop it
    "sgd": lambda est: GradientDescent(
        est.learning_rate_init,
        momentum=est.momentum,
        nesterov=est.nesterovs_momentum and est.momentum > 0,
    ),
    "gd": lambda est: GradientDescent(est.learning_rate_init),  # the tutorials' plain descent
}


def fit_stochastic(
    est: "_BaseMLP",
    network: Network,
    X: Array,
    Y: Array,
    weights: Array | None,
    incremental: bool,
    rng: np.random.Generator,
) -> None:
    """sgd, adam, gd: ``max_iter`` epochs of glassnet.train (one for partial_fit)."""
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = OPTIMIZER_FOR_SOLVER[est.solver](est)  # partial_fit keeps its state
    X, Y, weights, validation = _hold_out(est, X, Y, weights, rng)
    n = X.shape[0]
    auto_batch = min(AUTO_BATCH, n) if est.batch_size == "auto" else est.batch_size
    rules = EpochRules(est, n_samples=n)
    est.n_iter_ = 0
    est.history_ = train(
        network,
        X,
        Y,
        optimizer=est._optimizer,
        epochs=1 if incremental else est.max_iter,
        batch_size=None if est.solver == "gd" else auto_batch,
        shuffle=est.shuffle,
        alpha=est.alpha,
        sample_weight=weights,
        validation=validation,
        callbacks=[rules, *(est.callbacks or ())],
        random_state=rng,
    )
    if not incremental and est.n_iter_ == est.max_iter and not rules.stopped:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )


def fit_lbfgs(est: "_BaseMLP", network: Network, X: Array, Y: Array, weights: Array | None) -> None:
    """lbfgs: scipy's L-BFGS-B on glassnet's cost over the flattened parameters."""
    if est.callbacks:
        raise ValueError(
            "callbacks run inside glassnet.train, which solver='lbfgs' does not use: "
            "choose solver='adam', 'sgd' or 'gd' to use callbacks"
        )
    total_weight = X.shape[0] if weights is None else float(weights.sum())
    result = minimize_lbfgs(
        network,
        X,
        encode_targets(network, Y),
        weights,
        l2=est.alpha / total_weight,  # (alpha / (2 n)) sum ||W||^2, as train's
        max_iter=est.max_iter,
        max_fun=est.max_fun,
        tol=est.tol,
        verbose=est.verbose,
    )
    est.n_iter_ = result.n_iter
    est.loss_ = result.loss
    est.loss_curve_.extend(result.loss_curve)
    est.best_loss_ = min(est.loss_curve_, default=est.loss_)
    est.history_ = History(metric_name=metric_name(network.output))
    for iteration, loss in enumerate(result.loss_curve):
        est.history_.append(epoch=iteration, cost=loss)


def _hold_out(
    est: "_BaseMLP", X: Array, Y: Array, weights: Array | None, rng: np.random.Generator
) -> tuple[Array, Array, Array | None, tuple[Array, Array] | None]:
    """scikit-learn's early-stopping split: ``validation_fraction`` of the rows."""
    if not est.early_stopping:
        return X, Y, weights, None
    arrays = (X, Y) if weights is None else (X, Y, weights)
    parts = train_test_split(
        *arrays,
        test_size=est.validation_fraction,
        random_state=int(rng.integers(np.iinfo(np.int32).max)),
        stratify=Y if est._stratify() else None,
    )
    X_train, X_val, Y_train, Y_val = parts[:4]
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the "
            "size of your dataset."
        )
    return X_train, Y_train, None if weights is None else parts[4], (X_val, Y_val)


class EpochRules(Callback):
    """scikit-learn's end-of-epoch rules for its stochastic solvers, as a glassnet callback.

    After each epoch of :func:`~glassnet.train`, in scikit-learn's order:

    1. ``n_iter_ += 1``, ``t_ += n_samples``; the epoch's cost goes to ``loss_curve_``
       (and, with ``early_stopping``, the validation accuracy or R^2 to
       ``validation_scores_``, the validation cost to ``validation_loss_curve_``).
    2. An epoch counts as "no improvement" when the loss is above
       ``best_loss_ - tol`` (or the validation score below ``best_validation_score_ + tol``).
    3. ``learning_rate='invscaling'`` (sgd, gd): lr = learning_rate_init / (t_ + 1) ** power_t.
    4. After more than ``n_iter_no_change`` such epochs: stop, or with
       ``learning_rate='adaptive'`` divide the learning rate by 5 (stop once it is <= 1e-6).

    With ``early_stopping`` the weights of the best validation score are restored at the end.
    """

    def __init__(self, estimator: "_BaseMLP", n_samples: int) -> None:
        self.estimator = estimator
        self.n_samples = n_samples
        self.stopped = False

    def on_epoch_end(self, state: TrainingState) -> None:
        est, history = self.estimator, state.history
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_ = history.last("cost")
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        if est.early_stopping:
            self._count_validation(state)
        else:
            self._count_loss()
        if est.learning_rate == "invscaling" and est.solver != "adam":
            state.optimizer.learning_rate = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        if est._no_improvement_count > est.n_iter_no_change:
            self._on_plateau(state)

    def on_train_end(self, state: TrainingState) -> None:
        self.stopped = state.stop
        est = self.estimator
        if est.early_stopping:  # scikit-learn keeps the best validation score's weights
            for param, best in zip(state.network.parameters(), est._best_params, strict=True):
                param[...] = best

    def _count_loss(self) -> None:
        est = self.estimator
        loss, best = est.loss_curve_[-1], cast(float, est.best_loss_)  # None only when validating
        est._no_improvement_count = est._no_improvement_count + 1 if loss > best - est.tol else 0
        est.best_loss_ = min(best, loss)

    def _count_validation(self, state: TrainingState) -> None:
        est, history = self.estimator, state.history
        score = history.last("val_metric")  # accuracy, or R^2 for regression
        cast(list, est.validation_scores_).append(score)  # lists when validating
        cast(list, est.validation_loss_curve_).append(history.last("val_cost"))
        if est.verbose:
            print(f"Validation score: {score:f}")
        best = cast(float, est.best_validation_score_)
        est._no_improvement_count = 0 if score >= best + est.tol else est._no_improvement_count + 1
        if score > best:
            est.best_validation_score_ = score
            est._best_params = [param.copy() for param in state.network.parameters()]

    def _on_plateau(self, state: TrainingState) -> None:
        est = self.estimator
        what = "Validation score" if est.early_stopping else "Training loss"
        message = (
            f"{what} did not improve more than tol={est.tol:f} "
            f"for {est.n_iter_no_change} consecutive epochs."
        )
        optimizer = state.optimizer
        if est.learning_rate != "adaptive" or est.solver == "adam":
            self._stop(state, f"{message} Stopping.")
        elif optimizer.learning_rate <= MIN_ADAPTIVE_RATE:
            self._stop(state, f"{message} Learning rate too small. Stopping.")
        else:
            optimizer.learning_rate /= 5.0
            est._no_improvement_count = 0
            if est.verbose:
                print(f"{message} Setting learning rate to {optimizer.learning_rate:f}")

    def _stop(self, state: TrainingState, message: str) -> None:
        if self.estimator.verbose:
            print(message)
        state.request_stop(message)


@dataclass
class LbfgsResult:
    """What L-BFGS-B returned: the final cost, the iterations and the cost after each."""

    loss: float
    n_iter: int
    loss_curve: list[float] = field(default_factory=list)


def objective(
    network: Network, X: Array, Y: Array, sample_weight: Array | None, l2: float
) -> tuple[Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]], NDArray]:
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
    largest gradient component is below ``tol`` (scikit-learn's ``gtol``); warns with a
    ConvergenceWarning, as scikit-learn does, when it did not converge.
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
    n_iter = min(int(result.nit), max_iter)
    if result.status != 0:
        advice = (
            f"\nIncrease the number of iterations (max_iter={max_iter}) or scale the data."
            if n_iter == max_iter
            else "\nScale the data, e.g. with sklearn.preprocessing.StandardScaler."
        )
        warnings.warn(
            f"lbfgs failed to converge after {n_iter} iteration(s) "
            f"(status={result.status}):\n{result.message}\n{advice}",
            ConvergenceWarning,
            stacklevel=5,
        )
    return LbfgsResult(loss=float(result.fun), n_iter=n_iter, loss_curve=curve)
