"""The checks and encodings of an estimator's fitted values: counts, curves, names, history.

:mod:`glassnet.estimators._file_kind` saves MLPClassifier and MLPRegressor with
these, :mod:`glassnet.estimators.tabular_file` the Tabular estimators; they know nothing
of the estimators, only of plain values, ``get_params()`` and
:class:`~glassnet.training.history.History`.
"""

from typing import Any

import numpy as np

from glassnet.files.metadata import field, is_int
from glassnet.files.npz_reader import BadFileError
from glassnet.files.typed_json import decode, encode
from glassnet.training.history import History

MT19937_KEYS = 624  # the Mersenne Twister's 624 32-bit words
MT19937_STATE = ("'MT19937'", "keys", "pos", "has_gauss", "cached_gaussian")
MT19937_CHECKS = (
    lambda v: isinstance(v, str) and v == "MT19937",
    lambda v: isinstance(v, np.ndarray) and v.dtype == np.uint32 and v.shape == (MT19937_KEYS,),
    lambda v: is_count(v) and v <= MT19937_KEYS,
    lambda v: is_count(v) and v <= 1,
    lambda v: isinstance(v, float),
)
HISTORY_FIELDS = {"columns", "step_cost", "metric_name", "best_epoch", "stop_reason", "interrupted"}


def is_count(value: Any) -> bool:
    """A whole number >= 0 (booleans are not)."""
    return is_int(value) and value >= 0


def is_float(value: Any, optional: bool = False) -> bool:
    """A float (NumPy's float64 is one), or None when ``optional``."""
    return (optional and value is None) or isinstance(value, float)


def is_float_list(value: Any, optional: bool = False) -> bool:
    """A list of floats, or None when ``optional``."""
    if value is None:
        return optional
    return isinstance(value, list) and all(isinstance(v, float) for v in value)


def is_names(names: Any, n: int) -> bool:
    """None, or an array of ``n`` strings (``feature_names_in_``)."""
    if names is None:
        return True
    shaped = isinstance(names, np.ndarray) and names.shape == (n,)
    return shaped and all(isinstance(name, str) for name in names.tolist())


def random_state_from_json(state: Any, where: str) -> np.random.RandomState:
    """A RandomState set to the state ``RandomState.get_state()`` saved, checked to its shape.

    ``("MT19937", keys, pos, has_gauss, cached_gaussian)``: 624 uint32 keys, a position
    in 0..624, 0 or 1, a float. NumPy's ``set_state`` takes a position past the keys,
    and its next draw reads beyond them: so each part is checked here first.
    """
    decoded = decode(state, where)
    if not (isinstance(decoded, tuple) and len(decoded) == len(MT19937_STATE)):
        raise BadFileError(f"{where} must be a tuple of {', '.join(MT19937_STATE)}")
    parts = zip(MT19937_STATE, MT19937_CHECKS, decoded, strict=True)
    wrong = [name for name, ok, part in parts if not ok(part)]
    if wrong:
        raise BadFileError(f"{where} is not a RandomState's state: wrong {', '.join(wrong)}")
    generator = np.random.RandomState()
    generator.set_state(decoded)
    return generator


def params_json(params: dict[str, Any], where: str) -> tuple[dict[str, Any], Any]:
    """``get_params()`` as typed JSON, and apart from it a RandomState's state (else None).

    A ``random_state`` that is a RandomState is saved by its state and listed as None.
    """
    params = dict(params)
    state = None
    if isinstance(params["random_state"], np.random.RandomState):  # saved by its state
        state = encode(params.pop("random_state").get_state(), f"{where}.random_state")
        params["random_state"] = None
    return {key: encode(value, f"{where}.{key}") for key, value in params.items()}, state


def params_from_json(fields: dict[str, Any], cls: type, where: str) -> dict[str, Any]:
    """The parameters :func:`params_json` saved in ``fields``, exactly ``cls``'s, a saved
    state made a RandomState again."""
    saved = field(fields, "params", dict, where)
    params = {key: decode(value, f"{where}.params.{key}") for key, value in saved.items()}
    expected = set(cls().get_params(deep=False))
    if set(params) != expected:
        raise BadFileError(f"{where}.params must name exactly {', '.join(sorted(expected))}")
    if fields.get("random_state") is not None:
        if params["random_state"] is not None:
            raise BadFileError(f"{where}.params.random_state must be null beside a saved state")
        params["random_state"] = random_state_from_json(
            fields["random_state"], f"{where}.random_state"
        )
    return params


def history_json(history: History | None) -> dict[str, Any] | None:
    """A History as typed JSON: its columns as arrays (epoch int64, the rest float64)."""
    if history is None:
        return None
    columns = {
        name: np.asarray(values, dtype=np.int64 if name == "epoch" else np.float64)
        for name, values in history.columns.items()
    }
    return {
        "columns": encode(columns, "history.columns"),
        "step_cost": encode(np.asarray(history.step_cost, dtype=np.float64), "history.step_cost"),
        "metric_name": history.metric_name,
        "best_epoch": history.best_epoch,
        "stop_reason": history.stop_reason,
        "interrupted": history.interrupted,
    }


def history_from_json(record: Any, where: str) -> History | None:
    """The History :func:`history_json` saved, every field checked."""
    if record is None:
        return None
    if not isinstance(record, dict) or set(record) != HISTORY_FIELDS:
        raise BadFileError(f"{where} must have exactly {', '.join(sorted(HISTORY_FIELDS))}")
    columns = decode(record["columns"], f"{where}.columns")
    step_cost = decode(record["step_cost"], f"{where}.step_cost")
    ok = isinstance(columns, dict) and "epoch" in columns
    ok = ok and all(isinstance(name, str) and _number_column(v) for name, v in columns.items())
    if not ok or len({values.size for values in columns.values()}) != 1:
        raise BadFileError(f"{where}.columns must be number columns of one length, 'epoch' one")
    if not _number_column(step_cost) or step_cost.dtype.kind != "f":
        raise BadFileError(f"{where}.step_cost must be a float array")
    best = record["best_epoch"]
    if not (best is None or is_count(best)):
        raise BadFileError(f"{where}.best_epoch must be null or a whole number")
    return History(
        columns={name: values.tolist() for name, values in columns.items()},
        step_cost=step_cost.tolist(),
        metric_name=field(record, "metric_name", str, where),
        best_epoch=best,
        stop_reason=field(record, "stop_reason", str, where),
        interrupted=field(record, "interrupted", bool, where),
    )


def _number_column(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "if"
