"""One set of column rules: a table in memory and the same table in dask partitions get
the same summaries, roles, task and refusals.

The in-memory path is ``read_tabular`` (pandas summarizes each column); the Dask path is
``prepare`` on ``read_frame`` with a few partitions (each partition summarized, the
summaries merged), run by dask's synchronous scheduler. The messages differ only in
how each names a place: the file and its line (``'t.csv', line 5``) against the data
and its data row (``the data, data row 4``); the test maps one onto the other.
"""

import re
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
pytest.importorskip("dask.dataframe")

from glassnet.data.column_summary import summarize  # noqa: E402
from glassnet.data.columns import choose_columns  # noqa: E402
from glassnet.data.reading import read_table  # noqa: E402
from glassnet.data.tabular import read_tabular  # noqa: E402
from glassnet.distributed import prepare, read_frame  # noqa: E402
from glassnet.distributed.frame_summary import WHERE, frame_summaries  # noqa: E402
from glassnet.errors import InputError  # noqa: E402

PENGUINS = Path(str(resources.files("palmerpenguins") / "data" / "penguins.csv"))
N_ROWS = 60


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory):
    """Text, NA cells, a row id by its name and one by its long unique text (and an id-named
    column that repeats its values only across partitions), refused targets."""
    rng = np.random.default_rng(7)
    x = rng.normal(10, 3, N_ROWS).round(2).astype(str).astype(object)
    x[[3, 17, 40]] = ["NA", "", "null"]
    color = rng.choice(["red", "green", "blue"], N_ROWS).astype(object)
    color[[5, 33]] = ["NA", " "]
    mixed = rng.choice(["a", "b", "c", "7"], N_ROWS, p=[0.3, 0.3, 0.3, 0.1])
    frame = pd.DataFrame(
        {
            "id": np.arange(N_ROWS) + 500,
            "row": np.arange(N_ROWS) % 20,  # unique in each partition, not across them
            "x": x,
            "color": color,
            "mixed": mixed,
            "comment": [f"note number {k}" for k in range(N_ROWS)],
            "blank": ["NA"] * N_ROWS,
            "kind": rng.choice(["cat", "dog", "owl"], N_ROWS),
            "count": rng.integers(0, 5, N_ROWS),
            "score": rng.normal(0, 1, N_ROWS).round(4),
            "const": ["yes"] * N_ROWS,
        }
    )
    path = tmp_path_factory.mktemp("mixed") / "mixed.csv"
    frame.to_csv(path, index=False)
    return path


def normalized(message: str, path: Path) -> str:
    """A message of the in-memory path, with its places named as the Dask path names them."""
    message = message.replace(repr(str(path)), WHERE)
    return re.sub(r"\bline (\d+)", lambda m: f"data row {int(m.group(1)) - 1}", message)


def in_memory(path: Path, target, **options):
    """The roles, task, its reason and the row-id notes, or the refusal's message."""
    try:
        dataset = read_tabular(path, target, **options)
    except InputError as error:
        return normalized(str(error), path)
    table = dataset.table
    notes = tuple(note for note in table.notes if "row id" in note)
    return (table.numeric, table.categorical, table.left_out, table.missing, dataset.task,
            table.task_reason, notes)  # fmt: skip


def in_partitions(path: Path, target, **options):
    frame = read_frame(path, blocksize=path.stat().st_size // 4)
    assert frame.npartitions >= 3
    try:
        prepared = prepare(frame, target, **options)
    except InputError as error:
        return str(error)
    notes = tuple(note for note in prepared.notes if "row id" in note)
    return (prepared.numeric, prepared.categorical, prepared.left_out, prepared.missing,
            prepared.task, prepared.task_reason, notes)  # fmt: skip


PENGUIN_CASES = {
    "species": ("species", {}),
    "body mass": ("body_mass_g", {}),
    "year, few whole numbers": ("year", {}),
    "sex, NA targets dropped": ("sex", {"categorical": "year"}),
    "two targets": (["body_mass_g", "flipper_length_mm"], {}),
    "text target for regression": ("island", {"task": "regression"}),
    "two targets for classification": ("bill_length_mm,body_mass_g", {"task": "classification"}),
}
MIXED_CASES = {
    "text classes, row ids left out": ("kind", {"drop": "blank,const"}),
    "fractional regression": ("score", {"drop": "blank"}),
    "few whole numbers": ("count", {"drop": "blank"}),
    "named id kept": ("kind", {"features": "id,x,color"}),
    "regression asked": ("count", {"drop": "blank", "task": "regression"}),
    "constant target": ("const", {"drop": "blank"}),
    "text target for regression": ("color", {"drop": "blank", "task": "regression"}),
    "a column missing in every row": ("kind", {}),
    "several targets": ("score,count", {"drop": "blank", "task": "classification"}),
    "text in one of several targets": ("score,mixed", {"drop": "blank"}),
    "only row ids": ("kind", {"drop": "row,x,color,mixed,blank,count,score,const"}),
}


@pytest.mark.parametrize(("target", "options"), PENGUIN_CASES.values(), ids=PENGUIN_CASES)
def test_penguins_get_the_same_roles_task_and_messages(target, options):
    found = in_memory(PENGUINS, target, **options)
    assert in_partitions(PENGUINS, target, **options) == found


@pytest.mark.parametrize(("target", "options"), MIXED_CASES.values(), ids=MIXED_CASES)
def test_text_na_and_ids_get_the_same_roles_task_and_messages(mixed_csv, target, options):
    found = in_memory(mixed_csv, target, **options)
    assert in_partitions(mixed_csv, target, **options) == found


def test_the_outcomes_are_the_ones_the_rules_state(mixed_csv):
    numeric, categorical, left_out, missing, task, reason, notes = in_memory(
        mixed_csv, "kind", drop="blank,const"
    )
    assert (numeric, categorical) == (("row", "x", "count", "score"), ("color", "mixed"))
    assert left_out == {"blank": "--drop or not in --features", "const": "--drop or not in "
                        "--features", "id": "row id", "comment": "row id"}  # fmt: skip
    assert missing == {"row": 0, "x": 3, "count": 0, "score": 0, "color": 2, "mixed": 0, "kind": 0}
    assert (task, reason) == ("classification", "3 classes, text labels")
    assert notes[0].startswith("column 'id' looks like a row id (a different value in each of")
    assert in_memory(mixed_csv, "count", drop="blank")[4:6] == (
        "classification",
        "5 classes, whole numbers",
    )
    refusal = in_memory(mixed_csv, "const", drop="blank")
    assert refusal.startswith("the target 'const' has a single class 'yes': classification")
    refusal = in_memory(mixed_csv, "color", drop="blank", task="regression")
    assert refusal.startswith("the data, data row 1, column 'color': '")


def test_a_column_summarized_in_memory_equals_its_partitions_merged(mixed_csv):
    reader, rows = read_table(mixed_csv)
    choice = choose_columns(reader.columns, "here", target="kind,count")
    frame = read_frame(mixed_csv, blocksize=mixed_csv.stat().st_size // 4)
    assert max(frame.map_partitions(len).compute()) <= 20  # "row" unique in each
    summaries, _ = frame_summaries(frame, choice, "impute")
    for name in (*choice.features, *choice.targets):
        whole = summarize(rows.frame[name], rows.lines, name, sampled=name in choice.targets)
        merged = summaries[name]
        lines = [row if row is None else row + 1 for row in
                 (merged.first_bad_row, merged.first_missing_row)]  # fmt: skip
        assert [whole.first_bad_row, whole.first_missing_row] == lines, name
        ignored = {"first_bad_row", "first_missing_row", "unique"}  # unique: see below
        assert {k: v for k, v in asdict(whole).items() if k not in ignored} == {
            k: v for k, v in asdict(merged).items() if k not in ignored
        }, name
    for name in ("id", "comment", "row"):  # possible row ids: uniqueness counted across parts
        assert summaries[name].unique == (name != "row")
        assert summarize(rows.frame[name], rows.lines, name).unique == (name != "row")
    assert summaries["x"].first_missing_row == 4 and summaries["blank"].missing == N_ROWS


@pytest.fixture(scope="module")
def meaning_csv(tmp_path_factory):
    """Dates (ISO and dd.mm.yyyy), free text, ids by the pattern, a mostly-missing comment."""
    rng = np.random.default_rng(3)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, N_ROWS), "D")
    frame = pd.DataFrame(
        {
            "listing_id": 9_000 + np.arange(N_ROWS),
            "id_owner": [f"owner-{k % 40}" for k in range(N_ROWS)],  # 40 of 60 different
            "Plot ID": [f"P{k % 7}" for k in range(N_ROWS)],  # id-named, few values: a feature
            "sold": days.strftime("%Y-%m-%d"),
            "listed": days.strftime("%d.%m.%Y"),
            "text": [f"a long description of home {k}, with words" for k in range(N_ROWS)],
            "comment": np.where(np.arange(N_ROWS) % 5 == 0, "owner abroad", ""),
            "x": rng.normal(0, 1, N_ROWS).round(3),
            "kind": rng.choice(["cat", "dog"], N_ROWS),
        }
    )
    path = tmp_path_factory.mktemp("meaning") / "meaning.csv"
    frame.to_csv(path, index=False)
    return path


def test_dates_free_text_and_ids_are_decided_alike_in_memory_and_in_partitions(meaning_csv):
    from glassnet.data.columns import feature_kinds

    reader, rows = read_table(meaning_csv)
    choice = choose_columns(reader.columns, "here", target="kind")
    whole = {name: summarize(rows.frame[name], rows.lines, name) for name in choice.features}
    frame = read_frame(meaning_csv, blocksize=meaning_csv.stat().st_size // 4)
    assert frame.npartitions >= 3
    merged, _ = frame_summaries(frame, choice, "impute")
    for name in choice.features:
        ignored = {"first_bad_row", "first_missing_row"}
        assert {k: v for k, v in asdict(whole[name]).items() if k not in ignored} == {
            k: v for k, v in asdict(merged[name]).items() if k not in ignored
        }, name
    kinds = feature_kinds(whole, choice, "here")
    assert kinds == feature_kinds(merged, choice, "here")
    assert kinds.dates == {"sold": "%Y-%m-%d", "listed": "%d.%m.%Y"}
    assert kinds.row_ids == ("listing_id", "id_owner") and kinds.free_text == ("text",)
    assert kinds.numeric == ("x",) and kinds.categorical == ("Plot ID", "comment")


def test_dates_given_replace_the_found_ones_and_categorical_keeps_a_date_as_text(meaning_csv):
    data = read_tabular(meaning_csv, "kind", dates="listed", encode=False)
    assert data.table.dates == {"listed": "%d.%m.%Y"} and "sold" in data.table.categorical
    data = read_tabular(meaning_csv, "kind", categorical="sold", encode=False)
    assert data.table.dates == {"listed": "%d.%m.%Y"} and "sold" in data.table.categorical
    with pytest.raises(InputError, match="--dates 'x': no cell of that column"):
        read_tabular(meaning_csv, "kind", dates="x")
