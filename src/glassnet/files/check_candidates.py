"""The values check rows are made of, drawn from what a fitted transformer learned.

Per raw column, :func:`candidates` lists values that exercise the transformer:

    OneHotEncoder     its categories, and an unseen one when handle_unknown allows it
    SimpleImputer     a missing cell (and, when it is the last step, its fill value)
    StandardScaler    mean_, mean_ + scale_, mean_ - 2 scale_
    RobustScaling     center_, center_ + scale_, center_ - 5 scale_ (smoothly clipped)

A Pipeline's leading imputers see raw values, and so does the step after them: their
candidates are merged, the later step's first. A ColumnTransformer takes each column's
from the transformer that uses it; a column it drops gets a missing cell.
"""

import math
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from glassnet.data.date_encoder import DateEncoder, date_examples
from glassnet.data.robust_scaling import RobustScaling

UNSEEN = "glassnet-unseen-category"


def inputs(obj: Any) -> tuple[int, list[str] | None]:
    """How many raw columns ``obj`` takes, and their names (None: fitted on an array)."""
    first = obj.steps[0][1] if isinstance(obj, Pipeline) else obj
    if isinstance(first, Pipeline):
        return inputs(first)
    names = getattr(first, "feature_names_in_", None)
    return int(first.n_features_in_), None if names is None else [str(n) for n in names]


def candidates(obj: Any) -> list[list[Any]]:
    """Per raw column of ``obj``, the values its rows cycle through."""
    if isinstance(obj, ColumnTransformer):
        per_column: dict[str, list[Any]] = {str(c): [math.nan] for c in obj.feature_names_in_}
        for name, transformer, columns in obj.transformers_:
            if name != "remainder" and not isinstance(transformer, str):
                for column, values in zip(columns, candidates(transformer), strict=True):
                    per_column[column] = values
        return list(per_column.values())
    if isinstance(obj, Pipeline):
        return _pipeline_candidates(obj)
    return LEAF_CANDIDATES[type(obj)](obj)


def _pipeline_candidates(pipeline: Pipeline) -> list[list[Any]]:
    """Leading imputers see raw values (give them missing cells), and so does the step after.

    The step after them goes first: its candidates are what the pipeline was fitted on.
    """
    n, _ = inputs(pipeline)
    positions: list[int | None] = list(range(n))
    found: list[list[list[Any]]] = [[] for _ in range(n)]
    last = pipeline.steps[-1][1]
    for _, step in pipeline.steps:
        imputes = isinstance(step, SimpleImputer) and step is not last
        values = [[math.nan]] * step.n_features_in_ if imputes else candidates(step)
        for j, position in enumerate(positions):
            if position is not None:
                found[j].append(values[position])
        if not isinstance(step, SimpleImputer):
            break
        kept = np.cumsum(_kept_columns(step)) - 1
        positions = [
            None if p is None or not _kept_columns(step)[p] else int(kept[p]) for p in positions
        ]
    return [_round_robin(lists[::-1]) for lists in found]


def _kept_columns(imputer: SimpleImputer) -> list[bool]:
    """The columns an imputer outputs: all but those it had no value for, unless it keeps them.

    In scikit-learn 1.9.1 that holds for ``strategy="constant"`` too: its statistic is NaN.
    """
    if imputer.keep_empty_features:
        return [True] * imputer.n_features_in_
    return [not is_missing(v) for v in imputer.statistics_.tolist()]


def _round_robin(lists: list[list[Any]]) -> list[Any]:
    longest = max(len(values) for values in lists)
    return [values[i] for i in range(longest) for values in lists if i < len(values)]


def _scaler_candidates(scaler: StandardScaler) -> list[list[Any]]:
    n = scaler.n_features_in_
    mean = np.zeros(n) if scaler.mean_ is None else scaler.mean_
    scale = np.ones(n) if scaler.scale_ is None else scaler.scale_
    return [[float(m), float(m + s), float(m - 2 * s)] for m, s in zip(mean, scale, strict=True)]


def _imputer_candidates(imputer: SimpleImputer) -> list[list[Any]]:
    return [[math.nan] if is_missing(v) else [v, math.nan] for v in imputer.statistics_.tolist()]


def _encoder_candidates(encoder: OneHotEncoder) -> list[list[Any]]:
    columns = [categories.tolist() for categories in encoder.categories_]
    if encoder.handle_unknown == "error":
        return columns
    return [[c[0], *_unseen(c), *c[1:]] for c in columns]


def _unseen(categories: list[Any]) -> list[Any]:
    """A value not among ``categories`` of the same kind, if there is one (booleans have none)."""
    present = [c for c in categories if not is_missing(c)]
    if present and all(isinstance(c, str) for c in present):
        return [UNSEEN + "-" * max(len(c) for c in present)]  # longer than any: not among them
    if present and all(isinstance(c, int | float) and not isinstance(c, bool) for c in present):
        return [max(present) + 1]
    return []


def _robust_candidates(scaling: RobustScaling) -> list[list[Any]]:
    pairs = zip(scaling.center_, scaling.scale_, strict=True)
    return [[float(m), float(m + s), float(m - 5 * s)] for m, s in pairs]  # inside, and clipped


LEAF_CANDIDATES = {
    StandardScaler: _scaler_candidates,
    RobustScaling: _robust_candidates,
    DateEncoder: date_examples,
    SimpleImputer: _imputer_candidates,
    OneHotEncoder: _encoder_candidates,
}


def is_missing(value: Any) -> bool:
    """None or NaN: a missing cell."""
    return value is None or (isinstance(value, float) and math.isnan(value))
