"""Batches: the rows each step of an epoch trains on.

With n training rows and batch size k:

==============  ==============================================================
k >= n          one batch, the whole data: full batch, one tutorial iteration
1 < k < n       ceil(n / k) batches of k rows (the last may be smaller)
k = 1           stochastic descent, one row per step
==============  ==============================================================

Mini-batches take the rows in a fresh random order every epoch when shuffling,
else in the data's order. Each batch carries its share of the epoch,

    share = m / n                          without sample weights (m rows in the batch)
    share = sum_batch s_i / sum_all s_i    with sample weights s_i

so the epoch's cost sum_b share_b J_b is the (weighted) mean of the batch costs.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


@dataclass
class Batch:
    """The rows of one step: ``X`` (m, n_x), ``Y`` (m, n_L), their weights, their share."""

    X: Array
    Y: Array
    weights: Array | None  # s_i, (m,); None without sample weights
    share: float  # this batch's part of the epoch's cost


def batches(
    X: Array,
    Y: Array,
    weights: Array | None,
    batch_size: int,
    shuffle: bool,
    rng: np.random.Generator,
) -> Iterator[Batch]:
    """The batches of one epoch, skipping any whose samples all have weight 0."""
    n = X.shape[0]
    if batch_size >= n:
        yield Batch(X, Y, weights, 1.0)
        return
    total_weight = n if weights is None else float(weights.sum())
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]
        batch_weights = None if weights is None else weights[rows]
        seen = rows.size if batch_weights is None else float(batch_weights.sum())
        if seen == 0:
            continue  # every sample of this batch has weight 0: nothing to learn
        yield Batch(X[rows], Y[rows], batch_weights, seen / total_weight)
