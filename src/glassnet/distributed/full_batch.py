"""Exact full-batch training on a cluster: gradient descent (any optimizer) and L-BFGS.

Each iteration is one round: the parameters go to the workers once, every chunk
returns its summed loss and gradient, a tree adds them up (:mod:`.reduction`), and
the update happens once, here in the client::

    J, grads = cost_and_gradients(chunks, theta)     the cost and gradient over all N rows
    optimizer.step(params, grads)                    gradient descent, momentum or Adam
    (or scipy's L-BFGS-B picks the next theta from J and grads)

These are the numbers single-process training computes, up to the order of the
sums. Gradient descent forgets that rounding: it matches one process to ~1e-15 in
float64 after hundreds of iterations. L-BFGS amplifies it, as it amplifies any
change in the order of a sum: it matches to 1e-10 for its first ~50 iterations,
then drifts (one process on the same rows in reverse order drifts alike: by 2e-11
after 50 iterations, 4e-7 after 100, on a 5-6-3 classifier). L-BFGS runs the way
dask-ml's linear models run it: scipy's ``minimize`` in the client process, with
an objective whose value and gradient come from the cluster.
"""

import math

import numpy as np
from distributed import Client
from numpy.typing import NDArray

from glassnet.core.clipping import clip_by_global_norm
from glassnet.core.network import Network
from glassnet.distributed.chunks import Chunks
from glassnet.distributed.cluster import Rounds, Scores
from glassnet.distributed.reduction import cost_and_gradients
from glassnet.estimators import EpochsRun, LbfgsResult, flat_objective, minimize, unflatten
from glassnet.training.divergence import diverged
from glassnet.training.epochs import EpochRecord


def descend(
    client: Client,
    chunks: Chunks,
    record: EpochRecord,
    *,
    l2: float,
    rounds: Rounds,
    scores: Scores | None = None,
) -> EpochsRun:
    """Full-batch descent: per epoch one exact gradient over every chunk, one optimizer step.

    ``record`` keeps the epochs (:mod:`glassnet.training.epochs`): its network and optimizer
    are the ones trained, its callbacks run after each epoch's row is in the History (the
    estimator's scikit-learn rules first: the loss curve, ``tol``; then a run's own) and
    may stop training with ``state.request_stop``. ``scores(network)`` gives the row's
    other columns (a validation part's ``val_cost``, ``val_metric``). Returns the History
    (as :func:`glassnet.train` returns it) and whether a rule stopped.
    """
    state = record.state
    network, optimizer, clip_norm = state.network, state.optimizer, record.clip_norm
    params = network.parameters()
    for epoch in range(state.epochs):
        record.begin_epoch()
        J, grads = rounds.run(lambda: cost_and_gradients(client, chunks, network, l2))
        if not math.isfinite(J):
            raise diverged(state, J)
        # ||grads|| <= clip_norm; the norm before, kept
        norms = [] if clip_norm is None else [clip_by_global_norm(grads, clip_norm)]
        optimizer.step(params, grads)  # e.g. W[l] <- W[l] - lr dW[l]
        state.step += 1
        over = record.end_epoch(J, norms, **(scores(network) if scores else {}))  # a stop, or last
        rounds.finished(J, params, epoch + 1)
        if over:
            break
    record.finish()  # the weights are finite, else a DivergenceError
    return EpochsRun(record.history, state.stop)


def lbfgs(
    client: Client,
    chunks: Chunks,
    network: Network,
    *,
    l2: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    rounds: Rounds,
    verbose: bool | int = False,
) -> LbfgsResult:
    """scipy's L-BFGS-B on the cost over every chunk, leaving the optimum in ``network``.

    The options and the result are those of the estimators' own lbfgs
    (:func:`glassnet.estimators.minimize`): the same call to scipy, with each
    evaluation of J(theta) and its gradient a round on the cluster. A round ends
    with each L-BFGS iteration.
    """
    cost_and_gradient, theta = flat_objective(  # each evaluation: one round on the cluster
        network, lambda: rounds.run(lambda: cost_and_gradients(client, chunks, network, l2))
    )

    def end_round(iteration: int, J: float, theta: NDArray[np.float64]) -> None:
        rounds.finished(J, unflatten(network, theta), iteration)

    return minimize(
        cost_and_gradient,
        theta,
        max_iter=max_iter,
        max_fun=max_fun,
        tol=tol,
        verbose=verbose,
        on_iteration=end_round,
    )
