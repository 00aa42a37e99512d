"""Odd input on the cluster path: a glob's files with other headers, empty chunks, a bad path.

A glob's files are read by their own headers (a file with the columns in another order
by name; one with other columns is refused, naming both files and the columns); a chunk
with no rows, as ``X[mask].compute_chunk_sizes()`` makes, trains as if it were not there;
a glob matching nothing is refused before a cluster starts.
"""

import time

import numpy as np
import pandas as pd
import pytest

from distributed_cluster import chunked, classification_data, running_client

pytest.importorskip("distributed")
from click.testing import CliRunner

from glassnet import cli
from glassnet.distributed.fitting import fit
from glassnet.distributed.frames import read_frame
from glassnet.errors import InputError
from glassnet.estimators import MLPClassifier


@pytest.fixture(scope="module")
def client():
    yield from running_client()


def write(path, header, rows):
    path.write_text("\n".join([header, *(",".join(map(str, row)) for row in rows)]) + "\n")


def test_a_file_with_other_columns_is_refused_naming_the_files_and_columns(tmp_path):
    write(tmp_path / "a-0.csv", "x1,x2,y", [(1, 2, 0), (3, 4, 1)])
    write(tmp_path / "a-1.csv", "x1,x3,y", [(5, 6, 0), (7, 8, 1)])
    with pytest.raises(InputError) as raised:
        read_frame(tmp_path / "a-*.csv")
    message = str(raised.value)
    assert "a-0.csv" in message and "a-1.csv" in message
    assert "lacks x2" in message and "has extra x3" in message


def test_an_extra_column_is_refused(tmp_path):
    write(tmp_path / "a-0.csv", "x1,x2,y", [(1, 2, 0)])
    write(tmp_path / "a-1.csv", "x1,x2,y,note", [(5, 6, 0, "n")])
    with pytest.raises(InputError, match=r"a-1\.csv.*has extra note"):
        read_frame(tmp_path / "a-*.csv")


def test_a_file_with_the_columns_in_another_order_is_read_by_name(tmp_path):
    write(tmp_path / "a-0.csv", "x1,x2,y", [(1, 2, "p"), (3, 4, "q")])
    write(tmp_path / "a-1.csv", "y,x2,x1", [("r", 60, 50), ("s", 80, 70)])
    write(tmp_path / "a-2.csv", "x1,x2,y", [(9, 10, "t")])
    frame = read_frame(tmp_path / "a-*.csv").compute(scheduler="sync")
    assert list(frame.columns) == ["x1", "x2", "y"]
    expected = pd.DataFrame(
        {"x1": ["1", "3", "50", "70", "9"], "x2": ["2", "4", "60", "80", "10"],
         "y": ["p", "q", "r", "s", "t"]},
        dtype=object,
    )  # fmt: skip
    pd.testing.assert_frame_equal(frame.reset_index(drop=True).astype(object), expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_empty_chunks_add_nothing_to_a_fit(client):
    X, y = classification_data()
    X_dask, y_dask = chunked(X, y)
    keep = np.ones(len(y), dtype=bool)
    keep[37:127] = False  # the whole second chunk (rows 37 to 126) and none of the others
    keep[130] = False
    mask = chunked(keep[:, None], keep)[1]
    X_kept, y_kept = X_dask[mask], y_dask[mask]
    X_kept.compute_chunk_sizes()
    y_kept.compute_chunk_sizes()
    assert 0 in X_kept.chunks[0]  # the case asked about: a chunk of no rows

    def estimator():
        return MLPClassifier((6,), solver="gd", max_iter=15, random_state=0, tol=0.0)

    on_cluster = fit(estimator(), X_kept, y_kept, client=client)
    in_memory = estimator().fit(X[keep], y[keep])
    for got, expected in zip(on_cluster.coefs_, in_memory.coefs_, strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-10)


def test_a_glob_matching_nothing_is_refused_before_a_cluster_starts(tmp_path):
    began = time.perf_counter()
    result = CliRunner().invoke(
        cli.cli,
        ["train", "--dask", "local:2", "--data", str(tmp_path / "none-*.csv"), "--target", "y"],
    )
    seconds = time.perf_counter() - began
    assert result.exit_code != 0
    assert "matches no file" in result.output
    assert seconds < 1.5  # a local cluster takes 3 s or more to start here
