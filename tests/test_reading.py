"""glassnet.data.reading: one pandas reader for real files, whole or in chunks.

Each case is checked against what the file holds by construction (the rows written),
and, where it applies, against pandas reading the same file with the options spelled out.
"""

import bz2
import csv
import gzip
import io
import lzma
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassnet.data.reading import open_table, read_table
from glassnet.data.sniffing import sniff_separator
from glassnet.errors import InputError

HEADER = ["name", "size", "price", "note"]
ROWS = [
    ["apple", "3", "1.25", "red, round"],
    ["pear", "5", "0.75", 'says "hi"'],
    ["fig", "2", "2.5", "two\nlines"],
    ["kiwi", "7", "-0.5", ""],
]


def write_rows(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def cells(path, **options) -> list[list[str]]:
    _, rows = read_table(path, **options)
    return rows.frame.to_numpy().tolist()


@pytest.mark.parametrize(("delimiter", "name"), [(",", ","), (";", ";"), ("\t", "\t")])
def test_comma_semicolon_and_tab_are_sniffed(tmp_path, delimiter, name):
    path = write_rows(tmp_path / "rows.csv", delimiter)
    reader, rows = read_table(path)
    assert reader.sep == name and reader.columns == HEADER
    assert rows.frame.to_numpy().tolist() == ROWS
    expected = pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False)
    assert rows.frame.to_numpy().tolist() == expected.to_numpy().tolist()  # pandas agrees


def test_whitespace_separated_columns_are_sniffed(tmp_path):
    path = tmp_path / "table.txt"
    path.write_text("x   y  label\n 1.5  2 a\n3\t4    b\n")
    reader, rows = read_table(path)
    assert reader.sep == "whitespace" and reader.columns == ["x", "y", "label"]
    assert rows.frame.to_numpy().tolist() == [["1.5", "2", "a"], ["3", "4", "b"]]


def test_sep_overrides_the_sniffed_delimiter(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("a;b,c\n1;2,3\n4;5,6\n")  # consistent for both , and ;: the rule says ','
    assert read_table(path)[0].columns == ["a;b", "c"]
    reader, rows = read_table(path, sep=";")
    assert reader.columns == ["a", "b,c"] and rows.frame.to_numpy().tolist()[1] == ["4", "5,6"]
    with pytest.raises(InputError, match=r"unknown delimiter '\|'"):
        read_table(path, sep="|")


def test_the_sniffing_rule_prefers_the_delimiter_giving_more_consistent_fields():
    assert sniff_separator("a;b;c\n1,5;2;3\n") == ";"  # decimal commas: ',' is inconsistent
    assert sniff_separator('a,b\n"x;y",2\n') == ","  # a quoted ';' is one field
    assert sniff_separator("single\n1\n2\n") == ","  # one column
    assert sniff_separator("a b\n1 2\n") == "whitespace"


@pytest.mark.parametrize(
    ("suffix", "opener"),
    [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)],
)
def test_compressed_files_read_as_the_plain_file(tmp_path, suffix, opener):
    plain = write_rows(tmp_path / "rows.csv")
    packed = tmp_path / f"rows.csv{suffix}"
    with opener(packed, "wb") as handle:
        handle.write(plain.read_bytes())
    assert cells(packed) == cells(plain) == ROWS


def test_a_zip_holding_one_table_reads_and_one_holding_two_is_refused(tmp_path):
    plain = write_rows(tmp_path / "rows.csv")
    archive = tmp_path / "rows.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(plain, "rows.csv")
    assert cells(archive) == ROWS
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as handle:
        handle.write(plain, "a.csv")
        handle.write(plain, "b.csv")
    with pytest.raises(InputError, match="must hold exactly one table"):
        read_table(tmp_path / "two.zip")


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfname,size\r\ncaf\xc3\xa9,1\r\n")
    reader, rows = read_table(path)
    assert reader.columns == ["name", "size"] and rows.frame.iloc[0, 0] == "café"


def test_latin1_text_names_the_encoding_tried_and_suggests_encoding(tmp_path):
    path = write_rows(tmp_path / "latin.csv", encoding="latin-1")
    path.write_bytes(path.read_bytes().replace(b"pear", b"p\xe9ar"))
    with pytest.raises(InputError) as error:
        read_table(path)
    message = str(error.value)
    assert "as a UTF-8 CSV file" in message and "--encoding" in message and "0xe9" in message
    assert cells(path, encoding="latin-1")[1][0] == "péar"
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")


def test_bad_bytes_far_into_the_file_are_found_too(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"x,y\n" + b"1,2\n" * 50_000 + b"3,caf\xe9\n")
    with pytest.raises(InputError, match="as a UTF-8 CSV file: byte 0xe9"):
        read_table(path)


def test_quoted_fields_keep_commas_quotes_and_line_breaks_and_rows_know_their_lines(tmp_path):
    path = write_rows(tmp_path / "rows.csv")
    _, rows = read_table(path)
    assert rows.frame["note"].tolist() == ["red, round", 'says "hi"', "two\nlines", ""]
    assert rows.lines.tolist() == [2, 3, 4, 6]  # fig's note spans lines 4 and 5


def test_blank_lines_are_skipped_but_counted(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n\na,b\n1,2\n\n\n3,4\n\n")
    _, rows = read_table(path)
    assert rows.frame.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert rows.lines.tolist() == [4, 7]


def test_chunks_give_the_rows_of_the_whole_read_with_the_same_lines(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(
        "i,s\n" + "".join(f'{i},"x{i}\n"\n' if i % 7 == 0 else f"{i},y\n" for i in range(50))
    )
    _, whole = read_table(path)
    with open_table(path) as reader:
        chunks = list(reader.chunks(6))
    assert all(len(chunk) <= 6 for chunk in chunks)
    assert (
        pd.concat([c.frame for c in chunks]).to_numpy().tolist() == whole.frame.to_numpy().tolist()
    )
    assert np.concatenate([c.lines for c in chunks]).tolist() == whole.lines.tolist()


def test_a_stream_of_text_or_bytes_reads_like_a_file(tmp_path):
    path = write_rows(tmp_path / "rows.csv", ";")
    assert cells(io.StringIO(path.read_text())) == cells(io.BytesIO(path.read_bytes())) == ROWS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("\n  \n\n", "is empty"),
        ("1,2\n3,4\n", "no header row"),
        ("a,b,a\n1,2,3\n", "duplicate column names a"),
        ("a,b\n1,2\n3,4,5\n", "line 3: 3 fields but the header has 2"),
        ("a,b\n1,2\n3,4,5,6\n", "line 3: 4 fields but the header has 2"),
        ("a,b\n1,2,3,4\n", "the first data row has 4 or more fields"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_problem(tmp_path, text, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_table(path)
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_a_ragged_file_names_the_sniffed_delimiter_and_sep(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("a;b\n" + "1;2\n" * 30 + "3;4;5\n")  # past the lines sniffed
    with pytest.raises(InputError, match=r"line 32: 3 fields .*read as ';'-separated: pass --sep"):
        read_table(path)


def test_a_header_only_file_has_no_rows_and_a_missing_file_names_its_path(tmp_path):
    path = tmp_path / "head.csv"
    path.write_text("a,b\n")
    reader, rows = read_table(path)
    assert reader.columns == ["a", "b"] and len(rows) == 0
    with pytest.raises(InputError, match=r"nope\.csv' does not exist"):
        read_table(tmp_path / "nope.csv")


def test_parquet_reads_with_its_types_and_rows_numbered_from_one(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"name": ["a", None, "c"], "size": [1.5, np.nan, 3.0], "n": [1, 2, 3]})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    reader, rows = read_table(path)
    assert reader.sep == "parquet" and reader.columns == ["name", "size", "n"]
    assert rows.lines.tolist() == [1, 2, 3]
    pd.testing.assert_frame_equal(rows.frame, pd.read_parquet(path))
    with open_table(path) as table:
        assert [len(chunk) for chunk in table.chunks(2)] == [2, 1]


def test_memory_of_a_chunked_read_does_not_grow_with_the_file(tmp_path):
    """The peak of reading 20,000 rows in chunks of 500 is that of 2,000 rows, within 30 %."""

    def peak(n_rows: int) -> int:
        path = tmp_path / f"rows{n_rows}.csv"
        with path.open("w") as handle:
            handle.write("a,b,c\n")
            handle.writelines(f"{i * 0.5},{i},row {i}\n" for i in range(n_rows))
        tracemalloc.start()
        try:
            with open_table(path) as reader:
                for _ in reader.chunks(500):
                    pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(2_000)  # imports and caches first
    small, large = peak(2_000), peak(20_000)
    assert large < 1.3 * small, (small, large)
