"""The pictures of a run folder and its report.html, drawn from a finished run.

:func:`draw_run` is what ``glassnet train`` calls after
:func:`glassnet.runs.folder.write_run_folder`; each writer below says when it draws.
"""

from pathlib import Path
from typing import Any

from glassnet.runs.run import RunResult
from glassnet.training.history import History
from glassnet.viz import glassbox_plots, history_plots, plots
from glassnet.viz.figures import data_title
from glassnet.viz.report import write_report

PART_SIZES = {"held-out": "n_test", "training": "n_train"}  # metrics.json's row count of a part


def draw_run(result: RunResult, folder: str | Path) -> list[Path]:
    """Draw every picture of ``result`` into ``folder``, then report.html; return their paths."""
    folder = Path(folder)
    pictures = write_plots(result, folder)
    return [*pictures, write_report(folder)]  # last: it shows every PNG now in the folder


def write_plots(result: RunResult, folder: Path) -> list[Path]:
    """The history's and the glass-box pictures, then for classification boundary.png (2-D
    data) and confusion.png, or regression.png."""
    name = data_title(result.dataset.name, result.config.data)
    written = [
        *write_history_plots(result.history, name, folder),
        *_write_glassbox_plots(result, folder, name),
    ]
    X, y, part = result.evaluation_part()
    y_true = result.targets(y)
    if not result.is_classification:
        title = f"{name}: predicted vs actual ({_rows_shown(result, part, len(y_true))})"
        path, names = folder / "regression.png", result.dataset.target_name.split(",")
        y_pred = _predicted(result, X)
        regression = plots.plot_regression(y_true, y_pred, path, title=title, target_names=names)
        return [*written, regression]
    if result.dataset.n_features == 2:
        written.append(_plot_boundary(result, folder / "boundary.png", name))
    return [*written, _plot_confusion(result, folder / "confusion.png", name)]


def _plot_confusion(result: RunResult, path: Path, name: str) -> Path:
    """confusion.png: the matrix metrics.json reports (every row of its part), else counted."""
    counts = result.metrics.get("confusion_matrix")
    part = result.metrics.get("confusion_matrix_part")
    if counts is not None and part in PART_SIZES:
        rows = sum(sum(row) for row in counts)
        title = f"{name}: confusion matrix ({part} part, {rows:,} rows)"
        return plots.plot_confusion_counts(
            counts, path, display_labels=result.class_names, title=title
        )
    X, y, part = result.evaluation_part()
    return plots.plot_confusion(
        result.targets(y),
        _predicted(result, X),
        path,
        labels=list(range(len(result.class_names))),
        display_labels=result.class_names,
        title=f"{name}: confusion matrix ({_rows_shown(result, part, len(y))})",
    )


def _rows_shown(result: RunResult, part: str, drawn: int) -> str:
    """``held-out part, 114 rows``, or ``held-out part, sample of 20,000 of 40,073 rows``
    when the picture draws fewer rows than the part has (a cluster run's first rows)."""
    total = result.metrics.get(PART_SIZES.get(part, ""))
    if isinstance(total, int) and total > drawn:
        return f"{part} part, sample of {drawn:,} of {total:,} rows"
    return f"{part} part, {drawn:,} rows"


def write_history_plots(history: History, name: str, folder: Path) -> list[Path]:
    """loss.png and, when recorded, gradient_norms.png: the pictures of the history alone.

    ``name`` is the data set's, for the titles.
    """
    title = f"{name}: cost per iteration"
    written = [history_plots.plot_loss(history, folder / "loss.png", title=title)]
    if "grad_norm_W1" in history:
        title = f"{name}: gradient and weight norms per layer"
        path = folder / "gradient_norms.png"
        written.append(history_plots.plot_gradient_norms(history, path, title=title))
    return written


def _predicted(result: RunResult, X: Any) -> Any:
    """The model's predictions of the dataset's rows ``X``: class indices, or values."""
    return result.targets(result.model.predictions(result.output(X)))


def _plot_boundary(result: RunResult, path: Path, name: str) -> Path:
    parts = result.parts
    X_test, y_test = parts.X_test, parts.y_test
    return plots.plot_decision_boundary(
        lambda X: _predicted(result, X),
        parts.X_train,
        result.targets(parts.y_train),
        path,
        X_test=X_test,
        y_test=None if y_test is None else result.targets(y_test),
        class_names=result.class_names,
        feature_names=tuple(result.dataset.feature_names[:2]),
        title=f"{name}: decision boundary",
    )


def _write_glassbox_plots(result: RunResult, folder: Path, name: str) -> list[Path]:
    """roc.png (two classes), hidden_units.png (2-D data and a hidden layer)."""
    written = []
    if len(result.class_names) == 2:
        X, y, part = result.evaluation_part()
        A = result.network.predict_output(result.features(X))  # A[L], (m, 1) or softmax's (m, 2)
        title = f"{name}: ROC curve ({_rows_shown(result, part, len(y))})"
        path = folder / "roc.png"
        positive = str(result.class_names[1])  # class index 1: the sigmoid's positive class
        roc = glassbox_plots.plot_roc(
            result.targets(y), A[:, -1], path, title=title, positive_label=positive
        )
        written.append(roc)
    if result.dataset.n_features == 2 and result.network.n_layers > 1:
        labels = result.parts.y_train if result.is_classification else None
        path = folder / "hidden_units.png"
        names = tuple(result.dataset.feature_names)  # the axes: the two features' names
        hidden_units = glassbox_plots.plot_hidden_units(
            result.network,
            result.parts.X_train,  # the data's units, as boundary.png draws them
            path,
            y=labels,
            feature_names=names,
            inputs=result.features,  # the plane mapped to what the network sees
        )
        written.append(hidden_units)
    return written
