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

The rows of a mini-batch are copied into :class:`BatchBuffers`, arrays of k rows made
once and reused by every batch (a SciPy CSR ``X``'s rows are taken with ``X[rows]``):
training holds the data once, plus one batch, and a batch is only valid until the next
one is gathered.
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


class BatchBuffers:
    """The arrays every mini-batch is gathered into: ``X`` (k, n_x), ``Y`` (k, n_L), weights (k,).

    Parameters
    ----------
    X, Y, weights
        The training data (only the shapes and dtypes are used).
    batch_size
        k, the rows of the largest batch.
    """

    def __init__(self, X: Array, Y: Array, weights: Array | None, batch_size: int) -> None:
        dense = isinstance(X, np.ndarray)  # SciPy CSR rows cannot go into an array: X[rows]
        self.X = np.empty((batch_size, *X.shape[1:]), dtype=X.dtype) if dense else None  # (k, n_x)
        self.Y = np.empty((batch_size, *Y.shape[1:]), dtype=Y.dtype)  # (k, n_L)
        self.weights = None if weights is None else np.empty(batch_size, dtype=weights.dtype)

    def gather(
        self, X: Array, Y: Array, weights: Array | None, rows: NDArray[np.intp], total: float
    ) -> Batch:
        """``X[rows]``, ``Y[rows]``, ``weights[rows]`` in the first m rows, with their share."""
        m = rows.size
        X_b = X[rows] if self.X is None else _take(X, rows, self.X[:m])  # (m, n_x)
        Y_b = _take(Y, rows, self.Y[:m])  # (m, n_L)
        if weights is None or self.weights is None:
            return Batch(X_b, Y_b, None, m / total)  # share = m / n
        s = _take(weights, rows, self.weights[:m])  # s_i of the batch, (m,)
        return Batch(X_b, Y_b, s, float(s.sum()) / total)  # share = sum_batch s_i / sum_all s_i


def _take(source: Array, rows: NDArray[np.intp], out: Array) -> Array:
    """``source[rows]`` written into ``out``, (m, ...); rows are always in range.

    ``mode="clip"`` lets ``np.take`` write straight into ``out`` ("raise" gathers into a temporary).
    """
    return np.take(source, rows, axis=0, out=out, mode="clip")


def batches(
    X: Array,
    Y: Array,
    weights: Array | None,
    batch_size: int,
    shuffle: bool,
    rng: np.random.Generator,
    buffers: BatchBuffers | None = None,
) -> Iterator[Batch]:
    """The batches of one epoch, skipping any whose samples all have weight 0.

    Mini-batches are gathered into ``buffers`` (made here when not given): each
    batch overwrites the one before it.
    """
    n = X.shape[0]
    if batch_size >= n:
        yield Batch(X, Y, weights, 1.0)  # full batch: the whole data, nothing drawn
        return
    if buffers is None:
        buffers = BatchBuffers(X, Y, weights, batch_size)
    total_weight = n if weights is None else float(weights.sum())
    order = row_order(n, shuffle, rng)
    for _, batch in mini_batches(X, Y, weights, order, batch_size, buffers, total_weight):
        yield batch


def row_order(n: int, shuffle: bool, rng: np.random.Generator) -> NDArray[np.intp]:
    """The rows of an epoch in the order its mini-batches take them: drawn afresh, or 0..n-1."""
    return rng.permutation(n) if shuffle else np.arange(n)


def mini_batches(
    X: Array,
    Y: Array,
    weights: Array | None,
    order: NDArray[np.intp],
    batch_size: int,
    buffers: BatchBuffers,
    total_weight: float,
    start: int = 0,
) -> Iterator[tuple[int, Batch]]:
    """The mini-batches of ``order[start:]``, k rows each, and where the next one starts.

    A batch whose samples all have weight 0 is skipped; each batch is gathered into
    ``buffers``, its share the part of ``total_weight`` it holds (m / n, or the sum of its s_i
    over the sum of all s_i).
    """
    for first in range(start, order.size, batch_size):
        rows = order[first : first + batch_size]
        if weights is not None and not weights[rows].any():
            continue  # every sample of this batch has weight 0: nothing to learn
        yield first + batch_size, buffers.gather(X, Y, weights, rows, total_weight)
