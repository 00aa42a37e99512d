"""A data set from a real table: any CSV or Parquet file, text columns and missing cells included.

    file ──read_table──> rows of text cells, each with its line
    --target, --features, --drop, --categorical ──choose_columns──> the targets, the features
    rows missing a target ──dropped, counted (--nan error: refused)
    features' cells ──column_kinds──> numeric, categorical; row ids left out
    bad cells ──--nan impute: kept as NaN for the imputer | skip: rows dropped | error──>
    targets ──target_values──> y, the task and why

The :class:`Dataset` it returns holds ``X`` imputed and one-hot encoded but not scaled
(:func:`first_look`: an encoder fitted on every row). A run asks for no ``X``
(``encode=False``): it fits its encoder on its training rows and encodes the table once
(:mod:`glassnet.runs.encoding`), from :attr:`Dataset.table`.
"""

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from glassnet.data.cells import is_number, missing_cells, read_numbers
from glassnet.data.cells import shown as quoted
from glassnet.data.column_encoders import missing_as_category
from glassnet.data.columns import ColumnKinds, choose_columns, column_kinds, left_out_reasons
from glassnet.data.dataset import Dataset, Table
from glassnet.data.date_encoder import parse_dates
from glassnet.data.reading import Rows, read_table
from glassnet.data.sources import file_fingerprint
from glassnet.data.table_choices import check_nan_policy
from glassnet.data.table_encoder import build_preprocessor, encoded, typed_features
from glassnet.data.task import target_values
from glassnet.errors import InputError


def read_tabular(
    path: str | os.PathLike[str],
    target: str | Sequence[str],
    *,
    task: str = "auto",
    features: str | Sequence[str] | None = None,
    drop: str | Sequence[str] | None = None,
    categorical: str | Sequence[str] | None = None,
    nan: str = "impute",
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    dates: str | Sequence[str] | None = None,
    encode: bool = True,
) -> Dataset:
    """Load a CSV or Parquet file as a :class:`Dataset` with its :class:`Table`.

    Parameters
    ----------
    path
        The file (see :func:`glassnet.data.reading.open_table` for what it may be).
    target
        The column to predict, or several (a list, or names joined by commas) for
        multi-output regression.
    task
        ``"auto"`` (the rule of :mod:`glassnet.data.task`), ``"classification"`` or
        ``"regression"``.
    features, drop, categorical
        Column names (lists, or joined by commas): the features to use (default: all
        but the targets), columns to leave out, columns to treat as categories.
    nan
        What a missing feature cell does: ``"impute"`` (kept for the imputer),
        ``"skip"`` (its row is dropped) or ``"error"``. A row missing its target is
        dropped (``"error"``: refused).
    sep, encoding
        The delimiter (``None``: sniffed) and the text encoding (``None``: UTF-8).
    decimal, thousands
        How the file writes its numbers (``","`` and ``"."`` in much of Europe); ``None``
        for both sniffs them (:mod:`glassnet.data.number_format`), with a note.
    dates
        The date columns (and no others; ``""`` for none); ``None`` finds them
        (:mod:`glassnet.data.columns`). Dates are encoded as numbers.
    encode
        Fill ``X`` with :func:`first_look`; ``False`` leaves it with no columns, for a run
        that encodes the table itself, once, with an encoder fitted on its training rows.

    Raises
    ------
    InputError
        Naming the column, the line and the fix: see :mod:`glassnet.data.columns`.
    """
    check_nan_policy(nan)
    reader, rows = read_table(
        path, sep=sep, encoding=encoding, decimal=decimal, thousands=thousands
    )
    where, word = reader.where, reader.line_word
    if not len(rows):
        raise InputError(f"{where} has a header but no data rows")
    choice = choose_columns(
        reader.columns,
        where,
        target=target,
        features=features,
        drop=drop,
        categorical=categorical,
        sep=reader.sep,
        dates=dates,
    )
    notes = [reader.number.note(reader.sep)] if reader.number.sniffed else []
    rows = _drop_missing_targets(rows, choice.targets, nan, where, word, notes)
    kinds = column_kinds(rows, choice, where)
    notes += kinds.notes
    used = [*kinds.numeric, *kinds.categorical, *kinds.dates, *choice.targets]
    missing = {name: int(missing_cells(rows.frame[name]).sum()) for name in used}
    rows = _check_features(rows, kinds, nan, where, word, notes)
    y, chosen = target_values(rows, choice.targets, task, where, word)
    task, reason = chosen.task, chosen.reason
    notes += chosen.warnings
    frame = typed_features(rows.frame, kinds.numeric, [*kinds.categorical, *kinds.dates])
    for name, date_format in kinds.dates.items():  # a cell no date in the format: missing
        frame.loc[parse_dates(frame[name], date_format).isna().to_numpy(), name] = np.nan
    table = Table(
        columns=tuple(reader.columns),
        frame=frame,
        numeric=kinds.numeric,
        categorical=kinds.categorical,
        targets=choice.targets,
        task_reason=reason,
        left_out=left_out_reasons(choice, kinds),
        missing=missing,
        notes=tuple(notes),
        lines=rows.lines,
        sep=reader.sep,
        fingerprint=file_fingerprint(path),
        dates=kinds.dates,
        decimal=reader.number.decimal,
        thousands=reader.number.thousands,
    )
    dataset = Dataset(
        X=np.empty((len(y), 0)),  # (n, 0): no column encoded yet
        y=y,
        feature_names=[],
        target_name=",".join(choice.targets),
        task=task,
        name=Path(path).name.split(".")[0] or "data",
        description=f"{len(y)} rows x {frame.shape[1]} columns from {Path(path).name}, target "
        f"{', '.join(map(repr, choice.targets))} ({task}: {reason})",
        table=table,
    )
    return first_look(dataset) if encode else dataset


def first_look(dataset: Dataset) -> Dataset:
    """A table's data set with ``X`` imputed and one-hot encoded, not scaled: an encoder
    fitted on every row, for a first look (a run fits its own on its training rows)."""
    table = dataset.table
    assert table is not None
    look = build_preprocessor(
        table.numeric,
        table.categorical,
        standardize=False,
        dates=table.dates,
        missing_category=missing_as_category(table.frame, table.categorical),
    )
    X = encoded(look.fit(table.frame), table.frame)  # (n, n_encoded)
    names = [str(name) for name in look.get_feature_names_out()]
    return replace(dataset, X=X, feature_names=names)


def _drop_missing_targets(
    rows: Rows, targets: Sequence[str], nan: str, where: str, word: str, notes: list[str]
) -> Rows:
    """The rows with every target present and finite; the others dropped (counted) or refused."""
    read = [read_numbers(rows.frame[name]) for name in targets]  # (values, missing, not finite)
    bad = np.logical_or.reduce([missing for _, missing, _ in read])  # a target missing
    for values, _, not_finite in read:
        present = values[~bad]
        if present.size and np.isfinite(present).mean() > 0.5:  # a numeric target: inf is none
            bad |= not_finite
    if not bad.any():
        return rows
    first = int(np.argmax(bad))
    if nan == "error":
        name = next(t for t in targets if _cell_is_bad(rows.frame[t], first))
        cell = rows.frame[name].iloc[first]
        raise InputError(
            f"{where}, {word} {rows.lines[first]}, column {name!r}: missing or non-finite "
            f"target value {quoted(cell)!r}: drop or impute those rows first (without --nan "
            "error, rows without a target are dropped with a count)"
        )
    kept = rows.take(~bad)
    if not len(kept):
        raise InputError(f"{where}: every row lacks the target {', '.join(map(repr, targets))}")
    shown = ", ".join(str(line) for line in rows.lines[bad][:5])
    more = ", ..." if bad.sum() > 5 else ""
    notes.append(
        f"dropped {int(bad.sum())} row(s) without a target {', '.join(map(repr, targets))} "
        f"({word}s {shown}{more})"
    )
    return kept


def _cell_is_bad(column: pd.Series, row: int) -> bool:
    cell = column.iloc[[row]]
    return bool(missing_cells(cell)[0] or read_numbers(cell)[2][0])


def _check_features(
    rows: Rows, kinds: ColumnKinds, nan: str, where: str, word: str, notes: list[str]
) -> Rows:
    """Refuse or drop rows whose numeric cells are no numbers, and (by ``nan``) missing cells."""
    frame = rows.frame
    bad_rows = np.zeros(len(rows), dtype=bool)
    missing_rows = np.zeros(len(rows), dtype=bool)
    first: tuple[int, str, str] | None = None  # (row, column, problem) of the earliest bad cell
    for name in (*kinds.numeric, *kinds.categorical, *kinds.dates):
        if name in kinds.numeric:
            _, missing, bad = read_numbers(frame[name])
        else:
            missing = missing_cells(frame[name])
            bad = np.zeros_like(missing)
        bad_rows |= bad
        missing_rows |= missing
        found = bad | (missing if nan == "error" else np.zeros_like(missing))
        if found.any() and (first is None or int(np.argmax(found)) < first[0]):
            row = int(np.argmax(found))
            first = (row, name, "bad" if bad[row] else "missing")
    if nan == "skip":
        dropped = bad_rows | missing_rows
        if dropped.any():
            notes.append(
                f"dropped {int(dropped.sum())} row(s) with a missing or unreadable feature "
                "cell (--nan skip)"
            )
            if dropped.all():
                raise InputError(f"{where}: every row has a missing or unreadable feature cell")
            return rows.take(~dropped)
        return rows
    if first is not None:
        raise _cell_error(rows, first, where, word)
    return rows


def _cell_error(rows: Rows, first: tuple[int, str, str], where: str, word: str) -> InputError:
    row, name, problem = first
    cell = quoted(rows.frame[name].iloc[row])
    at = f"{where}, {word} {rows.lines[row]}, column {name!r}"
    if problem == "missing":
        return InputError(
            f"{at}: missing or non-finite value {cell!r}: drop or impute those rows first, "
            "or pass --nan impute (fill in the column's median or most frequent value) or "
            "--nan skip (drop such rows)"
        )
    if is_number(cell):  # a bad cell that is a number: inf, not one the imputer fills in
        return InputError(
            f"{at}: missing or non-finite value {cell!r}: drop or impute those rows first, "
            "or pass --nan skip (drop such rows)"
        )
    return InputError(
        f"{at}: {cell!r} is not a number, though at least half of the column's cells are: fix "
        f"the cell, pass --categorical {name} if the column holds categories, or --nan skip to "
        "drop such rows"
    )
