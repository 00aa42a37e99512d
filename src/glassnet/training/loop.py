"""The training loop: one function for full-batch, mini-batch and stochastic descent.

Each step runs the one forward and the one backward pass on a batch, then lets
the optimizer move the parameters:

    trace = forward(network, X_batch)            Z[l], A[l]
    J     = cost(network, trace, Y_batch)        recorded, checked for NaN/inf
    grads = backward(network, trace, Y_batch)    dW[l], db[l]
    optimizer.step(network.parameters(), grads.as_list())

Everything else (printing, schedules, early stopping, progress bars,
checkpoints) is a callback.
"""

import contextlib
import math
import signal
import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, backward, cost, encode_targets, forward
from glassnet.core.optimizers import GradientDescent, Optimizer, make_optimizer
from glassnet.errors import DivergenceError, InputError
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.training.history import History
from glassnet.training.metrics import metric_name, score
from glassnet.validation import check_features, check_lengths, check_positive, check_X

Array = NDArray[np.floating]
Validation = float | tuple[ArrayLike, ArrayLike] | None


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
) -> History:
    """Train ``network`` in place and return the History of the run.

    Parameters
    ----------
    X, y
        Samples in rows, shape (n, n_features); targets as :func:`encode_targets`
        takes them (0/1 for sigmoid, class indices or one-hot for softmax, values
        for identity).
    optimizer
        An optimizer object, or a name ("sgd", "momentum", "nesterov", "adam")
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

    Raises
    ------
    DivergenceError
        When the cost or the weights become NaN or inf; the error says at which
        epoch and suggests a smaller learning rate.
    """
    rng = np.random.default_rng(random_state)
    X = check_X(X, dtype=network.dtype)
    y = np.asarray(y)
    check_lengths(X, y)
    check_features(X, network.layer_sizes[0])
    Y = encode_targets(network, y)
    weights = _check_sample_weight(sample_weight, X.shape[0], network.dtype)
    epochs = _check_epochs(epochs)
    optimizer = _resolve_optimizer(optimizer, learning_rate)
    alpha = _check_alpha(alpha)
    X, Y, weights, X_val, Y_val = _split_validation(network, X, Y, weights, validation, rng)
    n = X.shape[0]
    batch = _check_batch_size(batch_size, n)
    total_weight = n if weights is None else float(weights.sum())  # n, or sum_i s_i
    l2 = alpha / total_weight  # (alpha / (2n)) ||W||^2: the same objective for every batch size

    history = History(metric_name=metric_name(network.output))
    state = TrainingState(network=network, optimizer=optimizer, history=history, epochs=epochs)
    params = network.parameters()
    for callback in callbacks:
        callback.on_train_begin(state)
    try:
        # overflow is caught as a non-finite cost below, with a clearer message than NumPy's
        with _deferred_interrupt() as interrupted, np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(epochs):
                state.epoch = epoch
                for callback in callbacks:
                    callback.on_epoch_begin(state)
                epoch_cost = 0.0
                for rows in _batches(n, batch, shuffle, rng):
                    Xb, Yb = (X, Y) if rows is None else (X[rows], Y[rows])
                    sb = weights if rows is None or weights is None else weights[rows]
                    share = Xb.shape[0] / n if sb is None else sb.sum() / total_weight
                    if share == 0:
                        continue  # every sample of this batch has weight 0: nothing to learn
                    trace = forward(network, Xb)
                    J = cost(network, trace, Yb, sb, l2)
                    if not math.isfinite(J):
                        raise _diverged(state, J)
                    grads = backward(network, trace, Yb, sb, l2)
                    optimizer.step(params, grads.as_list())
                    epoch_cost += J * share  # the epoch's cost: batch costs weighted by share
                    state.step += 1
                    state.step_cost, state.grads = J, grads
                    if record_steps:
                        history.step_cost.append(J)
                    for callback in callbacks:
                        callback.on_step_end(state)
                history.append(
                    epoch=epoch,
                    cost=epoch_cost,
                    learning_rate=optimizer.learning_rate,
                    **_validation_scores(network, X_val, Y_val, l2),
                )
                for callback in callbacks:
                    callback.on_epoch_end(state)
                if interrupted():
                    history.interrupted = True
                    state.request_stop(f"interrupted by the user (Ctrl-C) after epoch {epoch}")
                if state.stop:
                    break
        if not all(np.isfinite(p).all() for p in params):
            raise _diverged(state, None)
    finally:
        for callback in callbacks:
            callback.on_train_end(state)
    _warn_if_cost_rose(history, optimizer.learning_rate)
    if history.interrupted:
        kept = "the best epoch's" if history.best_epoch is not None else "the last epoch's"
        warnings.warn(f"{history.stop_reason}; {kept} weights are kept", stacklevel=2)
    return history


def _warn_if_cost_rose(history: History, learning_rate: float) -> None:
    """A clipped cross-entropy never becomes inf, so a run can fail without diverging."""
    first, last = history.cost[0], history.cost[-1]
    if len(history) >= 10 and last > first:
        warnings.warn(
            f"the training cost rose from {first:.4g} to {last:.4g}: training failed to learn; "
            f"try a smaller learning rate (it ended at {learning_rate:g}) or standardised features",
            stacklevel=3,
        )


def _validation_scores(
    network: Network, X_val: Array | None, Y_val: Array | None, l2: float
) -> dict[str, float]:
    if X_val is None or Y_val is None:
        return {}
    trace = forward(network, X_val)
    return {
        "val_cost": cost(network, trace, Y_val, None, l2),
        "val_metric": score(network.output, trace.output, Y_val),
    }


def _batches(
    n: int, batch: int, shuffle: bool, rng: np.random.Generator
) -> Iterator[NDArray[np.intp] | None]:
    """Row indices of each batch of an epoch; ``None`` means the whole data set."""
    if batch >= n:
        yield None
        return
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch):
        yield order[start : start + batch]


def _diverged(state: TrainingState, value: float | None) -> DivergenceError:
    what = "the weights became NaN or inf" if value is None else f"the cost became {value}"
    error = DivergenceError(
        f"training diverged at epoch {state.epoch}: {what}. Try a smaller learning rate "
        f"(it was {state.optimizer.learning_rate:g}), standardised features, or more L2 (alpha)"
    )
    error.history = state.history  # type: ignore[attr-defined]
    state.history.stop_reason = str(error)
    return error


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[Any]:
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


def _split_validation(
    network: Network,
    X: Array,
    Y: Array,
    weights: Array | None,
    validation: Validation,
    rng: np.random.Generator,
) -> tuple[Array, Array, Array | None, Array | None, Array | None]:
    if validation is None:
        return X, Y, weights, None, None
    if isinstance(validation, tuple):
        X_val = check_X(validation[0], dtype=network.dtype, name="X_val")
        y_val = np.asarray(validation[1])
        check_lengths(X_val, y_val)
        check_features(X_val, network.layer_sizes[0])
        return X, Y, weights, X_val, encode_targets(network, y_val)
    if isinstance(validation, bool) or not isinstance(validation, float | int):
        raise InputError(
            f"validation must be a fraction in (0, 1) or a tuple (X_val, y_val), got {validation!r}"
        )
    if not 0 < validation < 1:
        raise InputError(f"the validation fraction must lie in (0, 1), got {validation!r}")
    n = X.shape[0]
    classes = _class_indices(network, Y)
    if classes is None:
        order = rng.permutation(n)
        n_val = math.ceil(validation * n)
        held, kept = np.sort(order[:n_val]), np.sort(order[n_val:])
    else:
        held, kept = _stratified_split(classes, rng, validation)
    if kept.size == 0:
        raise InputError(f"a validation fraction of {validation} leaves no training samples")
    kept_weights = None if weights is None else weights[kept]
    return X[kept], Y[kept], kept_weights, X[held], Y[held]


def _class_indices(network: Network, Y: Array) -> NDArray[np.intp] | None:
    if network.output == "softmax":
        return Y.argmax(axis=1)
    if network.output == "sigmoid" and Y.shape[1] == 1:
        return Y[:, 0].astype(np.intp)
    return None


def _stratified_split(
    classes: NDArray[np.intp], rng: np.random.Generator, fraction: float
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Hold out ``fraction`` of every class (at least one sample each, and one kept)."""
    labels, counts = np.unique(classes, return_counts=True)
    held_per_class = np.maximum(np.round(counts * fraction).astype(int), 1)
    too_small = counts - held_per_class < 1
    if too_small.any():
        label, count = labels[too_small][0], counts[too_small][0]
        raise InputError(
            f"class {label} has {count} sample(s): too few to hold out a "
            f"validation fraction of {fraction} and still train on it; use more data or "
            "pass explicit validation data"
        )
    held, kept = [], []
    for label, n_held in zip(labels, held_per_class, strict=True):
        rows = rng.permutation(np.flatnonzero(classes == label))
        held.append(rows[:n_held])
        kept.append(rows[n_held:])
    return np.sort(np.concatenate(held)), np.sort(np.concatenate(kept))


def _check_sample_weight(sample_weight: ArrayLike | None, n: int, dtype: Any) -> Array | None:
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=dtype)
    if weights.shape != (n,):
        raise InputError(f"sample_weight must have shape ({n},), got {weights.shape}")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise InputError("sample_weight must be finite and non-negative")
    if weights.sum() <= 0:
        raise InputError("sample_weight sums to 0: at least one sample needs a positive weight")
    return weights


def _check_epochs(epochs: int) -> int:
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 1:
        raise InputError(f"epochs must be a whole number of 1 or more, got {epochs!r}")
    return int(epochs)


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not math.isfinite(alpha) or alpha < 0:
        raise InputError(f"alpha (L2 strength) must be a number of 0 or more, got {alpha!r}")
    return float(alpha)


def _check_batch_size(batch_size: int | None, n: int) -> int:
    if batch_size is None:
        return n
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise InputError(f"batch_size must be a whole number or None, got {batch_size!r}")
    if batch_size < 1:
        raise InputError(f"batch_size must be 1 or more (or None for full batch), got {batch_size}")
    if batch_size > n:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {n} training samples: "
            f"using full batches of {n}",
            stacklevel=3,
        )
        return n
    return int(batch_size)


def _resolve_optimizer(optimizer: Optimizer | str | None, learning_rate: float) -> Optimizer:
    if optimizer is None:
        return GradientDescent(learning_rate)
    if isinstance(optimizer, str):
        return make_optimizer(optimizer, learning_rate=learning_rate)
    if not hasattr(optimizer, "step"):
        raise InputError(f"optimizer must be a name or an object with step(), got {optimizer!r}")
    check_positive(optimizer.learning_rate, "learning_rate")
    return optimizer
