"""The estimators' parameters: checked once, by scikit-learn's table, then used as Python numbers.

A NumPy scalar is a number wherever a Python number is (as in scikit-learn); a bool is
not a number. Each NumPy case is compared with the same fit given the Python number,
which must give the very same weights.
"""

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import scale
from sklearn.utils._param_validation import InvalidParameterError

from glassnet.core.optimizers import Adam, GradientDescent
from glassnet.errors import InputError
from glassnet.estimators import MLPClassifier, MLPRegressor, _stochastic

pytestmark = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.ConvergenceWarning"
)

SMALL = {"hidden_layer_sizes": (4,), "max_iter": 8, "random_state": 0}


def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return scale(X), y


NUMPY_PARAMETERS = {
    "alpha int64": {"alpha": np.int64(0)},
    "alpha float32": {"alpha": np.float32(1e-4)},
    "validation_fraction float32": {"validation_fraction": np.float32(0.5), "early_stopping": True},
    "learning_rate_init float32": {"learning_rate_init": np.float32(0.01)},
    "momentum, nesterov": {
        "solver": "sgd",
        "momentum": np.float64(0.5),
        "nesterovs_momentum": np.bool_(False),
    },
    "invscaling": {"solver": "sgd", "learning_rate": "invscaling", "power_t": np.float32(0.25)},
    "adaptive": {"solver": "gd", "learning_rate": "adaptive", "n_iter_no_change": np.int64(1)},
    "adam": {"beta_1": np.float32(0.8), "beta_2": np.float64(0.99), "epsilon": np.float32(1e-7)},
    "batches": {"batch_size": np.int32(16), "shuffle": np.bool_(False)},
    "stopping": {"max_iter": np.int64(5), "tol": np.float32(1e-2), "n_iter_no_change": np.int8(2)},
    "lbfgs": {"solver": "lbfgs", "max_fun": np.int64(50), "tol": np.float16(1e-3)},
    "sizes array": {"hidden_layer_sizes": np.array([4, 3])},
    "size scalar": {"hidden_layer_sizes": np.int64(4)},
    "seed": {"random_state": np.int64(3)},
}


@pytest.mark.parametrize("case", NUMPY_PARAMETERS)
def test_numpy_scalars_fit_exactly_as_python_numbers(case):
    X, y = iris()
    numpy_params = NUMPY_PARAMETERS[case]
    python_params = {
        name: value.tolist() if isinstance(value, np.generic | np.ndarray) else value
        for name, value in numpy_params.items()
    }
    ours = MLPClassifier(**{**SMALL, **numpy_params}).fit(X, y)
    plain = MLPClassifier(**{**SMALL, **python_params}).fit(X, y)
    assert ours.n_iter_ == plain.n_iter_
    for W, W_plain in zip(
        ours.coefs_ + ours.intercepts_, plain.coefs_ + plain.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(W, W_plain)
    assert all(ours.get_params()[name] is value for name, value in numpy_params.items())


def test_the_training_code_gets_python_numbers(monkeypatch):
    seen = {}
    real_plan, real_adam = _stochastic.plan_checked, _stochastic.Adam

    def spy_plan(network, X, Y, weights, **options):
        seen.update(options)
        return real_plan(network, X, Y, weights, **options)

    def spy_adam(*args):
        seen["adam"] = args
        return real_adam(*args)

    monkeypatch.setattr(_stochastic, "plan_checked", spy_plan)
    monkeypatch.setattr(_stochastic, "Adam", spy_adam)
    X, y = iris()
    params = {"alpha": np.int64(0), "max_iter": np.int64(3), "batch_size": np.int32(16)}
    clf = MLPClassifier((4,), learning_rate_init=np.float32(0.01), **params).fit(X, y)
    assert type(seen["alpha"]) is float and type(seen["epochs"]) is int
    assert type(seen["batch_size"]) is int and type(seen["shuffle"]) is bool
    assert [type(value) for value in seen["adam"]] == [float] * 4  # lr, beta_1, beta_2, epsilon
    assert isinstance(clf.alpha, np.int64)  # the parameter itself is kept as given


def test_grid_search_over_a_numpy_array_of_alphas():
    X, y = iris()
    search = GridSearchCV(MLPClassifier(**SMALL), {"alpha": np.array([0, 1])}, cv=3).fit(X, y)
    assert search.best_params_["alpha"] in (0, 1)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_partial_fit_takes_numpy_scalars():
    X, y = iris()
    clf = MLPClassifier((4,), alpha=np.float32(1e-4), learning_rate_init=np.float64(0.01))
    clf.partial_fit(X, y, classes=np.unique(y)).partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"alpha": True},
        {"learning_rate_init": True},
        {"max_iter": True},
        {"batch_size": False},
        {"momentum": np.bool_(False)},
        {"validation_fraction": True, "early_stopping": True},
        {"hidden_layer_sizes": True},
        {"n_iter_no_change": True},
    ],
)
def test_a_bool_is_not_a_number(params):
    X, y = iris()
    name = next(iter(params))
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of MLPClassifier"):
        MLPClassifier(**{**SMALL, **params}).fit(X, y)
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of MLPRegressor"):
        MLPRegressor(**{**SMALL, **params}).fit(X, y)


def test_hidden_layer_sizes_hold_positive_whole_numbers():
    X, y = iris()
    with pytest.raises(InputError, match="hidden_layer_sizes must hold whole numbers"):
        MLPClassifier((4, True)).fit(X, y)
    with pytest.raises(InputError, match="hidden_layer_sizes must hold whole numbers"):
        MLPClassifier((4, 2.5)).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(np.array([4, 0])).fit(X, y)


def test_bad_values_raise_sklearns_own_message():
    """The same check as scikit-learn's, so the same words for the same bad value."""
    X, y = iris()
    for params in ({"alpha": -1.0}, {"max_iter": 0}, {"epsilon": 0.0}, {"batch_size": 0}):
        with pytest.raises(InvalidParameterError) as ours:
            MLPClassifier(**params).fit(X, y)
        with pytest.raises(InvalidParameterError) as theirs:
            sk.MLPClassifier(**params).fit(X, y)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    ("solver", "kind", "momentum", "nesterov"),
    [
        ("sgd", GradientDescent, 0.9, True),
        ("gd", GradientDescent, 0.0, False),
        ("adam", Adam, None, None),
    ],
)
def test_solver_names_keep_sklearns_meaning(solver, kind, momentum, nesterov):
    """'sgd' is scikit-learn's (momentum 0.9, Nesterov), 'gd' the tutorials' plain descent."""
    X, y = iris()
    clf = MLPClassifier((4,), solver=solver, max_iter=2).fit(X, y)
    assert type(clf._optimizer) is kind
    if kind is GradientDescent:
        assert (clf._optimizer.momentum, clf._optimizer.nesterov) == (momentum, nesterov)
