"""Local SGD on a LocalCluster: one chunk is one process's fit, and the average is the math's.

- With one chunk, every round continues the single process's stream of batches:
  the weights, the loss curve and the optimizer's state are exactly its own.
- With two equal chunks, K = 1, plain SGD and no shuffling, averaging the two
  chunks' steps is one step on the union of their batches: the same as one
  process training on rows reordered so each batch is that union.
- The same seed gives the same model whatever worker holds which chunk.
"""

import warnings

import numpy as np
import pytest

pytest.importorskip("distributed")
from distributed import Client
from sklearn.exceptions import ConvergenceWarning

from distributed_cluster import (
    UNEQUAL_CHUNKS,
    chunked,
    classification_data,
    largest_difference,
    regression_data,
    running_client,
    start_cluster,
)
from glassnet import MLPClassifier, MLPRegressor
from glassnet.distributed import fit


@pytest.fixture(scope="module")
def client():
    """The module's two-worker LocalCluster."""
    yield from running_client()


def fitted(estimator, X, y, client=None, **options):
    """``estimator`` fitted by its own fit (``client=None``) or on the cluster."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if client is None:
            return estimator.fit(X, y, sample_weight=options.get("sample_weight"))
        return fit(estimator, X, y, client=client, **options)


def assert_identical(alone, spread):
    """The same weights, loss curve, counters and optimizer moments, to the last bit."""
    assert largest_difference(alone, spread) == 0.0
    assert spread.loss_curve_ == alone.loss_curve_
    assert (spread.n_iter_, spread.t_) == (alone.n_iter_, alone.t_)
    assert spread.history_.keys() == alone.history_.keys()
    for name, column in alone.history_.items():
        np.testing.assert_array_equal(spread.history_[name], column)  # NaN for val_cost alike
    for name in ("m", "v", "velocities"):
        for mine, theirs in zip(
            getattr(spread._optimizer, name, []), getattr(alone._optimizer, name, []), strict=True
        ):
            np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize(
    "options",
    [
        {"solver": "sgd", "momentum": 0.9, "learning_rate": "invscaling", "clip_norm": 0.5},
        {"solver": "adam", "learning_rate_init": 0.01},
        {"solver": "adamw", "learning_rate_init": 0.01, "dropout": 0.2},
    ],
    ids=["nesterov-invscaling-clipped", "adam", "adamw-dropout"],
)
def test_one_chunk_is_the_single_process_fit(client, options):
    X, y = classification_data()
    X_d, y_d = chunked(X, y, rows=[200])

    def make():
        return MLPClassifier((6,), batch_size=32, max_iter=3, random_state=7, **options)

    alone = fitted(make(), X, y)
    spread = fitted(make(), X_d, y_d, client, local_steps=3)  # 7 batches: rounds of 3, 3, 1
    assert_identical(alone, spread)


def test_one_chunk_with_sample_weights_is_the_single_process_fit(client):
    X, y = regression_data()
    weights = np.random.default_rng(3).uniform(0, 1, size=y.shape[0])
    weights[:40] = 0.0  # whole batches of weight 0 are skipped, as one process skips them
    X_d, y_d = chunked(X, y, rows=[200])
    w_d = chunked(X, weights, rows=[200])[1]

    def make():
        return MLPRegressor(
            hidden_layer_sizes=(5,), batch_size=20, max_iter=3, shuffle=False, random_state=1
        )

    alone = fitted(make(), X, y, sample_weight=weights)
    spread = fitted(make(), X_d, y_d, client, sample_weight=w_d, local_steps=4)
    assert_identical(alone, spread)


def test_averaging_one_step_per_chunk_is_a_step_on_the_union_of_their_batches(client):
    X, y = regression_data()
    half, batch = 100, 10
    # one process sees batch i of chunk 0, then batch i of chunk 1, as one batch of 20 rows
    union = np.concatenate(
        [np.r_[i : i + batch, half + i : half + i + batch] for i in range(0, half, batch)]
    )

    def make(batch_size):
        return MLPRegressor(
            hidden_layer_sizes=(5,),
            solver="sgd",
            momentum=0.0,
            alpha=0.01,
            learning_rate_init=0.05,
            batch_size=batch_size,
            shuffle=False,
            max_iter=4,
            random_state=2,
        )

    alone = fitted(make(2 * batch), X[union], y[union])
    X_d, y_d = chunked(X, y, rows=[half, half])
    spread = fitted(make(batch), X_d, y_d, client, local_steps=1)
    assert largest_difference(alone, spread) < 1e-12
    np.testing.assert_allclose(spread.loss_curve_, alone.loss_curve_, rtol=1e-12)


def test_the_same_seed_gives_the_same_model_on_any_placement(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y, rows=UNEQUAL_CHUNKS)

    def make():
        return MLPClassifier(
            (6,), solver="adam", batch_size=16, max_iter=3, learning_rate_init=0.01, random_state=11
        )

    holders = set()

    def note_holders(state):
        holders.update(worker for workers in client.who_has().values() for worker in workers)

    on_two = fitted(make(), X_d, y_d, client, local_steps=4, on_round=note_holders)
    assert len(holders) == 2  # the chunks were spread over both workers
    with start_cluster(n_workers=1) as cluster, Client(cluster) as single:
        on_one = fitted(make(), X_d, y_d, single, local_steps=4)  # every chunk on one worker
    assert_identical(on_two, on_one)
    alone = fitted(make(), X, y)
    assert largest_difference(alone, on_two) > 1e-3  # four chunks averaged: not one process


def test_local_steps_must_be_a_whole_number(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    with pytest.raises(ValueError, match="local_steps must be a whole number >= 1, got 0"):
        fit(MLPClassifier(batch_size=16), X_d, y_d, client=client, local_steps=0)


def test_rounds_say_which_one_ends_an_epoch(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y, rows=[120, 80])  # 4 and 3 batches of 32: rounds of 3 steps, then 1
    reported = []
    estimator = MLPClassifier((4,), batch_size=32, max_iter=2, random_state=0)
    fitted(estimator, X_d, y_d, client, local_steps=3, on_round=reported.append)
    assert [(state.epoch, state.epoch_end) for state in reported] == [
        (1, False),
        (1, True),
        (2, False),
        (2, True),
    ]
    assert [state.round for state in reported] == [1, 2, 3, 4]
