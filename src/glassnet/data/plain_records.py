"""A comma-separated file's plain records: kept as text, their numeric columns parsed once.

    the file's bytes after the header ──chunksize lines──> a block
    a plain block ──pandas' C parser: the columns asked for, as numbers──> Rows + its text
    any other block ──the reader of glassnet.data.reading (every cell as text)──> Rows

A record is written back as a comma-separated line of its cells, quoted where a cell needs
it. A plain block's records already are such lines, so its text is what the output
writes, and only the columns a model reads need parsing. A block is plain when:

- it holds no quote and no carriage return (a quote may hold a comma or a line break, and
  both would be written quoted), and no NUL;
- every line has the header's number of fields (a blank line, or a short row, would be
  written otherwise), and it is UTF-8 (the output's encoding);
- pandas reads each column asked for as numbers (int64 or float64, what
  :func:`~glassnet.data.cells.read_numbers` gives too; not a column of ``True``/``False``,
  which pandas reads as booleans and glassnet's rule as text), all of them finite.

Any other block is read by the text reader, so its rows, errors and line numbers are the
ones it gives for the whole file; from a quote or a carriage return on, the rest of the
file is (a quoted record may go on over several lines), and a first block that is not
plain sends the whole file there.
"""

import io
import itertools
import operator
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import IO, Any

import numpy as np
import pandas as pd

from glassnet.data.rows import Rows
from glassnet.data.sources import replayed
from glassnet.validation import all_finite

UNPLAIN = (b'"', b"\r")  # after either, the rest of the file is read cell by cell
NUMBERS = (np.dtype(np.float64), np.dtype(np.int64))  # what pandas reads numbers as
PLAIN_OPTIONS: dict[str, Any] = {  # the plain records, as pandas' C parser reads them
    "header": None,
    "sep": ",",
    "quotechar": '"',
    "skip_blank_lines": False,
    "index_col": False,
    "encoding": "utf-8",
    "engine": "c",
}

RowsFromStart = Callable[[int | None, IO[bytes]], Iterator[Rows]]
RowsResumed = Callable[[IO[bytes], int | None, int, int], Iterator[Rows]]


@dataclass
class PlainStart:
    """Where a comma-separated UTF-8 file's data begin.

    Attributes
    ----------
    stream
        The file's bytes, from its first (a byte-order mark left out).
    header_lines, header_records
        The lines, and the records, up to the header's end (blank lines before it included).
    names
        The columns, as :class:`Rows` name them.
    """

    stream: IO[bytes]
    header_lines: int
    header_records: int
    names: list[str]


def plain_chunks(
    start: PlainStart,
    from_start: RowsFromStart,
    resumed: RowsResumed,
    chunksize: int,
    numbers: list[str],
) -> Iterator[Rows]:
    """The file's rows ``chunksize`` lines at a time, a plain block with its text.

    ``from_start(chunksize, stream)`` reads the file cell by cell from ``stream`` (its bytes
    from the first); ``resumed(stream, chunksize, line, records)`` from ``stream`` that starts
    at ``line`` after ``records`` records.
    """
    stream = start.stream
    head = b"".join(itertools.islice(stream, start.header_lines))
    line, records = start.header_lines + 1, start.header_records
    while lines := list(itertools.islice(stream, chunksize)):
        block = b"".join(lines)
        first = line == start.header_lines + 1
        if any(mark in block for mark in UNPLAIN):
            rest = replayed(block, stream)
            if first:
                yield from from_start(chunksize, replayed(head, rest))
            else:
                yield from resumed(rest, chunksize, line, records)
            return
        plain = _plain_rows(lines, block, start.names, numbers, line)
        if plain is not None:
            yield plain
        elif first:
            yield from from_start(chunksize, replayed(head + block, stream))
            return
        else:
            yield from resumed(io.BytesIO(block), None, line, records)
        line, records = line + len(lines), records + len(lines)


def _plain_rows(
    lines: list[bytes], block: bytes, names: list[str], numbers: list[str], line: int
) -> Rows | None:
    """``lines`` (joined: ``block``) as Rows of ``numbers`` and their text, or None if not plain."""
    n, commas = len(lines), len(names) - 1
    every_column = len(numbers) == len(names)
    if b"\x00" in block or not (every_column or _fields_match(lines, commas)):
        return None  # reading every column, pandas refuses a longer line; a shorter gives NaN
    if not block.endswith(b"\n"):
        block += b"\n"  # the file's last line, written with its line break
    options = {**PLAIN_OPTIONS, "names": names, "usecols": None if every_column else numbers}
    try:
        text = block.decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first line too long
            frame = pd.read_csv(io.BytesIO(block), **options)
    except (ValueError, pd.errors.ParserWarning):  # a line too long, text that is not UTF-8
        return None
    if len(frame) != n or not all(frame[name].dtype in NUMBERS for name in numbers):
        return None  # a blank line, or a cell that pandas reads as no number (or as a bool)
    frame = frame[numbers].astype(np.float64)  # an int64 column as to_numeric reads it
    if not all_finite(frame.to_numpy()):
        return None  # a missing cell (NaN), or inf
    return Rows(frame, line + np.arange(n, dtype=np.int64), text)


def _fields_match(lines: list[bytes], commas: int) -> bool:
    """Whether every line has ``commas`` commas: the header's fields, no more, no fewer."""
    return operator.countOf(map(bytes.count, lines, repeat(b",")), commas) == len(lines)
