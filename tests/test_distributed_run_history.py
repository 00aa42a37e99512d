"""A ``glassnet train --dask`` run's history.csv is the cluster solver's own record of its epochs.

The run hands its callbacks and validation scores to ``glassnet.distributed.fit``, whose
solver keeps the one History: an epoch's cost with local SGD is then the estimator's,
each batch's cost weighted by its share of the rows (sum_c sum_b J_b m_b / N), not a plain
mean of the epoch's rounds; and ``--clip-norm`` gives the clipping columns on a cluster
as on one machine. The run's ``fit`` is watched, and the same chunks fitted once more
through ``glassnet.distributed.fit`` alone, without the run's callbacks, on the same cluster.
"""

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.base import clone

pytest.importorskip("distributed")
pytest.importorskip("dask_ml")


from glassnet import cli
from glassnet.distributed import run as cluster_run
from glassnet.training.callbacks import Callback

pytestmark = pytest.mark.filterwarnings("ignore:Port .* is already in use")  # no dashboard asked

ROWS = (170, 90, 41)  # three chunks of unequal sizes: an epoch's rounds weigh differently
EPOCHS = 4


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(5)
    for i, n in enumerate(ROWS):
        x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
        label = np.where(x1 - 2 * x2 + 0.7 * rng.standard_normal(n) > 0, "yes", "no")
        pd.DataFrame({"x1": x1, "x2": x2, "label": label}).to_csv(
            folder / f"p-{i}.csv", index=False
        )
    return folder


def read_history(path: Path) -> dict[str, list[float]]:
    """history.csv's columns, each number parsed exactly as written (Python's repr)."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {name: [float(row[name]) for row in rows] for name in rows[0]}


@pytest.fixture(scope="module")
def runs(tcp_cluster, files, tmp_path_factory):
    """The run's folder, and what the same fit left alone: its History and its rounds' costs."""
    out = tmp_path_factory.mktemp("runs") / "sgd"
    alone = {}
    real_fit = cluster_run.fit

    def watched_fit(estimator, X, y, **options):
        fresh = clone(estimator)  # unfitted, the same parameters
        fitted = real_fit(estimator, X, y, **options)
        round_costs = defaultdict(list)  # epoch -> its rounds' costs
        real_fit(
            fresh,
            X,
            y,
            client=options["client"],
            local_steps=options["local_steps"],
            parameters=options["parameters"],
            on_round=lambda finished: round_costs[finished.epoch].append(finished.cost),
        )
        alone.update(history=fresh.history_, round_costs=round_costs)
        return fitted

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cluster_run, "fit", watched_fit)
        result = CliRunner(env={"COLUMNS": "200"}).invoke(
            cli.cli,
            [
                "train", "--dask", tcp_cluster, "--data", str(files / "p-*.csv"),
                "--target", "label",
                "--iterations", str(EPOCHS), "--batch-size", "16", "--local-steps", "2",
                "--optimizer", "adam", "--lr", "0.05", "--clip-norm", "0.5", "--validation", "0.2",
                "--seed", "2", "--out", str(out), "--no-progress",
            ],
            catch_exceptions=False,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    return read_history(out / "history.csv"), alone


def test_local_sgd_epoch_costs_are_the_estimators_share_weighted_costs(runs):
    history, alone = runs
    assert len(history["cost"]) == EPOCHS
    assert history["cost"] == list(alone["history"]["cost"])  # bit for bit
    # the plain mean of an epoch's rounds is another number: the shares count
    round_means = [np.mean(alone["round_costs"][epoch + 1]) for epoch in range(EPOCHS)]
    assert all(len(alone["round_costs"][epoch + 1]) > 1 for epoch in range(EPOCHS))
    assert not np.allclose(history["cost"], round_means, rtol=1e-9, atol=0)


def test_clip_norm_gives_the_clipping_columns_on_a_cluster(runs):
    history, alone = runs
    for name in ("max_grad_norm", "clipped_steps"):
        assert history[name] == list(alone["history"][name])
    assert all(norm > 0 for norm in history["max_grad_norm"])
    assert sum(history["clipped_steps"]) > 0  # 0.5 is small enough to clip some steps
    assert all(np.isfinite(history["val_cost"]))  # the run's validation scores are in the rows


def test_lbfgs_refuses_the_epochs_hooks_it_has_no_epochs_for(tcp_cluster):
    from distributed import Client

    from glassnet import MLPClassifier
    from glassnet.distributed import fit
    from glassnet.errors import InputError

    X, y = np.zeros((20, 2)), np.arange(20) % 2
    with Client(tcp_cluster) as client:
        for hooks in ({"scores": lambda network: {}}, {"interrupted": lambda: False}):
            with pytest.raises(InputError, match="solver='lbfgs' does not have"):
                fit(MLPClassifier(solver="lbfgs"), X, y, client=client, **hooks)


class Seen(Callback):
    """Each epoch hook's view of the state: (hook, epoch, step, rows of the History, stop)."""

    def __init__(self):
        self.seen = []

    def _note(self, hook, state):
        self.seen.append((hook, state.epoch, state.step, len(state.history), state.stop))

    def on_train_begin(self, state):
        self._note("on_train_begin", state)

    def on_epoch_begin(self, state):
        self._note("on_epoch_begin", state)

    def on_epoch_end(self, state):
        self._note("on_epoch_end", state)

    def on_train_end(self, state):
        self._note("on_train_end", state)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # 6 epochs: short on purpose
@pytest.mark.parametrize("batch_size", [200, 32], ids=["full batch", "local SGD"])
def test_on_one_chunk_the_fits_callbacks_see_what_the_estimators_own_fit_shows(
    tcp_cluster, batch_size
):
    import dask.array as da
    from distributed import Client
    from sklearn.datasets import make_moons

    from glassnet import MLPClassifier
    from glassnet.distributed import fit

    X, y = make_moons(n_samples=200, noise=0.25, random_state=3)
    options = {
        "hidden_layer_sizes": (5,), "solver": "adam", "batch_size": batch_size, "max_iter": 6,
        "shuffle": False, "random_state": 0,
    }  # fmt: skip
    alone, spread = Seen(), Seen()
    own = MLPClassifier(**options, callbacks=[alone]).fit(X, y)
    with Client(tcp_cluster) as client:
        fitted = fit(
            MLPClassifier(**options),
            da.from_array(X, chunks=(200, 2)),
            da.from_array(y, chunks=200),
            client=client,
            local_steps=10_000,  # one round an epoch: the chunk's whole pass
            callbacks=[spread],
        )
    hooks = [seen[0] for seen in alone.seen]
    assert hooks == ["on_train_begin", *["on_epoch_begin", "on_epoch_end"] * 6, "on_train_end"]
    assert spread.seen == alone.seen  # the same epoch, step, rows and stop at every hook
    assert fitted.history_["cost"] == own.history_["cost"]
