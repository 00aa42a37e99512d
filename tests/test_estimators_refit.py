"""The estimators keep no weights that disagree with their parameters, and count missing labels."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import MLPClassifier, MLPRegressor

X = np.random.default_rng(0).normal(size=(40, 3))
y = (X[:, 0] > 0).astype(int)


def test_warm_start_after_new_hidden_sizes_refits_from_scratch_with_a_warning(tmp_path):
    clf = MLPClassifier(hidden_layer_sizes=(4,), warm_start=True, max_iter=5, random_state=0)
    clf.fit(X, y)
    clf.set_params(hidden_layer_sizes=(6, 2))
    with pytest.warns(UserWarning, match=r"the fitted network has \(4,\).*new weights"):
        clf.fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(3, 6), (6, 2), (2, 1)]
    assert clf.n_iter_ == 5  # counted afresh, not 10
    gn.save(clf, tmp_path / "clf.npz")  # the parameters and the weights agree
    assert [W.shape for W in gn.load(tmp_path / "clf.npz").coefs_] == [(3, 6), (6, 2), (2, 1)]


def test_partial_fit_after_new_hidden_sizes_refuses():
    reg = MLPRegressor(hidden_layer_sizes=(4,), random_state=0).partial_fit(X, X[:, 0])
    reg.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match=r"partial_fit continues the fitted network"):
        reg.partial_fit(X, X[:, 0])
    assert reg.coefs_[0].shape == (3, 4)


@pytest.mark.parametrize(
    "labels",
    [
        ["a", None, "b", None] * 10,
        [1.0, np.nan, 0.0, np.nan] * 10,
        np.array(["a", np.nan, "b", np.nan] * 10, dtype=object),
    ],
)
def test_missing_labels_are_named_and_counted(labels):
    with pytest.raises(ValueError, match=r"The target has 20 missing value\(s\) \(None or NaN\)"):
        MLPClassifier(max_iter=2).fit(X, labels)


def test_a_regression_target_with_nan_says_how_many():
    target = X[:, 0].copy()
    target[:3] = np.nan
    with pytest.raises(ValueError, match=r"Input y contains NaN. The target has 3 missing"):
        MLPRegressor(max_iter=2).fit(X, target)
