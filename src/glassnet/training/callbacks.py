"""Callbacks: the one way to act during training.

``train`` calls each callback's hooks in order: ``on_train_begin``, then per
epoch ``on_epoch_begin``, ``on_step_end`` after every parameter update,
``on_epoch_end`` once the epoch's row is in the History, and ``on_train_end``
(also after early stopping, Ctrl-C or divergence is caught). A callback stops
training by calling ``state.request_stop(reason)``.
"""

import math
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from glassnet.training.history import History
from glassnet.validation import check_integer, check_number

if TYPE_CHECKING:
    from glassnet.core.network import Gradients, Network
    from glassnet.core.optimizers import Optimizer


@dataclass
class TrainingState:
    """What a callback can see and change while training runs."""

    network: "Network"
    optimizer: "Optimizer"
    history: History
    epochs: int
    epoch: int = 0
    step: int = 0
    step_cost: float = math.nan
    grads: "Gradients | None" = None
    stop: bool = False
    logs: dict[str, Any] = field(default_factory=dict)

    def request_stop(self, reason: str) -> None:
        """Stop after the current epoch, recording ``reason`` in the History."""
        self.stop = True
        self.history.stop_reason = reason


def monitored_cost(history: History) -> float:
    """The cost a callback watches: the last validation cost, or the training cost without one."""
    monitored = history.last("val_cost")
    return history.last("cost") if math.isnan(monitored) else monitored


class Callback:
    """Base class: override the hooks you need; each receives the TrainingState."""

    def on_train_begin(self, state: TrainingState) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, state: TrainingState) -> None:
        """Before each epoch's first step."""

    def on_step_end(self, state: TrainingState) -> None:
        """After each parameter update; ``state.step_cost`` and ``state.grads`` are that step's."""

    def on_epoch_end(self, state: TrainingState) -> None:
        """After each epoch's row was appended to ``state.history``."""

    def on_train_end(self, state: TrainingState) -> None:
        """After the last epoch, however training ended."""


class PrintCost(Callback):
    """Print ``Cost after iteration i: c`` every ``every`` epochs, as the tutorials do.

    Full batch, an epoch is one iteration (one gradient step), and the line is the
    tutorials'. With mini-batches an epoch is several steps, and the line says so:
    ``Cost after epoch i: c``, the epoch's mean cost.
    """

    def __init__(self, every: int = 100, stream: TextIO | None = None) -> None:
        self.every = check_integer(every, "every", low=1)
        self.stream = stream

    @staticmethod
    def unit(steps_per_epoch: int) -> str:
        """What one pass of the loop is called: ``"iteration"`` for one step, else ``"epoch"``."""
        return "iteration" if steps_per_epoch <= 1 else "epoch"

    def on_train_begin(self, state: TrainingState) -> None:
        self.printed: int | None = None
        self.word = self.unit(1)
        self.steps_before = state.step

    def on_epoch_begin(self, state: TrainingState) -> None:
        self.steps_before = state.step

    def on_epoch_end(self, state: TrainingState) -> None:
        self.word = self.unit(state.step - self.steps_before)
        if state.epoch % self.every == 0 or state.epoch == state.epochs - 1:
            self._print(state)

    def on_train_end(self, state: TrainingState) -> None:
        if len(state.history) and self.printed != state.history["epoch"][-1]:
            self._print(state)  # training stopped early: still show where it ended

    def _print(self, state: TrainingState) -> None:
        epoch = int(state.history["epoch"][-1])
        line = f"Cost after {self.word} {epoch}: {state.history.last('cost'):.6f}"
        if not math.isnan(state.history.last("val_cost")):
            line += f"  (validation {state.history.last('val_cost'):.6f})"
        print(line, file=self.stream or sys.stdout)
        self.printed = epoch


def copy_weights(source: "Network", target: "Network") -> None:
    """``target.W[l], target.b[l] = source.W[l], source.b[l]``, into target's own arrays."""
    for mine, theirs in zip(target.parameters(), source.parameters(), strict=True):
        np.copyto(mine, theirs)


class BestEpoch(Callback):
    """The base of the callbacks that keep a run's best epoch: its cost, its number, its weights.

    The monitored cost is the validation cost, or the training cost without validation
    data (:func:`monitored_cost`). Which weights scored it:

    ==============================  ==============================================
    monitored                       the weights that scored it
    ==============================  ==============================================
    val_cost                        the weights at the end of the epoch
    cost, full batch (one step)     the weights at its start: J comes before the update
    cost, mini-batches              the weights at its end (J is the epoch's mean)
    ==============================  ==============================================

    A subclass calls :meth:`update` from ``on_epoch_end`` (and ``super()``'s
    ``on_train_begin`` and ``on_epoch_begin`` when it overrides them). :attr:`best` and
    :attr:`best_epoch` are the best so far (inf and ``None`` until an epoch scores a
    finite cost), :attr:`best_monitor` the column monitored ("val_cost" or "cost") and
    :attr:`best_weights` a copy of the weights that scored it. EarlyStopping,
    Checkpoint and the loop's divergence fallback are its subclasses.
    """

    def on_train_begin(self, state: TrainingState) -> None:
        self.best = math.inf
        self.best_epoch: int | None = None
        self.best_monitor = "cost"
        self.best_weights = state.network.copy()  # the best epoch's, once one scored
        self._start = state.network.copy()  # the weights at the start of the epoch
        self._keep_start = True  # until epoch 0 shows whether J is scored before the update
        self._steps_before = 0

    def on_epoch_begin(self, state: TrainingState) -> None:
        if self._keep_start:
            copy_weights(state.network, self._start)
        self._steps_before = state.step

    def update(self, state: TrainingState, min_delta: float = 0.0, keep: bool = True) -> bool:
        """Whether this epoch beat the best cost by more than ``min_delta``; if so, it is the best.

        An epoch whose cost is NaN, or whose weights are no longer finite (the last step
        overflowed: training is about to report a divergence), never improves. With
        ``keep=False`` the weights are not copied (EarlyStopping without restore_best).
        """
        monitored = monitored_cost(state.history)
        on_training_cost = math.isnan(state.history.last("val_cost"))
        before_update = on_training_cost and state.step - self._steps_before <= 1
        self._keep_start = before_update
        scored = self._start if before_update else state.network
        if not monitored < self.best - min_delta:  # NaN never is
            return False
        if not all(np.isfinite(p).all() for p in scored.parameters()):
            return False
        if keep:
            copy_weights(scored, self.best_weights)
        self.best, self.best_epoch = monitored, state.epoch
        self.best_monitor = "cost" if on_training_cost else "val_cost"
        return True


class EarlyStopping(BestEpoch):
    """Stop when the monitored cost has not improved by ``min_delta`` for ``patience`` epochs.

    Monitors ``val_cost`` when validation data is given, else the training ``cost``.
    With ``restore_best=True`` the network ends with the weights that scored the best
    epoch (see :class:`BestEpoch`), however training ended (patience, the epoch
    limit or Ctrl-C).
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True):
        self.patience = check_integer(patience, "patience", low=1)
        self.min_delta = check_number(min_delta, "min_delta", low=0)
        self.restore_best = bool(restore_best)

    def on_train_begin(self, state: TrainingState) -> None:
        super().on_train_begin(state)
        self.waited = 0

    def on_epoch_end(self, state: TrainingState) -> None:
        if self.update(state, self.min_delta, keep=self.restore_best):
            self.waited = 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            state.request_stop(
                f"early stopping at epoch {state.epoch}: no improvement of more than "
                f"{self.min_delta:g} for {self.patience} epochs (best epoch {self.best_epoch})"
            )

    def on_train_end(self, state: TrainingState) -> None:
        state.history.best_epoch = self.best_epoch
        if self.restore_best and self.best_epoch is not None:
            copy_weights(self.best_weights, state.network)
