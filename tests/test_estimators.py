"""glassnet.estimators against scikit-learn itself: same numbers, same contract, same errors.

The parity tests give both libraries the same initial weights (through
``warm_start``) and full batches, so nothing random is left: every loss and every
weight must then agree to rounding error.
"""

import pickle
import warnings

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, scale
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_sample_weight

import glassnet
from glassnet.errors import DivergenceError
from glassnet.estimators import _multilayer_perceptron as gn
from glassnet.estimators._lbfgs import objective

pytestmark = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.ConvergenceWarning"
)


def binary() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    return scale(X[:80]), y[:80]


def multiclass() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return scale(X[::2]), y[::2]


def regression() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_diabetes(return_X_y=True)
    return scale(X[:80]), scale(y[:80])


def two_targets() -> tuple[np.ndarray, np.ndarray]:
    X, y = regression()
    return X, np.column_stack([y, X[:, 0] * y])


DATA = {"binary": binary, "multiclass": multiclass, "regression": regression}


def pair(kind: str, **params):
    """The scikit-learn estimator and glassnet's, built with the same parameters."""
    name = "MLPRegressor" if kind in ("regression", "two_targets") else "MLPClassifier"
    return getattr(sk, name)(**params), getattr(gn, name)(**params)


def fit_from_the_same_start(sk_est, gn_est, X, y, **params) -> None:
    """Fit both from identical initial weights: build each with one epoch, then warm-start.

    The one-epoch fit also filled the stopping bookkeeping; reset it on both.
    """
    for est in (sk_est, gn_est):
        est.set_params(max_iter=1).fit(X, y)
    rng = np.random.default_rng(0)
    coefs = [rng.uniform(-0.5, 0.5, W.shape) for W in sk_est.coefs_]
    intercepts = [rng.uniform(-0.5, 0.5, b.shape) for b in sk_est.intercepts_]
    for est in (sk_est, gn_est):
        est.coefs_ = [W.copy() for W in coefs]
        est.intercepts_ = [b.copy() for b in intercepts]
        est.loss_curve_, est.best_loss_, est._no_improvement_count, est.t_ = [], np.inf, 0, 0
        est.set_params(warm_start=True, **params).fit(X, y)


def assert_same_weights(sk_est, gn_est, atol: float = 1e-10) -> None:
    for ours, theirs in zip(
        gn_est.coefs_ + gn_est.intercepts_, sk_est.coefs_ + sk_est.intercepts_, strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)


FULL_BATCH = {"hidden_layer_sizes": (4,), "shuffle": False, "random_state": 0}
TUTORIAL_SGD = {"solver": "sgd", "momentum": 0, "learning_rate_init": 0.1, "alpha": 0, "tol": 0}


@pytest.mark.parametrize("kind", ["binary", "regression", "multiclass"])
def test_plain_sgd_matches_sklearn_loss_by_loss_and_weight_by_weight(kind):
    X, y = DATA[kind]()
    sk_est, gn_est = pair(kind, batch_size=len(X), **FULL_BATCH)
    fit_from_the_same_start(sk_est, gn_est, X, y, max_iter=5, **TUTORIAL_SGD)
    assert gn_est.n_iter_ == sk_est.n_iter_ == 5
    np.testing.assert_allclose(gn_est.loss_curve_, sk_est.loss_curve_, rtol=0, atol=1e-10)
    assert_same_weights(sk_est, gn_est)


SKLEARN_RULES = {
    "nesterov, L2 and the tol rule": {
        "solver": "sgd",
        "activation": "tanh",
        "learning_rate_init": 0.05,
        "alpha": 1e-2,
        "max_iter": 200,
        "tol": 1e-3,
        "n_iter_no_change": 3,
    },
    "adaptive": {
        "solver": "sgd",
        "learning_rate": "adaptive",
        "learning_rate_init": 0.05,
        "max_iter": 300,
        "tol": 1e-3,
        "n_iter_no_change": 2,
    },
    "invscaling": {
        "solver": "sgd",
        "learning_rate": "invscaling",
        "power_t": 0.25,
        "learning_rate_init": 0.1,
        "max_iter": 100,
    },
    "lbfgs": {"solver": "lbfgs", "activation": "logistic", "max_iter": 15},
}


@pytest.mark.parametrize("rules", SKLEARN_RULES)
@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_schedules_stopping_and_lbfgs_match_sklearn(kind, rules):
    X, y = DATA[kind]()
    sk_est, gn_est = pair(kind, batch_size=len(X), **FULL_BATCH)
    fit_from_the_same_start(sk_est, gn_est, X, y, **SKLEARN_RULES[rules])
    assert gn_est.n_iter_ == sk_est.n_iter_  # stopped at the same epoch
    np.testing.assert_allclose(gn_est.loss_, sk_est.loss_, rtol=1e-9)
    if rules != "lbfgs":
        np.testing.assert_allclose(gn_est.loss_curve_, sk_est.loss_curve_, rtol=0, atol=1e-10)
    assert_same_weights(sk_est, gn_est, atol=1e-8)


def test_adam_differs_from_sklearn_only_by_where_epsilon_enters():
    X, y = binary()
    adam = {"solver": "adam", "learning_rate_init": 0.01, "max_iter": 30}
    sk_est, gn_est = pair("binary", batch_size=len(X), **FULL_BATCH)
    fit_from_the_same_start(sk_est, gn_est, X, y, epsilon=1e-30, **adam)
    assert_same_weights(sk_est, gn_est)  # epsilon too small to matter: identical
    sk_est, gn_est = pair("binary", batch_size=len(X), **FULL_BATCH)
    fit_from_the_same_start(sk_est, gn_est, X, y, **adam)
    gap = max(np.abs(a - b).max() for a, b in zip(gn_est.coefs_, sk_est.coefs_, strict=True))
    assert 0 < gap < 1e-3


def test_several_outputs_same_gradient_but_sklearn_reports_loss_over_k():
    X, Y = two_targets()
    sk_est, gn_est = pair("two_targets", batch_size=len(X), **FULL_BATCH)
    fit_from_the_same_start(sk_est, gn_est, X, Y, max_iter=5, **TUTORIAL_SGD)
    assert_same_weights(sk_est, gn_est)
    np.testing.assert_allclose(gn_est.loss_curve_, 2 * np.array(sk_est.loss_curve_), rtol=1e-12)


def iris_script(MLPClassifier) -> tuple[float, float, dict]:
    """A scikit-learn script in which only the import of MLPClassifier changes."""
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(
        StandardScaler(), MLPClassifier((8,), learning_rate_init=0.02, random_state=0)
    )
    search = GridSearchCV(model, {"mlpclassifier__alpha": [1e-4, 1e-2]}, cv=3, n_jobs=2)
    search.fit(X, y)
    scores = cross_val_score(model, X, y, cv=3)
    return search.best_score_, scores.mean(), search.best_params_


def test_swapping_the_import_keeps_a_sklearn_script_working():
    ours = iris_script(gn.MLPClassifier)
    theirs = iris_script(sk.MLPClassifier)
    assert ours[0] > 0.9 and ours[1] > 0.9
    assert abs(ours[1] - theirs[1]) < 0.05
    assert set(ours[2]) == set(theirs[2])


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_predict_proba_rows_are_distributions_in_classes_order(kind):
    X, y = DATA[kind]()
    clf = gn.MLPClassifier((5,), learning_rate_init=0.05, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


def test_string_labels_round_trip():
    X, y = multiclass()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = gn.MLPClassifier((5,), learning_rate_init=0.05, random_state=0).fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    assert set(clf.predict(X)) <= set(names)
    assert clf.score(X, names) > 0.9
    assert clf.out_activation_ == "softmax"


def test_targets_choose_the_output_layer():
    X, y = multiclass()
    two = gn.MLPClassifier((3,), max_iter=5, random_state=0).fit(X, y == 1)
    assert (two.out_activation_, two.n_outputs_, two.network_.output) == ("logistic", 1, "sigmoid")
    labels = np.column_stack([y == 0, y == 1, X[:, 0] > 0]).astype(int)
    multi = gn.MLPClassifier((3,), max_iter=5, random_state=0).fit(X, labels)
    assert (multi.out_activation_, multi.n_outputs_) == ("logistic", 3)
    assert multi.predict(X).shape == multi.predict_proba(X).shape == (len(X), 3)
    reg = gn.MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    assert reg.fit(X, X[:, 0]).predict(X).shape == (len(X),)
    assert reg.fit(X, X[:, :2]).predict(X).shape == (len(X), 2)
    with pytest.warns(DataConversionWarning):
        assert reg.fit(X, X[:, :1]).predict(X).shape == (len(X),)


def test_fitted_attributes_have_sklearns_shapes():
    X, y = multiclass()
    kwargs = {"hidden_layer_sizes": (6, 5), "max_iter": 20, "random_state": 0}
    ours = gn.MLPClassifier(**kwargs).fit(X, y)
    theirs = sk.MLPClassifier(**kwargs).fit(X, y)
    assert [W.shape for W in ours.coefs_] == [W.shape for W in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_features_in_", "n_iter_", "t_"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert len(ours.loss_curve_) == ours.n_iter_ == len(ours.history_)
    assert ours.best_loss_ == min(ours.loss_curve_)
    assert ours.validation_scores_ is ours.best_validation_score_ is None
    assert ours.network_.W[1] is ours.coefs_[0]  # the Network shares the arrays


def test_partial_fit_needs_classes_first_and_keeps_them():
    X, y = multiclass()
    clf = gn.MLPClassifier((5,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"`y` has classes not in `self\.classes_`"):
        gn.MLPClassifier((5,)).partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.n_outputs_ == 3 and clf.t_ == np.sum(y < 2)
    clf.partial_fit(X, y)
    assert len(clf.loss_curve_) == 2 and clf._optimizer.t == 2  # one full-batch step each
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_partial_fit_refuses_lbfgs_early_stopping_and_balanced_weights():
    X, y = binary()
    lbfgs = gn.MLPClassifier(solver="lbfgs")
    assert not hasattr(lbfgs, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as raised:
        lbfgs.partial_fit(X, y, classes=[0, 1])
    assert "lbfgs is not stochastic: use fit" in str(raised.value.__cause__)  # shown in the trace
    with pytest.raises(ValueError, match="early_stopping"):
        gn.MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        gn.MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])
    assert hasattr(gn.MLPRegressor(solver="gd"), "partial_fit")


def test_class_weight_is_a_sample_weight_per_class():
    X, y = binary()
    y = y.copy()
    y[:60] = 0  # unbalanced: 60+ zeros
    params = {"hidden_layer_sizes": (4,), "max_iter": 30, "random_state": 0}
    plain = gn.MLPClassifier(**params).fit(X, y)
    balanced = gn.MLPClassifier(class_weight="balanced", **params).fit(X, y)
    by_hand = gn.MLPClassifier(**params).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y)
    )
    assert not np.allclose(plain.coefs_[0], balanced.coefs_[0])
    np.testing.assert_allclose(balanced.coefs_[0], by_hand.coefs_[0], rtol=1e-12)
    favour_one = gn.MLPClassifier(class_weight={0: 1, 1: 10}, **params).fit(X, y)
    assert favour_one.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_callbacks_see_every_epoch_and_can_stop():
    class Recorder(glassnet.Callback):
        def __init__(self):
            self.epochs = []

        def on_epoch_end(self, state):
            self.epochs.append(state.epoch)
            if state.epoch == 6:
                state.request_stop("enough")

    X, y = binary()
    recorder = Recorder()
    clf = gn.MLPClassifier((4,), max_iter=50, callbacks=[recorder]).fit(X, y)
    assert recorder.epochs == list(range(7)) and clf.n_iter_ == 7
    assert clf.history_.stop_reason == "enough"
    with pytest.raises(ValueError, match="lbfgs"):
        gn.MLPClassifier(solver="lbfgs", callbacks=[Recorder()]).fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_float32_stays_float32(solver):
    X, y = binary()
    X32 = X.astype(np.float32)
    clf = gn.MLPClassifier((4,), solver=solver, max_iter=20, random_state=0).fit(X32, y)
    assert {W.dtype for W in clf.coefs_ + clf.intercepts_} == {np.dtype(np.float32)}
    assert clf.predict_proba(X32).dtype == np.float32
    reg = gn.MLPRegressor(hidden_layer_sizes=(4,), solver=solver, max_iter=20).fit(X32, X[:, 0])
    assert reg.predict(X32).dtype == np.float32
    assert np.isfinite(clf.loss_) and np.isfinite(reg.loss_)


def test_pickle_round_trip_predicts_identically_and_keeps_training():
    X, y = multiclass()
    clf = gn.MLPClassifier((5,), max_iter=20, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    clf.partial_fit(X, y)
    copy.partial_fit(X, y)  # the Adam moments travelled too
    np.testing.assert_array_equal(copy.coefs_[0], clf.coefs_[0])


def test_lbfgs_gradient_is_glassnets_and_matches_finite_differences():
    X, y = multiclass()
    clf = gn.MLPClassifier((3,), activation="tanh", solver="lbfgs", max_iter=1, random_state=0)
    clf.fit(X[:10], y[:10])
    network = clf.network_
    Y = glassnet.encode_targets(network, y[:10])
    cost_and_gradient, theta = objective(network, X[:10], Y, None, l2=0.1)
    _, gradient = cost_and_gradient(theta)
    h = 1e-6
    numeric = np.array(
        [
            (cost_and_gradient(theta + h * e)[0] - cost_and_gradient(theta - h * e)[0]) / (2 * h)
            for e in np.eye(theta.size)
        ]
    )
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-9)


def test_lbfgs_reaches_a_low_loss():
    X, y = multiclass()
    clf = gn.MLPClassifier((8,), solver="lbfgs", alpha=0, max_iter=500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converges within max_iter
        clf.fit(X, y)
    assert clf.loss_ < 1e-3 and clf.score(X, y) == 1.0
    assert clf.loss_curve_[-1] == pytest.approx(clf.loss_)


def test_max_iter_warns_like_sklearn_and_tol_stops_quietly():
    X, y = binary()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        gn.MLPClassifier((4,), max_iter=3).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        gn.MLPClassifier((4,), solver="lbfgs", max_iter=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = gn.MLPClassifier((4,), tol=0.5, n_iter_no_change=2, max_iter=100).fit(X, y)
    # the first epoch sets best_loss_, then 3 epochs without improvement: 3 > n_iter_no_change
    assert clf.n_iter_ == 4 == sk.MLPClassifier((4,), tol=0.5, n_iter_no_change=2).fit(X, y).n_iter_
    assert "did not improve more than tol" in clf.history_.stop_reason


def test_early_stopping_records_validation_curves_and_keeps_the_best():
    X, y = load_breast_cancer(return_X_y=True)
    clf = gn.MLPClassifier(
        (5,), early_stopping=True, learning_rate_init=0.05, n_iter_no_change=3, random_state=0
    ).fit(scale(X), y)
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None and clf.n_iter_ < 200


def test_solver_gd_takes_one_full_batch_step_per_epoch():
    X, y = load_breast_cancer(return_X_y=True)  # 569 rows: 'auto' would use batches of 200
    clf = gn.MLPClassifier((4,), solver="gd", learning_rate_init=0.5, max_iter=40)
    clf.fit(scale(X), y)
    assert clf._optimizer.t == clf.n_iter_ == 40
    assert clf.score(scale(X), y) > 0.95


def test_per_layer_activations_and_init():
    X, y = binary()
    clf = gn.MLPClassifier((4, 3), activation=["relu", "logistic"], max_iter=2).fit(X, y)
    assert clf.network_.hidden == ["relu", "sigmoid"]
    with pytest.raises(ValueError, match="one name per hidden layer"):
        gn.MLPClassifier((4, 3), activation=["relu"]).fit(X, y)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        gn.MLPClassifier((4,), activation=["swish"]).fit(X, y)
    small = gn.MLPClassifier((50,), init="small", max_iter=1, learning_rate_init=1e-9).fit(X, y)
    he = gn.MLPClassifier((50,), init="he", max_iter=1, learning_rate_init=1e-9).fit(X, y)
    assert np.abs(small.coefs_[0]).max() < 0.1 < np.abs(he.coefs_[0]).max()


def test_warm_start_continues_and_a_cold_fit_starts_over():
    X, y = binary()
    clf = gn.MLPClassifier((4,), max_iter=10, random_state=0, warm_start=True).fit(X, y)
    first = clf.loss_curve_[-1]
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 20 and clf.loss_curve_[10] < first
    clf.set_params(warm_start=False).fit(X, y)
    assert len(clf.loss_curve_) == 10


def test_verbose_prints_sklearns_lines(capsys):
    X, y = binary()
    gn.MLPClassifier((4,), max_iter=2, verbose=True).fit(X, y)
    assert "Iteration 2, loss = " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("params", "X_change", "error", "match"),
    [
        ({}, lambda X: np.where(X > 1, np.nan, X), ValueError, "Input X contains NaN"),
        ({}, lambda X: X + 1j, ValueError, "Complex data not supported"),
        ({}, lambda X: X[:0], ValueError, "0 sample"),
        ({"solver": "newton"}, None, InvalidParameterError, "'solver' parameter"),
        ({"hidden_layer_sizes": (3, 0)}, None, ValueError, "hidden_layer_sizes must be > 0"),
        ({"momentum": 1.0}, None, InvalidParameterError, "'momentum' parameter"),
    ],
)
def test_bad_input_raises_sklearns_errors(params, X_change, error, match):
    X, y = binary()
    with pytest.raises(error, match=match):
        gn.MLPClassifier(max_iter=2, **params).fit(X if X_change is None else X_change(X), y)


def test_bad_targets_weights_and_calls():
    X, y = binary()
    with pytest.raises(ValueError, match="Unknown label type"):
        gn.MLPClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero"):
        gn.MLPClassifier().fit(X, y, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        gn.MLPClassifier().fit(X, y, sample_weight=-np.ones(len(X)))
    with pytest.raises(NotFittedError):
        gn.MLPClassifier().predict(X)
    clf = gn.MLPClassifier((3,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 29 features, but MLPClassifier is expecting 30"):
        clf.predict(X[:, 1:])


def test_divergence_raises_glassnets_error():
    X, y = load_diabetes(return_X_y=True)
    reg = gn.MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=50)
    with pytest.raises(DivergenceError, match="diverged"), np.errstate(all="ignore"):
        reg.fit(X * 1000, y)
