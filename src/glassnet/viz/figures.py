"""What every picture shares: a figure with its own canvas, the PNG writer, sizes, colours.

Each plot draws on a fresh ``matplotlib.figure.Figure`` with an Agg canvas (no
``pyplot``, no global figure list, no display) and writes it whole or not at all.
The checks of the arrays a plot is given live here too, so every plot words them alike.
"""

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.validation import check_X

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 120
# (width, height) in inches; the PNG is FIGSIZES[kind] * DPI pixels.
FIGSIZES = {
    "loss": (7.0, 4.5),
    "boundary": (6.5, 5.5),
    "confusion": (5.5, 4.5),
    "regression": (5.5, 5.5),
}
REGION_ALPHA = 0.3  # the predicted-class regions, light enough to see the points
CLASS_COLOURS = ("tab:blue", "tab:orange")  # class 0, class 1: tab10's first two
METRIC_LABELS = {"r2": "R²", "rmse": "RMSE"}  # a metric's key as a person reads it


def data_title(name: str, data: str) -> str:
    """The data's name for a title: a glob's (``flights/part-*.csv``) is its folder's, ``flights``.

    ``name`` is the data set's name as the run recorded it, ``data`` what ``--data`` gave.
    """
    if not any(wildcard in name for wildcard in "*?["):
        return name
    folder = Path(data).parent.name
    plain = name.translate(str.maketrans("", "", "*?[]")).strip("-_. ")
    return folder or plain or "data"


def metric_label(key: str) -> str:
    """A metric's name as a person reads it: ``"r2"`` -> ``"R²"``; others unchanged."""
    return METRIC_LABELS.get(key, key)


def new_figure(size: str | tuple[float, float]) -> "Figure":
    """A fresh figure with its own Agg canvas: nothing registered with pyplot.

    ``size`` is a name in :data:`FIGSIZES` or (width, height) in inches.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figsize = FIGSIZES[size] if isinstance(size, str) else size
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def new_axes(
    size: str | tuple[float, float], title: str | None, default: str
) -> tuple["Figure", "Axes"]:
    """A fresh figure of one panel, titled ``title`` (``default`` when it is None)."""
    figure = new_figure(size)
    ax = figure.add_subplot()
    ax.set_title(default if title is None else title)
    return figure, ax


def panel_figure(n: int, columns: int, panel: tuple[float, float]) -> tuple["Figure", list["Axes"]]:
    """A figure of ``n`` panels in rows of ``columns``; the empty cells of the last row removed."""
    rows = math.ceil(n / columns)
    figure = new_figure((columns * panel[0], rows * panel[1] + 0.4))  # + room for the suptitle
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.remove()
    return figure, list(axes[:n])


def save_png(figure: "Figure", path: str | os.PathLike[str]) -> Path:
    """Write ``figure`` as a PNG at ``path``, whole or not at all."""
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=DPI)
    return Path(path)


def as_1d(values: ArrayLike, name: str) -> NDArray[Any]:
    """Return ``values`` as a non-empty 1-D array (a single column is flattened)."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise InputError(f"{name} must be 1-D (one value per sample), got shape {array.shape}")
    if array.size == 0:
        raise InputError(f"{name} is empty: there is nothing to plot")
    return array


def same_length(first: NDArray[Any], second: NDArray[Any], names: str) -> None:
    """Refuse two arrays that do not hold one value per sample each."""
    if first.shape[0] != second.shape[0]:
        raise InputError(
            f"{names} have different lengths ({first.shape[0]} and {second.shape[0]}): "
            "they must hold one value per sample"
        )


def check_points(X: ArrayLike, y: ArrayLike, name: str) -> tuple[NDArray[Any], NDArray[Any]]:
    """Return ``X`` as an (n, 2) float array and ``y`` as n labels."""
    features = check_X(X, name=f"X{name}")
    if features.shape[1] != 2:
        raise InputError(
            f"a decision boundary needs exactly 2 features, X{name} has {features.shape[1]}: "
            "pick two columns or project the data to 2-D first"
        )
    labels = as_1d(y, f"y{name}")
    same_length(features, labels, f"X{name} and y{name}")
    return features, labels


def plane_grid(points: NDArray[np.float64], resolution: int) -> tuple[NDArray[np.float64], ...]:
    """A ``resolution`` x ``resolution`` meshgrid covering ``points`` with a 5% margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    margin = np.where(high > low, 0.05 * (high - low), 0.5)
    x0 = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    x1 = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    return tuple(np.meshgrid(x0, x1))  # (resolution, resolution) each


def legend_marker(face: Any, marker: str, label: str) -> Any:
    """A legend entry: one marker with a black edge."""
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        marker=marker,
        linestyle="",
        markerfacecolor=face,
        markeredgecolor="black",
        label=label,
    )
