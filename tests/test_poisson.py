"""Poisson regression: the exp output paired with half the Poisson deviance.

The cost is scikit-learn's ``poisson_loss`` (half the deviance, with its constant), from
the log-rates Z so it stays exact where e^z rounds to 0; its gradient is A - Y
(``tests/test_losses.py`` checks it by differences, ``tests/test_gradcheck.py`` and
``tests/test_torch_oracle.py`` through whole networks). ``MLPRegressor(loss="poisson")``
follows scikit-learn's steps to 1e-10 from the same weights.
"""

import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import mean_poisson_deviance
from sklearn.neural_network._base import poisson_loss

import glassnet.estimators as gn
from glassnet.core.losses import LOSSES, poisson_deviance
from glassnet.core.network import Network, cost, encode_targets, forward
from glassnet.errors import InputError
from glassnet.training.loop import train


def counts(n=200, seed=0):
    """X (n, 3) and Poisson counts with log-rate 0.8 x_0 - 0.5 x_1 + 0.3."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    rate = np.exp(0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3)
    return X, rng.poisson(rate).astype(float), rate


# --- the loss ------------------------------------------------------------------------------


def test_the_loss_by_hand():
    """y log(y / a) - y + a per entry, averaged over samples, summed over outputs."""
    Y = np.array([[0.0, 2.0], [3.0, 1.0]])
    Z = np.log(np.array([[1.0, 2.0], [1.0, np.e]]))  # a = e^z
    # row 1: (0 - 0 + 1) + (2 log 1 - 2 + 2) = 1
    # row 2: (3 log 3 - 3 + 1) + (1 log(1/e) - 1 + e) = 3 log 3 - 2 + e - 2
    expected = (1 + 3 * np.log(3) - 4 + np.e) / 2
    assert poisson_deviance(Y, Z) == pytest.approx(expected, rel=1e-14)


def test_the_loss_is_scikit_learns_half_poisson_deviance(rng):
    Y = rng.poisson(2.0, (30, 1)).astype(float)
    Z = rng.normal(0.5, 0.7, (30, 1))
    weights = rng.uniform(0.1, 2.0, 30)
    assert poisson_deviance(Y, Z) == pytest.approx(poisson_loss(Y, np.exp(Z)), rel=1e-13)
    assert poisson_deviance(Y, Z, weights) == pytest.approx(
        poisson_loss(Y, np.exp(Z), sample_weight=weights), rel=1e-13
    )
    half_mean = 0.5 * mean_poisson_deviance(Y[:, 0], np.exp(Z[:, 0]))
    assert poisson_deviance(Y, Z) == pytest.approx(half_mean, rel=1e-13)


def test_several_outputs_sum_as_scikit_learns_poisson_loss(rng):
    Y = rng.poisson(1.0, (12, 3)).astype(float)
    Z = rng.normal(size=(12, 3))
    assert poisson_deviance(Y, Z) == pytest.approx(poisson_loss(Y, np.exp(Z)), rel=1e-13)


def test_a_perfect_fit_costs_zero_and_a_zero_count_costs_its_rate():
    Y = np.array([[0.0], [4.0], [0.5]])
    assert poisson_deviance(Y[1:], np.log(Y[1:])) == pytest.approx(0.0, abs=1e-15)
    assert poisson_deviance(np.zeros((1, 1)), np.array([[np.log(3.0)]])) == pytest.approx(3.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_from_the_log_rate_where_the_rate_rounds_to_zero(dtype):
    """z = -800: e^z is 0 in both dtypes, so y log(y / a) would be inf; from z it is exact.

    y = 1: e^z - y z + y log y - y = 0 + 800 + 0 - 1 = 799."""
    Z = np.array([[-800.0], [-800.0]], dtype=dtype)
    Y = np.array([[1.0], [0.0]], dtype=dtype)
    assert np.exp(Z).max() == 0
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        assert poisson_deviance(Y[:1], Z[:1]) == 799.0
        assert poisson_deviance(Y[1:], Z[1:]) == 0.0


def test_the_table_pairs_the_loss_with_the_exp_output():
    assert LOSSES["poisson_deviance"].output == "exp"
    assert Network([2, 1], output="exp").loss.name == "poisson_deviance"


# --- targets and training ---------------------------------------------------------------------


def test_negative_targets_are_refused_for_an_exp_output():
    network = Network([2, 1], output="exp")
    with pytest.raises(InputError, match=r"y >= 0 .*minimum of -1"):
        encode_targets(network, [0.0, 2.0, -1.0])
    np.testing.assert_array_equal(encode_targets(network, [0, 3]), [[0.0], [3.0]])


def test_training_recovers_the_rates():
    X, y, rate = counts()
    network = Network([3, 1], output="exp", random_state=0)  # a GLM: log a = X W + b
    history = train(network, X, y, epochs=3000, learning_rate=0.1)
    assert history.metric_name == "r2"
    assert history.cost[-1] < history.cost[0]
    np.testing.assert_allclose(network.W[1][:, 0], [0.8, -0.5, 0.0], atol=0.15)
    glm = PoissonRegressor(alpha=0).fit(X, y)  # scikit-learn's GLM on the same data
    np.testing.assert_allclose(network.W[1][:, 0], glm.coef_, atol=1e-4)
    assert network.b[1][0] == pytest.approx(glm.intercept_, abs=1e-4)
    predicted = network.predict_output(X)[:, 0]
    assert np.corrcoef(predicted, rate)[0, 1] > 0.95


def test_the_cost_is_the_networks_deviance():
    X, y, _ = counts(50)
    network = Network([3, 4, 1], hidden="tanh", output="exp", random_state=1)
    trace = forward(network, X)
    expected = 0.5 * mean_poisson_deviance(y, trace.output[:, 0])
    assert cost(network, trace, encode_targets(network, y)) == pytest.approx(expected, rel=1e-12)


# --- MLPRegressor(loss="poisson") ------------------------------------------------------------


def test_mlp_regressor_poisson_follows_scikit_learn_from_the_same_weights():
    X, y, _ = counts(80)
    settings = {
        "loss": "poisson",
        "hidden_layer_sizes": (4,),
        "solver": "sgd",
        "momentum": 0,
        "batch_size": 80,
        "learning_rate_init": 0.05,
        "alpha": 1e-3,
        "shuffle": False,
        "tol": 0,
        "n_iter_no_change": 1000,  # the tol rule would compare with each one's own first fit
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = sk.MLPRegressor(max_iter=1, **settings).fit(X, y)
        ours = gn.MLPRegressor(max_iter=1, **settings).fit(X, y)
        ours.coefs_ = [W.copy() for W in theirs.coefs_]
        ours.intercepts_ = [b.copy() for b in theirs.intercepts_]
        for model in (theirs, ours):
            model.set_params(warm_start=True, max_iter=20).fit(X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    np.testing.assert_allclose(ours.loss_curve_[-20:], theirs.loss_curve_[-20:], rtol=1e-10)
    for mine, given in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(mine, given, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10)
    assert ours.loss_curve_[-1] < ours.loss_curve_[-20]


def test_mlp_regressor_poisson_refuses_negative_targets_as_scikit_learn_does():
    """scikit-learn's MLPRegressor does not check (its loss becomes NaN); its Poisson GLM
    raises this ValueError, whose message glassnet's error starts with."""
    X, y, _ = counts(20)
    y[3] = -1.0
    with pytest.raises(ValueError) as glm_error:
        PoissonRegressor().fit(X, y)
    with pytest.raises(ValueError) as ours:
        gn.MLPRegressor(loss="poisson").fit(X, y)
    assert str(ours.value).startswith(str(glm_error.value))
    assert "loss='squared_error'" in str(ours.value)  # and it says what to do
    with pytest.raises(ValueError, match="out of the valid range"):
        gn.MLPRegressor(loss="poisson", solver="sgd").partial_fit(X, y)


def test_mlp_regressor_poisson_predicts_positive_rates_and_scores_r2():
    X, y, rate = counts(300)
    model = gn.MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(8,),
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    predicted = model.predict(X)
    assert predicted.min() > 0
    assert model.score(X, y) > 0.3  # R^2 of noisy counts
    assert np.corrcoef(predicted, rate)[0, 1] > 0.9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        squared = gn.MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    assert squared.out_activation_ == "identity"


def test_poisson_with_early_stopping_scores_the_validation_part_by_r2():
    X, y, _ = counts(300)
    model = gn.MLPRegressor(
        loss="poisson", early_stopping=True, max_iter=30, learning_rate_init=0.01, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.history_.metric_name == "r2"
    assert -1 < model.best_validation_score_ <= 1
