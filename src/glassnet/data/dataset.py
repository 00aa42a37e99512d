"""A data set: its features, its targets, and what they mean; a table's columns as read."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class Table:
    """A table's features before preprocessing, and what was decided about its columns.

    Attributes
    ----------
    columns : tuple of str
        Every column of the file, in its order.
    frame : DataFrame
        The feature columns of the rows kept, typed: numeric ones float64, categorical
        ones and dates text (NaN where missing, or not a date, in all).
    numeric, categorical : tuple of str
        The features of each kind, in the file's order.
    targets : tuple of str
        The target column(s).
    task_reason : str
        Why the task is what it is (``"3 classes, text labels"``).
    left_out : dict of str to str
        The file's other columns, and why each was left out.
    missing : dict of str to int
        The missing cells of each feature and target, in the rows read.
    notes : tuple of str
        One line each: row ids left out, rows dropped.
    lines : ndarray of shape (n_rows,)
        The line (Parquet: the row) of the file each kept row comes from.
    sep : str
        The delimiter the file was read with.
    fingerprint : dict
        ``{"file": name, "size": bytes, "sha256": hex}`` of the file read.
    dates : dict of str to str
        The date features and the format of each (their cells in ``frame`` are text).
    decimal, thousands : str, str or None
        The number format the file was read with, given or sniffed (``"."`` and None: plain).
    """

    columns: tuple[str, ...]
    frame: "pd.DataFrame"
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    targets: tuple[str, ...]
    task_reason: str
    left_out: dict[str, str]
    missing: dict[str, int]
    notes: tuple[str, ...]
    lines: NDArray[np.int64]
    sep: str
    fingerprint: dict[str, Any]
    dates: dict[str, str] = field(default_factory=dict)
    decimal: str = "."
    thousands: str | None = None


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features, targets and what they mean.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features, float64; for a table, imputed and one-hot encoded (not scaled).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Labels as given: ints for the bundled sets; strings or numbers from a CSV; several
        regression targets as columns.
    feature_names : list of str
        One per column of ``X`` (a table's one-hot columns are ``column_category``).
    target_name : str
        Several targets' names joined by commas.
    task : str
        ``"classification"`` or ``"regression"``.
    name : str
    description : str
        One line.
    table : Table or None
        A CSV or Parquet file's features as read, before preprocessing, and what was
        decided about its columns (:mod:`glassnet.data.tabular`); None for a bundled set.
    classes : tuple or None
        The labels in the order a run numbers them (index i stands for ``classes[i]``),
        when the data set has one: the cancer set's ``("malignant", "benign")``, as
        scikit-learn's copy numbers them. None: the labels are numbered in sorted order.
    """

    X: NDArray[np.float64]
    y: NDArray[Any]
    feature_names: list[str]
    target_name: str
    task: str
    name: str
    description: str
    table: Table | None = None
    classes: tuple[Any, ...] | None = None

    @property
    def n_samples(self) -> int:
        """The number of rows of ``X``."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """The number of columns of ``X``."""
        return int(self.X.shape[1])

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, X: {self.X.shape}, "
            f"target={self.target_name!r})"
        )
