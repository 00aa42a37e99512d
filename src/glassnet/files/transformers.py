"""Fitted scikit-learn preprocessing in a model file: saved by its attributes, never pickled.

:func:`transformer_record` writes a ColumnTransformer (fitted on a DataFrame, remainder
dropped), a Pipeline or a leaf of :mod:`glassnet.files.transformer_leaves` as typed JSON,
each class a name from the closed table :data:`CLASSES`, with the scikit-learn version and
check rows (:mod:`glassnet.files.check_rows`). :func:`rebuild_transformer` builds it again
and transforms the check rows: a scikit-learn whose internals moved fails loudly there,
naming both versions, instead of predicting wrongly. ``docs/model-files.md`` lists what
each class keeps and what is refused.
"""

from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from glassnet.errors import InputError
from glassnet.files import check_rows
from glassnet.files.metadata import field, is_int, only_keys, short
from glassnet.files.npz_reader import BadFileError
from glassnet.files.transformer_leaves import (
    BOOL,
    LEAVES,
    NONE,
    Param,
    build_leaf,
    check_inputs,
    leaf_record,
    load_params,
    one_of,
    save_params,
)
from glassnet.files.typed_json import decode, encode

CLASSES: dict[str, type] = {"ColumnTransformer": ColumnTransformer, "Pipeline": Pipeline}
CLASSES.update({name: leaf.cls for name, leaf in LEAVES.items()})
SUPPORTED = ", ".join(CLASSES)
MAX_NESTING = 8
RECORD_FIELDS = {"sklearn_version", "transformer", "check"}

PIPELINE_PARAMS = {"memory": NONE, "transform_input": NONE, "verbose": BOOL}
COLUMN_PARAMS = {
    "remainder": one_of("drop"),
    "sparse_threshold": Param(
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1,
        "a number from 0 to 1",
    ),
    "n_jobs": Param(
        lambda v: v is None or (is_int(v) and -1 <= v <= 256),
        "None or a whole number from -1 to 256",
    ),
    "transformer_weights": NONE,
    "verbose": BOOL,
    # a str is a template scikit-learn formats with names from the file: never kept
    "verbose_feature_names_out": BOOL,
}
# what loading sets whatever the file says: a model file never starts processes
FORCED_ON_LOAD = {"n_jobs": None}


def transformer_record(obj: Any, where: str) -> dict[str, Any]:
    """A fitted transformer as typed JSON, with the scikit-learn version and check rows.

    Raises
    ------
    InputError
        If ``obj`` (or a step inside it) is of a class or configuration a model file
        does not hold; the message names the step and the supported classes.
    """
    tree = _to_json(obj, where, 0)
    return {
        "sklearn_version": sklearn.__version__,
        "transformer": tree,
        "check": check_rows.make_check(obj, where),
    }


def rebuild_transformer(record: Any, where: str) -> Any:
    """The fitted transformer :func:`transformer_record` saved, after its check rows pass.

    Raises
    ------
    BadFileError
        If a field is unknown, malformed or inconsistent, if the rebuild fails, or if
        the rebuilt transformer does not reproduce the saved output for the check rows
        (the message then names the scikit-learn that saved the file and the one here).
    """
    if not isinstance(record, dict):
        raise BadFileError(f"{where} must be an object")
    only_keys(record, RECORD_FIELDS, where)
    saved_version = field(record, "sklearn_version", str, where)
    try:
        obj = _from_json(field(record, "transformer", dict, where), f"{where}.transformer", 0)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as error:
        raise BadFileError(
            f"{where} could not be rebuilt ({type(error).__name__}: {error})"
            + check_rows.versions_note(saved_version)
        ) from None
    check_rows.verify(obj, field(record, "check", dict, where), saved_version, where)
    return obj


def class_name(obj: Any, where: str) -> str:
    """The name of ``obj``'s class in :data:`CLASSES` (the exact class: no subclasses)."""
    for name, cls in CLASSES.items():
        if type(obj) is cls:
            return name
    raise InputError(
        f"cannot save {where}: it is a {type(obj).__name__}, and a model file holds only "
        f"fitted {SUPPORTED} (no pickle, so no other classes or callables)"
    )


def _to_json(obj: Any, where: str, depth: int) -> dict[str, Any]:
    name = class_name(obj, where)
    if depth > MAX_NESTING:
        raise InputError(f"cannot save {where}: transformers nested more than {MAX_NESTING} deep")
    if name == "Pipeline":
        return _pipeline_json(obj, where, depth)
    if name == "ColumnTransformer":
        return _columns_json(obj, where, depth)
    if not hasattr(obj, "n_features_in_"):
        raise InputError(f"cannot save {where}: the {name} is not fitted; fit it first")
    return leaf_record(obj, name, where)


def _from_json(record: dict[str, Any], where: str, depth: int) -> Any:
    if depth > MAX_NESTING:
        raise BadFileError(f"{where}: transformers nested more than {MAX_NESTING} deep")
    name = record.get("class")
    if not isinstance(name, str) or name not in CLASSES:
        raise BadFileError(f"{where}.class is {short(name)}; a model file holds {SUPPORTED}")
    if name == "Pipeline":
        return _pipeline_from_json(record, where, depth)
    if name == "ColumnTransformer":
        return _columns_from_json(record, where, depth)
    return build_leaf(record, name, where)


# --- Pipeline --------------------------------------------------------------------------


def _pipeline_json(pipeline: Pipeline, where: str, depth: int) -> dict[str, Any]:
    steps = []
    for step_name, step in pipeline.steps:
        inner = f"{where}/{step_name}"
        steps.append({"name": step_name, "transformer": _to_json(step, inner, depth + 1)})
    params = save_params(pipeline, PIPELINE_PARAMS, where, skip=("steps",))
    return {"class": "Pipeline", "params": params, "steps": steps}


def _pipeline_from_json(record: dict[str, Any], where: str, depth: int) -> Pipeline:
    only_keys(record, {"class", "params", "steps"}, where)
    params = load_params(record.get("params"), PIPELINE_PARAMS, where)
    steps = []
    for i, step in enumerate(field(record, "steps", list, where)):
        if not isinstance(step, dict) or set(step) != {"name", "transformer"}:
            raise BadFileError(f"{where}.steps[{i}] must have exactly 'name' and 'transformer'")
        step_name = _step_name(step["name"], f"{where}.steps[{i}]")
        inner = field(step, "transformer", dict, f"{where}.steps[{i}]")
        steps.append((step_name, _from_json(inner, f"{where}/{step_name}", depth + 1)))
    _check_names([name for name, _ in steps], where, "steps")
    return Pipeline(steps, **params)


def _step_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not name or "__" in name or len(name) > 256:
        raise BadFileError(f"{where}.name must be a non-empty string without '__'")
    return name


def _check_names(names: list[str], where: str, what: str) -> None:
    if not names:
        raise BadFileError(f"{where}.{what} is empty")
    if len(set(names)) != len(names) or "remainder" in names:
        raise BadFileError(f"{where}.{what} names must be distinct and not 'remainder'")


# --- ColumnTransformer -----------------------------------------------------------------


def _columns_json(ct: ColumnTransformer, where: str, depth: int) -> dict[str, Any]:
    if not hasattr(ct, "transformers_"):
        raise InputError(f"cannot save {where}: the ColumnTransformer is not fitted; fit it first")
    if not hasattr(ct, "feature_names_in_"):
        raise InputError(
            f"cannot save {where}: the ColumnTransformer was fitted on an array; a model file "
            "holds one fitted on a pandas DataFrame, with its columns named"
        )
    params = save_params(ct, COLUMN_PARAMS, where, skip=("transformers",))
    entries: list[dict[str, Any]] = []
    seen: dict[str, str] = {}  # column -> the transformer that uses it
    for name, fitted, columns in ct.transformers_:
        if name == "remainder":
            continue
        inner = f"{where}/{name}"
        if (
            not isinstance(columns, list)
            or not columns
            or not all(isinstance(c, str) for c in columns)
        ):
            raise InputError(
                f"cannot save {inner}: its columns must be a non-empty list of column names, "
                f"got {short(columns)}"
            )
        for column in columns:
            if column in seen:
                raise InputError(
                    f"cannot save {inner}: column {column!r} is also used by {seen[column]!r}; "
                    "a model file holds each column in one transformer"
                )
            seen[column] = name
        record = "drop" if _is_drop(fitted) else _to_json(fitted, inner, depth + 1)
        entries.append({"name": name, "columns": columns, "transformer": record})
    fitted_state = {
        "n_features_in_": int(ct.n_features_in_),
        "feature_names_in_": encode(ct.feature_names_in_, f"{where}.feature_names_in_"),
        "output_indices_": {n: [s.start, s.stop] for n, s in ct.output_indices_.items()},
        "sparse_output_": bool(ct.sparse_output_),
    }
    return {
        "class": "ColumnTransformer",
        "params": params,
        "transformers": entries,
        "fitted": fitted_state,
    }


def _is_drop(value: Any) -> bool:
    return isinstance(value, str) and value == "drop"


def _columns_from_json(record: dict[str, Any], where: str, depth: int) -> ColumnTransformer:
    only_keys(record, {"class", "params", "transformers", "fitted"}, where)
    params = {**load_params(record.get("params"), COLUMN_PARAMS, where), **FORCED_ON_LOAD}
    fitted = field(record, "fitted", dict, where)
    only_keys(
        fitted, {"n_features_in_", "feature_names_in_", "output_indices_", "sparse_output_"}, where
    )
    state = {
        key: decode(fitted.get(key), f"{where}.{key}")
        for key in ("n_features_in_", "feature_names_in_")
    }
    _, names = check_inputs(state, where)
    if names is None:
        raise BadFileError(f"{where}.feature_names_in_ must list the DataFrame's columns")
    entries = []
    for i, entry in enumerate(field(record, "transformers", list, where)):
        entries.append(_column_entry(entry, set(names), f"{where}.transformers[{i}]", where, depth))
    _check_names([name for name, _, _ in entries], where, "transformers")
    ct = ColumnTransformer([(name, "drop", columns) for name, _, columns in entries], **params)
    ct.fit(pd.DataFrame({name: np.zeros(1) for name in names}))  # the column bookkeeping only
    rebuilt = {name: transformer for name, transformer, _ in entries}
    ct.transformers = [(n, t if _is_drop(t) else clone(t), c) for n, t, c in entries]
    ct.transformers_ = [(n, rebuilt.get(n, t), c) for n, t, c in ct.transformers_]
    ct.output_indices_ = _output_indices(
        fitted.get("output_indices_"), [*rebuilt, "remainder"], where
    )
    ct.sparse_output_ = field(fitted, "sparse_output_", bool, where)
    return ct


def _column_entry(
    entry: Any, known: set[str], where: str, parent: str, depth: int
) -> tuple[str, Any, list[str]]:
    if not isinstance(entry, dict) or set(entry) != {"name", "columns", "transformer"}:
        raise BadFileError(f"{where} must have exactly 'name', 'columns' and 'transformer'")
    name = _step_name(entry["name"], where)
    columns = field(entry, "columns", list, where)
    if not columns or not all(isinstance(c, str) and c in known for c in columns):
        raise BadFileError(f"{where}.columns must be a non-empty list of the fitted columns")
    inner = entry["transformer"]
    if _is_drop(inner):
        return name, "drop", columns
    if not isinstance(inner, dict):
        raise BadFileError(f"{where}.transformer must be an object or 'drop'")
    return name, _from_json(inner, f"{parent}/{name}", depth + 1), columns


def _output_indices(value: Any, names: list[str], where: str) -> dict[str, slice]:
    if not isinstance(value, dict) or set(value) != set(names):
        raise BadFileError(f"{where}.output_indices_ must name exactly {', '.join(names)}")
    indices = {}
    for name, bounds in value.items():
        ok = isinstance(bounds, list) and len(bounds) == 2
        if not ok or not all(is_int(b) and b >= 0 for b in bounds):
            raise BadFileError(f"{where}.output_indices_[{name!r}] must be [start, stop]")
        indices[name] = slice(*bounds)
    return indices
