"""Gradient clipping by the global norm, as ``torch.nn.utils.clip_grad_norm_``.

Over every gradient array of a step (``dW[l]`` and ``db[l]``, L2 term included):

    norm = sqrt(sum_l ||dW[l]||^2 + ||db[l]||^2)             the global (L2) norm
    if norm > max_norm:  every gradient *= max_norm / (norm + 1e-6)

so the step keeps its direction and its length is at most ``max_norm``. A large
gradient (an exploding one, or a bad batch) then moves the weights no further than
``lr * max_norm`` with gradient descent, instead of throwing them far away.
"""

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]
EPSILON = 1e-6  # torch's: keeps the factor finite when the norm is 0


def global_norm(grads: Sequence[Array]) -> float:
    """sqrt(sum of every squared entry of every array): ``grads`` as one long vector's length."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))


def clip_by_global_norm(grads: Sequence[Array], max_norm: float) -> float:
    """Scale ``grads`` in place so their global norm is at most ``max_norm``.

    Returns the norm before clipping; nothing changes when it is at most ``max_norm``.
    """
    norm = global_norm(grads)
    factor = max_norm / (norm + EPSILON)
    if factor < 1:
        for g in grads:
            g *= factor  # g <- g max_norm / (||g|| + 1e-6)
    return norm
