"""A model's notebook view says what a date column became, as ``glassnet train``'s column table
does: its format, its five numbers (year, day of year and day of week as sine and cosine) and
their scaling; a text column missing in most rows says that "(missing)" is its own category.

Both views read the same words (:mod:`glassnet.viz.html.columns`); the model is trained
on the messy export (``tests/messy_export.py``), saved, loaded and drawn.
"""

from html.parser import HTMLParser

import numpy as np
import pytest

import glassnet as gn
from glassnet.runs.config import RunConfig
from glassnet.runs.run import run_training
from glassnet.viz.html.columns import feature_words, fitted_steps
from messy_export import write_messy_export


class Rows(HTMLParser):
    """The rows of the view's columns table: each ``<td>``'s text, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The messy export's model (standard scaling: the year's mean and sd are checkable), loaded
    from its file, and the training rows' true values."""
    folder = tmp_path_factory.mktemp("messy")
    truth = write_messy_export(folder / "listings.csv")
    config = RunConfig(
        data=str(folder / "listings.csv"), target="price_eur", epochs=2, hidden=(3,),
        test_size=0.0,
    )  # fmt: skip
    gn.save(run_training(config).model, folder / "model.npz")
    return gn.load(folder / "model.npz"), truth


def column_table(model) -> dict[str, list[str]]:
    parser = Rows()
    parser.feed(model._repr_html_())
    return {row[0]: row[1:] for row in parser.rows if len(row) == 3}


def test_the_notebook_view_says_what_a_date_column_became(trained):
    model, truth = trained
    table = column_table(model)
    role, done = table["listed_on"]
    assert role == "date"
    assert done.startswith(
        "dates written dd.mm.yyyy, as 5 numbers: year, day of year (sin, cos), day of week "
        "(sin, cos); a missing or unreadable date gets the medians (year "
    )
    years = truth["listed_on"].dt.year.to_numpy()  # every row trains (test_size 0)
    assert f"(year {np.median(years):.4g})" in done
    mean, sd = years.mean(), years.std()
    assert done.endswith(f"standardised (year: mean {mean:.4g}, sd {sd:.4g})")


def test_the_notebook_view_names_missing_text_as_its_own_category(trained):
    model, _ = trained
    table = column_table(model)
    assert table["comment"] == [
        "categorical",
        "a missing cell is the category '(missing)', one-hot: 2 categories ((missing), owner "
        "abroad)",
    ]
    assert table["area_m2"][0] == "numeric" and "description" not in table


def test_the_command_lines_words_for_a_date_are_the_notebooks(trained):
    model, _ = trained
    fitted = fitted_steps(model.preprocessor)["listed_on"]
    assert fitted["format"] == "%d.%m.%Y"
    role, done = feature_words(fitted, missing=3)  # as the command line's table, with a count
    assert role == "date" and "; median-imputed (year " in done
    assert feature_words(fitted, missing=0)[1].split("; ")[1].startswith("standardised (year:")
