"""A :class:`~glassnet.runs.model.TrainedModel` as a model file's payload, and back.

    model ──to_payload──> task, names, labels, config, metrics (JSON), the standardizer's
                          mean and scale (arrays), fitted transformers (their attributes)
    payload ──checked field by field──> TrainedModel

:mod:`glassnet.files.kinds` imports this module the first time a file of the kind
``"trained_model"`` is saved or loaded; ``files`` itself never names the class.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.errors import InputError
from glassnet.files import metadata
from glassnet.files.kinds import Payload, register_kind
from glassnet.files.npz_reader import BadFileError
from glassnet.files.typed_json import check_text_width, json_safe, plain_dtype
from glassnet.runs.model import TrainedModel
from glassnet.runs.model_checks import LABEL_KINDS

Array = NDArray[np.floating]

TRAINED_MODEL_FIELDS = {
    "task",
    "feature_names",
    "target_name",
    "label_codec",
    "standardizer",
    "config",
    "metrics",
}
# fitted scikit-learn transformers (glassnet.files.transformers), written only when present,
# so a model without them stays readable by a glassnet that predates them
TRANSFORMER_FIELDS = ("preprocessor", "target_scaler")
STANDARDIZER_ARRAYS = ("standardizer_mean", "standardizer_scale")


def _trained_model_to_payload(model: TrainedModel) -> Payload:
    fields = {
        "task": model.task,
        "feature_names": list(model.feature_names),
        "target_name": model.target_name,
        "label_codec": None if model.label_codec is None else model.label_codec.to_dict(),
        "standardizer": model.standardizer is not None,
        "config": json_safe(model.config, "config"),
        "metrics": json_safe(model.metrics, "metrics"),
    }
    for name in TRANSFORMER_FIELDS:
        transformer = getattr(model, name, None)
        if transformer is not None:
            from glassnet.files.transformers import transformer_record  # scikit-learn, on demand

            fields[name] = transformer_record(transformer, name)
    arrays: dict[str, Array] = {}
    if model.standardizer is not None:
        arrays = {
            "standardizer_mean": np.asarray(model.standardizer.mean_, dtype=np.float64),
            "standardizer_scale": np.asarray(model.standardizer.scale_, dtype=np.float64),
        }
    return Payload(model.network, fields, arrays)


def _trained_model_from_payload(
    network: Network, fields: dict[str, Any], arrays: dict[str, Array]
) -> TrainedModel:
    metadata.only_keys(fields, TRAINED_MODEL_FIELDS | set(TRANSFORMER_FIELDS), "payload")
    names = metadata.field(fields, "feature_names", list, "payload")
    if not all(isinstance(name, str) for name in names):
        raise BadFileError("payload.feature_names must be a list of strings")
    target = fields.get("target_name")
    if target is not None and not isinstance(target, str):
        raise BadFileError(
            f"payload.target_name must be a string or null, got {metadata.short(target)}"
        )
    with_standardizer = metadata.field(fields, "standardizer", bool, "payload")
    transformers = _transformers(fields)
    try:
        return TrainedModel(
            network,
            metadata.field(fields, "task", str, "payload"),
            standardizer=_standardizer(with_standardizer, arrays),
            label_codec=_label_codec(fields, network),
            feature_names=names,
            target_name=target,
            config=metadata.field(fields, "config", dict, "payload"),
            metrics=metadata.field(fields, "metrics", dict, "payload"),
            **transformers,
        )
    except InputError as error:
        raise BadFileError(f"the model's parts do not fit together: {error}") from None


def _transformers(fields: dict[str, Any]) -> dict[str, Any]:
    """The saved preprocessor and target scaler, rebuilt and checked (absent: not passed)."""
    present = [name for name in TRANSFORMER_FIELDS if name in fields]
    if not present:
        return {}
    from glassnet.files.transformers import rebuild_transformer  # scikit-learn, on demand

    return {name: rebuild_transformer(fields[name], f"payload.{name}") for name in present}


def _standardizer(present: bool, arrays: dict[str, Array]) -> Standardizer | None:
    expected = set(STANDARDIZER_ARRAYS) if present else set()
    if set(arrays) != expected:
        raise BadFileError(
            f"payload.standardizer is {str(present).lower()} but the extra arrays are "
            f"{sorted(arrays) or 'none'}; expected {sorted(expected) or 'none'}"
        )
    if not present:
        return None
    mean, scale = (arrays[name] for name in STANDARDIZER_ARRAYS)
    try:
        return Standardizer.from_dict({"mean": mean, "scale": scale})
    except InputError as error:
        raise BadFileError(f"the standardizer is invalid: {error}") from None


def _label_codec(fields: dict[str, Any], network: Network) -> LabelCodec | None:
    """The saved codec, its classes counted against the network's outputs before it is built."""
    if "label_codec" not in fields:
        raise BadFileError("payload.label_codec is missing")
    codec = fields["label_codec"]
    if codec is None:
        return None
    where = "payload.label_codec"
    if not isinstance(codec, dict):
        raise BadFileError(f"{where} must be an object or null, got {metadata.short(codec)}")
    metadata.only_keys(codec, {"classes", "dtype"}, where)
    classes = metadata.field(codec, "classes", list, where)
    n_outputs = network.layer_sizes[-1]
    if len(classes) > max(2, n_outputs):  # a sigmoid unit holds 2 classes, softmax one a unit
        raise BadFileError(
            f"{where}: got {network.output!r} with {n_outputs} unit(s) for {len(classes)} "
            "class(es); a sigmoid unit tells 2 classes apart, softmax units one class each"
        )
    dtype = plain_dtype(
        metadata.field(codec, "dtype", str, where),
        f"{where}.dtype",
        LABEL_KINDS,
        "a label dtype (bool, int, uint, float or str)",
    )
    wanted = {"U": (str,), "b": (bool,), "i": (int,), "u": (int,), "f": (int, float)}[dtype.kind]
    bools_ok = dtype.kind == "b"
    if not all(isinstance(c, wanted) and (bools_ok or not isinstance(c, bool)) for c in classes):
        raise BadFileError(f"{where}.classes do not all match the dtype {dtype.str}")
    if dtype.kind == "U":
        check_text_width(dtype, classes, f"{where}.dtype")
    try:
        result = LabelCodec.from_dict({"classes": classes, "dtype": dtype.str})
    except (InputError, OverflowError) as error:
        raise BadFileError(f"{where} is invalid: {error}") from None
    if result.classes_.tolist() != classes:
        raise BadFileError(f"{where}.classes do not fit in the dtype {dtype.str}")
    return result


register_kind("trained_model", TrainedModel, _trained_model_to_payload, _trained_model_from_payload)
