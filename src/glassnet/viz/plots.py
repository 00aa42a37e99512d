"""Pictures of a model's predictions: the decision boundary, the confusion matrix, predicted
against actual values.

Every function draws on its own figure (:func:`glassnet.viz.figures.new_figure`), writes
the PNG atomically and returns the path.
"""

import os
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError
from glassnet.training.metrics import r2
from glassnet.viz.figures import (
    FIGSIZES,
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

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LABEL_WIDTH = 18  # characters per line of a class name on the confusion matrix's axes
LABEL_LINES = 3  # lines per class name at most
CHAR_INCHES, LINE_INCHES = 0.085, 0.2  # a character's width and a line's height at 10 pt
CELL_INCHES = 0.8  # the smallest cell of the matrix
CONFUSION_MARGIN = (2.2, 1.6)  # inches: the axis titles, the colour bar, the figure's title


def _class_indices(classes: NDArray[Any]) -> NDArray[np.intp]:
    """A colour index per class: the label itself for labels 0, 1, 2, ...; else its rank."""
    whole = classes.dtype.kind in "biu" or (
        classes.dtype.kind == "f" and bool((classes == np.round(classes)).all())
    )
    if whole and classes.min() >= 0:
        return classes.astype(np.intp)
    return np.arange(classes.size)


def _class_names(
    classes: NDArray[Any], index: NDArray[np.intp], class_names: Sequence[str] | None
) -> list[str]:
    """The legend's name for each class."""
    if class_names is None:
        return [str(label) for label in classes]
    if index.max() >= len(class_names):
        raise InputError(
            f"class_names has {len(class_names)} names but the labels need "
            f"{index.max() + 1}: give one name per class"
        )
    return [str(class_names[i]) for i in index]


def plot_decision_boundary(
    predict: Callable[[NDArray[np.float64]], ArrayLike],
    X: ArrayLike,
    y: ArrayLike,
    path: str | os.PathLike[str],
    *,
    X_test: ArrayLike | None = None,
    y_test: ArrayLike | None = None,
    class_names: Sequence[str] | None = None,
    feature_names: Sequence[str] = ("feature 0", "feature 1"),
    title: str | None = None,
    resolution: int = 300,
) -> Path:
    """Colour the plane by the predicted class, with the samples on top, as a PNG.

    Parameters
    ----------
    predict : callable
        Maps an (m, 2) float array of points to m class labels, e.g. ``model.predict``.
    X : array-like of shape (n_samples, 2)
        Training features; only two features can be drawn on a plane.
    y : array-like of shape (n_samples,)
        Training labels, drawn as filled circles.
    path : str or path-like
        Where to write the PNG.
    X_test, y_test : array-like, optional
        Held-out samples, drawn as triangles in the same colours. Give both or neither.
    class_names : sequence of str, optional
        The legend's names. For labels 0, 1, 2, ... ``class_names[label]``; for other
        labels, one name per class in sorted label order. Default: the labels.
    feature_names : pair of str, default ("feature 0", "feature 1")
        The axis labels.
    title : str, optional
        The figure's title; ``"decision boundary"`` by default.
    resolution : int, default 300
        Grid points per axis; the grid covers the data with a 5% margin.

    Returns
    -------
    Path
        The file written.
    """
    from matplotlib import colormaps

    X_train, y_train = check_points(X, y, "")
    if (X_test is None) != (y_test is None):
        raise InputError("give both X_test and y_test, or neither")
    held_out = None if X_test is None or y_test is None else check_points(X_test, y_test, "_test")
    if not isinstance(resolution, int) or resolution < 2:
        raise InputError(f"resolution must be a whole number of at least 2, got {resolution!r}")

    points = X_train if held_out is None else np.vstack([X_train, held_out[0]])
    xx, yy = plane_grid(points, resolution)
    grid = np.column_stack([xx.ravel(), yy.ravel()])  # (resolution², 2)
    predicted = np.asarray(predict(grid))
    if predicted.ndim == 2 and predicted.shape[1] == 1:
        predicted = predicted[:, 0]
    if predicted.shape != (grid.shape[0],):
        raise InputError(
            f"predict returned shape {predicted.shape} for {grid.shape[0]} points: "
            "it must return one class label per point"
        )

    labelled = [y_train, predicted] + ([] if held_out is None else [held_out[1]])
    classes = np.unique(np.concatenate(labelled))
    index = _class_indices(classes)
    names = _class_names(classes, index, class_names)
    palette = colormaps["tab10" if index.max() < 10 else "tab20"]
    colours = [palette(i % palette.N) for i in range(index.max() + 1)]

    def colours_of(labels: NDArray[Any]) -> list[Any]:
        return [colours[i] for i in index[np.searchsorted(classes, labels)]]

    figure, ax = new_axes("boundary", title, "decision boundary")
    region = index[np.searchsorted(classes, predicted)].reshape(xx.shape)
    levels = np.arange(len(colours) + 1) - 0.5  # one band per colour index
    ax.contourf(xx, yy, region, levels=levels, colors=colours, alpha=REGION_ALPHA)
    ax.scatter(X_train[:, 0], X_train[:, 1], c=colours_of(y_train), edgecolors="black", s=30)
    handles = [legend_marker(colours[i], "o", name) for i, name in zip(index, names, strict=True)]
    if held_out is not None:
        test_X, test_y = held_out
        ax.scatter(
            test_X[:, 0], test_X[:, 1], c=colours_of(test_y), marker="^", edgecolors="black", s=45
        )
        handles.append(legend_marker("white", "^", "held-out"))
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.legend(handles=handles, loc="best", framealpha=0.85)
    return save_png(figure, path)


def plot_confusion(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    path: str | os.PathLike[str],
    *,
    labels: Sequence[Any] | None = None,
    display_labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Draw the confusion matrix (counts: rows true class, columns predicted) as a PNG.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    path : str or path-like
        Where to write the PNG.
    labels : sequence, optional
        Which labels to show and in what order; default all that occur, sorted.
    display_labels : sequence of str, optional
        Names for the tick labels, one per entry of ``labels``. Long names are wrapped
        (:func:`wrap_label`) and the figure grows to hold them and every cell.
    title : str, optional
        The figure's title; ``"confusion matrix"`` by default.

    Returns
    -------
    Path
        The file written.
    """
    return save_png(
        _confusion_figure(
            y_true, y_pred, labels=labels, display_labels=display_labels, title=title
        ),
        path,
    )


def plot_confusion_counts(
    counts: ArrayLike,
    path: str | os.PathLike[str],
    *,
    display_labels: Sequence[str],
    title: str | None = None,
) -> Path:
    """Draw a confusion matrix already counted (rows true class, columns predicted) as a PNG.

    For a matrix counted where the data lives (every held-out row of a cluster run's
    metrics.json), drawn as :func:`plot_confusion` draws one it counts.

    Parameters
    ----------
    counts : array-like of shape (n_classes, n_classes)
        Whole counts: ``counts[i, j]`` rows of true class i predicted as class j.
    path : str or path-like
        Where to write the PNG.
    display_labels : sequence of str
        The class names, one per row.
    title : str, optional
        The figure's title; ``"confusion matrix"`` by default.

    Returns
    -------
    Path
        The file written.
    """
    matrix = np.asarray(counts)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise InputError(f"counts must be a square matrix of counts, got shape {matrix.shape}")
    if len(display_labels) != matrix.shape[0]:
        raise InputError(
            f"display_labels has {len(display_labels)} names for {matrix.shape[0]} classes: "
            "give one name per row"
        )
    return save_png(_counts_figure(matrix, display_labels, title), path)


def _confusion_figure(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: Sequence[Any] | None = None,
    display_labels: Sequence[str] | None = None,
    title: str | None = None,
) -> "Figure":
    """The confusion matrix of ``y_true`` against ``y_pred``, counted by scikit-learn."""
    from sklearn.metrics import confusion_matrix

    y_true = as_1d(y_true, "y_true")
    y_pred = as_1d(y_pred, "y_pred")
    same_length(y_true, y_pred, "y_true and y_pred")
    shown = labels if labels is not None else np.unique(np.concatenate([y_true, y_pred]))
    names = display_labels if display_labels is not None else [str(label) for label in shown]
    counts = confusion_matrix(y_true, y_pred, labels=shown)
    return _counts_figure(counts, names, title)


def _counts_figure(counts: NDArray[Any], names: Sequence[str], title: str | None) -> "Figure":
    """The matrix's figure: long class names wrapped, the figure grown to fit them."""
    from sklearn.metrics import ConfusionMatrixDisplay

    wrapped = [wrap_label(str(name)) for name in names]
    figure, ax = new_axes(_confusion_size(wrapped), title, "confusion matrix")
    figure.set_layout_engine("compressed")  # constrained drifts with a square axes and a colour
    # bar: each draw moved "True label" further off the left edge
    display = ConfusionMatrixDisplay(confusion_matrix=counts, display_labels=wrapped)
    display.plot(ax=ax, cmap="Blues", values_format="d", xticks_rotation="horizontal")
    return figure


def wrap_label(name: str) -> str:
    """A class name on lines of at most :data:`LABEL_WIDTH` characters, at most
    :data:`LABEL_LINES` lines (the rest cut to "…")."""
    lines = textwrap.wrap(name, LABEL_WIDTH) or [name]
    if len(lines) > LABEL_LINES:
        lines = [*lines[: LABEL_LINES - 1], lines[LABEL_LINES - 1][: LABEL_WIDTH - 1] + "…"]
    return "\n".join(lines)


def _confusion_size(names: Sequence[str]) -> tuple[float, float]:
    """(width, height) in inches: room for every cell and the longest wrapped name."""
    n = len(names)
    widest = max(len(line) for name in names for line in name.split("\n"))
    tallest = max(name.count("\n") + 1 for name in names)
    cell = max(CELL_INCHES, CHAR_INCHES * widest + 0.2)  # square cells; a column holds its name
    width = CHAR_INCHES * widest + CONFUSION_MARGIN[0] + n * cell  # + the row names' column
    height = LINE_INCHES * tallest + CONFUSION_MARGIN[1] + n * cell
    base_width, base_height = FIGSIZES["confusion"]
    return max(base_width, width), max(base_height, height)


def plot_regression(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    target_names: Sequence[str] | None = None,
) -> Path:
    """Scatter predicted against actual values, with the line y = x, as a PNG.

    Points on the line are perfect predictions; the legend reports
    R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)². Several targets get one panel each, every panel
    in its target's own units and with its own R².

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_targets)
        Actual and predicted targets.
    path : str or path-like
        Where to write the PNG.
    title : str, optional
        The figure's title; ``"predicted vs actual"`` by default.
    target_names : sequence of str, optional
        One per target, for the panels' titles (several targets) or the axes (one).

    Returns
    -------
    Path
        The file written.
    """
    actual, predicted = _target_columns(y_true, "y_true"), _target_columns(y_pred, "y_pred")
    same_length(actual, predicted, "y_true and y_pred")
    if actual.shape[1] != predicted.shape[1]:
        raise InputError(
            f"y_true has {actual.shape[1]} target(s) and y_pred {predicted.shape[1]}: "
            "give one predicted column per actual one"
        )
    if not (np.isfinite(actual).all() and np.isfinite(predicted).all()):
        raise InputError("y_true and y_pred must be finite: drop NaN/inf before plotting")
    k = actual.shape[1]
    names = list(target_names) if target_names is not None else [""] * k
    if len(names) != k:
        raise InputError(f"target_names has {len(names)} name(s) for {k} target(s)")
    if k == 1:
        figure, ax = new_axes("regression", title, "predicted vs actual")
        _regression_panel(ax, actual[:, 0], predicted[:, 0], names[0])
        return save_png(figure, path)
    columns = min(k, 3)
    figure, axes = panel_figure(k, columns, (4.5, 4.5))
    figure.suptitle("predicted vs actual" if title is None else title)
    for j, ax in enumerate(axes):
        ax.set_title(names[j] or f"target {j}")
        _regression_panel(ax, actual[:, j], predicted[:, j], names[j])
    return save_png(figure, path)


def _target_columns(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """``values`` as an (n, k) float array: a 1-D array is one target, (n, 1)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] > 1:
        if array.shape[0] == 0:
            raise InputError(f"{name} is empty: there is nothing to plot")
        return array
    return as_1d(array, name)[:, None]


def _regression_panel(
    ax: "Axes", actual: NDArray[np.float64], predicted: NDArray[np.float64], name: str
) -> None:
    """One target's scatter of predicted against actual, the line y = x and R² in the legend."""
    spread = np.sum((actual - actual.mean()) ** 2)
    score = r2(predicted[:, None], actual[:, None]) if spread > 0 else float("nan")
    low = min(actual.min(), predicted.min())
    high = max(actual.max(), predicted.max())
    pad = 0.05 * (high - low) if high > low else 0.5
    ax.plot([low - pad, high + pad], [low - pad, high + pad], "--", color="gray", label="y = x")
    ax.scatter(
        actual,
        predicted,
        s=20,
        alpha=0.7,
        edgecolors="black",
        linewidths=0.5,
        label=f"samples (R² = {score:.3f})",
    )
    ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(low - pad, high + pad)
    ax.set_aspect("equal")
    ax.set_xlabel(f"actual {name}".strip())
    ax.set_ylabel(f"predicted {name}".strip())
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
