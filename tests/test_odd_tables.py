"""Odd tables (issue 21): each gives rows, or one line from glassnet, in bounded time and memory.

Each file is made here: CR-only line ends, a header wider than the csv module's field limit,
a 32 MB line, a wrong or non-text encoding, Parquet list and struct columns, a target with a
class per row, one enormous text cell.
"""

import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassnet.data.reading import open_table, read_table
from glassnet.data.rows import MAX_COLUMNS
from glassnet.data.tabular import read_tabular
from glassnet.errors import InputError


def one_line(call) -> str:
    with pytest.raises(InputError) as error:
        call()
    message = str(error.value)
    assert "\n" not in message and len(message) < 600, message[:300]
    return message


def test_old_mac_line_ends_read_as_any_other(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a,b,y\r1,2,x\r3,4,z\r5,6,x\r")
    reader, rows = read_table(path)
    assert reader.columns == ["a", "b", "y"] and reader.sep == ","
    assert rows.frame.to_numpy().tolist() == [["1", "2", "x"], ["3", "4", "z"], ["5", "6", "x"]]
    assert rows.lines.tolist() == [2, 3, 4]


def test_a_semicolon_file_with_cr_line_ends_is_sniffed(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a;b;y\r1;2;x\r3;4;z\r")
    reader, rows = read_table(path)
    assert reader.sep == ";" and rows.frame["b"].tolist() == ["2", "4"]


@pytest.mark.parametrize("n_columns", [30_000, 1_000_000])
def test_a_header_wider_than_the_field_limit_is_refused_by_its_width_quickly(tmp_path, n_columns):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(n_columns)) + "\n" + "1," * 3 + "1\n")
    start = time.perf_counter()
    message = one_line(lambda: read_table(path))
    assert f"has {n_columns} columns, more than the {MAX_COLUMNS}" in message
    assert time.perf_counter() - start < 10


def test_a_header_as_wide_as_allowed_is_sniffed_past_the_field_limit(tmp_path):
    path = tmp_path / "wide.csv"  # 200 KB of header: one ';'-field over the csv field limit
    names = [f"column_number_{i}" for i in range(MAX_COLUMNS)]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    reader, rows = read_table(path)
    assert reader.sep == "," and reader.columns == names and rows.frame.shape == (1, MAX_COLUMNS)


def test_a_32_mb_line_is_read(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a,y\n" + "x" * (32 * 2**20) + ",1\n2,3\n4,5\n")
    _, rows = read_table(path)
    assert len(rows.frame.loc[0, "a"]) == 32 * 2**20 and rows.frame["y"].tolist() == ["1", "3", "5"]


def test_a_message_quotes_only_the_start_of_a_long_cell(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a,y\n" + "x" * 2**20 + ",1\n2,3\n4,5\n")
    message = one_line(lambda: read_tabular(path, "y"))
    assert "'xxxxxxxx" in message and "is not a number" in message


@pytest.mark.parametrize(
    ("encoding", "says"),
    [
        ("utf-16", "could not read"),
        ("utf-32", "could not read"),
        ("rot13", "unknown encoding 'rot13'"),
        ("base64", "unknown encoding 'base64'"),
        ("klingon", "unknown encoding 'klingon'"),
    ],
)
def test_a_wrong_or_non_text_encoding_is_one_line(tmp_path, encoding, says):
    path = tmp_path / "utf8.csv"
    path.write_text("a,b,y\n1,é,x\n2,f,z\n", encoding="utf-8")
    message = one_line(lambda: read_table(path, encoding=encoding))
    assert says in message and "encoding" in message


def test_parquet_lists_and_structs_are_read_as_their_json_text_whole_and_in_chunks(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "nested.parquet"
    table = pa.table(
        {
            "a": [1, 2, 3],
            "tags": [[1, 2], [], None],
            "place": [{"x": 1, "n": "é"}, {"x": 2, "n": "b"}, {"x": 3, "n": None}],
            "y": ["p", "q", "p"],
        }
    )
    pq.write_table(table, path)
    _, rows = read_table(path)
    assert rows.frame["tags"].tolist()[:2] == ["[1, 2]", "[]"] and pd.isna(rows.frame["tags"][2])
    assert rows.frame["place"].tolist()[0] == '{"x": 1, "n": "é"}'
    with open_table(path) as reader:
        chunked = pd.concat([chunk.frame for chunk in reader.chunks(2)], ignore_index=True)
    pd.testing.assert_frame_equal(chunked, rows.frame)
    data = read_tabular(path, "y")
    assert data.table.categorical == ("tags", "place") and data.X.shape[0] == 3


def test_a_class_per_row_is_refused_before_anything_is_encoded(tmp_path):
    path = tmp_path / "classes.csv"
    n = 6_000
    pd.DataFrame({"x": np.arange(n) % 7, "y": [f"class {i // 2}" for i in range(n)]}).to_csv(
        path, index=False
    )
    tracemalloc.start()
    try:
        message = one_line(lambda: read_tabular(path, "y"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "3000 classes in 6000 rows (2.0 a class)" in message
    assert peak < 50 * 2**20  # no (6000, 3000) one-hot of the target


def test_twenty_five_classes_of_four_rows_are_still_classes(tmp_path):
    path = tmp_path / "classes.csv"
    pd.DataFrame({"x": np.arange(100.0), "y": [f"c{i % 25}" for i in range(100)]}).to_csv(
        path, index=False
    )
    assert read_tabular(path, "y", encode=False).task == "classification"


def test_cells_quoted_in_messages_are_cut(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("a,y\n1,1\n2,2\n" + "7" * 100 + "kg,3\n")
    message = one_line(lambda: read_tabular(path, "y"))
    assert "'" + "7" * 57 + "...'" in message


def test_one_enormous_text_cell_makes_its_column_free_text_left_out(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write('a,t,y\n1,"' + "word " * (2 * 2**20) + '",x\n')  # a 10 MB cell
        handle.writelines(f"{i},t{i % 3},{'xz'[i % 2]}\n" for i in range(60))
    start = time.perf_counter()
    data = read_tabular(path, "y")
    assert time.perf_counter() - start < 20
    assert data.table.left_out == {"t": "free text: long, mostly different strings"}
    assert data.feature_names == ["a"]  # no 10 MB category, in X or in a model file
    assert "the longest 10485759" in data.table.notes[0]  # its last space stripped
