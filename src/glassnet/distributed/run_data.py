"""A cluster run's data: the files read in blocks, split by row hashes, preprocessed, encoded.

    --data (CSV, glob, Parquet) ──read_frame──> dask DataFrame (never whole in memory)
    frame ──split_frame (each row's hash)──> fit, validation, held-out rows   (hashed_split)
    training part (fit + validation) ──prepare──> ColumnTransformer, labels, target scaler
    each part ──the fitted preprocessing, per partition──> X, y dask arrays

As a single-machine run, the preprocessing is fitted on the training part only (the
held-out part is never seen) and a resumed run keeps the model's own. The run's
:class:`~glassnet.data.dataset.Dataset` holds the features and labels as lazy dask
arrays (its sizes are exact); nothing here holds the data in memory.
"""

import contextlib
import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask.array as da
import numpy as np

from glassnet.data.dataset import Dataset, Table
from glassnet.data.number_format import NumberFormat
from glassnet.data.reading import PARQUET_SUFFIXES, delimiter_and_format
from glassnet.data.sources import open_source
from glassnet.data.table_encoder import date_formats
from glassnet.distributed import frames
from glassnet.distributed.data_paths import csv_files, is_parquet
from glassnet.distributed.hashed_split import split_frame
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig
from glassnet.runs.model import TrainedModel

PART_NAMES = {
    "fit": "the fit part",
    "validation": "the validation part",
    "test": "the held-out part",
}


@dataclass
class ClusterData:
    """The run's parts as dask arrays, its preprocessing, and its Dataset (lazy, exact sizes).

    ``X`` and ``y`` map "train" (the fit part), "validation" and "test" (held-out) to
    dask arrays, or None for a part not asked for; ``y`` holds class indices or
    standardised regression targets, as the network trains on them.
    """

    X: dict[str, da.Array | None]
    y: dict[str, da.Array | None]
    preprocessing: frames.Fitted
    dataset: Dataset


def load_cluster_data(config: RunConfig, start: TrainedModel | None) -> ClusterData:
    """Read the config's files, split their rows, fit (or take the resumed model's)
    preprocessing on the training part, and encode every part."""
    frame, notes = frames.read_frame_noted(
        config.data, sep=config.sep, encoding=config.encoding, decimal=config.decimal,
        thousands=config.thousands,
    )  # fmt: skip
    frame = frame.rename(columns=str)
    parts = split_frame(frame, config.test_size, config.validation, config.seed)
    if start is None:
        prepared = frames.prepare(
            parts["seen"],
            _targets(config),
            features=config.features or None,
            drop=config.drop or None,
            categorical=config.categorical or None,
            task=config.task,
            nan=config.nan,
            standardize=config.standardize,
            dates=config.dates,
            notes=notes,
        )
        preprocessing: frames.Fitted = prepared
        fit = (prepared.X, prepared.y) if parts["validation"] is None else None
    else:
        preprocessing = _from_model(start, config)
        fit = None
    X: dict[str, da.Array | None] = {}
    y: dict[str, da.Array | None] = {}
    for name, key in (("train", "fit"), ("validation", "validation"), ("test", "test")):
        if parts[key] is None:
            X[name] = y[name] = None
        elif name == "train" and fit is not None:
            X[name], y[name] = fit  # prepare's own arrays: the training part is the fit part
        else:
            X[name], y[name] = encode_frame(parts[key], preprocessing, config.nan, PART_NAMES[key])
    for name, array in X.items():  # in the network's dtype
        X[name] = None if array is None else array.astype(config.dtype, copy=False)
    dataset = _dataset(config, frame, preprocessing, X, y)
    return ClusterData(X, y, preprocessing, dataset)


def _targets(config: RunConfig) -> list[str]:
    if not config.target:
        raise InputError("--dask trains on a table: name the column to predict with --target")
    return [name.strip() for name in config.target.split(",")]


def _from_model(model: TrainedModel, config: RunConfig) -> frames.Fitted:
    """A resumed run's preprocessing: the model's fitted transformers and its columns' roles."""
    columns = model.config.get("columns")
    if model.preprocessor is None or not isinstance(columns, dict):
        raise InputError(
            f"the model resumed from ({config.resume_from}) was not trained on a table: "
            "--dask resumes runs of CSV or Parquet data"
        )
    targets = tuple(columns.get("targets", ()))
    if tuple(_targets(config)) != targets:
        raise InputError(
            f"--target {config.target} but the model resumed from predicts "
            f"{','.join(targets)}: a resumed run keeps its target"
        )
    return frames.Fitted(
        numeric=tuple(columns.get("numeric", ())),
        categorical=tuple(columns.get("categorical", ())),
        targets=targets,
        preprocessor=model.preprocessor,
        codec=model.label_codec,
        target_scaler=model.target_scaler,
        task=model.task,
        task_reason=str(model.config.get("task_reason", "as the model resumed from")),
        left_out=dict(columns.get("left_out", {})),
        missing={},
        notes=(),
        dates=date_formats(model.preprocessor),
    )


def encode_frame(
    frame: Any, preprocessing: frames.Fitted, nan: str, what: str
) -> tuple[da.Array, da.Array]:
    """A part's X and y by :func:`frames.transform_frame`; an empty part refused."""
    X, y = frames.transform_frame(frame, preprocessing, nan=nan)
    if not X.shape[0]:
        raise InputError(
            f"{what} has no rows: with this many rows, use a larger fraction (--test-size, "
            "--validation) or leave it out (0)"
        )
    return X, y


def _dataset(
    config: RunConfig,
    frame: Any,
    preprocessing: frames.Fitted,
    X: dict[str, da.Array | None],
    y: dict[str, da.Array | None],
) -> Dataset:
    """The run's Dataset: every row's X and y (lazy), the names, and the table as read."""
    present = [name for name in ("train", "validation", "test") if X[name] is not None]
    X_all = da.concatenate([X[name] for name in present])
    y_all = da.concatenate([y[name] for name in present])
    sep, number = _read_format(config)
    table = Table(
        columns=tuple(str(name) for name in frame.columns),
        frame=frame,
        numeric=preprocessing.numeric,
        categorical=preprocessing.categorical,
        targets=preprocessing.targets,
        task_reason=preprocessing.task_reason,
        left_out=preprocessing.left_out,
        missing=preprocessing.missing,
        notes=preprocessing.notes,
        lines=np.empty(0, dtype=np.int64),  # a row's line is not kept for data in blocks
        sep=sep,
        fingerprint=fingerprint(config.data),
        dates=preprocessing.dates,
        decimal=number.decimal,  # saved with the run: a resumed run reads the file alike
        thousands=number.thousands,
    )
    return Dataset(
        X=X_all,
        y=y_all,
        feature_names=preprocessing.feature_names,
        target_name=",".join(preprocessing.targets),
        task=preprocessing.task,
        name=Path(config.data).stem or str(config.data),
        description=f"{config.data}, read in blocks by Dask",
        table=table,
    )


def fingerprint(path: str) -> dict[str, Any]:
    """``{"file": name, "files": count, "size": bytes}``: what config.json records of the data.

    No SHA-256: hashing every byte would be one more pass over data this size, and
    ``glassnet evaluate`` takes a recorded digest to mean the single-machine split
    (see docs/distributed.md), which a cluster run does not use.
    """
    given = Path(path)
    if given.is_dir():  # a Parquet folder's files
        files = [file for file in given.rglob("*") if file.suffix.lower() in PARQUET_SUFFIXES]
    else:  # a file, or a glob's matches
        files = [Path(name) for name in glob.glob(path)]
    return {
        "file": given.name,
        "files": len(files),
        "size": sum(file.stat().st_size for file in files),
        "split": "row hash",
    }


def _read_format(config: RunConfig) -> tuple[str, NumberFormat]:
    """The CSV's delimiter and number format, as given or as sniffed from the first file (as
    :func:`~glassnet.distributed.frames.read_frame_noted` reads it); "" and plain for Parquet."""
    if is_parquet(config.data):
        return "", NumberFormat()
    with contextlib.ExitStack() as stack:
        sample = open_source(csv_files(config.data)[0], config.encoding, stack).sample
    return delimiter_and_format(sample, config.sep, config.decimal, config.thousands)
