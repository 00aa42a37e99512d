"""glassnet.distributed.from_store: zarr stores, .npy stacks and .npy files as dask arrays.

Each store is written by its own library (zarr through dask.array.to_zarr, dask's
to_npy_stack, NumPy's save) and read back on a LocalCluster: the values must be the
ones written, the chunks the store's own, and the task graph must not carry the data.
"""

import pickle

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

from distributed_cluster import largest_difference, running_client  # noqa: E402
from glassnet.distributed import from_store  # noqa: E402
from glassnet.errors import InputError  # noqa: E402


@pytest.fixture(scope="module")
def client():
    """A two-worker LocalCluster in this process (the shared one of distributed_cluster.py)."""
    yield from running_client()


@pytest.fixture
def values():
    return np.random.default_rng(3).normal(size=(1000, 7))  # (n, n_x)


def test_a_zarr_array_keeps_its_chunks_and_values(client, tmp_path, values):
    path = tmp_path / "x.zarr"
    da.from_array(values, chunks=(300, 7)).to_zarr(str(path))
    X = from_store(path)
    assert X.chunks == ((300, 300, 300, 100), (7,))
    np.testing.assert_array_equal(X.compute(), values)


def test_a_zarr_group_with_one_array_opens_it_and_with_two_is_refused(client, tmp_path, values):
    group = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    group.create_array("X", data=values, chunks=(250, 7))
    np.testing.assert_array_equal(from_store(tmp_path / "g.zarr").compute(), values)
    group.create_array("y", data=values[:, 0], chunks=(250,))
    with pytest.raises(InputError, match=r"holds 2 arrays \(X, y\)"):
        from_store(tmp_path / "g.zarr")
    np.testing.assert_array_equal(from_store(tmp_path / "g.zarr" / "y").compute(), values[:, 0])


def test_an_npy_stack_is_one_chunk_per_file(client, tmp_path, values):
    da.to_npy_stack(str(tmp_path / "stack"), da.from_array(values, chunks=(400, 7)))
    X = from_store(tmp_path / "stack")
    assert X.chunks[0] == (400, 400, 200)
    np.testing.assert_array_equal(X.compute(), values)


def test_a_single_npy_file_is_read_in_row_blocks_by_each_task(client, tmp_path, values):
    path = tmp_path / "x.npy"
    np.save(path, values)
    X = from_store(path, chunk_rows=128)
    assert X.chunks == ((128,) * 7 + (104,), (7,))
    np.testing.assert_array_equal(X.compute(), values)
    graph = pickle.dumps(dict(X.__dask_graph__()))
    assert len(graph) < values.nbytes / 4  # the tasks name the file, not its numbers
    assert from_store(path).chunks == ((1000,), (7,))  # 56 kB: one chunk of 64 MiB


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "absent.zarr", "does not exist"),
        (lambda tmp: tmp, "is a directory but not a store"),
        (lambda tmp: _write(tmp / "x.csv", b"a,b\n1,2\n"), "not a .npy file"),
        (lambda tmp: _write(tmp / "bad.npy", b"not numpy"), "could not open"),
        (lambda tmp: _save(tmp / "text.npy", np.array(["a", "b"])), "not an array of numbers"),
    ],
)
def test_what_is_no_store_of_numbers_is_named(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        from_store(make(tmp_path))


@pytest.mark.filterwarnings("ignore:The data type")  # zarr: text has no zarr 3 specification
def test_a_zarr_store_of_text_is_refused(tmp_path):
    zarr.create_array(str(tmp_path / "t.zarr"), data=np.array(["a", "bb", "c"]), chunks=(2,))
    with pytest.raises(InputError, match="not numbers"):
        from_store(tmp_path / "t.zarr")


def _write(path, data):
    path.write_bytes(data)
    return path


def _save(path, array):
    np.save(path, array)
    return path


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 5 epochs
def test_a_model_trained_from_a_store_is_the_one_trained_from_memory(client, tmp_path, values):
    from glassnet import MLPClassifier
    from glassnet.distributed import fit

    labels = (values[:, 0] + values[:, 1] > 0).astype(np.int64)
    da.to_npy_stack(str(tmp_path / "X"), da.from_array(values, chunks=(300, 7)))
    zarr.create_array(str(tmp_path / "y.zarr"), data=labels, chunks=(300,))
    X, y = from_store(tmp_path / "X"), from_store(tmp_path / "y.zarr")
    assert X.chunks[0] == y.chunks[0] == (300, 300, 300, 100)
    settings = {"hidden_layer_sizes": (6,), "solver": "gd", "max_iter": 5, "random_state": 0}
    from_disk = fit(MLPClassifier(**settings), X, y, client=client)
    here = MLPClassifier(**settings).fit(values, labels)
    assert largest_difference(from_disk, here) < 1e-10
