"""The checks of a :class:`~glassnet.runs.model.TrainedModel`'s parts, one function a part.

Each takes what a caller passed and returns it (or its default), or raises an
:class:`~glassnet.errors.InputError` that says which part does not fit the network and how.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from glassnet.core.network import Network
from glassnet.data.array_encoders import LabelCodec, Standardizer
from glassnet.errors import InputError
from glassnet.files.typed_json import json_safe

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

TASKS = ("classification", "regression")
LABEL_KINDS = "biufU"  # label dtypes a model can carry: bool, int, uint, float, str


def check_task(task: str, network: Network, label_codec: LabelCodec | None) -> str:
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    n_out = network.layer_sizes[-1]
    if task == "regression":
        if label_codec is not None:
            raise InputError("a regression model takes no label_codec: pass label_codec=None")
        if network.output != "identity":
            raise InputError(f"a regression model needs an identity output, got {network.output!r}")
        return task
    if not isinstance(label_codec, LabelCodec) or not hasattr(label_codec, "classes_"):
        raise InputError("a classification model needs a fitted LabelCodec as label_codec")
    if label_codec.classes_.dtype.kind not in LABEL_KINDS:
        raise InputError(
            f"class labels must be numbers, strings or booleans, got dtype "
            f"{label_codec.classes_.dtype}"
        )
    n_classes = label_codec.n_classes
    binary = network.output == "sigmoid" and n_out == 1 and n_classes == 2
    multiclass = network.output == "softmax" and n_out == n_classes >= 2
    if not (binary or multiclass):
        raise InputError(
            f"a classification model needs a sigmoid output with 1 unit for 2 classes or a "
            f"softmax output with one unit per class; got {network.output!r} with {n_out} "
            f"unit(s) for {n_classes} class(es)"
        )
    return task


def check_standardizer(standardizer: Standardizer | None, n_features: int) -> Standardizer | None:
    if standardizer is None:
        return None
    if not isinstance(standardizer, Standardizer) or not hasattr(standardizer, "mean_"):
        raise InputError("standardizer must be a fitted Standardizer or None")
    if standardizer.mean_.shape != (n_features,) or standardizer.scale_.shape != (n_features,):
        raise InputError(
            f"the standardizer holds statistics for {standardizer.mean_.size} feature(s) "
            f"but the network takes {n_features}"
        )
    return standardizer


def check_preprocessor(
    preprocessor: "ColumnTransformer | None", standardizer: Standardizer | None, n_features: int
) -> "ColumnTransformer | None":
    if preprocessor is None:
        return None
    if standardizer is not None:
        raise InputError(
            "a model takes a standardizer or a preprocessor, not both: the preprocessor "
            "scales its numeric columns itself"
        )
    if not hasattr(preprocessor, "transformers_") or not hasattr(preprocessor, "transform"):
        raise InputError(
            f"preprocessor must be a fitted scikit-learn ColumnTransformer or None, got "
            f"{type(preprocessor).__name__}"
        )
    width = len(preprocessor.get_feature_names_out())
    if width != n_features:
        raise InputError(
            f"the preprocessor gives {width} column(s) but the network takes {n_features}"
        )
    return preprocessor


def check_target_scaler(
    scaler: "StandardScaler | None", task: str, network: Network
) -> "StandardScaler | None":
    if scaler is None:
        return None
    if task != "regression":
        raise InputError("only a regression model takes a target_scaler: pass None")
    if not hasattr(scaler, "mean_") or not hasattr(scaler, "inverse_transform"):
        raise InputError(
            f"target_scaler must be a fitted scikit-learn StandardScaler or None, got "
            f"{type(scaler).__name__}"
        )
    n_outputs = network.layer_sizes[-1]
    if getattr(scaler, "n_features_in_", None) != n_outputs:
        raise InputError(
            f"the target scaler was fitted on {getattr(scaler, 'n_features_in_', '?')} "
            f"target(s) but the network has {n_outputs} output(s)"
        )
    return scaler


def check_feature_names(names: Sequence[str] | None, n_features: int) -> list[str]:
    if names is None:
        return [f"x{i}" for i in range(n_features)]
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise InputError(f"feature_names must be a list of strings, got {names!r}")
    result = list(names)
    if len(result) != n_features:
        raise InputError(
            f"feature_names lists {len(result)} name(s) but the network takes {n_features} "
            "feature(s)"
        )
    return result


def check_json_dict(value: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"{name} must be a dict, got {type(value).__name__}")
    return json_safe(value, name)
