"""Checks on what users hand in, with errors that say what to do.

Validation happens once, at the boundary (``train``, the estimators, the CLI);
the forward and backward passes trust their inputs and stay fast.
"""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError

T = TypeVar("T")

FLOAT_DTYPES = {"float32": np.float32, "float64": np.float64}


def lookup(table: Mapping[str, T], name: str, what: str) -> T:
    """Return ``table[name]``, or raise an error that lists the known names."""
    try:
        return table[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(table))
        raise InputError(f"unknown {what} {name!r}: choose one of {known}") from None


def check_dtype(dtype: Any) -> np.dtype:
    """Return ``dtype`` as a NumPy float dtype (float32 or float64)."""
    try:
        resolved = np.dtype(FLOAT_DTYPES.get(dtype, dtype)) if dtype is not None else None
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or resolved not in (np.float32, np.float64):
        raise InputError(f"unsupported dtype {dtype!r}: use 'float32' or 'float64'")
    return resolved


def check_X(X: ArrayLike, dtype: Any = None, name: str = "X") -> NDArray[np.floating]:
    """Return ``X`` as a finite 2-D float array of shape (n_samples, n_features).

    ``dtype=None`` keeps float32 input float32 and turns everything else into float64.
    """
    try:
        array = np.asarray(X)
    except (TypeError, ValueError) as error:
        raise InputError(f"{name} could not be read as an array: {error}") from None
    if array.dtype.kind == "c":
        raise InputError(f"{name} is complex: pass real-valued features")
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise InputError(
                f"{name} has non-numeric values (dtype {array.dtype}): encode them as numbers first"
            ) from None
    if array.ndim == 1:
        raise InputError(
            f"{name} is 1-D with shape {array.shape}: reshape to (n_samples, n_features), "
            "e.g. X.reshape(-1, 1) for a single feature"
        )
    if array.ndim != 2:
        raise InputError(f"{name} must be 2-D (n_samples, n_features), got shape {array.shape}")
    if array.shape[0] == 0:
        raise InputError(f"{name} is empty: it has 0 samples, at least 1 is needed")
    if array.shape[1] == 0:
        raise InputError(f"{name} has 0 features: at least 1 column is needed")
    target = check_dtype(dtype) if dtype is not None else None
    if target is None:
        target = np.dtype(np.float32) if array.dtype == np.float32 else np.dtype(np.float64)
    array = np.ascontiguousarray(array, dtype=target)
    if not np.isfinite(array).all():
        rows = np.flatnonzero(~np.isfinite(array).all(axis=1))
        raise InputError(
            f"{name} contains NaN or inf in {rows.size} row(s), first at row {rows[0]}: "
            "drop or impute those values first"
        )
    return array


def check_features(X: NDArray[Any], n_features: int) -> None:
    """Raise if ``X`` does not have the ``n_features`` columns the network expects."""
    if X.shape[1] != n_features:
        raise InputError(
            f"X has {X.shape[1]} features but the network expects {n_features}: "
            "give data with the columns it was built (or trained) for"
        )


def check_lengths(X: NDArray[Any], y: NDArray[Any]) -> None:
    """Raise if ``X`` and ``y`` do not hold the same number of samples."""
    if X.shape[0] != y.shape[0]:
        raise InputError(
            f"X has {X.shape[0]} samples but y has {y.shape[0]}: they must be the same length"
        )


def check_positive(value: float, name: str) -> float:
    """Return ``value`` if it is a finite number above zero."""
    is_number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    if not is_number or not np.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a number above 0, got {value!r}")
    return float(value)


def check_unit_interval(value: float, name: str, *, closed_low: bool = True) -> float:
    """Return ``value`` if it lies in [0, 1) (or (0, 1) when ``closed_low`` is False)."""
    is_number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    low_ok = is_number and (value >= 0 if closed_low else value > 0)
    if not (low_ok and value < 1):
        interval = "[0, 1)" if closed_low else "(0, 1)"
        raise InputError(f"{name} must lie in {interval}, got {value!r}")
    return float(value)


def check_layer_sizes(sizes: Iterable[int], name: str = "layer sizes") -> list[int]:
    """Return ``sizes`` as a list of positive ints."""
    given = list(sizes)
    if not all(isinstance(size, int | np.integer) and not isinstance(size, bool) for size in given):
        raise InputError(f"{name} must be whole numbers, got {given!r}")
    result = [int(size) for size in given]
    if any(size < 1 for size in result):
        raise InputError(f"{name} must all be 1 or more, got {result}")
    return result
