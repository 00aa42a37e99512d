"""Bad input on a cluster gets an InputError that names the problem and the fix.

Also: ``import glassnet`` loads no Dask, and ``connect`` makes the Client each
address form asks for.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")
import dask.array as da
import dask.dataframe as dd
from sklearn.exceptions import ConvergenceWarning

from distributed_cluster import chunked, classification_data, largest_difference, running_client
from glassnet import MLPClassifier, MLPRegressor
from glassnet.distributed import cluster as cluster_module
from glassnet.distributed import connect, fit
from glassnet.errors import InputError


@pytest.fixture(scope="module")
def client():
    """The module's two-worker LocalCluster."""
    yield from running_client()


def quick() -> MLPClassifier:
    return MLPClassifier((3,), solver="gd", max_iter=2, random_state=0)


def test_import_glassnet_loads_no_dask():
    code = (
        "import sys, glassnet, glassnet.distributed\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'})\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_x_in_column_chunks(client):
    X, y = classification_data()
    X_d = da.from_array(X, chunks=(50, 2))
    with pytest.raises(InputError, match=r"3 column chunks .*X\.rechunk\(\{1: -1\}\)"):
        fit(quick(), X_d, da.from_array(y, chunks=50), client=client)


def test_x_and_y_in_different_row_chunks(client):
    X, y = classification_data()
    X_d, _ = chunked(X, y)
    with pytest.raises(
        InputError, match=r"different row chunks.*y\.rechunk\(\{0: X\.chunks\[0\]\}\)"
    ):
        fit(quick(), X_d, da.from_array(y, chunks=100), client=client)


def test_sample_weight_in_different_row_chunks(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    weights = da.ones(200, chunks=100)
    with pytest.raises(InputError, match="X and sample_weight are split into different row"):
        fit(quick(), X_d, y_d, client=client, sample_weight=weights)


def test_unknown_chunk_sizes(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    kept = X_d[:, 0] > 0  # a boolean filter leaves the chunk sizes unknown
    with pytest.raises(InputError, match=r"unknown chunk sizes.*compute_chunk_sizes\(\)"):
        fit(quick(), X_d[kept], y_d[kept], client=client)


def test_text_columns_point_to_prepare(client):
    frame = pd.DataFrame({"size": np.arange(8.0), "colour": list("rgbrgbrg")})
    X_d = dd.from_pandas(frame, npartitions=2)
    y_d = dd.from_pandas(pd.Series(np.arange(8) % 2), npartitions=2)
    with pytest.raises(InputError, match=r"non-numeric column\(s\) colour.*distributed\.prepare"):
        fit(quick(), X_d, y_d, client=client)


def test_a_text_array_points_to_prepare(client):
    X_d = da.from_array(np.array([["a", "b"], ["c", "d"]]), chunks=(1, 2))
    with pytest.raises(InputError, match=r"dtype <U1, not numbers.*distributed\.prepare"):
        fit(quick(), X_d, da.from_array(np.array([0, 1]), chunks=1), client=client)


def test_a_numeric_dataframe_trains_as_its_array(client):
    X, y = classification_data()
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcde")), npartitions=3)
    labels = dd.from_pandas(pd.Series(y), npartitions=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        from_frame = fit(quick(), frame, labels, client=client)
        alone = quick().fit(X, y)
    assert largest_difference(from_frame, alone) < 1e-12


def test_nan_names_its_chunk_and_row(client):
    X, y = classification_data()
    X[140, 2] = np.nan  # chunk 2 of (37, 90, 13, 60) holds rows 127 to 139; 140 is chunk 3's first
    X_d, y_d = chunked(X, y)
    where = r"X chunk 3 \(rows 140 to 199\) contains NaN or inf, first at row 140"
    with pytest.raises(InputError, match=where):
        fit(quick(), X_d, y_d, client=client)


def test_negative_sample_weights(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    weights = np.ones(200)
    weights[50] = -1.0
    w_d = chunked(X, weights)[1]
    with pytest.raises(InputError, match="sample_weight has negative values in rows 37 to 126"):
        fit(quick(), X_d, y_d, client=client, sample_weight=w_d)


def test_poisson_targets_below_zero(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y - 1.0)
    with pytest.raises(InputError, match="loss='poisson' needs counts or rates y >= 0"):
        fit(MLPRegressor(loss="poisson", solver="gd", max_iter=2), X_d, y_d, client=client)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"early_stopping": True}, "early_stopping is not supported"),
        ({"class_weight": "balanced"}, "pass sample_weight= with the class weights"),
        ({"dropout": 0.3}, "dropout draws a mask per row and step"),
        ({"solver": "lbfgs", "clip_norm": 1.0}, "clip_norm works inside glassnet.train"),
    ],
)
def test_options_the_cluster_does_not_run(client, options, message):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    with pytest.raises(InputError, match=message):
        fit(quick().set_params(**options), X_d, y_d, client=client)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("bogus", r"unknown Dask address 'bogus': give 'local', 'local:N'"),
        ("local:0", r"'local:N' needs a whole number of workers N >= 1"),
        ("local:two", r"'local:N' needs a whole number of workers N >= 1"),
        (42, r"a Dask address must be 'local'"),
    ],
)
def test_connect_refuses_an_unknown_address(address, message):
    with pytest.raises(InputError, match=message):
        connect(address)


def test_connect_names_an_unreachable_scheduler(monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", "0.5s")
    with pytest.raises(InputError, match=r"no Dask scheduler answered at tcp://127\.0\.0\.1:9"):
        connect("tcp://127.0.0.1:9")


def test_connect_without_a_client_says_how_to_make_one(monkeypatch):
    def no_client():
        raise ValueError("No clients found")

    monkeypatch.setattr(cluster_module, "default_client", no_client)
    with pytest.raises(InputError, match=r"connect\('local'\)"):
        connect(None)


def test_connect_passes_a_client_through_and_finds_the_default_one(client):
    assert connect(client) is client
    assert connect(None) is client  # the last Client made in this process


def test_connect_local_starts_worker_processes_it_owns():
    started = connect("local:1")
    try:
        workers = started.scheduler_info()["workers"].values()
        assert [worker["nthreads"] for worker in workers] == [1]
        assert list(started.run(os.getpid).values()) != [os.getpid()]  # a process of its own
    finally:
        started.close()
    assert started.cluster.status.name == "closed"


def test_fit_takes_an_address_for_its_client():
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    with pytest.raises(InputError, match="unknown Dask address 'nowhere'"):
        fit(quick(), X_d, y_d, client="nowhere")
