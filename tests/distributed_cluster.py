"""What the distributed tests share: a LocalCluster started inside the tests, and data in chunks.

A test module makes its fixture from :func:`running_client` (``yield from
running_client()`` in a module-scoped fixture). The cluster runs in this process
(``processes=False``: two single-threaded workers, started in a fraction of a
second); the fault tests start their own worker processes.
"""

import logging
import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

pytest.importorskip("distributed")
import dask.array as da
from distributed import Client, LocalCluster

UNEQUAL_CHUNKS = (37, 90, 13, 60)  # rows per chunk: 200 rows in four chunks of unequal size
QUIET = logging.CRITICAL  # the workers' and scheduler's logs


def start_cluster(n_workers: int = 2, processes: bool = False) -> LocalCluster:
    """A LocalCluster of single-threaded workers, without a dashboard, silent."""
    with warnings.catch_warnings():  # another session's cluster may hold the dashboard's port
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=QUIET,
        )


def running_client() -> Iterator[Client]:
    """A Client of a two-worker LocalCluster in this process, closed with the cluster after."""
    with start_cluster() as cluster, Client(cluster) as connected:
        yield connected


def chunked(
    X: np.ndarray, y: np.ndarray, rows: Sequence[int] = UNEQUAL_CHUNKS
) -> tuple[da.Array, da.Array]:
    """``X`` and ``y`` as dask arrays split into row chunks of the given sizes."""
    X_chunks = (tuple(rows), (X.shape[1],))
    y_chunks = (tuple(rows),) + ((y.shape[1],) if y.ndim == 2 else ())
    return da.from_array(X, chunks=X_chunks), da.from_array(y, chunks=y_chunks)


def largest_difference(first: object, second: object) -> float:
    """max |a - b| over every weight and bias of two fitted estimators."""
    pairs = zip(
        [*first.coefs_, *first.intercepts_],  # type: ignore[attr-defined]
        [*second.coefs_, *second.intercepts_],  # type: ignore[attr-defined]
        strict=True,
    )
    return max(float(np.abs(a - b).max()) for a, b in pairs)


def classification_data(n_samples: int = 200, n_classes: int = 3) -> tuple[np.ndarray, ...]:
    """Standardised features and integer labels, seeded."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples, 5, n_informative=3, n_redundant=1, n_classes=n_classes, random_state=0
    )
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def regression_data(n_samples: int = 200) -> tuple[np.ndarray, ...]:
    """Standardised features and a noisy non-linear target, seeded."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((n_samples, 4))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(n_samples)
    return X, y
