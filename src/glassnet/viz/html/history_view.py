"""Loss curves as inline SVG: training and validation cost against the epoch, the best marked.

    y = top + (high - cost) / (high - low) * height       one point per epoch
    x = left + (epoch - first) / (last - first) * width

Each curve is one ``<path class="gn-curve" data-series="cost">`` of ``M x,y L x,y ...``
(a NaN cost breaks the line); the best epoch is a dashed line with ``data-epoch``.
:func:`loss_svg` serves :class:`~glassnet.training.history.History`, an estimator's
``loss_curve_`` and the live plot alike.
"""

from collections.abc import Mapping, Sequence
from html import escape

import numpy as np

from glassnet.training.history import History
from glassnet.viz.html.markup import PASS_COLOUR, cell, number, svg, svg_text, table, view

WIDTH, HEIGHT = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 92, 14, 36
MAX_POINTS = 500  # longer runs are thinned to every k-th epoch (data-stride), for a light page
SERIES_STYLE = {"cost": ("training", ""), "val_cost": ("validation", "6 3")}


def _path(xs: Sequence[float], ys: Sequence[float]) -> str:
    """``M x,y L x,y ...``; a NaN starts a new piece."""
    commands, pen_down = [], False
    for x, y in zip(xs, ys, strict=True):
        if not np.isfinite(y):
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{x:.2f},{y:.2f}")
        pen_down = True
    return " ".join(commands)


def loss_svg(
    epochs: Sequence[float],
    series: Mapping[str, Sequence[float]],
    best_epoch: int | None = None,
) -> str:
    """The curves of ``series`` (name to one value per epoch) over ``epochs``, as SVG."""
    stride = max(1, -(-len(epochs) // MAX_POINTS))
    xs_epoch = np.asarray(epochs, dtype=float)[::stride]
    curves = {name: np.asarray(values, dtype=float)[::stride] for name, values in series.items()}
    finite = np.concatenate([v[np.isfinite(v)] for v in curves.values()] or [np.zeros(0)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if finite.size == 0 or xs_epoch.size == 0:
        body = svg_text(WIDTH / 2, HEIGHT / 2, "no epochs recorded yet", 12, "middle")
        return svg(WIDTH, HEIGHT, body, "cost")
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        low, high = low - 0.5, high + 0.5
    first, last = float(xs_epoch[0]), float(xs_epoch[-1])
    span = last - first or 1.0

    def x_of(epoch: float) -> float:
        return LEFT + (epoch - first) / span * plot_w

    def y_of(values: np.ndarray) -> np.ndarray:
        return TOP + (high - values) / (high - low) * plot_h  # y grows downwards

    xs = [x_of(e) for e in xs_epoch]
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="currentColor" stroke-opacity="0.35"/>',
        svg_text(LEFT - 4, TOP + 10, number(high), 11, "end"),
        svg_text(LEFT - 4, TOP + plot_h, number(low), 11, "end"),
        svg_text(LEFT, HEIGHT - 18, f"{first:g}", 11, "middle"),
        svg_text(LEFT + plot_w, HEIGHT - 18, f"{last:g}", 11, "middle"),
        svg_text(LEFT + plot_w / 2, HEIGHT - 4, "epoch", 11, "middle"),
        svg_text(14, TOP + plot_h / 2, "cost", 11, "middle").replace(
            "<text ", f'<text transform="rotate(-90 14 {TOP + plot_h / 2:.1f})" ', 1
        ),
    ]
    for row, (name, values) in enumerate(curves.items()):
        label, dash = SERIES_STYLE.get(name, (name, "2 2"))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path class="gn-curve" data-series="{escape(name)}" data-stride="{stride}" '
            f'd="{_path(xs, list(y_of(values)))}" fill="none" stroke="currentColor" '
            f'stroke-width="1.6"{dashes}/>'
        )
        key_y = TOP + 8 + 16 * row
        parts.append(
            f'<line x1="{LEFT + plot_w + 8}" y1="{key_y}" x2="{LEFT + plot_w + 26}" '
            f'y2="{key_y}" stroke="currentColor" stroke-width="1.6"{dashes}/>'
        )
        parts.append(svg_text(LEFT + plot_w + 30, key_y + 4, label, 11))
    if best_epoch is not None and first <= best_epoch <= last:
        x = x_of(best_epoch)
        parts.append(
            f'<g class="gn-best" data-epoch="{best_epoch}"><line x1="{x:.2f}" y1="{TOP}" '
            f'x2="{x:.2f}" y2="{TOP + plot_h}" stroke="{PASS_COLOUR}" stroke-dasharray="3 3"/>'
            + svg_text(x, TOP - 3, f"best: {best_epoch}", 10, "middle")
            + "</g>"
        )
    return svg(WIDTH, HEIGHT, "".join(parts), "cost")


def best_of(history: History) -> int | None:
    """The history's best epoch, or the epoch of the lowest validation (else training) cost."""
    if history.best_epoch is not None:
        return history.best_epoch
    for name in ("val_cost", "cost"):
        values = np.asarray(history[name], dtype=float) if name in history else None
        if values is not None and np.isfinite(values).any():
            return int(history["epoch"][int(np.nanargmin(values))])
    return None


def history_series(history: History) -> dict[str, list[float]]:
    """The cost columns worth drawing: ``cost``, and ``val_cost`` when any is recorded."""
    return {
        name: history[name]
        for name in ("cost", "val_cost")
        if name in history and np.isfinite(np.asarray(history[name], dtype=float)).any()
    }


def history_html(history: History) -> str:
    """``History._repr_html_``: the curves, then the last row, the best epoch and the stop."""
    best = best_of(history)
    picture = loss_svg(history["epoch"], history_series(history), best)
    rows = []
    if len(history):
        for name in history:
            rows.append([cell(name), cell(number(history.last(name)), numeric=True)])
    facts = table(["column", "last"], rows, caption=f"{len(history)} epochs")
    why = escape(history.stop_reason) + (" (interrupted)" if history.interrupted else "")
    note = f'<div class="gn-faint">best epoch: {best} · {why}</div>'
    return view(picture, facts, note, title="History")
