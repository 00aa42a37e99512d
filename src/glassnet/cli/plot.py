"""``glassnet plot RUN_FOLDER``: redraw a run folder's pictures and its report.html.

Everything comes from the folder: ``model.npz`` (the trained network, its standardizer
and labels, read by :func:`glassnet.files.model_file.load`), ``history.csv``, ``metrics.json`` and
``config.json``, whose data set is loaded again (a generated one from its seed) and
split as :func:`glassnet.runs.run.run_training` split it. The pictures are then drawn by the
same function ``glassnet train`` uses, and ``report.html`` is rewritten last.

When the data cannot be had again (a CSV file that moved) or no longer gives the part
the network was trained on, the command says so on one line and redraws what needs
only the history: loss.png and gradient_norms.png.
"""

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, cast

import click
import numpy as np

from glassnet.cli.app import CONTEXT_SETTINGS, EXIT_ERROR, EXIT_WRITE_FAILED, cli, fail
from glassnet.data.datasets import DATASETS
from glassnet.errors import GlassnetError, InputError
from glassnet.files.model_file import load
from glassnet.files.trained_model import TrainedModel
from glassnet.runs.config import RunConfig
from glassnet.runs.run import RunResult, load_data, split_part
from glassnet.training.history import History
from glassnet.viz.report import write_report
from glassnet.viz.run_pictures import write_plots

GRID_NAME = "boundary_grid.png"

PLOT_EPILOG = f"""
\b
Examples:
  glassnet plot runs/moons-20250101-120000           redraw the pictures and report.html
  glassnet plot runs/moons-20250101-120000 --grid    and the hidden-size grid (seconds: 7 networks)

\b
Exit codes: 0 done; {EXIT_ERROR} not a run folder, or --grid on data it does not fit;
{EXIT_WRITE_FAILED} a picture or report.html could not be written.
"""


@cli.command(name="plot", epilog=PLOT_EPILOG, context_settings=CONTEXT_SETTINGS)
@click.argument("run_folder", type=click.Path(path_type=Path))
@click.option(
    "--grid",
    is_flag=True,
    help=f"Also draw {GRID_NAME}: one [2, h, 1] tanh network per hidden size h = 1, 2, 3, 4, 5, "
    "20, 50, trained on the run's training part, and its decision boundary (2-D data with "
    "two classes only).",
)
def plot_command(run_folder: Path, grid: bool) -> None:
    """Redraw the pictures of RUN_FOLDER from what is in it, then its report.html.

    loss.png and confusion.png or regression.png always; boundary.png, hidden_units.png
    for 2-D data; roc.png for two classes; gradient_norms.png when the history has
    gradient norms (glassnet train --record-gradients).
    """
    try:
        run = read_run_folder(run_folder)
        result = run.result
        if result is None:
            written = _history_plots(run, run_folder)
            skipped = f", not {GRID_NAME}" if grid else ""
            click.echo(
                f"warning: {run.problem}: redrew only history.csv's pictures{skipped}", err=True
            )
        else:
            if grid:
                _check_grid(result)  # before drawing anything
            written = write_plots(result, run_folder)
            if grid:
                written.append(_draw_grid(result, run_folder))
        report = write_report(run_folder)
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    except OSError as error:
        fail(f"could not write into the run folder: {error}", EXIT_WRITE_FAILED)
    click.echo(f"redrew {', '.join(path.name for path in written)} in {run_folder}")
    click.echo(f"wrote {report}")


@dataclass(frozen=True)
class RunFolder:
    """What a run folder gives back: the history and config always, the whole run when it can.

    Attributes
    ----------
    history : History
        history.csv, read back.
    name : str
        The data set's name, as config.json records it.
    result : RunResult or None
        The run rebuilt (the data loaded again and split as the run split it, the
        saved model), or None when the data cannot be had again.
    problem : str
        Why ``result`` is None; empty otherwise.
    """

    history: History
    name: str
    result: RunResult | None
    problem: str = ""


def read_run_folder(folder: Path) -> RunFolder:
    """Read a run folder back: its history, and the run rebuilt when its data can be had.

    Raises
    ------
    InputError
        When ``folder`` is not a run folder: missing, or without a readable
        config.json, history.csv or model.npz.
    """
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"run folder {str(folder)!r} {what}: give a folder glassnet train wrote")
    record = _read_json(folder / "config.json")
    metrics_path = folder / "metrics.json"
    metrics = _read_json(metrics_path) if metrics_path.is_file() else {}
    history = read_history(folder / "history.csv", metrics.get("metric", "accuracy"))
    model = load(folder / "model.npz")
    if not isinstance(model, TrainedModel):
        raise InputError(
            f"{folder / 'model.npz'} holds a {type(model).__name__}, not a trained model: "
            "give a folder glassnet train wrote"
        )
    config = _config(record, folder)
    described = record.get("dataset")
    name = str(described.get("name", config.data)) if isinstance(described, dict) else config.data
    try:
        result = _rebuild(config, model, history, metrics)
    except InputError as error:
        return RunFolder(
            history, name, None, f"the data {config.data!r} could not be loaded ({error})"
        )
    if not _same_training_part(result, metrics):
        why = f"the data {config.data!r} no longer gives this run's training part"
        return RunFolder(history, name, None, why)
    return RunFolder(history, name, result)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path} is missing: give a folder glassnet train wrote")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path} could not be read: {error}") from None
    if not isinstance(content, dict):
        raise InputError(f"{path} is not a JSON object: give a folder glassnet train wrote")
    return content


def read_history(path: Path, metric_name: str = "accuracy") -> History:
    """A History from the history.csv a run wrote (one row per epoch, a header row)."""
    if not path.is_file():
        raise InputError(f"{path} is missing: give a folder glassnet train wrote")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        if not {"epoch", "cost"} <= set(header):
            raise ValueError("the header has no 'epoch' and 'cost' columns")
        columns: dict[str, list[Any]] = {name: [] for name in header}
        for row in body:
            if len(row) != len(header):
                raise ValueError(f"a row of {len(row)} values under {len(header)} columns")
            for name, cell in zip(header, row, strict=True):
                columns[name].append(float(cell))
    except (OSError, UnicodeDecodeError, csv.Error, IndexError, ValueError) as error:
        raise InputError(f"{path} could not be read: {error}") from None
    columns["epoch"] = [int(epoch) for epoch in columns["epoch"]]
    return History(columns=columns, metric_name=str(metric_name))


def _config(record: dict[str, Any], folder: Path) -> RunConfig:
    """The RunConfig of config.json (its other keys describe the data and preprocessing)."""
    known = {field.name for field in fields(RunConfig)}
    values = {key: value for key, value in record.items() if key in known}
    for key in ("hidden", "activation"):
        if isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    try:
        return RunConfig(**values)
    except TypeError as error:
        raise InputError(f"{folder / 'config.json'} is not a run's config: {error}") from None


def _rebuild(
    config: RunConfig, model: TrainedModel, history: History, metrics: dict[str, Any]
) -> RunResult:
    """The run as glassnet train had it: the data again, split the same way, the saved model."""
    named = config.data in DATASETS  # a data set name takes no task (that is for CSV files)
    dataset = load_data(replace(config, task="auto") if named else config)
    if dataset.n_features != model.n_features:
        raise InputError(
            f"it has {dataset.n_features} features, the model takes {model.n_features}"
        )
    stratify = model.label_codec is not None
    # as run_training splits: the held-out part, then the validation part of the rest
    X_train, X_test, y_train, y_test = split_part(
        dataset.X, dataset.y, config.test_size, stratify, config.seed
    )
    X_train, X_val, y_train, y_val = split_part(
        X_train, y_train, config.validation, stratify, config.seed
    )
    return RunResult(
        config=config,
        dataset=dataset,
        network=model.network,
        standardizer=model.standardizer,
        codec=model.label_codec,
        X_train=X_train,
        y_train=y_train,
        X_val=X_val,
        y_val=y_val,
        X_test=X_test,
        y_test=y_test,
        history=history,
        metrics=metrics,
    )


def _same_training_part(result: RunResult, metrics: dict[str, Any]) -> bool:
    """The parts have the recorded sizes and the saved standardizer's mean is theirs."""
    sizes = {
        "n_train": len(result.y_train),
        "n_validation": 0 if result.y_val is None else len(result.y_val),
        "n_test": 0 if result.y_test is None else len(result.y_test),
    }
    if any(key in metrics and metrics[key] != size for key, size in sizes.items()):
        return False
    if result.standardizer is None or result.config.resume_from is not None:
        return True  # a resumed run keeps the standardizer of the run it resumed
    seen = result.X_train if result.X_val is None else np.vstack([result.X_train, result.X_val])
    mean = seen.astype(np.float64).mean(axis=0)  # what Standardizer.fit computed
    return bool(np.allclose(mean, result.standardizer.mean_, rtol=1e-9, atol=1e-12))


def _history_plots(run: RunFolder, folder: Path) -> list[Path]:
    """loss.png and, when recorded, gradient_norms.png: the pictures of the history alone.

    Titled as :func:`glassnet.viz.draw_run` titles them.
    """
    from glassnet.viz import glassbox_plots, plots

    history = cast("Mapping[str, Sequence[float]]", run.history)  # History is Mapping-like
    title = f"{run.name}: cost per iteration"
    written = [plots.plot_loss(history, folder / "loss.png", title=title)]
    if "grad_norm_W1" in history:
        title = f"{run.name}: gradient and weight norms per layer"
        path = folder / "gradient_norms.png"
        written.append(glassbox_plots.plot_gradient_norms(history, path, title=title))
    return written


def _check_grid(result: RunResult) -> None:
    n_features, n_classes = result.dataset.n_features, len(result.class_names)
    if n_features != 2 or n_classes != 2:
        kind = f"{n_classes} classes" if result.is_classification else "a real-valued target"
        raise InputError(
            f"--grid draws 2-D data with two classes; this run's data has {n_features} "
            f"feature(s) and {kind}"
        )


def _draw_grid(result: RunResult, folder: Path) -> Path:
    """The hidden-size grid on the run's training part, in the features the network saw."""
    from glassnet.viz.glassbox_plots import plot_boundary_grid

    X = result.features(result.X_train)
    y = result.targets(result.y_train)
    return plot_boundary_grid(X, y, folder / GRID_NAME, random_state=result.config.seed)
