"""A CSV's table is encoded once in a run: by the encoder fitted on its training rows.

The spy counts every fit and every transform of scikit-learn's ColumnTransformer during
``run_training`` on a table with a text column and a missing cell.
"""

import csv

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer

from glassnet.data.loading import load
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "shops.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["size", "town", "busy"])
        for i in range(80):
            size = "" if i == 7 else f"{rng.normal():.4f}"
            town = ["north", "south", "east"][i % 3]
            writer.writerow([size, town, "yes" if (i % 3 == 0) ^ (i % 5 == 0) else "no"])
    return path


def test_a_run_fits_one_encoder_on_its_training_rows_and_encodes_once(table, monkeypatch):
    fitted_rows: list[int] = []
    transforms: list[int] = []
    real_fit, real_transform = ColumnTransformer.fit, ColumnTransformer.transform

    def fit(self, X, y=None, **params):
        fitted_rows.append(len(X))
        return real_fit(self, X, y, **params)

    def transform(self, X, **params):
        transforms.append(len(X))
        return real_transform(self, X, **params)

    monkeypatch.setattr(ColumnTransformer, "fit", fit)
    monkeypatch.setattr(ColumnTransformer, "transform", transform)
    result = run_training(RunConfig(data=str(table), target="busy", epochs=3, validation=0.25))
    sizes = result.parts.sizes()
    assert fitted_rows == [sizes["n_train"] + sizes["n_validation"]]  # never the held-out rows
    assert transforms == [80]  # every row, once
    assert result.dataset.n_features == 1 + 3  # size, then one column per town


def test_loading_a_table_still_gives_its_first_look(table):
    dataset = load(str(table), target="busy")
    assert dataset.X.shape == (80, 4) and dataset.feature_names[0] == "size"
    assert not np.isnan(dataset.X).any()  # the missing size imputed
    unencoded = load(str(table), target="busy", encode=False)
    assert unencoded.X.shape == (80, 0) and unencoded.table is not None
