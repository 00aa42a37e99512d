"""``glassnet.distributed.fit``: an MLPClassifier or MLPRegressor trained on dask arrays.

The estimator is set up exactly as its own ``fit`` sets it up (its parameters
checked, its labels, its first weights drawn from its ``random_state``), then
trained on the cluster by the algorithm its solver and batch size call for:

===========================================  ==========================================
solver, batch_size                           how (exact: one process's ``fit``, rounding
                                             aside; see :mod:`.full_batch` on L-BFGS)
===========================================  ==========================================
``lbfgs``                                    L-BFGS-B on the reduced cost (exact)
``gd``; or any with batch_size >= N          full-batch descent, the estimator's
                                             optimizer stepped once per epoch (exact)
``sgd``, ``adam``, ``adamw`` on mini-batches local SGD: K steps per chunk per round,
                                             then a weighted average (one chunk: exact)
===========================================  ==========================================

and left fitted as its own ``fit`` leaves it (``coefs_``, ``intercepts_``,
``loss_curve_``, ``n_iter_``, ``classes_``, ``history_``), so ``predict``,
``score`` and ``glassnet.save`` work as after any fit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any, cast

import dask.array as da
import numpy as np
from distributed import Client
from numpy.typing import NDArray
from sklearn.base import is_classifier

from glassnet.core.dropout import check_dropout
from glassnet.core.network import Network
from glassnet.core.optimizers import Optimizer
from glassnet.distributed import full_batch, local_sgd
from glassnet.distributed.chunks import (
    Architecture,
    Chunks,
    as_dask_array,
    check_layout,
    encode_chunk_targets,
    persist_chunks,
)
from glassnet.distributed.cluster import Rounds, RoundState, Scores, connect
from glassnet.errors import InputError
from glassnet.estimators import (
    BaseMultilayerPerceptron,
    EpochsRun,
    FitStart,
    LbfgsResult,
    Trained,
    step_rows,
)
from glassnet.training.callbacks import Callback
from glassnet.training.epochs import EachEpoch, EpochRecord
from glassnet.training.prepare import check_batch_size
from glassnet.training.step import StepSettings


def fit(
    estimator: BaseMultilayerPerceptron,
    X: Any,
    y: Any,
    *,
    client: "Client | str | None" = None,
    sample_weight: Any = None,
    local_steps: int = 10,
    on_round: Callable[[RoundState], None] | None = None,
    parameters: list[NDArray] | None = None,
    callbacks: Sequence[Callback] = (),
    scores: Scores | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> BaseMultilayerPerceptron:
    """Fit ``estimator`` to dask arrays ``X``, ``y`` on a Dask cluster; return it fitted.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        Fitted in place, as by its own ``fit``: the same ``random_state`` draws the
        same first weights, and ``warm_start=True`` continues from the fitted ones.
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Split into row chunks, each holding whole rows (one column chunk). A
        DataFrame must be numeric (else preprocess it with
        ``glassnet.distributed.prepare``); a NumPy array is split into chunks here.
    y : dask array or dask Series of shape (n_samples,) or (n_samples, n_outputs)
        In the same row chunks as ``X``.
    client : distributed.Client, str or None
        The cluster: a Client, an address for :func:`~glassnet.distributed.connect`
        ("local", "local:N", "tcp://HOST:PORT") or None for the current Client.
    sample_weight : dask array of shape (n_samples,), default=None
        Non-negative weights, in the same row chunks as ``X``.
    local_steps : int, default=10
        K, the steps each chunk takes on its own mini-batches between two averages
        (local SGD only: ``sgd``, ``adam``, ``adamw`` on mini-batches). Larger K sends
        the parameters less often, but lets the chunks drift apart between averages.
        A round ends with its chunk's pass over its rows: an epoch's last round may
        be shorter, and K above a chunk's batches per pass means a round per epoch.
    on_round : callable, default=None
        Called after every round with a :class:`~glassnet.distributed.cluster.RoundState`
        (``round``, ``cost``, ``parameters``, ``epoch``): e.g. to save a checkpoint.
        A round is an epoch of full-batch descent, an L-BFGS iteration, or K local steps.
    parameters : list of arrays, default=None
        ``[W[1], b[1], ..., W[L], b[L]]`` to start from instead of the first weights
        (e.g. a checkpoint, or ``SchedulerLost.parameters``); the optimizer starts afresh.
    callbacks : list of glassnet.Callback, default=()
        Run at every hook of the fit's epochs, after the estimator's own end-of-epoch
        rules, as its own ``fit`` runs its ``callbacks``: cost lines, a progress bar,
        early stopping, a checkpoint (``glassnet train --dask`` gives them). They see the
        estimator's network and optimizer; a callback's stop ends the fit after the epoch.
        Not with ``solver='lbfgs'``.
    scores : callable, default=None
        ``scores(network) -> dict``: more columns of each epoch's row of ``history_``,
        from the network after the epoch, e.g. ``{"val_cost": ..., "val_metric": ...}``
        of a validation part, which early stopping then watches. Not with ``lbfgs``.
    interrupted : callable, default=None
        ``interrupted() -> bool``, asked after each epoch: once True, the fit stops
        there as :func:`glassnet.train` stops after a Ctrl-C (``history_.interrupted``).
        Not with ``lbfgs``.

    Returns
    -------
    estimator
        Fitted: ``coefs_``, ``intercepts_``, ``loss_curve_``, ``n_iter_``, ``history_``
        (and ``classes_`` for a classifier), as its own ``fit`` leaves them.

    Raises
    ------
    InputError
        For input no chunk-wise fit can use (column chunks, mismatched row chunks,
        unknown chunk sizes, text columns, NaN in a chunk: the message names it and
        the fix), an unknown or unreachable scheduler, or an option the cluster
        does not run (``early_stopping``, ``callbacks``, ``class_weight``).
    SchedulerLost
        When the scheduler goes away mid-fit; it names the address and carries the
        last good parameters.
    RoundFailedError
        When a round fails on every retry, its workers dying again and again.
    """
    client = connect(client)
    settings = estimator.validated_settings()  # the parameter table, as estimator.fit checks it
    epoch_hooks = bool(callbacks) or scores is not None or interrupted is not None
    _refuse_unsupported(settings, local_steps, epoch_hooks)
    X, y = as_dask_array(X, "X"), as_dask_array(y, "y")
    weights = None if sample_weight is None else as_dask_array(sample_weight, "sample_weight")
    check_layout(X, y, weights)
    y_probe = _label_probe(estimator, client, y)
    X_probe = np.zeros((y_probe.shape[0], X.shape[1]), dtype=X.dtype)
    start = estimator.begin_fit(X_probe, y_probe, settings=settings)
    network = start.network
    if parameters is not None:
        _start_from(network, parameters)
    layout = Architecture.of(network)
    targets = partial(encode_chunk_targets, binarizer=start.label_binarizer, layout=layout)
    chunks = persist_chunks(client, X, y, weights, network.dtype, targets, layout.layer_sizes[-1])
    rounds = Rounds(client, network.parameters(), on_round)
    rules = EachEpoch(partial(estimator.end_epoch, n_samples=chunks.n_samples))
    epochs = Epochs([rules, *callbacks], scores, interrupted)
    train = _fitter(settings, chunks.n_samples)
    trained = train(start, Training(client, chunks, rounds, local_steps, epochs))
    estimator.finish_fit(start, trained, warn_at=2)  # the warnings point at fit's caller
    return estimator


def _refuse_unsupported(settings: SimpleNamespace, local_steps: int, epoch_hooks: bool) -> None:
    """The estimator's options that have no chunk-wise meaning, refused with the alternative;
    fit's callbacks, scores and interrupted without epochs (lbfgs)."""
    refused = {
        "early_stopping": (
            "hold out a validation set yourself, and give fit its val_cost by scores=... "
            "and callbacks=[glassnet.EarlyStopping()]"
        ),
        "callbacks": "pass them to fit(..., callbacks=...), run after every epoch",
        "class_weight": "pass sample_weight= with the class weights per row",
    }
    for name, alternative in refused.items():
        if getattr(settings, name, None):
            raise InputError(f"{name} is not supported by glassnet.distributed.fit: {alternative}")
    if isinstance(local_steps, bool) or not isinstance(local_steps, int) or local_steps < 1:
        raise InputError(f"local_steps must be a whole number >= 1, got {local_steps!r}")
    if epoch_hooks and settings.solver == "lbfgs":
        raise InputError(
            "callbacks, scores and interrupted run after each epoch of the stochastic solvers, "
            "which solver='lbfgs' does not have: use fit(..., on_round=...), called after every "
            "round"
        )


@dataclass
class Epochs:
    """What the stochastic solvers' record of their epochs runs, besides the History's row."""

    callbacks: list[Callback]  # the estimator's scikit-learn rules first, then fit's callbacks
    scores: Scores | None  # the row's other columns (val_cost, val_metric), or None
    interrupted: Callable[[], bool] | None  # Ctrl-C, when the caller watches it

    def record(self, start: FitStart) -> EpochRecord:
        """The solver's one record of its epochs, for the estimator's network and optimizer."""
        p = start.settings
        optimizer = cast(Optimizer, start.optimizer)  # a stochastic solver's: never None here
        record = EpochRecord(
            start.network, optimizer, p.max_iter, self.callbacks, clip_norm=p.clip_norm
        )
        if self.interrupted is not None:
            record.interrupted = self.interrupted
        return record


@dataclass
class Training:
    """One distributed fit's cluster, chunks and rounds, and what its epochs run."""

    client: Client
    chunks: Chunks
    rounds: Rounds
    local_steps: int
    epochs: Epochs


def _label_probe(estimator: BaseMultilayerPerceptron, client: Client, y: da.Array) -> NDArray:
    """Few rows of ``y`` that tell ``begin_fit`` what all of ``y`` would.

    With them (and rows of zeros in ``X``'s dtype) the estimator checks every label (a
    classifier) or each target column's minimum (a regressor: Poisson targets must be
    >= 0), records ``n_features_in_`` and the classes exactly as from the whole data, and
    draws the first weights its own fit would draw.
    """
    if is_classifier(estimator) and y.ndim == 1:
        return np.asarray(client.compute(da.unique(y)).result())  # every class, once
    if is_classifier(estimator):
        return np.asarray(client.compute(y[:2]).result())  # an indicator matrix's columns
    lowest = client.compute(y.min(axis=0)).result()  # each column's minimum
    return np.asarray(lowest).reshape(1, -1) if y.ndim == 2 else np.asarray([lowest])


def _start_from(network: Network, parameters: list[NDArray]) -> None:
    """Write ``parameters`` into the network's arrays, in place, after checking their shapes."""
    own = network.parameters()
    shapes = [np.shape(given) for given in parameters]
    if shapes != [param.shape for param in own]:
        raise InputError(
            f"parameters have shapes {shapes} but the network's are "
            f"{[param.shape for param in own]}: give [W[1], b[1], ..., W[L], b[L]] of this model"
        )
    for param, given in zip(own, parameters, strict=True):
        param[...] = given


def _fitter(settings: SimpleNamespace, n: int) -> Callable[[FitStart, Training], Trained]:
    """Which algorithm trains: L-BFGS, full-batch descent or local SGD."""
    if settings.solver == "lbfgs":
        return _fit_lbfgs
    return _fit_full_batch if check_batch_size(step_rows(settings, n), n) >= n else _fit_local_sgd


def _fit_full_batch(start: FitStart, run: Training) -> EpochsRun:
    """gd (or any stochastic solver whose batch is every row): the estimator's epochs, exact."""
    p, chunks, network = start.settings, run.chunks, start.network
    if check_dropout(p.dropout, network.n_layers - 1):
        raise InputError(
            "dropout draws a mask per row and step: on a cluster it works with mini-batches "
            "(solver='sgd', 'adam' or 'adamw' with batch_size below the number of rows)"
        )
    return full_batch.descend(
        run.client,
        chunks,
        run.epochs.record(start),
        l2=p.alpha / chunks.total_weight,  # (alpha / (2 n)) sum ||W||^2, as train's
        rounds=run.rounds,
        scores=run.epochs.scores,
    )


def _fit_local_sgd(start: FitStart, run: Training) -> EpochsRun:
    """sgd, adam, adamw on mini-batches: rounds of K local steps, then averages."""
    p, chunks, network = start.settings, run.chunks, start.network
    return local_sgd.train(
        run.client,
        chunks,
        run.epochs.record(start),
        local_sgd.LocalSettings(
            batch_size=check_batch_size(step_rows(p, chunks.n_samples), chunks.n_samples),
            shuffle=p.shuffle,
            total_weight=chunks.total_weight,
            step=StepSettings(
                l2=p.alpha / chunks.total_weight,  # the whole data's L2 term, in every step
                dropout=check_dropout(p.dropout, network.n_layers - 1),
                clip_norm=p.clip_norm,
            ),
            local_steps=run.local_steps,
        ),
        rng=start.rng,
        rounds=run.rounds,
        scores=run.epochs.scores,
    )


def _fit_lbfgs(start: FitStart, run: Training) -> LbfgsResult:
    """lbfgs: scipy's L-BFGS-B on the reduced cost, as the estimator's own lbfgs runs it."""
    p, chunks = start.settings, run.chunks
    return full_batch.lbfgs(
        run.client,
        chunks,
        start.network,
        l2=p.alpha / chunks.total_weight,  # (alpha / (2 n)) sum ||W||^2, as train's
        max_iter=p.max_iter,
        max_fun=p.max_fun,
        tol=p.tol,
        rounds=run.rounds,
        verbose=p.verbose,
    )
