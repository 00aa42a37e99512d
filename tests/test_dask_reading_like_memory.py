"""A cluster run reads a table as the in-memory run does (issue 22): on the messy export
(``tests/messy_export.py``: ``;``, decimal commas, thousands points, dates, free text, an id,
a mostly-missing comment, typo'd classes), on a real LocalCluster started here.

Compared: the roles (numeric, categorical, dates, left out and why), the task and its reason,
the notes in their words (the sniffed number format first), the missing counts, the encoded
feature names, the encoded values, and the column table ``glassnet train`` prints.
"""

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from rich.console import Console

from distributed_cluster import running_client
from glassnet.cli.train_summary import columns_table
from glassnet.data.tabular import read_tabular
from glassnet.distributed.frames import prepare, read_frame_noted
from glassnet.distributed.run import run_training as run_on_cluster
from glassnet.runs.config import RunConfig
from glassnet.runs.encoding import fit_preprocessor, table_record
from glassnet.runs.run import run_training
from messy_export import write_messy_export

PARTITIONS = 4


@pytest.fixture(scope="module")
def client():
    yield from running_client()


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    path = tmp_path_factory.mktemp("messy") / "listings.csv"
    return path, write_messy_export(path)


def on_cluster(path: Path, target: str, **options):
    """``prepare`` on the file read in PARTITIONS blocks, its reading notes first."""
    marks = {k: options.pop(k) for k in ("decimal", "thousands") if k in options}
    frame, notes = read_frame_noted(path, blocksize=path.stat().st_size // PARTITIONS, **marks)
    assert frame.npartitions >= 3
    return prepare(frame, target, notes=notes, **options)


def in_memory(path: Path, target: str, **options):
    """``read_tabular`` and the run's encoder, fitted on every row (as ``prepare`` is)."""
    data = read_tabular(path, target, encode=False, **options)
    encoder = fit_preprocessor(data, np.arange(len(data.y)), standardize=True)
    return data, encoder


def roles(table_or_prepared) -> tuple:
    found = table_or_prepared
    return (found.numeric, found.categorical, found.dates, found.left_out, found.missing,
            found.task_reason, found.notes)  # fmt: skip


@pytest.mark.parametrize("target", ["price_eur", "kind"])
def test_the_cluster_reads_the_messy_export_as_memory_does(client, messy, target):
    path, _ = messy
    data, encoder = in_memory(path, target)
    prepared = on_cluster(path, target)
    assert roles(prepared) == roles(data.table) and prepared.task == data.task
    assert prepared.feature_names == [str(name) for name in encoder.get_feature_names_out()]
    X = prepared.X.compute()
    np.testing.assert_allclose(X, encoder.transform(data.table.frame), rtol=0, atol=1e-12)


def test_the_cluster_says_what_it_found_and_left_out(client, messy):
    path, _ = messy
    prepared = on_cluster(path, "kind")
    assert prepared.notes[0] == (
        "numbers read with decimal ',' and thousands '.' (sniffed: ';'-separated with decimal "
        "commas); pass --decimal . to read them otherwise"
    )
    assert prepared.dates == {"listed_on": "%d.%m.%Y"}
    assert prepared.left_out == {
        "listing_id": "row id",
        "description": "free text: long, mostly different strings",
    }
    notes = "\n".join(prepared.notes)
    assert "column 'description' looks like free text (240 different values in 240 rows" in notes
    assert "classes 'hosue' (2 rows) and 'house'" in notes  # the target's warnings too
    names = prepared.feature_names
    assert "comment_(missing)" in names and not any(n.startswith("description") for n in names)


def test_dates_and_decimal_commas_are_numbers_on_the_cluster(client, messy):
    path, truth = messy
    prepared = on_cluster(path, "price_eur")
    names, X = prepared.feature_names, prepared.X.compute()
    numbers = prepared.preprocessor.named_transformers_
    scaler = numbers["numeric"]["scale"]
    area = X[:, names.index("area_m2")] * scaler.scale_[0] + scaler.mean_[0]  # x sd + mean
    np.testing.assert_allclose(area, truth["area_m2"], rtol=1e-12)  # "183,7" read as 183.7
    dates = numbers["dates"]["scale"]
    year = X[:, names.index("listed_on_year")] * dates.scale_[0] + dates.mean_[0]
    np.testing.assert_allclose(year, truth["listed_on"].dt.year, rtol=1e-12)
    week = 2 * np.pi * truth["listed_on"].dt.day_of_week.to_numpy() / 7
    dow_sin = X[:, names.index("listed_on_dow_sin")] * dates.scale_[3] + dates.mean_[3]
    np.testing.assert_allclose(dow_sin, np.sin(week), atol=1e-12)
    price = prepared.y.compute() * prepared.target_scaler.scale_[0]
    price += prepared.target_scaler.mean_[0]  # "893.366,34" read as 893366.34
    np.testing.assert_allclose(price, truth["price_eur"], rtol=1e-12)


def test_the_number_format_given_reads_as_on_one_machine(client, messy):
    path, _ = messy
    given = on_cluster(path, "kind", decimal=",", thousands=".")
    assert not any(note.startswith("numbers read") for note in given.notes)
    assert "area_m2" in given.numeric and "price_eur" in given.numeric
    with warnings.catch_warnings(record=True) as on_the_cluster:
        warnings.simplefilter("always")
        points = on_cluster(path, "kind", decimal=".", dates="")  # as plain numbers: text
    with warnings.catch_warnings(record=True) as in_one_process:
        warnings.simplefilter("always")
        data, _ = in_memory(path, "kind", decimal=".", dates="")
    said = [
        sorted(str(warning.message) for warning in caught)
        for caught in (on_the_cluster, in_one_process)
    ]
    assert said[0] == said[1]  # the same warnings, word for word
    assert any("'area_m2' holds numbers written with a decimal comma" in m for m in said[0])
    assert any("'area_m2' has 230 categories" in m for m in said[0])
    assert roles(points) == roles(data.table)
    assert "area_m2" in points.categorical and "listed_on" in points.categorical


def table_text(result) -> str:
    console = Console(file=io.StringIO(), width=250, color_system=None)
    console.print(columns_table(result))
    return console.file.getvalue()


def test_glassnet_trains_print_the_same_column_table_on_the_cluster(client, messy, capsys):
    path, _ = messy
    config = RunConfig(data=str(path), target="price_eur", epochs=2, hidden=(3,), test_size=0.0)
    cluster = run_on_cluster(config, client)
    memory = run_training(config)
    assert cluster.dataset.feature_names == memory.dataset.feature_names
    assert cluster.dataset.table.notes == memory.dataset.table.notes
    shown = table_text(cluster)
    assert shown == table_text(memory)
    assert "│ listed_on   │ date" in shown and "dates written dd.mm.yyyy" in shown
    recorded = table_record(cluster.dataset)  # what config.json keeps, to resume with
    read_alike = {key: value for key, value in recorded.items() if key != "data_file"}
    assert read_alike.items() <= table_record(memory.dataset).items()  # the file: hashed apart
    assert (recorded["sep"], recorded["decimal"], recorded["thousands"]) == (";", ",", ".")
