"""Weight initialisers: the starting W of each layer, drawn from an explicit Generator.

Each takes ``(fan_in, fan_out, rng, dtype)`` and returns W of shape
(fan_in, fan_out), since glassnet computes ``Z = A_prev @ W + b`` with samples in
rows. Biases always start at zero.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike, NDArray

Initializer = Callable[[int, int, np.random.Generator, DTypeLike], NDArray[np.floating]]


def he(fan_in: int, fan_out: int, rng: np.random.Generator, dtype: DTypeLike) -> NDArray:
    """He et al. (2015): W ~ N(0, 2 / fan_in), suited to ReLU layers."""
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(dtype)


def glorot(fan_in: int, fan_out: int, rng: np.random.Generator, dtype: DTypeLike) -> NDArray:
    """Glorot & Bengio (2010): W ~ U(-r, r), r = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype)


def small(fan_in: int, fan_out: int, rng: np.random.Generator, dtype: DTypeLike) -> NDArray:
    """The tutorials' small random start: W ~ N(0, 1) * 0.01."""
    return (rng.standard_normal((fan_in, fan_out)) * 0.01).astype(dtype)


INITIALIZERS: dict[str, Initializer] = {"he": he, "glorot": glorot, "small": small}
