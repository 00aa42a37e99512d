"""A seeded fuzz of odd tables: reading gives rows, or glassnet's own error in one line.

Each case draws a table (numbers, text, dates, decimal commas, missing cells, quotes, long
cells), writes it in a dialect (delimiter, quoting, line ends, encoding, byte-order mark,
compression), then mutates its bytes (truncation, a flipped byte, a stray quote or
delimiter, a NUL, a line end of another kind), and reads it with ``read_tabular`` (and,
with a wrong encoding asked, too). A few Parquet files with list, struct and map columns
join them. Any exception but :class:`~glassnet.errors.GlassnetError` fails the test, as
does a message over one line. The counts are printed (``pytest -s``).
"""

import bz2
import gzip
import io
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from glassnet.data.tabular import read_tabular
from glassnet.errors import GlassnetError

SEED = 20261204
CASES = 1_500
BUDGET_SECONDS = 50
DELIMITERS = [",", ";", "\t", " ", "|"]
LINE_ENDS = ["\n", "\r\n", "\r"]
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]
ASKED = [None, None, None, "utf-8", "latin-1", "utf-16", "rot13", "no-such-codec"]


def cell(rng: np.random.Generator, kind: str, row: int) -> str:
    """One cell of a column of ``kind``."""
    if rng.random() < 0.08:
        return str(rng.choice(["", "NA", "null", " ", "nan"]))
    if kind == "number":
        return f"{rng.normal(0, 1000):.{rng.integers(0, 4)}f}"
    if kind == "comma":
        return f"{rng.normal(0, 1000):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if kind == "date":
        day = np.datetime64("2020-01-01") + int(rng.integers(0, 900))
        text = str(day)
        return str(rng.choice([text, f"{text[8:]}.{text[5:7]}.{text[:4]}"]))
    if kind == "long":
        return "x" * int(rng.integers(0, 3000))
    if kind == "id":
        return str(row)
    words = ["a", "b", "é", "ü", "日本", '"', "'", ",", ";", "\n", "tab\t", "  ", "∞", "inf"]
    return "".join(rng.choice(words, rng.integers(0, 4)))


def table_text(rng: np.random.Generator) -> tuple[str, str]:
    """A table's text (its header naming the target ``y``) and its delimiter."""
    delimiter = str(rng.choice(DELIMITERS))
    kinds = list(rng.choice(["number", "comma", "date", "text", "long", "id"], rng.integers(1, 6)))
    names = [f"c{k}" for k in range(len(kinds))] + ["y"]
    if rng.random() < 0.1:
        names[0] = str(rng.choice(["", "y", "1", "c 1", '"q"']))  # blank, twice, number
    n_rows = int(rng.choice([0, 1, 2, 5, 40, 300]))
    end = str(rng.choice(LINE_ENDS))
    lines = [names]
    for row in range(n_rows):
        target = str(rng.choice(["p", "q", str(rng.integers(0, 3)), ""]))
        lines.append([cell(rng, kind, row) for kind in kinds] + [target])
    quote = rng.random() < 0.7

    def field(text: str) -> str:
        needs = any(mark in text for mark in (delimiter, '"', "\n", "\r")) or text != text.strip()
        return '"' + text.replace('"', '""') + '"' if quote and needs else text

    return end.join(delimiter.join(field(text) for text in line) for line in lines) + end, delimiter


def mutated(rng: np.random.Generator, data: bytes) -> bytes:
    """The bytes, sometimes damaged: cut, a byte flipped, a quote, a NUL, a delimiter added."""
    if not data or rng.random() < 0.5:
        return data
    at = int(rng.integers(0, len(data)))
    damage = rng.integers(0, 5)
    if damage == 0:
        return data[:at]
    if damage == 1:
        return data[:at] + bytes([int(rng.integers(0, 256))]) + data[at + 1 :]
    insert = [b'"', b"\x00", b",;", b"\r"][int(damage) - 1]
    return data[:at] + insert + data[at:]


def written(rng: np.random.Generator, folder: Path, k: int) -> tuple[Path, str | None]:
    """A drawn table written to a file, and the encoding to ask for (None: the default)."""
    text, _ = table_text(rng)
    encoding = str(rng.choice(ENCODINGS))
    data = mutated(rng, text.encode(encoding, errors="replace"))
    suffix = str(rng.choice([".csv", ".csv", ".tsv", ".txt", ".csv.gz", ".csv.bz2"]))
    if suffix.endswith(".gz"):
        data = gzip.compress(data) if rng.random() < 0.9 else data[:20]
    elif suffix.endswith(".bz2"):
        data = bz2.compress(data)
    path = folder / f"case{k}{suffix}"
    path.write_bytes(data)
    asked = encoding if rng.random() < 0.6 else rng.choice(ASKED)  # mostly the right one
    return path, None if asked is None else str(asked)


def parquet_case(rng: np.random.Generator, folder: Path, k: int) -> Path:
    """A Parquet file with nested columns (lists, structs, maps) beside a plain target."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    n = int(rng.integers(2, 30))
    columns = {
        "tags": pa.array([list(range(int(rng.integers(0, 3)))) for _ in range(n)]),
        "place": pa.array([{"x": float(rng.normal()), "n": "é"} for _ in range(n)]),
        "m": pa.array(
            [[("k", int(rng.integers(0, 9)))] for _ in range(n)], pa.map_(pa.string(), pa.int64())
        ),
        "v": pa.array(rng.normal(size=n)),
        "y": pa.array(rng.choice(["p", "q"], n).tolist()),
    }
    path = folder / f"nested{k}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def outcome(path: Path, encoding: str | None) -> str:
    """``"read"``, or glassnet's error's first words; anything else raises."""
    try:
        read_tabular(path, "y", encoding=encoding)
    except GlassnetError as error:
        message = str(error)
        assert "\n" not in message and "\r" not in message, message[:300]
        assert len(message) < 2_000, message[:300]
        return "refused"
    return "read"


def test_odd_tables_read_or_give_one_line(tmp_path, capsys):
    rng = np.random.default_rng(SEED)
    counts: Counter[str] = Counter()
    start = time.perf_counter()
    for k in range(CASES):
        if time.perf_counter() - start > BUDGET_SECONDS:
            break
        path, encoding = written(rng, tmp_path, k)
        counts[outcome(path, encoding)] += 1
        path.unlink()
    for k in range(10):
        counts["parquet " + outcome(parquet_case(rng, tmp_path, k), None)] += 1
    with capsys.disabled():
        print(f"\nCSV fuzz: {dict(counts)} in {time.perf_counter() - start:.1f} s")
    assert counts["read"] > 100 and counts["refused"] > 100  # both kinds were exercised
    assert counts["parquet read"] >= 5  # a file of one class is refused, rightly


def test_the_fuzz_cases_are_the_same_for_a_seed(tmp_path):
    first = [table_text(np.random.default_rng(SEED))[0] for _ in range(2)]
    assert first[0] == first[1]
    assert io.StringIO(first[0]).read()  # a table was drawn
