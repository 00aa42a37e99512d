"""The estimators check X once: scikit-learn's ``validate_data`` in ``fit``, never glassnet's
``check_X`` again below it (``docs/architecture.md``: checked once, where data enters)."""

import sys
import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import glassnet
from glassnet import validation
from glassnet.estimators import MLPClassifier, MLPRegressor


@pytest.fixture
def check_X_calls(monkeypatch):
    """The calls to ``glassnet.validation.check_X``, from every module that holds the name."""
    calls = []
    real = validation.check_X

    def counted(*args, **kwargs):
        calls.append(kwargs.get("name", "X"))
        return real(*args, **kwargs)

    for module in list(sys.modules.values()):
        if module.__name__.startswith("glassnet") and getattr(module, "check_X", None) is real:
            monkeypatch.setattr(module, "check_X", counted)
    return calls


def test_the_counter_sees_glassnet_trains_check(check_X_calls):
    X, y = load_iris(return_X_y=True)
    network = glassnet.Network([4, 3, 3], output="softmax", random_state=0)
    glassnet.train(network, X, y, epochs=1, validation=(X[:10], y[:10]))
    assert check_X_calls == ["X", "X_val"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier((4,), max_iter=3, random_state=0),
        lambda: MLPClassifier((4,), max_iter=3, early_stopping=True, random_state=0),
        lambda: MLPClassifier((4,), solver="gd", max_iter=3, random_state=0),
        lambda: MLPClassifier((4,), solver="lbfgs", max_iter=3, random_state=0),
        lambda: MLPRegressor(
            hidden_layer_sizes=(4,), max_iter=3, dropout=0.1, clip_norm=1.0, random_state=0
        ),
    ],
    ids=["adam", "early-stopping", "gd", "lbfgs", "regressor-dropout-clipped"],
)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_fit_checks_X_once(check_X_calls, make, sparse):
    X, y = load_iris(return_X_y=True)
    X = scipy.sparse.csr_matrix(X) if sparse else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator = make().fit(X, y)
    assert check_X_calls == []
    assert estimator.n_iter_ >= 1 and len(estimator.loss_curve_) == estimator.n_iter_


def test_partial_fit_checks_X_once(check_X_calls):
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier((4,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X, y)
    assert check_X_calls == []
    assert len(clf.loss_curve_) == 2


def test_early_stopping_refuses_a_training_part_without_weight():
    X, y = load_iris(return_X_y=True)
    weights = np.zeros(150)
    weights[0] = 1.0  # one weighted row: the split holds it out (random_state=1)
    clf = MLPClassifier((4,), early_stopping=True, validation_fraction=0.5, random_state=1)
    with pytest.raises(glassnet.InputError, match="training part's weights sum to 0"):
        clf.fit(X, y, sample_weight=weights)
