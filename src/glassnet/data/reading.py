"""Read a table from a CSV or Parquet file, whole or in chunks, with pandas.

    path ──open_source (.gz .bz2 .xz .zip; UTF-8, BOM dropped, or --encoding)──> bytes
    first lines ──sniff: , ; tab or whitespace (or --sep)──> the delimiter, the header
    bytes ──pandas.read_csv (every cell as its text)──> Rows: frame, each row's line

Cells stay text (``""`` for an empty one): what a cell means (a number, a category, a missing
value) is decided by :mod:`glassnet.data.cells`, alike for a whole file and for a chunk. Each
row knows the line of the file it starts on, so an error names it; a row with more fields than
the header is an error, one with fewer ends in empty cells. Parquet files are read by
:mod:`glassnet.data.parquet_reader`; ``chunks(numbers=...)`` reads a comma-separated UTF-8
file's plain records by :mod:`glassnet.data.plain_records`.
"""

import contextlib
import io
import os
import re
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.arrow_csv import arrow_frame, arrow_reads
from glassnet.data.number_format import NumberFormat, normalized, number_format
from glassnet.data.parquet_reader import open_parquet
from glassnet.data.plain_records import PlainStart, plain_chunks
from glassnet.data.rows import Rows, TableReader, check_header, column_names
from glassnet.data.sniffing import SEPARATORS, header_of, sniff_separator
from glassnet.data.sources import Source, decode_error, open_source, replayed
from glassnet.errors import InputError

__all__ = ["Rows", "TableReader", "column_names", "open_table", "read_table"]

EXTRA = "\x00extra"  # a column after the header's: filled only by a row with one field too many
PARQUET_SUFFIXES = (".parquet", ".pq")
PANDAS_OPTIONS: dict[str, Any] = {  # every cell as its text, blank lines kept (to count lines)
    "header": None,
    "dtype": object,
    "keep_default_na": False,
    "na_filter": False,
    "skip_blank_lines": False,
    "index_col": False,
    "quotechar": '"',
    "engine": "c",
}
TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
COUNTED = re.compile(r"\b(row|line) (\d+)")  # where pandas says a problem is, in its message


def read_table(
    source: str | os.PathLike[str] | IO[str] | IO[bytes], **options: str | None
) -> tuple[TableReader, Rows]:
    """Open ``source`` with :func:`open_table`'s ``options`` and read every row:
    ``(reader, rows)``, the file already closed."""
    with open_table(source, **options) as reader:
        return reader, reader.read()


def open_table(
    source: str | os.PathLike[str] | IO[str] | IO[bytes],
    *,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
) -> TableReader:
    """Open a CSV or Parquet file (or a text stream of CSV) and read its header.

    Parameters
    ----------
    source
        A path (``.csv``, ``.tsv``, ``.txt``, any of them ``.gz``, ``.bz2``, ``.xz`` or
        ``.zip``; ``.parquet``), or an open stream of bytes or text.
    sep
        ``","``, ``";"``, ``"\\t"`` (or ``"tab"``), ``"whitespace"`` (runs of spaces and
        tabs); ``None`` sniffs it from the first lines.
    encoding
        The text's encoding; ``None`` is UTF-8 (a byte-order mark is dropped).
    decimal, thousands
        How a CSV writes its numbers (pandas' options of these names); ``None`` for both
        sniffs them (:mod:`glassnet.data.number_format`). Cells written that way are read
        as plain numbers.

    Raises
    ------
    InputError
        A missing file, an unknown encoding or delimiter, text that does not decode, an
        empty file, a header with a name twice.
    """
    stack = contextlib.ExitStack()
    try:
        if isinstance(source, str | os.PathLike) and _is_parquet(Path(source)):
            return open_parquet(Path(source), stack)
        source_text = open_source(source, encoding, stack)
        return _open_csv(source_text, sep, (decimal, thousands), stack)
    except BaseException:
        stack.close()
        raise


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def _open_csv(
    source: Source,
    sep: str | None,
    marks: tuple[str | None, str | None],
    stack: contextlib.ExitStack,
) -> TableReader:
    where, sample = source.where, source.sample
    delimiter, number = delimiter_and_format(sample, sep, *marks)
    header, records_before_data, header_lines = header_of(sample, delimiter)
    if header is None:
        raise InputError(f"{where} is empty: a CSV needs a header row and data rows")
    check_header(header, where)
    names = [*column_names(header), EXTRA]
    options = {**PANDAS_OPTIONS, "names": names, "skiprows": records_before_data}
    options["sep"] = SEPARATORS[delimiter]
    if source.encoding is not None:
        options["encoding"] = source.encoding
    first_line = header_lines + 1
    source.sample = ""  # sniffed and read: not kept while the rows are read
    width = len(header)
    arrow = header_lines == records_before_data == 1 and arrow_reads(options)

    def rows(chunksize: int | None, stream: IO[Any] | None = None) -> Iterator[Rows]:
        """The rows of the file (``stream``: the file's bytes again, from its first one)."""
        read_from = stream or source.stream
        if arrow and chunksize is None:
            parsed = _parse_whole(source, read_from, options, delimiter)
        else:
            parsed = _parse(source, read_from, options, chunksize, delimiter)
        yield from _with_lines(parsed, first_line, width, where, delimiter, number)

    def resumed(
        stream: IO[bytes], chunksize: int | None, line: int, records: int
    ) -> Iterator[Rows]:
        """The rows of ``stream``: the file from line ``line``, after ``records`` records.

        A blank record goes first: pandas reads it as the first row (so a long row after it
        is an error naming its line, not "the first data row") and the rows drop it.
        """
        blank = replayed(b"," * width + b"\n", stream)  # width + 1 empty fields
        from_here = {**options, "skiprows": 0}
        parsed = _parse(source, blank, from_here, chunksize, delimiter, records)
        yield from _with_lines(parsed, line - 1, width, where, delimiter, number)

    plain = None
    if delimiter == "," and source.encoding == "utf-8" and number.plain:  # text as written
        start = PlainStart(source.stream, header_lines, records_before_data, names[:-1])
        plain = partial(plain_chunks, start, rows, resumed)
    return TableReader(where, header, delimiter, "line", rows, stack, plain, number)


def delimiter_and_format(
    sample: str, sep: str | None, decimal: str | None, thousands: str | None
) -> tuple[str, NumberFormat]:
    """The delimiter (``sep`` checked, or sniffed from ``sample``) and the number format
    (given, or sniffed from ``sample`` only when the delimiter is sniffed too)."""
    delimiter = _check_sep(sep) if sep is not None else sniff_separator(sample)
    sniffed = delimiter if sep is None else ""  # the format is sniffed with the delimiter
    return delimiter, number_format(decimal, thousands, delimiter, sample, sniffed)


def _check_sep(sep: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "space": "whitespace", " ": "whitespace"}
    delimiter = named.get(sep, sep)
    if delimiter not in SEPARATORS:
        raise InputError(
            f"unknown delimiter {sep!r}: use ',', ';', tab ('\\t' or tab) or whitespace"
        )
    return delimiter


def _parse(
    source: Source,
    stream: IO[Any],
    options: dict[str, Any],
    chunksize: int | None,
    delimiter: str,
    resumed_after: int | None = None,
) -> Iterator[pd.DataFrame]:
    """pandas' frames of text cells from ``stream``, its errors turned into glassnet's.

    ``resumed_after``: ``stream`` starts with a blank record that stands for the file's
    first ``resumed_after`` records, for the line pandas names in an error; the first
    chunk holds it and ``chunksize`` rows, so the chunks end where the file's would.
    """
    where = source.where
    width = len(options["names"]) - 1
    lead = 0 if resumed_after is None else 1
    shift = 0 if resumed_after is None else resumed_after - lead  # pandas' count -> the file's
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row too long
            if chunksize is None:
                yield pd.read_csv(stream, **options)
                return
            with pd.read_csv(stream, chunksize=chunksize, **options) as reader:
                if lead:
                    yield reader.get_chunk(chunksize + lead)
                yield from reader
    except UnicodeError as error:
        raise decode_error(where, source.asked, error) from None
    except pd.errors.EmptyDataError:
        yield pd.DataFrame(columns=options["names"], dtype=str)
    except pd.errors.ParserWarning:
        first_row = f"{where}: the first data row has {width + 2} or more fields"
        raise _too_many(first_row, width, delimiter) from None
    except pd.errors.ParserError as error:
        found = TOO_MANY.search(str(error))
        if found is None:
            problem = COUNTED.sub(lambda at: f"{at[1]} {int(at[2]) + shift}", str(error))
            raise InputError(
                f"{where} could not be parsed as {_named(delimiter)}-separated text ({problem}): "
                "pass the delimiter with --sep"
            ) from None
        _, counted, seen = found.groups()
        line = int(counted) + shift
        raise _too_many(f"{where}, line {line}: {seen} fields", width, delimiter) from None


def _parse_whole(
    source: Source, stream: IO[bytes], options: dict[str, Any], delimiter: str
) -> Iterator[pd.DataFrame]:
    """Every row at once, read by pyarrow's engine where it reads the file as the C engine
    does (:mod:`glassnet.data.arrow_csv`), else by :func:`_parse`."""
    data = stream.read()
    frame = arrow_frame(data, {**options, "names": options["names"][:-1]})  # no EXTRA
    if frame is None:
        yield from _parse(source, io.BytesIO(data), options, None, delimiter)
        return
    extra = pd.DataFrame({EXTRA: ""}, index=frame.index)  # no record with a field more
    yield pd.concat([frame, extra], axis=1)  # (a wide frame's blocks joined, not inserted)


def _named(delimiter: str) -> str:
    return {"\t": "tab", "whitespace": "whitespace"}.get(delimiter, repr(delimiter))


def _too_many(fields: str, width: int, delimiter: str) -> InputError:
    """The error for a row of more ``fields`` than the header's ``width``."""
    return InputError(
        f"{fields} but the header has {width}: check for stray delimiters or unquoted text "
        f"(read as {_named(delimiter)}-separated: pass --sep if that is wrong)"
    )


def _with_lines(
    frames: Iterator[pd.DataFrame],
    first_line: int,
    width: int,
    where: str,
    delimiter: str,
    number: NumberFormat,
) -> Iterator[Rows]:
    """Each frame's rows with their lines, blank lines dropped, a row one field too long refused,
    numbers written in ``number``'s format made plain.

    A row starts one line after the previous one's start plus the line breaks inside its
    quoted cells.
    """
    line = first_line
    for frame in frames:
        spans = 1 + sum(_line_breaks(frame[name]) for name in frame.columns)
        starts = np.cumsum(spans) - spans  # each row's first line, counted from this chunk's
        lines = (line + starts).astype(np.int64)
        line += int(np.sum(spans))
        too_long = frame[EXTRA].to_numpy() != ""
        if too_long.any():
            at = int(lines[np.argmax(too_long)])
            raise _too_many(f"{where}, line {at}: {width + 1} fields", width, delimiter)
        cells = normalized(frame.drop(columns=EXTRA), number)
        rows = Rows(cells.reset_index(drop=True), lines)
        blank = _blank_rows(cells)
        yield rows.take(~blank) if blank.any() else rows


def _blank_rows(cells: pd.DataFrame) -> NDArray[np.bool_]:
    """True for a blank line: every cell empty (looked at where the first cell is empty)."""
    blank = cells.iloc[:, 0].to_numpy(dtype=object) == ""
    if blank.any():
        candidates = np.flatnonzero(blank)
        blank[candidates] = (cells.iloc[candidates] == "").all(axis=1).to_numpy()
    return blank


def _line_breaks(column: pd.Series) -> NDArray[np.int64]:
    """The line breaks inside each cell (quoted ones), counted only in a column that has any."""
    cells = column.to_numpy(dtype=object)
    if "\n" not in "".join(cells):
        return np.zeros(len(cells), dtype=np.int64)
    return np.array([cell.count("\n") for cell in cells], dtype=np.int64)
