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
    """

    Z: dict[int, Array] = field(default_factory=dict)
    A: dict[int, Array] = field(default_factory=dict)
    mask: dict[int, Array] = field(default_factory=dict)
    dropped: dict[int, Array] = field(default_factory=dict)

    @property
    def output(self) -> Array:
        """A[L], the network's output."""
        return self.A[len(self.Z)]

    def layer_input(self, l: int) -> Array:
        """What layer l read: A[l-1], or A[l-1] * M[l-1] when layer l-1 was dropped out."""
        return self.dropped.get(l - 1, self.A[l - 1])


@dataclass
class Gradients:
    """Everything the backward pass computed: ``dW[l]``, ``db[l]``, ``dZ[l]``, ``dA[l]``."""

    dW: dict[int, Array] = field(default_factory=dict)
    db: dict[int, Array] = field(default_factory=dict)
    dZ: dict[int, Array] = field(default_factory=dict)
    dA: dict[int, Array] = field(default_factory=dict)

    def as_list(self) -> list[Array]:
        """``[dW[1], db[1], ..., dW[L], db[L]]``, matching ``Network.parameters()``."""
        return [array for l in range(1, len(self.dW) + 1) for array in (self.dW[l], self.db[l])]
