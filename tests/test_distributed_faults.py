"""Faults: a worker killed mid-training, a scheduler that goes away, a round that keeps failing.

- A worker process killed between two rounds (``os._exit`` inside it): Dask
  recomputes its chunks from their source, the round runs again from the last
  parameters, and the fit ends with exactly the weights of an uninterrupted one.
- The scheduler closed mid-fit: SchedulerLost names its address and carries the
  parameters of the last finished round, which are those of a shorter fit; a fit
  resumed from them on another cluster ends where the uninterrupted one does.
"""

import contextlib
import os
import time
import warnings
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("distributed")
from distributed import Client
from distributed.scheduler import KilledWorker
from sklearn.exceptions import ConvergenceWarning

from distributed_cluster import (
    chunked,
    classification_data,
    largest_difference,
    start_cluster,
)
from glassnet import MLPClassifier
from glassnet.distributed import fit
from glassnet.distributed.cluster import RoundFailedError, Rounds, SchedulerLost


@pytest.fixture(scope="module")
def processes():
    """A Client of two single-threaded worker processes (a killed one is restarted)."""
    with start_cluster(processes=True) as cluster, Client(cluster) as connected:
        yield connected


def gd(max_iter: int = 12) -> MLPClassifier:
    return MLPClassifier(
        (6,), solver="gd", learning_rate_init=0.3, max_iter=max_iter, tol=0.0, random_state=0
    )


def adam() -> MLPClassifier:
    return MLPClassifier(
        (6,), solver="adam", batch_size=16, learning_rate_init=0.01, max_iter=2, random_state=4
    )


def killing(client: Client, at_round: int):
    """An on_round callback that kills, after round ``at_round``, the worker holding most chunks."""
    killed = []

    def kill(state):
        if state.round == at_round:
            held = Counter(worker for holders in client.who_has().values() for worker in holders)
            worker = max(sorted(held), key=held.__getitem__)
            client.run(os._exit, 1, workers=[worker], on_error="ignore")
            killed.append(worker)

    return kill, killed


def gone(client: Client, worker: str) -> bool:
    """Whether the scheduler has dropped ``worker`` (within 10 s: it notices a death late)."""
    for _ in range(50):
        if worker not in client.scheduler_info()["workers"]:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("make", [gd, adam], ids=["full-batch", "local-sgd"])
def test_a_killed_worker_changes_nothing(processes, make):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    kill, killed = killing(processes, at_round=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        uninterrupted = fit(make(), X_d, y_d, client=processes, local_steps=3)
        interrupted = fit(make(), X_d, y_d, client=processes, local_steps=3, on_round=kill)
        alone = make().fit(X, y)
    assert killed and gone(processes, killed[0])  # the nanny started a new process
    assert largest_difference(interrupted, uninterrupted) == 0.0
    assert interrupted.loss_curve_ == uninterrupted.loss_curve_
    if make is gd:
        assert largest_difference(interrupted, alone) < 1e-10


def test_a_lost_scheduler_stops_with_its_address_and_the_last_parameters(processes):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    reported = []
    cluster = start_cluster(n_workers=1)
    address, client = cluster.scheduler_address, Client(cluster)

    def close_after_round_3(state):
        reported.append(state)
        if state.round == 3:
            cluster.sync(cluster.scheduler.close)

    with pytest.raises(SchedulerLost, match=f"scheduler at {address} went away") as lost:
        fit(gd(), X_d, y_d, client=client, on_round=close_after_round_3)
    for closing in (client, cluster):  # without a scheduler, closing times out: keep it short
        with contextlib.suppress(Exception):
            closing.close(timeout=2)
    assert (lost.value.address, lost.value.rounds) == (address, 3)
    for mine, theirs in zip(lost.value.parameters, reported[-1].parameters, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        three = gd(max_iter=3).fit(X, y)
        whole = gd().fit(X, y)
        resumed = fit(gd(max_iter=9), X_d, y_d, client=processes, parameters=lost.value.parameters)
    for mine, theirs in zip(lost.value.parameters, three.network_.parameters(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-10)  # three rounds' weights
    assert largest_difference(resumed, whole) < 1e-10  # resumed on another cluster


def stand_in_client() -> SimpleNamespace:
    """What Rounds reads of a Client: its status and its scheduler's address."""
    return SimpleNamespace(status="running", scheduler=SimpleNamespace(address="tcp://here:1"))


def test_a_round_that_fails_for_a_lost_worker_runs_again():
    failures = iter([KilledWorker("task", None, 3), ConnectionError("lost")])

    def round_():
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return "done"

    rounds = Rounds(stand_in_client(), [np.zeros(2)], retries=2)
    assert rounds.run(round_) == "done"


def test_a_round_that_always_fails_stops_after_its_retries():
    attempts = []

    def round_():
        attempts.append(1)
        raise KilledWorker("task", SimpleNamespace(address="tcp://w:2"), 3)

    rounds = Rounds(stand_in_client(), [np.zeros(2)], retries=2)
    with pytest.raises(RoundFailedError, match=r"round 1 failed 3 times .* tcp://here:1"):
        rounds.run(round_)
    assert len(attempts) == 3


def test_a_round_after_the_scheduler_went_away_raises_scheduler_lost():
    client = stand_in_client()
    rounds = Rounds(client, [np.ones(2)])
    rounds.finished(0.5, [np.full(2, 7.0)], epoch=1)
    client.status = "closed"
    with pytest.raises(SchedulerLost, match="tcp://here:1 went away after 1 finished") as lost:
        rounds.run(lambda: "never")
    np.testing.assert_array_equal(lost.value.parameters[0], [7.0, 7.0])
