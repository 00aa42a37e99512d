"""What a table's cells mean: missing, a number, or a category's name.

One rule for every reader and every command, so training and predicting read a cell
the same way:

- **missing**: empty (spaces only), or one of ``NA``, ``N/A``, ``NaN``, ``null``,
  ``None``, ``<NA>``, ``#N/A`` in any case; in a Parquet file, a null.
- **a number**: what ``pandas.to_numeric`` reads after the spaces are stripped (``2.5``,
  ``-6e-1``, ``inf``); ``inf`` and ``1e999`` are numbers but not finite, so a feature
  or target holding one is refused (or its row skipped).
- **a category**: the cell's text without its spaces; a Parquet number used as a
  category is written as Python writes it, a whole float without ``.0``.
"""

import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "<na>", "#n/a"})  # lower case
SHOWN_CHARS = 60  # a cell quoted in a message is cut to this many characters


def shown(cell: Any) -> str:
    """A cell's text as a message quotes it: cut to :data:`SHOWN_CHARS` characters."""
    text = str(cell)
    return text if len(text) <= SHOWN_CHARS else f"{text[: SHOWN_CHARS - 3]}..."


def is_number(cell: str) -> bool:
    """Whether a cell's text reads as a number (finite or not), as pandas reads numbers."""
    return bool(pd.notna(pd.to_numeric(pd.Series([str(cell).strip()]), errors="coerce")[0]))


def is_text(column: pd.Series) -> bool:
    """Whether the column holds cells as text (a CSV's), not values of a typed file's."""
    return not (
        pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
    )


def texts(column: pd.Series) -> NDArray[np.object_]:
    """Each cell's text without surrounding spaces (``""`` for a null), as an object array."""
    return np.array(
        [
            value.strip() if isinstance(value, str) else "" if _is_null(value) else str(value)
            for value in column.to_numpy(dtype=object)
        ],
        dtype=object,
    )


def _is_null(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _missing_texts(stripped: NDArray[np.object_]) -> NDArray[np.bool_]:
    return np.array([len(t) <= 4 and t.lower() in MISSING for t in stripped], dtype=bool)


def missing_cells(column: pd.Series) -> NDArray[np.bool_]:
    """True where a cell is missing (see the module's rule)."""
    if not is_text(column):
        return column.isna().to_numpy()
    return _missing_texts(texts(column))


def read_numbers(
    column: pd.Series,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """``(values, missing, bad)``: the cells as float64 (NaN where missing or bad), where they
    are missing, and where they are present but no finite number (``'12 kg'``, ``inf``)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        values = column.astype(float).to_numpy()
        missing = column.isna().to_numpy()
    elif not is_text(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = column.isna().to_numpy()
    else:  # pandas reads " 4 " as 4; only the cells it cannot read are looked at again
        raw = column.to_numpy(dtype=object)
        values = np.asarray(pd.to_numeric(raw, errors="coerce"), dtype=np.float64)
        unread = np.flatnonzero(np.isnan(values))
        missing = np.zeros(len(raw), dtype=bool)
        missing[unread] = _missing_texts(texts(pd.Series(raw[unread], dtype=object)))
    bad = ~missing & ~np.isfinite(values)
    return np.where(missing | bad, np.nan, values), missing, bad


def number_share(column: pd.Series) -> float:
    """The share of the present cells that read as numbers (1.0 for a numeric dtype)."""
    if not is_text(column):
        return 1.0 if pd.api.types.is_numeric_dtype(column.dtype) else 0.0
    values, missing, bad = read_numbers(column)
    present = ~missing
    if not present.any():
        return 0.0
    return float(number_cells(column, values, bad)[present].mean())


def number_cells(
    column: pd.Series, values: NDArray[np.float64], bad: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Where a text column's present cells read as numbers, inf included (``values`` and
    ``bad`` are :func:`read_numbers`'s); only the bad cells are read again."""
    numbers = ~np.isnan(values)
    if bad.any():
        cells = pd.to_numeric(texts(column[bad]), errors="coerce").astype(np.float64)
        numbers[bad] = np.isinf(cells)
    return numbers


def as_categories(column: pd.Series) -> NDArray[np.object_]:
    """The cells as category names (str), NaN where missing: what the one-hot encoder takes."""
    if is_text(column):
        names = texts(column)
        names[_missing_texts(names)] = np.nan
        return names
    names = np.array([_category_name(value) for value in column.to_numpy(dtype=object)], object)
    names[column.isna().to_numpy()] = np.nan
    return names


def _category_name(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_problem(cell: Any, *, numeric: bool) -> str:
    """What is wrong with a cell, in words, or ``""``: a missing value, not a number, not finite."""
    text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)
    if text.strip().lower() in MISSING:
        return f"missing value {text!r}"
    if not numeric:
        return ""
    if not is_number(text):
        return f"{shown(text)!r} is not a number"
    return "" if math.isfinite(float(text.strip())) else f"non-finite value {text!r}"
