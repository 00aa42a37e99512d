"""Which columns of a table a model uses, and how: the target(s), numeric and categorical features.

    --target, --features, --drop, --categorical ──choose_columns──> targets, candidates
    candidates' cells ──summarize──> summaries ──feature_kinds──> numeric, categorical;
                                                                   row ids left out (a note)

The rules:

- The features are ``--features`` when given, else every column but the target(s),
  less ``--drop``.
- A feature is categorical when ``--categorical`` names it, or when fewer than half of
  its present cells are numbers; else numeric. A numeric column with a cell that is no
  number is an error naming that cell (or, with ``--nan skip``, its row is dropped).
- A column whose every present cell is a date (``dd.mm.yyyy``, ISO, ``mm/dd/yyyy``) is a
  date feature, encoded as numbers (:mod:`glassnet.data.date_encoder`), unless
  ``--categorical`` names it; ``--dates`` names the date columns instead (and no others).
- A column chosen by default (not named in ``--features``, ``--categorical`` or
  ``--dates``) that is a row id or free text (:mod:`glassnet.data.column_meaning`) is
  left out with a note.
- A feature missing in every row is an error.
"""

import difflib
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from glassnet.data.column_meaning import (
    column_meaning,
    dates_format,
    free_text_note,
    row_id_note,
)
from glassnet.data.column_summary import NUMERIC_SHARE, ColumnSummary, summarize
from glassnet.data.date_encoder import DATE_FORMATS
from glassnet.data.listing import listed
from glassnet.data.reading import Rows
from glassnet.errors import InputError

LEFT_OUT = {  # why a column is left out, as the column table says it
    "dropped": "--drop or not in --features",
    "row id": "row id",
    "free text": "free text: long, mostly different strings",
}


@dataclass(frozen=True)
class ColumnChoice:
    """The target column(s) and the feature candidates, by name, before their cells are read."""

    targets: tuple[str, ...]
    features: tuple[str, ...]
    named: frozenset[str]  # features the user named (--features, --categorical): never row ids
    categorical: frozenset[str]
    dropped: tuple[str, ...]  # by --drop, or left out of --features
    dates: tuple[str, ...] | None = None  # --dates: these and no other are dates (None: found)


@dataclass(frozen=True)
class ColumnKinds:
    """The features by kind, and the columns left out as row ids or free text (with notes)."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    row_ids: tuple[str, ...]
    notes: tuple[str, ...]
    dates: dict[str, str] = field(default_factory=dict)  # name: its date format
    free_text: tuple[str, ...] = ()


def left_out_reasons(choice: ColumnChoice, kinds: ColumnKinds) -> dict[str, str]:
    """Each column left out, and why (:data:`LEFT_OUT`): dropped, a row id or free text."""
    left_out = dict.fromkeys(choice.dropped, LEFT_OUT["dropped"])
    left_out.update(dict.fromkeys(kinds.row_ids, LEFT_OUT["row id"]))
    left_out.update(dict.fromkeys(kinds.free_text, LEFT_OUT["free text"]))
    return left_out


def parse_names(names: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"a,b"`` or ``["a", "b"]`` -> ``("a", "b")``; ``None`` or ``""`` -> ``()``."""
    if names is None:
        return ()
    parts = names.split(",") if isinstance(names, str) else list(names)
    return tuple(part.strip() for part in parts if part.strip())


def target_names(target: str | Sequence[str], columns: Sequence[str]) -> tuple[str, ...]:
    """The target column(s): ``target`` itself when a column has that name, else split at commas."""
    if isinstance(target, str) and target.strip() in columns:
        return (target.strip(),)
    return parse_names(target)


def choose_columns(
    columns: Sequence[str],
    where: str,
    *,
    target: str | Sequence[str],
    features: str | Sequence[str] | None = None,
    drop: str | Sequence[str] | None = None,
    categorical: str | Sequence[str] | None = None,
    sep: str = ",",
    dates: str | Sequence[str] | None = None,
) -> ColumnChoice:
    """Check the names given against the file's columns; the targets and feature candidates.

    Raises
    ------
    InputError
        An unknown name (listing the file's columns), a target that is also a feature or
        dropped, no target, or no feature left.
    """
    targets = _checked_targets(target, columns, where, sep)
    options = {"--features": features, "--drop": drop, "--categorical": categorical}
    options["--dates"] = dates
    chosen = {option: parse_names(value) for option, value in options.items()}
    for option, names in chosen.items():
        _check_names(option, names, columns, targets, where)
    given, dropped = chosen["--features"], set(chosen["--drop"])
    pool = given or tuple(name for name in columns if name not in targets)
    kept = tuple(name for name in pool if name not in dropped)
    _check_features(chosen, kept)
    if not kept:
        raise _no_features(targets, where, sep)
    return ColumnChoice(
        targets=targets,
        features=kept,
        named=frozenset(given) | frozenset(chosen["--categorical"]) | frozenset(chosen["--dates"]),
        categorical=frozenset(chosen["--categorical"]),
        dropped=tuple(name for name in columns if name not in kept and name not in targets),
        dates=None if dates is None else chosen["--dates"],
    )


def _check_features(chosen: Mapping[str, tuple[str, ...]], kept: tuple[str, ...]) -> None:
    """Refuse a column of --categorical or --dates that is not a feature."""
    for option in ("--categorical", "--dates"):
        not_features = [name for name in chosen[option] if name not in kept]
        if not_features:
            raise InputError(
                f"{option} {not_features[0]!r}: that column is not a feature (it is dropped or "
                "not in --features)"
            )


def _checked_targets(
    target: str | Sequence[str], columns: Sequence[str], where: str, sep: str
) -> tuple[str, ...]:
    """The target column(s), each one of the file's columns."""
    targets = target_names(target, columns)
    if not targets:
        raise InputError(f"a CSV file needs a target column: pass --target COLUMN for {where}")
    for name in targets:
        if name not in columns:
            raise _absent_target(name, columns, where, sep)
    return targets


def _check_names(
    option: str, names: Sequence[str], columns: Sequence[str], targets: Sequence[str], where: str
) -> None:
    """Refuse a name of ``option`` that is no column, or that is a target."""
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(map(repr, unknown))} in {option}: the columns of "
            f"{where} are {listed(list(columns))}"
        )
    clash = [name for name in names if name in targets]
    if clash and option != "--drop":
        raise InputError(f"{clash[0]!r} is the target: it cannot be in {option} as well")
    if clash:
        raise InputError(f"{clash[0]!r} is the target: drop it from --drop")


def _absent_target(name: str, columns: Sequence[str], where: str, sep: str) -> InputError:
    close = difflib.get_close_matches(name, list(columns), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if sep != "," and sep in name:
        hint += f" (read as {sep!r}-separated: name one column, or pass --sep)"
    elif len(columns) == 1:
        other = next((mark for mark in (";", "\t", "|", " ") if mark in columns[0]), None)
        if other is not None:
            hint += f" (the file was read as one column; it looks {other!r}-separated: pass --sep)"
    return InputError(
        f"target column {name!r} is not in {where}{hint}: available columns are "
        f"{listed(list(columns))}"
    )


def _no_features(targets: tuple[str, ...], where: str, sep: str) -> InputError:
    other = next((mark for mark in (";", "\t", "|", ",") if mark != sep and mark in targets[0]), "")
    hint = f" (the file looks {other!r}-separated: pass --sep)" if other else ""
    shown = ", ".join(map(repr, targets))
    return InputError(
        f"{where} has only the target column {shown}: at least one feature column is needed{hint}"
    )


def column_kinds(rows: Rows, choice: ColumnChoice, where: str) -> ColumnKinds:
    """Each candidate's kind from its cells (:func:`feature_kinds` of their summaries)."""
    summaries = {name: summarize(rows.frame[name], rows.lines, name) for name in choice.features}
    return feature_kinds(summaries, choice, where)


def feature_kinds(
    summaries: Mapping[str, ColumnSummary], choice: ColumnChoice, where: str
) -> ColumnKinds:
    """Each candidate's kind from its summary; dates found; row ids and free text left out
    (:mod:`glassnet.data.column_meaning`); an empty column refused."""
    numeric, categorical, row_ids, notes, free_text = [], [], [], [], []
    dates: dict[str, str] = {}
    for name in choice.features:
        summary = summaries[name]
        if summary.missing == summary.rows:
            raise InputError(
                f"column {name!r} of {where} is missing in every row: leave it out with "
                f"--drop {shlex.quote(name)}"
            )
        meaning = "" if name in choice.named else column_meaning(summary)
        date = _date_format(summary, choice, where)
        if date is not None:
            dates[name] = date
        elif meaning == "row id":
            row_ids.append(name)
            notes.append(row_id_note(summary))
        elif meaning == "free text":
            free_text.append(name)
            notes.append(free_text_note(summary))
        elif name.startswith("Unnamed: ") and name not in choice.named:
            raise InputError(
                f"{where}: column {int(name.split()[1]) + 1} of the header has no name: name "
                "every column (pandas writes an unnamed index column unless you pass "
                "index=False), or leave it out with --drop"
            )
        elif name in choice.categorical or summary.number_share < NUMERIC_SHARE:
            categorical.append(name)
        else:
            numeric.append(name)
    if not numeric and not categorical and not dates:
        raise InputError(f"{where} has no feature column left once the row ids are left out")
    return ColumnKinds(
        tuple(numeric), tuple(categorical), tuple(row_ids), tuple(notes), dates, tuple(free_text)
    )


def _date_format(summary: ColumnSummary, choice: ColumnChoice, where: str) -> str | None:
    """The column's date format: by --dates when given, else detected (not --categorical)."""
    if choice.dates is None:
        return None if summary.name in choice.categorical else dates_format(summary)
    if summary.name not in choice.dates:
        return None
    counts = summary.dates or (0,) * len(DATE_FORMATS)
    if max(counts) == 0:
        raise InputError(
            f"--dates {summary.name!r}: no cell of that column of {where} is a date written "
            f"as {', '.join(DATE_FORMATS)}"
        )
    return DATE_FORMATS[counts.index(max(counts))]  # the format most cells are written in
