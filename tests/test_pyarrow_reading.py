"""A whole CSV read by pandas' pyarrow engine gives what the C engine gives: the same cells as
text, the same lines, the same errors; files it cannot read that way go to the C engine.

Each file is read twice, with pyarrow (where :mod:`glassnet.data.arrow_csv` takes it) and
with the C engine alone (``ARROW_INSTALLED`` off), and the two compared.
"""

import io
import random
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glassnet.data import arrow_csv, reading
from glassnet.data.reading import read_table
from glassnet.errors import InputError
from messy_export import write_messy_export

pytest.importorskip("pyarrow")

PENGUINS = Path(str(resources.files("palmerpenguins") / "data"))


def read_both(source_bytes: bytes, monkeypatch, **options: object):
    """(pyarrow's, the C engine's) reading of the bytes: (header, frame, lines) or the error."""
    results = []
    for installed in (True, False):
        monkeypatch.setattr(arrow_csv, "ARROW_INSTALLED", installed)
        try:
            reader, rows = read_table(io.BytesIO(source_bytes), **options)  # type: ignore[arg-type]
            results.append((reader.header, rows.frame, rows.lines))
        except InputError as error:
            results.append(("error", str(error)))
    return results


def assert_same(arrow, c_engine) -> None:
    assert type(arrow) is type(c_engine) and len(arrow) == len(c_engine)
    if arrow[0] == "error":
        assert arrow == c_engine
        return
    assert arrow[0] == c_engine[0]
    pd.testing.assert_frame_equal(arrow[1], c_engine[1])
    np.testing.assert_array_equal(arrow[2], c_engine[2])


@pytest.fixture
def arrow_reads(monkeypatch) -> list[bool]:
    """Whether each whole read was pyarrow's (True) or went to the C engine (False)."""
    taken: list[bool] = []
    frame_of = reading.arrow_frame

    def spied(data: bytes, options: dict[str, object]) -> pd.DataFrame | None:
        frame = frame_of(data, options)
        taken.append(frame is not None)
        return frame

    monkeypatch.setattr(reading, "arrow_frame", spied)
    return taken


def test_the_penguins_files_read_alike_by_pyarrow(monkeypatch, arrow_reads):
    for name in ("penguins.csv", "penguins-raw.csv"):
        arrow, c_engine = read_both((PENGUINS / name).read_bytes(), monkeypatch)
        assert_same(arrow, c_engine)
        assert len(arrow[1]) == 344
    assert arrow_reads == [True, True]  # pyarrow read both


def test_the_messy_export_reads_alike_by_pyarrow(tmp_path, monkeypatch, arrow_reads):
    path = tmp_path / "export.csv"
    write_messy_export(path)
    arrow, c_engine = read_both(path.read_bytes(), monkeypatch)
    assert_same(arrow, c_engine)
    assert arrow_reads == [True]  # ";" with decimal commas: read as text, then made plain


def test_a_tables_cells_stay_as_written(monkeypatch, arrow_reads):
    text = 'id,x,note\n007,1.50,NA\n008,,"a, b"\n009,1e5,\n'
    arrow, c_engine = read_both(text.encode(), monkeypatch)
    assert_same(arrow, c_engine)
    assert arrow_reads == [True]
    assert arrow[1].to_dict("list") == {
        "id": ["007", "008", "009"],
        "x": ["1.50", "", "1e5"],
        "note": ["NA", "a, b", ""],
    }


ODD = {  # what pyarrow's engine cannot read as the C engine does: the C engine reads it
    "a record of a field more": "a,b\n1,2,3\n",
    "every record a field more": "a,b\n0,2,3\n1,5,6\n",
    "a short record": "a,b\n1,2\n3\n",
    "blank lines before the header": "\n\na,b\n1,2\n",
    "no data rows": "a,b\n",
    "whitespace-separated": "a b\n1 2\n",
    "text that is not UTF-8": "a,b\n\xe9,2\n",
}
PLAIN = {  # what it reads as the C engine does
    "quotes doubled": 'a,b\n"1""2",x\n',
    "a line break in a quoted cell": 'a,b\n"x\ny",2\n3,4\n',
    "a blank line (a record of empty cells, then dropped)": "a,b\n1,2\n\n3,4\n",
    "a quote inside a cell": 'a,b\nab"c,d\n',
    "a quoted part then text": 'a,b\n"ab"c,d\n',
    "CRLF line ends": "a,b\r\n1,2\r\n3,4\r\n",
    "no last line break": "a,b\n1,2\n3,4",
    "spaces and tabs in a cell": "a,b\n \t,x\n",
    "an empty record": "a,b\n1,2\n,\n",
    "semicolons and decimal commas": "a;b\n1,5;2\n",
    "tabs": "a\tb\n1\t2\n",
    "one column": "a\n1\n2\n",
}


@pytest.mark.parametrize("case", list(ODD))
def test_what_pyarrow_cannot_read_alike_goes_to_the_c_engine(case, monkeypatch, arrow_reads):
    raw = ODD[case].encode("latin-1" if "UTF-8" in case else "utf-8")
    arrow, c_engine = read_both(raw, monkeypatch)
    assert_same(arrow, c_engine)
    assert True not in arrow_reads


@pytest.mark.parametrize("case", list(PLAIN))
def test_what_pyarrow_reads_it_reads_as_the_c_engine(case, monkeypatch, arrow_reads):
    arrow, c_engine = read_both(PLAIN[case].encode(), monkeypatch)
    assert_same(arrow, c_engine)
    assert arrow_reads == [True]


TOKENS = ["1", "-2.5", "", " ", "NA", "x y", '"q"', '"a,b"', '""', "1e5", "007", "é", '"l\nb"']


def random_csv(rng: random.Random) -> str:
    """A header and up to 12 records from odd cells, some a field short or long, some blank."""
    width = rng.randint(1, 4)
    lines = [",".join(f"c{j}" for j in range(width))]
    for _ in range(rng.randint(0, 12)):
        fields = width + rng.choice([0, 0, 0, 0, 0, 0, -1, 1])
        lines.append(",".join(rng.choice(TOKENS) for _ in range(max(fields, 0))))
    return "\n".join(lines) + rng.choice(["\n", ""])


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_read_alike(seed, monkeypatch):
    arrow, c_engine = read_both(random_csv(random.Random(seed)).encode(), monkeypatch, sep=",")
    assert_same(arrow, c_engine)


def test_cells_that_pandas_parsed_before_casting_go_to_the_c_engine(monkeypatch, arrow_reads):
    """An older pandas or pyarrow reads dtype=object by parsing, then casting: 1.50 -> 1.5."""
    read_csv = pd.read_csv

    def parsed_then_cast(*args, **options):
        if options["engine"] != "pyarrow":
            return read_csv(*args, **options)
        return read_csv(*args, **{**options, "dtype": None}).astype(object)

    monkeypatch.setattr(pd, "read_csv", parsed_then_cast)
    _, rows = read_table(io.BytesIO(b"a,b\n1.50,x\n2,y\n"))
    assert arrow_reads == [False]
    assert rows.frame["a"].tolist() == ["1.50", "2"]
