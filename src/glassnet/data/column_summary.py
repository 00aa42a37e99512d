"""What the column rules read of a column: counts, a flag or two, and its first bad cell.

    a column's cells (pandas: in memory, or one partition) ──summarize──> ColumnSummary
    the partitions' summaries, in order (Dask) ──merged──> one ColumnSummary

The roles (:mod:`glassnet.data.columns`) and the task (:mod:`glassnet.data.task`) are
decided from summaries only, so a table in memory and in partitions gets the same ones.
"""

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import is_text, number_cells, read_numbers, shown, texts
from glassnet.data.date_encoder import DATE_FORMATS, date_counts, looks_like_date
from glassnet.data.number_format import decimal_commas

# the counts added over blocks of rows
COUNTS = ("rows", "missing", "numbers", "chars", "distinct", "comma_decimals")
NUMERIC_SHARE = 0.5  # at least this share of a column's present cells are numbers: numeric
SAMPLE = 10_000  # distinct values kept in a sampled summary (a target's: its classes)
INTEGER = re.compile(r"[+-]?\d+")  # a cell written as an integer (a row number's)


@dataclass(frozen=True)
class ColumnSummary:
    """One column of a table as the column rules see it; rows as the reader counts them
    (a file's line, or a data row counted from 1)."""

    name: str
    text: bool  # cells as text (a CSV's), not a typed file's values
    rows: int  # rows summarized
    missing: int
    numbers: int  # present cells that read as numbers, inf included
    whole: bool  # every finite number whole and below 2**53 (int64 holds it exactly)
    unique: bool  # none missing, a different value in each row (Dask: exact for possible row ids)
    values: tuple[str, ...] = ()  # sampled: the first SAMPLE distinct present cells, sorted
    first_bad: str = ""  # the first present cell that is no finite number
    first_bad_row: int | None = None
    first_missing_row: int | None = None
    chars: int = 0  # characters in the present text cells (a typed file's: none)
    longest: int = 0  # characters in the longest present text cell
    distinct: int = 0  # distinct present cells of a text column (0 for a numeric one)
    dates: tuple[int, ...] = ()  # text cells that read as a date, per DATE_FORMATS
    comma_decimals: int = 0  # present text cells that read as numbers with a decimal comma
    counts: tuple[int, ...] = ()  # sampled: the rows of each of ``values``
    counts_up: bool = False  # every cell an integer, one more than the row before's
    first_value: float | None = None  # a counting-up column's first and last numbers
    last_value: float | None = None

    @property
    def number_share(self) -> float:
        """The share of the present cells that read as numbers (0.0 with none present)."""
        present = self.rows - self.missing
        return self.numbers / present if present else 0.0

    @property
    def numeric(self) -> bool:
        """Every present cell reads as a number."""
        return self.numbers == self.rows - self.missing


def summarize(
    column: pd.Series, rows: NDArray[np.int64], name: str, *, sampled: bool = False
) -> ColumnSummary:
    """The summary of a column's cells; ``rows`` numbers each cell's row as the reader counts."""
    values, missing, bad = read_numbers(column)
    text = is_text(column)
    numbers = _numbers(column, values, missing, bad, text)
    finite = values[np.isfinite(values)]
    n_distinct = int(column[~missing].nunique())
    shape = _text_shape(column, values, missing, numbers, n_distinct) if text else {}
    return ColumnSummary(
        name=name,
        text=text,
        rows=len(column),
        missing=int(missing.sum()),
        numbers=numbers,
        whole=bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53)),
        unique=not missing.any() and n_distinct == len(column),
        first_bad=shown(column[bad].iloc[0]) if bad.any() else "",
        first_bad_row=int(rows[np.argmax(bad)]) if bad.any() else None,
        first_missing_row=int(rows[np.argmax(missing)]) if missing.any() else None,
        **_counting_up(column, values),
        **(_sampled(texts(column[~missing])) if sampled else {}),
        **shape,
    )


def _numbers(
    column: pd.Series,
    values: NDArray[np.float64],
    missing: NDArray[np.bool_],
    bad: NDArray[np.bool_],
    text: bool,
) -> int:
    """The present cells that read as numbers, inf included."""
    if not text:
        return int((~missing).sum()) if pd.api.types.is_numeric_dtype(column.dtype) else 0
    return int(number_cells(column, values, bad).sum())


def _counting_up(column: pd.Series, values: NDArray[np.float64]) -> dict[str, Any]:
    """Whether the cells are integers (``17``, not ``17.0``) counting up by one, row after
    row (a row number), and from what to what."""
    if not values.size or not np.all(np.isfinite(values)):
        return {}
    if not np.all(np.diff(values) == 1):  # x[i+1] - x[i] = 1, every row
        return {}
    if is_text(column):
        integers = all(INTEGER.fullmatch(cell) for cell in texts(column))
    else:
        integers = pd.api.types.is_integer_dtype(column.dtype)
    if not integers:
        return {}
    return {"counts_up": True, "first_value": float(values[0]), "last_value": float(values[-1])}


def _sampled(present: NDArray[np.object_]) -> dict[str, Any]:
    """The first SAMPLE distinct present values (sorted) and the rows of each."""
    values, counts = np.unique(present.astype(str), return_counts=True)
    return {
        "values": tuple(str(value) for value in values[:SAMPLE]),
        "counts": tuple(int(count) for count in counts[:SAMPLE]),
    }


def _text_shape(
    column: pd.Series,
    values: NDArray[np.float64],
    missing: NDArray[np.bool_],
    numbers: int,
    n_distinct: int,
) -> dict[str, Any]:
    """A text column's characters, longest cell, distinct values (text-like columns only) and
    cells that read as dates in each format."""
    present = texts(column[~missing])
    lengths = np.array([len(cell) for cell in present], dtype=np.int64)
    strings = present[np.isnan(values[~missing])]  # not numbers
    dated = strings.size and looks_like_date(strings[0])
    return {
        "chars": int(lengths.sum()),
        "longest": int(lengths.max(initial=0)),
        "distinct": n_distinct if numbers < NUMERIC_SHARE * present.size else 0,
        "dates": date_counts(strings) if dated else (),
        "comma_decimals": decimal_commas(strings)[0],  # 183,7 read as text
    }


def merged(parts: Sequence[ColumnSummary], offsets: Sequence[int]) -> ColumnSummary:
    """One summary of a column's consecutive blocks of rows (a dask DataFrame's partitions),
    ``offsets[k]`` added to block ``k``'s rows. ``unique`` is each block's, not across them."""
    bad_part, bad_row = _first(parts, offsets, "first_bad_row")
    _, missing_row = _first(parts, offsets, "first_missing_row")
    counted: Counter[str] = Counter()
    for part in parts:
        counted.update(dict(zip(part.values, part.counts, strict=True)))
    values = sorted(counted)[:SAMPLE]
    dated = [part.dates or (0,) * len(DATE_FORMATS) for part in parts]
    return ColumnSummary(
        name=parts[0].name,
        text=parts[0].text,
        **{count: sum(getattr(part, count) for part in parts) for count in COUNTS},
        whole=all(part.whole for part in parts),
        unique=all(part.unique for part in parts),
        values=tuple(values),
        first_bad="" if bad_part is None else bad_part.first_bad,
        first_bad_row=bad_row,
        first_missing_row=missing_row,
        longest=max(part.longest for part in parts),
        dates=tuple(int(n) for n in np.sum(dated, axis=0)) if any(p.dates for p in parts) else (),
        counts=tuple(counted[value] for value in values) if parts[0].counts else (),
        **_counted_up(parts),
    )


def _counted_up(parts: Sequence[ColumnSummary]) -> dict[str, Any]:
    """Consecutive blocks that each count up by one count up together when each block starts
    one above where the block before it ended (empty blocks left out)."""
    parts = [part for part in parts if part.rows]
    if not parts or not all(part.counts_up for part in parts):
        return {}
    joined = all(
        after.first_value == before.last_value + 1  # type: ignore[operator]
        for before, after in itertools.pairwise(parts)
    )
    if not joined:
        return {}
    return {"counts_up": True, "first_value": parts[0].first_value,
            "last_value": parts[-1].last_value}  # fmt: skip


def _first(
    parts: Sequence[ColumnSummary], offsets: Sequence[int], field: str
) -> tuple[ColumnSummary | None, int | None]:
    """The first block with a row in ``field``, and that row shifted by the block's offset."""
    for part, offset in zip(parts, offsets, strict=True):
        row = getattr(part, field)
        if row is not None:
            return part, row + offset
    return None, None
