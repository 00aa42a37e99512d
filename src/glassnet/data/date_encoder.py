"""Dates as numbers: a date column read by its format, encoded as year and two cycles.

For a date d in a column of format f (one of :data:`DATE_FORMATS`)::

    year        d.year                                   (the trend)
    doy_sin     sin(2 pi (day_of_year - 1) / 365.25)     the season, as a point on a circle,
    doy_cos     cos(2 pi (day_of_year - 1) / 365.25)     so 31 December sits next to 1 January
    dow_sin     sin(2 pi day_of_week / 7)                the week (Monday 0), on a circle too
    dow_cos     cos(2 pi day_of_week / 7)

A cell that is missing or no date in the column's format gives NaN in all five (the
imputer after it fills them in). :class:`DateEncoder` has no fitted state beyond its
inputs' names, so a model file saves it by its parameter, the formats
(:mod:`glassnet.files.transformer_leaves`). :func:`date_format` is the one rule of which
format a column's cells are written in.
"""

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y")  # ISO first: ties go left
DATE_SHAPE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")
PARTS = ("year", "doy_sin", "doy_cos", "dow_sin", "dow_cos")
YEAR_DAYS = 365.25
WEEK_DAYS = 7


def parse_dates(cells: ArrayLike, date_format: str) -> "pd.Series[pd.Timestamp]":
    """The cells as dates in ``date_format`` (NaT where missing or not such a date)."""
    text = pd.Series(np.asarray(cells, dtype=object)).map(
        lambda cell: cell.strip() if isinstance(cell, str) else None
    )
    return pd.to_datetime(text, format=date_format, errors="coerce")


def looks_like_date(cell: str) -> bool:
    """Whether a cell is shaped like a date of :data:`DATE_FORMATS` (checked before parsing)."""
    return bool(DATE_SHAPE.fullmatch(cell))


def date_counts(cells: ArrayLike) -> tuple[int, ...]:
    """How many cells read as a date in each of :data:`DATE_FORMATS`."""
    return tuple(int(parse_dates(cells, f).notna().sum()) for f in DATE_FORMATS)


def date_format(counts: Sequence[int], present: int) -> str | None:
    """The format every present cell is written in (the first in the list), or None."""
    if present == 0 or not counts:
        return None
    return next((f for f, n in zip(DATE_FORMATS, counts, strict=True) if n == present), None)


def date_parts(dates: "pd.Series[pd.Timestamp]") -> NDArray[np.float64]:
    """Year, day of year and day of week (sine and cosine) of each date, (n, 5); NaN for NaT."""
    day_of_year = 2 * np.pi * (dates.dt.day_of_year.to_numpy(dtype=np.float64) - 1) / YEAR_DAYS
    day_of_week = 2 * np.pi * dates.dt.day_of_week.to_numpy(dtype=np.float64) / WEEK_DAYS
    year = dates.dt.year.to_numpy(dtype=np.float64)
    columns = [year, np.sin(day_of_year), np.cos(day_of_year)]
    columns += [np.sin(day_of_week), np.cos(day_of_week)]
    return np.column_stack(columns)  # (n, 5)


class DateEncoder(TransformerMixin, BaseEstimator):
    """Date columns as five numbers each: year, day of year and day of week as sine and cosine.

    Parameters
    ----------
    formats
        One ``strftime`` format per column, each one of :data:`DATE_FORMATS`.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        The columns, when fitted on a DataFrame.
    """

    def __init__(self, formats: Sequence[str] = ()) -> None:
        self.formats = formats

    def fit(self, X: Any, y: Any = None) -> "DateEncoder":
        """Check the formats against the columns; there is nothing to learn."""
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
        return self._set_inputs(X.shape[1], names)

    def _set_inputs(self, n: int, names: list[str] | None) -> "DateEncoder":
        """Check the formats against ``n`` columns and keep the columns' names (if any)."""
        if len(self.formats) != n or any(f not in DATE_FORMATS for f in self.formats):
            raise ValueError(f"formats must be {n} of {', '.join(DATE_FORMATS)}")
        self.n_features_in_ = n
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X: Any) -> NDArray[np.float64]:
        """Each column's dates as :data:`PARTS`, (n, 5 * n_columns); NaN for a non-date."""
        check_is_fitted(self, "n_features_in_")
        columns = X.to_numpy(dtype=object) if isinstance(X, pd.DataFrame) else np.asarray(X)
        if columns.ndim != 2 or columns.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} column(s)")
        parts = [date_parts(parse_dates(columns[:, j], f)) for j, f in enumerate(self.formats)]
        return np.hstack(parts) if parts else np.empty((len(columns), 0))

    def get_feature_names_out(self, input_features: Any = None) -> NDArray[np.object_]:
        """``<column>_year``, ``<column>_doy_sin``, ... for each column."""
        check_is_fitted(self, "n_features_in_")
        names = getattr(self, "feature_names_in_", [f"x{j}" for j in range(self.n_features_in_)])
        return np.asarray([f"{name}_{part}" for name in names for part in PARTS], dtype=object)


def rebuilt_date_encoder(formats: Sequence[str], n: int, names: list[str] | None) -> DateEncoder:
    """A fitted DateEncoder from what a model file holds: its formats and input names."""
    return DateEncoder(list(formats))._set_inputs(n, names)


def date_examples(encoder: DateEncoder) -> list[list[Any]]:
    """Per column, cells to check a saved encoder with: two dates in its format, a missing one."""
    days = (pd.Timestamp("2021-03-14"), pd.Timestamp("1999-12-31"))
    return [[*(day.strftime(f) for day in days), np.nan] for f in encoder.formats]
