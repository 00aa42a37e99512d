"""Read a CSV stream in chunks of rows, some columns by name as numbers, checked cell by cell.

    header ──find the columns by name──> indices          (missing ones: one error listing them)
    rows ──up to chunk_size at a time──> Chunk: each record's text as read, its cells,
                                          its line number, X (m, d) float64

Only one chunk is held at a time, so a file of any size is read in the memory of
``chunk_size`` rows. A numeric cell that is empty, not a number, NaN or inf is an
error naming its line and column (``nan="error"``), or drops its row
(``nan="skip"``, counted in :attr:`CsvChunks.skipped`).
"""

import csv
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import IO

import numpy as np
from numpy.typing import NDArray

from glassnet.data.datasets import MISSING
from glassnet.errors import InputError

NAN_POLICIES = ("error", "skip")
DEFAULT_CHUNK_SIZE = 10_000


@dataclass
class Chunk:
    """Consecutive data rows: each record's text, its cells, its line number, the numbers.

    ``texts[i]`` is record ``i`` exactly as it was in the file (quotes included),
    without its line ending; ``X`` holds the numeric columns, shape (m, n_numeric).
    """

    texts: list[str]
    rows: list[list[str]]
    lines: list[int]
    X: NDArray[np.float64]


class _RecordedLines:
    """The lines of a stream, remembering those read since the last :meth:`take`."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines = iter(stream)
        self._taken: list[str] = []

    def __iter__(self) -> "_RecordedLines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._taken.append(line)
        return line

    def take(self) -> str:
        """The text read since the last call: one record, possibly over several lines."""
        taken = self._taken
        text = taken[0] if len(taken) == 1 else "".join(taken)  # one line, nearly always
        taken.clear()
        return text.rstrip("\r\n")


class CsvChunks:
    """The data rows of a CSV text stream in chunks, some columns read as numbers.

    Iterating yields :class:`Chunk` objects of at most ``chunk_size`` rows, never empty.

    Parameters
    ----------
    source
        An open text stream (opened with ``newline=""``); its first non-blank line
        is the header, kept in :attr:`header` (cells) and :attr:`header_text`.
    where
        The stream's name in error messages, e.g. ``"'data.csv'"``.
    numeric
        The columns to read as finite float64, by name, in the order of ``Chunk.X``.
    text
        Further columns whose cells must not be missing (a label column).
    nan
        ``"error"``: a bad cell raises :class:`InputError` naming its line and
        column; ``"skip"``: its row is dropped and counted in :attr:`skipped`.
    chunk_size
        Rows per chunk (before skipping).

    Raises
    ------
    InputError
        If the stream is empty, lacks a column, or names one of them twice.
    """

    def __init__(
        self,
        source: IO[str],
        where: str,
        numeric: Sequence[str],
        *,
        text: Sequence[str] = (),
        nan: str = "error",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        if nan not in NAN_POLICIES:
            raise InputError(f"nan must be one of {', '.join(NAN_POLICIES)}, got {nan!r}")
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise InputError(f"chunk_size must be a whole number of 1 or more, got {chunk_size!r}")
        if not numeric:
            raise InputError("at least one numeric column is needed")
        self.where, self.nan, self.chunk_size = where, nan, chunk_size
        records = self._records(_RecordedLines(source))
        try:
            _, self.header_text, self.header = next(records)
        except StopIteration:
            raise InputError(f"{where} is empty: a CSV needs a header row") from None
        self._data = records
        self.numeric = column_indices(self.header, numeric, where)
        self.text = column_indices(self.header, text, where)
        self._get = itemgetter(*self.numeric)
        self.skipped = 0

    def __iter__(self) -> Iterator[Chunk]:
        texts: list[str] = []
        rows: list[list[str]] = []
        lines: list[int] = []
        width, size = len(self.header), self.chunk_size
        for line, text, row in self._data:
            if len(row) != width:
                raise InputError(
                    f"{self.where}, line {line}: {len(row)} fields but the header has "
                    f"{width}: check for stray commas or unquoted text"
                )
            texts.append(text)
            rows.append(row)
            lines.append(line)
            if len(rows) == size:
                yield from self._convert(Chunk(texts, rows, lines, np.empty(0)))
                texts, rows, lines = [], [], []
        if rows:
            yield from self._convert(Chunk(texts, rows, lines, np.empty(0)))

    def _records(self, source: _RecordedLines) -> Iterator[tuple[int, str, list[str]]]:
        """``(line number, text, cells)`` of each non-blank record, the header first."""
        reader = csv.reader(source)
        line = 1  # where the next record starts: a quoted cell may span lines
        try:
            for row in reader:
                text = source.take()
                if len(row) > 1 or (row and row[0].strip()):  # skip blank lines
                    yield line, text, row
                line = reader.line_num + 1
        except (UnicodeDecodeError, csv.Error) as error:
            raise InputError(f"could not read {self.where} as a UTF-8 CSV file: {error}") from None

    def _convert(self, chunk: Chunk) -> Iterator[Chunk]:
        """The chunk with its numbers, without its bad rows (nothing, when every row is bad)."""
        rows = chunk.rows
        m, d = len(rows), len(self.numeric)
        try:
            X = np.array([self._get(row) for row in rows], dtype=np.float64).reshape(m, d)
        except ValueError:  # a cell that is no number: find which, row by row
            X = np.array([[_as_float(row[j]) for j in self.numeric] for row in rows]).reshape(m, d)
        good = np.isfinite(X).all(axis=1)  # (m,): NaN marks a cell that was no number
        for j in self.text:
            good &= np.array([row[j].strip().lower() not in MISSING for row in rows])
        if good.all():
            chunk.X = X
            yield chunk
            return
        if self.nan == "error":
            first = int(np.argmin(good))
            raise self._cell_error(rows[first], chunk.lines[first])
        kept = np.flatnonzero(good)
        self.skipped += m - kept.size
        if kept.size:
            texts, lines = [chunk.texts[i] for i in kept], [chunk.lines[i] for i in kept]
            yield Chunk(texts, [rows[i] for i in kept], lines, X[kept])

    def _cell_error(self, row: list[str], line: int) -> InputError:
        for j in (*self.numeric, *self.text):
            problem = _problem(row[j], numeric=j in self.numeric)
            if problem:
                return InputError(
                    f"{self.where}, line {line}, column {self.header[j].strip()!r}: {problem} "
                    "(fix or drop the row; --nan skip drops such rows)"
                )
        raise AssertionError("a row marked bad has no bad cell")  # pragma: no cover


def column_indices(header: Sequence[str], names: Sequence[str], where: str) -> list[int]:
    """The position of each of ``names`` in ``header`` (names compared without spaces).

    Raises
    ------
    InputError
        Listing every missing column, or naming one the header has twice.
    """
    stripped = [name.strip() for name in header]
    missing = [name for name in names if name not in stripped]
    if missing:
        raise InputError(
            f"{where} lacks the column(s) {', '.join(map(repr, missing))}; the model needs "
            f"{_listed(names)}, the file has {_listed(stripped)}"
        )
    twice = [name for name in names if stripped.count(name) > 1]
    if twice:
        raise InputError(f"{where} has the column {twice[0]!r} twice: which one is meant?")
    return [stripped.index(name) for name in names]


def _as_float(cell: str) -> float:
    """The cell as a float, NaN when it is no number (the row is then a bad row)."""
    try:
        return float(cell)
    except ValueError:
        return math.nan


def _problem(cell: str, *, numeric: bool) -> str:
    """What is wrong with a cell, or ``""``."""
    if cell.strip().lower() in MISSING:
        return f"missing value {cell!r}"
    if not numeric:
        return ""
    try:
        value = float(cell)
    except ValueError:
        return f"{cell!r} is not a number"
    return "" if math.isfinite(value) else f"non-finite value {cell!r}"


def _listed(names: Sequence[str], limit: int = 20) -> str:
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
