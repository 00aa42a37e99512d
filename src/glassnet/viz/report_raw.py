"""The run folder's files as recorded: metrics.json, config.json and history.csv, whole.

The appendix of report.html (:mod:`glassnet.viz.report`), for a reader who wants every
recorded value: JSON objects as definition lists, matrices as tables, the history's
first and last :data:`HISTORY_EDGE` rows. Every piece of text goes through
:func:`html.escape`; a missing file is "not recorded", an unreadable one says why.
"""

import csv
import html
import json
from collections import deque
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import Any

HISTORY_EDGE = 100  # a history longer than twice this shows its first and last rows only


def text(value: Any) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value))


def missing(what: str) -> str:
    """A muted paragraph saying what is not there."""
    return f'<p class="muted">{text(what)}</p>'


def read_json(path: Path) -> tuple[Any, str | None]:
    """The file's content, or None and what to say instead."""
    if not path.is_file():
        return None, f"{path.name}: not recorded"
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{path.name} could not be read: {error}"


def config_section(config: Any, problem: str | None) -> str:
    """config.json as :func:`read_json` read it."""
    return missing(problem) if problem is not None else _value(config)


def metrics_section(metrics: Any, problem: str | None) -> str:
    """metrics.json as :func:`read_json` read it; the confusion matrix as a table."""
    if problem is not None:
        return missing(problem)
    if not isinstance(metrics, Mapping):
        return _value(metrics)
    classes = metrics.get("classes")
    rows = []
    for key, value in metrics.items():
        if key == "confusion_matrix" and _is_matrix(value):
            shown = matrix_table(value, classes if _labels_fit(classes, value) else None)
        else:
            shown = _value(value)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        cell = '<td class="num">' if number else "<td>"
        rows.append(f"<tr><th>{text(key)}</th>{cell}{shown}</td></tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _value(value: Any) -> str:
    """Escaped HTML for a JSON value: dicts as definition lists, matrices as tables."""
    if isinstance(value, Mapping):
        if not value:
            return "—"
        items = (f"<dt>{text(key)}</dt><dd>{_value(item)}</dd>" for key, item in value.items())
        return "<dl>" + "".join(items) + "</dl>"
    if isinstance(value, list):
        if _is_matrix(value):
            return matrix_table(value, None)
        if all(not isinstance(item, dict | list) for item in value):
            return text(", ".join(scalar(item) for item in value)) or "[]"
        return "<ol>" + "".join(f"<li>{_value(item)}</li>" for item in value) + "</ol>"
    return text(scalar(value))


def _is_matrix(value: Any) -> bool:
    """A non-empty list of equally long, non-empty lists of scalars."""
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(row, list) and len(row) == len(value[0]) > 0 for row in value)
        and all(not isinstance(item, dict | list) for row in value for item in row)
    )


def _labels_fit(labels: Any, matrix: list[list[Any]]) -> bool:
    return isinstance(labels, list) and len(labels) == len(matrix) == len(matrix[0])


def matrix_table(rows: list[list[Any]], labels: list[Any] | None) -> str:
    """A small table; with ``labels``, a confusion matrix: true class rows, predicted columns."""
    lines = []
    if labels is not None:
        corner = "true \\ predicted"
        head = "".join(f"<th>{text(label)}</th>" for label in labels)
        lines.append(f"<tr><th>{text(corner)}</th>{head}</tr>")
    for i, row in enumerate(rows):
        label = "" if labels is None else f"<th>{text(labels[i])}</th>"
        cells = "".join(f'<td class="num">{text(scalar(item))}</td>' for item in row)
        lines.append(f"<tr>{label}{cells}</tr>")
    return "<table>" + "".join(lines) + "</table>"


# ---- history --------------------------------------------------------------------------------


def history_section(path: Path) -> str:
    if not path.is_file():
        return missing(f"{path.name}: not recorded")
    try:
        header, head, tail, n_rows = _read_history(path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return missing(f"{path.name} could not be read: {error}")
    if header is None:
        return missing(f"{path.name} is empty: not recorded")
    lines = ["<tr>" + "".join(f"<th>{text(name)}</th>" for name in header) + "</tr>"]
    lines += [_history_row(row) for row in head]
    if tail:
        omitted = n_rows - len(head) - len(tail)
        lines.append(
            f'<tr class="omitted"><td colspan="{max(len(header), 1)}">'
            f"… {omitted} row{'s' if omitted != 1 else ''} omitted …</td></tr>"
        )
        lines += [_history_row(row) for row in tail]
    summary = f"<p>{n_rows} rows, {len(header)} columns.</p>"
    return summary + '\n<div class="scroll"><table>\n' + "\n".join(lines) + "\n</table></div>"


def _read_history(
    path: Path,
) -> tuple[list[str] | None, list[list[str]], list[list[str]], int]:
    """The header, the rows to show first, the rows to show last (empty if none omitted), the count.

    Reads the file once, keeping at most ``3 * HISTORY_EDGE`` rows in memory.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        first = list(islice(reader, 2 * HISTORY_EDGE))
        last: deque[list[str]] = deque(maxlen=HISTORY_EDGE)
        n_rows = len(first)
        for row in reader:
            last.append(row)
            n_rows += 1
    if n_rows <= 2 * HISTORY_EDGE:
        return header, first, [], n_rows
    tail = (first[HISTORY_EDGE:] + list(last))[-HISTORY_EDGE:]
    return header, first[:HISTORY_EDGE], tail, n_rows


def _history_row(row: list[str]) -> str:
    cells = []
    for cell in row:
        try:
            number = float(cell)
        except ValueError:
            cells.append(f"<td>{text(cell)}</td>")
            continue
        shown = cell if cell.lstrip("+-").isdigit() else f"{number:.6g}"
        cells.append(f'<td class="num">{text(shown)}</td>')
    return "<tr>" + "".join(cells) + "</tr>"
