"""A fitted estimator's glassnet Network: built once, always the model's own arrays.

Predictions are checked against a forward pass written out here in NumPy and against
scikit-learn's own MLP given the same weights, never against glassnet's output.
"""

import pickle

import numpy as np
import pytest
import sklearn.neural_network as sk
from scipy.special import softmax
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import scale

from glassnet.core.network import Network
from glassnet.estimators import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.ConvergenceWarning"
)


def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return scale(X), y


def relu_softmax_by_hand(X, coefs, intercepts) -> np.ndarray:
    """A = softmax(relu(X W1 + b1) W2 + b2), the (8,)-hidden classifier's forward pass."""
    A1 = np.maximum(X @ coefs[0] + intercepts[0], 0)  # (n, 8)
    return softmax(A1 @ coefs[1] + intercepts[1], axis=1)  # (n, 3)


def count_networks(monkeypatch) -> list[str]:
    """Record every Network built from now on, by __init__ (random) or from_weights."""
    built: list[str] = []
    init, from_weights = Network.__init__, Network.from_weights.__func__

    def counting_init(self, *args, **kwargs):
        built.append("random")
        init(self, *args, **kwargs)

    def counting_from_weights(cls, *args, **kwargs):
        built.append("from_weights")
        return from_weights(cls, *args, **kwargs)

    monkeypatch.setattr(Network, "__init__", counting_init)
    monkeypatch.setattr(Network, "from_weights", classmethod(counting_from_weights))
    return built


def test_repeated_predicts_build_no_network_and_agree(monkeypatch):
    X, y = iris()
    clf = MLPClassifier((8,), max_iter=30, random_state=0).fit(X, y)
    built = count_networks(monkeypatch)
    first = clf.predict_proba(X[:1])
    for _ in range(5):
        np.testing.assert_array_equal(clf.predict_proba(X[:1]), first)
        clf.predict(X)
    assert built == []  # before: one random Network per call, its weights then overwritten
    np.testing.assert_allclose(
        clf.predict_proba(X), relu_softmax_by_hand(X, clf.coefs_, clf.intercepts_), rtol=1e-12
    )


def test_network_shares_the_fitted_arrays_and_is_built_once():
    X, y = iris()
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    network = clf.network_
    assert clf.network_ is network
    assert all(network.W[l] is W for l, W in enumerate(clf.coefs_, start=1))
    assert all(network.b[l] is b for l, b in enumerate(clf.intercepts_, start=1))
    clf.fit(X, y)  # a cold fit draws a new network
    assert clf.network_ is not network and clf.network_.W[1] is clf.coefs_[0]


def test_assigning_coefs_changes_predictions(monkeypatch):
    X, y = iris()
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    rng = np.random.default_rng(1)
    coefs = [rng.normal(size=W.shape) for W in clf.coefs_]
    intercepts = [rng.normal(size=b.shape) for b in clf.intercepts_]
    built = count_networks(monkeypatch)
    clf.coefs_, clf.intercepts_ = coefs, intercepts
    after = clf.predict_proba(X)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, relu_softmax_by_hand(X, coefs, intercepts), rtol=1e-12)
    assert built == ["from_weights"]  # rebuilt once from the new arrays, no random draw
    assert clf.network_.W[1] is coefs[0]
    clf.coefs_[1] = np.zeros_like(coefs[1])  # one array replaced inside the list
    clf.intercepts_[1] = np.zeros_like(intercepts[1])
    np.testing.assert_allclose(clf.predict_proba(X), 1 / 3, rtol=1e-12)  # softmax(0) = 1/k
    clf.coefs_[1][:, 0] = 5.0  # changed in place: the shared network sees it, no rebuild
    np.testing.assert_allclose(
        clf.predict_proba(X), relu_softmax_by_hand(X, clf.coefs_, clf.intercepts_), rtol=1e-12
    )
    assert built == ["from_weights", "from_weights"]


def test_predictions_follow_sklearn_given_its_weights_and_activation():
    X, y = iris()
    theirs = sk.MLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    ours = MLPClassifier((8,), max_iter=1, random_state=0).fit(X, y)
    ours.coefs_ = [W.copy() for W in theirs.coefs_]
    ours.intercepts_ = [b.copy() for b in theirs.intercepts_]
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    for model in (ours, theirs):  # scikit-learn reads activation at predict time, too
        model.set_params(activation="tanh")
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)


def test_warm_start_from_assigned_fortran_arrays_trains_coefs_():
    X, y = iris()
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X, y)
    reg.coefs_ = [np.asfortranarray(W) for W in reg.coefs_]  # the network must copy these
    start = [W.copy() for W in reg.coefs_]
    reg.set_params(warm_start=True, max_iter=5).fit(X, y)
    assert not np.allclose(reg.coefs_[0], start[0])  # training moved coefs_, not a copy
    assert reg.network_.W[1] is reg.coefs_[0]
    A1 = np.maximum(X @ reg.coefs_[0] + reg.intercepts_[0], 0)
    np.testing.assert_allclose(reg.predict(X), (A1 @ reg.coefs_[1] + reg.intercepts_[1])[:, 0])


def test_a_pickled_model_still_shares_its_arrays():
    X, y = iris()
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.network_.W[1] is copy.coefs_[0]
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
