"""The fitted leaves a model file holds, by their fitted attributes: SimpleImputer,
OneHotEncoder, StandardScaler, and glassnet's RobustScaling and DateEncoder.

:data:`LEAVES` gives each class its closed table of parameters, the fitted attributes saved
(besides ``n_features_in_`` and ``feature_names_in_``) and how it is rebuilt: the imputer
and the encoder through their own ``fit`` (their internal state is scikit-learn's to
compute), the others by their attributes. A value glassnet could not rebuild (a callable,
infrequent categories, an indicator) is refused when saving, and again when loading.
"""

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from glassnet.data.date_encoder import DATE_FORMATS, DateEncoder, rebuilt_date_encoder
from glassnet.data.robust_scaling import RobustScaling
from glassnet.errors import InputError
from glassnet.files.fitted_values import is_names
from glassnet.files.metadata import MAX_UNITS, is_int, only_keys, short
from glassnet.files.npz_reader import BadFileError
from glassnet.files.typed_json import array_dtype, decode, encode


@dataclass(frozen=True)
class Param:
    """What a model file accepts for one parameter: a test and the words for it."""

    allowed: Callable[[Any], bool]
    says: str


def _is_text(value: Any, *choices: str) -> bool:
    return isinstance(value, str) and value in choices


def one_of(*choices: str) -> Param:
    return Param(lambda v: _is_text(v, *choices), " or ".join(map(repr, choices)))


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    plain = value is None or isinstance(value, bool | int | float | str)
    return plain or (isinstance(value, np.generic) and value.dtype.kind in "biufU")


BOOL = Param(_is_bool, "True or False")
NONE = Param(lambda v: v is None, "None")
ENCODER_DTYPES = {
    name: getattr(np, name) for name in ("float64", "float32", "int64", "int32", "uint8", "bool_")
}

IMPUTER_PARAMS = {
    "missing_values": Param(lambda v: isinstance(v, float) and math.isnan(v), "np.nan"),
    "strategy": one_of("mean", "median", "most_frequent", "constant"),
    "fill_value": Param(_is_scalar, "None, a number, a string or a boolean"),
    "copy": BOOL,
    "add_indicator": Param(lambda v: v is False, "False (the missing indicator is not saved)"),
    "keep_empty_features": BOOL,
}
ENCODER_PARAMS = {
    "categories": Param(lambda v: isinstance(v, list) or _is_text(v, "auto"), "'auto' or a list"),
    "drop": Param(
        lambda v: v is None or _is_text(v, "first", "if_binary"), "None, 'first', 'if_binary'"
    ),
    "sparse_output": BOOL,
    "dtype": Param(lambda v: any(v is t for t in ENCODER_DTYPES.values()), "a NumPy number type"),
    "handle_unknown": one_of("error", "ignore", "infrequent_if_exist", "warn"),
    "min_frequency": Param(lambda v: v is None, "None (infrequent categories are not saved)"),
    "max_categories": Param(lambda v: v is None, "None (infrequent categories are not saved)"),
    "feature_name_combiner": one_of("concat"),
}
SCALER_PARAMS = {"copy": BOOL, "with_mean": BOOL, "with_std": BOOL}
ROBUST_PARAMS = {  # RobustScaling: z = u / sqrt(1 + (u / clip)^2)
    "clip": Param(
        lambda v: _is_scalar(v) and not isinstance(v, bool | str) and v > 0, "a number > 0"
    )
}


def save_params(
    obj: Any, table: dict[str, Param], where: str, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``obj.get_params()`` but ``skip`` as typed JSON, each value checked against ``table``."""
    params = {k: v for k, v in obj.get_params(deep=False).items() if k not in skip}
    for name, value in params.items():
        if name not in table:
            raise InputError(
                f"cannot save {where}: its parameter {name!r} is not one glassnet saves"
            )
        if not table[name].allowed(value):
            raise InputError(
                f"cannot save {where}: {name}={short(value)} is not supported; "
                f"a model file keeps {name}={table[name].says}"
            )
    if "dtype" in params:  # a NumPy type object: saved by its name from ENCODER_DTYPES
        params["dtype"] = next(n for n, t in ENCODER_DTYPES.items() if params["dtype"] is t)
    return {name: encode(value, f"{where}.{name}") for name, value in params.items()}


def load_params(record: Any, table: dict[str, Param], where: str) -> dict[str, Any]:
    """The parameters :func:`save_params` wrote, every name and value checked."""
    if not isinstance(record, dict) or set(record) != set(table):
        raise BadFileError(f"{where}.params must have exactly the fields {', '.join(table)}")
    params = {name: decode(value, f"{where}.{name}") for name, value in record.items()}
    if "dtype" in params:
        if params["dtype"] not in ENCODER_DTYPES:
            raise BadFileError(f"{where}.dtype must be one of {', '.join(ENCODER_DTYPES)}")
        params["dtype"] = ENCODER_DTYPES[params["dtype"]]
    for name, value in params.items():
        if not table[name].allowed(value):
            raise BadFileError(f"{where}.{name} is {short(value)}; expected {table[name].says}")
    return params


# --- the fitted attributes every leaf shares ------------------------------------------


def check_inputs(fitted: dict[str, Any], where: str) -> tuple[int, list[str] | None]:
    """``n_features_in_`` (1..2^24) and ``feature_names_in_`` (None or that many strings)."""
    n = fitted.get("n_features_in_")
    if not is_int(n) or not 1 <= n <= MAX_UNITS:
        raise BadFileError(f"{where}.n_features_in_ must be a whole number in 1..{MAX_UNITS}")
    names = fitted.get("feature_names_in_")
    if not is_names(names, n):
        raise BadFileError(f"{where}.feature_names_in_ must be None or {n} strings")
    return n, None if names is None else names.tolist()


def columns_input(columns: list[np.ndarray], names: list[str] | None) -> Any:
    """Columns as a transformer's input: a DataFrame with ``names``, else a 2-D array."""
    if names is not None:
        return pd.DataFrame(
            {name: pd.Series(c, dtype=c.dtype) for name, c in zip(names, columns, strict=True)}
        )
    dtype = columns[0].dtype if len({c.dtype for c in columns}) == 1 else np.dtype(object)
    return np.column_stack(columns).astype(dtype)


def fitted_vector(value: Any, n: int, where: str) -> Any:
    """None, or ``n`` finite floats."""
    if value is None:
        return None
    ok = isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.shape == (n,)
    if not ok or not np.isfinite(value).all():
        raise BadFileError(f"{where} must be {n} finite float(s)")
    return value


# --- the leaves ------------------------------------------------------------------------


def build_imputer(params: dict[str, Any], fitted: dict[str, Any], where: str) -> SimpleImputer:
    n, names = check_inputs(fitted, where)
    statistics = fitted.get("statistics_")
    if (
        not isinstance(statistics, np.ndarray)
        or statistics.shape != (n,)
        or statistics.dtype.kind not in "fOU"
    ):
        raise BadFileError(
            f"{where}.statistics_ must be {n} value(s) of a float, str or object dtype"
        )
    fit_dtype = fitted.get("_fit_dtype")  # what it was fitted on: float64, or object for text
    dtype = statistics.dtype if fit_dtype is None else array_dtype(fit_dtype, f"{where}._fit_dtype")
    # the mean, median, mode of one row is that row, and a constant is itself
    columns = [statistics[j : j + 1].astype(dtype) for j in range(n)]
    return SimpleImputer(**params).fit(columns_input(columns, names))


def build_encoder(params: dict[str, Any], fitted: dict[str, Any], where: str) -> OneHotEncoder:
    n, names = check_inputs(fitted, where)
    categories = fitted.get("categories_")
    if not isinstance(categories, list) or len(categories) != n:
        raise BadFileError(f"{where}.categories_ must list {n} array(s)")
    for j, column in enumerate(categories):
        if not isinstance(column, np.ndarray) or column.ndim != 1 or column.size == 0:
            raise BadFileError(f"{where}.categories_[{j}] must be a non-empty 1-D array")
    # with categories given, fit takes them as they are: one row of known ones is enough
    columns = [column[:1] for column in categories]
    encoder = OneHotEncoder(**{**params, "categories": categories})
    encoder.fit(columns_input(columns, names))
    return encoder.set_params(categories=params["categories"])


def build_scaler(params: dict[str, Any], fitted: dict[str, Any], where: str) -> StandardScaler:
    n, names = check_inputs(fitted, where)
    scaler = StandardScaler(**params)
    scaler.mean_ = fitted_vector(fitted.get("mean_"), n, f"{where}.mean_")
    scaler.var_ = fitted_vector(fitted.get("var_"), n, f"{where}.var_")
    scaler.scale_ = fitted_vector(fitted.get("scale_"), n, f"{where}.scale_")
    if params["with_std"] and (scaler.scale_ is None or not (scaler.scale_ > 0).all()):
        raise BadFileError(f"{where}.scale_ must be {n} number(s) > 0 when with_std is True")
    if params["with_mean"] and scaler.mean_ is None:
        raise BadFileError(f"{where}.mean_ is missing, and with_mean is True")
    seen = fitted.get("n_samples_seen_")
    seen_ok = isinstance(seen, int | np.integer | np.floating) and not isinstance(seen, bool)
    if not (seen_ok or (isinstance(seen, np.ndarray) and seen.shape == (n,))):
        raise BadFileError(f"{where}.n_samples_seen_ must be a count or {n} counts")
    scaler.n_samples_seen_ = seen
    scaler.n_features_in_ = n
    if names is not None:
        scaler.feature_names_in_ = np.array(names, dtype=object)
    return scaler


def build_robust(params: dict[str, Any], fitted: dict[str, Any], where: str) -> RobustScaling:
    """RobustScaling: its center_ and scale_ set on a new one."""
    n, names = check_inputs(fitted, where)
    scaling = RobustScaling(**params)
    scaling.center_ = fitted_vector(fitted.get("center_"), n, f"{where}.center_")
    scaling.scale_ = fitted_vector(fitted.get("scale_"), n, f"{where}.scale_")
    if scaling.center_ is None or scaling.scale_ is None or not (scaling.scale_ > 0).all():
        raise BadFileError(f"{where} needs center_ and scale_, {n} number(s) each, scale_ > 0")
    scaling.n_features_in_ = n
    if names is not None:
        scaling.feature_names_in_ = np.array(names, dtype=object)
    return scaling


DATE_PARAMS = {  # DateEncoder: one format per column, each one glassnet reads
    "formats": Param(
        lambda v: isinstance(v, list) and all(_is_text(f, *DATE_FORMATS) for f in v),
        f"a list of {', '.join(DATE_FORMATS)}",
    )
}


def build_date_encoder(params: dict[str, Any], fitted: dict[str, Any], where: str) -> Any:
    """DateEncoder: its formats and its inputs' names; it learns nothing else."""
    n, names = check_inputs(fitted, where)
    return rebuilt_date_encoder(params["formats"], n, names)


@dataclass(frozen=True)
class Leaf:
    """How one transformer class is saved (its parameters, its state) and rebuilt."""

    cls: type
    params: dict[str, Param]
    fitted: tuple[str, ...]  # the fitted attributes saved, besides n_features_in_, ...names_in_
    build: Callable[[dict[str, Any], dict[str, Any], str], Any]

    def state(self, obj: Any) -> dict[str, Any]:
        names = (*self.fitted, "n_features_in_", "feature_names_in_")
        state = {name: getattr(obj, name, None) for name in names}  # no names: fitted on arrays
        return {k: v.str if isinstance(v, np.dtype) else v for k, v in state.items()}


LEAVES: dict[str, Leaf] = {
    "SimpleImputer": Leaf(
        SimpleImputer, IMPUTER_PARAMS, ("statistics_", "_fit_dtype"), build_imputer
    ),
    "OneHotEncoder": Leaf(OneHotEncoder, ENCODER_PARAMS, ("categories_",), build_encoder),
    "StandardScaler": Leaf(
        StandardScaler, SCALER_PARAMS, ("mean_", "var_", "scale_", "n_samples_seen_"), build_scaler
    ),
    "RobustScaling": Leaf(RobustScaling, ROBUST_PARAMS, ("center_", "scale_"), build_robust),
    "DateEncoder": Leaf(DateEncoder, DATE_PARAMS, (), build_date_encoder),
}


def leaf_record(obj: Any, name: str, where: str) -> dict[str, Any]:
    """A fitted leaf as ``{"class", "params", "fitted"}`` typed JSON."""
    leaf = LEAVES[name]
    state = leaf.state(obj)
    return {
        "class": name,
        "params": save_params(obj, leaf.params, where),
        "fitted": {key: encode(value, f"{where}.{key}") for key, value in state.items()},
    }


def build_leaf(record: dict[str, Any], name: str, where: str) -> Any:
    """The fitted leaf :func:`leaf_record` described, checked field by field."""
    only_keys(record, {"class", "params", "fitted"}, where)
    leaf = LEAVES[name]
    params = load_params(record.get("params"), leaf.params, where)
    fitted = record.get("fitted")
    expected = {*leaf.fitted, "n_features_in_", "feature_names_in_"}
    if not isinstance(fitted, dict) or set(fitted) != expected:
        raise BadFileError(f"{where}.fitted must have exactly {', '.join(sorted(expected))}")
    fitted = {key: decode(value, f"{where}.{key}") for key, value in fitted.items()}
    with warnings.catch_warnings():  # e.g. an imputer's column that had no values
        warnings.simplefilter("ignore")
        return leaf.build(params, fitted, where)
