"""What every notebook view shares: escaping, the wrapper with its theme rules, small tables.

A view is a ``<div class="gn-view">`` holding inline SVG and HTML tables. Text and
lines use ``currentColor`` (the notebook's own text colour, light or dark); the few
fills (weights, pass/fail) are mid-tone colours that read on both backgrounds, and the
``<style>`` only softens borders and adapts the faint fills to ``prefers-color-scheme``.
A renderer that strips ``<style>`` (GitHub's) still shows every number and line.
"""

from collections.abc import Iterable, Sequence
from html import escape

import numpy as np
from numpy.typing import NDArray

POSITIVE = (8, 119, 189)  # blue: a positive weight, as in the playground
NEGATIVE = (245, 147, 34)  # orange: a negative weight
PASS_COLOUR = "#2e7d32"
FAIL_COLOUR = "#c62828"

STYLE = """<style>
.gn-view{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;
color:inherit;max-width:100%;overflow-x:auto}
.gn-view table{border-collapse:collapse;margin:4px 0}
.gn-view th,.gn-view td{border:1px solid rgba(128,128,128,.35);padding:2px 6px;
text-align:left;vertical-align:top}
.gn-view td.gn-num{text-align:right;font-family:ui-monospace,Menlo,Consolas,monospace}
.gn-view code,.gn-view .gn-eq{font-family:ui-monospace,Menlo,Consolas,monospace}
.gn-view caption{text-align:left;font-weight:600;padding:4px 0}
.gn-view .gn-faint{opacity:.7}
.gn-view table.gn-grid{margin:0}
.gn-view table.gn-grid td{border:none;padding:0 6px}
.gn-view th{background:rgba(128,128,128,.12)}
@media (prefers-color-scheme: dark){.gn-view th{background:rgba(200,200,200,.12)}}
</style>"""


def view(*parts: str, title: str = "") -> str:
    """The wrapper of a view: its style, an optional heading and the parts, in order."""
    heading = f"<div><b>{escape(title)}</b></div>" if title else ""
    return f'<div class="gn-view">{STYLE}{heading}{"".join(parts)}</div>'


def number(value: float) -> str:
    """A number as a cell shows it: 4 significant digits, ``-`` for NaN."""
    return "-" if not np.isfinite(value) else f"{value:.4g}"


def table(
    headings: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "", css: str = ""
) -> str:
    """An HTML table; cells are already HTML (escape text before); ``css`` names the class."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    caption_html = f"<caption>{escape(caption)}</caption>" if caption else ""
    head_html = f"<thead><tr>{head}</tr></thead>"
    return f'<table class="{css}">{caption_html}{head_html}<tbody>{body}</tbody></table>'


def cell(text: str, numeric: bool = False, **data: str) -> str:
    """A ``<td>`` of escaped ``text``; ``data`` become ``data-*`` attributes."""
    attributes = "".join(f' data-{key}="{escape(value)}"' for key, value in data.items())
    css = ' class="gn-num"' if numeric else ""
    return f"<td{css}{attributes}>{escape(text)}</td>"


def weight_colour(value: float, scale: float) -> str:
    """Blue for a positive weight, orange for a negative one; the stronger, the deeper."""
    t = min(1.0, abs(value) / scale) if scale > 0 else 0.0
    r, g, b = POSITIVE if value >= 0 else NEGATIVE
    return f"rgba({r},{g},{b},{0.12 + 0.88 * t:.3f})"


def heatmap(matrix: NDArray[np.floating], x: float, y: float, size: float, name: str) -> str:
    """An SVG group of one rect per entry of ``matrix`` (rows down, columns across)."""
    rows, columns = matrix.shape
    cell_size = size / max(rows, columns, 1)
    scale = float(np.abs(matrix).max()) if matrix.size else 0.0
    rects = "".join(
        f'<rect x="{x + j * cell_size:.1f}" y="{y + i * cell_size:.1f}" '
        f'width="{cell_size:.1f}" height="{cell_size:.1f}" '
        f'fill="{weight_colour(float(matrix[i, j]), scale)}"/>'
        for i in range(rows)
        for j in range(columns)
    )
    outline = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{columns * cell_size:.1f}" '
        f'height="{rows * cell_size:.1f}" fill="none" stroke="currentColor" '
        f'stroke-opacity="0.4"/>'
    )
    return f'<g class="gn-heatmap" data-name="{escape(name)}">{rects}{outline}</g>'


def svg_text(x: float, y: float, text: str, size: int = 12, anchor: str = "start") -> str:
    """An SVG ``<text>`` in the notebook's text colour."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="currentColor">{escape(text)}</text>'
    )


def svg(width: float, height: float, body: str, label: str) -> str:
    """An inline SVG element of the given size, labelled for screen readers."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}" '
        f'style="color:inherit">{body}</svg>'
    )
