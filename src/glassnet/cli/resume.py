"""``glassnet train --resume RUN_FOLDER``: continue a run from its saved model.

The saved run's options (in the model file itself, as in ``config.json``) are the
defaults; an option given on the command line overrides its saved value.
"""

from pathlib import Path
from typing import Any

import click

from glassnet.cli.options import OPTION_FIELDS, as_option, given_options
from glassnet.data.loading import DATASETS
from glassnet.errors import InputError
from glassnet.runs.manifest import (
    check_beside,
    check_run_folder,
    is_complete,
    written_since_claimed,
)
from glassnet.runs.resuming import load_start_model

MODEL_FILES = ("model.npz", "checkpoint.npz")  # what a run folder holds to resume from
OPTIONS_OF = {  # an option given anew drops the saved options that belong to its old value
    "optimizer": ("momentum", "beta1", "beta2", "weight_decay"),
    "lr_schedule": ("schedule_options",),
    "data": ("noise", "samples", "classes"),
}
RESUME_HELP = (
    "Continue training from a run folder's saved model (the newer of its model.npz and "
    "checkpoint.npz, or a model file given directly): its weights, standardizer and classes, "
    "with the saved run's options as defaults. Options given here override them (--iterations: "
    "how many more); the network and preprocessing options cannot change. The optimizer's "
    "moments and the learning-rate schedule start afresh. Writes a new run folder (--out, "
    "default runs/<data>-<timestamp>); --out RUN_FOLDER continues in place, replacing its files."
)


def resume_source(path: Path) -> Path:
    """The model file to resume from: ``path`` itself, or the newer model file in the folder.

    After a finished run ``model.npz`` is the newer; after a crash, ``checkpoint.npz``. A
    folder whose files disagree with its manifest is refused; in a folder a stopped run
    was overwriting, only that run's own checkpoint is taken.
    """
    if path.is_file():
        check_beside(path)
        return path
    if not path.is_dir():
        raise InputError(f"--resume {str(path)!r}: there is no such run folder or model file")
    if not is_complete(path) and written_since_claimed(path, MODEL_FILES[1]):
        return path / MODEL_FILES[1]  # the stopped run's best epoch, self-contained
    check_run_folder(path)  # an incomplete folder, or one that disagrees with it: refused
    found = [path / name for name in MODEL_FILES if (path / name).is_file()]
    if not found:
        raise InputError(
            f"--resume {str(path)!r}: the folder holds neither {' nor '.join(MODEL_FILES)}; "
            "is it a run folder of glassnet train?"
        )
    return max(found, key=lambda file: file.stat().st_mtime_ns)


def resumed_options(options: dict[str, Any]) -> dict[str, Any]:
    """The command line's options, with the resumed run's saved options for those not given.

    Without ``--resume`` the options come back unchanged (``--data`` is then
    required). With it, the result also holds ``resume_from``: the model file the
    run continues from, and ``saved_cluster``: the saved run's cluster, if any.

    Raises
    ------
    click.UsageError
        Without ``--data`` or ``--resume``.
    InputError, ModelFileError
        If there is no model to resume from, or it is not one ``glassnet train`` wrote.
    """
    if options.get("resume") is None:
        if options.get("data") is None:
            raise click.UsageError("Missing option '--data' (or --resume RUN_FOLDER).")
        return options
    source = resume_source(Path(options["resume"]))
    saved = load_start_model(source).config
    if "data" not in saved:
        raise InputError(
            f"{str(source)!r} holds no run options to resume with: it was not written by "
            "glassnet train"
        )
    given = given_options(options)
    dropped = {name for option in given & set(OPTIONS_OF) for name in OPTIONS_OF[option]}
    merged = {**options, "resume_from": str(source), "saved_cluster": saved.get("cluster")}
    for option, field in OPTION_FIELDS.items():
        if option not in given and option not in dropped and field in saved:
            merged[option] = as_option(option, saved[field])
    if merged["data"] in DATASETS and "task" not in given:
        merged["task"] = "auto"  # a saved, resolved task is for CSV files only
    return merged
