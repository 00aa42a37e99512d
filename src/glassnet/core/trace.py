"""What one pass computed: the Trace of the forward pass and the Gradients of the backward pass.

Plain objects, keyed by layer as in the tutorials (``trace.Z[1]``, ``grads.dW[2]``), so a
learner can print any number of an iteration.
"""

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


@dataclass
class Trace:
    """Everything the forward pass computed: ``Z[l]`` for l = 1..L, ``A[l]`` for l = 0..L.

    With dropout, ``mask[l]`` is the mask M[l] of hidden layer l and ``dropped[l]`` the
    product A[l] * M[l] that layer l+1 read; both are empty without dropout.
    With a numeric embedding (:mod:`glassnet.core.embedding`), ``X`` holds the raw
    features, ``theta`` the angles 2 pi F x + P, and ``A[0]`` is [X, sin(theta)];
    without one both are None and ``A[0]`` is X.
    """

    Z: dict[int, Array] = field(default_factory=dict)
    A: dict[int, Array] = field(default_factory=dict)
    mask: dict[int, Array] = field(default_factory=dict)
    dropped: dict[int, Array] = field(default_factory=dict)
    X: Array | None = None  # the raw features, (n, n_x), with an embedding
    theta: Array | None = None  # theta = 2 pi F x + P, (n, n_x, K), with an embedding

    @property
    def output(self) -> Array:
        """A[L], the network's output."""
        return self.A[len(self.Z)]

    def layer_input(self, l: int) -> Array:
        """What layer l read: A[l-1], or A[l-1] * M[l-1] when layer l-1 was dropped out."""
        return self.dropped.get(l - 1, self.A[l - 1])


@dataclass
class Gradients:
    """Everything the backward pass computed: ``dW[l]``, ``db[l]``, ``dZ[l]``, ``dA[l]``.

    With a numeric embedding, ``dF`` and ``dP`` are its frequencies' and phases'
    gradients (n_x, K) and ``dA[0]`` = dZ[1] W[1]^T; without one both are None.
    """

    dW: dict[int, Array] = field(default_factory=dict)
    db: dict[int, Array] = field(default_factory=dict)
    dZ: dict[int, Array] = field(default_factory=dict)
    dA: dict[int, Array] = field(default_factory=dict)
    dF: Array | None = None  # dJ/dF, (n_x, K), with an embedding
    dP: Array | None = None  # dJ/dP, (n_x, K), with an embedding

    def as_list(self) -> list[Array]:
        """``[dF, dP, dW[1], db[1], ..., dW[L], db[L]]``, matching ``Network.parameters()``.

        ``dF`` and ``dP`` lead only with an embedding; without one the list starts at dW[1].
        """
        layers = [array for l in range(1, len(self.dW) + 1) for array in (self.dW[l], self.db[l])]
        if self.dF is None or self.dP is None:
            return layers
        return [self.dF, self.dP, *layers]
