"""The training step: the one place where a batch moves the parameters.

Every driver (``train``, the estimators, the cluster's local SGD, the playground)
takes its steps here, so the step stands once, as the tutorials write it::

    trace = forward(network, X_batch, mask)      Z[l], A[l] (mask: dropout's M[l], if any)
    J     = cost(network, trace, Y_batch)        the loss from the logits, plus the L2 term
    grads = backward(network, trace, Y_batch)    dW[l], db[l]
    clip_by_global_norm(grads, clip_norm)        only with clip_norm
    optimizer.step(network.parameters(), grads)  e.g. W[l] <- W[l] - lr dW[l]

A NaN or inf cost stops the step before the backward pass: :class:`NonFiniteCostError`
carries the cost, and each driver says what diverged in its own words.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from glassnet.core.clipping import clip_by_global_norm
from glassnet.core.dropout import draw_masks
from glassnet.core.network import Network, backward, cost, forward
from glassnet.core.optimizers import Optimizer
from glassnet.core.trace import Gradients, Trace
from glassnet.training.batches import Batch


@dataclass(frozen=True)
class StepSettings:
    """How every step of a run is taken: its L2 term, dropout rates and clipping norm."""

    l2: float = 0.0  # the cost's L2 term is (l2 / 2) sum_l ||W[l]||^2
    dropout: Mapping[int, float] = field(default_factory=dict)  # {l: p_l}; empty for none
    clip_norm: float | None = None  # the gradients' largest global norm; None: no clipping


@dataclass(slots=True)
class Step:
    """What one step computed: its cost J, its Trace and Gradients, the norm before clipping."""

    cost: float
    trace: Trace
    grads: Gradients
    grad_norm: float | None  # ||grads|| before clipping; None without clip_norm


class NonFiniteCostError(ArithmeticError):
    """A step's cost was NaN or inf: nothing was moved. ``cost`` holds the value."""

    def __init__(self, cost: float) -> None:
        super().__init__(f"the cost became {cost}")
        self.cost = cost


def take_step(
    network: Network,
    optimizer: Optimizer,
    batch: Batch,
    settings: StepSettings,
    rng: np.random.Generator,
) -> Step:
    """Take one training step on ``batch``, moving ``network``'s parameters in place.

    ``rng`` draws the dropout masks (nothing is drawn without dropout). Raises
    :class:`NonFiniteCostError`, before anything moves, when the cost is NaN or inf.
    """
    mask = None
    if settings.dropout:
        sizes, n = network.layer_sizes, batch.X.shape[0]
        mask = draw_masks(settings.dropout, sizes, n, rng, network.dtype)  # M[l], (n, n_l)
    trace = forward(network, batch.X, mask)  # Z[l], A[l] (mask: dropout's M[l], if any)
    J = cost(network, trace, batch.Y, batch.weights, settings.l2)  # loss + L2 term
    if not math.isfinite(J):
        raise NonFiniteCostError(J)
    grads = backward(network, trace, batch.Y, batch.weights, settings.l2)  # dW[l], db[l]
    gradients = grads.as_list()
    norm = None
    if settings.clip_norm is not None:  # ||grads|| <= clip_norm; the norm before, kept
        norm = clip_by_global_norm(gradients, settings.clip_norm)
    optimizer.step(network.parameters(), gradients)  # e.g. W[l] <- W[l] - lr dW[l]
    return Step(J, trace, grads, norm)
