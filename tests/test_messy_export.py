"""The messy export (issue 22): read as the user means it, made in the test (messy_export.py).

Numbers with decimal commas and thousands points, dates, free text, an id, typo'd classes.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassnet.data import make_preprocessor
from glassnet.data.reading import read_table
from glassnet.data.tabular import read_tabular
from glassnet.errors import InputError
from messy_export import write_messy_export


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = tmp_path / "listings.csv"
    return path, write_messy_export(path)


def test_decimal_commas_and_thousands_points_are_sniffed_and_said(messy):
    path, truth = messy
    data = read_tabular(path, "price_eur", encode=False)
    np.testing.assert_array_equal(data.y, truth["price_eur"].to_numpy())  # 893.366,34 -> 893366.34
    assert "area_m2" in data.table.numeric
    np.testing.assert_array_equal(data.table.frame["area_m2"], truth["area_m2"])
    assert data.table.notes[0].startswith("numbers read with decimal ',' and thousands '.'")


def test_decimal_and_thousands_given_read_the_same_as_sniffed(messy):
    path, truth = messy
    data = read_tabular(path, "price_eur", decimal=",", thousands=".", encode=False)
    np.testing.assert_array_equal(data.y, truth["price_eur"].to_numpy())
    assert not any(note.startswith("numbers read") for note in data.table.notes)


def test_reading_with_a_decimal_point_warns_that_a_text_column_holds_comma_numbers(messy):
    path, _ = messy
    data = read_tabular(path, "kind", decimal=".", encode=False, drop="price_eur")
    assert "area_m2" in data.table.categorical
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_preprocessor(data.table.frame, categorical=data.table.categorical)
    messages = [str(w.message) for w in caught]
    assert any("'area_m2' holds numbers written with a decimal comma" in m for m in messages)
    assert any("pass --decimal ," in m for m in messages)


def test_a_comma_file_keeps_its_numbers_plain(tmp_path):
    path = tmp_path / "us.tsv"
    path.write_text("a\tb\ty\n1,234.5\t3.5\tx\n2,000.25\t4\tz\n")
    reader, rows = read_table(path)
    assert reader.number.plain and rows.frame["a"].tolist() == ["1,234.5", "2,000.25"]
    _, rows = read_table(path, thousands=",")
    assert rows.frame["a"].tolist() == ["1234.5", "2000.25"] and rows.frame["b"][0] == "3.5"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"decimal": ";"}, "--decimal takes '.' or ','"),
        ({"decimal": ",", "thousands": ","}, "both ','"),
        ({"sep": ",", "decimal": ","}, "cannot also be the decimal mark"),
        ({"thousands": "x"}, "--thousands takes one of"),
    ],
)
def test_impossible_number_formats_are_one_line(tmp_path, options, says):
    path = tmp_path / "t.csv"
    path.write_text("a;y\n1;2\n")
    with pytest.raises(InputError, match=says):
        read_table(path, **options)


def test_the_command_line_takes_decimal_thousands_and_dates(messy, tmp_path):
    from click.testing import CliRunner

    from glassnet import cli, load

    path, truth = messy
    out = tmp_path / "run"
    runner = CliRunner()
    args = ["train", "--data", str(path), "--target", "price_eur", "--decimal", ",", "--dates"]
    args += ["", "--epochs", "2", "--no-plots", "--no-progress", "--out", str(out)]
    result = runner.invoke(cli.cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    model = load(out / "model.npz")
    assert model.config["decimal"] == "," and model.config["dates"] == ""
    assert "listed_on" in model.input_columns and "area_m2" in model.input_columns
    assert "listed_on_year" not in model.feature_names  # one-hot text, no date
    assert sum(name.startswith("listed_on_") for name in model.feature_names) > 100
    predictions = tmp_path / "predictions.csv"
    args = ["predict", str(out / "model.npz"), "--data", str(path), "--out", str(predictions)]
    result = runner.invoke(cli.cli, [*args, "--decimal", ",", "--thousands", "."])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(predictions)) == len(truth)
    args = ["evaluate", str(out / "model.npz"), "--data", str(path), "--decimal", ","]
    result = runner.invoke(cli.cli, args)
    assert result.exit_code == 0 and "R²" in result.output, result.output
