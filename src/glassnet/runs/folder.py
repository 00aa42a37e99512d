"""The run folder: what one training run leaves on disk.

    config.json    everything resolved: options, seed, version, data, preprocessing
    history.csv    one row per epoch
    metrics.json   the held-out scores
    model.npz      the trained network with its preprocessing (glassnet.load reads it)
    checkpoint.npz the best epoch's model, written while training ran

The pictures and ``report.html`` are drawn into the same folder by
:func:`glassnet.viz.draw_run`, a layer above this one.
"""

import contextlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.files.model_file import save
from glassnet.runs.run import CHECKPOINT, RunResult, jsonable
from glassnet.training.history import History

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

    ``model.npz`` is the trained network with its standardizer and labels
    (:func:`glassnet.files.model_file.load` reads it back); ``checkpoint.npz``, the best epoch's
    model, is kept when this run wrote it there while training; ``loss.png`` always;
    ``boundary.png`` for classification of 2-D data; ``confusion.png`` for classification,
    ``regression.png`` for regression; ``roc.png`` for two classes;
    ``hidden_units.png`` for 2-D data and a hidden layer; ``gradient_norms.png``
    when the history has gradient norms (``record_gradients``); last
    ``report.html`` (:func:`glassnet.viz.report.write_report`), one page showing them
    all. Each file is written whole or not at all; files of an earlier run in the
    same folder that this run does not produce are removed, so the folder
    describes one run.

    Returns
    -------
    Path
        The folder.
    """
    target = out if out is not None else result.config.out
    if target is None:
        raise InputError("no run folder given: pass out (--out)")
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"the run folder {str(folder)!r} exists and is not a folder")
    written = {
        write_json(folder / "config.json", config_record(result)),
        write_history(folder / "history.csv", result.history),
        write_json(folder / "metrics.json", result.metrics),
        save(result.trained_model(), folder / "model.npz"),
    }
    if result.checkpoint == folder / CHECKPOINT:
        written.add(result.checkpoint)  # this run's own, not a stale one
    for name in ARTIFACTS:
        if folder / name not in written:
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
    return folder


def config_record(result: RunResult) -> dict[str, Any]:
    """config.json's content: the resolved config plus the data and the fitted preprocessing."""
    dataset = result.dataset
    return {
        **asdict(result.config),
        "layer_sizes": result.network.layer_sizes,
        "dataset": {
            "name": dataset.name,
            "description": dataset.description,
            "n_samples": dataset.n_samples,
            "n_features": dataset.n_features,
            "feature_names": dataset.feature_names,
            "target_name": dataset.target_name,
        },
        "standardizer": None if result.standardizer is None else result.standardizer.to_dict(),
        "labels": None if result.codec is None else result.codec.to_dict(),
    }


def write_history(path: Path, history: History) -> Path:
    """history.csv: one row per epoch, written whole or not at all."""
    with atomic_write(path, "w", newline="") as handle:
        history.write_csv(handle)
    return path


def write_json(path: Path, content: dict[str, Any]) -> Path:
    """A JSON file (NaN and inf as null), written whole or not at all."""
    with atomic_write(path, "w", encoding="utf-8") as handle:
        json.dump(jsonable(content), handle, indent=2, allow_nan=False)
        handle.write("\n")
    return path
