"""Plain data as typed JSON: what a model file keeps of fitted transformers and estimators.

JSON has no tuples, no NaN, no NumPy arrays. This encoding adds them with a closed
set of one-key objects, so a value comes back with its type and its exact bits:

    None, true, 3, 0.25, "text", [...]          themselves (a finite float is exact in JSON)
    {"float": "nan" | "inf" | "-inf"}           a non-finite float
    {"tuple": [...]}                            a tuple
    {"dict": [[key, value], ...]}               a dict (keys of any supported type)
    {"array": {"dtype", "shape", "values"}}     a NumPy array
    {"scalar": {"dtype", "shape": [], "values"}} a NumPy scalar (np.float64(5.0), np.int64(3))

An array's ``dtype`` is one of bool, int, uint, float, str (``"<U5"``) or object; a str
dtype is no wider than :func:`check_text_width` allows its values. The
``values`` are listed flat, in C order: floats with ``"nan"``, ``"inf"``, ``"-inf"``
for the non-finite ones, and an object array's elements as the scalars above (None,
bools, numbers, strings; never code). Nothing in a file names a type that gets
imported: decoding only builds lists, tuples, dicts and arrays of these dtypes.
"""

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.errors import InputError
from glassnet.files.metadata import is_int, short
from glassnet.files.npz_reader import BadFileError

ARRAY_KINDS = "biufUO"  # bool, int, uint, float, str, object (of plain scalars)
MAX_ITEMSIZE = 4 * 2**16  # a str dtype of up to 65,536 characters
MAX_ELEMENTS = 2**24
MAX_DEPTH = 32
SLACK_CHARS = 64  # a str dtype may be this wide whatever its values hold (numpy's <U20 of "no")
TEXT_FACTOR = 8  # and beyond that, hold at most 8 times its values' characters
NON_FINITE = {
    "nan": np.nan,
    "inf": np.inf,
    "-inf": -np.inf,
}  # np.nan: the very object scikit-learn defaults to
TAGS = ("float", "tuple", "dict", "array", "scalar")


def encode(value: Any, where: str) -> Any:
    """``value`` as typed JSON; anything else raises :class:`InputError` naming ``where``."""
    if isinstance(value, np.ndarray):
        return {"array": encode_array(value, where)}
    if isinstance(value, np.generic):
        return {"scalar": encode_array(np.asarray(value), where)}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": _non_finite_name(value)}
    if isinstance(value, list):
        return [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, tuple):
        return {"tuple": [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]}
    if isinstance(value, dict):
        return {
            "dict": [[encode(k, where), encode(v, f"{where}[{k!r}]")] for k, v in value.items()]
        }
    raise InputError(
        f"{where} is a {type(value).__name__}, which a model file cannot store: it keeps "
        "numbers, strings, booleans, None, lists, tuples, dicts and NumPy arrays"
    )


def decode(value: Any, where: str, depth: int = 0) -> Any:
    """The value :func:`encode` wrote; anything else raises :class:`BadFileError`."""
    if depth > MAX_DEPTH:
        raise BadFileError(f"{where} is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [decode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    tag, body = _tagged(value, where)
    if tag == "float":
        return _non_finite(body, where)
    if tag == "array":
        return decode_array(body, where)
    if tag == "scalar":
        scalar = decode_array(body, where)
        if scalar.shape != ():
            raise BadFileError(f"{where}.scalar must have shape []")
        return scalar[()]
    if not isinstance(body, list):
        raise BadFileError(f"{where}.{tag} must be a list")
    items = [decode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(body)]
    if tag == "tuple":
        return tuple(items)
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in items):
        raise BadFileError(f"{where}.dict must list [key, value] pairs")
    try:
        return dict(items)
    except TypeError:  # a list or dict as a key
        raise BadFileError(f"{where}.dict has a key that is not a plain value") from None


def _tagged(value: Any, where: str) -> tuple[str, Any]:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in TAGS:
        raise BadFileError(
            f"{where} must be a plain JSON value or an object with one key of "
            f"{', '.join(TAGS)}, got {short(value)}"
        )
    ((tag, body),) = value.items()
    return tag, body


def encode_array(array: NDArray[Any], where: str) -> dict[str, Any]:
    """``{"dtype", "shape", "values"}`` for an array of a plain dtype (object: of scalars)."""
    dtype = array.dtype
    if dtype.kind not in ARRAY_KINDS or dtype.names is not None or dtype.itemsize > MAX_ITEMSIZE:
        raise InputError(
            f"{where} has dtype {dtype}, which a model file cannot store: it keeps bool, int, "
            "float, str and object arrays of plain values"
        )
    flat = array.ravel().tolist()
    if dtype.kind == "f":
        values = [v if math.isfinite(v) else _non_finite_name(v) for v in flat]
    elif dtype.kind == "O":
        values = [_object_element(v, f"{where}[{i}]") for i, v in enumerate(flat)]
    else:
        values = flat
    return {"dtype": dtype.str, "shape": list(array.shape), "values": values}


def _object_element(value: Any, where: str) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, float):
        return {"float": _non_finite_name(value)}
    if value is None or isinstance(value, bool | int | str):
        return value
    raise InputError(
        f"{where} is a {type(value).__name__} in an object array: a model file keeps "
        "strings, numbers, booleans and None there"
    )


def decode_array(body: Any, where: str) -> NDArray[Any]:
    """The array :func:`encode_array` described, every element checked against its dtype."""
    if not isinstance(body, dict) or set(body) != {"dtype", "shape", "values"}:
        raise BadFileError(f"{where}.array must have exactly 'dtype', 'shape' and 'values'")
    dtype = array_dtype(body["dtype"], where)
    shape, values = body["shape"], body["values"]
    if not isinstance(shape, list) or len(shape) > 4 or not all(_is_count(n) for n in shape):
        raise BadFileError(f"{where}.array.shape must be up to 4 whole numbers >= 0")
    if not isinstance(values, list) or len(values) != math.prod(shape):
        raise BadFileError(f"{where}.array.values must list {math.prod(shape)} value(s)")
    elements = [_element(v, dtype.kind, f"{where}[{i}]") for i, v in enumerate(values)]
    if dtype.kind == "U":
        check_text_width(dtype, elements, where)
    if dtype.kind == "O":
        array = np.empty(len(elements), dtype=object)
        array[:] = elements
    else:
        try:
            array = np.array(elements, dtype=dtype)
        except (OverflowError, ValueError) as error:
            raise BadFileError(f"{where}.array.values do not fit {dtype.str}: {error}") from None
    return array.reshape(shape)


def array_dtype(text: Any, where: str) -> np.dtype:
    """The dtype ``text`` names, which must be a plain bool/int/uint/float/str/object one."""
    if not isinstance(text, str):
        raise BadFileError(f"{where}.array.dtype must be a string, got {short(text)}")
    return plain_dtype(
        text, f"{where}.array.dtype", ARRAY_KINDS, "bool, int, uint, float, str or object"
    )


def plain_dtype(text: str, name: str, kinds: str, kinds_words: str) -> np.dtype:
    """The dtype the field ``name`` holds as ``text``: a NumPy one of ``kinds``, without a
    shape or fields, at most :data:`MAX_ITEMSIZE` bytes a value; else a BadFileError saying
    it is not ``kinds_words`` (``"bool, int, uint, float, str or object"``)."""
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError, OverflowError):
        raise BadFileError(f"{name} {short(text)} is not a NumPy dtype") from None
    plain = dtype.shape == () and dtype.names is None and dtype.itemsize <= MAX_ITEMSIZE
    if dtype.kind not in kinds or not plain:
        raise BadFileError(f"{name} {short(text)} is not {kinds_words}")
    return dtype


def check_text_width(dtype: np.dtype, texts: list[str], where: str) -> None:
    """Refuse a str dtype wider than its texts need, before an array of it is allocated.

    A fixed-width str array takes ``4 * width`` bytes a value, however short the value:
    ``<U65536`` makes each of 1,000 two-character labels 256 KiB. The width may be up
    to the longest text or :data:`SLACK_CHARS`, and the array may hold up to
    :data:`TEXT_FACTOR` times the texts' characters (beyond ``SLACK_CHARS`` a text):

        width <= max(longest, 64)   and   n * width <= 64 n + 8 * sum(len(text))
    """
    width = dtype.itemsize // 4
    longest = max((len(text) for text in texts), default=0)
    budget = SLACK_CHARS * len(texts) + TEXT_FACTOR * sum(len(text) for text in texts)
    if width > max(longest, SLACK_CHARS) or len(texts) * width > budget:
        raise BadFileError(
            f"{where} has dtype {dtype.str}, wider than its {len(texts)} text(s) need "
            f"(the longest has {longest} characters)"
        )


_ELEMENT_TYPES = {"b": (bool,), "i": (int,), "u": (int,), "U": (str,)}


def _element(value: Any, kind: str, where: str) -> Any:
    if kind == "f":
        if isinstance(value, str):
            return _non_finite(value, where)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "O":
        if isinstance(value, dict):
            tag, body = _tagged(value, where)
            if tag == "float":
                return _non_finite(body, where)
        ok = value is None or isinstance(value, bool | int | float | str)
    else:
        wanted = _ELEMENT_TYPES[kind]
        ok = isinstance(value, wanted) and (kind == "b" or not isinstance(value, bool))
    if not ok:
        raise BadFileError(f"{where} is {short(value)}, not a value of its array's dtype")
    return value


def _non_finite(name: Any, where: str) -> float:
    if not isinstance(name, str) or name not in NON_FINITE:
        raise BadFileError(f"{where} must be one of {', '.join(NON_FINITE)}, got {short(name)}")
    return NON_FINITE[name]


def _non_finite_name(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _is_count(value: Any) -> bool:
    return is_int(value) and 0 <= value <= MAX_ELEMENTS


def json_safe(value: Any, where: str) -> Any:
    """Return ``value`` as plain JSON types: dict (str keys), list, str, int, float, bool, None.

    NumPy scalars and arrays become Python numbers and lists, tuples become lists,
    paths become strings, NaN and inf become None (strict JSON has neither); anything else raises
    :class:`InputError` naming where it was found.
    """
    if isinstance(value, np.generic | np.ndarray):  # before float: np.float64 is a float
        return json_safe(value.tolist(), where)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [json_safe(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise InputError(f"{where} must have string keys, got {list(value)!r}")
        return {key: json_safe(item, f"{where}[{key!r}]") for key, item in value.items()}
    raise InputError(
        f"{where} holds a {type(value).__name__}, which a model file cannot store: "
        "use numbers, strings, booleans, None, lists and dicts"
    )
