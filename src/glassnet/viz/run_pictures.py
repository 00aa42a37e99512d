"""The pictures of a run folder and its report.html, drawn from a finished run.

:func:`draw_run` is what ``glassnet train`` calls after
:func:`glassnet.runs.folder.write_run_folder`: loss.png always; boundary.png for
classification of 2-D data; confusion.png for classification, regression.png for
regression; roc.png for two classes; hidden_units.png for 2-D data and a hidden
layer; gradient_norms.png when the history has gradient norms; last report.html,
one page showing them all.
"""

from pathlib import Path
from typing import Any

from glassnet.runs.run import RunResult
from glassnet.training.history import History
from glassnet.viz import glassbox_plots, history_plots, plots
from glassnet.viz.report import write_report


def draw_run(result: RunResult, folder: str | Path) -> list[Path]:
    """Draw every picture of ``result`` into ``folder``, then report.html; return their paths."""
    folder = Path(folder)
    pictures = write_plots(result, folder)
    return [*pictures, write_report(folder)]  # last: it shows every PNG now in the folder


def write_plots(result: RunResult, folder: Path) -> list[Path]:
    """The history's pictures, the glass-box pictures, then boundary.png and confusion.png,
    or regression.png."""
    written = [
        *write_history_plots(result.history, result.dataset.name, folder),
        *_write_glassbox_plots(result, folder),
    ]
    X, y, part = result.evaluation_part()
    y_true, y_pred = result.targets(y), _predicted(result, X)
    if not result.is_classification:
        title = f"predicted vs actual ({part} part)"
        path, names = folder / "regression.png", result.dataset.target_name.split(",")
        regression = plots.plot_regression(y_true, y_pred, path, title=title, target_names=names)
        return [*written, regression]
    if result.dataset.n_features == 2:
        written.append(_plot_boundary(result, folder / "boundary.png"))
    confusion = plots.plot_confusion(
        y_true,
        y_pred,
        folder / "confusion.png",
        labels=list(range(len(result.class_names))),
        display_labels=result.class_names,
        title=f"confusion matrix ({part} part)",
    )
    return [*written, confusion]


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


def _plot_boundary(result: RunResult, path: Path) -> Path:
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
        title=f"{result.dataset.name}: decision boundary",
    )


def _write_glassbox_plots(result: RunResult, folder: Path) -> list[Path]:
    """roc.png (two classes), hidden_units.png (2-D data and a hidden layer)."""
    written = []
    if len(result.class_names) == 2:
        X, y, part = result.evaluation_part()
        A = result.network.predict_output(result.features(X))  # A[L], (m, 1) or softmax's (m, 2)
        title = f"{result.dataset.name}: ROC curve ({part} part)"
        path = folder / "roc.png"
        written.append(glassbox_plots.plot_roc(result.targets(y), A[:, -1], path, title=title))
    if result.dataset.n_features == 2 and result.network.n_layers > 1:
        labels = result.parts.y_train if result.is_classification else None
        X_fit = result.features(result.parts.X_train)  # the plane the network sees
        path = folder / "hidden_units.png"
        names = tuple(result.dataset.feature_names)  # the axes: the two features' names
        hidden_units = glassbox_plots.plot_hidden_units
        written.append(hidden_units(result.network, X_fit, path, y=labels, feature_names=names))
    return written
