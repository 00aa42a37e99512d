"""What a column means beyond its cells' type: a row id, free text, or dates.

Decided from a :class:`~glassnet.data.column_summary.ColumnSummary` only, so a table in
memory and in Dask partitions gets the same answer. A column the user named
(``--features``, ``--categorical``, ``--dates``) is never a row id or free text.

- **row id**: a different value in every row (none missing, two rows or more) and
  unnamed (a saved index), named like one (``id``, ``index``, ``rownames``, ...), or text
  with more distinct values than :data:`MAX_CATEGORIES`; or named by the id pattern
  (``*_id``, ``id_*``, ``*ID``) with a different value in at least half its rows; or,
  under any name, a row number (:func:`counts_rows`): integers (``17``, not ``17.0``) that
  count up by one from row to row (``1..n``, ``1001..1000+n``) in more than
  :data:`MAX_CATEGORIES` rows, unless they are years (named ``year``, or every number
  within :data:`YEARS`: a yearly series ``1871..1970`` is data).
  A sorted column with repeats (a year) is not unique, and a sorted column of other
  steps (prices) does not count by one: both stay features.
- **free text**: text (fewer than half its cells numbers, not dates) whose cells are long
  and mostly different, at least :data:`FREE_TEXT_CHARS` characters on average and more
  distinct values than :data:`MAX_CATEGORIES` in at least :data:`FREE_TEXT_SHARE` of the
  rows; or with a cell longer than :data:`LONGEST_CATEGORY` characters (one enormous
  cell would become a category as large as itself, in the model file too).
- **dates**: every present cell a date in one of
  :data:`~glassnet.data.date_encoder.DATE_FORMATS` (:func:`date_format`).
"""

from glassnet.data.column_summary import NUMERIC_SHARE, ColumnSummary
from glassnet.data.date_encoder import date_format

MAX_CATEGORIES = 50  # more distinct values than this: a warning, or (text, unique) a row id
ID_NAMES = frozenset({"id", "index", "rownames", "rowname", "row", "rowid", "row_id", "row.names"})
ID_DISTINCT_SHARE = 0.5  # an id-patterned column with this share of distinct values: a row id
FREE_TEXT_CHARS = 20  # mean characters of a present cell of free text, at least
FREE_TEXT_SHARE = 0.5  # distinct values per present cell of free text, at least
LONGEST_CATEGORY = 1_000  # characters: a text column with a longer cell is free text
YEARS = (1700, 2200)  # a count from row to row within these numbers: years, kept as data
YEAR_NAMES = frozenset({"year", "years", "yr", "jahr", "annee", "année", "año"})


def id_patterned(name: str) -> bool:
    """Named like an id column: ``*_id``, ``id_*`` (any case) or ``*ID``."""
    lower = name.lower()
    return lower.endswith("_id") or lower.startswith("id_") or name.endswith("ID")


def counts_rows(summary: ColumnSummary) -> bool:
    """A row number: integers, each one more than the row before's (x[i+1] = x[i] + 1),
    in more than :data:`MAX_CATEGORIES` rows (a short run of years is more likely data), and
    not a run of years: neither named like one nor every number a year (:data:`YEARS`)."""
    if not (summary.counts_up and summary.rows > MAX_CATEGORIES):
        return False
    named_like_years = summary.name.lower().strip() in YEAR_NAMES
    first, last = summary.first_value, summary.last_value  # set whenever counts_up
    within_years = first is not None and last is not None and YEARS[0] <= first <= last <= YEARS[1]
    return not (named_like_years or within_years)  # a yearly series (1871..1970) is data


def looks_like_row_id(summary: ColumnSummary) -> bool:
    """A row id by the module's rule (before knowing whether the user named it)."""
    present = summary.rows - summary.missing
    if summary.rows < 2:
        return False
    if counts_rows(summary):
        return True  # a row number, under any name
    if id_patterned(summary.name) and summary.distinct >= ID_DISTINCT_SHARE * present > 0:
        return True  # an id-patterned text column, mostly different values
    if not summary.unique:
        return False
    long_text = (
        summary.text and summary.number_share < NUMERIC_SHARE and summary.rows > MAX_CATEGORIES
    )
    return named_like_id(summary.name) or long_text


def looks_like_free_text(summary: ColumnSummary) -> bool:
    """Free text by the module's rule: long, mostly different strings, or one enormous cell."""
    present = summary.rows - summary.missing
    if not summary.distinct or present == 0 or dates_format(summary) is not None:
        return False
    if summary.longest > LONGEST_CATEGORY:
        return True
    long_cells = summary.chars >= FREE_TEXT_CHARS * present
    varied = summary.distinct >= FREE_TEXT_SHARE * present and summary.distinct > MAX_CATEGORIES
    return long_cells and varied


def dates_format(summary: ColumnSummary) -> str | None:
    """The date format every present cell is written in, or None."""
    return date_format(summary.dates, summary.rows - summary.missing)


def named_like_id(name: str) -> bool:
    """Unnamed (a saved index), an id's name (``id``, ``index``, ...) or the id pattern."""
    return (
        name.startswith("Unnamed: ")
        or name.lower().replace(" ", "") in ID_NAMES
        or id_patterned(name)
    )


def column_meaning(summary: ColumnSummary) -> str:
    """``"row id"``, ``"free text"`` or ``""``: a row id named like one wins over free text,
    free text over a row id found by its unique text."""
    row_id = looks_like_row_id(summary)
    if row_id and named_like_id(summary.name):
        return "row id"
    if looks_like_free_text(summary):
        return "free text"
    return "row id" if row_id else ""


def row_id_note(summary: ColumnSummary) -> str:
    """The note on a row id left out."""
    name = summary.name
    if counts_rows(summary) and not named_like_id(name):
        why = (
            f"whole numbers from {summary.first_value:.0f} to {summary.last_value:.0f}, one "
            "more in each row: a row number"
        )
    elif summary.unique:
        why = f"a different value in each of the {summary.rows} rows"
    else:
        why = f"named like an id, {summary.distinct} different values in {summary.rows} rows"
    return (
        f"column {name!r} looks like a row id ({why}): left out; name it in --features to keep it"
    )


def free_text_note(summary: ColumnSummary) -> str:
    """The note on free text left out."""
    present = summary.rows - summary.missing
    return (
        f"column {summary.name!r} looks like free text ({summary.distinct} different values in "
        f"{present} rows, {summary.chars / present:.0f} characters on average, the longest "
        f"{summary.longest}): left out; name it in --features to keep it as categories"
    )
