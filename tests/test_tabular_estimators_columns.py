"""A DataFrame given to TabularClassifier / TabularRegressor is read as ``glassnet train`` reads
the same table from a CSV: the same roles (ids and free text left out, dates as dates), the
same notes and the same encoded features, whether a date column is text or datetime64.

Each comparison runs both paths on the same rows with the same seed and two epochs: the
CSV through :func:`run_training` (``--test-size 0``), the frame through the estimator.
"""

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import glassnet
from glassnet import TabularClassifier, TabularRegressor
from glassnet.estimators.tabular_frame import frame_cells
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training
from messy_export import messy_frame, write_messy_export

EPOCHS = 2


def csv_run(path: Path, target: str, seed: int = 0):
    """``glassnet train --data path --target target --test-size 0 --epochs 2``, from Python."""
    config = RunConfig(
        data=str(path), target=target, test_size=0.0, seed=seed, recipe="tabular",
        epochs=EPOCHS, pinned=("epochs",),
    )  # fmt: skip
    return run_training(config)


def column_notes(notes) -> list[str]:
    """The column rules' notes (not the reader's note on how the file writes its numbers)."""
    return [note for note in notes if not note.startswith("numbers read")]


def assert_read_alike(estimator, result, X: pd.DataFrame) -> None:
    """The estimator's columns, notes, encoded features and weights are the CSV run's."""
    table = result.dataset.table
    assert estimator.numeric_columns_ == list(table.numeric)
    assert estimator.categorical_columns_ == list(table.categorical)
    assert estimator.date_columns_ == list(table.dates)
    assert estimator.left_out_columns_ == {
        name: why for name, why in table.left_out.items() if name not in table.targets
    }
    assert estimator.column_notes_ == column_notes(table.notes)
    assert estimator.model_.feature_names == result.model.feature_names
    cells = frame_cells(X)  # datetime64 as the text of its dates, as the estimator reads it
    np.testing.assert_array_equal(estimator.model_.transform_features(cells), result.dataset.X)
    for l in result.model.network.W:
        np.testing.assert_array_equal(estimator.network_.W[l], result.model.network.W[l])


@pytest.mark.parametrize("dates", ["datetime64", "iso text", "dd.mm.yyyy text"])
def test_the_messy_export_as_a_frame_is_read_as_its_csv(tmp_path, dates):
    path = tmp_path / "listings.csv"
    truth = write_messy_export(path)
    X = truth.drop(columns="price_eur")
    if dates != "datetime64":
        X["listed_on"] = X["listed_on"].dt.strftime(
            "%Y-%m-%d" if dates == "iso text" else "%d.%m.%Y"
        )
    result = csv_run(path, "price_eur")
    estimator = TabularRegressor(max_iter=EPOCHS, random_state=0).fit(X, truth["price_eur"])
    assert estimator.date_columns_ == ["listed_on"]
    assert set(estimator.left_out_columns_) == {"listing_id", "description"}
    assert any("'listing_id' looks like a row id" in note for note in estimator.column_notes_)
    assert_read_alike(estimator, result, X)
    as_in_the_file = X.assign(listed_on=truth["listed_on"].dt.strftime("%d.%m.%Y"))
    np.testing.assert_array_equal(estimator.predict(X), result.model.predict(as_in_the_file))


def test_penguins_raw_as_a_frame_is_read_as_its_csv(tmp_path):
    pytest.importorskip("palmerpenguins")
    raw = resources.files("palmerpenguins") / "data" / "penguins-raw.csv"
    frame = pd.read_csv(str(raw)).dropna(subset=["Sex"]).reset_index(drop=True)
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, index=False)
    result = csv_run(path, "Sex", seed=1)
    X, y = frame.drop(columns="Sex"), frame["Sex"]
    estimator = TabularClassifier(max_iter=EPOCHS, random_state=1).fit(X, y)
    assert "Individual ID" in estimator.left_out_columns_
    assert estimator.date_columns_ == ["Date Egg"]
    assert_read_alike(estimator, result, X)
    as_dates = X.assign(**{"Date Egg": pd.to_datetime(X["Date Egg"])})  # the same, as datetime64
    again = TabularClassifier(max_iter=EPOCHS, random_state=1).fit(as_dates, y)
    assert_read_alike(again, result, as_dates)


def test_a_frame_with_dates_and_ids_saves_and_loads_bit_for_bit(tmp_path):
    truth = messy_frame(120)
    X, y = truth.drop(columns="price_eur"), truth["price_eur"]
    model = TabularRegressor(max_iter=EPOCHS, random_state=0).fit(X, y)
    glassnet.save(model, tmp_path / "model.npz")
    loaded = glassnet.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.left_out_columns_ == model.left_out_columns_
    assert loaded.date_columns_ == ["listed_on"] and loaded.column_notes_ == model.column_notes_
    later = X.assign(listed_on=X["listed_on"] + pd.Timedelta(days=400))  # dates move the output
    assert not np.array_equal(loaded.predict(later), model.predict(X))


def test_a_datetime64_column_predicts_as_the_text_the_model_read(tmp_path):
    """A model that read ``19.02.2023`` (a CSV run's, or an estimator fitted on that text) and is
    given the same dates as datetime64 predicts the same numbers, to the bit."""
    from click.testing import CliRunner

    from glassnet import cli
    from glassnet.runs.model import load_trained_model

    data = tmp_path / "messy.csv"
    write_messy_export(data)
    read = {"sep": ";", "decimal": ",", "thousands": ".", "dtype": {"listed_on": str}}
    frame = pd.read_csv(data, **read)
    X, y = frame.drop(columns="price_eur"), frame["price_eur"]
    as_dates = X.assign(listed_on=pd.to_datetime(X["listed_on"], format="%d.%m.%Y"))
    as_dates.loc[3, "listed_on"] = pd.NaT  # a missing date stays missing
    as_text = X.assign(listed_on=X["listed_on"].where(as_dates["listed_on"].notna(), None))
    estimator = TabularRegressor(random_state=0, max_iter=5).fit(X, y)
    assert estimator.date_columns_ == ["listed_on"]
    np.testing.assert_array_equal(estimator.predict(as_dates), estimator.predict(as_text))
    out = tmp_path / "run"
    arguments = ["train", "--data", data, "--target", "price_eur", "--epochs", 3, "--out", out]
    result = CliRunner().invoke(cli.cli, [*map(str, arguments), "--no-plots"])
    assert result.exit_code == 0, result.output
    model = load_trained_model(out / "model.npz")
    np.testing.assert_array_equal(model.predict(as_dates), model.predict(as_text))
