"""TabularClassifier and TabularRegressor: scikit-learn's checks, raw DataFrames, model files.

The estimators run the tabular recipe (``glassnet train --recipe tabular``) on what a
practitioner has: a DataFrame with text columns and missing cells. Each check below
could fail: the recipe's choices are read back from the fitted attributes, a file's
predictions are compared bit for bit, and the CLI's run on the same rows as a CSV must
give the same network.
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import glassnet
from glassnet import TabularClassifier, TabularRegressor
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 60, "random_state": 0}

RNG = np.random.default_rng(0)
N = 400
X1, X2 = RNG.normal(size=N).round(3), RNG.normal(size=N).round(3)
COLOUR = np.where(X1 + RNG.normal(scale=0.3, size=N) > 0, "red", "blue").astype(object)
COLOUR[RNG.random(N) < 0.05] = None  # missing text cells
TABLE = pd.DataFrame(
    {
        "x1": X1,
        "x2": np.where(RNG.random(N) < 0.05, np.nan, X2),  # missing numbers
        "colour": COLOUR,
    }
)
LABELS = np.where(np.sin(2 * X1) + X2 > 0, "yes", "no")


@parametrize_with_checks(
    [TabularClassifier(**SMALL), TabularRegressor(**SMALL)],
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_a_dataframe_with_text_and_missing_cells_trains_as_is():
    model = TabularClassifier(random_state=0).fit(TABLE[:300], LABELS[:300])
    assert model.numeric_columns_ == ["x1", "x2"] and model.categorical_columns_ == ["colour"]
    assert list(model.feature_names_in_) == ["x1", "x2", "colour"] and model.n_features_in_ == 3
    assert list(model.classes_) == ["no", "yes"]
    assert model.score(TABLE[300:], LABELS[300:]) > 0.8  # held-out rows, missing cells in them
    proba = model.predict_proba(TABLE[300:])
    assert proba.shape == (100, 2) and np.allclose(proba.sum(axis=1), 1)


def test_the_recipes_choices_are_fitted_attributes_and_a_given_parameter_wins():
    model = TabularClassifier(dropout=0.3, random_state=0).fit(TABLE, LABELS)
    recipe, reasons = model.recipe_, model.recipe_reasons_
    assert recipe["hidden"] == (64, 64) and recipe["scaling"] == "robust"  # 400 rows
    assert recipe["optimizer"] == "adamw" and recipe["beta2"] == 0.95
    assert recipe["label_smoothing"] == 0.1 and recipe["validation"] == 0.2
    assert recipe["embedding"] == 8 and model.network_.embedding is not None
    assert recipe["dropout"] == 0.3 and reasons["dropout"] == "given"
    assert "400 training rows" in reasons["weight_decay"]
    assert model.best_epoch_ is not None and model.best_epoch_ < model.n_iter_
    regressor = TabularRegressor(embedding=0, random_state=0).fit(TABLE, X1)
    assert regressor.recipe_["label_smoothing"] == 0.0 and regressor.network_.embedding is None


def test_the_estimator_trains_the_network_glassnet_train_trains(tmp_path):
    """The same rows as a CSV, with --test-size 0: the same recipe, the same weights."""
    estimator = TabularClassifier(random_state=3).fit(TABLE, LABELS)
    path = tmp_path / "table.csv"
    TABLE.assign(label=LABELS).to_csv(path, index=False)
    config = RunConfig(data=str(path), target="label", test_size=0.0, seed=3, recipe="tabular")
    network = run_training(config).network
    assert network.layer_sizes == estimator.network_.layer_sizes
    for l in network.W:
        np.testing.assert_allclose(network.W[l], estimator.network_.W[l], rtol=1e-9, atol=1e-12)


def test_a_plain_array_of_numbers_with_nan_trains_and_names_no_columns():
    X = TABLE[["x1", "x2"]].to_numpy()
    model = TabularRegressor(**SMALL).fit(X, 2 * X1)
    assert not hasattr(model, "feature_names_in_") and model.numeric_columns_ == ["x0", "x1"]
    assert model.score(X, 2 * X1) > 0.9
    with pytest.raises(ValueError, match="X has 1 features"):
        model.predict(X[:, :1])


def test_a_numeric_cell_that_is_no_number_is_refused_by_name():
    bad = TABLE.astype({"x1": object})
    bad.loc[:, "x1"] = bad["x1"].astype(str)
    bad.loc[7, "x1"] = "inf"
    with pytest.raises(ValueError, match="row 7, column 'x1'"):
        TabularRegressor(**SMALL).fit(bad, X2)


@pytest.mark.parametrize("make", [TabularClassifier, TabularRegressor])
def test_save_and_load_round_trip_bit_for_bit(tmp_path: Path, make):
    target = LABELS if make is TabularClassifier else X1 * 3.0
    model = make(random_state=np.random.RandomState(2), ensemble=2, max_iter=20).fit(TABLE, target)
    first, second = tmp_path / "model.npz", tmp_path / "again.npz"
    glassnet.save(model, first)
    loaded = glassnet.load(first)
    assert type(loaded) is make and loaded.get_params()["ensemble"] == 2
    np.testing.assert_array_equal(loaded.predict(TABLE), model.predict(TABLE))
    if make is TabularClassifier:
        np.testing.assert_array_equal(loaded.predict_proba(TABLE), model.predict_proba(TABLE))
    assert loaded.recipe_ == model.recipe_ and loaded.recipe_reasons_ == model.recipe_reasons_
    assert loaded.history_.cost == model.history_.cost
    glassnet.save(loaded, second)
    digest = [hashlib.sha256(path.read_bytes()).hexdigest() for path in (first, second)]
    assert digest[0] == digest[1]
    refit = clone(loaded).fit(TABLE, target)  # the saved RandomState's state, refitted
    assert refit.n_iter_ >= 1


def test_an_unfitted_estimator_is_not_saved(tmp_path: Path):
    with pytest.raises(ValueError, match="not fitted"):
        glassnet.save(TabularClassifier(), tmp_path / "model.npz")
