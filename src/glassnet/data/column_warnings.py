"""The warnings about a table's columns, worded once for a table in memory and on a cluster.

Each function returns the warning's text for a column, or None when the column gives no
cause; :func:`glassnet.data.table_encoder.column_warnings` (pandas, in memory) and
:func:`glassnet.distributed.frame_statistics.warn_columns` (counts over Dask partitions)
call them with their own counts.
"""

import shlex

from glassnet.data.column_meaning import MAX_CATEGORIES

MOSTLY_MISSING = 0.9  # a column missing in at least this share of rows gets a warning
MOSTLY_COMMAS = 0.5  # a text column whose cells are mostly decimal-comma numbers: a warning


def mostly_missing(name: str, missing: int, rows: int) -> str | None:
    """A column missing in at least :data:`MOSTLY_MISSING` of its rows (not in every one)."""
    if not rows or missing >= rows or missing < MOSTLY_MISSING * rows:
        return None
    return (
        f"column {name!r} is missing in {missing} of {rows} rows ({missing / rows:.0%}): "
        f"its imputed values carry little; leave it out with --drop {shlex.quote(name)}"
    )


def many_categories(name: str, categories: int) -> str | None:
    """A categorical column of more than :data:`MAX_CATEGORIES` categories."""
    if categories <= MAX_CATEGORIES:
        return None
    return (
        f"column {name!r} has {categories} categories (more than {MAX_CATEGORIES}): each "
        f"becomes a one-hot column; leave it out with --drop {shlex.quote(name)} "
        "if it is an id or free text"
    )


def decimal_commas(name: str, commas: int, present: int) -> str | None:
    """A text column whose present cells are mostly numbers written with a decimal comma."""
    if not present or commas <= MOSTLY_COMMAS * present:
        return None
    return (
        f"column {name!r} holds numbers written with a decimal comma in most cells "
        "(read as text): pass --decimal , to read them as numbers"
    )
