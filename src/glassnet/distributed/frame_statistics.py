"""Pass 2 of a dask DataFrame's preparation: the fitted values, in one ``dask.compute``.

    partitions ──typed_part──> features typed as the preprocessor takes them, targets
    typed partitions ──statistics──> counts, means, variances, approximate medians (of the
                                     numeric columns and of the dates' DateEncoder numbers),
                                     each category's count (categories and modes)
    statistics ──fitted_preprocessor──> build_preprocessor's ColumnTransformer, fitted
    each partition ──transform (arrays)──> X, y: dask arrays with known chunk sizes

The ColumnTransformer is fitted on a few rows that hold every category (so scikit-learn
does its own bookkeeping: columns, output slices, the encoder's categories), and then
given the statistics of the whole data: the numeric medians, the scaler's mean and
variance of the imputed columns, the categorical modes; for a date column, the same of
each of its five numbers (year, day of year and day of week as sine and cosine), which
:class:`~glassnet.data.date_encoder.DateEncoder` computes per partition. A categorical
column missing in a quarter of its rows or more takes "(missing)" as a category, as in
memory (:mod:`glassnet.data.column_encoders`).
"""

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from glassnet.data.array_encoders import LabelCodec
from glassnet.data.cells import missing_cells, read_numbers
from glassnet.data.column_encoders import DATES, MISSING_CATEGORY
from glassnet.data.column_summary import ColumnSummary
from glassnet.data.column_warnings import decimal_commas, many_categories, mostly_missing
from glassnet.data.date_encoder import DateEncoder
from glassnet.data.table_encoder import (
    CATEGORICAL,
    NUMERIC,
    build_preprocessor,
    encoded,
    typed_features,
)
from glassnet.data.task import TARGET_VALUES
from glassnet.distributed.frame_summary import computed, lacking_targets

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

MEDIAN_GRID = np.linspace(0.0, 1.0, 1001)  # each partition's quantiles, merged into the median


def typed_part(
    part: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    targets: Sequence[str],
    label_kind: str,
    nan: str,
) -> pd.DataFrame:
    """A partition's features typed as the preprocessor takes them, and its targets; the rows
    without a target (and under ``--nan skip``, with a missing or unreadable cell) dropped."""
    keep = ~lacking_targets(part, targets)  # the rows of pass 1
    for name in targets if label_kind == "regression" else ():  # and a finite number
        keep &= ~read_numbers(part[name])[2]
    for name in numeric if nan == "skip" else ():
        _, missing, bad = read_numbers(part[name])
        keep &= ~(missing | bad)
    for name in categorical if nan == "skip" else ():
        keep &= ~missing_cells(part[name])
    part = part[keep]
    typed = typed_features(part, numeric, categorical).reset_index(drop=True)
    for name in targets:
        typed[name] = TARGET_VALUES[label_kind](part[name])
    return typed


def label_kind(classes: np.dtype | None) -> str:
    """How a target's cells are read: ``regression`` (no classes), ``text``, ``whole`` or
    ``numbers``, by the dtype of the label codec's classes."""
    if classes is None:
        return "regression"
    return {"U": "text", "O": "text", "i": "whole"}.get(classes.kind, "numbers")


def typed_frame(
    frame: dd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    targets: list[str],
    kind: str,
    nan: str,
) -> dd.DataFrame:
    """:func:`typed_part` mapped over the partitions (lazy)."""
    args = (numeric, categorical, targets, kind, nan)
    return frame.map_partitions(typed_part, *args, meta=typed_part(frame._meta, *args))


def date_numbers(part: pd.DataFrame, dates: dict[str, str]) -> pd.DataFrame:
    """A typed partition's date columns as DateEncoder's numbers, (n, 5 per column)."""
    columns = part[list(dates)]
    encoder = DateEncoder(list(dates.values())).fit(columns)
    names = [str(name) for name in encoder.get_feature_names_out()]
    return pd.DataFrame(encoder.transform(columns), columns=names, index=part.index)


def _moments(frame: dd.DataFrame, names: list[str]) -> dict[str, Any]:
    """The present cells' count, mean and variance, and the quantiles the median is read from."""
    return {
        "count": frame[names].count(),
        "mean": frame[names].mean(),
        "var": frame[names].var(ddof=0),
        "quantiles": [frame[name].quantile(MEDIAN_GRID) for name in names],
    }


def statistics(
    typed: dd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    targets: list[str],
    task: str,
    dates: dict[str, str],
) -> dict[str, Any]:
    """Every fitted value, in one ``dask.compute`` (one read of the data)."""
    lazy: dict[str, Any] = {"lengths": typed.map_partitions(len)}
    if numeric:
        lazy[NUMERIC] = _moments(typed, numeric)
    if dates:  # each date's five numbers, as the encoder computes them
        numbers = typed.map_partitions(date_numbers, dates, meta=date_numbers(typed._meta, dates))
        lazy[DATES] = _moments(numbers, list(numbers.columns))
    # each category's count: the categories, sorted, and the most frequent one
    lazy["counts"] = [typed[name].value_counts(split_out=1) for name in categorical]
    if task == "regression":
        lazy["target_mean"] = typed[targets].mean()
        lazy["target_var"] = typed[targets].var(ddof=0)
    (stats,) = computed(lazy)
    stats["lengths"] = [int(n) for n in stats["lengths"]]
    return stats


def _imputed_moments(moments: dict[str, Any], n: int) -> tuple[Any, Any, Any]:
    """``(median, mean, var)`` of each numeric column after its missing cells get the median.

    With c present cells of mean mu and variance s2, and m = n - c cells set to the median:
    mean = (c mu + m med) / n;  var = (c (s2 + (mu - mean)^2) + m (med - mean)^2) / n.
    """
    median = np.array([q.iloc[len(MEDIAN_GRID) // 2] for q in moments["quantiles"]], np.float64)
    names = moments["count"].index
    c = moments["count"][names].to_numpy(dtype=np.float64)
    mu = moments["mean"][names].to_numpy(dtype=np.float64)
    s2 = moments["var"][names].to_numpy(dtype=np.float64)
    m = n - c
    mean = (c * mu + m * median) / n
    var = (c * (s2 + (mu - mean) ** 2) + m * (median - mean) ** 2) / n
    return median, mean, var


def _set_scaler(scaler: "StandardScaler", mean: Any, var: Any, n: int) -> None:
    """A fitted StandardScaler's values, scale 1 where scikit-learn finds a column constant."""
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2  # scikit-learn's bound
    scaler.mean_, scaler.var_ = mean, var
    scaler.scale_ = np.where(constant, 1.0, np.sqrt(var))  # scale = sqrt(var)
    scaler.n_samples_seen_ = type(scaler.n_samples_seen_)(n)


def fitted_preprocessor(
    stats: dict[str, Any],
    numeric: list[str],
    categorical: list[str],
    standardize: bool,
    dates: dict[str, str],
    missing_category: list[str],
) -> "ColumnTransformer":
    """``build_preprocessor``'s ColumnTransformer, fitted on a few rows holding every category
    (its bookkeeping), then given the statistics of the whole data."""
    n = sum(stats["lengths"])
    preprocessor = build_preprocessor(
        numeric, categorical, standardize=standardize, dates=dates,
        missing_category=missing_category,
    )  # fmt: skip
    preprocessor.fit(_bookkeeping_rows(stats, numeric, categorical, dates, missing_category))
    for kind in (NUMERIC, DATES):  # median-imputed, then scaled by the imputed column's moments
        if kind in stats:
            median, mean, var = _imputed_moments(stats[kind], n)
            preprocessor.named_transformers_[kind]["impute"].statistics_ = median
            if standardize:
                _set_scaler(preprocessor.named_transformers_[kind]["scale"], mean, var, n)
    counts = dict(zip(categorical, stats["counts"], strict=True))
    usual = [name for name in categorical if name not in missing_category]
    if usual:  # the most frequent category; a tie goes to the first in sorted order
        modes = [counts[name][sorted(counts[name].index)].idxmax() for name in usual]
        preprocessor.named_transformers_[CATEGORICAL]["impute"].statistics_ = np.array(
            modes, dtype=object
        )
    return preprocessor


def _bookkeeping_rows(
    stats: dict[str, Any],
    numeric: list[str],
    categorical: list[str],
    dates: dict[str, str],
    missing_category: list[str],
) -> pd.DataFrame:
    """A few rows holding every category (and "(missing)" where a missing cell is one), and
    a number or a date in each other column: what the transformers' bookkeeping fits on."""
    values = {
        name: [*sorted(counts.index), *([MISSING_CATEGORY] if name in missing_category else [])]
        for name, counts in zip(categorical, stats["counts"], strict=True)
    }
    rows = max([1, *(len(names) for names in values.values())])
    frame: dict[str, Any] = {name: np.zeros(rows) for name in numeric}
    frame.update({name: np.resize(np.array(v, dtype=object), rows) for name, v in values.items()})
    day = pd.Timestamp("2000-01-01")
    frame.update({name: np.full(rows, day.strftime(f), dtype=object) for name, f in dates.items()})
    return pd.DataFrame(frame, dtype=object).astype(dict.fromkeys(numeric, np.float64))


def target_scaler(stats: dict[str, Any], targets: list[str]) -> "StandardScaler":
    from sklearn.preprocessing import StandardScaler

    n = sum(stats["lengths"])
    scaler = StandardScaler().fit(np.zeros((2, len(targets))))
    mean = stats["target_mean"][targets].to_numpy(dtype=np.float64)
    _set_scaler(scaler, mean, stats["target_var"][targets].to_numpy(dtype=np.float64), n)
    return scaler


def _encoded_part(part: pd.DataFrame, preprocessor: Any, features: list[str]) -> np.ndarray:
    return encoded(preprocessor, part[features])  # (n_part, n_encoded)


def _target_part(
    part: pd.DataFrame, codec: LabelCodec | None, scaler: Any, targets: list[str]
) -> np.ndarray:
    if codec is not None:
        return codec.encode(part[targets[0]].to_numpy())  # class indices, (n_part,)
    scaled = scaler.transform(part[targets].to_numpy(dtype=np.float64))  # (y - mean) / scale
    return scaled[:, 0] if len(targets) == 1 else scaled


def arrays(
    typed: dd.DataFrame,
    lengths: list[int],
    features: list[str],
    targets: list[str],
    preprocessor: Any,
    codec: LabelCodec | None,
    scaler: Any,
) -> tuple[da.Array, da.Array]:
    """X and y, one chunk per non-empty partition, the transforms mapped over the partitions."""
    k = len(preprocessor.get_feature_names_out())
    X_parts, y_parts = [], []
    y_shape = () if codec is not None or len(targets) == 1 else (len(targets),)
    y_dtype = np.int64 if codec is not None else np.float64
    for part, n in zip(typed.to_delayed(), lengths, strict=True):
        if n == 0:
            continue
        X_part = dask.delayed(_encoded_part, pure=True)(part, preprocessor, features)
        y_part = dask.delayed(_target_part, pure=True)(part, codec, scaler, targets)
        X_parts.append(da.from_delayed(X_part, (n, k), dtype=np.float64))
        y_parts.append(da.from_delayed(y_part, (n, *y_shape), dtype=y_dtype))
    if not X_parts:  # no rows left
        return da.zeros((0, k), chunks=(0, k)), da.zeros((0, *y_shape), dtype=y_dtype)
    return da.concatenate(X_parts), da.concatenate(y_parts)


def warn_columns(
    columns: dict[str, ColumnSummary], stats: dict[str, Any], categorical: list[str]
) -> None:
    """The single-machine warnings (:mod:`glassnet.data.column_warnings`): a column almost all
    missing, a categorical one of decimal commas or of many categories."""
    found = [mostly_missing(name, c.missing, c.rows) for name, c in columns.items()]
    for name, counts in zip(categorical, stats["counts"], strict=True):
        c = columns[name]
        found += [decimal_commas(name, c.comma_decimals, c.rows - c.missing)]
        found += [many_categories(name, len(counts))]
    messages = [message for message in found if message is not None]
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=3)
