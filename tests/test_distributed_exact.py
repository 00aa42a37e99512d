"""Exact full-batch training on a LocalCluster equals one process's fit, to 1e-10 in float64.

Every test fits the same estimator twice from the same seed: once with its own
``fit`` on NumPy arrays (the oracle), once with ``glassnet.distributed.fit`` on
the same rows split into chunks of unequal size, and compares the weights, the
loss curve and the fitted attributes.
"""

import warnings

import numpy as np
import pytest

pytest.importorskip("distributed")
from sklearn.exceptions import ConvergenceWarning

from distributed_cluster import (
    chunked,
    classification_data,
    largest_difference,
    regression_data,
    running_client,
)
from glassnet import MLPClassifier, MLPRegressor
from glassnet.distributed import fit

EXACT = 1e-10


@pytest.fixture(scope="module")
def client():
    """The module's two-worker LocalCluster."""
    yield from running_client()


def both_fits(make, X, y, client, sample_weight=None, **options):
    """The estimator fitted by its own fit and by distributed.fit (unequal chunks)."""
    X_d, y_d = chunked(X, y)
    weights_d = None if sample_weight is None else chunked(X, sample_weight)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        alone = make().fit(X, y, sample_weight=sample_weight)
        spread = fit(make(), X_d, y_d, client=client, sample_weight=weights_d, **options)
    return alone, spread


def assert_same_fit(alone, spread):
    assert largest_difference(alone, spread) < EXACT
    assert spread.n_iter_ == alone.n_iter_
    np.testing.assert_allclose(spread.loss_curve_, alone.loss_curve_, rtol=0, atol=EXACT)
    assert spread.loss_ == pytest.approx(alone.loss_, abs=EXACT)
    assert spread.n_features_in_ == alone.n_features_in_


def test_gradient_descent_equals_one_process(client):
    X, y = classification_data()

    def make():
        return MLPClassifier(
            (6,), solver="gd", learning_rate_init=0.3, alpha=1e-2, max_iter=30, random_state=0
        )

    alone, spread = both_fits(make, X, y, client)
    assert_same_fit(alone, spread)
    np.testing.assert_array_equal(spread.classes_, alone.classes_)
    np.testing.assert_array_equal(spread.predict(X), alone.predict(X))
    assert spread.history_["cost"] == pytest.approx(alone.history_["cost"], abs=EXACT)


def test_lbfgs_equals_one_process_with_sample_weights(client):
    X, y = regression_data()
    weights = np.random.default_rng(2).uniform(0.0, 2.0, size=y.shape[0])

    def make():
        return MLPRegressor(
            hidden_layer_sizes=(5,), solver="lbfgs", alpha=1e-3, max_iter=30, random_state=1
        )

    alone, spread = both_fits(make, X, y, client, sample_weight=weights)
    assert_same_fit(alone, spread)
    np.testing.assert_allclose(spread.predict(X), alone.predict(X), rtol=0, atol=EXACT)


def test_lbfgs_classifier_with_text_labels(client):
    X, codes = classification_data(n_classes=2)
    y = np.array(["no", "yes"])[codes]

    def make():
        return MLPClassifier((4,), solver="lbfgs", max_iter=25, random_state=3)

    alone, spread = both_fits(make, X, y, client)
    assert_same_fit(alone, spread)
    np.testing.assert_array_equal(spread.classes_, ["no", "yes"])
    np.testing.assert_array_equal(spread.predict(X), alone.predict(X))


@pytest.mark.parametrize(
    "options",
    [
        {"solver": "sgd", "momentum": 0.8, "learning_rate": "invscaling", "power_t": 0.3},
        {"solver": "adam", "learning_rate_init": 0.02},
    ],
    ids=["nesterov-invscaling", "adam"],
)
def test_a_batch_of_every_row_is_exact_for_every_optimizer(client, options):
    X, y = classification_data()

    def make():
        return MLPClassifier((5,), batch_size=500, max_iter=25, random_state=2, **options)

    with pytest.warns(UserWarning, match="batch_size=500 is larger than the 200"):
        alone, spread = both_fits(make, X, y, client)
    assert_same_fit(alone, spread)
    assert spread.t_ == alone.t_


def test_on_round_reports_every_iteration_and_a_resumed_fit_continues(client):
    X, y = classification_data()
    X_d, y_d = chunked(X, y)
    reported = []

    def make(max_iter):
        return MLPClassifier(
            (6,), solver="gd", learning_rate_init=0.3, max_iter=max_iter, tol=0.0, random_state=5
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        alone = make(20).fit(X, y)
        fit(make(10), X_d, y_d, client=client, on_round=reported.append)
        resumed = fit(make(10), X_d, y_d, client=client, parameters=reported[-1].parameters)
    assert [state.round for state in reported] == list(range(1, 11))
    assert [state.cost for state in reported] == pytest.approx(alone.loss_curve_[:10], abs=EXACT)
    assert largest_difference(alone, resumed) < EXACT
    assert resumed.loss_curve_ == pytest.approx(alone.loss_curve_[10:], abs=EXACT)


def test_warm_start_continues_from_the_fitted_weights(client):
    X, y = regression_data()
    X_d, y_d = chunked(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        alone = MLPRegressor(
            hidden_layer_sizes=(4,), solver="gd", max_iter=16, tol=0.0, random_state=0
        ).fit(X, y)
        spread = MLPRegressor(
            hidden_layer_sizes=(4,), solver="gd", max_iter=8, tol=0.0, random_state=0
        )
        fit(spread, X_d, y_d, client=client)
        spread.set_params(warm_start=True)
        fit(spread, X_d, y_d, client=client)
    assert largest_difference(alone, spread) < EXACT
    assert spread.loss_curve_ == pytest.approx(alone.loss_curve_, abs=EXACT)
