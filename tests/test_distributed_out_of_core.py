"""Out of core: chunks sized from the workers' memory, .npy rows read without a memory map,
and a worker killed while loading turned into glassnet's RoundFailedError with a memory hint.
"""

import os
import warnings

import numpy as np
import pytest

pytest.importorskip("distributed")
import dask
import dask.array as da
from distributed import Client, LocalCluster

from glassnet import MLPClassifier
from glassnet.distributed import fit, from_store
from glassnet.distributed.cluster import RoundFailedError
from glassnet.distributed.stores import MEMORY_SHARE

NO_MEMORY_POLICY = {  # an in-process worker must not pause for the test process's own memory
    f"distributed.worker.memory.{name}": False for name in ("target", "spill", "pause", "terminate")
}


def sparse_npy(path, shape, dtype=np.float32):
    """A .npy file of zeros written as a sparse file: its header and its size, no data."""
    np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape).flush()
    return path


def test_default_chunks_are_sized_from_the_workers_memory_limit(tmp_path):
    path = sparse_npy(tmp_path / "x.npy", (40_000, 1000))  # 4000 bytes a row, 160 MB
    limit = 600 * 2**20
    with (
        dask.config.set(NO_MEMORY_POLICY),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        cluster = LocalCluster(
            n_workers=1, processes=False, memory_limit=limit, dashboard_address=None
        )
        with cluster, Client(cluster):
            X = from_store(path)
    rows = limit // MEMORY_SHARE // 4000  # 12.5 MiB of rows: 3276
    assert X.chunks[0][:2] == (rows, rows)
    assert rows * 4000 < 64 * 2**20 / 4  # well under the 64 MiB chunk of no limit
    assert from_store(path).chunks[0][0] == 64 * 2**20 // 4000  # no Client: 64 MiB


@pytest.mark.parametrize("order", ["C", "F"])
def test_npy_rows_are_read_without_a_memory_map(tmp_path, monkeypatch, order):
    values = np.arange(700 * 3, dtype=">f8").reshape(700, 3)  # big-endian, as a file may be
    path = tmp_path / "x.npy"
    np.save(path, np.asarray(values, order=order))
    X = from_store(path, chunk_rows=128)
    load = np.load

    def no_map(*args, **kwargs):
        if kwargs.get("mmap_mode") is not None and order == "C":
            raise AssertionError("a C-ordered .npy file's rows were memory-mapped")
        return load(*args, **kwargs)

    monkeypatch.setattr(np, "load", no_map)
    np.testing.assert_array_equal(X.compute(scheduler="sync"), values)


def test_a_worker_killed_while_loading_is_a_round_failed_error_with_a_memory_hint():
    dying = da.from_delayed(dask.delayed(os._exit)(1), shape=(10, 3), dtype=float)
    X = da.concatenate([da.zeros((10, 3), chunks=(10, 3)), dying])
    y = da.from_array(np.arange(20) % 2, chunks=10)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        cluster = LocalCluster(
            n_workers=1, threads_per_worker=1, dashboard_address=None, silence_logs=50
        )
        with cluster, Client(cluster) as client, pytest.raises(RoundFailedError) as failed:
            fit(MLPClassifier((3,), solver="gd", max_iter=2), X, y, client=client)
    message = str(failed.value)
    assert "could not be loaded" in message and "memory limit" in message
    assert "chunk_rows=" in message
