"""The exact cost and gradient over every chunk: per-chunk sums, then a tree reduction.

The network's cost is a (sample-weighted) mean over all N rows, and so is each
gradient. Chunk c holds n_c rows with weight sum S_c (S_c = n_c without sample
weights, S = sum_c S_c). Glassnet's own :func:`~glassnet.core.network.forward`,
:func:`~glassnet.core.network.cost` and :func:`~glassnet.core.network.backward` give
the chunk's *means*; times S_c they become sums, which add up across chunks::

    loss_sum_c = S_c J_c              J_c  = cost(chunk c), without the L2 term
    dW_sum_c   = S_c dW_c             dW_c = backward(chunk c), without the L2 term
    J  = sum_c loss_sum_c / S + (l2 / 2) sum_l ||W[l]||^2
    dW = sum_c dW_sum_c / S + l2 W    db = sum_c db_sum_c / S

The sums meet in a binary tree of ``client.submit`` tasks that pairs neighbouring
chunks in chunk order, (0+1) + (2+3), ..., so the same data give the same sum
whatever worker ran which task. The parameters go to the workers once per
evaluation (``client.scatter(..., broadcast=True)``); only the summed gradient
comes back.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from distributed import Client, Future
from numpy.typing import NDArray

from glassnet.core.network import Network, backward, cost, forward, l2_penalty
from glassnet.distributed.chunks import Architecture, Chunks
from glassnet.distributed.cluster import gather_round

Array = NDArray[np.floating]


@dataclass
class Sums:
    """One chunk's (or several chunks') summed loss and gradients, and their weight S."""

    loss: float  # sum_i s_i L_i
    grads: list[NDArray[Any]]  # [sum_i s_i dL_i/dW[1], ..., sum_i s_i dL_i/db[L]]
    weight: float  # S = sum_i s_i (n_c without sample weights)


def chunk_sums(
    parameters: list[Array],
    architecture: Architecture,
    X: Array,
    Y: Array,
    weights: Array | None,
) -> Sums:
    """The summed loss and gradients of one chunk, from glassnet's forward/cost/backward."""
    network = architecture.network(parameters)
    S = float(X.shape[0]) if weights is None else float(weights.sum())  # S_c
    if S == 0:  # every row weighs 0 (or none is left): the chunk adds nothing
        return Sums(0.0, [np.zeros_like(param) for param in parameters], 0.0)
    trace = forward(network, X)  # Z[l], A[l] of the chunk
    J = cost(network, trace, Y, weights)  # J_c, the chunk's mean loss
    grads = backward(network, trace, Y, weights)  # dW_c, db_c: the chunk's means
    return Sums(J * S, [g * S for g in grads.as_list()], S)  # means x S_c = sums


def add_sums(left: Sums, right: Sums) -> Sums:
    """Two chunks' sums added, left first: one node of the reduction tree."""
    grads = [a + b for a, b in zip(left.grads, right.grads, strict=True)]
    return Sums(left.loss + right.loss, grads, left.weight + right.weight)


def tree_sum(client: Client, parts: list[Future]) -> Future:
    """The sum of ``parts`` by a binary tree of tasks, neighbours paired in their order."""
    level = parts
    while len(level) > 1:
        pairs = [
            client.submit(add_sums, level[i], level[i + 1], pure=False)
            for i in range(0, len(level) - 1, 2)
        ]
        level = pairs + level[len(level) - len(level) % 2 :]  # an odd one out moves up as it is
    return level[0]


def summed(client: Client, chunks: Chunks, architecture: Architecture, parameters: list) -> Sums:
    """Scatter ``parameters`` once, sum every chunk's loss and gradients, bring the sum back."""
    [shared] = client.scatter([parameters], broadcast=True, hash=False)
    parts = [
        client.submit(chunk_sums, shared, architecture, X, Y, w, pure=False)
        for X, Y, w in chunks.parts()
    ]
    [total] = gather_round(client, [tree_sum(client, parts)])
    return total


def cost_and_gradients(
    client: Client,
    chunks: Chunks,
    network: Network,
    l2: float,
) -> tuple[float, list[NDArray[Any]]]:
    """J and [dW[1], db[1], ...] over every row for ``network``'s current parameters.

    The same numbers as :func:`~glassnet.core.network.cost` and
    :func:`~glassnet.core.network.backward` on all the rows at once, up to rounding.
    """
    total = summed(client, chunks, Architecture.of(network), network.parameters())
    J = total.loss / total.weight
    grads = [g / total.weight for g in total.grads]  # the mean over every row
    if l2:
        J += l2_penalty(network, l2)  # (l2 / 2) sum_l ||W[l]||^2, as cost's
        for dW, W in zip(grads[0::2], network.W.values(), strict=True):
            dW += l2 * W  # d/dW of (l2 / 2) ||W||^2, as backward's
    return J, grads
