"""One step explained, as the tutorials' table: each Z, A, dZ, dW, db with its equation.

One row per step (:class:`~glassnet.viz.explanation.Step`), grouped by section (inputs,
forward, cost, backward, update)::

    name | equation           | shape    | values (first rows and columns)
    Z1   | Z1 = X W1 + b1     | (500, 5) | [[...]]

The values are the Trace's and the Gradients' own numbers, each in a
``<td data-i data-j>`` of the step's small grid (``<table data-name="Z1">``), so a
test reads them back.
"""

from collections.abc import Iterable
from html import escape
from typing import Any

import numpy as np

from glassnet.viz.html.markup import cell, number, table, view

SHOWN_ROWS = 4
MAX_COLUMNS = 8


def value_cell(value: float, i: int, j: int) -> str:
    """One number: 4 significant digits shown, the exact float in ``data-value`` and on hover."""
    exact = repr(float(value))
    return (
        f'<td class="gn-num" data-i="{i}" data-j="{j}" data-value="{exact}" title="{exact}">'
        f"{escape(number(float(value)))}</td>"
    )


def values_grid(step: Any) -> str:
    """The first rows and columns of the step's value as a small grid of numbers."""
    name = escape(step.name)
    if np.ndim(step.value) == 0:
        only = value_cell(step.value, 0, 0)
        return f'<table class="gn-grid" data-name="{name}"><tr>{only}</tr></table>'
    rows = np.atleast_2d(np.asarray(step.value))
    body = "".join(
        "<tr>"
        + "".join(value_cell(v, i, j) for j, v in enumerate(row[:MAX_COLUMNS]))
        + (
            f'<td class="gn-faint">… {rows.shape[1]} columns</td>'
            if rows.shape[1] > MAX_COLUMNS
            else ""
        )
        + "</tr>"
        for i, row in enumerate(rows[:SHOWN_ROWS])
    )
    more = f'<div class="gn-faint">… {rows.shape[0]} rows in all</div>'
    if rows.shape[0] <= SHOWN_ROWS:
        more = ""
    return f'<table class="gn-grid" data-name="{name}">{body}</table>{more}'


def _row(step: Any) -> list[str]:
    """A step's name, equation (and note), shape and first values."""
    note = f'<div class="gn-faint">{escape(step.note)}</div>' if step.note else ""
    return [
        f"<td><b>{escape(step.name)}</b></td>",
        f'<td class="gn-eq">{escape(step.formula)}{note}</td>',
        cell(step.shape),
        f"<td>{values_grid(step)}</td>",
    ]


def explanation_html(
    explanation: Any, sections: Iterable[tuple[str, list[Any]]], convention: str
) -> str:
    """``Explanation._repr_html_``: a table per section, every step's equation beside it.

    ``sections`` (each heading and its steps) and ``convention`` (the rows-are-samples
    note) are :mod:`glassnet.viz.explanation`'s, passed in: that module calls this one.
    """
    parts = [
        table(["name", "equation", "shape", "values"], [_row(step) for step in steps], title)
        for title, steps in sections
    ]
    intro = (
        f"<div><code>{escape(explanation.description)}</code>; m = {explanation.m} samples"
        + (f"; {escape(explanation.rows_note)}" if explanation.rows_note else "")
        + f'</div><div class="gn-faint">{escape(convention)}</div>'
    )
    return view(intro, *parts, title="One iteration, step by step")
