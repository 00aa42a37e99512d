"""Pictures that look inside a network: ROC, the hidden-size grid, hidden units, gradient norms.

The companions of :mod:`glassnet.viz.plots`, drawn the same way: each function builds a
``matplotlib.figure.Figure`` with an Agg canvas (no ``pyplot``), writes the PNG
atomically and returns the path; matplotlib and scikit-learn are imported inside
the functions. Each ``plot_*`` draws with a ``_*_figure`` builder that returns the
Figure, so tests can read its titles, legends and panels.

- :func:`plot_roc`: the ROC curve and its AUC (scikit-learn's ``RocCurveDisplay``).
- :func:`plot_boundary_grid`: the tutorials' planar-data exercise, one network per
  hidden-layer size, its decision boundary and its training accuracy.
- :func:`plot_hidden_units`: what each hidden unit responds to, ``A[l][:, j]`` over the plane.
- :func:`plot_gradient_norms`: ``||dW[l]||`` and ``||W[l]||`` per epoch, from
  :class:`glassnet.training.inspection.GradientNorms`: vanishing and exploding gradients.
"""

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network, forward
from glassnet.errors import InputError
from glassnet.training.loop import train
from glassnet.validation import check_features, check_layer_sizes, check_X
from glassnet.viz.plots import (
    REGION_ALPHA,
    as_1d,
    check_points,
    legend_marker,
    new_figure,
    plane_grid,
    same_length,
    save_png,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ROC_SIZE = (5.5, 5.0)  # inches; the PNG is size * DPI pixels
GRID_PANEL = (3.4, 3.3)  # inches per panel of the boundary grid
GRID_COLUMNS = 4
UNIT_PANEL = (2.0, 2.0)  # inches per hidden-unit panel
UNIT_COLUMNS = 6  # one row up to 6 units; more rows of at most max(6, sqrt(n)) panels
NORMS_SIZE = (7.0, 7.5)  # two panels; one panel is half as tall
CLASS_COLOURS = ("tab:blue", "tab:orange")  # class 0, class 1: as plots.plot_decision_boundary
UNIT_MARKERS = ("o", "x", "^", "s", "+", "D")  # the classes over a hidden unit's colours


def _panel_figure(
    n: int, columns: int, panel: tuple[float, float]
) -> tuple["Figure", list["Axes"]]:
    """A figure of ``n`` panels in rows of ``columns``; the empty cells of the last row removed."""
    rows = math.ceil(n / columns)
    figure = new_figure((columns * panel[0], rows * panel[1] + 0.4))  # + room for the suptitle
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.remove()
    return figure, list(axes[:n])


# ---- ROC ------------------------------------------------------------------------------------


def plot_roc(
    y_true: ArrayLike, scores: ArrayLike, path: str | os.PathLike[str], *, title: str | None = None
) -> Path:
    """Draw the ROC curve of a binary classifier, with its AUC, as a PNG.

    The curve plots the true-positive rate TP / (TP + FN) against the false-positive
    rate FP / (FP + TN) as the threshold on ``scores`` moves from high to low; the
    area under it (AUC) is the probability that a random positive scores above a
    random negative (0.5: chance, 1: perfect).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Two classes; the larger label (1 for 0/1 labels) is the positive class.
    scores : array-like of shape (n_samples,) or (n_samples, 2)
        The positive class's score, e.g. the sigmoid output A[L]; for ``predict_proba``'s
        (n, 2) the second column is used.
    path : str or path-like
        Where to write the PNG.
    title : str, optional
        Default ``"ROC curve"``; the legend gives the AUC to three decimals.

    Returns
    -------
    Path
        The file written.
    """
    return save_png(_roc_figure(y_true, scores, title=title), path)


def _roc_figure(y_true: ArrayLike, scores: ArrayLike, *, title: str | None = None) -> "Figure":
    from sklearn.metrics import RocCurveDisplay

    labels = as_1d(y_true, "y_true")
    positive = _positive_scores(scores)
    same_length(labels, positive, "y_true and scores")
    classes = np.unique(labels)
    if classes.size != 2:
        shown = ", ".join(str(c) for c in classes[:6]) + (", ..." if classes.size > 6 else "")
        raise InputError(
            f"a ROC curve needs exactly two classes, y_true has {classes.size} ({shown}): "
            "for more classes draw one curve per class against the rest"
        )
    figure = new_figure(ROC_SIZE)
    ax = figure.add_subplot()
    display = RocCurveDisplay.from_predictions(
        labels, positive, pos_label=classes[1], name="network", ax=ax, plot_chance_level=True
    )
    display.line_.set_label(f"network (AUC = {display.roc_auc:.3f})")  # scikit-learn shows 2 digits
    ax.legend(loc="lower right")
    ax.set_title(title if title is not None else "ROC curve")
    ax.grid(alpha=0.3)
    return figure


def _positive_scores(scores: ArrayLike) -> NDArray[np.float64]:
    try:
        array = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("scores must be numbers: the positive class's score per sample") from None
    if array.ndim == 2 and array.shape[1] == 2:
        array = array[:, 1]  # predict_proba's (n, 2): the positive class's column
    array = as_1d(array, "scores")
    if not np.isfinite(array).all():
        raise InputError("scores contain NaN or inf: a ROC curve needs finite scores")
    return array


# ---- decision boundaries for growing hidden layers ------------------------------------------


def plot_boundary_grid(
    X: ArrayLike,
    y: ArrayLike,
    path: str | os.PathLike[str],
    *,
    hidden_sizes: Sequence[int] = (1, 2, 3, 4, 5, 20, 50),
    activation: str = "tanh",
    learning_rate: float = 1.2,
    epochs: int = 5000,
    random_state: int | None = 0,
) -> Path:
    """Train one 2-h-1 network per hidden size and draw their decision boundaries as a PNG.

    The tutorials' planar-data exercise: for each ``h`` in ``hidden_sizes``,
    ``Network([2, h, 1], hidden=activation, output="sigmoid")`` trained by full-batch
    gradient descent (one step per epoch) on ``X`` as given, then one panel titled
    "Hidden Layer of size h" with its training accuracy: the predicted class as a
    coloured region, the line P(y = 1) = 0.5 in black, the samples on top. Small
    ``h`` underfits (h = 1 draws a straight line); large ``h`` bends the boundary
    around single points.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        Two features (standardise them first if their scales differ a lot).
    y : array-like of shape (n_samples,)
        Two classes; the larger label is class 1 (the sigmoid's positive class).
    path : str or path-like
        Where to write the PNG.
    hidden_sizes : sequence of int
        One panel per size, in this order.
    activation : str, default "tanh"
        The hidden activation, as the tutorial.
    learning_rate : float, default 1.2
        The tutorial's rate.
    epochs : int, default 5000
        Full-batch iterations per network: half the tutorial's 10,000, which keeps
        the default grid near 4 s for 400 points and draws the same boundaries.
    random_state : int, optional
        Seed for each network's initial weights (the same for every size).

    Returns
    -------
    Path
        The file written.
    """
    figure = _boundary_grid_figure(
        X,
        y,
        hidden_sizes=hidden_sizes,
        activation=activation,
        learning_rate=learning_rate,
        epochs=epochs,
        random_state=random_state,
    )
    return save_png(figure, path)


def _boundary_grid_figure(
    X: ArrayLike,
    y: ArrayLike,
    *,
    hidden_sizes: Sequence[int],
    activation: str,
    learning_rate: float,
    epochs: int,
    random_state: int | None,
    resolution: int = 200,
) -> "Figure":
    features, labels = check_points(X, y, "")
    classes, y01 = np.unique(labels, return_inverse=True)  # class 1 = the larger label
    if classes.size != 2:
        raise InputError(
            f"the boundary grid trains sigmoid networks on two classes, y has {classes.size}: "
            "give binary labels"
        )
    if isinstance(hidden_sizes, str) or not isinstance(hidden_sizes, Iterable):
        raise InputError(f"hidden_sizes must be a sequence such as (1, 2, 3), got {hidden_sizes!r}")
    sizes = check_layer_sizes(hidden_sizes, "hidden_sizes")
    if not sizes:
        raise InputError("hidden_sizes is empty: give at least one hidden-layer size")

    xx, yy = plane_grid(features, resolution)
    grid = np.column_stack([xx.ravel(), yy.ravel()])  # (resolution², 2)
    colours = [CLASS_COLOURS[k] for k in y01]
    figure, axes = _panel_figure(len(sizes), min(GRID_COLUMNS, len(sizes)), GRID_PANEL)
    for ax, h in zip(axes, sizes, strict=True):
        network = Network([2, h, 1], hidden=activation, output="sigmoid", random_state=random_state)
        train(network, features, y01, epochs=epochs, learning_rate=learning_rate)  # full batch
        accuracy = np.mean((network.predict_output(features)[:, 0] > 0.5) == y01)
        P = network.predict_output(grid)[:, 0].reshape(xx.shape)  # P(y = 1) over the plane
        ax.contourf(
            xx, yy, P > 0.5, levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS, alpha=REGION_ALPHA
        )
        if P.min() < 0.5 < P.max():
            ax.contour(xx, yy, P, levels=[0.5], colors="black", linewidths=0.8)
        ax.scatter(
            features[:, 0], features[:, 1], c=colours, s=10, edgecolors="black", linewidths=0.3
        )
        ax.set_title(
            f"Hidden Layer of size {h}\ntraining accuracy {accuracy:.1%}", fontsize="medium"
        )
        ax.tick_params(labelsize="small")
    handles = [legend_marker(CLASS_COLOURS[k], "o", str(c)) for k, c in enumerate(classes)]
    figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    figure.suptitle(
        f"[2, h, 1] networks, {activation} hidden layer, {epochs} full-batch epochs "
        f"at learning rate {learning_rate:g}"
    )
    return figure


# ---- hidden units ---------------------------------------------------------------------------


def plot_hidden_units(
    network: Network,
    X: ArrayLike,
    path: str | os.PathLike[str],
    *,
    layer: int = 1,
    y: ArrayLike | None = None,
) -> Path:
    """Draw each unit of a hidden layer over the plane: what each hidden unit responds to.

    One small panel per unit ``j``: the activation ``A[layer][:, j]`` at every point of
    a grid covering ``X`` (computed by :func:`glassnet.forward`), on a diverging map
    centred on g(0), the activation of a zero input: red above, white at, blue below.
    The dashed line is ``Z[layer][:, j] = 0`` (for layer 1 the straight line
    ``x W[1][:, j] + b[1][j] = 0``); each panel has its own colour range, printed in
    its title. The samples are drawn faintly on top.

    Parameters
    ----------
    network : Network
        A network with 2 inputs.
    X : array-like of shape (n_samples, 2)
        The data whose plane to cover, in the features the network takes.
    path : str or path-like
        Where to write the PNG.
    layer : int, default 1
        Which hidden layer, 1 .. L - 1.
    y : array-like of shape (n_samples,), optional
        Labels: each class gets its own marker.

    Returns
    -------
    Path
        The file written.
    """
    return save_png(_hidden_units_figure(network, X, layer=layer, y=y), path)


def _hidden_units_figure(
    network: Network, X: ArrayLike, *, layer: int, y: ArrayLike | None, resolution: int = 150
) -> "Figure":
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
    if (
        isinstance(layer, bool)
        or not isinstance(layer, int | np.integer)
        or not 1 <= layer <= n_hidden
    ):
        raise InputError(f"layer must be a hidden layer, 1..{n_hidden}, got {layer!r}")
    labels = None if y is None else as_1d(y, "y")
    if labels is not None:
        same_length(features, labels, "X and y")

    xx, yy = plane_grid(features, resolution)
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(network.dtype)  # (resolution², 2)
    trace = forward(network, grid)
    A, Z = trace.A[layer], trace.Z[layer]  # (resolution², n_layer) each
    activation = network.activations[layer - 1]
    centre = float(activation.fn(np.zeros((1, 1)))[0, 0])  # g(0): tanh, relu 0; sigmoid 0.5
    n_units = A.shape[1]
    rows = math.ceil(n_units / max(UNIT_COLUMNS, math.ceil(math.sqrt(n_units))))
    columns = math.ceil(n_units / rows)  # balanced rows: 7 units as 4 + 3, 20 as 5 x 4
    figure, axes = _panel_figure(n_units, columns, UNIT_PANEL)
    extent = (xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0])
    for j, ax in enumerate(axes):
        unit = A[:, j].reshape(xx.shape)
        reach = max(float(np.abs(unit - centre).max()), 1e-12)  # symmetric about g(0)
        ax.imshow(
            unit,
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap="RdBu_r",
            vmin=centre - reach,
            vmax=centre + reach,
        )
        z = Z[:, j].reshape(xx.shape)
        if z.min() < 0 < z.max():
            ax.contour(xx, yy, z, levels=[0], colors="black", linewidths=0.8, linestyles="--")
        _faint_points(ax, features, labels)
        ax.set_title(f"A[{layer}][:, {j}]\n{unit.min():.2g} … {unit.max():.2g}", fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle(
        f"hidden layer {layer}: {n_units} {activation.name} units; white = g(0) = {centre:g}, "
        "red above, blue below; dashed: Z = 0",
        fontsize="medium",
    )
    return figure


def _faint_points(ax: "Axes", X: NDArray[np.floating], labels: NDArray[Any] | None) -> None:
    """The samples in black, faint; one marker per class when labels are given."""
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=4, color="black", alpha=0.3, linewidths=0)
        return
    for k, label in enumerate(np.unique(labels)):
        rows = labels == label
        marker = UNIT_MARKERS[k % len(UNIT_MARKERS)]
        ax.scatter(
            X[rows, 0], X[rows, 1], s=6, color="black", alpha=0.35, marker=marker, linewidths=0.6
        )


# ---- gradient and weight norms --------------------------------------------------------------


def plot_gradient_norms(
    history: Mapping[str, Sequence[float]],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
) -> Path:
    """Draw each layer's gradient norm (and weight norm) per epoch on a log scale, as a PNG.

    Vanishing gradients show as the first layers' ``||dW[l]||`` lying decades below
    the last layer's; exploding ones as norms that climb epoch after epoch. Values of
    0 cannot go on a log axis and are left out.

    Parameters
    ----------
    history : mapping of str to sequence of float
        A :class:`glassnet.training.history.History` recorded with the callback
        :class:`glassnet.training.inspection.GradientNorms` (columns ``grad_norm_W1`` ...
        and ``weight_norm_W1`` ...), or a dict of such columns and optionally ``"epoch"``.
    path : str or path-like
        Where to write the PNG.
    title : str, optional
        The figure's title; ``"gradient and weight norms per layer"`` by default.

    Returns
    -------
    Path
        The file written.
    """
    return save_png(_gradient_norms_figure(history, title=title), path)


def _gradient_norms_figure(
    history: Mapping[str, Sequence[float]], *, title: str | None = None
) -> "Figure":
    from matplotlib.ticker import FuncFormatter, LogFormatter

    grads = _layer_columns(history, "grad_norm")
    if not grads:
        raise InputError(
            "history has no grad_norm_W* columns: train with the callback "
            "glassnet.GradientNorms(X, y) to record them"
        )
    weights = _layer_columns(history, "weight_norm")
    n = len(history[grads[0][1]])
    epochs = history.get("epoch")
    epoch = np.arange(n) if epochs is None else as_1d(epochs, "history['epoch']")
    panels = [(grads, "gradient ‖dW[l]‖")] + ([(weights, "weights ‖W[l]‖")] if weights else [])
    width, height = NORMS_SIZE
    figure = new_figure((width, height if weights else height / 2))
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (columns, label) in zip(axes, panels, strict=True):
        for l, name in columns:
            values = as_1d(np.asarray(history[name], dtype=np.float64), f"history[{name!r}]")
            same_length(epoch, values, f"history['epoch'] and history[{name!r}]")
            shown = np.where(values > 0, values, np.nan)  # log axis: 0 and NaN are gaps
            ax.plot(epoch, shown, color=f"C{(l - 1) % 10}", label=f"layer {l}")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 0.01
        ax.yaxis.set_minor_formatter(LogFormatter(minor_thresholds=(1, 0.4)))  # 6, not 6 x 10^0
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
        ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("iteration (epoch)")
    axes[0].set_title(title if title is not None else "gradient and weight norms per layer")
    return figure


def _layer_columns(history: Mapping[str, Any], prefix: str) -> list[tuple[int, str]]:
    """``[(l, "{prefix}_W{l}"), ...]`` for the columns present, by layer number."""
    pattern = re.compile(rf"{prefix}_W(\d+)")
    found = [(int(m.group(1)), name) for name in history if (m := pattern.fullmatch(name))]
    return sorted(found)
