"""Continue a run from a saved model: its weights, its preprocessing and its labels.

A run whose config names ``resume_from`` (a ``model.npz`` or ``checkpoint.npz`` written by
``glassnet train``) starts from that file's network, and uses its Standardizer (or a table's
preprocessor and target scaler) and LabelCodec instead of fitting new ones: the network keeps
seeing its features scaled as it learned them, and its output columns keep standing for the
same classes. With the same data and seed the splits are the same, so the held-out part stays
unseen. The optimizer's state is not in a model file: the resumed run starts with fresh
momentum velocities and Adam moments, and its learning-rate schedule starts over.
"""

import os
from typing import Any

from glassnet.data.listing import listed
from glassnet.data.loading import Dataset
from glassnet.errors import InputError
from glassnet.runs.config import RunConfig, upgrade_record
from glassnet.runs.model import TrainedModel, load_trained_model

SHOWN_ON_RESUME = 10  # names of each side a refused resume lists


def load_start_model(path: str | os.PathLike[str]) -> TrainedModel:
    """Load the model a run resumes from: a :class:`TrainedModel` with its preprocessing.

    Its config comes back with renamed option values under their current names
    (:func:`~glassnet.runs.config.upgrade_record`), so older run folders resume.
    """
    model = load_trained_model(
        path, hint="resuming needs a model.npz or checkpoint.npz written by glassnet train"
    )
    model.config = upgrade_record(model.config)
    return model


def check_start_model(model: TrainedModel, config: RunConfig, dataset: Dataset) -> None:
    """Check that the config's architecture and the data fit the model a run resumes from.

    Raises
    ------
    InputError
        Naming the first option or property of the data that differs from the model.
    """
    network = model.network
    fixed: dict[str, tuple[Any, Any]] = {  # option: (the config's value, the model's)
        "hidden": (tuple(config.hidden), tuple(network.layer_sizes[1:-1])),
        "activation": (tuple(config.activation), tuple(network.hidden)),
        "dtype": (config.dtype, network.dtype.name),
        "standardize": (config.standardize, _standardizes(model, config.standardize)),
    }
    if config.output is not None:
        fixed["output"] = (config.output, network.output)
    for option, (asked, saved) in fixed.items():
        if asked != saved:
            raise InputError(
                f"{option} is {_show(asked)} but the model resumed from has {_show(saved)}: "
                "a resumed run keeps the model's network and preprocessing"
            )
    if dataset.task != model.task:
        raise InputError(
            f"the data {dataset.name!r} is a {dataset.task} problem but the model resumed from "
            f"is a {model.task} model"
        )
    table = dataset.table
    if table is not None and model.preprocessor is not None:
        columns = [*table.numeric, *table.categorical, *table.dates]
        if sorted(columns) != sorted(model.input_columns):
            raise InputError(
                f"the data's columns ({listed(columns, SHOWN_ON_RESUME)}) are not the "
                f"model's ({listed(model.input_columns, SHOWN_ON_RESUME)}): a resumed run "
                "trains on the same columns"
            )
    if dataset.feature_names != model.feature_names:
        raise InputError(
            f"the data's features ({listed(dataset.feature_names, SHOWN_ON_RESUME)}) are not "
            f"the model's ({listed(model.feature_names, SHOWN_ON_RESUME)}): a resumed run "
            "trains on the same features"
        )
    if model.label_codec is not None:
        try:
            model.label_codec.encode(dataset.y)
        except InputError as error:
            raise InputError(f"the data does not fit the model resumed from: {error}") from None


def _standardizes(model: TrainedModel, asked: bool) -> bool:
    """Whether the model standardises its features (a table's: its scaler; none: as asked)."""
    if model.preprocessor is None:
        return model.standardizer is not None
    transformers = model.preprocessor.named_transformers_
    if "numeric" not in transformers:
        return asked  # only categorical columns: nothing to scale either way
    scale = transformers["numeric"].named_steps["scale"]  # robust scaling always scales
    return bool(getattr(scale, "with_std", True))  # a StandardScaler's with_std


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value) or "none"
    return str(value)
