"""Learning-rate schedules, as callbacks that set ``optimizer.learning_rate``.

With lr0 the optimizer's learning rate when training starts and e the epoch:

==================  ======================================================
constant            lr = lr0
step                lr = lr0 * gamma ** floor(e / step_size)
exponential         lr = lr0 * gamma ** e
invscaling          lr = lr0 / (e + 1) ** power_t
plateau             lr <- lr * factor when the monitored cost has not improved
                    by min_delta for patience epochs (never below min_lr)
==================  ======================================================

``train`` records the learning rate of every epoch in the History.
"""

import inspect
import math
from collections.abc import Callable

from glassnet.errors import InputError
from glassnet.training.callbacks import Callback, TrainingState, monitored_cost
from glassnet.validation import check_integer, check_number, check_positive, lookup


class Schedule(Callback):
    """A schedule given by a formula lr(e) of the epoch; subclasses define ``rate``."""

    def on_train_begin(self, state: TrainingState) -> None:
        self.initial = state.optimizer.learning_rate

    def on_epoch_begin(self, state: TrainingState) -> None:
        state.optimizer.learning_rate = self.rate(state.epoch)

    def rate(self, epoch: int) -> float:
        """The learning rate of ``epoch``."""
        raise NotImplementedError


class Constant(Schedule):
    """lr = lr0."""

    def rate(self, epoch: int) -> float:
        return self.initial


class StepDecay(Schedule):
    """lr = lr0 * gamma ** floor(e / step_size): drop by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, step_size: int = 100, gamma: float = 0.5) -> None:
        self.step_size = check_integer(step_size, "step_size", low=1)
        self.gamma = _check_factor(gamma, "gamma")

    def rate(self, epoch: int) -> float:
        return self.initial * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """lr = lr0 * gamma ** e."""

    def __init__(self, gamma: float = 0.99) -> None:
        self.gamma = _check_factor(gamma, "gamma")

    def rate(self, epoch: int) -> float:
        return self.initial * self.gamma**epoch


class InverseScaling(Schedule):
    """lr = lr0 / (e + 1) ** power_t, scikit-learn's 'invscaling' counted in epochs."""

    def __init__(self, power_t: float = 0.5) -> None:
        self.power_t = check_positive(power_t, "power_t")

    def rate(self, epoch: int) -> float:
        return self.initial / (epoch + 1) ** self.power_t


class ReduceOnPlateau(Callback):
    """Multiply lr by ``factor`` when the monitored cost stalls for ``patience`` epochs.

    Monitors ``val_cost`` when validation data is given, else the training ``cost``.
    """

    def __init__(
        self,
        factor: float = 0.5,
        patience: int = 10,
        min_delta: float = 1e-4,
        min_lr: float = 1e-6,
    ) -> None:
        self.factor = _check_factor(factor, "factor")
        self.patience = check_integer(patience, "patience", low=1)
        self.min_delta = check_number(min_delta, "min_delta", low=0)
        self.min_lr = check_number(min_lr, "min_lr", low=0)

    def on_train_begin(self, state: TrainingState) -> None:
        self.best = math.inf
        self.waited = 0

    def on_epoch_end(self, state: TrainingState) -> None:
        monitored = monitored_cost(state.history)
        if monitored < self.best - self.min_delta:
            self.best, self.waited = monitored, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            rate = state.optimizer.learning_rate
            if rate > self.min_lr:  # reduce, never below min_lr, never up to it
                state.optimizer.learning_rate = max(rate * self.factor, self.min_lr)
            self.waited = 0


def _check_factor(value: float, name: str) -> float:
    """A decay factor: a number in (0, 1)."""
    return check_number(value, name, low=0, high=1, low_open=True, high_open=True)


SCHEDULES: dict[str, Callable[..., Callback]] = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "invscaling": InverseScaling,
    "plateau": ReduceOnPlateau,
}


def make_schedule(name: str, **options: float) -> Callback:
    """Build a schedule by name: constant, step, exponential, invscaling or plateau.

    ``options`` are the schedule's own parameters (``make_schedule("step", gamma=0.1)``);
    one it does not take is refused with the list of those it does.
    """
    build = lookup(SCHEDULES, name, "learning-rate schedule")
    takes = inspect.signature(build).parameters
    unknown = sorted(set(options) - set(takes))
    if unknown:
        accepted = ", ".join(takes) or "no options"
        raise InputError(
            f"the {name!r} schedule does not take the option(s) {', '.join(unknown)}: "
            f"it takes {accepted}"
        )
    return build(**options)
