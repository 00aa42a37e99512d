"""Pass 1 of a dask DataFrame's preparation: each column's summary, over the partitions.

    each partition ──part_summaries──> rows lacking a target; each column's ColumnSummary
    the partitions' summaries, in order ──merged──> one ColumnSummary per column
    a possible row id ──nunique over the partitions──> whether it is unique in every row

Rows are data rows counted from 1 over every file.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import is_number, missing_cells, read_numbers, texts
from glassnet.data.column_meaning import looks_like_row_id
from glassnet.data.column_summary import NUMERIC_SHARE, ColumnSummary, merged, summarize
from glassnet.data.columns import ColumnChoice
from glassnet.data.sources import decode_error
from glassnet.errors import InputError

WHERE = "the data"
ROW_WORD = "data row"


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


def lacking_targets(part: pd.DataFrame, targets: Sequence[str]) -> NDArray[np.bool_]:
    """True where a row's target is missing, or a number that is not finite (``inf``)."""
    lacking = np.zeros(len(part), dtype=bool)
    for name in targets:
        _, missing, bad = read_numbers(part[name])
        infinite = bad.copy()  # bad cells that read as numbers
        infinite[bad] = [is_number(cell) for cell in texts(part[name][bad])]
        lacking |= missing | infinite
    return lacking


def part_summaries(part: pd.DataFrame, features: Sequence[str], targets: Sequence[str]) -> dict:
    """One partition's summaries, on the rows with every target (the others counted)."""
    lacking = lacking_targets(part, targets)
    kept = part[~lacking]
    rows = np.flatnonzero(~lacking) + 1  # each kept row's data row in the partition
    return {
        "all_rows": len(part),
        "lacking": int(lacking.sum()),
        "first_lacking": int(np.argmax(lacking)) + 1 if lacking.any() else None,
        "summaries": {name: summarize(kept[name], rows, name) for name in features}
        | {name: summarize(kept[name], rows, name, sampled=True) for name in targets},
    }


def frame_summaries(
    frame: dd.DataFrame, choice: ColumnChoice, nan: str
) -> tuple[dict[str, ColumnSummary], list[str]]:
    """Each feature's and target's summary over every partition, and the note on the rows
    dropped without a target (refused under ``--nan error``, or if no row has one)."""
    features, targets = choice.features, choice.targets
    summarize_part = dask.delayed(part_summaries, pure=True)
    parts = computed(*[summarize_part(part, features, targets) for part in frame.to_delayed()])
    offsets = np.cumsum([0, *(part["all_rows"] for part in parts)])[:-1].tolist()
    summaries = {
        name: merged([part["summaries"][name] for part in parts], offsets)
        for name in (*features, *targets)
    }
    notes = _lacking_note(parts, offsets, targets, nan)
    if not summaries[targets[0]].rows:
        raise InputError(f"{WHERE} has no data rows with a target")
    return _counted_across(frame, summaries, features, targets), notes


def _counted_across(
    frame: dd.DataFrame,
    summaries: dict[str, ColumnSummary],
    features: Sequence[str],
    targets: Sequence[str],
) -> dict[str, ColumnSummary]:
    """The summaries with ``unique`` (of possible row ids) and ``distinct`` (of text columns)
    counted across the partitions, not added over them."""
    candidates = [name for name in features if looks_like_row_id(summaries[name])]
    for name, summary in summaries.items():  # numeric over all partitions: not counted
        if summary.distinct and summary.number_share >= NUMERIC_SHARE:
            summaries[name] = replace(summary, distinct=0)
    texts = [name for name in (*features, *targets) if summaries[name].distinct]
    recount = list(dict.fromkeys([*candidates, *texts]))
    if not recount:
        return summaries
    kept = frame.map_partitions(lambda p: p[~lacking_targets(p, targets)], meta=frame._meta)
    present = [kept[name].map_partitions(lambda c: c[~missing_cells(c)]) for name in recount]
    distinct = computed(*[cells.nunique(split_out=1) for cells in present])
    for name, count in zip(recount, distinct, strict=True):
        summary = summaries[name]
        unique = count == summary.rows if name in candidates else summary.unique
        summaries[name] = replace(
            summary, unique=unique, distinct=int(count) if summary.distinct else 0
        )
    return summaries


def _lacking_note(parts: Sequence[dict], offsets: list[int], targets: Sequence[str], nan: str):
    """The note on rows dropped for a missing target, or (``--nan error``) the error."""
    lacking = sum(part["lacking"] for part in parts)
    if not lacking:
        return []
    shown = ", ".join(map(repr, targets))
    if nan == "error":
        row = next(
            o + p["first_lacking"] for o, p in zip(offsets, parts, strict=True) if p["lacking"]
        )
        raise InputError(
            f"{WHERE}, data row {row}: missing target {shown}: drop or impute those rows "
            "first (without --nan error, rows without a target are dropped with a count)"
        )
    return [f"dropped {lacking} row(s) without a target {shown}"]


def check_cells(
    summaries: dict[str, ColumnSummary], numeric: list[str], features: list[str], nan: str
) -> None:
    """Refuse the first unreadable numeric cell (or, under ``--nan error``, missing cell)."""
    if nan == "skip":
        return
    found = [(summaries[n].first_bad_row, n, "bad") for n in numeric]
    if nan == "error":
        found += [(summaries[n].first_missing_row, n, "missing") for n in features]
    found = [entry for entry in found if entry[0] is not None]
    if not found:
        return
    row, name, problem = min(found)
    at = f"{WHERE}, data row {row}, column {name!r}"
    if problem == "missing":
        raise InputError(
            f"{at}: a missing value: drop or impute those rows first, or pass --nan impute "
            "(fill in the column's median or most frequent value) or --nan skip (drop such rows)"
        )
    raise InputError(
        f"{at}: {summaries[name].first_bad!r} is not a finite number, though at least half of "
        f"the column's cells are numbers: fix the cell, pass --categorical {name} if the column "
        "holds categories, or --nan skip to drop such rows"
    )
