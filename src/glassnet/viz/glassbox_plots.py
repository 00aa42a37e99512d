"""Pictures that look inside a network: ROC, the hidden-size grid, the hidden units.

Each ``plot_*`` draws with a ``_*_figure`` builder that returns the Figure, so tests can
read its titles, legends and panels. No picture trains a network: each is given trained
ones. :func:`plot_hidden_units` is :mod:`glassnet.viz.hidden_units`'s.
"""

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.training.grid import binary_targets
from glassnet.training.metrics import accuracy
from glassnet.viz.figures import (
    CLASS_COLOURS,
    REGION_ALPHA,
    as_1d,
    check_points,
    legend_marker,
    new_axes,
    panel_figure,
    plane_grid,
    same_length,
    save_png,
)
from glassnet.viz.hidden_units import plot_hidden_units

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_boundary_grid", "plot_hidden_units", "plot_roc"]

ROC_SIZE = (5.5, 5.0)  # inches; the PNG is size * DPI pixels
GRID_PANEL = (3.4, 3.3)  # inches per panel of the boundary grid
GRID_COLUMNS = 4
GRID_RESOLUTION = 200  # grid points per axis of each panel


# ---- ROC ------------------------------------------------------------------------------------


def plot_roc(
    y_true: ArrayLike,
    scores: ArrayLike,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    positive_label: str | None = None,
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
    positive_label : str, optional
        The positive class's name for the axes ("positive label: yes"), when ``y_true``
        holds class indices; default: the larger label itself.

    Returns
    -------
    Path
        The file written.
    """
    return save_png(_roc_figure(y_true, scores, title=title, positive_label=positive_label), path)


def _roc_figure(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    title: str | None = None,
    positive_label: str | None = None,
) -> "Figure":
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
    figure, ax = new_axes(ROC_SIZE, title, "ROC curve")
    display = RocCurveDisplay.from_predictions(
        labels, positive, pos_label=classes[1], name="network", ax=ax, plot_chance_level=True
    )
    display.line_.set_label(f"network (AUC = {display.roc_auc:.3f})")  # scikit-learn shows 2 digits
    named = str(classes[1]) if positive_label is None else positive_label
    ax.set_xlabel(f"false-positive rate (positive label: {named})")
    ax.set_ylabel(f"true-positive rate (positive label: {named})")
    ax.legend(loc="lower right")
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
    networks: Sequence[Network],
    X: ArrayLike,
    y: ArrayLike,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
) -> Path:
    """Draw the decision boundaries of trained ``[2, h, 1]`` networks side by side, as a PNG.

    The tutorials' planar-data exercise (the networks come from
    :func:`glassnet.training.grid.train_hidden_size_grid`): one panel per network,
    titled "Hidden Layer of size h" with its training accuracy, showing the
    predicted class as a coloured region, the line P(y = 1) = 0.5 in black and the
    samples on top.

    Parameters
    ----------
    networks : sequence of Network
        Trained networks with 2 inputs and one sigmoid output, one panel each, in order.
    X : array-like of shape (n_samples, 2)
        The samples they were trained on, in the features they take.
    y : array-like of shape (n_samples,)
        Two classes; the larger label is class 1 (the sigmoid's positive class).
    path : str or path-like
        Where to write the PNG.
    title : str, optional
        The figure's title; default names the networks' layout and hidden activation.

    Returns
    -------
    Path
        The file written.
    """
    return save_png(_boundary_grid_figure(networks, X, y, title=title), path)


def _boundary_grid_figure(
    networks: Sequence[Network],
    X: ArrayLike,
    y: ArrayLike,
    *,
    title: str | None = None,
) -> "Figure":
    features, labels = check_points(X, y, "")
    classes, y01 = binary_targets(labels, "the boundary grid draws sigmoid networks")
    _check_grid_networks(networks)
    xx, yy = plane_grid(features, GRID_RESOLUTION)
    grid = np.column_stack([xx.ravel(), yy.ravel()])  # (GRID_RESOLUTION², 2)
    colours = [CLASS_COLOURS[k] for k in y01]
    Y = y01[:, None].astype(np.float64)  # (n, 1): the sigmoid's targets
    figure, axes = panel_figure(len(networks), min(GRID_COLUMNS, len(networks)), GRID_PANEL)
    for ax, network in zip(axes, networks, strict=True):
        score = accuracy("sigmoid", network.predict_output(features), Y)
        P = network.predict_output(grid)[:, 0].reshape(xx.shape)  # P(y = 1) over the plane
        ax.contourf(
            xx, yy, P > 0.5, levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS, alpha=REGION_ALPHA
        )
        if P.min() < 0.5 < P.max():
            ax.contour(xx, yy, P, levels=[0.5], colors="black", linewidths=0.8)
        ax.scatter(
            features[:, 0], features[:, 1], c=colours, s=10, edgecolors="black", linewidths=0.3
        )
        sizes = ", ".join(str(size) for size in network.layer_sizes[1:-1])
        ax.set_title(
            f"Hidden Layer of size {sizes}\ntraining accuracy {score:.1%}", fontsize="medium"
        )
        ax.tick_params(labelsize="small")
    handles = [legend_marker(CLASS_COLOURS[k], "o", str(c)) for k, c in enumerate(classes)]
    figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    hidden = networks[0].hidden[0] if networks[0].hidden else "no"
    figure.suptitle(title if title is not None else f"[2, h, 1] networks, {hidden} hidden layer")
    return figure


def _check_grid_networks(networks: Sequence[Network]) -> None:
    if isinstance(networks, Network) or not networks:
        raise InputError(
            "networks must be a non-empty list of trained networks "
            "(glassnet.training.grid.train_hidden_size_grid trains them)"
        )
    for i, network in enumerate(networks):
        if not isinstance(network, Network):
            raise InputError(f"networks[{i}] is a {type(network).__name__}, not a Network")
        if (
            network.layer_sizes[0] != 2
            or network.layer_sizes[-1] != 1
            or network.output != "sigmoid"
        ):
            raise InputError(
                f"networks[{i}] is {network!r}: the boundary grid draws networks with 2 inputs "
                "and one sigmoid output"
            )
