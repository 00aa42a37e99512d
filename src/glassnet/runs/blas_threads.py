"""One BLAS thread around the training loop when its matrices are small.

A step of a small network, or a step on a small mini-batch, multiplies matrices of a
few thousand numbers: BLAS threads cost more to wake and join than they save, and on a
busy machine they fight over its cores (``benchmarks/blas_threads.md`` measures the
layer rule). Larger layers on large batches keep every thread BLAS would use.
"""

import contextlib
from collections.abc import Iterator, Sequence

SMALL_LAYER = 512  # units: a network whose widest layer is at most this trains on one thread
SMALL_BATCH = 1024  # rows: a mini-batch's products are too small to share between threads


def is_small(layer_sizes: Sequence[int], batch_size: int) -> bool:
    """Whether the products are small: every layer at most :data:`SMALL_LAYER` units
    (inputs included), or batches of at most :data:`SMALL_BATCH` rows."""
    return max(layer_sizes) <= SMALL_LAYER or batch_size <= SMALL_BATCH


@contextlib.contextmanager
def blas_threads_for(layer_sizes: Sequence[int], batch_size: int) -> Iterator[None]:
    """One BLAS thread while the block runs, when :func:`is_small`; else BLAS as it is."""
    if not is_small(layer_sizes, batch_size):
        yield
        return
    from threadpoolctl import threadpool_limits  # scikit-learn's dependency, imported late

    with threadpool_limits(limits=1, user_api="blas"):
        yield
