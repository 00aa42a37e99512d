"""Classification or regression, from the target's values, and the targets as the run takes them.

The rule (``--task auto``), stated in the run's summary with its reason:

- a target with any cell that is not a number is **classification** (text labels);
- a numeric target whose values are all whole numbers, at most :data:`MAX_AUTO_CLASSES`
  distinct ones, is **classification**;
- any other numeric target is **regression** (fractional values, or more distinct whole
  numbers than that);
- several targets are multi-output **regression**, and must all be numeric.

``--task classification`` or ``--task regression`` overrides the rule; a regression
target must be numeric, and classification takes one target.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import missing_cells, number_share, parse_numbers
from glassnet.data.reading import Rows
from glassnet.errors import InputError

TASKS = ("auto", "classification", "regression")
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is a regression target


def _whole(y: NDArray[np.float64]) -> bool:
    """True if every value is an integer that int64 holds exactly."""
    return bool(np.all(y == np.round(y)) and np.abs(y).max() < 2**53)


def target_values(
    rows: Rows, targets: Sequence[str], task: str, where: str, line_word: str = "line"
) -> tuple[NDArray[Any], str, str]:
    """``(y, task, reason)``: the targets as the run takes them, the task and why it was chosen.

    ``y`` is text labels or whole-number labels (int64) for classification, float64 of
    shape (n,) for one regression target and (n, k) for k of them. ``rows`` hold no
    missing target.

    Raises
    ------
    InputError
        An unknown task, several targets for classification, text in a regression target
        (naming its line and cell).
    """
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    frame = rows.frame
    if len(targets) > 1:
        if task == "classification":
            raise InputError(
                f"classification takes one target, got {len(targets)} ({', '.join(targets)}): "
                "several targets are for regression"
            )
        columns = [_numbers(rows, name, where, line_word, several=True) for name in targets]
        reason = f"{len(targets)} numeric targets (multi-output)"
        return np.column_stack(columns), "regression", _asked(task, reason)
    name = targets[0]
    column = frame[name]
    numeric = number_share(column) == 1.0
    if task == "regression" or (task == "auto" and numeric and not _few_whole(column)):
        y = _numbers(rows, name, where, line_word, several=False)
        return y, "regression", _asked(task, _regression_reason(y))
    labels, kind = _labels(column)
    n_classes = len(np.unique(labels))
    reason = f"{n_classes} class{'es' if n_classes != 1 else ''}, {kind}"
    return labels, "classification", _asked(task, reason)


def _asked(task: str, reason: str) -> str:
    return f"{reason} (asked with --task)" if task != "auto" else reason


def _few_whole(column: pd.Series) -> bool:
    values, _ = parse_numbers(column)
    finite = values[np.isfinite(values)]
    return finite.size > 0 and _whole(finite) and np.unique(finite).size <= MAX_AUTO_CLASSES


def _regression_reason(y: NDArray[np.float64]) -> str:
    if not _whole(y):
        return "numbers with fractional values"
    return f"{np.unique(y).size} distinct whole numbers (more than {MAX_AUTO_CLASSES})"


def _numbers(rows: Rows, name: str, where: str, line_word: str, *, several: bool) -> NDArray[Any]:
    values, bad = parse_numbers(rows.frame[name])
    if bad.any():
        first = int(np.argmax(bad))
        cell = rows.frame[name].iloc[first]
        problem = (
            f"{str(cell)!r} is not a number"
            if not np.isinf(_float(cell))
            else f"non-finite value {str(cell)!r}"
        )
        fix = (
            "several targets are regression targets and must be numeric"
            if several
            else "regression needs a numeric target; use task='classification' "
            "(--task classification)"
        )
        raise InputError(
            f"{where}, {line_word} {rows.lines[first]}, column {name!r}: {problem}: {fix}"
        )
    return values


def _float(cell: Any) -> float:
    try:
        return float(str(cell).strip())
    except ValueError:
        return float("nan")


def _labels(column: pd.Series) -> tuple[NDArray[Any], str]:
    """Class labels: whole numbers as int64, other numbers as float64, else stripped text."""
    if number_share(column) == 1.0:
        values, _ = parse_numbers(column)
        if _whole(values):
            return values.astype(np.int64), "whole numbers"
        return values, "numbers"
    text = column.astype(str).str.strip().to_numpy(dtype=str)
    return text, "text labels"


def missing_targets(rows: Rows, targets: Sequence[str]) -> np.ndarray:
    """True where a row lacks one of its targets."""
    missing = np.zeros(len(rows), dtype=bool)
    for name in targets:
        missing |= missing_cells(rows.frame[name])
    return missing
