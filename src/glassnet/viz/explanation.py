"""One iteration explained: its steps (:class:`Step`, :class:`Explanation`) and how they read.

:func:`glassnet.viz.explain.explain_step` collects the steps; here each is written as
its formula, its shape and the first rows of its values (:func:`format_values`), under
the heading of its section, as plain text or as a Markdown handout (:data:`FORMATS`).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Gradients, Network, Trace
from glassnet.validation import check_integer, lookup

Array = NDArray[np.floating]

MAX_COLUMNS = 8
"""Columns of an array shown before ``...``; rows are capped by ``max_rows``."""

ROW_CONVENTION = (
    "Rows are samples: the tutorials' Z = W X + b is Z^T here "
    "(Z = X W + b; W1 is the tutorials' W1^T, shape (n_x, n_h))."
)

SECTIONS: dict[str, str] = {
    "inputs": "Inputs and starting parameters",
    "forward": "Forward pass",
    "cost": "Cost",
    "backward": "Backward pass",
    "update": "Update",
}


@dataclass(frozen=True)
class Step:
    """One line of the explanation: ``formula`` computed ``value`` (array or the cost)."""

    section: str
    name: str
    formula: str
    value: Array | float
    note: str = ""

    @property
    def shape(self) -> str:
        """The value's shape as text, ``"(500, 5)"``; empty for the cost."""
        return "" if np.ndim(self.value) == 0 else str(np.shape(self.value))


@dataclass
class Explanation:
    """One iteration traced: the steps, and the Trace, Gradients and updated copy behind them.

    Attributes
    ----------
    description : str
        The network's repr.
    m : int
        The number of samples.
    rows_note : str
        Which rows these are (where they come from, how they were scaled); may be empty.
    learning_rate : float
        lr of the update.
    steps : list of Step
        In the tutorials' order: inputs, forward, cost, backward, update.
    cost : float
        J before the update.
    trace, grads
        What :func:`~glassnet.core.network.forward` and :func:`~glassnet.core.network.backward`
        returned.
    updated : Network
        A copy of the network after one gradient descent step; the original is untouched.
    """

    description: str
    m: int
    learning_rate: float
    steps: list[Step]
    cost: float
    trace: Trace
    grads: Gradients
    updated: Network
    rows_note: str = ""

    def render(self, format: str = "text", *, max_rows: int = 4, decimals: int = 4) -> str:
        """The explanation as plain text (``"text"``) or a Markdown handout (``"markdown"``)."""
        renderer = lookup(FORMATS, format, "format")
        return renderer(
            self,
            check_integer(max_rows, "max_rows", low=1),
            check_integer(decimals, "decimals", low=0),
        )

    def __str__(self) -> str:
        return self.render()

    def _repr_html_(self) -> str:
        """The step as a table in a notebook (:mod:`glassnet.viz.html.explanation_view`)."""
        from glassnet.viz.html.explanation_view import explanation_html

        return explanation_html(self, by_section(self), ROW_CONVENTION)


def format_values(value: Array | float, max_rows: int = 4, decimals: int = 4) -> list[str]:
    """The first ``max_rows`` rows (and ``MAX_COLUMNS`` columns) of ``value``, one line each.

    A scalar is ``= 0.7631``; a 1-D array (a bias) is one row; a longer array ends with
    ``... (n rows)``.
    """
    if np.ndim(value) == 0:
        return [f"= {float(value):.{decimals}f}"]
    rows = np.atleast_2d(np.asarray(value))
    cells = [[f"{v:.{decimals}f}" for v in row[:MAX_COLUMNS]] for row in rows[:max_rows]]
    width = max(len(cell) for row in cells for cell in row)
    more = f"  ... ({rows.shape[1]} columns)" if rows.shape[1] > MAX_COLUMNS else ""
    lines = ["[" + "  ".join(cell.rjust(width) for cell in row) + more + "]" for row in cells]
    if rows.shape[0] > max_rows:
        lines.append(f"... ({rows.shape[0]} rows)")
    return lines


def by_section(explanation: Explanation) -> Iterator[tuple[str, list[Step]]]:
    """Each section's heading (the update's names its learning rate) and its steps."""
    for section, steps in groupby(explanation.steps, key=attrgetter("section")):
        title = SECTIONS[section]
        if section == "update":
            title += f" (gradient descent, lr = {explanation.learning_rate:g})"
        yield title, list(steps)


def _rows_line(explanation: Explanation) -> list[str]:
    """``["Data: ..."]`` when the explanation says which rows it ran on, else nothing."""
    return [f"Data: {explanation.rows_note}"] if explanation.rows_note else []


def _render_text(explanation: Explanation, max_rows: int, decimals: int) -> str:
    lines = [
        "One iteration, step by step",
        f"{explanation.description}; m = {explanation.m} samples",
        *_rows_line(explanation),
        ROW_CONVENTION,
    ]
    for title, steps in by_section(explanation):
        lines += ["", title]
        for step in steps:
            note = f"  ({step.note})" if step.note else ""
            lines.append(f"  {step.formula:<36} {step.shape}{note}".rstrip())
            lines += [f"      {line}" for line in format_values(step.value, max_rows, decimals)]
    return "\n".join(lines) + "\n"


def _render_markdown(explanation: Explanation, max_rows: int, decimals: int) -> str:
    lines = [
        "# One iteration, step by step",
        "",
        f"`{explanation.description}`, m = {explanation.m} samples.",
        "",
        *[f"{line}." for line in _rows_line(explanation)],
        *([""] if explanation.rows_note else []),
        ROW_CONVENTION,
    ]
    for title, steps in by_section(explanation):
        lines += ["", f"## {title}"]
        for step in steps:
            shape = f", shape {step.shape}" if step.shape else ""
            note = f" ({step.note})" if step.note else ""
            lines += ["", f"`{step.formula}`{shape}{note}", "", "```text"]
            lines += format_values(step.value, max_rows, decimals)
            lines.append("```")
    return "\n".join(lines) + "\n"


FORMATS = {"text": _render_text, "markdown": _render_markdown}
"""Renderers by format name."""
