"""MLPClassifier, MLPRegressor, and Pipelines that end in one, as glassnet model files.

It registers two kinds with :func:`glassnet.files.kinds.register_kind`, imported by
:data:`~glassnet.files.kinds.KIND_MODULES` when such a file is first saved or loaded:

    "estimator"   a fitted MLPClassifier or MLPRegressor: its network (coefs_ and
                  intercepts_ as W1, b1, ...), get_params(), every fitted attribute
                  and history_, as typed JSON (:mod:`glassnet.files.typed_json`)
    "pipeline"    a fitted scikit-learn Pipeline: its transformer steps
                  (:mod:`glassnet.files.transformers`, with check rows), then the estimator

The class is looked up by name in :data:`ESTIMATORS`, a closed table; nothing in a
file is imported. An unfitted estimator is refused: a model file holds a trained network.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import sklearn
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelBinarizer

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.estimators._multilayer_perceptron import MLPClassifier, MLPRegressor
from glassnet.estimators._params import OUTPUTS
from glassnet.files.fitted_values import (
    history_from_json,
    history_json,
    is_count,
    is_float,
    is_float_list,
    is_names,
    params_from_json,
    params_json,
)
from glassnet.files.kinds import Payload, register_kind
from glassnet.files.metadata import field, only_keys, short
from glassnet.files.npz_reader import BadFileError
from glassnet.files.transformer_leaves import load_params, save_params
from glassnet.files.transformers import PIPELINE_PARAMS, rebuild_transformer, transformer_record
from glassnet.files.typed_json import decode, encode

ESTIMATORS: dict[str, type] = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}
Sizes = list[int]
# every fitted attribute besides coefs_, intercepts_ (the network) and history_, with its
# check; one that is not set (feature_names_in_ after a fit on an array, loss_, a
# regressor's classes_) is left out of the file, and left unset on load
FITTED: dict[str, Callable[[Any, Sizes], bool]] = {
    "n_features_in_": lambda v, sizes: is_count(v) and v == sizes[0],
    "feature_names_in_": lambda v, sizes: is_names(v, sizes[0]),
    "classes_": lambda v, sizes: isinstance(v, np.ndarray) and v.ndim == 1,
    "n_iter_": lambda v, sizes: is_count(v),
    "t_": lambda v, sizes: is_count(v),
    "n_outputs_": lambda v, sizes: is_count(v) and v == sizes[-1],
    "n_layers_": lambda v, sizes: is_count(v) and v == len(sizes),
    "out_activation_": lambda v, sizes: isinstance(v, str) and v in OUTPUTS,
    "loss_": lambda v, sizes: is_float(v, optional=True),
    "loss_curve_": lambda v, sizes: is_float_list(v),
    "best_loss_": lambda v, sizes: is_float(v, optional=True),
    "validation_scores_": lambda v, sizes: is_float_list(v, optional=True),
    "validation_loss_curve_": lambda v, sizes: is_float_list(v, optional=True),
    "best_validation_score_": lambda v, sizes: is_float(v, optional=True),
    "_no_improvement_count": lambda v, sizes: is_count(v),  # what warm_start continues from
}
ESTIMATOR_FIELDS = {"estimator", "sklearn_version", "params", "random_state", "fitted", "history"}
LABEL_TYPES = ("binary", "multiclass", "multilabel-indicator")


# --- a fitted estimator ------------------------------------------------------------------


def estimator_fields(estimator: Any, where: str) -> dict[str, Any]:
    """Everything of a fitted glassnet estimator but its network, as typed JSON."""
    name = type(estimator).__name__
    if not hasattr(estimator, "coefs_"):
        raise InputError(
            f"cannot save {where}: the {name} is not fitted; a model file holds a trained "
            "network, so fit it first"
        )
    params = estimator.get_params(deep=False)
    if params["callbacks"]:
        raise InputError(
            f"cannot save {where}: its callbacks are code, which a model file does not hold; "
            "set_params(callbacks=None) before saving"
        )
    saved_params, state = params_json(params, where)
    fitted = {key: getattr(estimator, key) for key in FITTED if hasattr(estimator, key)}
    if name == "MLPClassifier":
        fitted["y_type_"] = estimator._label_binarizer.y_type_
    return {
        "estimator": name,
        "sklearn_version": sklearn.__version__,
        "params": saved_params,
        "random_state": state,
        "fitted": {key: encode(value, f"{where}.{key}") for key, value in fitted.items()},
        "history": history_json(getattr(estimator, "history_", None)),
    }


def rebuild_estimator(network: Network, fields: dict[str, Any], where: str) -> Any:
    """The fitted estimator :func:`estimator_fields` saved, around ``network``; all checked."""
    only_keys(fields, ESTIMATOR_FIELDS, where)
    name = field(fields, "estimator", str, where)
    if name not in ESTIMATORS:
        raise BadFileError(
            f"{where}.estimator is {short(name)}; a model file holds {', '.join(ESTIMATORS)}"
        )
    field(fields, "sklearn_version", str, where)
    params = params_from_json(fields, ESTIMATORS[name], where)
    if params["callbacks"]:
        raise BadFileError(f"{where}.callbacks must be None or empty: a model file holds no code")
    estimator = ESTIMATORS[name](**params)
    estimator._validate_params()  # scikit-learn's own table of what each parameter may be
    classifier = name == "MLPClassifier"
    required = {*FITTED, "y_type_"} - {"feature_names_in_", "loss_"}
    if not classifier:
        required -= {"classes_", "y_type_"}
    saved = field(fields, "fitted", dict, where)
    allowed = required | {"feature_names_in_", "loss_"}
    if not required <= set(saved) <= allowed:
        raise BadFileError(
            f"{where}.fitted must name {', '.join(sorted(required))}, and may name "
            "feature_names_in_ and loss_ (those not set are left out)"
        )
    values = {key: decode(value, f"{where}.{key}") for key, value in saved.items()}
    wrong = [
        key for key in values if key in FITTED and not FITTED[key](values[key], network.layer_sizes)
    ]
    if wrong:
        raise BadFileError(f"{where}.fitted has wrong or inconsistent {', '.join(wrong)}")
    for key in FITTED.keys() & values.keys():
        setattr(estimator, key, values[key])
    if classifier:
        estimator._label_binarizer = _label_binarizer(values, where)
    estimator.history_ = history_from_json(fields.get("history"), f"{where}.history")
    estimator._network = network
    estimator.coefs_ = list(network.W.values())
    estimator.intercepts_ = list(network.b.values())
    estimator._best_params = [p.copy() for p in network.parameters()]  # the weights fit ended on
    _check_network(estimator, network, where)
    return estimator


def _label_binarizer(values: dict[str, Any], where: str) -> LabelBinarizer:
    """The classifier's LabelBinarizer, fitted again on its classes (or an indicator matrix)."""
    y_type, classes = values["y_type_"], values["classes_"]
    if y_type not in LABEL_TYPES:
        raise BadFileError(
            f"{where}.y_type_ is {short(y_type)}; expected one of {', '.join(LABEL_TYPES)}"
        )
    n_outputs = 1 if y_type == "binary" else classes.size
    if values["n_outputs_"] != n_outputs:  # before np.eye: n_outputs_ was checked on the network
        raise BadFileError(
            f"{where}: {classes.size} class(es) of type {y_type} need {n_outputs} output(s)"
        )
    labels = np.eye(classes.size, dtype=int) if y_type == "multilabel-indicator" else classes
    binarizer = LabelBinarizer().fit(labels)
    if binarizer.y_type_ != y_type or not np.array_equal(binarizer.classes_, classes):
        raise BadFileError(f"{where}.classes_ do not fit y_type_ {y_type!r}")
    return binarizer


def _check_network(estimator: Any, network: Network, where: str) -> None:
    """The parameters must describe the saved network: else predictions would use another."""
    sizes = estimator.hidden_layer_sizes
    hidden = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    try:  # the network it holds has the arrays, activations and output the estimator names
        same = hidden == network.layer_sizes[1:-1] and estimator._current_network() is network
    except InputError:
        same = False
    if not same:
        raise BadFileError(
            f"{where}: hidden_layer_sizes, activation and out_activation_ do not match the network"
        )


def _estimator_payload(estimator: Any) -> Payload:
    fields = estimator_fields(estimator, "estimator")  # refuses an unfitted one
    return Payload(estimator.network_, fields)


def _estimator_from_payload(
    network: Network, fields: dict[str, Any], arrays: dict[str, Any]
) -> Any:
    if arrays:
        raise BadFileError("an estimator file has no extra arrays")
    return rebuild_estimator(network, fields, "payload")


# --- a Pipeline: transformer steps, then a glassnet estimator -----------------------------


def _pipeline_payload(pipeline: Pipeline) -> Payload:
    *transformers, (last_name, estimator) = pipeline.steps
    if type(estimator) not in ESTIMATORS.values():
        raise InputError(
            f"cannot save this Pipeline: its last step {last_name!r} is a "
            f"{type(estimator).__name__}; a model file holds Pipelines that end in a "
            f"glassnet {' or '.join(ESTIMATORS)}"
        )
    fields = {
        "params": save_params(pipeline, PIPELINE_PARAMS, "pipeline", skip=("steps",)),
        "transformers": transformer_record(Pipeline(transformers), "pipeline")
        if transformers
        else None,
        "estimator_step": last_name,
        "estimator": estimator_fields(estimator, f"pipeline/{last_name}"),
    }
    return Payload(estimator.network_, fields)


def _pipeline_from_payload(
    network: Network, fields: dict[str, Any], arrays: dict[str, Any]
) -> Pipeline:
    if arrays:
        raise BadFileError("a pipeline file has no extra arrays")
    only_keys(fields, {"params", "transformers", "estimator_step", "estimator"}, "payload")
    params = load_params(fields.get("params"), PIPELINE_PARAMS, "payload.params")
    step = field(fields, "estimator_step", str, "payload")
    estimator = rebuild_estimator(
        network, field(fields, "estimator", dict, "payload"), "payload.estimator"
    )
    steps = []
    if fields.get("transformers") is not None:
        steps = rebuild_transformer(fields["transformers"], "payload.transformers").steps
    if step in {name for name, _ in steps} or "__" in step or not step:
        raise BadFileError(f"payload.estimator_step {short(step)} must be a new step name")
    return Pipeline([*steps, (step, estimator)], **params)


register_kind(
    "estimator", (MLPClassifier, MLPRegressor), _estimator_payload, _estimator_from_payload
)
register_kind("pipeline", Pipeline, _pipeline_payload, _pipeline_from_payload)
