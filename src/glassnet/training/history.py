"""History: what a training run recorded, one row per epoch (and per step when asked)."""

import csv
import math
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import IO, Any

COLUMNS = ("epoch", "cost", "val_cost", "val_metric", "learning_rate")


@dataclass
class History(Mapping[str, list[float]]):
    """Per-epoch records of a run: a Mapping of column name to column, all of equal length.

    ``history["cost"][i]`` is the training cost of epoch ``history["epoch"][i]``:
    for full-batch training, the cost before that iteration's update (so the first
    entry is the untrained network's cost, as in the tutorials); for mini-batches,
    the mean of the batch costs over the epoch. ``val_cost`` and ``val_metric``
    (accuracy, or R^2 for regression) are NaN when no validation data was given.

    As a table is, it is sized by its rows: ``len(history)`` is the number of
    epochs recorded, while iterating, ``keys()``, ``values()`` and ``items()`` go
    over the columns (``len(history.keys())`` counts them). The run's outcome is in
    attributes, not columns: ``metric_name`` ("accuracy" or "r2"), ``best_epoch``,
    ``stop_reason``, ``interrupted``, and ``step_cost`` (every step's batch cost,
    when recorded).
    """

    columns: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in COLUMNS})
    step_cost: list[float] = field(default_factory=list)
    metric_name: str = "accuracy"
    best_epoch: int | None = None
    stop_reason: str = "finished the requested epochs"
    interrupted: bool = False

    def append(self, epoch: int, **values: float) -> None:
        """Add one epoch's row; columns not given get NaN, new names become columns."""
        columns = self.columns
        rows = len(columns["epoch"])
        columns["epoch"].append(int(epoch))
        for name, value in values.items():
            column = columns.get(name)
            if column is None:
                column = columns[name] = [math.nan] * rows  # a new column: NaN for earlier rows
            column.append(float(value))
        if len(values) + 1 < len(columns):
            for column in columns.values():
                if len(column) == rows:
                    column.append(math.nan)  # a column this row did not give

    def __len__(self) -> int:
        """The number of epochs (rows) recorded."""
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> list[float]:
        return self.columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def keys(self) -> KeysView[str]:
        """Column names, in the order they were first recorded."""
        return self.columns.keys()

    def values(self) -> ValuesView[list[float]]:
        """The columns, in the order of :meth:`keys`."""
        return self.columns.values()

    def items(self) -> ItemsView[str, list[float]]:
        """``(name, column)`` pairs, in the order of :meth:`keys`."""
        return self.columns.items()

    @property
    def cost(self) -> list[float]:
        """The training cost of every epoch."""
        return self.columns["cost"]

    @property
    def val_cost(self) -> list[float]:
        """The validation cost of every epoch (NaN without validation data)."""
        return self.columns["val_cost"]

    def last(self, name: str) -> float:
        """The most recent value of column ``name`` (NaN when nothing was recorded)."""
        column = self.columns.get(name, [])
        return column[-1] if column else math.nan

    def write_csv(self, handle: IO[str]) -> None:
        """Write the columns to an open text file as CSV, with a header row."""
        writer = csv.writer(handle)
        writer.writerow(self.columns)
        writer.writerows(zip(*self.columns.values(), strict=True))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the columns and the run's outcome."""
        return {
            "columns": {name: list(values) for name, values in self.columns.items()},
            "metric_name": self.metric_name,
            "best_epoch": self.best_epoch,
            "stop_reason": self.stop_reason,
            "interrupted": self.interrupted,
        }
