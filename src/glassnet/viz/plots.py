"""Pictures of a run: the loss curve, the decision boundary, the confusion matrix.

Every function draws on its own ``matplotlib.figure.Figure`` with an Agg canvas
(no ``pyplot``, no global figure list, no display), writes the PNG atomically and
returns the path. matplotlib and scikit-learn are imported inside the functions,
so ``import glassnet`` stays light.
"""

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.validation import check_X

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from glassnet.training.history import History

DPI = 120
# (width, height) in inches; the PNG is FIGSIZES[kind] * DPI pixels.
FIGSIZES = {
    "loss": (7.0, 4.5),
    "boundary": (6.5, 5.5),
    "confusion": (5.5, 4.5),
    "regression": (5.5, 5.5),
}
REGION_ALPHA = 0.3  # the predicted-class regions, light enough to see the points


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
    if first.shape[0] != second.shape[0]:
        raise InputError(
            f"{names} have different lengths ({first.shape[0]} and {second.shape[0]}): "
            "they must hold one value per sample"
        )


def _float_column(
    history: "Mapping[str, Any] | History", name: str, n: int
) -> NDArray[np.float64] | None:
    """``history[name]`` as floats of length ``n``, or None if absent or all NaN."""
    values = history.get(name)
    if values is None:
        return None
    column = np.asarray(values, dtype=np.float64).ravel()
    if column.size == 0 or np.isnan(column).all():
        return None
    if column.size != n:
        raise InputError(f"history[{name!r}] has {column.size} values but 'cost' has {n}")
    return column


def _metric_name(history: "Mapping[str, Any] | History") -> str:
    """The metric's label: a History's ``metric_name``, or a dict's ``"metric_name"`` entry.

    A dict's entry may be a str or a one-item sequence (a column read from a file).
    """
    name = getattr(history, "metric_name", None) or history.get("metric_name", "metric")
    if isinstance(name, str):
        return name
    if isinstance(name, Sequence | np.ndarray) and len(name) > 0:
        return str(name[0])
    return "metric"


def _wants_log_scale(costs: NDArray[np.floating], log_scale: bool | Literal["auto"]) -> bool:
    """Whether to draw the cost on a log axis.

    ``"auto"`` means yes when every finite cost is positive and they span more than
    two decades (``max / min > 100``).
    """
    if isinstance(log_scale, bool):
        return log_scale
    if log_scale != "auto":
        raise InputError(f"log_scale must be True, False or 'auto', got {log_scale!r}")
    finite = costs[np.isfinite(costs)]
    if finite.size == 0 or finite.min() <= 0:
        return False
    return bool(finite.max() / finite.min() > 100)


def plot_loss(
    history: "Mapping[str, Sequence[float]] | History",
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    log_scale: bool | Literal["auto"] = "auto",
) -> Path:
    """Draw the training (and validation) cost per epoch and write it as a PNG.

    Parameters
    ----------
    history : mapping of str to sequence of float
        A :class:`glassnet.training.history.History` or a dict with ``"cost"`` and optionally
        ``"epoch"``, ``"val_cost"``, ``"val_metric"`` and ``"metric_name"`` (a str,
        or a sequence holding it). Columns that are all NaN are left out.
    path : str or path-like
        Where to write the PNG.
    title : str, optional
        The figure's title; ``"cost per epoch"`` by default.
    log_scale : bool or "auto", default "auto"
        Log y axis; ``"auto"`` uses one when the cost spans more than two decades.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    Training and validation cost share the left axis; the validation metric
    (accuracy or R²), when recorded, is a dashed line on a right-hand axis. A dot
    marks the epoch with the lowest validation cost.
    """
    from matplotlib.ticker import MaxNLocator

    if history.get("cost") is None:
        raise InputError("history has no 'cost' column: pass the History that train returned")
    cost = as_1d(np.asarray(history["cost"], dtype=np.float64), "history['cost']")
    n = cost.size
    epochs = history.get("epoch")
    epoch = np.arange(n) if epochs is None else as_1d(epochs, "history['epoch']")
    same_length(epoch, cost, "history['epoch'] and history['cost']")
    val_cost = _float_column(history, "val_cost", n)
    val_metric = _float_column(history, "val_metric", n)
    all_costs = cost if val_cost is None else np.concatenate([cost, val_cost])
    use_log = _wants_log_scale(all_costs, log_scale)

    figure = new_figure("loss")
    ax = figure.add_subplot()
    single = "o" if n == 1 else None  # a line of one point would be invisible
    lines = ax.plot(epoch, cost, color="tab:blue", marker=single, label="training")
    if val_cost is not None:
        seen = np.isfinite(val_cost)  # validation may be recorded every k epochs only
        lines += ax.plot(epoch[seen], val_cost[seen], color="tab:orange", label="validation")
        best = int(np.nanargmin(val_cost))
        lines += ax.plot(
            epoch[best],
            val_cost[best],
            "o",
            color="tab:orange",
            markeredgecolor="black",
            label=f"best validation (epoch {epoch[best]:g})",
        )
    if use_log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set_xlabel("iteration (epoch)")
    ax.set_ylabel("cost")
    ax.grid(alpha=0.3)
    if val_metric is not None:
        metric_ax = ax.twinx()
        name = _metric_name(history)
        seen = np.isfinite(val_metric)
        lines += metric_ax.plot(
            epoch[seen], val_metric[seen], "--", color="tab:green", label=f"validation {name}"
        )
        metric_ax.set_ylabel(name)
    labels = [str(line.get_label()) for line in lines]
    figure.legend(
        lines, labels, loc="outside lower center", ncols=len(lines), frameon=False, fontsize="small"
    )
    ax.set_title(title if title is not None else "cost per epoch")
    return save_png(figure, path)


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

    figure = new_figure("boundary")
    ax = figure.add_subplot()
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
    ax.set_title(title if title is not None else "decision boundary")
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
        Names for the tick labels, one per entry of ``labels``.
    title : str, optional
        The figure's title; ``"confusion matrix"`` by default.

    Returns
    -------
    Path
        The file written.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    y_true = as_1d(y_true, "y_true")
    y_pred = as_1d(y_pred, "y_pred")
    same_length(y_true, y_pred, "y_true and y_pred")

    figure = new_figure("confusion")
    ax = figure.add_subplot()
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=labels,
        display_labels=display_labels,
        cmap="Blues",
        values_format="d",
        ax=ax,
    )
    ax.set_title(title if title is not None else "confusion matrix")
    return save_png(figure, path)


def plot_regression(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
) -> Path:
    """Scatter predicted against actual values, with the line y = x, as a PNG.

    Points on the line are perfect predictions; the legend reports
    R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)².

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Actual and predicted targets.
    path : str or path-like
        Where to write the PNG.
    title : str, optional
        The figure's title; ``"predicted vs actual"`` by default.

    Returns
    -------
    Path
        The file written.
    """
    y_true = as_1d(np.asarray(y_true, dtype=np.float64), "y_true")
    y_pred = as_1d(np.asarray(y_pred, dtype=np.float64), "y_pred")
    same_length(y_true, y_pred, "y_true and y_pred")
    if not (np.isfinite(y_true).all() and np.isfinite(y_pred).all()):
        raise InputError("y_true and y_pred must be finite: drop NaN/inf before plotting")
    residual = np.sum((y_true - y_pred) ** 2)
    spread = np.sum((y_true - y_true.mean()) ** 2)
    r2 = 1.0 - residual / spread if spread > 0 else float("nan")

    low = min(y_true.min(), y_pred.min())
    high = max(y_true.max(), y_pred.max())
    pad = 0.05 * (high - low) if high > low else 0.5
    figure = new_figure("regression")
    ax = figure.add_subplot()
    ax.plot([low - pad, high + pad], [low - pad, high + pad], "--", color="gray", label="y = x")
    ax.scatter(
        y_true,
        y_pred,
        s=20,
        alpha=0.7,
        edgecolors="black",
        linewidths=0.5,
        label=f"samples (R² = {r2:.3f})",
    )
    ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(low - pad, high + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("actual")
    ax.set_ylabel("predicted")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    ax.set_title(title if title is not None else "predicted vs actual")
    return save_png(figure, path)
