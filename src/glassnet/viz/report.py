"""report.html: one page a person can send a colleague, readable offline with nothing installed.

One self-contained file: every picture is inline (a base64 PNG in a ``<picture>``'s
``<source>``, its ``<img>`` naming the folder's file), the CSS is inline and light and
dark friendly, there is no script and no external address. Every piece of text from the
folder goes through :func:`html.escape`. A file that is missing is "not recorded"; one
that cannot be read says why, and the rest of the page stands.
"""

import base64
import os
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.viz import report_summary as said
from glassnet.viz.report_options import command_line, options
from glassnet.viz.report_raw import (
    config_section,
    history_section,
    metrics_section,
    missing,
    read_json,
    text,
)

__all__ = ["CAPTIONS", "GENERIC_CAPTION", "REPORT_NAME", "write_report"]

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

STYLE = """
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #666; --line: #d6d9de;
        --head: #f1f3f5; --bg: #fff; --accent: #2563a8; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e6ea; --muted: #a0a4ab; --line: #3b3f46; --head: #24272c; --bg: #17191c;
          --accent: #7fb0ea; } }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
       background: var(--bg); max-width: 1100px; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; line-height: 1.2; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem;
     margin-top: 2rem; }
a { color: var(--accent); }
nav { display: flex; flex-wrap: wrap; gap: .2rem 1rem; font-size: .9rem; }
.muted, .lede { color: var(--muted); }
.muted { font-style: italic; }
.wide { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; margin: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.omitted td { text-align: center; color: var(--muted); font-style: italic; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem 1rem;
     margin: .4rem 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
dd dl { border-left: 2px solid var(--line); padding-left: .6rem; }
.pictures { display: grid; gap: 1rem;
            grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); }
figure { margin: 0; }
figure img { display: block; max-width: 100%; height: auto; background: #fff;
             border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
pre { background: var(--head); border: 1px solid var(--line); padding: .6rem; overflow-x: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; }
details { margin-top: 2rem; }
summary { cursor: pointer; font-weight: 600; }
.scroll { max-height: 36rem; overflow: auto; border: 1px solid var(--line); }
.scroll th { position: sticky; top: 0; }
@media (max-width: 520px) { dl { grid-template-columns: minmax(0, 1fr); }
  dd { margin-bottom: .4rem; } body { padding: .6rem; } }
@media print { .scroll { max-height: none; overflow: visible; } details { display: block; } }
"""


def write_report(run_folder: str | os.PathLike[str]) -> Path:
    """Write ``report.html`` into ``run_folder`` (atomically) and return its path.

    The page, in order: the summary in words (scores with their rows, the network, the
    training) and the confusion matrix; the recipe, when the run recorded one; every
    ``*.png`` of the folder, inline, with a caption; a table's columns and what was done
    to each; the history's first, best and last epochs; the options that differ from the
    defaults; the model's size; the data and its fingerprint; the command line that runs
    it again; then metrics.json, config.json and history.csv as recorded (beyond 200
    history rows the first and last 100), folded.

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
    config_read = read_json(folder / "config.json")  # (content, problem)
    metrics_read = read_json(folder / "metrics.json")
    config, metrics = _mapping(config_read[0]), _mapping(metrics_read[0])
    name = said.title(config) if config else folder.resolve().name
    command = command_line(config) if config.get("data") else ""
    sections = [
        ("summary", "Summary", said.summary(config, metrics) + said.confusion(metrics)),
        ("recipe", "Recipe", said.recipe(config)),
        ("pictures", "Pictures", _pictures_section(folder)),
        ("columns", "Columns", said.columns(config)),
        ("history", "History", said.history(folder / "history.csv", metrics.get("metric", ""))),
        ("options", "Options", options(config) if config else ""),
        ("model", "Model", said.model(folder, config)),
        ("data", "Data", said.data(config, metrics)),
        ("again", "Run it again", f"<pre><code>{text(command)}</code></pre>" if command else ""),
    ]
    shown = [(key, heading, body) for key, heading, body in sections if body]
    recorded = [
        ("metrics", "Summary metrics", metrics_section(*metrics_read)),
        ("config", "Config", config_section(*config_read)),
        ("recorded-history", "History", history_section(folder / "history.csv")),
    ]
    nav = "".join(f'<a href="#{key}">{heading}</a>' for key, heading, _ in shown)
    body = "\n".join(
        f'<h2 id="{key}">{heading}</h2>\n<div class="wide">{content}</div>'
        for key, heading, content in shown
    )
    appendix = "\n".join(
        f'<h3 id="{key}">{heading}</h3>\n<div class="wide">{content}</div>'
        for key, heading, content in recorded
    )
    task = f"{config.get('task', '')} · " if config.get("task") else ""
    lede = f"{task}glassnet {config.get('version', '')} · run folder {folder.resolve().name}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>glassnet run: {text(name)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<h1>glassnet run: {text(name)}</h1>\n<p class="lede">{text(lede)}</p>\n'
        f"<nav>{nav}</nav>\n{body}\n"
        "<details><summary>The recorded files: metrics.json, config.json, history.csv"
        f"</summary>\n{appendix}\n</details>\n</body>\n</html>\n"
    )


def _mapping(content: Any) -> Mapping[str, Any]:
    return content if isinstance(content, Mapping) else {}


# ---- pictures -------------------------------------------------------------------------------


def _pictures_section(folder: Path) -> str:
    names = [p.name for p in folder.iterdir() if p.suffix.lower() == ".png" and p.is_file()]
    known = [name for name in CAPTIONS if name in names]
    others = sorted(name for name in names if name not in CAPTIONS)
    if not names:
        return missing("no pictures recorded")
    figures = "\n".join(_figure(folder / name) for name in known + others)
    return f'<div class="pictures">{figures}</div>'


def _figure(path: Path) -> str:
    """The picture inline (a data: URI), its ``<img>`` naming the folder's file as the fallback."""
    caption = CAPTIONS.get(path.name, GENERIC_CAPTION)
    data = path.read_bytes()
    size, note, inline = "", "", ""
    if data[:8] == PNG_SIGNATURE and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk: width, height
        size = f' width="{width}" height="{height}"'
        encoded = base64.b64encode(data).decode("ascii")
        inline = f'<source srcset="data:image/png;base64,{encoded}" type="image/png">'
    else:
        note = " (empty, or not a readable PNG)"
    source = text(quote(path.name))  # a relative address: spaces and '#' percent-encoded
    return (
        f'<figure><picture>{inline}<img src="{source}" alt="{text(caption)}"{size}></picture>\n'
        f"<figcaption>{text(caption)} <code>{text(path.name)}</code>{note}</figcaption></figure>"
    )
