"""Rows of a table and an open table's reader: what every reader (CSV, Parquet) gives.

:class:`Rows` are consecutive rows with the line of the file each starts on;
:class:`TableReader` is an open table whose header is known and whose rows come whole
(:meth:`~TableReader.read`) or in chunks (:meth:`~TableReader.chunks`).
"""

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.listing import listed
from glassnet.data.number_format import NumberFormat
from glassnet.data.table_choices import DEFAULT_CHUNK_SIZE
from glassnet.errors import InputError

MAX_COLUMNS = 10_000  # a wider header is refused before any column is read


@dataclass
class Rows:
    """Consecutive rows of a table.

    Attributes
    ----------
    frame : DataFrame
        One column per header name (stripped of spaces); a CSV's cells are their text as in
        the file (``""`` when empty), a Parquet file's keep their types.
    lines : ndarray of shape (n_rows,)
        The line of the file where each row starts (a CSV), or the row's number counted
        from 1 (Parquet).
    records : str or None
        For plain records (:mod:`glassnet.data.plain_records`): their text as the file
        holds it, one record a line, each ending in ``"\n"``; ``frame`` then holds only the
        columns asked for, as finite float64. ``None`` for rows read cell by cell.
    """

    frame: pd.DataFrame
    lines: NDArray[np.int64]
    records: str | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def take(self, keep: NDArray[np.bool_]) -> "Rows":
        """The rows where ``keep`` is True."""
        records = self.records
        if records is not None:
            records = "".join(itertools.compress(records.splitlines(keepends=True), keep))
        return Rows(self.frame[keep].reset_index(drop=True), self.lines[keep], records)


@dataclass
class TableReader:
    """An open table: its header is known, its rows are read by :meth:`read` or :meth:`chunks`.

    Attributes
    ----------
    where : str
        The source's name in messages: ``'data.csv'`` or ``standard input``.
    header : list of str
        The column names as the file spells them (spaces kept); ``columns`` has them stripped.
    sep : str
        The delimiter read with: ``,``, ``;``, ``\\t``, ``whitespace``, or ``parquet``.
    line_word : str
        ``"line"`` for a CSV (rows are named by their line), ``"row"`` for Parquet.
    number : NumberFormat
        How the file writes its numbers (a CSV's cells are read as plain numbers).
    """

    where: str
    header: list[str]
    sep: str
    line_word: str
    _rows: Callable[[int | None], Iterator[Rows]] = field(repr=False)
    _stack: contextlib.ExitStack = field(repr=False)
    _plain: Callable[[int, list[str]], Iterator[Rows]] | None = field(default=None, repr=False)
    number: NumberFormat = field(default_factory=NumberFormat)

    @property
    def columns(self) -> list[str]:
        """The column names, stripped of spaces; an unnamed column is ``"Unnamed: k"``."""
        return column_names(self.header)

    def read(self) -> Rows:
        """Every row (blank lines left out)."""
        return next(self._rows(None))

    def chunks(
        self, chunksize: int = DEFAULT_CHUNK_SIZE, numbers: Sequence[str] | None = None
    ) -> Iterator[Rows]:
        """The rows ``chunksize`` at a time (fewer when blank lines are left out), never empty.

        With ``numbers`` (some of :attr:`columns`), a comma-separated UTF-8 file gives each
        chunk of plain records as its text with those columns read as finite float64
        (:attr:`Rows.records`), and any other chunk as usual; other tables ignore it.
        """
        if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
            raise InputError(f"chunk_size must be a whole number of 1 or more, got {chunksize!r}")
        if numbers and self._plain is not None:
            chunks = self._plain(chunksize, list(numbers))
        else:
            chunks = self._rows(chunksize)
        return (rows for rows in chunks if len(rows))

    def close(self) -> None:
        """Close the file."""
        self._stack.close()

    def __enter__(self) -> "TableReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def column_names(header: list[str]) -> list[str]:
    """The header's names stripped of spaces; an empty one is ``"Unnamed: k"`` (k from 0), as
    pandas names it."""
    names = [name.strip() for name in header]
    return [name or f"Unnamed: {k}" for k, name in enumerate(names)]


def check_header(header: list[str], where: str) -> None:
    """Refuse a header of numbers, one wider than :data:`MAX_COLUMNS`, or a name twice."""
    from glassnet.data.cells import number_share  # the one rule of what a number is

    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"{where} has {len(header)} columns, more than the {MAX_COLUMNS} glassnet reads "
            "(or the delimiter is wrong: pass --sep): keep the columns you need first"
        )
    names = pd.Series([name.strip() for name in header], dtype=object)
    if number_share(names) == 1.0:
        raise InputError(
            f"{where} has no header row (its first line is all numbers): "
            "add a first line with the column names"
        )
    named = names[names != ""]
    twice = sorted(set(named[named.duplicated()]))
    if twice:
        raise InputError(f"{where} has duplicate column names {listed(twice)}: rename them")
