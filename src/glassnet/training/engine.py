"""The training engine: a run that is stepped, one mini-batch at a time.

An :class:`Engine` holds a run (the network, its checked :class:`TrainingPlan`, the
callbacks and the History) and takes its steps with
:func:`~glassnet.training.step.take_step`. Its drivers decide how far it goes: ``train``
and the estimators to the end (:meth:`Engine.run`), the playground a few
:meth:`Engine.step` calls per frame (pausing is not stepping). An epoch ends right after
its last batch's step: its row goes into the History, then the callbacks'
``on_epoch_end`` hooks run.
"""

import contextlib
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Unpack

import numpy as np
from numpy.typing import ArrayLike

from glassnet.core.network import Network, cost, forward
from glassnet.core.trace import Gradients, Trace
from glassnet.errors import DivergenceError
from glassnet.training.batches import Batch
from glassnet.training.callbacks import Callback, EarlyStopping
from glassnet.training.divergence import BestFiniteWeights, diverged
from glassnet.training.epochs import EpochRecord
from glassnet.training.history import History
from glassnet.training.metrics import score
from glassnet.training.prepare import TrainingPlan, TrainOptions, prepare
from glassnet.training.step import NonFiniteCostError, Step, StepSettings, take_step


class Engine:
    """A training run that is stepped: one mini-batch, one epoch, or to the end.

    Parameters
    ----------
    network
        Trained in place.
    plan
        The run's checked data and settings (:func:`~glassnet.training.prepare.prepare`);
        its optimizer is the one stepped, its Generator draws the batches and masks.
    callbacks
        Run in order at each hook (see :mod:`glassnet.training.callbacks`).

    Attributes
    ----------
    record : EpochRecord
        The run's epochs (:mod:`glassnet.training.epochs`): its History, its state, the hooks.
    history : History
        One row per finished epoch (the record's).
    state : TrainingState
        What the callbacks see: the epoch, the step count, the last step's cost (the record's).
    last : Step or None
        The last step: its cost, trace (``Z[l]``, ``A[l]``) and gradients (``dW[l]``,
        ``db[l]``, ``dZ[l]``, ``dA[l]``). The next step computes new ones; read, do not write.
    done : bool
        Whether the run has ended (its epochs, or a stop); a done engine takes no step.
    """

    def __init__(self, network: Network, plan: TrainingPlan, callbacks: Sequence[Callback] = ()):
        self.network, self.plan = network, plan
        monitors = plan.X_val is not None or any(isinstance(c, EarlyStopping) for c in callbacks)
        self.fallback = BestFiniteWeights() if monitors else None
        everyone = [self.fallback, *callbacks] if self.fallback else callbacks
        self.record = EpochRecord(
            network, plan.optimizer, plan.epochs, everyone, clip_norm=plan.clip_norm
        )
        self.history, self.state = self.record.history, self.record.state
        self.settings = StepSettings(plan.l2, plan.dropout, plan.clip_norm)
        self.last: Step | None = None
        self.done = False
        self._batches: Iterator[Batch] | None = None  # the epoch's batches still to take
        self._next: Batch | None = None  # the next step's batch, gathered after the last step
        self._epoch_cost, self._norms = 0.0, list[float]()

    @property
    def trace(self) -> Trace | None:
        """The last step's Trace (None before the first step)."""
        return None if self.last is None else self.last.trace

    @property
    def grads(self) -> Gradients | None:
        """The last step's Gradients (None before the first step)."""
        return None if self.last is None else self.last.grads

    @property
    def epoch(self) -> int:
        """The epoch the next step belongs to (the number of finished epochs)."""
        return len(self.history)

    def step(self) -> Step | None:
        """Take one mini-batch step (ending the epoch after its last); None once the run is done.

        Raises
        ------
        DivergenceError
            When the cost or the weights become NaN or inf; the weights are left as
            the last finite step left them, and the engine is done.
        """
        if self.done:
            return None
        with np.errstate(over="ignore", invalid="ignore"):  # overflow shows as a NaN/inf cost
            try:
                return self._advance()
            except DivergenceError:
                self._end()
                raise

    def run_epoch(self) -> None:
        """Take the steps left in the current epoch (a whole epoch if none was taken)."""
        epoch = self.epoch
        while not self.done and self.epoch == epoch:
            self.step()

    def run(self, stacklevel: int = 1) -> History:
        """Drive the run to its end, with the stopping rules; return the History.

        Ctrl-C stops it after the current epoch (a second one at once). A divergence
        raises a DivergenceError unless the run monitors a cost (a validation set, or
        EarlyStopping) and an earlier epoch scored a finite one: then that epoch's
        weights are restored and a DivergenceWarning says so. The warnings about the
        end point ``stacklevel`` frames above the caller of ``run`` (1: the caller).
        """
        restored = False
        with deferred_interrupt() as interrupted, np.errstate(over="ignore", invalid="ignore"):
            self.record.interrupted = interrupted
            try:
                while not self.done:
                    self._advance()
            except DivergenceError as error:
                if self.fallback is None or self.fallback.best_epoch is None:
                    raise
                self.fallback.restore(self.state, error, stacklevel + 2)  # the best epoch's weights
                restored = True
            finally:
                self._end()
        if not restored:
            _warn_about_the_end(self.history, self.plan.optimizer.learning_rate, stacklevel + 2)
        return self.history

    def _advance(self) -> Step:
        """One step: begin the run or the epoch as needed, step, end the epoch after its last."""
        plan, state = self.plan, self.state
        if self._next is None:
            self._begin_epoch()
        batch = self._next
        assert batch is not None  # an epoch has a batch: the weights sum to more than 0
        try:
            step = take_step(self.network, plan.optimizer, batch, self.settings, plan.rng)
        except NonFiniteCostError as error:
            raise diverged(state, error.cost) from None
        self._epoch_cost += step.cost * batch.share  # the epoch's cost: costs weighted by share
        if step.grad_norm is not None:
            self._norms.append(step.grad_norm)
        state.step += 1
        state.step_cost, state.grads = step.cost, step.grads
        self.last = step
        if plan.record_steps:
            self.history.step_cost.append(step.cost)
        self.record.call("on_step_end")
        self._next = next(self._batches, None)  # type: ignore[arg-type]
        if self._next is None:
            self._end_epoch()
        return step

    def _begin_epoch(self) -> None:
        self.record.begin_epoch()
        self._epoch_cost, self._norms = 0.0, []
        self._batches = self.plan.batches()
        self._next = next(self._batches)

    def _end_epoch(self) -> None:
        """The epoch's row in the History, the epoch-end hooks, then the stopping rules."""
        scores = _validation_scores(self.network, self.plan)
        if self.record.end_epoch(self._epoch_cost, self._norms, **scores):  # a stop, or the last
            self.done = True
            self.record.finish()  # the weights are finite (else a DivergenceError), on_train_end

    def _end(self) -> None:
        """The run is over: the train-end hooks, once."""
        self.done = True
        self.record.end()


def start(network: Network, X: ArrayLike, y: ArrayLike, **options: Unpack[TrainOptions]) -> Engine:
    """An Engine for ``train``'s arguments (checked here), ready to be stepped.

    ``options`` are :func:`~glassnet.training.loop.train`'s, without ``callbacks``;
    ``start(network, X, y, ...).run()`` is ``train(network, X, y, ...)``.
    """
    return Engine(network, prepare(network, X, y, **options))


def _validation_scores(network: Network, plan: TrainingPlan) -> dict[str, float]:
    if plan.X_val is None or plan.Y_val is None:
        return {}
    trace = forward(network, plan.X_val)
    return {
        "val_cost": cost(network, trace, plan.Y_val, None, plan.l2),
        "val_metric": score(network.output, trace.output, plan.Y_val),
    }


def _warn_about_the_end(history: History, learning_rate: float, stacklevel: int) -> None:
    """Warn when the run was interrupted, or when its cost rose though it stayed finite.

    A learning rate too large to converge but too small to overflow keeps the cost
    finite and rising: no DivergenceError, but the run failed to learn all the same.
    """
    if history.interrupted:
        kept = "the best epoch's" if history.best_epoch is not None else "the last epoch's"
        warnings.warn(f"{history.stop_reason}; {kept} weights are kept", stacklevel=stacklevel)
    first, last = history.cost[0], history.cost[-1]
    if len(history) >= 10 and last > first:
        warnings.warn(
            f"the training cost rose from {first:.4g} to {last:.4g}: training failed to learn; "
            f"try a smaller learning rate (it ended at {learning_rate:g}) or standardised features",
            stacklevel=stacklevel,
        )


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl-C into a flag checked between epochs; a second one aborts."""
    caught: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        caught.append(True)
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C stops at once

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(caught)
    finally:
        signal.signal(signal.SIGINT, previous)
