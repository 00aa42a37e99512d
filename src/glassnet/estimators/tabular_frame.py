"""A DataFrame read as ``glassnet train`` reads a CSV: the same column rules, notes and encoding.

    X (a DataFrame, or an array: columns x0, x1, ...)
      ──frame_cells──> cells as a CSV holds them: datetime64 as its dates' text (ISO),
                       True/False as text; numbers and text as they are
      ──column_kinds (glassnet.data.columns)──> numeric, categorical, dates;
                       row ids and free text left out, each with its note
      ──typed_features (glassnet.data.table_encoder)──> the Table a run encodes

So a table gives the Tabular estimators the roles, notes and encoded features it gives
``glassnet train --data table.csv``: an id column is left out, a date column (text such
as ``2007-11-11`` or ``11.11.2007``, or datetime64) becomes year, day of year and day of
week (:mod:`glassnet.data.date_encoder`). A date cell that is no date in its column's
format is missing to the date encoder, which imputes it.
"""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.columns import ColumnChoice, column_kinds, left_out_reasons
from glassnet.data.dataset import Dataset, Table
from glassnet.data.reading import Rows
from glassnet.data.table_encoder import check_numbers, typed_features

TARGET = "y"  # the target's name inside the run
WHERE = "X"  # the table's name in messages


def frame_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its dates and truth values as text, as ``DataFrame.to_csv`` writes them.

    A datetime64 column at midnight throughout becomes ``2007-11-11`` (a date the column
    rules find), else ``2007-11-11 10:30:00``; NaT stays missing. A bool column becomes
    ``True`` / ``False``, categories to a CSV. Every other column is kept as it is.
    """
    converted = {}
    for name in frame.columns:
        column = frame[name]
        dates = pd.api.types.is_datetime64_any_dtype(column.dtype)
        if dates or pd.api.types.is_bool_dtype(column.dtype):
            text = column.astype(str).astype(object)
            converted[name] = text.where(column.notna(), None)
    return frame.assign(**converted) if converted else frame


def frame_dataset(frame: pd.DataFrame, y: NDArray[Any], task: str, estimator: str) -> Dataset:
    """The frame's features as ``glassnet train`` reads a table's, and the targets ``y``.

    Raises
    ------
    ValueError
        (:class:`~glassnet.errors.InputError`) for a numeric cell that is no finite number,
        a column missing in every row, or no column left once the row ids are left out.
    """
    names = [str(name) for name in frame.columns]
    rows = Rows(frame, np.arange(len(frame), dtype=np.int64))  # rows named from 0, as iloc
    choice = ColumnChoice(
        targets=(), features=tuple(names), named=frozenset(), categorical=frozenset(), dropped=()
    )
    kinds = column_kinds(rows, choice, WHERE)
    check_numbers(frame, list(kinds.numeric), WHERE)  # a present cell that is no finite number
    typed = typed_features(frame, kinds.numeric, [*kinds.categorical, *kinds.dates])
    left_out = left_out_reasons(choice, kinds)  # no column dropped: ids and free text
    used = [*kinds.numeric, *kinds.categorical, *kinds.dates]
    table = Table(
        columns=(*names, TARGET),
        frame=typed,
        numeric=kinds.numeric,
        categorical=kinds.categorical,
        targets=(TARGET,),
        task_reason=f"{task}: {estimator}",
        left_out=left_out,
        missing={name: int(typed[name].isna().sum()) for name in used},
        notes=kinds.notes,
        lines=rows.lines,
        sep="",
        fingerprint={},
        dates=kinds.dates,
    )
    return Dataset(
        X=np.empty((len(frame), 0)),  # (n, 0): the run encodes the table once
        y=y,
        feature_names=[],
        target_name=TARGET,
        task=task,
        name="DataFrame",
        description=f"a DataFrame of {len(frame)} rows and {len(names)} columns",
        table=table,
    )
