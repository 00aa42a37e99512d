"""The run folder: what one training run leaves on disk.

    config.json    everything resolved: options, seed, version, data, preprocessing
    history.csv    one row per epoch
    metrics.json   the held-out scores
    model.npz      the trained network with its preprocessing (glassnet.load reads it)
    checkpoint.npz the best epoch's model, written while training runs: removed once
                   model.npz is whole, so only a crashed run's folder holds it (--resume)

:func:`write_run_folder` writes it; :func:`read_run_folder` reads it back and rebuilds
the run: its data loaded again and split as the run split it
(:func:`~glassnet.runs.parts.split_run`), the saved model. The pictures and
``report.html`` are drawn into the same folder by :func:`glassnet.viz.draw_run`, a
layer above this one.
"""

import contextlib
import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.files.model_file import save
from glassnet.runs.config import RunConfig, config_from_record
from glassnet.runs.encoding import encode_for
from glassnet.runs.manifest import (
    begin_writing,
    check_run_folder,
    claim_run_folder,
    seal_run_folder,
    write_json,
)
from glassnet.runs.model import TrainedModel, load_trained_model
from glassnet.runs.parts import reload_data, split_run
from glassnet.runs.run import CHECKPOINT, RunResult
from glassnet.training.history import History

NOT_A_RUN = "give a folder glassnet train wrote"

ARTIFACTS = (
    CHECKPOINT,
    "config.json",
    "history.csv",
    "metrics.json",
    "model.npz",
    "loss.png",
    "boundary.png",
    "confusion.png",
    "regression.png",
    "roc.png",
    "hidden_units.png",
    "gradient_norms.png",
    "boundary_grid.png",  # drawn by `glassnet plot --grid`; a new run removes an old one
    "report.html",
)


def write_run_folder(result: RunResult, out: str | Path | None = None) -> Path:
    """Write the run folder's data: config.json, history.csv, metrics.json, model.npz.

    Each file is written whole or not at all. The files of an earlier run that this run does
    not write (:data:`ARTIFACTS`: the pictures, which :func:`glassnet.viz.draw_run` draws
    next, and ``checkpoint.npz``, which ``model.npz`` now replaces) are removed, so the folder
    describes one run; other files beside a run are kept, and a folder holding other files and
    no run is refused. ``manifest.json`` is written first as incomplete and last with the data
    files' sizes and hashes (:mod:`glassnet.runs.manifest`): a write stopped half-way leaves a
    folder every reader refuses.

    Returns
    -------
    Path
        The folder.
    """
    target = out if out is not None else result.config.out
    if target is None:
        raise InputError("no run folder given: pass out (--out)")
    folder = Path(target)
    claim_run_folder(folder, overwrite=True)  # refuses a file, or a folder that holds no run
    begin_writing(folder)
    written = {
        write_json(folder / "config.json", config_record(result)),
        write_history(folder / "history.csv", result.history),
        write_json(folder / "metrics.json", result.metrics),
        save(result.model, folder / "model.npz"),  # atomic: whole once it is there
    }
    for name in ARTIFACTS:  # the checkpoint too: the run is over, model.npz resumes it
        if folder / name not in written:
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
    seal_run_folder(folder, [path.name for path in written])
    return folder


def config_record(result: RunResult) -> dict[str, Any]:
    """config.json's content: the resolved config plus the data and the fitted preprocessing."""
    dataset = result.dataset
    return {
        **result.config_record(),
        "layer_sizes": result.network.layer_sizes,
        "dataset": {
            "name": dataset.name,
            "description": dataset.description,
            "n_samples": dataset.n_samples,
            "n_features": dataset.n_features,
            "feature_names": dataset.feature_names,
            "target_name": dataset.target_name,
        },
        "standardizer": None
        if result.model.standardizer is None
        else result.model.standardizer.to_dict(),
        "labels": None if result.model.label_codec is None else result.model.label_codec.to_dict(),
        "target_scaler": _scaler_record(result.model.target_scaler),
    }


def _scaler_record(scaler: Any) -> dict[str, list[float]] | None:
    """A target scaler's statistics, as config.json shows them."""
    if scaler is None:
        return None
    return {"mean": [float(v) for v in scaler.mean_], "scale": [float(v) for v in scaler.scale_]}


def write_history(path: Path, history: History) -> Path:
    """history.csv: one row per epoch, written whole or not at all."""
    with atomic_write(path, "w", newline="") as handle:
        history.write_csv(handle)
    return path


# --- reading a run folder back ---------------------------------------------------------


@dataclass(frozen=True)
class RunFolder:
    """What a run folder gives back: its history always, the whole run when its data can be had."""

    history: History  # history.csv, read back
    name: str  # the data set's name, as config.json records it
    result: RunResult | None  # the data loaded again, split as the run split it, the saved model
    problem: str = ""  # why result is None (the data cannot be had again); empty otherwise


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
        raise InputError(f"run folder {str(folder)!r} {what}: {NOT_A_RUN}")
    record = _read_json(folder / "config.json")
    metrics_path = folder / "metrics.json"
    metrics = _read_json(metrics_path) if metrics_path.is_file() else {}
    history = read_history(folder / "history.csv", metrics.get("metric", "accuracy"))
    model = load_trained_model(folder / "model.npz", hint=NOT_A_RUN)
    check_run_folder(folder)  # after each file is read: a damaged file gets its own error
    config = config_from_record(record)
    described = record.get("dataset")
    name = str(described.get("name", config.data)) if isinstance(described, dict) else config.data
    try:
        result = rebuild_run(config, model, history, metrics)
    except InputError as error:
        why = f"the data {config.data!r} could not be loaded ({error})"
        return RunFolder(history, name, None, why)
    if not _same_training_part(result, metrics, record.get("data_file")):
        why = f"the data {config.data!r} no longer gives this run's training part"
        return RunFolder(history, name, None, why)
    return RunFolder(history, name, result)


def rebuild_run(
    config: RunConfig, model: TrainedModel, history: History, metrics: dict[str, Any]
) -> RunResult:
    """The run as glassnet train had it: the data again, split the same way, the saved model.

    Raises
    ------
    InputError
        When the data cannot be loaded, or no longer has the model's features.
    """
    dataset = reload_data(config)
    rows = split_run(dataset.y, config, model.label_codec)
    dataset = encode_for(dataset, model.preprocessor)
    if dataset.n_features != model.n_features:
        raise InputError(
            f"it has {dataset.n_features} features, the model takes {model.n_features}"
        )
    parts = rows.take(dataset.X, dataset.y)
    return RunResult(config, dataset, parts, model, history, metrics=metrics)


def _same_training_part(
    result: RunResult, metrics: dict[str, Any], fingerprint: dict[str, Any] | None
) -> bool:
    """The parts have the recorded sizes, the file its recorded fingerprint, and the saved
    standardizer's mean is theirs."""
    parts = result.parts
    if any(key in metrics and metrics[key] != size for key, size in parts.sizes().items()):
        return False
    table = result.dataset.table
    if fingerprint is not None and table is not None:
        return bool(table.fingerprint == fingerprint)
    if result.model.standardizer is None or result.config.resume_from is not None:
        return True  # a resumed run keeps the standardizer of the run it resumed
    seen = parts.X_train if parts.X_val is None else np.vstack([parts.X_train, parts.X_val])
    mean = seen.astype(np.float64).mean(axis=0)  # what Standardizer.fit computed
    return bool(np.allclose(mean, result.model.standardizer.mean_, rtol=1e-9, atol=1e-12))


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path} is missing: {NOT_A_RUN}")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path} could not be read: {error}") from None
    if not isinstance(content, dict):
        raise InputError(f"{path} is not a JSON object: {NOT_A_RUN}")
    return content


def read_history(path: Path, metric_name: str = "accuracy") -> History:
    """A History from the history.csv a run wrote (one row per epoch, a header row)."""
    if not path.is_file():
        raise InputError(f"{path} is missing: {NOT_A_RUN}")
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
