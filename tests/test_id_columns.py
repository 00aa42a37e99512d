"""Row ids found by counting (issue 22): whole numbers that count up by one from row to row
(``1..n``, ``1001..1000+n``), under any name, are a row number, left out with a note that
says why and how to keep it; in memory and over Dask partitions alike.

Not ids: a sorted year (repeats), sorted prices (unique, but not by one), a count by two, a
run with one gap, numbers written as floats (``1.0, 2.0, ...``: measured, not counted), a
column restarting its count (penguins-raw's ``Sample Number``), a short run (50 rows or
fewer, more likely data such as years), and a row number whose rows lacking a target were
dropped (it no longer counts by one).
"""

from dataclasses import asdict
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
pytest.importorskip("dask.dataframe")

from glassnet.data.column_meaning import counts_rows, looks_like_row_id  # noqa: E402
from glassnet.data.column_summary import merged, summarize  # noqa: E402
from glassnet.data.columns import choose_columns  # noqa: E402
from glassnet.data.reading import read_table  # noqa: E402
from glassnet.data.tabular import read_tabular  # noqa: E402
from glassnet.distributed import prepare, read_frame  # noqa: E402
from glassnet.distributed.frame_summary import frame_summaries  # noqa: E402

DATA = resources.files("palmerpenguins") / "data"
PENGUINS, PENGUINS_RAW = Path(str(DATA / "penguins.csv")), Path(str(DATA / "penguins-raw.csv"))
N = 344  # penguins' rows


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def summary(values, name: str = "x"):
    column = pd.Series([str(v) for v in values], dtype=object)
    return summarize(column, np.arange(1, len(column) + 1), name)


@pytest.mark.parametrize(
    ("values", "row_number"),
    [
        (np.arange(1, 201), True),  # 1..n
        (1000 + np.arange(1, 201), True),  # 1001..1000+n
        (np.arange(0, 201), True),  # a saved 0-based index
        (np.repeat(np.arange(2001, 2021), 10), False),  # a sorted year: repeats
        (np.sort(np.random.default_rng(0).uniform(1, 900, 200)).round(2), False),  # prices
        (np.arange(1, 401, 2), False),  # by two
        (np.delete(np.arange(1, 202), 100), False),  # one gap
        (np.arange(200, 0, -1), False),  # counting down
        (np.arange(1, 51), False),  # 50 rows: too short to tell from data
        (np.arange(1, 52), True),
        (np.arange(0.0, 100.0), False),  # written 0.0, 1.0, ...: measured, not counted
        (np.arange(1871, 1971), False),  # a yearly series, unique and by one: years are data
        (np.arange(1699, 1800), True),  # starts before the years' range: a count
    ],
    ids=[
        *("1..n", "1001..", "0..n", "year", "prices", "by two", "gap", "down", "50", "51"),
        *("x.0", "years", "1699.."),
    ],
)
def test_a_row_number_counts_up_by_one_in_more_than_50_rows(values, row_number):
    found = summary(values)
    assert counts_rows(found) == row_number
    assert looks_like_row_id(found) == row_number
    if row_number:
        assert (found.first_value, found.last_value) == (values[0], values[-1])


@pytest.mark.parametrize("name", ["year", "Year", "yr"])
def test_a_count_named_year_is_data_under_any_numbers(name):
    assert not counts_rows(summary(np.arange(1, 201), name))
    assert counts_rows(summary(np.arange(1, 201), "yearly_rank"))  # only the name itself


def test_a_missing_or_fractional_cell_breaks_the_count():
    cells = [str(k) for k in range(1, 101)]
    assert not summary([*cells[:50], "", *cells[51:]]).counts_up
    assert not summary([*cells[:50], "50.5", *cells[51:]]).counts_up
    assert not summary([*cells[:50], "51.0", *cells[51:]]).counts_up  # 51, written as a float
    assert summary([" 1", *cells[1:]]).counts_up  # spaces around a cell do not count


def test_typed_columns_count_by_their_dtype():
    rows = np.arange(1, 101)
    assert summarize(pd.Series(np.arange(1, 101)), rows, "n").counts_up  # int64 (Parquet)
    assert not summarize(pd.Series(np.arange(1.0, 101.0)), rows, "x").counts_up  # float64


def test_blocks_count_up_together_only_when_each_starts_where_the_last_ended():
    parts = [summary(range(1, 41)), summary(range(41, 90)), summary([])]
    together = merged([*parts[:1], parts[2], parts[1]], [0, 40, 40])
    assert together.counts_up and (together.first_value, together.last_value) == (1, 89)
    restarted = merged([summary(range(1, 41)), summary(range(1, 41))], [0, 40])
    assert not restarted.counts_up and restarted.unique  # unique in each block: recounted later
    gap = merged([summary(range(1, 41)), summary(range(42, 90))], [0, 40])
    assert not gap.counts_up


@pytest.fixture(scope="module")
def numbered(tmp_path_factory) -> Path:
    """Penguins with a row number ``n`` (1..344), a count restarting per island, and the
    body masses sorted (repeats) beside it."""
    frame = pd.read_csv(PENGUINS)
    frame.insert(0, "n", np.arange(1, N + 1))
    frame["per_island"] = frame.groupby("island").cumcount() + 1
    frame["mass_sorted"] = np.sort(frame["body_mass_g"].fillna(0).to_numpy())
    path = tmp_path_factory.mktemp("numbered") / "penguins_numbered.csv"
    frame.to_csv(path, index=False)
    return path


def outcome_in_memory(path: Path, target: str, **options):
    table = read_tabular(path, target, encode=False, **options).table
    notes = tuple(note for note in table.notes if "row id" in note)
    return table.numeric, table.categorical, table.left_out, notes


def outcome_in_partitions(path: Path, target: str, **options):
    frame = read_frame(path, blocksize=path.stat().st_size // 4)
    assert frame.npartitions >= 3
    prepared = prepare(frame, target, **options)
    notes = tuple(note for note in prepared.notes if "row id" in note)
    return prepared.numeric, prepared.categorical, prepared.left_out, notes


def test_a_planted_row_number_is_left_out_alike_with_why_and_the_fix(numbered):
    found = outcome_in_memory(numbered, "species")
    assert outcome_in_partitions(numbered, "species") == found
    numeric, _, left_out, notes = found
    assert left_out == {"n": "row id"}
    assert notes == (
        "column 'n' looks like a row id (whole numbers from 1 to 344, one more in each row: a "
        "row number): left out; name it in --features to keep it",
    )
    assert {"per_island", "mass_sorted", "year"} <= set(numeric)


def test_a_row_number_named_in_features_is_kept_alike(numbered):
    kept = outcome_in_memory(numbered, "species", features="n,island,bill_length_mm")
    assert kept == outcome_in_partitions(numbered, "species", features="n,island,bill_length_mm")
    assert kept[0] == ("n", "bill_length_mm") and "n" not in kept[2] and kept[3] == ()


def test_rows_without_a_target_break_the_count_alike(numbered):
    found = outcome_in_memory(numbered, "sex")  # 11 rows lack their sex: dropped
    assert outcome_in_partitions(numbered, "sex") == found
    assert "n" in found[0] and "n" not in found[2]


def test_the_summaries_of_counting_columns_are_the_same_whole_and_merged(numbered):
    reader, rows = read_table(numbered)
    choice = choose_columns(reader.columns, "here", target="species")
    frame = read_frame(numbered, blocksize=numbered.stat().st_size // 4)
    summaries, _ = frame_summaries(frame, choice, "impute")
    for name in ("n", "per_island", "mass_sorted", "year"):
        whole = summarize(rows.frame[name], rows.lines, name)
        ignored = {"first_bad_row", "first_missing_row"}
        assert {k: v for k, v in asdict(whole).items() if k not in ignored} == {
            k: v for k, v in asdict(summaries[name]).items() if k not in ignored
        }, name
    assert summaries["n"].counts_up and not summaries["per_island"].counts_up


def test_penguins_and_penguins_raw_lose_no_feature_to_the_count():
    for path, target in ((PENGUINS, "species"), (PENGUINS_RAW, "Species")):
        found = outcome_in_memory(path, target)
        assert found == outcome_in_partitions(path, target)
        assert not any("row number" in note for note in found[3])
    raw = outcome_in_memory(PENGUINS_RAW, "Species")
    assert "Sample Number" in raw[0] and raw[2] == {"Individual ID": "row id"}
