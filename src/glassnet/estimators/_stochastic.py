"""The stochastic solvers (sgd, adam, adamw, gd): glassnet's loop under scikit-learn's rules.

:class:`StochasticSolversMixin` gives :class:`~glassnet.estimators._base.BaseMultilayerPerceptron`
its ``_fit_stochastic`` method: glassnet's training engine over ``max_iter`` epochs,
whose end of each epoch calls :meth:`~StochasticSolversMixin.end_epoch`, the rules
scikit-learn's ``MLPClassifier`` applies after every epoch (``loss_curve_``, the
``tol`` / ``n_iter_no_change`` test, the learning-rate schedules, early stopping on a
held-out split). A cluster's epochs call the same ``end_epoch``.
"""

import warnings
from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import cast

import numpy as np
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from glassnet.core.dropout import check_dropout
from glassnet.core.optimizers import Adam, AdamW, GradientDescent, Optimizer
from glassnet.errors import InputError
from glassnet.estimators._params import ADAM_SOLVERS
from glassnet.estimators.fit_sequence import EpochsRun, FitStart, SolverState
from glassnet.training.callbacks import TrainingState
from glassnet.training.engine import Engine
from glassnet.training.epochs import EachEpoch
from glassnet.training.prepare import plan_checked

Array = NDArray[np.floating]
MIN_ADAPTIVE_RATE = 1e-6  # 'adaptive' stops once the learning rate is this small
AUTO_BATCH = 200  # batch_size='auto' is min(200, n_samples)

# The estimators' solver names -> glassnet's optimizers, built here and never by name:
# the estimators' 'sgd' is scikit-learn's (mini-batches, momentum), 'gd' the tutorials'.
OPTIMIZER_FOR_SOLVER: dict[str, Callable[[SimpleNamespace], Optimizer]] = {
    "adam": lambda p: Adam(p.learning_rate_init, p.beta_1, p.beta_2, p.epsilon),
    "adamw": lambda p: AdamW(p.learning_rate_init, p.beta_1, p.beta_2, p.epsilon, p.weight_decay),
    # scikit-learn ignores Nesterov when momentum is 0; glassnet refuses the pair, so drop it
    "sgd": lambda p: GradientDescent(
        p.learning_rate_init, momentum=p.momentum, nesterov=p.nesterovs_momentum and p.momentum > 0
    ),
    "gd": lambda p: GradientDescent(p.learning_rate_init),  # W <- W - lr dW
}


def step_rows(settings: SimpleNamespace, n_samples: int) -> int | None:
    """The rows of one step as the solver takes them: None for gd (every row, full batch),
    min(200, n_samples) for batch_size='auto', else batch_size (which may exceed n_samples)."""
    if settings.solver == "gd":
        return None
    return min(AUTO_BATCH, n_samples) if settings.batch_size == "auto" else settings.batch_size


class EpochHooks(EachEpoch):
    """The glassnet callback that hands each end of epoch, and of training, to the estimator."""

    def __init__(
        self,
        end_epoch: Callable[[TrainingState], None],
        end_training: Callable[[TrainingState], None],
    ) -> None:
        super().__init__(end_epoch)
        self.end_training = end_training
        self.stopped = False  # whether a rule or a callback stopped training early

    def on_train_end(self, state: TrainingState) -> None:
        self.stopped = state.stop
        self.end_training(state)


class StochasticSolversMixin(SolverState):
    """``_fit_stochastic`` and the end-of-epoch rules (:meth:`end_epoch`), methods of the
    base estimator; besides :class:`SolverState`'s, they keep the attributes declared below."""

    _optimizer: Optimizer
    _best_params: list[Array]
    _no_improvement_count: int
    t_: int
    validation_scores_: list[float] | None
    validation_loss_curve_: list[float] | None
    best_validation_score_: float | None

    def _start_epochs(self, incremental: bool) -> Optimizer:
        """The optimizer this call's epochs step: a new one, or partial_fit's kept one."""
        p = self._settings
        if p.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = OPTIMIZER_FOR_SOLVER[p.solver](p)  # partial_fit keeps its state
        self.n_iter_ = 0  # this call's epochs
        return self._optimizer

    def _fit_stochastic(self, start: FitStart) -> EpochsRun:
        """sgd, adam, adamw, gd: ``max_iter`` epochs of glassnet's engine (one for partial_fit).

        ``begin_fit`` checked the arrays (scikit-learn's ``validate_data``), so the
        engine's plan trusts them (:func:`~glassnet.training.prepare.plan_checked`):
        X is checked once.
        """
        p, network = self._settings, start.network
        X, Y, weights, validation = self._hold_out(start.X, start.Y, start.weights, start.rng)
        n = X.shape[0]
        hooks = EpochHooks(partial(self.end_epoch, n_samples=n), self._end_training)
        plan = plan_checked(
            network,
            X,
            Y,
            weights,
            optimizer=self._optimizer,
            epochs=1 if start.incremental else p.max_iter,
            batch_size=step_rows(p, n),
            shuffle=p.shuffle,
            alpha=p.alpha,
            validation=validation,
            rng=start.rng,
            dropout=check_dropout(p.dropout, network.n_layers - 1),
            clip_norm=p.clip_norm,
        )
        callbacks = [hooks, *(p.callbacks or ())]
        # the warnings point at the user's fit, past _fit_context
        history = Engine(network, plan, callbacks).run(stacklevel=6)
        return EpochsRun(history, hooks.stopped)

    def _warn_unconverged(self, stopped: bool, stacklevel: int) -> None:
        """scikit-learn's warning after max_iter epochs with no stopping rule fired."""
        max_iter = self._settings.max_iter
        if self.n_iter_ == max_iter and not stopped:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=stacklevel,
            )

    def _hold_out(
        self, X: Array, Y: Array, weights: Array | None, rng: np.random.Generator
    ) -> tuple[Array, Array, Array | None, tuple[Array, Array] | None]:
        """scikit-learn's early-stopping split: ``validation_fraction`` of the rows."""
        p = self._settings
        if not p.early_stopping:
            return X, Y, weights, None
        arrays = (X, Y) if weights is None else (X, Y, weights)
        parts = train_test_split(
            *arrays,
            test_size=p.validation_fraction,
            random_state=int(rng.integers(np.iinfo(np.int32).max)),
            stratify=Y if self._stratify() else None,
        )
        X_train, X_val, Y_train, Y_val = parts[:4]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the "
                "size of your dataset."
            )
        kept_weights = None if weights is None else parts[4]
        if kept_weights is not None and kept_weights.sum() <= 0:
            raise InputError(
                "early_stopping held out every sample with a positive sample_weight: the "
                "training part's weights sum to 0. Give more samples a positive weight, or "
                "lower validation_fraction"
            )
        return X_train, Y_train, kept_weights, (X_val, Y_val)

    def end_epoch(self, state: TrainingState, n_samples: int) -> None:
        """scikit-learn's rules after each epoch of its stochastic solvers, in its order.

        ``state`` is the epoch's :class:`~glassnet.training.callbacks.TrainingState`, its
        cost already in ``state.history``; ``n_samples`` the rows of one epoch. Any
        driver of the epochs (the training engine here, a cluster's rounds) calls it;
        a rule that stops asks ``state.request_stop``.

        1. ``n_iter_ += 1``, ``t_ += n_samples``; the epoch's cost goes to ``loss_curve_``
           (and, with ``early_stopping``, the validation accuracy or R^2 to
           ``validation_scores_``, the validation cost to ``validation_loss_curve_``).
        2. An epoch counts as "no improvement" when the loss is above
           ``best_loss_ - tol`` (or the validation score below ``best_validation_score_ + tol``).
        3. ``learning_rate='invscaling'`` (sgd, gd): lr = learning_rate_init / (t_ + 1) ** power_t.
        4. After more than ``n_iter_no_change`` such epochs: stop, or with
           ``learning_rate='adaptive'`` divide the learning rate by 5 (stop once it is <= 1e-6).
        """
        p, history = self._settings, state.history
        self.n_iter_ += 1
        self.t_ += n_samples
        self.loss_ = history.last("cost")
        self.loss_curve_.append(self.loss_)
        if p.verbose:
            print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
        if p.early_stopping:
            self._count_validation(state)
        else:
            self._count_loss()
        if p.learning_rate == "invscaling" and p.solver not in ADAM_SOLVERS:
            state.optimizer.learning_rate = p.learning_rate_init / (self.t_ + 1) ** p.power_t
        if self._no_improvement_count > p.n_iter_no_change:
            self._on_plateau(state)

    def _end_training(self, state: TrainingState) -> None:
        """With ``early_stopping``, scikit-learn keeps the best validation score's weights."""
        if self._settings.early_stopping:
            for param, best in zip(state.network.parameters(), self._best_params, strict=True):
                param[...] = best

    def _count_loss(self) -> None:
        loss = self.loss_curve_[-1]
        best = cast(float, self.best_loss_)  # None only when validating
        tol = self._settings.tol
        self._no_improvement_count = self._no_improvement_count + 1 if loss > best - tol else 0
        self.best_loss_ = min(best, loss)

    def _count_validation(self, state: TrainingState) -> None:
        history, tol = state.history, self._settings.tol
        score = history.last("val_metric")  # accuracy, or R^2 for regression
        cast(list, self.validation_scores_).append(score)  # lists when validating
        cast(list, self.validation_loss_curve_).append(history.last("val_cost"))
        if self._settings.verbose:
            print(f"Validation score: {score:f}")
        best = cast(float, self.best_validation_score_)
        improved = score >= best + tol
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        if score > best:
            self.best_validation_score_ = score
            self._best_params = [param.copy() for param in state.network.parameters()]

    def _on_plateau(self, state: TrainingState) -> None:
        p = self._settings
        what = "Validation score" if p.early_stopping else "Training loss"
        message = (
            f"{what} did not improve more than tol={p.tol:f} "
            f"for {p.n_iter_no_change} consecutive epochs."
        )
        optimizer = state.optimizer
        if p.learning_rate != "adaptive" or p.solver in ADAM_SOLVERS:
            self._stop(state, f"{message} Stopping.")
        elif optimizer.learning_rate <= MIN_ADAPTIVE_RATE:
            self._stop(state, f"{message} Learning rate too small. Stopping.")
        else:
            optimizer.learning_rate /= 5.0
            self._no_improvement_count = 0
            if p.verbose:
                print(f"{message} Setting learning rate to {optimizer.learning_rate:f}")

    def _stop(self, state: TrainingState, message: str) -> None:
        if self._settings.verbose:
            print(message)
        state.request_stop(message)

    def _stratify(self) -> bool:
        """Whether the early-stopping split keeps the class proportions."""
        raise NotImplementedError
