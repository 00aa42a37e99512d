"""A cluster run's advice: a warning of thousands of full-batch rounds, naming the fast
options, and the time the run's epochs will take, printed after the second one."""

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("distributed")

from distributed_cluster import running_client
from glassnet.distributed.run import run_training
from glassnet.distributed.run_advice import FAST_OPTIONS, duration
from glassnet.runs.config import RunConfig
from glassnet.training.callbacks import Callback


@pytest.fixture(scope="module")
def client():
    yield from running_client()


class StopAfterTwoEpochs(Callback):
    def on_epoch_end(self, state) -> None:
        if state.epoch == 1:
            state.request_stop("the test has seen what it needs")


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((120, 2))
    rows = [f"{a:.4f},{b:.4f},{int(a > b)}" for a, b in X]
    (tmp_path / "part-0.csv").write_text("\n".join(["a,b,label", *rows]) + "\n")
    return str(tmp_path / "part-*.csv")


def config(data: str, **changes) -> RunConfig:
    settings = {"target": "label", "hidden": (3,), "test_size": 0.0, "print_every": 1000}
    return RunConfig(data=data, **(settings | changes))


def test_thousands_of_full_batch_rounds_are_warned_of_with_the_fast_options(client, table, capsys):
    with pytest.warns(UserWarning, match=r"runs 2000 rounds") as caught:
        run_training(config(table, epochs=2000), client, callbacks=[StopAfterTwoEpochs()])
    assert any(FAST_OPTIONS in str(warning.message) for warning in caught)
    printed = capsys.readouterr().out
    found = re.search(
        r"Epoch 1 took \S+ s: the 2000 epochs end in about .+ \(at \d\d:\d\d\)", printed
    )
    assert found, printed


def test_mini_batches_and_short_runs_are_not_warned_of(client, table):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_training(
            config(table, epochs=2000, batch_size=32, optimizer="adam"),
            client,
            callbacks=[StopAfterTwoEpochs()],
        )
        run_training(config(table, epochs=3), client)
    assert not [w for w in caught if "rounds" in str(w.message)]


@pytest.mark.parametrize(("seconds", "shown"), [(42.4, "42 s"), (1721, "29 min"), (12600, "3.5 h")])
def test_a_duration_reads_as_a_person_says_it(seconds, shown):
    assert duration(seconds) == shown
