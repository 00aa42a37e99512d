"""The training loop: one function for full-batch, mini-batch and stochastic descent.

``train`` is three steps:

1. check and prepare (:func:`~glassnet.training.prepare.prepare`): the arguments,
   once, into a :class:`~glassnet.training.prepare.TrainingPlan`;
2. the epochs (:func:`run_epochs`): each step runs the one forward and the one
   backward pass on a batch, then lets the optimizer move the parameters::

       trace = forward(network, X_batch, mask)      Z[l], A[l] (mask: dropout's M[l], if any)
       J     = cost(network, trace, Y_batch)        recorded, checked for NaN/inf
       grads = backward(network, trace, Y_batch)    dW[l], db[l]
       clip_by_global_norm(grads, clip_norm)        only with clip_norm
       optimizer.step(network.parameters(), grads.as_list())

3. the stopping rules: the epoch limit, a callback's request (early stopping),
   Ctrl-C, and divergence (a NaN or inf cost or weight). Divergence raises a
   DivergenceError, unless the run monitors a cost (a validation set, or an
   EarlyStopping callback) and an earlier epoch scored a finite one: then the
   weights of the best such epoch are restored, a DivergenceWarning says so, and
   ``train`` returns.

Everything else (printing, schedules, early stopping, progress bars,
checkpoints) is a callback.
"""

import contextlib
import math
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.clipping import clip_by_global_norm
from glassnet.core.dropout import Rates
from glassnet.core.network import Network, backward, cost, forward
from glassnet.core.optimizers import Optimizer
from glassnet.errors import DivergenceError
from glassnet.training.callbacks import Callback, EarlyStopping, TrainingState
from glassnet.training.divergence import BestFiniteWeights, diverged
from glassnet.training.history import History
from glassnet.training.metrics import metric_name, score
from glassnet.training.prepare import TrainingPlan, Validation, prepare

Array = NDArray[np.floating]


def train(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    optimizer: Optimizer | str | None = None,
    epochs: int = 1000,
    batch_size: int | None = None,
    *,
    learning_rate: float = 0.01,
    shuffle: bool = True,
    alpha: float = 0.0,
    sample_weight: ArrayLike | None = None,
    validation: Validation = None,
    callbacks: Sequence[Callback] = (),
    random_state: int | np.random.Generator | None = None,
    record_steps: bool = False,
    dropout: Rates = None,
    clip_norm: float | None = None,
) -> History:
    """Train ``network`` in place and return the History of the run.

    Parameters
    ----------
    X, y
        Samples in rows, shape (n, n_features), an array or a SciPy sparse matrix
        (trained on as CSR, a mini-batch's rows at a time, never densified); targets
        as :func:`encode_targets` takes them (0/1 for sigmoid, class indices or
        one-hot for softmax, values for identity, counts y >= 0 for exp).
    optimizer
        An optimizer object, or a name ("gd", "momentum", "nesterov", "adam")
        built with ``learning_rate``; default plain gradient descent.
    epochs
        Passes over the data. With ``batch_size=None`` (full batch) an epoch is one
        iteration of the tutorials: one forward, one backward, one update.
    batch_size
        ``None`` for full batch, k for mini-batches of k samples, 1 for stochastic
        descent. Larger than the data: clipped to the data with a warning.
    shuffle
        Shuffle the samples every epoch (mini-batches only), from the run's seed.
    alpha
        L2 strength: the cost adds (alpha / (2 n)) sum_l ||W[l]||^2 with n the
        number of training samples (the total sample weight when weights are given),
        whatever the batch size.
    validation
        A fraction in (0, 1) held out from ``X`` (stratified for classification), or
        ``(X_val, y_val)``; adds ``val_cost`` and ``val_metric`` to the History.
    callbacks
        Run in order at each hook; see :mod:`glassnet.training.callbacks`.
    random_state
        Seed for shuffling and the validation split: same seed, same run.
    record_steps
        Also keep every step's batch cost in ``History.step_cost``.
    dropout
        The dropout rate p of every hidden layer, or one rate per hidden layer, each in
        [0, 1); ``None`` for none. A fresh mask per step, from ``random_state``;
        predicting (``forward`` without masks) drops nothing.
    clip_norm
        Clip each step's gradients to this global norm (``torch.nn.utils.clip_grad_norm_``'s
        rule); the History then adds ``clipped_steps`` (steps clipped in the epoch) and
        ``max_grad_norm`` (the epoch's largest norm before clipping).

    Numbers may be Python or NumPy ints and floats; booleans are refused.

    Raises
    ------
    InputError
        For a bad argument, before anything changes.
    DivergenceError
        When the cost or the weights become NaN or inf (and no earlier epoch's
        weights are kept, see above); the error says at which epoch and suggests a
        smaller learning rate. It is also a ``ValueError``.
    """
    plan = prepare(
        network,
        X,
        y,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        shuffle=shuffle,
        alpha=alpha,
        sample_weight=sample_weight,
        validation=validation,
        random_state=random_state,
        record_steps=record_steps,
        dropout=dropout,
        clip_norm=clip_norm,
    )
    return run_epochs(network, plan, callbacks)


def run_epochs(network: Network, plan: TrainingPlan, callbacks: Sequence[Callback] = ()) -> History:
    """Train ``network`` in place on a prepared plan, checking nothing again.

    ``plan`` comes from :func:`~glassnet.training.prepare.prepare`, which checked the
    data; the optimizer in it is the one stepped (its state carries on). Returns the
    History, as :func:`train` does.
    """
    history = History(metric_name=metric_name(network.output))
    state = TrainingState(network, plan.optimizer, history, epochs=plan.epochs)
    monitors = plan.X_val is not None or any(isinstance(c, EarlyStopping) for c in callbacks)
    fallback = BestFiniteWeights() if monitors else None
    hooks = Hooks([fallback, *callbacks] if fallback is not None else callbacks)
    hooks.call(hooks.train_begin, state)
    restored = False
    try:
        _descend(network, plan, state, hooks)
    except DivergenceError as error:
        if fallback is None or fallback.best_epoch is None:
            raise
        fallback.restore(state, error)  # the best finite epoch's weights, and a warning
        restored = True
    finally:
        hooks.call(hooks.train_end, state)
    if not restored:
        _warn_about_the_end(history, plan.optimizer.learning_rate)
    return history


HOOK_NAMES = ("on_train_begin", "on_epoch_begin", "on_step_end", "on_epoch_end", "on_train_end")


class Hooks:
    """The callbacks' hooks by name, each list holding only the hooks a callback overrides.

    A hook left as :class:`Callback` defines it does nothing, so it is not called: a run
    without callbacks calls nothing at all between its steps.
    """

    def __init__(self, callbacks: Sequence[Callback]) -> None:
        hooks = (_overridden(callbacks, name) for name in HOOK_NAMES)
        self.train_begin, self.epoch_begin, self.step_end, self.epoch_end, self.train_end = hooks

    @staticmethod
    def call(hooks: list[Callable[[TrainingState], None]], state: TrainingState) -> None:
        """Run each hook of one kind (e.g. ``hooks.epoch_end``), in the callbacks' order."""
        for hook in hooks:
            hook(state)


def _overridden(callbacks: Sequence[Callback], name: str) -> list[Callable[[TrainingState], None]]:
    """Each callback's hook ``name`` (e.g. "on_step_end"), but those still the base's no-op."""
    idle = getattr(Callback, name)
    hooks = [getattr(callback, name) for callback in callbacks]
    return [hook for hook in hooks if getattr(hook, "__func__", None) is not idle]


def _descend(network: Network, plan: TrainingPlan, state: TrainingState, hooks: Hooks) -> None:
    """The loop: for every epoch, for every batch: forward, cost, backward, step."""
    params, sizes, history = network.parameters(), network.layer_sizes, state.history
    # overflow is caught as a non-finite cost below, with a clearer message than NumPy's
    with deferred_interrupt() as interrupted, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(plan.epochs):
            state.epoch = epoch
            hooks.call(hooks.epoch_begin, state)
            epoch_cost, norms = 0.0, []
            for batch in plan.batches():
                mask = plan.masks(sizes, batch.X.shape[0], network.dtype) if plan.dropout else None
                trace = forward(network, batch.X, mask)  # Z[l], A[l] (and M[l] with dropout)
                J = cost(network, trace, batch.Y, batch.weights, plan.l2)  # loss + L2 term
                if not math.isfinite(J):
                    raise diverged(state, J)
                grads = backward(network, trace, batch.Y, batch.weights, plan.l2)  # dW[l], db[l]
                if plan.clip_norm is not None:  # ||grads|| <= clip_norm; the norm before, kept
                    norms.append(clip_by_global_norm(grads.as_list(), plan.clip_norm))
                plan.optimizer.step(params, grads.as_list())  # e.g. W[l] <- W[l] - lr dW[l]
                epoch_cost += J * batch.share  # the epoch's cost: batch costs weighted by share
                state.step += 1
                state.step_cost, state.grads = J, grads
                if plan.record_steps:
                    history.step_cost.append(J)
                hooks.call(hooks.step_end, state)
            history.append(
                epoch=epoch,
                cost=epoch_cost,
                learning_rate=plan.optimizer.learning_rate,
                **_validation_scores(network, plan),
                **_clipping(norms, plan.clip_norm),
            )
            hooks.call(hooks.epoch_end, state)
            if interrupted():
                history.interrupted = True
                state.request_stop(f"interrupted by the user (Ctrl-C) after epoch {epoch}")
            if state.stop:
                break
    if not all(np.isfinite(p).all() for p in params):
        raise diverged(state, None)


def _clipping(norms: list[float], clip_norm: float | None) -> dict[str, float]:
    """The epoch's clipping columns: steps clipped, and the largest norm before clipping.

    ``norms`` are the global gradient norms of the epoch's steps (empty without ``clip_norm``).
    """
    if clip_norm is None:
        return {}
    return {
        "clipped_steps": sum(norm > clip_norm for norm in norms),
        "max_grad_norm": max(norms, default=math.nan),
    }


def _validation_scores(network: Network, plan: TrainingPlan) -> dict[str, float]:
    if plan.X_val is None or plan.Y_val is None:
        return {}
    trace = forward(network, plan.X_val)
    return {
        "val_cost": cost(network, trace, plan.Y_val, None, plan.l2),
        "val_metric": score(network.output, trace.output, plan.Y_val),
    }


def _warn_about_the_end(history: History, learning_rate: float) -> None:
    """Warn when the run was interrupted, or when its cost rose though it stayed finite.

    A NaN or inf cost raises a DivergenceError. A learning rate too large to
    converge but not large enough to overflow keeps the cost finite and rising
    instead (an exact cross-entropy can grow a long way before it reaches inf):
    that run failed to learn all the same, and the warning says so.
    """
    if history.interrupted:
        kept = "the best epoch's" if history.best_epoch is not None else "the last epoch's"
        warnings.warn(f"{history.stop_reason}; {kept} weights are kept", stacklevel=4)
    first, last = history.cost[0], history.cost[-1]
    if len(history) >= 10 and last > first:
        warnings.warn(
            f"the training cost rose from {first:.4g} to {last:.4g}: training failed to learn; "
            f"try a smaller learning rate (it ended at {learning_rate:g}) or standardised features",
            stacklevel=4,
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
