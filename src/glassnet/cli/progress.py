"""The progress bar of ``glassnet train`` on a terminal: a callback that drives rich's bar."""

import math
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from glassnet.training.callbacks import Callback, PrintCost, TrainingState


class ProgressBar(Callback):
    """A rich progress bar over the epochs, showing the latest training cost.

    The count is of ``iterations`` full batch (one step per epoch) and of ``epochs``
    with mini-batches, the words of :class:`~glassnet.training.callbacks.PrintCost`.
    It updates at most every ``interval`` seconds (and at the last epoch), so a
    fast epoch does not pay for the bar.
    """

    def __init__(self, progress: Progress, interval: float = 0.05) -> None:
        self.progress = progress
        self.interval = interval
        self.task: Any = None
        self.updated = -math.inf
        self.steps_before = 0

    def on_train_begin(self, state: TrainingState) -> None:
        # the unit is known once the first epoch has counted its steps
        self.task = self.progress.add_task("training", total=state.epochs, cost="-", unit="")

    def on_epoch_begin(self, state: TrainingState) -> None:
        self.steps_before = state.step

    def on_epoch_end(self, state: TrainingState) -> None:
        now = time.monotonic()
        if now - self.updated < self.interval and state.epoch < state.epochs - 1:
            return
        self.updated = now
        cost = f"{state.history.last('cost'):.6f}"
        unit = f"{PrintCost.unit(state.step - self.steps_before)}s"
        self.progress.update(self.task, completed=state.epoch + 1, cost=cost, unit=unit)

    def on_train_end(self, state: TrainingState) -> None:
        cost = f"{state.history.last('cost'):.6f}"
        self.progress.update(self.task, completed=len(state.history), cost=cost)


def progress_display(console: Console | None = None) -> Progress:
    """The progress bar's layout: bar, iterations (or epochs) done, cost, elapsed and remaining."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TextColumn("cost {task.fields[cost]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
