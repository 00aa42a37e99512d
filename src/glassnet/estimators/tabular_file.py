"""TabularClassifier and TabularRegressor as glassnet model files (the kind "tabular_estimator").

The payload holds the estimator's ``model_`` (the TrainedModel's own payload,
:mod:`glassnet.runs.model_payload`), its class's name (from the closed table
:data:`TABULAR_ESTIMATORS`), ``get_params()`` (a RandomState by its state), the fitted
attributes of :data:`FITTED` (and :data:`OPTIONAL`, when set) and ``history_``, as typed
JSON. :data:`~glassnet.files.kinds.KIND_MODULES` imports this module the first time such a
file is saved or loaded. Nothing in a file is imported or unpickled; every field is checked.
"""

from typing import Any

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.estimators.tabular import TabularClassifier, TabularRegressor
from glassnet.files.fitted_values import (
    history_from_json,
    history_json,
    is_count,
    is_names,
    params_from_json,
    params_json,
)
from glassnet.files.kinds import Payload, kind_named, register_kind
from glassnet.files.metadata import field, only_keys, short
from glassnet.files.npz_reader import BadFileError
from glassnet.files.typed_json import decode, encode
from glassnet.runs.model import TrainedModel
from glassnet.runs.recipe import RECIPE_FIELDS

TABULAR_ESTIMATORS: dict[str, type] = {
    "TabularClassifier": TabularClassifier,
    "TabularRegressor": TabularRegressor,
}
FIELDS = {"model", "estimator", "params", "random_state", "fitted", "history"}
# every fitted attribute besides model_, network_, history_ and classes_ (the model's own)
FITTED = (
    "recipe_",
    "recipe_reasons_",
    "numeric_columns_",
    "categorical_columns_",
    "date_columns_",
    "left_out_columns_",
    "column_notes_",
    "n_iter_",
    "best_epoch_",
    "n_features_in_",
)
OPTIONAL = ("feature_names_in_",)  # set only by a fit on a DataFrame with text column names


def _to_payload(estimator: Any) -> Payload:
    name = type(estimator).__name__
    if not hasattr(estimator, "model_"):
        raise InputError(
            f"cannot save this {name}: it is not fitted; a model file holds a trained network, "
            "so fit it first"
        )
    model = kind_named("trained_model").to_payload(estimator.model_)
    params, state = params_json(estimator.get_params(deep=False), "estimator")
    fitted = {
        key: getattr(estimator, key) for key in (*FITTED, *OPTIONAL) if hasattr(estimator, key)
    }
    fields = {
        "model": model.fields,
        "estimator": name,
        "params": params,
        "random_state": state,
        "fitted": {key: encode(value, f"estimator.{key}") for key, value in fitted.items()},
        "history": history_json(estimator.history_),
    }
    return Payload(model.network, fields, model.arrays)


def _from_payload(network: Network, fields: dict[str, Any], arrays: dict[str, Any]) -> Any:
    only_keys(fields, FIELDS, "payload")
    name = field(fields, "estimator", str, "payload")
    if name not in TABULAR_ESTIMATORS:
        raise BadFileError(
            f"payload.estimator is {short(name)}; a tabular file holds "
            f"{' or '.join(TABULAR_ESTIMATORS)}"
        )
    model: TrainedModel = kind_named("trained_model").from_payload(
        network, field(fields, "model", dict, "payload"), arrays
    )
    cls = TABULAR_ESTIMATORS[name]
    estimator = cls(**params_from_json(fields, cls, "payload"))
    classifier = cls is TabularClassifier
    if classifier != (model.task == "classification"):
        raise BadFileError(f"payload: a {name} cannot hold a {model.task} model")
    saved = field(fields, "fitted", dict, "payload")
    if not set(FITTED) <= set(saved) <= {*FITTED, *OPTIONAL}:
        raise BadFileError(
            f"payload.fitted must name {', '.join(FITTED)}, and may name {', '.join(OPTIONAL)}"
        )
    values = {key: decode(value, f"payload.fitted.{key}") for key, value in saved.items()}
    _check_fitted(values, model)
    for key, value in values.items():
        setattr(estimator, key, value)
    estimator.model_, estimator.network_ = model, model.network
    estimator.history_ = history_from_json(fields.get("history"), "payload.history")
    if classifier:
        estimator.classes_ = model.classes_
    return estimator


def _check_fitted(values: dict[str, Any], model: TrainedModel) -> None:
    """The fitted attributes must describe the saved model, else predictions would differ."""
    wrong = _column_problems(values, model)
    if not isinstance(values["recipe_"], dict) or set(values["recipe_"]) != RECIPE_FIELDS:
        wrong.append("recipe_")
    if not isinstance(values["recipe_reasons_"], dict):
        wrong.append("recipe_reasons_")
    if not is_count(values["n_iter_"]):
        wrong.append("n_iter_")
    if not (values["best_epoch_"] is None or is_count(values["best_epoch_"])):
        wrong.append("best_epoch_")
    if wrong:
        raise BadFileError(f"payload.fitted has wrong or inconsistent {', '.join(wrong)}")


def _column_problems(values: dict[str, Any], model: TrainedModel) -> list[str]:
    """The column attributes that do not describe the model's inputs: the columns it reads
    (numeric, categorical, dates) and those left out make up X's columns, once each."""
    wrong = []
    dates = values["date_columns_"]
    columns = [*values["numeric_columns_"], *values["categorical_columns_"]]
    columns += dates if isinstance(dates, list) else [None]
    texts = all(isinstance(name, str) for name in columns)
    if not texts or sorted(columns) != sorted(model.input_columns):
        wrong.append("numeric_columns_, categorical_columns_, date_columns_")
    left_out = values["left_out_columns_"]
    if not (isinstance(left_out, dict) and all(isinstance(why, str) for why in left_out.values())):
        left_out = {None: ""}
    if None in left_out or set(left_out) & set(columns):
        wrong.append("left_out_columns_")
    notes = values["column_notes_"]
    if not (isinstance(notes, list) and all(isinstance(note, str) for note in notes)):
        wrong.append("column_notes_")
    n_columns = len(columns) + len(left_out)
    if not (is_count(values["n_features_in_"]) and values["n_features_in_"] == n_columns):
        wrong.append("n_features_in_")
    names = values.get("feature_names_in_")
    if names is not None and not (
        is_names(names, n_columns) and set(names) == {*columns, *left_out}
    ):
        wrong.append("feature_names_in_")
    return wrong


register_kind(
    "tabular_estimator", (TabularClassifier, TabularRegressor), _to_payload, _from_payload
)
