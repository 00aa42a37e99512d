"""Pass 1 of a dask DataFrame's preparation: each column's cells counted, roles and task decided.

    each partition ──cell_counts──> rows, missing, numbers, first bad cells, distinct labels
    counts of every partition ──merged_counts──> one column's counts
    counts ──column_kinds, check_cells, infer_task──> numeric, categorical, row ids; the task

The rules are :mod:`glassnet.data.columns`' and :mod:`glassnet.data.task`'s, decided from
counts instead of the whole column: a column is numeric when at least half its present
cells are numbers, a row id when unique in every row (and unnamed, id-named or long
text), a target classification when it holds text or at most 20 distinct whole numbers.
Errors name the data row (counted from 1 over every file) and the column.
"""

from collections.abc import Sequence
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from glassnet.data.cells import is_text, missing_cells, read_numbers, texts
from glassnet.data.columns import ID_NAMES, MAX_CATEGORIES, NUMERIC_SHARE
from glassnet.data.sources import decode_error
from glassnet.data.task import MAX_AUTO_CLASSES
from glassnet.errors import InputError

WHERE = "the data"
MAX_CLASSES = 10_000  # distinct target values collected per partition


def cell_counts(part: pd.DataFrame, columns: Sequence[str], targets: Sequence[str]) -> dict:
    """One partition's counts, on the rows with every target present (the others dropped).

    Per column: missing cells, finite numbers, numbers (inf too), whether the finite ones
    are whole, where the first missing and first unreadable cells are, distinct cells;
    per target, its distinct cells' text (at most :data:`MAX_CLASSES`).
    """
    lacking = np.zeros(len(part), dtype=bool)
    for name in targets:
        lacking |= missing_cells(part[name])
    counts: dict[str, Any] = {"rows": int((~lacking).sum()), "columns": {}, "labels": {}}
    counts["first_lacking"] = int(np.argmax(lacking)) if lacking.any() else -1
    counts["lacking"], counts["all_rows"] = int(lacking.sum()), len(part)
    kept = np.flatnonzero(~lacking)  # each kept row's place in the partition
    part = part[~lacking]
    for name in [*columns, *targets]:
        column = part[name]
        values, missing, bad = read_numbers(column)
        unread = texts(column[bad]) if is_text(column) else np.array([], dtype=object)
        infinite = int(np.isinf(pd.to_numeric(pd.Series(unread), errors="coerce")).sum())
        finite = values[np.isfinite(values)]
        counts["columns"][name] = {
            "missing": int(missing.sum()),
            "finite": int(finite.size),
            "numbers": int(finite.size) + infinite,
            "whole": bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53)),
            "first_missing": int(kept[np.argmax(missing)]) if missing.any() else -1,
            "first_bad": int(kept[np.argmax(bad)]) if bad.any() else -1,
            "bad_cell": str(column[bad].iloc[0]) if bad.any() else "",
            "distinct": int(column.nunique()),
            "text": is_text(column),
        }
    for name in targets:
        counts["labels"][name] = sorted(set(texts(part[name]).tolist()))[:MAX_CLASSES]
    return counts


def merged_counts(parts: list[dict], name: str) -> dict[str, Any]:
    """One column's counts over every partition; its first cells as data rows counted from 0."""
    merged: dict[str, Any] = {"missing": 0, "finite": 0, "numbers": 0, "whole": True}
    merged.update({"rows": 0, "all_rows": 0})  # with the target(s), and every row
    merged.update({"distinct_each": True, "first_missing": -1, "first_bad": -1, "bad_cell": ""})
    offset = 0  # the partition's first data row
    for part in parts:
        column = part["columns"][name]
        if merged["first_missing"] < 0 <= column["first_missing"]:
            merged["first_missing"] = offset + column["first_missing"]
        if merged["first_bad"] < 0 <= column["first_bad"]:
            merged["first_bad"], merged["bad_cell"] = (
                offset + column["first_bad"],
                column["bad_cell"],
            )
        for key in ("missing", "finite", "numbers"):
            merged[key] += column[key]
        merged["whole"] &= column["whole"]
        merged["distinct_each"] &= column["distinct"] == part["rows"]
        merged["text"] = column["text"]
        merged["rows"] += part["rows"]
        merged["all_rows"] += part["all_rows"]
        offset += part["all_rows"]
    return merged


def computed(*collections: Any) -> Any:
    """``dask.compute``, a partition's unreadable text named as glassnet names it."""
    try:
        return dask.compute(*collections)
    except UnicodeDecodeError as error:
        raise decode_error(WHERE, None, error) from None
    except pd.errors.ParserError as error:
        raise InputError(
            f"{WHERE} could not be parsed ({error}): check the delimiter (--sep) and that no "
            "quoted cell holds a line break"
        ) from None


# --- roles and task, from the counts ---------------------------------------------------


def column_kinds(
    frame: dd.DataFrame, columns: dict[str, dict], choice: Any, notes: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """``(numeric, categorical, row_ids)`` by the rules of :mod:`glassnet.data.columns`."""
    numeric: list[str] = []
    categorical: list[str] = []
    candidates: list[str] = []
    for name in choice.features:
        column = columns[name]
        present = column["rows"] - column["missing"]
        if present == 0:
            raise InputError(
                f"column {name!r} of {WHERE} is missing in every row: leave it out with "
                f"--drop {name}"
            )
        share = column["numbers"] / present
        id_like = name.startswith("Unnamed: ") or name.lower().replace(" ", "") in ID_NAMES
        long_text = column["text"] and share < NUMERIC_SHARE and column["rows"] > MAX_CATEGORIES
        unique_each = column["rows"] >= 2 and not column["missing"] and column["distinct_each"]
        if name not in choice.named and unique_each and (id_like or long_text):
            candidates.append(name)
        if name.startswith("Unnamed: ") and name not in choice.named:
            continue  # a row id, or an error below
        is_categorical = name in choice.categorical or share < NUMERIC_SHARE
        (categorical if is_categorical else numeric).append(name)
    distinct = computed(*[frame[name].nunique(split_out=1) for name in candidates])
    row_ids = [n for n, d in zip(candidates, distinct, strict=True) if d == columns[n]["all_rows"]]
    for name in row_ids:
        notes.append(
            f"column {name!r} looks like a row id (a different value in each of the "
            f"{columns[name]['rows']} rows): left out; name it in --features to keep it"
        )
    for name in choice.features:
        if name.startswith("Unnamed: ") and name not in choice.named and name not in row_ids:
            raise InputError(
                f"{WHERE}: column {int(name.split()[1]) + 1} of the header has no name: name "
                "every column, or leave it out with --drop"
            )
    kept = [[n for n in names if n not in row_ids] for names in (numeric, categorical)]
    if not kept[0] and not kept[1]:
        raise InputError(f"{WHERE} has no feature column left once the row ids are left out")
    return kept[0], kept[1], row_ids


def check_cells(columns: dict[str, dict], numeric: list[str], features: list[str], nan: str):
    """Refuse the first unreadable numeric cell (or, under ``--nan error``, missing cell)."""
    if nan == "skip":
        return
    found = [(columns[n]["first_bad"], n, "bad") for n in numeric if columns[n]["first_bad"] >= 0]
    if nan == "error":
        found += [(columns[n]["first_missing"], n, "missing") for n in features]
    found = [entry for entry in found if entry[0] >= 0]
    if not found:
        return
    row, name, problem = min(found)
    at = f"{WHERE}, data row {row + 1}, column {name!r}"
    if problem == "missing":
        raise InputError(
            f"{at}: a missing value: drop or impute those rows first, or pass --nan impute "
            "(fill in the column's median or most frequent value) or --nan skip (drop such rows)"
        )
    raise InputError(
        f"{at}: {columns[name]['bad_cell']!r} is not a finite number, though at least half of "
        f"the column's cells are numbers: fix the cell, pass --categorical {name} if the column "
        "holds categories, or --nan skip to drop such rows"
    )


def infer_task(
    columns: dict[str, dict], parts: list[dict], targets: Sequence[str], task: str
) -> tuple[str, str, np.ndarray | None]:
    """``(task, reason, labels)`` by the rule of :mod:`glassnet.data.task` (labels: sorted)."""
    numeric = {
        n: columns[n]["numbers"] == columns[n]["rows"] - columns[n]["missing"] for n in targets
    }
    if len(targets) > 1 or task == "regression":
        if task == "classification":
            raise InputError(
                f"classification takes one target, got {len(targets)} ({', '.join(targets)}): "
                "several targets are for regression"
            )
        for name in targets:
            if not numeric[name]:
                raise InputError(
                    f"{WHERE}, column {name!r}: text in a regression target: regression needs "
                    "numeric targets; use task='classification' (--task classification)"
                )
    name = targets[0]
    texts_seen = sorted({label for part in parts for label in part["labels"][name]})
    values = np.unique(pd.to_numeric(pd.Series(texts_seen, dtype=object), errors="coerce"))
    values = values[np.isfinite(values)] if numeric[name] else values
    whole = numeric[name] and columns[name]["whole"]
    few_whole = whole and 0 < values.size <= MAX_AUTO_CLASSES
    asked = " (asked with --task)" if task != "auto" else ""
    if len(targets) > 1:
        return "regression", f"{len(targets)} numeric targets (multi-output){asked}", None
    if task == "regression" or (task == "auto" and numeric[name] and not few_whole):
        counted = f"{values.size}" if values.size < MAX_CLASSES else f"at least {values.size}"
        reason = f"{counted} distinct whole numbers (more than {MAX_AUTO_CLASSES})"
        return "regression", (reason if whole else "numbers with fractional values") + asked, None
    labels, kind = (
        (values.astype(np.int64), "whole numbers") if whole
        else (values, "numbers") if numeric[name]
        else (np.array(texts_seen, dtype=str), "text labels")
    )  # fmt: skip
    if labels.size < 2:
        raise InputError(
            f"the target {name!r} has a single class {labels[0].item()!r}: classification needs "
            "at least 2 (check --target, or --task regression for a numeric target)"
        )
    if labels.size >= MAX_CLASSES:
        raise InputError(f"the target {name!r} has {MAX_CLASSES} classes or more: is it numeric?")
    return "classification", f"{labels.size} classes, {kind}{asked}", labels
