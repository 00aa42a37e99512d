"""Pictures of a run's history: the cost per epoch, and each layer's gradient and weight norms.

Both read a :class:`glassnet.training.history.History` (or a dict of its columns) and
draw as every glassnet picture does (:mod:`glassnet.viz.figures`).
"""

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from glassnet.errors import InputError
from glassnet.viz.figures import (
    as_1d,
    metric_label,
    new_axes,
    new_figure,
    same_length,
    save_png,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from glassnet.training.history import History

NORMS_SIZE = (7.0, 7.5)  # inches, two panels; one panel is half as tall
LOG_SPAN = 100  # a cost spanning more than two decades goes on a log axis
LOG_SPAN_EARLY = 10  # ... and one spanning a decade, when it falls early
EARLY_SHARE, EARLY_FRACTION = 0.9, 0.1  # early: 90 % of the fall in the first 10 % of iterations


def _epochs(history: "Mapping[str, Any] | History", n: int) -> NDArray[Any]:
    """``history["epoch"]``, or 0, 1, ..., n - 1 when it has none."""
    epochs = history.get("epoch")
    return np.arange(n) if epochs is None else as_1d(epochs, "history['epoch']")


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
    """The metric's label ("R²", not "r2"); a dict's entry may be a one-item sequence."""
    name = getattr(history, "metric_name", None) or history.get("metric_name", "metric")
    if isinstance(name, Sequence | np.ndarray) and not isinstance(name, str):
        name = str(name[0]) if len(name) > 0 else "metric"
    return metric_label(str(name))


def _wants_log_scale(costs: NDArray[np.floating], log_scale: bool | Literal["auto"]) -> bool:
    """Whether to draw the cost on a log axis.

    ``"auto"`` means yes when every finite cost is positive and they span more than
    two decades (``max / min > 100``), or more than one decade fallen early: 90 % of
    the fall (in log units) within the first tenth of the iterations, after which a
    linear axis shows a flat line.
    """
    if isinstance(log_scale, bool):
        return log_scale
    if log_scale != "auto":
        raise InputError(f"log_scale must be True, False or 'auto', got {log_scale!r}")
    finite = costs[np.isfinite(costs)]
    if finite.size == 0 or finite.min() <= 0:
        return False
    span = finite.max() / finite.min()
    return bool(span > LOG_SPAN or (span > LOG_SPAN_EARLY and _falls_early(finite)))


def _falls_early(costs: NDArray[np.floating]) -> bool:
    """Whether 90 % of the fall in log(cost) is done within the first tenth of the iterations."""
    log_cost = np.log(costs)
    fallen = log_cost[0] - np.minimum.accumulate(log_cost)  # the fall so far, >= 0
    total = fallen[-1]
    if total <= 0:
        return False
    done = int(np.argmax(fallen >= EARLY_SHARE * total))  # the first iteration 90 % down
    return done < EARLY_FRACTION * costs.size


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
    epoch = _epochs(history, n)
    same_length(epoch, cost, "history['epoch'] and history['cost']")
    val_cost = _float_column(history, "val_cost", n)
    val_metric = _float_column(history, "val_metric", n)
    all_costs = cost if val_cost is None else np.concatenate([cost, val_cost])
    use_log = _wants_log_scale(all_costs, log_scale)

    figure, ax = new_axes("loss", title, "cost per epoch")
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
    return save_png(figure, path)


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
    epoch = _epochs(history, n)
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
