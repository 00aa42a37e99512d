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

A text target's classes are warned about by name, with the fix, and never merged (the file
is the user's to correct) when they differ only in case or spaces (``Apartment``,
``apartment``), when they are one typo apart (``house``, ``hosue``: one letter changed,
added, dropped, or two neighbours swapped; names of :data:`TYPO_MIN_CHARS` characters or
more), or when a class has fewer than :data:`FEW_ROWS` rows and fewer than
:data:`SMALL_SHARE` of the largest class's (a tiny table's classes are all small).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import cell_problem, read_numbers, shown, texts
from glassnet.data.column_summary import SAMPLE, ColumnSummary, summarize
from glassnet.data.reading import Rows
from glassnet.errors import InputError

TASKS = ("auto", "classification", "regression")
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is a regression target
MIN_CLASS_ROWS = 3  # more classes than MAX_AUTO_CLASSES, fewer rows a class on average: refused
FEW_ROWS = 5  # a class with fewer rows gets a warning (if small beside the largest)
SMALL_SHARE = 0.1
TYPO_MIN_CHARS = 4  # shorter names are not compared for typos ("A" and "B" are one apart)
MAX_COMPARED = 300  # classes compared pairwise for typos, at most
TARGET_VALUES: dict[str, Callable[[pd.Series], NDArray[Any]]] = {  # cells -> y, by label kind
    "text": lambda column: texts(column).astype(str),
    "whole": lambda column: read_numbers(column)[0].astype(np.int64),
    "numbers": lambda column: read_numbers(column)[0],
    "regression": lambda column: read_numbers(column)[0],
}


@dataclass(frozen=True, eq=False)
class TaskChoice:
    """The task, why it was chosen, and how the target's cells are read."""

    task: str  # "classification" or "regression"
    reason: str  # "3 classes, text labels"
    labels: NDArray[Any] | None  # the classes, sorted (classification)
    label_kind: str  # a key of TARGET_VALUES
    warnings: tuple[str, ...] = ()  # classes misspelled, or with a handful of rows


def target_values(
    rows: Rows, targets: Sequence[str], task: str, where: str, line_word: str
) -> tuple[NDArray[Any], TaskChoice]:
    """``(y, choice)``: the targets as the run takes them (``rows`` lack none), and the task
    (:func:`choose_task`'s); ``y`` labels, or float64 of shape (n,) or (n, k)."""
    summaries = [summarize(rows.frame[name], rows.lines, name, sampled=True) for name in targets]
    choice = choose_task(summaries, task, where, line_word)
    y = [TARGET_VALUES[choice.label_kind](rows.frame[name]) for name in targets]
    return (y[0] if len(y) == 1 else np.column_stack(y)), choice


def choose_task(
    targets: Sequence[ColumnSummary], task: str, where: str, row_word: str
) -> TaskChoice:
    """The task by the module's rule, from the targets' summaries (sampled).

    Raises
    ------
    InputError
        An unknown task, several targets for classification, a cell that is no finite
        number in a regression target (naming its row and cell), a single class,
        :data:`~glassnet.data.column_summary.SAMPLE` classes or more, or (``auto``) more
        than :data:`MAX_AUTO_CLASSES` classes with fewer than :data:`MIN_CLASS_ROWS` rows a
        class.
    """
    check_task(task)
    if len(targets) > 1:
        if task == "classification":
            names = ", ".join(target.name for target in targets)
            raise InputError(
                f"classification takes one target, got {len(targets)} ({names}): several "
                "targets are for regression"
            )
        for target in targets:
            _refuse_bad_cell(target, where, row_word, several=True)
        reason = f"{len(targets)} numeric targets (multi-output)"
        return TaskChoice("regression", _asked(task, reason), None, "regression")
    target = targets[0]
    numbers = _distinct_numbers(target)
    few_whole = target.whole and 0 < numbers.size <= MAX_AUTO_CLASSES
    if task == "regression" or (task == "auto" and target.numeric and not few_whole):
        _refuse_bad_cell(target, where, row_word, several=False)
        return TaskChoice("regression", _asked(task, _regression_reason(target, numbers)), None,
                          "regression")  # fmt: skip
    return _classes(target, numbers, task)


def check_task(task: str) -> None:
    """Refuse a task that is not one of :data:`TASKS`."""
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")


def _asked(task: str, reason: str) -> str:
    return f"{reason} (asked with --task)" if task != "auto" else reason


def _distinct_numbers(target: ColumnSummary) -> NDArray[np.float64]:
    """The sampled values of a numeric target as sorted distinct finite numbers (else none)."""
    if not target.numeric:
        return np.array([], dtype=np.float64)
    values = np.unique(pd.to_numeric(pd.Series(target.values, dtype=object), errors="coerce"))
    return values[np.isfinite(values)].astype(np.float64)


def _regression_reason(target: ColumnSummary, numbers: NDArray[np.float64]) -> str:
    if not target.whole:
        return "numbers with fractional values"
    counted = f"at least {numbers.size}" if len(target.values) >= SAMPLE else f"{numbers.size}"
    return f"{counted} distinct whole numbers (more than {MAX_AUTO_CLASSES})"


def _refuse_bad_cell(target: ColumnSummary, where: str, row_word: str, *, several: bool) -> None:
    """Refuse a regression target's first cell that is no finite number, naming its row."""
    if target.first_bad_row is None:
        return
    fix = (
        "several targets are regression targets and must be numeric"
        if several
        else "regression needs a numeric target; use task='classification' (--task classification)"
    )
    raise InputError(
        f"{where}, {row_word} {target.first_bad_row}, column {target.name!r}: "
        f"{cell_problem(target.first_bad, numeric=True)}: {fix}"
    )


def _classes(target: ColumnSummary, numbers: NDArray[np.float64], task: str) -> TaskChoice:
    """Classification's labels: whole numbers as int64, other numbers as float64, else text."""
    labels: NDArray[Any]
    if target.numeric and target.whole:
        labels, kind, words = numbers.astype(np.int64), "whole", "whole numbers"
    elif target.numeric:
        labels, kind, words = numbers, "numbers", "numbers"
    else:
        labels, kind, words = np.array(target.values, dtype=str), "text", "text labels"
    if labels.size < 2:
        raise InputError(
            f"the target {target.name!r} has a single class {shown(labels[0].item())!r}: "
            "classification needs at least 2 (check --target, or --task regression for a "
            "numeric target)"
        )
    if labels.size >= SAMPLE:
        raise InputError(f"the target {target.name!r} has {SAMPLE} classes or more: is it numeric?")
    present = target.rows - target.missing
    few_rows = present < MIN_CLASS_ROWS * labels.size
    if task == "auto" and labels.size > MAX_AUTO_CLASSES and few_rows:
        raise InputError(
            f"the target {target.name!r} has {labels.size} classes in {present} rows "
            f"({present / labels.size:.1f} a class): a network cannot learn a class from one "
            "or two rows; is it an id, free text, or a numeric target (--task regression)? "
            "(--task classification trains on it anyway)"
        )
    warned = label_warnings(target.name, target.values, target.counts) if kind == "text" else []
    return TaskChoice("classification", _asked(task, f"{labels.size} classes, {words}"), labels,
                      kind, tuple(warned))  # fmt: skip


def _folded(label: str) -> str:
    return " ".join(label.lower().split())


def one_typo_apart(a: str, b: str) -> bool:
    """One letter changed, added or dropped, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:k] + long[k + 1 :] == short for k in range(len(long)))


def label_warnings(name: str, labels: Sequence[str], counts: Sequence[int]) -> list[str]:
    """The warnings on a text target's classes (the module's rules), each naming the fix."""
    rows = dict(zip(labels, counts, strict=True))
    found = []
    for a, b in combinations(labels[:MAX_COMPARED], 2):
        same = _folded(a) == _folded(b)
        typo = min(len(a), len(b)) >= TYPO_MIN_CHARS and one_typo_apart(_folded(a), _folded(b))
        if same or typo:
            kept, other = (a, b) if rows[a] >= rows[b] else (b, a)
            how = "only in case or spaces" if same else "by one typo"
            found.append(
                f"target {name!r}: classes {other!r} ({rows[other]} rows) and {kept!r} "
                f"({rows[kept]} rows) differ {how}: if they are one class, write {kept!r} for "
                "both in the file (glassnet keeps them apart)"
            )
    largest = max(counts, default=0)
    few = [
        f"{label!r} ({rows[label]})"
        for label in labels
        if rows[label] < min(FEW_ROWS, SMALL_SHARE * largest)
    ]
    if few:
        found.append(
            f"target {name!r}: {len(few)} class(es) with fewer than {FEW_ROWS} rows, "
            f"{', '.join(few[:10])}: too few to learn or to score; fix or merge their labels, "
            "or drop those rows"
        )
    return found
