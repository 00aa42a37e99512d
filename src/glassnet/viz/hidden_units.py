"""What each hidden unit responds to: ``A[l][:, j]`` over the plane, for every hidden layer.

A picture for networks with 2 inputs (:func:`plot_hidden_units`): one block of rows of
panels per hidden layer, one panel per unit.
"""

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, forward
from glassnet.errors import InputError
from glassnet.validation import check_features, check_integer, check_X
from glassnet.viz.figures import (
    CLASS_COLOURS,
    as_1d,
    legend_marker,
    new_figure,
    plane_grid,
    same_length,
    save_png,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

UNIT_PANEL = (2.0, 2.0)  # inches per hidden-unit panel
UNIT_COLUMNS = 6  # one row up to 6 units; more rows of at most max(6, sqrt(n)) panels
MAX_UNITS = 32  # units drawn per layer by default: a wider layer shows its first 32
UNIT_MAP = "PiYG_r"  # green above g(0), white at, pink below: apart from the classes' colours


def plot_hidden_units(
    network: Network,
    X: ArrayLike,
    path: str | os.PathLike[str],
    *,
    layer: int | None = None,
    y: ArrayLike | None = None,
    feature_names: Sequence[str] = ("feature 0", "feature 1"),
    max_units: int = MAX_UNITS,
    inputs: Callable[[NDArray[np.float64]], ArrayLike] | None = None,
) -> Path:
    """Draw every hidden unit over the plane, a block of rows per hidden layer, as a PNG.

    One small panel per unit ``j`` of layer ``l``: the activation ``A[l][:, j]`` at every
    point of a grid covering ``X`` (computed by :func:`glassnet.forward`), on a
    diverging map centred on g(0), the activation of a zero input: green above, white
    at, pink below. The dashed line is ``Z[l][:, j] = 0`` (for layer 1 the straight
    line ``x W[1][:, j] + b[1][j] = 0``); each panel has its own colour range, printed
    in its title. The samples are drawn on top, each class in the colour the decision
    boundary gives it (:data:`glassnet.viz.figures.CLASS_COLOURS`, then matplotlib's
    tab10), with a legend. The left column and the bottom row of each layer's block
    carry the axes: ticks, values and the feature names.

    Parameters
    ----------
    network : Network
        A network with 2 inputs.
    X : array-like of shape (n_samples, 2)
        The data whose plane to cover, in the data's units (what ``inputs`` takes).
    path : str or path-like
        Where to write the PNG.
    layer : int, optional
        Draw only this hidden layer, 1 .. L - 1. Default: every hidden layer, in order.
    y : array-like of shape (n_samples,), optional
        Labels: each class in its own colour (the k-th of the sorted labels in the k-th
        colour, as the boundary plot colours class index k).
    feature_names : pair of str, default ("feature 0", "feature 1")
        The axis labels, as :func:`glassnet.viz.plots.plot_decision_boundary` takes them.
    max_units : int, default 32
        At most this many units of each layer, its first ones; the title says when a
        layer has more (a panel costs matplotlib about 0.1 s).
    inputs : callable, optional
        Maps (m, 2) points in the data's units to the network's inputs, e.g. a run's
        standardiser, so the axes read in the data's units as the decision boundary's
        do. Default: ``X`` is already what the network takes.

    Returns
    -------
    Path
        The file written.
    """
    figure = _hidden_units_figure(
        network,
        X,
        layer=layer,
        y=y,
        feature_names=feature_names,
        max_units=max_units,
        inputs=inputs,
    )
    return save_png(figure, path)


def _hidden_units_figure(
    network: Network,
    X: ArrayLike,
    *,
    layer: int | None,
    y: ArrayLike | None,
    feature_names: Sequence[str] = ("feature 0", "feature 1"),
    max_units: int = MAX_UNITS,
    resolution: int = 150,
    inputs: Callable[[NDArray[np.float64]], ArrayLike] | None = None,
) -> "Figure":
    features, labels, layers = _check_hidden_units(network, X, layer, y, feature_names)
    max_units = check_integer(max_units, "max_units", low=1)
    xx, yy = plane_grid(features, resolution)
    grid = np.column_stack([xx.ravel(), yy.ravel()])  # (resolution², 2), the data's units
    network_inputs = grid if inputs is None else np.asarray(inputs(grid), dtype=np.float64)
    trace = forward(network, network_inputs.astype(network.dtype))
    shown = [min(network.layer_sizes[l], max_units) for l in layers]  # panels per layer
    columns = max(_balanced_columns(n) for n in shown)
    rows = [math.ceil(n / columns) for n in shown]  # each layer starts a new row
    figure = new_figure((columns * UNIT_PANEL[0], sum(rows) * UNIT_PANEL[1] + 0.4))
    cells = figure.subplots(sum(rows), columns, squeeze=False)
    first_row = 0
    for l, n, n_rows in zip(layers, shown, rows, strict=True):
        block = cells[first_row : first_row + n_rows].ravel()
        for ax in block[n:]:
            ax.remove()
        for j, ax in enumerate(block[:n]):
            A = trace.A[l][:, j].reshape(xx.shape)  # A[l][:, j] over the plane
            Z = trace.Z[l][:, j].reshape(xx.shape)
            _draw_unit(ax, (xx, yy), A, Z, centre=_g_of_zero(network, l))
            _class_points(ax, features, labels)
            ax.set_title(f"A[{l}][:, {j}]\n{A.min():.2g} … {A.max():.2g}", fontsize="small")
            _label_axes(ax, feature_names, left=j % columns == 0, bottom=j >= n - columns)
        first_row += n_rows
    if labels is not None:
        classes = np.unique(labels)
        handles = [legend_marker(_class_colour(k), "o", str(c)) for k, c in enumerate(classes)]
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    figure.suptitle(_hidden_units_title(network, layers, max_units), fontsize="medium")
    return figure


def _draw_unit(
    ax: "Axes",
    plane: tuple[NDArray[Any], NDArray[Any]],
    A: NDArray[Any],
    Z: NDArray[Any],
    *,
    centre: float,
) -> None:
    """One unit's activation over the plane, white at g(0), and its dashed line Z = 0."""
    xx, yy = plane
    reach = max(float(np.abs(A - centre).max()), 1e-12)  # the map is symmetric about g(0)
    ax.imshow(
        A,
        origin="lower",
        extent=(xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0]),
        aspect="auto",
        cmap=UNIT_MAP,
        vmin=centre - reach,
        vmax=centre + reach,
    )
    if Z.min() < 0 < Z.max():
        ax.contour(xx, yy, Z, levels=[0], colors="black", linewidths=0.8, linestyles="--")


def _check_hidden_units(
    network: Network,
    X: ArrayLike,
    layer: int | None,
    y: ArrayLike | None,
    feature_names: Sequence[str],
) -> tuple[NDArray[np.float64], NDArray[Any] | None, list[int]]:
    """The features, the labels (or None) and the hidden layers to draw; refuse bad input."""
    if network.layer_sizes[0] != 2:
        raise InputError(
            f"hidden units are drawn over a plane: the network needs 2 inputs, it has "
            f"{network.layer_sizes[0]}"
        )
    features = check_X(X).astype(np.float64, copy=False)
    check_features(features, 2)
    n_hidden = network.n_layers - 1
    if n_hidden == 0:
        raise InputError("the network has no hidden layer: there are no hidden units to draw")
    if layer is not None and (
        isinstance(layer, bool)
        or not isinstance(layer, int | np.integer)
        or not 1 <= layer <= n_hidden
    ):
        raise InputError(f"layer must be a hidden layer, 1..{n_hidden}, got {layer!r}")
    if isinstance(feature_names, str) or len(feature_names) != 2:
        raise InputError(f"feature_names must be two names, one per axis, got {feature_names!r}")
    labels = None if y is None else as_1d(y, "y")
    if labels is not None:
        same_length(features, labels, "X and y")
    layers = list(range(1, n_hidden + 1)) if layer is None else [int(layer)]
    return features, labels, layers


def _balanced_columns(n_units: int) -> int:
    """Panels per row for one layer: 7 units as 4 + 3, 20 as 5 x 4, up to 6 in one row."""
    rows = math.ceil(n_units / max(UNIT_COLUMNS, math.ceil(math.sqrt(n_units))))
    return math.ceil(n_units / rows)


def _g_of_zero(network: Network, layer: int) -> float:
    """g(0) of the layer's activation, the centre of its map: tanh, relu 0; sigmoid 0.5."""
    return float(network.activations[layer - 1].fn(np.zeros((1, 1)))[0, 0])


def _class_colour(k: int) -> Any:
    """The k-th class's colour, as the decision boundary draws class index k."""
    from matplotlib import colormaps

    return CLASS_COLOURS[k] if k < len(CLASS_COLOURS) else colormaps["tab10"](k % 10)


def _class_points(ax: "Axes", X: NDArray[np.floating], labels: NDArray[Any] | None) -> None:
    """The samples on top: each class in its colour; in black, faint, without labels."""
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=4, color="black", alpha=0.3, linewidths=0)
        return
    for k, label in enumerate(np.unique(labels)):
        rows = labels == label
        ax.scatter(
            X[rows, 0],
            X[rows, 1],
            s=7,
            color=_class_colour(k),
            edgecolors="black",
            linewidths=0.2,
            alpha=0.8,
        )


def _label_axes(ax: "Axes", names: Sequence[str], *, left: bool, bottom: bool) -> None:
    """Ticks, values and names on a layer's left column and bottom row only (quick to lay out)."""
    ax.tick_params(labelsize="x-small", length=2, pad=1)
    if left:
        ax.set_ylabel(names[1], fontsize="small")
    else:
        ax.set_yticks([])
    if bottom:
        ax.set_xlabel(names[0], fontsize="small")
    else:
        ax.set_xticks([])


def _hidden_units_title(network: Network, layers: list[int], max_units: int) -> str:
    """``hidden layer 1: 5 tanh units`` (or every layer's), and how to read the colours."""
    described = []
    for l in layers:
        n, name = network.layer_sizes[l], network.activations[l - 1].name
        described.append(f"{n} {name}" + (f" (first {max_units} shown)" if n > max_units else ""))
    which = f"hidden layer {layers[0]}" if len(layers) == 1 else f"hidden layers 1-{layers[-1]}"
    key = "white = g(0), green above, pink below; dashed: Z = 0"
    return f"{which}: {', '.join(described)} units; {key}"
