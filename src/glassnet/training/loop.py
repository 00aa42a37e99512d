"""The training loop: ``train`` checks its arguments once (:mod:`~glassnet.training.prepare`)
and drives the :class:`~glassnet.training.engine.Engine` to the end. Everything else (printing,
schedules, early stopping, progress bars, checkpoints) is a callback.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from glassnet.core.dropout import Rates
from glassnet.core.network import Network
from glassnet.core.optimizers import Optimizer
from glassnet.training.callbacks import Callback
from glassnet.training.engine import Engine
from glassnet.training.history import History
from glassnet.training.prepare import TrainingPlan, Validation, prepare


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
    label_smoothing: float = 0.0,
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
    label_smoothing
        eps in [0, 1) for a classifier: train on Y' = (1 - eps) Y + eps / K
        (:func:`encode_targets`); the validation cost keeps the hard targets.

    Numbers may be Python or NumPy ints and floats; booleans are refused.

    Raises
    ------
    InputError
        For a bad argument, before anything changes.
    DivergenceError
        When the cost or the weights become NaN or inf; the error says at which epoch
        and suggests a smaller learning rate. It is also a ``ValueError``. A run that
        monitors a cost (a validation set, or EarlyStopping) instead restores its best
        finite epoch's weights, when one scored, and warns with a DivergenceWarning.
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
        label_smoothing=label_smoothing,
    )
    return Engine(network, plan, callbacks).run(stacklevel=2)


def run_epochs(network: Network, plan: TrainingPlan, callbacks: Sequence[Callback] = ()) -> History:
    """Train ``network`` in place on a prepared plan, checking nothing again.

    ``plan`` comes from :func:`~glassnet.training.prepare.prepare`, which checked the
    data; the optimizer in it is the one stepped (its state carries on). Returns the
    History, as :func:`train` does.
    """
    return Engine(network, plan, callbacks).run(stacklevel=2)
