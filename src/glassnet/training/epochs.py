"""A run's epochs, as every driver records them: the History, the callbacks' hooks, the end.

    record.begin_epoch()            on_train_begin (before the first epoch), on_epoch_begin
    ... the epoch's steps: the engine's mini-batches, or a cluster's rounds ...
    record.end_epoch(cost, norms)   the History's row, on_epoch_end, Ctrl-C; whether the run is over
    record.finish()                 the weights still finite (else a DivergenceError), on_train_end

The training engine, the cluster's full-batch descent and local SGD, and a cluster run's
rounds keep their epochs with an :class:`EpochRecord`, so a row has the same columns, and a
run stops and ends by the same rules, whoever took its steps.
"""

import math
from collections.abc import Callable, Sequence

import numpy as np

from glassnet.core.network import Network
from glassnet.core.optimizers import Optimizer
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.training.divergence import diverged
from glassnet.training.history import History
from glassnet.training.metrics import metric_name

HOOK_NAMES = ("on_train_begin", "on_epoch_begin", "on_step_end", "on_epoch_end", "on_train_end")
Hook = Callable[[TrainingState], None]


class EpochRecord:
    """The record of a run's epochs: its History, the TrainingState its callbacks see, their hooks.

    Parameters
    ----------
    network, optimizer
        What the callbacks see as ``state.network`` and ``state.optimizer``.
    epochs
        The epochs asked for: the run is over after the last one.
    callbacks
        Run in order at each hook (see :mod:`glassnet.training.callbacks`).
    clip_norm
        The steps' clipping norm, or None: with one, each row has the clipping columns.

    Attributes
    ----------
    history : History
        One row per finished epoch.
    state : TrainingState
        What the callbacks see: the epoch, the step count (the driver counts it), the last step.
    interrupted : callable
        Whether Ctrl-C was pressed; the driver that watches it sets it (never, by default).
    """

    def __init__(
        self,
        network: Network,
        optimizer: Optimizer,
        epochs: int,
        callbacks: Sequence[Callback] = (),
        *,
        clip_norm: float | None = None,
    ) -> None:
        self.history = History(metric_name=metric_name(network.output))
        self.state = TrainingState(network, optimizer, self.history, epochs=epochs)
        self.hooks = {name: _overridden(callbacks, name) for name in HOOK_NAMES}
        self.clip_norm = clip_norm
        self.interrupted: Callable[[], bool] = lambda: False
        self._started = self._ended = False

    def call(self, name: str) -> None:
        """Run hook ``name`` (e.g. "on_step_end") of each callback overriding it, in order."""
        for hook in self.hooks[name]:
            hook(self.state)

    def begin_epoch(self) -> None:
        """Before an epoch's first step: ``on_train_begin`` (the first time), ``on_epoch_begin``."""
        if not self._started:
            self._started = True
            self.call("on_train_begin")
        self.state.epoch = len(self.history)
        self.call("on_epoch_begin")

    def end_epoch(self, cost: float, norms: Sequence[float] = (), **columns: float) -> bool:
        """The epoch's row in the History, the epoch-end hooks, Ctrl-C; whether the run is over.

        ``cost`` is the epoch's training cost, ``norms`` its steps' gradient norms before
        clipping, ``columns`` any other values of the row (``val_cost``, ``val_metric``).
        The run is over when a callback (or Ctrl-C) stopped it, or after its last epoch.
        """
        state = self.state
        self.history.append(
            epoch=state.epoch,
            cost=cost,
            learning_rate=state.optimizer.learning_rate,
            **columns,
            **clipping_columns(norms, self.clip_norm),
        )
        self.call("on_epoch_end")
        if self.interrupted():
            stop_after_interrupt(state)
        return state.stop or state.epoch + 1 >= state.epochs

    def finish(self) -> None:
        """The run's end: a DivergenceError if a weight is NaN or inf, else :meth:`end`."""
        if not all(np.isfinite(param).all() for param in self.state.network.parameters()):
            raise diverged(self.state, None)
        self.end()

    def end(self) -> None:
        """The callbacks' ``on_train_end``, once, however the run ended."""
        if not self._ended:
            self._ended = True
            self.call("on_train_end")


class EachEpoch(Callback):
    """A function of the TrainingState, run at the end of every epoch (an estimator's rules)."""

    def __init__(self, end_epoch: Hook) -> None:
        self.end_epoch = end_epoch

    def on_epoch_end(self, state: TrainingState) -> None:
        self.end_epoch(state)


def clipping_columns(norms: Sequence[float], clip_norm: float | None) -> dict[str, float]:
    """The epoch's clipping columns: steps clipped, and the largest norm before clipping."""
    if clip_norm is None:
        return {}
    return {
        "clipped_steps": sum(norm > clip_norm for norm in norms),
        "max_grad_norm": max(norms, default=math.nan),
    }


def stop_after_interrupt(state: TrainingState) -> None:
    """Record a Ctrl-C in the History and stop after the current epoch, saying why."""
    state.history.interrupted = True
    state.request_stop(f"interrupted by the user (Ctrl-C) after epoch {state.epoch}")


def _overridden(callbacks: Sequence[Callback], name: str) -> list[Hook]:
    """Each callback's hook ``name`` (e.g. "on_step_end"), but those still the base's no-op.

    A hook left as :class:`Callback` defines it does nothing, so it is not called: a run
    without callbacks calls nothing at all between its steps.
    """
    idle = getattr(Callback, name)
    hooks = [getattr(callback, name) for callback in callbacks]
    return [hook for hook in hooks if getattr(hook, "__func__", None) is not idle]
