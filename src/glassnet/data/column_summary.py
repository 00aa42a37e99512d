"""What the column rules read of a column: counts, a flag or two, and its first bad cell.

    a column's cells (pandas, in memory) ──summarize──> ColumnSummary
    each partition's column ──summarize──> ColumnSummary ┐
    the partitions' summaries, in order ──merged─────────┴> one ColumnSummary (Dask)

The roles of :mod:`glassnet.data.columns` and the task of :mod:`glassnet.data.task`
are decided from summaries only, so a table in memory and the same table in
partitions get the same roles, task and messages. A cell's meaning (missing, a
number) is :mod:`glassnet.data.cells`'.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import is_number, is_text, read_numbers, texts

SAMPLE = 10_000  # distinct values kept in a sampled summary (a target's: its classes)


@dataclass(frozen=True)
class ColumnSummary:
    """One column of a table, as the column rules see it.

    Attributes
    ----------
    name : str
    text : bool
        The cells are text (a CSV's), not a typed file's values.
    rows, missing : int
        The rows summarized, and the missing cells among them.
    numbers : int
        The present cells that read as numbers (``inf`` included).
    whole : bool
        Every finite number is whole and below 2**53 (int64 holds it exactly).
    unique : bool
        None missing and a different value in every row. Over partitions it is
        checked across them only for a column that could be a row id
        (:func:`glassnet.data.columns.looks_like_row_id`), the only place it is read.
    values : tuple of str
        A sampled summary's distinct present cells' text, sorted, the first
        :data:`SAMPLE` of them; ``()`` unsampled.
    first_bad, first_bad_row : str, int or None
        The first present cell that is no finite number, and its row as the reader
        counts rows (a file's line, or a data row counted from 1).
    first_missing_row : int or None
        The row of the first missing cell.
    """

    name: str
    text: bool
    rows: int
    missing: int
    numbers: int
    whole: bool
    unique: bool
    values: tuple[str, ...] = ()
    first_bad: str = ""
    first_bad_row: int | None = None
    first_missing_row: int | None = None

    @property
    def present(self) -> int:
        """The cells that are not missing."""
        return self.rows - self.missing

    @property
    def number_share(self) -> float:
        """The share of the present cells that read as numbers (0.0 with none present)."""
        return self.numbers / self.present if self.present else 0.0

    @property
    def numeric(self) -> bool:
        """Every present cell reads as a number."""
        return self.numbers == self.present


def summarize(
    column: pd.Series, rows: NDArray[np.int64], name: str, *, sampled: bool = False
) -> ColumnSummary:
    """The summary of a column's cells; ``rows`` numbers each cell's row as the reader counts."""
    values, missing, bad = read_numbers(column)
    text = is_text(column)
    if text:  # a bad cell that reads as a number is inf
        numbers = int(np.isfinite(values).sum()) + sum(map(is_number, texts(column[bad])))
    else:
        numbers = int((~missing).sum()) if pd.api.types.is_numeric_dtype(column.dtype) else 0
    finite = values[np.isfinite(values)]
    return ColumnSummary(
        name=name,
        text=text,
        rows=len(column),
        missing=int(missing.sum()),
        numbers=numbers,
        whole=bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53)),
        unique=not missing.any() and column.nunique() == len(column),
        values=tuple(sorted(set(texts(column[~missing])))[:SAMPLE]) if sampled else (),
        first_bad=str(column[bad].iloc[0]) if bad.any() else "",
        first_bad_row=int(rows[np.argmax(bad)]) if bad.any() else None,
        first_missing_row=int(rows[np.argmax(missing)]) if missing.any() else None,
    )


def merged(parts: Sequence[ColumnSummary], offsets: Sequence[int]) -> ColumnSummary:
    """One summary of a column's consecutive blocks of rows (a dask DataFrame's partitions).

    ``offsets[k]`` is added to block ``k``'s row numbers. ``unique`` is every block's:
    a value repeated across blocks is not seen here.
    """
    bad_part, bad_row = _first(parts, offsets, "first_bad_row")
    _, missing_row = _first(parts, offsets, "first_missing_row")
    values = sorted(set().union(*(part.values for part in parts)))[:SAMPLE]
    return ColumnSummary(
        name=parts[0].name,
        text=parts[0].text,
        rows=sum(part.rows for part in parts),
        missing=sum(part.missing for part in parts),
        numbers=sum(part.numbers for part in parts),
        whole=all(part.whole for part in parts),
        unique=all(part.unique for part in parts),
        values=tuple(values),
        first_bad="" if bad_part is None else bad_part.first_bad,
        first_bad_row=bad_row,
        first_missing_row=missing_row,
    )


def _first(
    parts: Sequence[ColumnSummary], offsets: Sequence[int], field: str
) -> tuple[ColumnSummary | None, int | None]:
    """The first block with a row in ``field``, and that row shifted by the block's offset."""
    for part, offset in zip(parts, offsets, strict=True):
        row = getattr(part, field)
        if row is not None:
            return part, row + offset
    return None, None
