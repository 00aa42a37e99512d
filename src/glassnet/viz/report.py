"""report.html: one page for a run folder, readable offline with nothing installed.

:func:`write_report` reads what a run wrote (``metrics.json``, every ``*.png``,
``config.json``, ``history.csv``) and writes ``report.html`` beside them: inline
CSS, no JavaScript, no external address, pictures by relative file name, so the
folder can be zipped, mailed and opened in any browser. Every piece of text from
the folder goes through :func:`html.escape`. A file that is missing is shown as
"not recorded"; one that cannot be read says why, and the rest of the page stands.
"""

import csv
import html
import json
import os
import struct
from collections import deque
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import quote

from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write

REPORT_NAME = "report.html"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Known pictures, in the order the page shows them; any other PNG follows, by name.
CAPTIONS = {
    "loss.png": "Cost per iteration (training, and validation when held out)",
    "boundary.png": "Decision boundary: the predicted class over the plane, with the samples",
    "boundary_grid.png": "Decision boundaries as the hidden layer grows",
    "confusion.png": "Confusion matrix: true class in rows, predicted class in columns",
    "roc.png": "ROC curve: true-positive against false-positive rate, with the AUC",
    "regression.png": "Predicted against actual values",
    "hidden_units.png": "What each hidden unit responds to",
    "gradient_norms.png": "Gradient and weight norms per layer",
}
GENERIC_CAPTION = "A picture from the run folder"
HISTORY_EDGE = 100  # a history longer than twice this shows its first and last rows only

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 1150px;
       margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
nav a { margin-right: 1rem; }
.muted { color: #777; font-style: italic; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.omitted td { text-align: center; background: #fafafa; color: #777; font-style: italic; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .3rem 0; }
dt { font-weight: 600; }
dd { margin: 0; }
dd dl { border-left: 2px solid #e4e4e4; padding-left: .6rem; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; margin-top: .3rem; }
.scroll { max-height: 36rem; overflow: auto; border: 1px solid #ddd; }
.scroll th { position: sticky; top: 0; }
@media print { .scroll { max-height: none; overflow: visible; } }
"""


def write_report(run_folder: str | os.PathLike[str]) -> Path:
    """Write ``report.html`` into ``run_folder`` (atomically) and return its path.

    The page shows the summary metrics (``metrics.json``; nested values such as a
    confusion matrix as small tables), every ``*.png`` of the folder with a
    caption, the config (``config.json``) as a definition list, and the history
    (``history.csv``, every column; beyond 200 rows the first and last 100, with a
    row saying how many are left out).

    Raises
    ------
    InputError
        When ``run_folder`` does not exist or is not a folder.
    """
    folder = Path(run_folder)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"run folder {str(folder)!r} {what}: give the folder a run wrote")
    page = _page(folder)
    target = folder / REPORT_NAME
    with atomic_write(target, "w", encoding="utf-8") as handle:
        handle.write(page)
    return target


def _page(folder: Path) -> str:
    name = _text(folder.resolve().name)
    sections = [
        ("metrics", "Summary metrics", _metrics_section(folder / "metrics.json")),
        ("pictures", "Pictures", _pictures_section(folder)),
        ("config", "Config", _config_section(folder / "config.json")),
        ("history", "History", _history_section(folder / "history.csv")),
    ]
    nav = "".join(f'<a href="#{key}">{title}</a>' for key, title, _ in sections)
    body = "\n".join(f'<h2 id="{key}">{title}</h2>\n{content}' for key, title, content in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>glassnet run: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>glassnet run: {name}</h1>\n<nav>{nav}</nav>\n{body}\n</body>\n</html>\n"
    )


def _text(value: Any) -> str:
    return html.escape(str(value))


def _missing(what: str) -> str:
    return f'<p class="muted">{_text(what)}</p>'


# ---- pictures -------------------------------------------------------------------------------


def _pictures_section(folder: Path) -> str:
    names = [p.name for p in folder.iterdir() if p.suffix.lower() == ".png" and p.is_file()]
    known = [name for name in CAPTIONS if name in names]
    others = sorted(name for name in names if name not in CAPTIONS)
    if not names:
        return _missing("no pictures recorded")
    return "\n".join(_figure(folder / name) for name in known + others)


def _figure(path: Path) -> str:
    caption = CAPTIONS.get(path.name, GENERIC_CAPTION)
    with path.open("rb") as handle:
        header = handle.read(24)  # the signature, then the IHDR chunk: width, height
    size, note = "", ""
    if header[:8] == PNG_SIGNATURE and len(header) == 24:
        width, height = struct.unpack(">II", header[16:24])
        size = f' width="{width}" height="{height}"'
    else:
        note = " (empty, or not a readable PNG)"
    source = _text(quote(path.name))  # a relative address: spaces and '#' percent-encoded
    return (
        f'<figure><img src="{source}" alt="{_text(caption)}"{size}>\n'
        f"<figcaption>{_text(caption)} <code>{_text(path.name)}</code>{note}</figcaption></figure>"
    )


# ---- config and metrics ---------------------------------------------------------------------


def _read_json(path: Path) -> tuple[Any, str | None]:
    """The file's content, or None and what to say instead."""
    if not path.is_file():
        return None, f"{path.name}: not recorded"
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{path.name} could not be read: {error}"


def _config_section(path: Path) -> str:
    config, problem = _read_json(path)
    if problem is not None:
        return _missing(problem)
    return _value(config)


def _metrics_section(path: Path) -> str:
    metrics, problem = _read_json(path)
    if problem is not None:
        return _missing(problem)
    if not isinstance(metrics, Mapping):
        return _value(metrics)
    classes = metrics.get("classes")
    rows = []
    for key, value in metrics.items():
        if key == "confusion_matrix" and _is_matrix(value):
            shown = _matrix(value, classes if _labels_fit(classes, value) else None)
        else:
            shown = _value(value)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        cell = '<td class="num">' if number else "<td>"
        rows.append(f"<tr><th>{_text(key)}</th>{cell}{shown}</td></tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def _scalar(value: Any) -> str:
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
        items = (f"<dt>{_text(key)}</dt><dd>{_value(item)}</dd>" for key, item in value.items())
        return "<dl>" + "".join(items) + "</dl>"
    if isinstance(value, list):
        if _is_matrix(value):
            return _matrix(value, None)
        if all(not isinstance(item, dict | list) for item in value):
            return _text(", ".join(_scalar(item) for item in value)) or "[]"
        return "<ol>" + "".join(f"<li>{_value(item)}</li>" for item in value) + "</ol>"
    return _text(_scalar(value))


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


def _matrix(rows: list[list[Any]], labels: list[Any] | None) -> str:
    """A small table; with ``labels``, a confusion matrix: true class rows, predicted columns."""
    lines = []
    if labels is not None:
        corner = "true \\ predicted"
        head = "".join(f"<th>{_text(label)}</th>" for label in labels)
        lines.append(f"<tr><th>{_text(corner)}</th>{head}</tr>")
    for i, row in enumerate(rows):
        label = "" if labels is None else f"<th>{_text(labels[i])}</th>"
        cells = "".join(f'<td class="num">{_text(_scalar(item))}</td>' for item in row)
        lines.append(f"<tr>{label}{cells}</tr>")
    return "<table>" + "".join(lines) + "</table>"


# ---- history --------------------------------------------------------------------------------


def _history_section(path: Path) -> str:
    if not path.is_file():
        return _missing(f"{path.name}: not recorded")
    try:
        header, head, tail, n_rows = _read_history(path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return _missing(f"{path.name} could not be read: {error}")
    if header is None:
        return _missing(f"{path.name} is empty: not recorded")
    lines = ["<tr>" + "".join(f"<th>{_text(name)}</th>" for name in header) + "</tr>"]
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
    for text in row:
        try:
            number = float(text)
        except ValueError:
            cells.append(f"<td>{_text(text)}</td>")
            continue
        shown = text if text.lstrip("+-").isdigit() else f"{number:.6g}"
        cells.append(f'<td class="num">{_text(shown)}</td>')
    return "<tr>" + "".join(cells) + "</tr>"
