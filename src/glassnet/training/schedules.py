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

Per step instead of per epoch, with s the step (0, 1, ...), T = ``total_steps``,
t = min(s / T, 1) the share of training done, W = ``warmup_steps`` and
warm(s) = min(1, (s + 1) / W) (1 without a warm-up):

==================  ======================================================
WarmupCosine        lr = lr0 warm(s) (1 + cos(pi t)) / 2
CosLog              lr = lr0 warm(s) (1 - cos(2 pi log2(1 + (2^c - 1) t))) / 2
==================  ======================================================

Each step schedule sets the rate of the next step after each step, so the History's
``learning_rate`` of an epoch is the rate of the step after it.
"""

import inspect
import math
from collections.abc import Callable

from glassnet.errors import InputError
from glassnet.training.callbacks import Callback, TrainingState, monitored_cost
from glassnet.validation import (
    check_integer,
    check_number,
    check_positive,
    check_unit_interval,
    lookup,
)


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
        self.gamma = check_unit_interval(gamma, "gamma", closed_low=False)

    def rate(self, epoch: int) -> float:
        return self.initial * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """lr = lr0 * gamma ** e."""

    def __init__(self, gamma: float = 0.99) -> None:
        self.gamma = check_unit_interval(gamma, "gamma", closed_low=False)

    def rate(self, epoch: int) -> float:
        return self.initial * self.gamma**epoch


class InverseScaling(Schedule):
    """lr = lr0 / (e + 1) ** power_t, scikit-learn's 'invscaling' counted in epochs."""

    def __init__(self, power_t: float = 0.5) -> None:
        self.power_t = check_positive(power_t, "power_t")

    def rate(self, epoch: int) -> float:
        return self.initial / (epoch + 1) ** self.power_t


class StepSchedule(Callback):
    """A schedule lr(s) = lr0 warm(s) f(t) of the step s, t = min(s / T, 1); subclasses give f.

    Parameters
    ----------
    total_steps
        T, the steps of the whole run (epochs times batches per epoch); past it t stays 1.
    warmup_steps
        W: the rate rises linearly over the first W steps, warm(s) = min(1, (s + 1) / W),
        reaching the schedule's own value at step W - 1. 0: no warm-up.
    """

    def __init__(self, total_steps: int, warmup_steps: int = 0) -> None:
        self.total_steps = check_integer(total_steps, "total_steps", low=1)
        self.warmup_steps = check_integer(
            warmup_steps, "warmup_steps", low=0, high=self.total_steps
        )

    def on_train_begin(self, state: TrainingState) -> None:
        self.initial = state.optimizer.learning_rate
        state.optimizer.learning_rate = self.rate(state.step)  # the first step's rate

    def on_step_end(self, state: TrainingState) -> None:
        state.optimizer.learning_rate = self.rate(state.step)  # state.step steps taken: the next

    def rate(self, step: int) -> float:
        """The learning rate of step ``step`` (counted from 0)."""
        warm = min(1.0, (step + 1) / self.warmup_steps) if self.warmup_steps else 1.0
        progress = min(step / self.total_steps, 1.0)  # t, the share of training done
        return self.initial * warm * self.shape(progress)  # lr0 warm(s) f(t)

    def shape(self, progress: float) -> float:
        """f(t), the schedule's factor at the share t of training done."""
        raise NotImplementedError


class WarmupCosine(StepSchedule):
    """lr = lr0 warm(s) (1 + cos(pi t)) / 2: a linear warm-up, then a cosine decay to 0."""

    def shape(self, progress: float) -> float:
        return 0.5 * (1 + math.cos(math.pi * progress))  # (1 + cos(pi t)) / 2


class CosLog(StepSchedule):
    """lr = lr0 warm(s) (1 - cos(2 pi log2(1 + (2^c - 1) t))) / 2: c cosine cycles on a log clock.

    With ``cycles=4`` and no warm-up it is RealMLP's "coslog4" (Holzmueller et al., 2024),
    as its code writes it: 1/2 - 1/2 cos(2 pi log2(1 + 15 t)). It reaches lr0 at
    t = (sqrt(2) - 1) / 15 (its own warm-up); each cycle is twice as long as the one
    before; the rate starts and ends at 0.
    """

    def __init__(self, total_steps: int, warmup_steps: int = 0, cycles: int = 4) -> None:
        super().__init__(total_steps, warmup_steps)
        self.cycles = check_integer(cycles, "cycles", low=1)

    def shape(self, progress: float) -> float:
        clock = math.log2(1 + (2**self.cycles - 1) * progress)  # 0 at t = 0, c at t = 1
        return 0.5 * (1 - math.cos(2 * math.pi * clock))  # (1 - cos(2 pi log2(1 + 15 t))) / 2


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
        self.factor = check_unit_interval(factor, "factor", closed_low=False)
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
