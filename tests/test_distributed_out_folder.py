"""A cluster run that diverges keeps an empty --out folder the user made, as one machine does.

The run removes the folder only when it made it (tests/test_distributed_cli.py holds that
case); a folder that was there before the run, empty, is the user's and stays.
"""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")
pytest.importorskip("dask_ml")


from glassnet import cli

pytestmark = pytest.mark.filterwarnings("ignore:Port .* is already in use")  # no dashboard asked


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """part-0.csv, part-1.csv: two numeric features and a price."""
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for i, n in enumerate((120, 80)):
        x1, x2 = rng.standard_normal(n), rng.standard_normal(n) * 3 + 1
        price = 50 + 10 * x1 + 4 * x2 + rng.standard_normal(n)
        pd.DataFrame({"x1": x1, "x2": x2, "price": price}).to_csv(
            folder / f"part-{i}.csv", index=False
        )
    return folder


def diverging_run(tcp_cluster: str, data: object, out: object):
    runner = CliRunner(env={"COLUMNS": "200"})
    args = [
        "train", "--dask", tcp_cluster, "--data", data, "--target", "price", "--no-standardize",
        "--activation", "identity", "--lr", "1e6", "--iterations", 20, "--seed", 3,
        "--out", out, "--no-progress",
    ]  # fmt: skip
    return runner.invoke(cli.cli, [str(arg) for arg in args], catch_exceptions=False)


def test_an_empty_out_folder_made_before_a_diverging_cluster_run_is_kept(
    tcp_cluster, files, tmp_path
):
    out = tmp_path / "run"
    out.mkdir()  # the user's own, empty
    result = diverging_run(tcp_cluster, files / "part-*.csv", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: training diverged")
    assert out.is_dir() and not any(out.iterdir())  # kept, and the checkpoint taken back


def test_a_folder_the_diverging_cluster_run_made_is_removed(tcp_cluster, files, tmp_path):
    out = tmp_path / "run"
    result = diverging_run(tcp_cluster, files / "part-*.csv", out)
    assert result.exit_code == 2, result.output
    assert not out.exists()
