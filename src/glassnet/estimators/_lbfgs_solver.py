"""The lbfgs solver: scipy's L-BFGS-B on glassnet's cost, recorded as scikit-learn records it.

:class:`LbfgsSolverMixin` gives :class:`~glassnet.estimators._base.BaseMultilayerPerceptron`
its lbfgs methods: the options only the stochastic solvers take refused, the run
(:func:`~glassnet.estimators._lbfgs.minimize_lbfgs`), and its record (``n_iter_``,
``loss_``, ``loss_curve_``, ``history_``, scikit-learn's ``ConvergenceWarning``), which
a cluster's L-BFGS shares through ``finish_fit``.
"""

import warnings
from types import SimpleNamespace

from sklearn.exceptions import ConvergenceWarning

from glassnet.core.dropout import check_dropout
from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.estimators._lbfgs import LbfgsResult, minimize_lbfgs
from glassnet.estimators.fit_sequence import FitStart
from glassnet.training.history import History
from glassnet.training.metrics import metric_name


class LbfgsSolverMixin:
    """``_fit_lbfgs`` and what an L-BFGS run leaves, methods of the base estimator.

    The state they read and write is the estimator's: ``_settings`` (this fit's
    parameters as Python numbers) and the fitted attributes declared below.
    """

    _settings: SimpleNamespace
    n_iter_: int
    loss_: float
    loss_curve_: list[float]
    best_loss_: float | None
    history_: History

    def _fit_lbfgs(self, start: FitStart) -> LbfgsResult:
        """lbfgs: scipy's L-BFGS-B on glassnet's cost over the flattened parameters."""
        p, weights = self._settings, start.weights
        total_weight = start.X.shape[0] if weights is None else float(weights.sum())
        return minimize_lbfgs(
            start.network,
            start.X,
            start.Y,
            weights,
            l2=p.alpha / total_weight,  # (alpha / (2 n)) sum ||W||^2, as train's
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
