"""Checks on what users hand in, with errors that say what to do.

Validation happens once, at the boundary (``train``, the estimators, the CLI);
the forward and backward passes trust their inputs and stay fast.
"""

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glassnet.errors import InputError

T = TypeVar("T")

FLOAT_DTYPES = {"float32": np.float32, "float64": np.float64}
FINITE_BLOCK_ROWS = 65_536  # rows tested for NaN and inf at a time (65,536 x d booleans)


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


def is_sparse(X: object) -> bool:
    """Whether ``X`` is a SciPy sparse matrix or array (any format): it has ``nnz`` and
    ``tocsr()``, which NumPy arrays, lists and DataFrames lack. SciPy is not imported."""
    return hasattr(X, "nnz") and callable(getattr(X, "tocsr", None))


@overload
def check_X(
    X: ArrayLike, dtype: Any = None, name: str = "X", *, accept_sparse: Literal[False] = False
) -> NDArray[np.floating]: ...


@overload
def check_X(X: Any, dtype: Any = None, name: str = "X", *, accept_sparse: bool) -> Any: ...


def check_X(X: Any, dtype: Any = None, name: str = "X", *, accept_sparse: bool = False) -> Any:
    """Return ``X`` as a finite 2-D float array of shape (n_samples, n_features).

    ``dtype=None`` keeps float32 input float32 and turns everything else into float64.
    With ``accept_sparse=True`` a SciPy sparse ``X`` (``csr_matrix``, ``csr_array``,
    or any other format) comes back in CSR form with that dtype, its stored values
    checked and nothing densified; the one forward and backward pass multiply it as
    it is (``X @ W[1]``, ``X^T dZ[1]``). Without it, sparse input is refused with the fix.
    """
    if is_sparse(X):
        if not accept_sparse:
            raise InputError(
                f"{name} is a sparse matrix, which this function does not take: pass "
                f"{name}.toarray() (if it fits in memory), or train with glassnet.train or the "
                "estimators, which take CSR input"
            )
        return _check_sparse(X, dtype, name)
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
    _check_shape(array.shape, name)
    array = np.ascontiguousarray(array, dtype=_float_dtype(dtype, array.dtype))
    if not all_finite(array):
        rows = nonfinite_rows(array)
        raise InputError(
            f"{name} contains NaN or inf in {rows.size} row(s), first at row {rows[0]}: "
            "drop or impute those values first"
        )
    return array


def _row_blocks(array: NDArray[Any]) -> Iterator[tuple[int, NDArray[Any]]]:
    """``(start, array[start : start + FINITE_BLOCK_ROWS])`` down the rows of ``array``."""
    for start in range(0, array.shape[0], FINITE_BLOCK_ROWS):
        yield start, array[start : start + FINITE_BLOCK_ROWS]


def all_finite(array: NDArray[Any]) -> bool:
    """Whether every entry of the 2-D float ``array`` is finite (no NaN, no inf).

    Tested ``FINITE_BLOCK_ROWS`` rows at a time: ``np.isfinite(array).all()`` would make a
    boolean array of the whole ``array`` (50 MB for 1,000,000 x 50) to answer one question.
    """
    return all(np.isfinite(block).all() for _, block in _row_blocks(array))


def nonfinite_rows(array: NDArray[Any]) -> NDArray[np.intp]:
    """The indices of the rows of the 2-D ``array`` that hold NaN or inf, in order."""
    return np.concatenate(
        [
            start + np.flatnonzero(~np.isfinite(block).all(axis=1))
            for start, block in _row_blocks(array)
        ]
    )


def _check_shape(shape: tuple[int, ...], name: str) -> None:
    if len(shape) != 2:
        raise InputError(f"{name} must be 2-D (n_samples, n_features), got shape {shape}")
    if shape[0] == 0:
        raise InputError(f"{name} is empty: it has 0 samples, at least 1 is needed")
    if shape[1] == 0:
        raise InputError(f"{name} has 0 features: at least 1 column is needed")


def _float_dtype(dtype: Any, given: np.dtype) -> np.dtype:
    """``dtype`` checked, or for None: float32 stays float32, anything else is float64."""
    if dtype is not None:
        return check_dtype(dtype)
    return np.dtype(np.float32) if given == np.float32 else np.dtype(np.float64)


def _check_sparse(X: Any, dtype: Any, name: str) -> Any:
    """A sparse ``X`` as CSR with a float dtype and finite stored values; never densified."""
    if X.dtype.kind not in "biuf":
        raise InputError(f"{name} is a sparse matrix of dtype {X.dtype}: give real numbers")
    _check_shape(tuple(X.shape), name)
    csr = X.tocsr()  # CSR: a mini-batch's rows are a cheap slice; CSR input is not copied
    csr = csr.astype(_float_dtype(dtype, csr.dtype), copy=False)
    if not np.isfinite(csr.data).all():
        raise InputError(f"{name} contains NaN or inf: drop or impute those values first")
    return csr


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


@dataclass(frozen=True)
class Interval:
    """The numbers from ``low`` to ``high``, each bound closed unless marked open.

    A bound left ``None`` is unbounded: ``Interval(low=0, low_open=True)`` is (0, inf).
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, x: float) -> bool:
        above = self.low is None or (x > self.low if self.low_open else x >= self.low)
        below = self.high is None or (x < self.high if self.high_open else x <= self.high)
        return above and below

    def requirement(self, noun: str | None) -> str:
        """What a value must do, in words: "be a number above 0", "lie in [0, 1)", ...

        ``noun`` names the value ("a whole number", "a fraction"); with ``None`` a
        two-sided interval reads "lie in [0, 1)" and a one-sided one "be a number ...".
        """
        low, high = self.low, self.high
        if low is not None and high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            where = f"in {left}{low}, {high}{right}"
            return f"lie {where}" if noun is None else f"be {noun} {where}"
        if low is not None:
            where = f"above {low}" if self.low_open else f"of {low} or more"
        elif high is not None:
            where = f"below {high}" if self.high_open else f"of {high} or less"
        else:
            where = ""
        return f"be {noun or 'a number'} {where}".rstrip()


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    noun: str | None = None,
    alternative: str | None = None,
) -> float:
    """Return ``value`` as a Python float if it is a finite real number in the interval.

    Python and NumPy ints and floats are accepted (``np.float32(0.5)``, ``np.int64(0)``);
    booleans, NaN, inf, strings, None and complex numbers are refused. A NumPy float
    comes back as the decimal it prints as: ``np.float32(0.2)`` gives 0.2.

    Parameters
    ----------
    value
        What the user gave.
    name
        The parameter's name, for the message.
    low, high, low_open, high_open
        The :class:`Interval` the value must lie in: ``[low, high]``, open at a bound
        whose ``*_open`` is True; a bound left ``None`` is unbounded.
    noun
        What the value is, for the message ("a fraction"); default "a number".
    alternative
        What else the caller accepts instead of a number, for the message
        ("a tuple (X_val, y_val)"); the caller handles that case before calling.

    Raises
    ------
    InputError
        E.g. ``"learning_rate must be a number above 0, got -1"`` or
        ``"momentum must lie in [0, 1), got 1.5"``.
    """
    interval = Interval(low, high, low_open, high_open)
    number = _as_float(value) if _is_real(value, (int, float, np.integer, np.floating)) else None
    if number is None or not math.isfinite(number) or number not in interval:
        raise _refused(name, interval.requirement(noun), value, alternative)
    return number


def check_integer(
    value: object,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    alternative: str | None = None,
) -> int:
    """Return ``value`` as a Python int if it is a whole number in ``[low, high]``.

    Python and NumPy ints are accepted (``np.int64(5)``); booleans, floats (even
    ``2.0``), strings and None are refused.

    Raises
    ------
    InputError
        E.g. ``"epochs must be a whole number of 1 or more, got 0"``.
    """
    interval = Interval(low, high)
    whole = int(value) if _is_real(value, (int, np.integer)) else None  # type: ignore[call-overload]
    if whole is None or whole not in interval:
        raise _refused(name, interval.requirement("a whole number"), value, alternative)
    return whole


def _is_real(value: object, kinds: tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and not isinstance(value, bool)  # True is an int in Python


def _as_float(value: Any) -> float:
    """``value`` as a Python float; a NumPy float as the decimal it prints as, so that
    ``np.float32(0.2)`` gives 0.2 and ``ceil(0.2 * 50)`` rows are 10 whatever its dtype."""
    try:
        return float(str(value)) if isinstance(value, np.floating) else float(value)
    except OverflowError:  # an int beyond the float range counts as inf
        return math.inf


def _refused(name: str, requirement: str, value: object, alternative: str | None) -> InputError:
    wanted = requirement if alternative is None else f"{requirement}, or {alternative}"
    return InputError(f"{name} must {wanted}, got {value!r}")


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float if it is a finite number above zero."""
    return check_number(value, name, low=0, low_open=True)


def check_unit_interval(value: float, name: str, *, closed_low: bool = True) -> float:
    """Return ``value`` as a float if it lies in [0, 1) (or (0, 1) when ``closed_low`` is False)."""
    return check_number(value, name, low=0, high=1, low_open=not closed_low, high_open=True)


def check_random_state(random_state: object) -> np.random.Generator:
    """Return a Generator from a seed (a whole number of 0 or more), a Generator or None.

    ``None`` draws fresh entropy from the OS; the global ``np.random`` state is never used.
    """
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    seed = check_integer(
        random_state, "random_state", low=0, alternative="a numpy Generator or None"
    )
    return np.random.default_rng(seed)


def check_layer_sizes(sizes: Iterable[int], name: str = "layer sizes") -> list[int]:
    """Return ``sizes`` as a list of positive ints."""
    given = list(sizes)
    if not all(isinstance(size, int | np.integer) and not isinstance(size, bool) for size in given):
        raise InputError(f"{name} must be whole numbers, got {given!r}")
    result = [int(size) for size in given]
    if any(size < 1 for size in result):
        raise InputError(f"{name} must all be 1 or more, got {result}")
    return result


def check_weight_total(total: float) -> None:
    """Refuse sample weights whose sum ``total`` is not above 0: nothing would be learned."""
    if total <= 0:
        raise InputError("sample_weight sums to 0: at least one sample needs a positive weight")
