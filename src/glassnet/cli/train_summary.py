"""What ``glassnet train`` says: its notes, columns and warnings early, its summary at the end.

:class:`EarlyNotes` prints the notes of reading the table, the column table and the
warnings as soon as the run is ready (``run_training``'s ``on_ready``); a run that
cannot call back early (on a cluster) has them printed when it ends.
:func:`summary_table` is the run at a glance. For a CSV or Parquet file,
:func:`columns_table` lists every column and what was done to it:

    column             role         missing  what was done
    species            target             0  classification: 3 classes, text labels
    island             categorical        0  one-hot: 3 categories (Biscoe, Dream, Torgersen)
    bill_length_mm     numeric            2  median-imputed (44.5), standardised (mean 43.9, ...)

The imputed values, categories and scales are those the preprocessor learned from the
training part (the held-out part never seen), read from the fitted scikit-learn objects.
"""

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from glassnet.cli.tables import facts_table, network_shape
from glassnet.runs import RunResult
from glassnet.viz.html.columns import feature_words, fitted_steps


def columns_table(result: RunResult) -> Table | None:
    """One row per column of the table the run read; None for a bundled data set."""
    table = result.dataset.table
    if table is None:
        return None
    found = Table(title="columns", title_justify="left")
    for heading, justify in (
        ("column", "left"),
        ("role", "left"),
        ("missing", "right"),
        ("what was done", "left"),
    ):
        found.add_column(heading, justify=justify, overflow="fold")  # type: ignore[arg-type]
    steps = fitted_steps(result.model.preprocessor)
    for name in table.columns:
        role, done = _treatment(result, name, steps)
        missing = table.missing.get(name)
        found.add_row(Text(name), role, "" if missing is None else str(missing), Text(done))
    return found


def _treatment(result: RunResult, name: str, steps: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """The column's role and what was done to it, in words."""
    table = result.dataset.table
    assert table is not None
    if name in table.targets:
        return "target", _target_treatment(result, name)
    if name in table.left_out:
        why = table.left_out[name]
        return "left out", "a row id: a different value in every row" if why == "row id" else why
    fitted = steps.get(name)
    if fitted is None:
        return "feature", "as the model file's preprocessor reads it"
    return feature_words(fitted, table.missing.get(name, 0))


def _target_treatment(result: RunResult, name: str) -> str:
    table = result.dataset.table
    assert table is not None
    text = f"{result.config.task}: {table.task_reason}"
    scaler = result.model.target_scaler
    if scaler is not None:
        j = list(table.targets).index(name)
        text += (
            f"; standardised inside (mean {_number(scaler.mean_[j])}, sd "
            f"{_number(scaler.scale_[j])}), predictions mapped back"
        )
    return text


def _number(value: float) -> str:
    return f"{float(value):.4g}"


def passes_word(result: RunResult) -> str:
    """ "iterations" for full-batch runs (one update a pass, the tutorials' word), else "epochs"."""
    return "iterations" if result.config.batch_size is None else "epochs"


def _format(value: Any, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def cluster_rows(cluster: Any) -> list[tuple[str, str]]:
    """A run on Dask (``glassnet train --dask``): its cluster, workers and rounds; else none."""
    if cluster is None:
        return []
    where = cluster.requested
    if cluster.address != cluster.requested:
        where += f" (scheduler {cluster.address})"
    how = cluster.mode
    if cluster.local_steps is not None:
        how += f", K = {cluster.local_steps} local steps a round"
    return [
        ("cluster", f"{where}, {cluster.workers} worker(s), {cluster.chunks} chunk(s)"),
        ("rounds", f"{cluster.rounds}: {how}"),
    ]


def summary_table(result: RunResult, folder: Path) -> Table:
    """The run at a glance: data, network, final cost, scores, cluster, epochs, time, folder."""
    metrics, config = result.metrics, result.config
    metric = "R²" if metrics["metric"] == "r2" else "accuracy"
    name = metrics["metric"]
    parts = f"{metrics['n_train']} train / {metrics['n_validation']} validation / "
    parts += f"{metrics['n_test']} held-out"
    table = result.dataset.table
    task = config.task if table is None else f"{config.task}: {table.task_reason}"
    cost = _format(metrics["final_cost"], 6)
    if metrics.get("cost_of") == "standardised targets":
        cost += " (of the standardised target; RMSE below in its units)"
    rows = [
        ("data", f"{result.dataset.name}, {task}"),
        ("samples", parts),
        ("network", network_shape(result.network)),
        ("optimizer", f"{config.optimizer}, lr {config.lr:g}, schedule {config.lr_schedule}"),
        ("final cost", cost),
        (f"train {metric}", _format(metrics[f"train_{name}"])),
    ]
    if metrics["n_validation"]:
        rows.append((f"validation {metric}", _format(metrics[f"validation_{name}"])))
    if metrics["n_test"]:
        rows.append((f"held-out {metric}", _format(metrics[f"test_{name}"])))
    if metrics.get("cost_of") is not None:  # regression: the error in the target's units
        part = "test" if metrics["n_test"] else "train"
        shown = "held-out" if metrics["n_test"] else "train"
        rmse = f"{_format(metrics[f'{part}_rmse'])} ({result.dataset.target_name})"
        rows.append((f"{shown} RMSE", rmse))
    epochs = f"{metrics['epochs_run']} of {metrics['epochs_requested']}: {metrics['stop_reason']}"
    rows += [
        *cluster_rows(getattr(result, "cluster", None)),
        (f"{passes_word(result)} run", epochs),
        ("time", f"{metrics['seconds']:.2f} s training"),
        ("run folder", str(folder)),
    ]
    return facts_table("glassnet train", rows)


class EarlyNotes:
    """Prints a run's notes, column table and warnings once each, as early as it can.

    Parameters
    ----------
    console : Console
        Where the notes and the column table go (the warnings go to standard error).
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.caught: Sequence[warnings.WarningMessage] = []  # catch_warnings(record=True) fills it
        self.shown: set[str] = set()
        self.told = False

    def __call__(self, result: RunResult) -> None:
        """``on_ready``: the run is built and about to train."""
        self.warn()
        self.tell(result)

    def tell(self, result: RunResult) -> None:
        """The table's notes and its column table, unless printed already."""
        if self.told:
            return
        self.told = True
        table = result.dataset.table
        for note in [] if table is None else table.notes:  # row ids left out, rows dropped
            self.console.print(Text(f"note: {note}"))
        columns = columns_table(result)
        if columns is not None:
            self.console.print(columns)

    def warn(self, result: RunResult | None = None) -> None:
        """Each warning caught and not yet shown, one line; with the finished ``result``,
        not the one that says the run was interrupted (the summary says that)."""
        history = None if result is None else result.history
        stopped = history.stop_reason if history is not None and history.interrupted else None
        for warning in self.caught:
            message = str(warning.message)
            if stopped is not None and stopped in message:
                continue
            if issubclass(warning.category, UserWarning) and message not in self.shown:
                click.echo(f"warning: {message}", err=True)
                self.shown.add(message)
