"""Check and prepare: everything ``train`` does before its first epoch.

:func:`prepare` is where a run's data enters the training layer. It checks every
argument once (the arrays with :func:`~glassnet.validation.check_X`, the numbers
with :func:`~glassnet.validation.check_number`), holds out the validation rows and
returns a :class:`TrainingPlan`: plain arrays and settings that
:func:`~glassnet.training.loop.run_epochs` trusts without checking again.
"""

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.dropout import Rates, check_dropout
from glassnet.core.network import Network, encode_targets
from glassnet.core.optimizers import GradientDescent, Optimizer, make_optimizer
from glassnet.errors import InputError
from glassnet.training.batches import Batch, batches
from glassnet.training.split import split_rows
from glassnet.validation import (
    check_features,
    check_integer,
    check_lengths,
    check_number,
    check_positive,
    check_random_state,
    check_weight_total,
    check_X,
)

Array = NDArray[np.floating]
Validation = float | tuple[ArrayLike, ArrayLike] | None


@dataclass
class TrainingPlan:
    """A run's checked arrays and settings: what :func:`~glassnet.training.loop.run_epochs` needs.

    The arrays have the network's dtype; ``Y`` and ``Y_val`` are encoded as
    :func:`~glassnet.core.network.encode_targets` returns them.
    """

    X: Array  # the rows trained on, (n, n_x): an array, or SciPy CSR
    Y: Array  # their targets, (n, n_L)
    weights: Array | None  # sample weights s_i, (n,); None for all equal
    X_val: Array | None  # the validation rows, (n_val, n_x); None without validation
    Y_val: Array | None  # (n_val, n_L)
    optimizer: Optimizer
    epochs: int
    batch_size: int  # n for full batch
    shuffle: bool
    l2: float  # alpha / n (or alpha / sum_i s_i): the cost's L2 term is (l2 / 2) sum ||W||^2
    rng: np.random.Generator  # shuffling and dropout; the validation split drew from it first
    record_steps: bool
    dropout: dict[int, float] = field(default_factory=dict)  # {l: p_l}; empty for none
    clip_norm: float | None = None  # the gradients' largest global norm; None: no clipping

    def batches(self) -> Iterator[Batch]:
        """The batches of one epoch (shuffled afresh at each call when ``shuffle``)."""
        return batches(self.X, self.Y, self.weights, self.batch_size, self.shuffle, self.rng)


class TrainOptions(TypedDict, total=False):
    """``train``'s options, each described in :func:`~glassnet.training.loop.train`."""

    optimizer: Optimizer | str | None
    epochs: int
    batch_size: int | None
    learning_rate: float
    shuffle: bool
    alpha: float
    sample_weight: ArrayLike | None
    validation: Validation
    random_state: int | np.random.Generator | None
    record_steps: bool
    dropout: Rates
    clip_norm: float | None
    label_smoothing: float


DEFAULTS: TrainOptions = {
    "optimizer": None,  # plain gradient descent
    "epochs": 1000,
    "batch_size": None,  # full batch
    "learning_rate": 0.01,
    "shuffle": True,
    "alpha": 0.0,
    "sample_weight": None,
    "validation": None,
    "random_state": None,
    "record_steps": False,
    "dropout": None,  # no unit dropped
    "clip_norm": None,  # no clipping
    "label_smoothing": 0.0,  # hard targets
}


def prepare(
    network: Network, X: ArrayLike, y: ArrayLike, **options: Unpack[TrainOptions]
) -> TrainingPlan:
    """Check :func:`~glassnet.training.loop.train`'s arguments and return the run's plan.

    The options are ``train``'s (all but ``callbacks``), by keyword, with the same
    defaults (:data:`DEFAULTS`); see there. Nothing is changed (not the network, not
    the optimizer's state) when an argument is refused.

    Raises
    ------
    InputError
        For the first argument that is wrong, with what to give instead.
    """
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise InputError(f"unknown training option {unknown[0]!r}: known are {', '.join(DEFAULTS)}")
    o: dict[str, Any] = {**DEFAULTS, **options}
    rng = check_random_state(o["random_state"])
    X_checked = check_X(X, dtype=network.dtype, accept_sparse=True)  # an array, or CSR
    Y = _checked_targets(network, X_checked, y, o["label_smoothing"])  # the validation's: hard
    weights = _check_sample_weight(o["sample_weight"], X_checked.shape[0], network.dtype)
    epochs = check_integer(o["epochs"], "epochs", low=1)
    optimizer = _resolve_optimizer(o["optimizer"], o["learning_rate"])
    alpha = check_number(o["alpha"], "alpha (L2 strength)", low=0)
    dropout = check_dropout(o["dropout"], network.n_layers - 1)
    clip_norm = _check_clip_norm(o["clip_norm"])
    X_fit, Y_fit, weights, validation = _hold_out(
        network, X_checked, Y, weights, o["validation"], rng
    )
    return plan_checked(
        network,
        X_fit,
        Y_fit,
        weights,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=check_batch_size(o["batch_size"], X_fit.shape[0]),  # its warning: the caller's
        shuffle=bool(o["shuffle"]),
        alpha=alpha,
        validation=validation,
        rng=rng,
        dropout=dropout,
        clip_norm=clip_norm,
        record_steps=bool(o["record_steps"]),
    )


def plan_checked(
    network: Network,
    X: Array,
    Y: Array,
    weights: Array | None,
    *,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None,
    shuffle: bool,
    alpha: float,
    validation: tuple[Array, Array] | None,
    rng: np.random.Generator,
    dropout: dict[int, float],
    clip_norm: float | None,
    record_steps: bool = False,
) -> TrainingPlan:
    """The plan of a run whose data a public entry point has already checked.

    ``X`` (n, n_x) and ``Y`` (n, n_L, encoded for the network), the ``weights`` and
    the ``validation`` pair are trusted as they are: this is how the estimators, whose
    ``fit`` validates with scikit-learn's rules, hand their arrays to the engine
    without a second check. Only ``batch_size`` is resolved here (None: full batch;
    larger than the data: clipped, with a warning).
    """
    n = X.shape[0]
    total_weight = n if weights is None else float(weights.sum())  # n, or sum_i s_i
    X_val, Y_val = (None, None) if validation is None else validation
    return TrainingPlan(
        X=X,
        Y=Y,
        weights=weights,
        X_val=X_val,
        Y_val=Y_val,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=check_batch_size(batch_size, n),
        shuffle=shuffle,
        l2=alpha / total_weight,  # (alpha / (2n)) ||W||^2: the same objective for every batch size
        rng=rng,
        record_steps=record_steps,
        dropout=dropout,
        clip_norm=clip_norm,
    )


def _checked_targets(
    network: Network, X: Array, y: ArrayLike, label_smoothing: float = 0.0
) -> Array:
    """``y`` encoded for the network (smoothed by ``label_smoothing``), checked against ``X``."""
    y = np.asarray(y)
    check_lengths(X, y)
    check_features(X, network.layer_sizes[0])
    return encode_targets(network, y, label_smoothing=label_smoothing)


def _hold_out(
    network: Network,
    X: Array,
    Y: Array,
    weights: Array | None,
    validation: Validation,
    rng: np.random.Generator,
) -> tuple[Array, Array, Array | None, tuple[Array, Array] | None]:
    """``X, Y, weights`` of the rows to train on, and ``(X_val, Y_val)`` (None without one)."""
    if validation is None:
        return X, Y, weights, None
    if isinstance(validation, tuple):
        X_val = check_X(validation[0], dtype=network.dtype, name="X_val", accept_sparse=True)
        return X, Y, weights, (X_val, _checked_targets(network, X_val, validation[1]))
    fraction = check_number(
        validation,
        "validation",
        low=0,
        high=1,
        low_open=True,
        high_open=True,
        noun="a fraction",
        alternative="a tuple (X_val, y_val)",
    )
    held, kept = split_rows(network, Y, fraction, rng)
    kept_weights = None if weights is None else _kept_weights(weights[kept], fraction)
    return X[kept], Y[kept], kept_weights, (X[held], Y[held])


def _check_sample_weight(sample_weight: ArrayLike | None, n: int, dtype: Any) -> Array | None:
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=dtype)
    if weights.shape != (n,):
        raise InputError(f"sample_weight must have shape ({n},), got {weights.shape}")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise InputError("sample_weight must be finite and non-negative")
    check_weight_total(weights.sum())
    return weights


def _kept_weights(kept: Array, fraction: float) -> Array:
    """The weights of the rows left to train on, refused if they sum to 0."""
    if kept.sum() <= 0:
        raise InputError(
            f"holding out a validation fraction of {fraction} left {kept.size} training "
            "sample(s) whose sample_weight sums to 0: every sample with a positive weight was "
            "held out. Give more samples a positive weight, lower the validation fraction, "
            "or pass explicit validation data (X_val, y_val)"
        )
    return kept


def check_batch_size(batch_size: int | None, n: int) -> int:
    """The rows of each step, of ``n`` training rows: n for None (full batch) or above n.

    Above n, a warning says so; it points three frames up (from ``prepare``: ``train``'s caller).

    Raises
    ------
    InputError
        Unless ``batch_size`` is None or a whole number of 1 or more.
    """
    if batch_size is None:
        return n
    batch = check_integer(batch_size, "batch_size", low=1, alternative="None for full batch")
    if batch > n:
        warnings.warn(
            f"batch_size={batch} is larger than the {n} training samples: "
            f"using full batches of {n}",
            stacklevel=4,
        )
        return n
    return batch


def _check_clip_norm(clip_norm: float | None) -> float | None:
    if clip_norm is None:
        return None
    return check_number(
        clip_norm, "clip_norm", low=0, low_open=True, alternative="None for no clipping"
    )


def _resolve_optimizer(optimizer: Optimizer | str | None, learning_rate: float) -> Optimizer:
    if optimizer is None:
        return GradientDescent(learning_rate)
    if isinstance(optimizer, str):
        return make_optimizer(optimizer, learning_rate=learning_rate)
    if not isinstance(optimizer, Optimizer):  # the Protocol: learning_rate and step(params, grads)
        raise InputError(
            "optimizer must be a name or an object with a learning_rate and "
            f"step(params, grads), got {optimizer!r}"
        )
    check_positive(optimizer.learning_rate, "learning_rate")
    return optimizer
