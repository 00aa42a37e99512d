"""Columns by meaning (issue 22): dates as numbers, free text and ids left out, missing text
as its own category, typo'd target classes named; on the messy export, penguins-raw and a
statsmodels table, all made or found on this machine."""

import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import glassnet
from glassnet.data.date_encoder import DateEncoder, date_parts, parse_dates
from glassnet.data.tabular import read_tabular
from messy_export import write_messy_export

PENGUINS_RAW = Path(str(resources.files("palmerpenguins") / "data" / "penguins-raw.csv"))


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = tmp_path / "listings.csv"
    return path, write_messy_export(path)


def test_the_messy_exports_columns_by_meaning(messy):
    path, truth = messy
    data = read_tabular(path, "price_eur")
    table = data.table
    assert table.dates == {"listed_on": "%d.%m.%Y"}
    assert table.left_out == {
        "listing_id": "row id",
        "description": "free text: long, mostly different strings",
    }
    assert table.numeric == ("area_m2", "rooms") and table.categorical == (
        "district",
        "comment",
        "kind",
    )
    assert any(note.startswith("column 'description' looks like free text") for note in table.notes)
    names = data.feature_names
    assert "comment_(missing)" in names and not any(n.startswith("description") for n in names)
    year = data.X[:, names.index("listed_on_year")]
    np.testing.assert_array_equal(year, truth["listed_on"].dt.year.to_numpy())
    day = 2 * np.pi * (truth["listed_on"].dt.day_of_year.to_numpy() - 1) / 365.25
    np.testing.assert_allclose(data.X[:, names.index("listed_on_doy_cos")], np.cos(day))
    week = 2 * np.pi * truth["listed_on"].dt.day_of_week.to_numpy() / 7
    np.testing.assert_allclose(data.X[:, names.index("listed_on_dow_sin")], np.sin(week))


def test_typod_and_rare_target_classes_are_named_with_the_fix_never_merged(messy):
    path, _ = messy
    data = read_tabular(path, "kind", encode=False)
    notes = "\n".join(data.table.notes)
    assert "classes 'hosue' (2 rows) and 'house'" in notes and "by one typo" in notes
    assert "classes 'Apartment' (1 rows) and 'apartment'" in notes and "case or spaces" in notes
    assert "fewer than 5 rows, 'Apartment' (1), 'hosue' (2)" in notes
    assert {"hosue", "house", "Apartment", "apartment"} <= set(data.y)  # kept apart


def test_a_date_column_survives_the_model_file_record_and_its_check_rows(messy):
    from glassnet.files.transformers import rebuild_transformer, transformer_record

    path, _ = messy
    data = read_tabular(path, "price_eur", encode=False)
    encoder = glassnet.data.make_preprocessor(
        data.table.frame, numeric=data.table.numeric, categorical=data.table.categorical
    ).fit(data.table.frame)
    loaded = rebuild_transformer(transformer_record(encoder, "pre"), "pre")  # as model files do
    np.testing.assert_array_equal(
        loaded.transform(data.table.frame), encoder.transform(data.table.frame)
    )
    assert type(loaded.named_transformers_["dates"]["parse"]) is DateEncoder


def test_date_parts_by_hand():
    dates = parse_dates(["2024-01-01", "2023-12-31", "not a date", None], "%Y-%m-%d")
    parts = date_parts(dates)  # 2024-01-01 is a Monday, 2023-12-31 a Sunday (day 365 of 365)
    np.testing.assert_allclose(parts[0], [2024, 0.0, 1.0, 0.0, 1.0], atol=1e-15)
    sunday = 2 * np.pi * 6 / 7
    december = 2 * np.pi * 364 / 365.25
    expected = [2023, np.sin(december), np.cos(december), np.sin(sunday), np.cos(sunday)]
    np.testing.assert_allclose(parts[1], expected)
    assert np.isnan(parts[2:]).all()


def test_penguins_raw_dates_ids_and_its_mostly_missing_comments():
    data = read_tabular(PENGUINS_RAW, "Species")
    table = data.table
    assert table.dates == {"Date Egg": "%Y-%m-%d"}
    assert table.left_out == {"Individual ID": "row id"}  # 190 ids in 344 rows
    comments = [n for n in data.feature_names if n.startswith("Comments_")]
    missing = pd.read_csv(PENGUINS_RAW)["Comments"].isna().to_numpy()  # 290 of 344
    X = data.X[:, [data.feature_names.index(n) for n in comments]]
    np.testing.assert_array_equal(X[:, comments.index("Comments_(missing)")], missing)
    assert (X.sum(axis=1) == 1).all()


def test_a_statsmodels_table_exported_with_decimal_commas_reads_back_its_numbers(tmp_path):
    pytest.importorskip("statsmodels")
    import statsmodels.datasets

    source = Path(os.path.dirname(statsmodels.datasets.__file__)) / "statecrime" / "statecrime.csv"
    truth = pd.read_csv(source)
    path = tmp_path / "statecrime_de.csv"
    truth.to_csv(path, sep=";", decimal=",", index=False)
    data = read_tabular(path, "murder", encode=False)
    assert data.table.numeric == ("violent", "hs_grad", "poverty", "single", "white", "urban")
    np.testing.assert_array_equal(data.y, truth["murder"].to_numpy())
    np.testing.assert_array_equal(data.table.frame["poverty"], truth["poverty"].to_numpy())
    assert data.table.left_out == {"state": "row id"}
