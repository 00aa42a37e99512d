"""A whole CSV read by pandas' pyarrow engine, where it reads the file as the C engine does.

    the file's bytes ──pandas.read_csv(engine="pyarrow"), every cell as its text──> a frame
    a file it cannot read that way ──None: the C engine reads it, and words any problem

pyarrow parses on its own threads and builds the text columns in Arrow: on a 1,000,000-row
file of numbers read as text it took 0.7 s where the C engine took 2.0 s
(``benchmarks/predict_large.md``). It is used only where it reads what the C engine reads:

- a whole file (pyarrow reads no chunks), UTF-8 bytes, a one-character delimiter (not runs
  of whitespace), the header alone on the first line;
- every record with the first record's fields: on anything else pyarrow stops with an
  error (or gives another width), and the C engine reads the file instead, so the rows,
  their lines and every message are the C engine's.
"""

import importlib.util
import io
from typing import Any

import pandas as pd

ARROW_INSTALLED = importlib.util.find_spec("pyarrow") is not None
C_ONLY = ("index_col", "na_filter")  # the C engine's options that pyarrow's refuses


def arrow_reads(options: dict[str, Any]) -> bool:
    """Whether pyarrow may read a file of one-line header with the C engine's ``options``."""
    one_character = len(options["sep"]) == 1  # not r"\s+"
    return ARROW_INSTALLED and one_character and options.get("encoding") == "utf-8"


def arrow_frame(data: bytes, options: dict[str, Any]) -> pd.DataFrame | None:
    """The frame of text cells pyarrow's engine reads from ``data`` with the C engine's
    ``options``; None when it cannot read every record as the C engine would.

    pyarrow is given no names: it takes the first record's fields as the width and stops at
    a record of another (given fewer names, pandas would make the first fields an index).
    No cell is read as missing without ``na_filter``: ``keep_default_na=False`` and no
    ``na_values`` leave an empty cell ``""``, as the C engine does. Each cell is its text
    where pandas has pyarrow read ``dtype=object`` as strings; where it parses the cells
    and casts them (a typed column's first cell is not a str), the C engine reads the file.
    """
    names = options["names"]
    arrow_options = {key: value for key, value in options.items() if key not in C_ONLY}
    del arrow_options["names"]
    try:
        frame = pd.read_csv(io.BytesIO(data), **{**arrow_options, "engine": "pyarrow"})
    except ValueError:  # pyarrow's ArrowInvalid, pandas' ParserError: a record it cannot read
        return None
    if frame.empty or frame.shape[1] != len(names) or any(d.kind != "O" for d in frame.dtypes):
        return None  # no data rows (the C engine words it), records of another width
    if not all(isinstance(cell, str) for cell in frame.iloc[0].tolist()):
        return None  # typed cells cast to objects (pandas before 3.1, pyarrow before 25)
    frame.columns = pd.Index(names)
    return frame
