"""A table larger than memory, prepared as ``glassnet train`` prepares one, with Dask.

    CSV files (a glob; .gz .bz2 .xz .zip) or Parquet ──read_frame──> dask DataFrame
                                                      (frame_reading: "1.234,5" as 1234.5)
    partitions ──pass 1: each column's summary──> roles, task, labels (the rules of one machine)
    partitions ──pass 2, one dask.compute──> medians, means, variances, categories, modes
    fitted values ──set on build_preprocessor's ColumnTransformer──> the model file's transformer
    each partition ──transform (map over the partitions)──> X, y: dask arrays, known chunks

The rules are the single-machine path's, called from :mod:`glassnet.data`; only where
the fitted statistics come from differs:

- **means, variances, categories, modes**: exact (to rounding: 1e-12 in the tests,
  as the partitions' sums are added in another order). The categories and the modes come
  from ``value_counts`` in the same pass as the numeric statistics (dask's
  ``categorize`` would read the data once more for the categories alone, and gives the
  same sorted categories; the tests check it). The scaler's mean and variance are those
  of the *imputed* column, combined from the present cells' and the imputed ones'.
- **medians**: approximate. Dask has no exact median in parallel; each partition
  reports its 0.0, 0.001, ..., 1.0 quantiles and dask merges them, weighted by their
  counts. On the tests' data (penguins in three files; 3000 rows sorted by the column,
  so each partition holds a different range) at most 50.5 % of the present values lie
  below it and at least 49.5 % at or below it: within half a percent of the middle
  rank. Everything fitted after the median (the scaler's mean and variance, X) equals
  scikit-learn's for data imputed with that median, to 1e-12.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dask.array as da
import dask.dataframe as dd

from glassnet.data.array_encoders import LabelCodec
from glassnet.data.column_encoders import takes_missing_category
from glassnet.data.columns import choose_columns, feature_kinds, left_out_reasons
from glassnet.data.table_choices import check_nan_policy
from glassnet.data.table_encoder import preprocessor_columns
from glassnet.data.task import check_task, choose_task
from glassnet.distributed.frame_reading import read_frame, read_frame_noted
from glassnet.distributed.frame_statistics import (
    arrays,
    fitted_preprocessor,
    label_kind,
    statistics,
    target_scaler,
    typed_frame,
    warn_columns,
)
from glassnet.distributed.frame_summary import (
    ROW_WORD,
    WHERE,
    check_cells,
    computed,
    frame_summaries,
)
from glassnet.errors import InputError

__all__ = ["Fitted", "Prepared", "prepare", "read_frame", "read_frame_noted", "transform_frame"]

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler


@dataclass(frozen=True, eq=False)
class Fitted:
    """Fitted preprocessing: what turns a partition's cells into X and y, and how it was made.

    :func:`prepare` fits it (a :class:`Prepared`); a resumed run takes its model's own.
    """

    preprocessor: "ColumnTransformer"
    codec: LabelCodec | None  # the labels of the class indices (classification)
    target_scaler: "StandardScaler | None"  # y = (target - mean_) / scale_ (regression)
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    targets: tuple[str, ...]
    left_out: dict[str, str]  # the other columns, and why each was left out
    missing: dict[str, int]  # the missing cells of each feature and target
    task: str  # "classification" or "regression"
    task_reason: str  # "3 classes, text labels"
    notes: tuple[str, ...]  # one line each: rows dropped, row ids left out
    dates: dict[str, str] = field(default_factory=dict)  # date columns: their formats

    @property
    def feature_names(self) -> list[str]:
        """One name per encoded column of X (``island_Biscoe``, ...)."""
        return [str(name) for name in self.preprocessor.get_feature_names_out()]


@dataclass(frozen=True, eq=False, kw_only=True)
class Prepared(Fitted):
    """A dask DataFrame's features and target as the network takes them, and how they were made.

    ``glassnet.save`` stores the fitted ``preprocessor`` as it stores a single-machine run's.
    """

    X: da.Array  # (n_rows, n_encoded) float64, a chunk per partition (sizes known)
    y: da.Array  # (n_rows,) or (n_rows, n_targets): class indices (int64) or standardised targets


def prepare(
    frame: dd.DataFrame,
    target: str | Sequence[str],
    *,
    features: str | Sequence[str] | None = None,
    drop: str | Sequence[str] | None = None,
    categorical: str | Sequence[str] | None = None,
    task: str | None = None,
    nan: str = "impute",
    standardize: bool = True,
    dates: str | Sequence[str] | None = None,
    notes: Sequence[str] = (),
) -> Prepared:
    """Choose, type and preprocess a dask DataFrame's columns as ``glassnet train`` does.

    Parameters
    ----------
    frame
        From :func:`read_frame` (text cells), or any dask DataFrame.
    target, features, drop, categorical, task, nan, dates
        As :func:`glassnet.data.read_tabular` takes them (``task=None`` is ``"auto"``):
        dates are found (or named) and encoded as numbers, row ids and free text left
        out with a note, by the single-machine rules.
    standardize
        Scale the numeric columns (after imputing), as a run does by default.
    notes
        The notes of reading the frame (:func:`read_frame_noted`), put first.

    Returns
    -------
    Prepared
        X and y as dask arrays, the fitted ColumnTransformer, the label codec or target
        scaler, the columns' roles, the task and why. The data is read twice (the cells
        counted, then the statistics); X and y are lazy and read it again when computed.

    Raises
    ------
    InputError
        As the single-machine reader raises it, naming the column and the data row.
    """
    task = "auto" if task is None else task
    check_task(task)
    check_nan_policy(nan)
    if not isinstance(frame, dd.DataFrame):
        raise InputError(f"prepare takes a dask DataFrame, got {type(frame).__name__}")
    choice = choose_columns(
        [str(c) for c in frame.columns], WHERE, target=target, features=features, drop=drop,
        categorical=categorical, dates=dates,
    )  # fmt: skip
    frame = frame.rename(columns=str)
    summaries, lacking = frame_summaries(frame, choice, nan)
    kinds = feature_kinds(summaries, choice, WHERE)
    numeric, categorical_columns = list(kinds.numeric), list(kinds.categorical)
    text = [*categorical_columns, *kinds.dates]  # typed as text; the dates parsed by the encoder
    check_cells(summaries, numeric, [*numeric, *text], nan)
    chosen = choose_task([summaries[name] for name in choice.targets], task, WHERE, ROW_WORD)
    targets = list(choice.targets)
    typed = typed_frame(frame, numeric, text, targets, chosen.label_kind, nan)
    stats = statistics(typed, numeric, categorical_columns, targets, chosen.task, kinds.dates)
    notes = [*notes, *lacking, *kinds.notes]  # in the single-machine reader's order
    kept, rows_with_target = sum(stats["lengths"]), summaries[targets[0]].rows
    if not kept:
        raise InputError(f"{WHERE}: every row has a missing or unreadable cell")
    if kept < rows_with_target:
        notes.append(f"dropped {rows_with_target - kept} row(s) with a missing or unreadable "
                     f"cell (--nan {nan})")  # fmt: skip
    notes += chosen.warnings
    used = {n: summaries[n] for n in (*numeric, *text, *targets)}
    warn_columns(used, stats, categorical_columns)
    own_category = [  # under --nan skip no missing cell is left
        name for name in categorical_columns
        if nan != "skip" and takes_missing_category(summaries[name].missing, summaries[name].rows)
    ]  # fmt: skip
    preprocessor = fitted_preprocessor(
        stats, numeric, categorical_columns, standardize, kinds.dates, own_category
    )
    codec = None if chosen.labels is None else LabelCodec().fit(chosen.labels)
    scaler = target_scaler(stats, targets) if codec is None else None
    X, y = arrays(typed, stats["lengths"], [*numeric, *text], targets, preprocessor, codec, scaler)
    return Prepared(
        X=X, y=y, preprocessor=preprocessor, codec=codec, target_scaler=scaler,
        numeric=tuple(numeric), categorical=tuple(categorical_columns), targets=tuple(targets),
        left_out=left_out_reasons(choice, kinds), task=chosen.task,
        missing={n: c.missing for n, c in used.items()}, task_reason=chosen.reason,
        notes=tuple(notes), dates=dict(kinds.dates),
    )  # fmt: skip


def transform_frame(
    frame: dd.DataFrame, fitted: Fitted, *, nan: str = "impute"
) -> tuple[da.Array, da.Array]:
    """Another frame's X and y (a held-out part, new rows) by preprocessing already fitted.

    The cells are typed and rows dropped as :func:`prepare` does: rows without a target,
    and under ``nan="skip"`` rows with a missing or unreadable cell. The frame is read
    once here, to count each partition's rows (X and y have known chunk sizes); a frame
    left with no rows gives X and y of zero rows.
    """
    check_nan_policy(nan)
    kind = label_kind(None if fitted.codec is None else fitted.codec.classes_.dtype)
    numeric, text = preprocessor_columns(fitted.preprocessor)  # text: categories and dates
    typed = typed_frame(frame.rename(columns=str), numeric, text, list(fitted.targets), kind, nan)
    (lengths,) = computed(typed.map_partitions(len))
    return arrays(
        typed, [int(n) for n in lengths], [*numeric, *text], list(fitted.targets),
        fitted.preprocessor, fitted.codec, fitted.target_scaler,
    )  # fmt: skip
