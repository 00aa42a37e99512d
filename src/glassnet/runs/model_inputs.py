"""The rows of a file as a model takes them: its columns found by name, each cell checked.

    header ──the model's columns, by name──> found, or one error listing those it lacks
    a chunk's cells ──numbers, categories; --nan impute | skip | error──> the model's input

A model trained on a table reads its numeric and categorical columns, and its imputer fills
a missing cell in (``--nan impute``, its default); a model trained on numbers reads finite
numbers (``--nan error``, its default). :meth:`RowReader.read` says which rows stop.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from glassnet.data.cells import as_categories, cell_problem, missing_cells, read_numbers
from glassnet.data.listing import listed
from glassnet.data.reading import Rows
from glassnet.data.table_choices import check_nan_policy
from glassnet.data.table_encoder import preprocessor_columns, unseen_categories
from glassnet.errors import InputError
from glassnet.runs.model import TrainedModel


def resolve_nan(model: TrainedModel, nan: str | None) -> str:
    """The ``--nan`` policy for ``model``: ``impute`` by default when it has an imputer."""
    if nan is None:
        return "impute" if model.preprocessor is not None else "error"
    check_nan_policy(nan)
    if nan == "impute" and model.preprocessor is None:
        raise InputError(
            "--nan impute needs a model trained on a table (its preprocessor imputes); this "
            "model was trained on numeric features without one: use --nan error or --nan skip"
        )
    return nan


def check_columns(columns: Sequence[str], needed: Sequence[str], where: str) -> None:
    """Refuse a file that lacks a column the model needs, listing every one it lacks."""
    missing = [name for name in needed if name not in columns]
    if missing:
        raise InputError(
            f"{where} lacks the column(s) {', '.join(map(repr, missing))}; the model needs "
            f"{listed(list(needed))}, the file has {listed(list(columns))}"
        )


@dataclass
class Inputs:
    """A chunk's rows the model reads: its input, which rows are kept, which hold new categories.

    ``X`` is what :meth:`TrainedModel.output` takes: finite float64 features, or (with a
    preprocessor) the typed columns. ``kept`` marks the chunk's rows used, ``unseen`` those
    of them with a category the model never saw (their one-hot columns are all zeros).
    """

    X: Any
    kept: NDArray[np.bool_]
    unseen: NDArray[np.bool_]
    unseen_categories: dict[str, list[str]] = field(default_factory=dict)


class RowReader:
    """Reads chunks of rows for one model, under one ``--nan`` policy.

    Parameters
    ----------
    model
        The trained model.
    nan
        ``"impute"``, ``"skip"`` or ``"error"`` (already resolved, :func:`resolve_nan`).
    where, line_word
        The file's name and how its rows are named (``line``, or ``row`` for Parquet).
    required
        Further columns whose cells must be present (the targets, when evaluating): a
        row lacking one is an error with ``--nan error``, else skipped.
    """

    def __init__(
        self,
        model: TrainedModel,
        nan: str,
        where: str,
        line_word: str = "line",
        required: Sequence[str] = (),
    ) -> None:
        self.model, self.nan, self.where, self.word = model, nan, where, line_word
        self.numeric: list[str] = list(model.feature_names)
        self.categorical: list[str] = []
        if model.preprocessor is not None:
            self.numeric, self.categorical = preprocessor_columns(model.preprocessor)
        self.required = list(required)
        self.columns = [*self.numeric, *self.categorical]
        self.skipped = 0

    def check(self, columns: Sequence[str]) -> None:
        """Refuse a header without the model's columns (or the required ones)."""
        needed = [*self.columns, *(name for name in self.required if name not in self.columns)]
        check_columns(columns, needed, self.where)

    def read(self, rows: Rows) -> Inputs:
        """The model's input from a chunk, its bad rows refused or skipped (counted).

        A row stops at a numeric cell that is no finite number, at a missing feature
        cell (unless imputed) and at a missing required cell: ``--nan error`` refuses it
        (naming the line and column), ``skip`` drops it; ``impute`` refuses the first kind
        and drops a row without its required cell. Plain records (:attr:`Rows.records`)
        hold finite numbers only: every row is kept.
        """
        frame, n = rows.frame, len(rows)
        if rows.records is not None and self.model.preprocessor is None and not self.required:
            X = frame[self.numeric].to_numpy(dtype=np.float64)  # plain: finite numbers, (n, d)
            return Inputs(X, np.ones(n, dtype=bool), np.zeros(n, dtype=bool))
        unfilled = self.nan != "impute"  # a missing feature cell stops the row
        stops: list[tuple[str, NDArray[np.bool_], bool]] = []  # (column, rows, fatal)
        numbers: dict[str, NDArray[np.float64]] = {}  # each numeric column, read once
        for name in self.columns:
            if name in self.numeric:
                numbers[name], gap, wrong = read_numbers(frame[name])
            else:
                gap, wrong = missing_cells(frame[name]), np.zeros(n, dtype=bool)
            stops.append((name, wrong | (gap & unfilled), self.nan != "skip"))
        for name in self.required:
            stops.append((name, missing_cells(frame[name]), self.nan == "error"))
        fatal = np.zeros(n, dtype=bool)
        for _, mask, is_fatal in stops:
            fatal |= mask & is_fatal
        if fatal.any():
            row = int(np.argmax(fatal))
            name = next(name for name, mask, is_fatal in stops if is_fatal and mask[row])
            raise self._error(rows, row, name)
        kept = np.ones(n, dtype=bool)
        for _, mask, _ in stops:
            kept &= ~mask
        self.skipped += int(n - kept.sum())
        return self._inputs(
            frame[kept], {name: values[kept] for name, values in numbers.items()}, kept
        )

    def _inputs(
        self, frame: pd.DataFrame, numbers: dict[str, NDArray[np.float64]], kept: NDArray[np.bool_]
    ) -> Inputs:
        """What the model takes: the numbers (n, d), or the typed columns for its preprocessor."""
        m = int(kept.sum())
        if self.model.preprocessor is None:
            columns = [numbers[name] for name in self.numeric]
            X = np.column_stack(columns) if columns else np.empty((m, 0))
            return Inputs(X.reshape(m, len(self.numeric)), kept, np.zeros(m, dtype=bool))
        typed = pd.DataFrame(numbers, index=range(m))
        for name in self.categorical:
            typed[name] = pd.Series(as_categories(frame[name]), dtype=object).to_numpy(object)
        typed = typed[self.columns]
        unseen, names = unseen_categories(self.model.preprocessor, typed)
        return Inputs(typed, kept, unseen, names)

    def _error(self, rows: Rows, row: int, name: str) -> InputError:
        problem = cell_problem(rows.frame[name].iloc[row], numeric=name in self.numeric)
        fix = "fix or drop the row; --nan skip drops such rows"
        if self.model.preprocessor is not None and name not in self.required:
            fix += "; --nan impute fills in a missing cell"
        return InputError(
            f"{self.where}, {self.word} {rows.lines[row]}, column {name!r}: {problem} ({fix})"
        )
