"""Data sets to train on: the bundled ones by name, and your CSV file.

- :data:`DATASETS`: the bundled sets (:mod:`glassnet.data.generators`): ``moons``,
  ``circles``, ``xor``, ``spiral``, ``cancer``.
- :func:`csv`: your own comma-separated file with a header row.
- :func:`load`: a bundled set by name, or a CSV file by path.
"""

import csv as csvlib
import difflib
import inspect
import math
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.data.dataset import Dataset
from glassnet.data.generators import RandomState, cancer, circles, moons, spiral, xor
from glassnet.errors import InputError

__all__ = [
    "DATASETS",
    "MISSING",
    "Dataset",
    "cancer",
    "circles",
    "csv",
    "is_number",
    "load",
    "moons",
    "spiral",
    "xor",
]

TASKS = ("auto", "classification", "regression")
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is a regression target
MISSING = {"", "na", "n/a", "nan", "null", "none"}  # cells read as missing (any case)


def _columns(names: list[str], limit: int = 20) -> str:
    more = f" ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and ``(line number, cells)`` of each non-blank data row."""
    where = repr(str(path))
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"data file {where} {problem}: check the path")
    records: list[tuple[int, list[str]]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csvlib.reader(handle)
            start = 1
            for row in reader:
                if any(cell.strip() for cell in row) or len(row) > 1:  # skip blank lines
                    records.append((start, row))
                start = reader.line_num + 1  # a quoted cell may span lines
    except (OSError, UnicodeDecodeError, csvlib.Error) as error:
        raise InputError(f"could not read {where} as a UTF-8 CSV file: {error}") from None
    if not records:
        raise InputError(f"{where} is empty: a CSV needs a header row and data rows")
    (_, header), data = records[0], records[1:]
    header = [name.strip() for name in header]
    if all(is_number(name) for name in header):
        raise InputError(
            f"{where} has no header row (its first line is all numbers): "
            "add a first line with the column names"
        )
    for index, name in enumerate(header, start=1):
        if not name:
            raise InputError(
                f"{where}: column {index} of the header has no name: name every column "
                "(pandas writes an unnamed index column unless you pass index=False)"
            )
    duplicates = sorted(name for name, count in Counter(header).items() if count > 1)
    if duplicates:
        raise InputError(f"{where} has duplicate column names {', '.join(duplicates)}: rename them")
    if not data:
        raise InputError(f"{where} has a header but no data rows")
    for line, row in data:
        if len(row) != len(header):
            raise InputError(
                f"{where}, line {line}: {len(row)} fields but the header has "
                f"{len(header)}: check for stray commas or unquoted text"
            )
    return header, data


def is_number(cell: str) -> bool:
    """Whether a CSV cell's text reads as a number."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _missing(where: str, cell: str) -> InputError:
    return InputError(
        f"{where}: missing or non-finite value {cell!r}: drop or impute those rows first"
    )


def _parse_number(cell: str, where: str) -> float:
    """Return ``cell`` as a finite float, or raise naming the line and column."""
    if cell.strip().lower() in MISSING:
        raise _missing(where, cell)
    try:
        value = float(cell)
    except ValueError:
        raise InputError(
            f"{where}: {cell!r} is not a number: features must be numeric "
            "(encode categories as numbers first)"
        ) from None
    if not math.isfinite(value):
        raise _missing(where, cell)
    return value


def _parse_target(
    cells: list[str], lines: list[int], where: str, target: str, task: str
) -> NDArray[Any]:
    """Return the target as numbers when every cell is one, else as strings."""
    locations = [f"{where}, line {line}, column {target!r}" for line in lines]
    for location, cell in zip(locations, cells, strict=True):
        if cell.strip().lower() in MISSING:
            raise _missing(location, cell)
    for location, cell in zip(locations, cells, strict=True):
        if not is_number(cell):
            if task == "regression":
                raise InputError(
                    f"{location}: {cell!r} is not a number: regression needs a numeric target; "
                    "use task='classification'"
                )
            return np.array([cell.strip() for cell in cells])
        if not math.isfinite(float(cell)):
            raise _missing(location, cell)
    return np.array([float(cell) for cell in cells])


def _whole(y: NDArray[np.float64]) -> bool:
    """True if every value is an integer that int64 holds exactly."""
    return bool(np.all(y == np.round(y)) and np.abs(y).max() < 2**53)


def _infer_task(y: NDArray[Any]) -> str:
    if y.dtype.kind == "U":
        return "classification"
    few = np.unique(y).size <= MAX_AUTO_CLASSES
    return "classification" if _whole(y) and few else "regression"


def csv(path: str | os.PathLike[str], target: str, task: str = "auto") -> Dataset:
    """Load a comma-separated file with a header row; features are all other columns.

    Parameters
    ----------
    path
        The file: UTF-8, comma-separated, first line the column names.
    target
        The name of the column to predict.
    task
        ``"classification"``, ``"regression"`` or ``"auto"``: classification if
        the target is not numeric, or integer-valued with at most 20 distinct
        values; regression otherwise.

    Returns
    -------
    Dataset
        ``X`` float64; ``y`` strings for a non-numeric target, else numbers (int for
        an integer-valued classification target, float otherwise).

    Raises
    ------
    InputError
        On a missing or unreadable file, no header or data, an absent target,
        duplicate column names, ragged rows, or a non-numeric, empty, NaN or inf
        cell (naming its line in the file and its column).
    """
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    file = Path(path)
    where = repr(str(file))
    header, data = _read_rows(file)
    if target not in header:
        close = difflib.get_close_matches(target, header, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if any(is_number(name) for name in header):
            hint += " (a column name is a number: is the header row missing?)"
        raise InputError(
            f"target column {target!r} is not in {where}{hint}: "
            f"available columns are {_columns(header)}"
        )
    t = header.index(target)
    feature_names = [name for name in header if name != target]
    if not feature_names:
        delimiter = next((d for d in (";", "\t", "|") if d in target), None)
        hint = f" (the file looks {delimiter!r}-separated; use commas)" if delimiter else ""
        raise InputError(
            f"{where} has only the target column {target!r}: at least one feature "
            f"column is needed{hint}"
        )
    lines = [line for line, _ in data]
    X = np.array(
        [
            [
                _parse_number(cell, f"{where}, line {line}, column {name!r}")
                for name, cell in zip(header, row, strict=True)
                if name != target
            ]
            for line, row in data
        ],
        dtype=np.float64,
    )  # (n, d)
    y = _parse_target([row[t] for _, row in data], lines, where, target, task)
    task = _infer_task(y) if task == "auto" else task
    if task == "classification" and y.dtype.kind == "f" and _whole(y):
        y = y.astype(np.int64)
    return Dataset(
        X=X,
        y=y,
        feature_names=feature_names,
        target_name=target,
        task=task,
        name=file.stem,
        description=f"{len(data)} rows x {len(feature_names)} features from {file.name}, "
        f"target {target!r} ({task})",
    )


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
    "cancer": cancer,
}


def load(
    name_or_path: str | os.PathLike[str],
    *,
    target: str | None = None,
    task: str = "auto",
    noise: float | None = None,
    n_samples: int | None = None,
    classes: int | None = None,
    random_state: RandomState = None,
) -> Dataset:
    """Load a built-in data set by name, or a CSV file by path.

    Parameters
    ----------
    name_or_path
        One of :data:`DATASETS` (``moons``, ``circles``, ``xor``, ``spiral``,
        ``cancer``), or a path to a CSV file (ending in ``.csv``, or any existing file).
    target, task
        The CSV's target column (required for a CSV) and its task (see :func:`csv`).
    noise, n_samples, classes, random_state
        Passed to the generator when given (``None`` keeps its default). An option a
        data set does not take raises; ``random_state`` is ignored by data sets that
        involve no randomness (``cancer`` and CSV files), so one seed can serve a run.
    """
    if not isinstance(name_or_path, str | os.PathLike):
        raise InputError(
            f"data must be a data set name or a CSV path, got {type(name_or_path).__name__}"
        )
    options = {"noise": noise, "n_samples": n_samples, "classes": classes}
    given: dict[str, Any] = {key: value for key, value in options.items() if value is not None}
    name = os.fspath(name_or_path)
    if isinstance(name_or_path, str) and name in DATASETS:
        if target is not None or task != "auto":
            raise InputError(
                f"target and task apply only to CSV files, not to the {name} data set: "
                "drop --target / --task"
            )
        loader = DATASETS[name]
        accepted = inspect.signature(loader).parameters
        wrong = [key for key in given if key not in accepted]
        if wrong:
            takes = ", ".join(key for key in options if key in accepted) or "no options"
            raise InputError(
                f"{', '.join(wrong)}: not an option of the {name} data set (it takes {takes})"
            )
        if "random_state" in accepted:
            given["random_state"] = random_state
        return loader(**given)
    if name.lower().endswith(".csv") or Path(name).is_file():
        if given:
            raise InputError(
                f"{', '.join(given)}: only generated data sets take this option, not a CSV file"
            )
        if target is None:
            raise InputError(
                f"a CSV file needs a target column: pass --target COLUMN (target= in Python) "
                f"for {name!r}"
            )
        return csv(name, target, task)
    raise InputError(
        f"unknown data set {name!r}: choose one of {', '.join(sorted(DATASETS))}, "
        "or pass the path to a CSV file"
    )
