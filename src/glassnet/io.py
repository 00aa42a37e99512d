"""Save and load models: one ``.npz`` of plain arrays plus JSON metadata, never pickle.

A model file is an uncompressed NumPy ``.npz`` archive (``np.savez``) holding

    W1, b1, ..., WL, bL      the network's parameters, in the network's dtype
    <extra arrays>           what a kind of model adds (a standardizer's mean and scale)
    metadata                 uint8 array: UTF-8 JSON describing everything else

Loading reads it with ``np.load(path, allow_pickle=False)`` and looks every name in
the metadata up in glassnet's own closed tables (activations, outputs and losses,
initialisers, dtypes, kinds): nothing named in a file is ever imported or run.
Everything is checked before a model is built; any problem raises
:class:`~glassnet.errors.ModelFileError` naming the file and what is wrong.
``docs/model-files.md`` describes every field.
"""

import json
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.activations import HIDDEN_ACTIVATIONS
from glassnet.atomic import atomic_write
from glassnet.errors import GlassnetError, InputError, ModelFileError
from glassnet.initializers import INITIALIZERS
from glassnet.losses import LOSS_FOR_OUTPUT
from glassnet.model import LABEL_KINDS, TrainedModel, json_safe
from glassnet.network import Network
from glassnet.preprocessing import LabelCodec, Standardizer
from glassnet.validation import FLOAT_DTYPES

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
METADATA = "metadata"
MAX_UNITS = 2**24  # units per layer a file may declare
MAX_LAYERS = 1024
MAX_METADATA_BYTES = 64 * 2**20
MAX_HEADER_SIZE = 10_000  # bytes of a .npy header, as numpy's own limit
MAX_LABEL_BYTES = 4 * 2**16  # itemsize of a string label dtype: 65,536 characters
DEFLATE_MAX_RATIO = 1032  # deflate never expands data by more than this
EXTRA_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
NETWORK_NAME = re.compile(r"[Wb][0-9]+")
READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    RuntimeError,  # also NotImplementedError (compression method), RecursionError (deep JSON)
    MemoryError,
    OverflowError,
    UnicodeError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    struct.error,
    zlib.error,
)
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}

Array = NDArray[np.floating]


class _BadFileError(Exception):
    """A problem with the file's content; :func:`load` adds the path and re-raises."""


# --- kinds: what a file can hold ----------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """What a kind of model contributes to a file beyond the network's layout.

    Attributes
    ----------
    network
        The network whose ``W[l]``, ``b[l]`` are saved as ``W1, b1, ...``.
    fields
        JSON-safe values, stored under the metadata's ``"payload"``.
    arrays
        Extra float arrays, stored beside the weights under these names
        (lower case, not ``W1``/``b1``-like, not ``metadata``).
    """

    network: Network
    fields: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, Array] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """How one kind of object is written to and rebuilt from a model file."""

    types: type | tuple[type, ...]
    to_payload: Callable[[Any], Payload]
    from_payload: Callable[[Network, dict[str, Any], dict[str, Array]], Any]


KINDS: dict[str, Kind] = {}


def register_kind(
    name: str,
    types: type | tuple[type, ...],
    to_payload: Callable[[Any], Payload],
    from_payload: Callable[[Network, dict[str, Any], dict[str, Array]], Any],
) -> None:
    """Teach :func:`save` and :func:`load` a kind of object (registering a name again replaces it).

    Parameters
    ----------
    name
        The ``"kind"`` written in the metadata, e.g. ``"estimator"``.
    types
        The class (or classes) :func:`save` recognises as this kind.
    to_payload
        ``obj -> Payload``: the network, JSON-safe fields and extra arrays.
    from_payload
        ``(network, fields, arrays) -> obj``: rebuild the object from a network
        whose weights are already checked. It must validate ``fields`` itself and
        raise :class:`InputError` (or ``KeyError``, ``TypeError``, ``ValueError``)
        on anything wrong; :func:`load` turns those into :class:`ModelFileError`.
    """
    if not isinstance(name, str) or not EXTRA_NAME.fullmatch(name):
        raise InputError(f"a kind's name must be lower-case letters, digits and _, got {name!r}")
    KINDS[name] = Kind(types, to_payload, from_payload)


# --- save ---------------------------------------------------------------------------


def save(obj: Network | TrainedModel, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` to ``path`` as a glassnet model file, atomically.

    The file is written to a temporary name in the same folder, flushed to disk,
    then renamed over ``path``: a crash leaves the old file (or no file), never
    half of one. ``path`` is used exactly as given: no ``.npz`` suffix is
    appended (``np.savez`` would add one to a bare name; glassnet does not).

    Parameters
    ----------
    obj
        A :class:`Network`, a :class:`TrainedModel`, or an object of a kind added
        with :func:`register_kind`.
    path
        Where to write; ``.npz`` is the conventional suffix.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        If ``obj`` is of no known kind or holds something a model file cannot
        store (non-finite weights, values that are not JSON-safe).
    """
    target = Path(path)
    kind_name, kind = _kind_of(obj)
    payload = kind.to_payload(obj)
    arrays = {**_network_arrays(payload.network), **_extra_arrays(payload.arrays)}
    blob = json.dumps(_metadata(kind_name, payload), allow_nan=False).encode("utf-8")
    _check_loadable(blob, payload.network, arrays)
    with atomic_write(target, "wb") as handle:  # temp file, fsync, os.replace
        np.savez(handle, allow_pickle=False, metadata=np.frombuffer(blob, np.uint8), **arrays)
    return target


def _kind_of(obj: Any) -> tuple[str, Kind]:
    for name, kind in KINDS.items():
        if isinstance(obj, kind.types):
            return name, kind
    known = ", ".join(sorted(KINDS))
    raise InputError(f"cannot save a {type(obj).__name__}: glassnet saves {known}")


def _network_arrays(network: Network) -> dict[str, Array]:
    arrays = dict(zip(network.parameter_names(), network.parameters(), strict=True))
    for name, array in arrays.items():
        if array.dtype != network.dtype:
            raise InputError(
                f"{name} has dtype {array.dtype} but the network's dtype is {network.dtype}: "
                "convert with network.astype(...) before saving"
            )
        if not np.isfinite(array).all():
            raise InputError(f"{name} contains NaN or inf: a diverged network is not saved")
    return arrays


def _extra_arrays(arrays: Mapping[str, Array]) -> dict[str, Array]:
    for name, array in arrays.items():
        if not EXTRA_NAME.fullmatch(name) or NETWORK_NAME.fullmatch(name) or name == METADATA:
            raise InputError(f"extra array name {name!r} is reserved or malformed")
        if array.dtype.name not in FLOAT_DTYPES or not np.isfinite(array).all():
            raise InputError(f"extra array {name!r} must be finite float32 or float64")
    return dict(arrays)


def _metadata(kind_name: str, payload: Payload) -> dict[str, Any]:
    network = payload.network
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassnet_version": _glassnet_version(),
        "kind": kind_name,
        "network": {
            "layer_sizes": list(network.layer_sizes),
            "hidden": network.hidden,
            "output": network.output,
            "loss": network.loss.name,
            "init": network.init,
            "dtype": network.dtype.name,
        },
        "arrays": {
            name: {"shape": list(array.shape), "dtype": array.dtype.name}
            for name, array in payload.arrays.items()
        },
        "payload": json_safe(payload.fields, "payload"),
    }


def _check_loadable(blob: bytes, network: Network, arrays: Mapping[str, Array]) -> None:
    """Refuse to write a file that :func:`load` would refuse: run its checks without the disk."""
    try:
        spec = _parse_metadata(json.loads(blob))
        for name, (shape, dtype) in spec.arrays.items():
            if arrays[name].shape != shape or arrays[name].dtype != dtype:
                raise _BadFileError(
                    f"{name} has shape {arrays[name].shape} and dtype {arrays[name].dtype}, "
                    f"the metadata implies {shape} and {dtype}"
                )
        _rebuild(spec, network, arrays)
    except _BadFileError as problem:
        raise InputError(f"cannot save this model, it could not be loaded: {problem}") from None


def _glassnet_version() -> str:
    import glassnet  # here, not at the top: glassnet/__init__ imports this module

    return str(glassnet.__version__)


# --- load ---------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Any:
    """Read a model file written by :func:`save`, checking everything first.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    Network or TrainedModel
        The saved object (or one of a kind added with :func:`register_kind`),
        with bit-identical weights.

    Raises
    ------
    ModelFileError
        If the file is missing, not an ``.npz`` archive (a pickle is refused
        without being read), truncated or corrupted, of a newer format version,
        or if anything in it is unknown, inconsistent or non-finite. The message
        names the file and the problem; no partial model is ever returned.
    """
    source = Path(path)
    try:
        return _load(source)
    except _BadFileError as problem:
        raise ModelFileError(f"cannot load model file {source}: {problem}") from None
    except READ_ERRORS as error:
        raise ModelFileError(
            f"cannot load model file {source}: it is damaged or not a glassnet model "
            f"({type(error).__name__}: {error})"
        ) from error


@dataclass(frozen=True)
class _Spec:
    """What the metadata promises: the kind, the network, every array's shape and dtype."""

    kind: str
    network: dict[str, Any]
    arrays: dict[str, tuple[tuple[int, ...], np.dtype]]
    extra: tuple[str, ...]
    payload: dict[str, Any]


def _load(path: Path) -> Any:
    _check_signature(path)
    size = path.stat().st_size
    with np.load(path, allow_pickle=False) as npz:
        archive = npz.zip
        spec = _parse_metadata(_read_metadata(archive, size))
        _check_members(archive, spec)
        arrays = {
            name: _read_weights(archive, name, shape, dtype, size)
            for name, (shape, dtype) in spec.arrays.items()
        }
    network = _build_network(spec.network, arrays)
    return _rebuild(spec, network, arrays)


def _check_signature(path: Path) -> None:
    if not path.exists():
        raise _BadFileError("no such file")
    if not path.is_file():
        raise _BadFileError("not a regular file")
    with path.open("rb") as handle:
        head = handle.read(6)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip archive, as np.savez writes
        return
    if not head:
        raise _BadFileError("the file is empty")
    if head[:1] == b"\x80":
        raise _BadFileError(
            "it is a Python pickle; glassnet never loads pickles, because loading a pickle "
            "runs code from the file. Save models with glassnet.save"
        )
    if head == b"\x93NUMPY":
        raise _BadFileError("it holds a single NumPy array (.npy), not a glassnet model archive")
    raise _BadFileError(
        "not an .npz (zip) archive; glassnet model files are written by glassnet.save"
    )


def _read_metadata(archive: zipfile.ZipFile, archive_size: int) -> Any:
    if f"{METADATA}.npy" not in archive.namelist():
        raise _BadFileError(f"no {METADATA!r} entry: an .npz archive, but not a glassnet model")
    raw = _read_array(archive, METADATA, np.dtype(np.uint8), None, archive_size)
    try:
        return json.loads(raw.tobytes().decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        raise _BadFileError("the metadata is not UTF-8 text") from None
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
        raise _BadFileError(f"the metadata is not valid JSON ({error})") from None


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON (save writes NaN and inf as null)")


def _check_members(archive: zipfile.ZipFile, spec: _Spec) -> None:
    names = archive.namelist()
    if len(set(names)) != len(names):
        raise _BadFileError("the archive lists an entry twice")
    expected = {f"{name}.npy" for name in spec.arrays} | {f"{METADATA}.npy"}
    missing = sorted(expected - set(names))
    if missing:
        raise _BadFileError(f"missing array(s) {', '.join(n[:-4] for n in missing)}")
    unexpected = sorted(set(names) - expected)
    if unexpected:
        raise _BadFileError(
            f"unexpected entr(y/ies) {', '.join(unexpected[:10])}: the metadata accounts "
            f"for {', '.join(sorted(spec.arrays))}"
        )


def _read_weights(
    archive: zipfile.ZipFile, name: str, shape: tuple[int, ...], dtype: np.dtype, archive_size: int
) -> Array:
    array = _read_array(archive, name, dtype, shape, archive_size)
    if not np.isfinite(array).all():
        raise _BadFileError(f"array {name} contains NaN or inf")
    return np.ascontiguousarray(array)


def _read_array(
    archive: zipfile.ZipFile,
    name: str,
    dtype: np.dtype,
    shape: tuple[int, ...] | None,
    archive_size: int,
) -> NDArray[Any]:
    """Read ``name.npy`` after checking its header: dtype, shape (None: 1-D metadata), size."""
    info = archive.getinfo(f"{name}.npy")
    _check_compression(info, name, archive_size)
    found_shape, found_dtype, header_size = _read_header(archive, info, name)
    if found_dtype != dtype:
        raise _BadFileError(f"array {name} has dtype {found_dtype}, expected {dtype.name}")
    if shape is None and (len(found_shape) != 1 or found_shape[0] > MAX_METADATA_BYTES):
        raise _BadFileError(f"array {name} must be 1-D and at most {MAX_METADATA_BYTES} bytes")
    if shape is not None and found_shape != shape:
        raise _BadFileError(
            f"array {name} has shape {found_shape}, but the metadata implies {shape}"
        )
    n_bytes = math.prod(found_shape) * dtype.itemsize
    if info.file_size != header_size + n_bytes:
        raise _BadFileError(
            f"array {name} holds {info.file_size - header_size} data bytes, "
            f"its shape needs {n_bytes}"
        )
    with archive.open(info) as handle:
        return np.lib.format.read_array(handle, allow_pickle=False)


def _check_compression(info: zipfile.ZipInfo, name: str, archive_size: int) -> None:
    """Bound what reading an entry can allocate by the size of the file itself."""
    if info.compress_size > archive_size:
        raise _BadFileError(f"array {name} claims more bytes than the file has: it is truncated")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.file_size != info.compress_size:
            raise _BadFileError(f"array {name} has inconsistent sizes in the archive")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        if info.file_size > DEFLATE_MAX_RATIO * info.compress_size + 1024:
            raise _BadFileError(f"array {name} claims more bytes than its compressed data can hold")
    else:
        raise _BadFileError(
            f"array {name} uses compression method {info.compress_type}, not stored"
        )


def _read_header(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str
) -> tuple[tuple[int, ...], np.dtype, int]:
    """The .npy header's shape and dtype, and where the data starts, without reading data."""
    with archive.open(info) as handle:
        version = np.lib.format.read_magic(handle)
        reader = _HEADER_READERS.get(version)
        if reader is None:
            raise _BadFileError(
                f"array {name} uses .npy version {version}; glassnet reads 1.0 and 2.0"
            )
        shape, _fortran_order, dtype = reader(handle, max_header_size=MAX_HEADER_SIZE)
        return shape, dtype, handle.tell()


# --- the metadata, field by field -----------------------------------------------------


def _parse_metadata(metadata: Any) -> _Spec:
    if not isinstance(metadata, dict):
        raise _BadFileError("the metadata is not a JSON object")
    if metadata.get("format") != FORMAT:
        raise _BadFileError(f"format is {metadata.get('format')!r}, not {FORMAT!r}")
    _check_version(metadata)
    _only_keys(
        metadata,
        {"format", "format_version", "glassnet_version", "kind", "network", "arrays", "payload"},
        "metadata",
    )
    _field(metadata, "glassnet_version", str, "metadata")
    kind = _field(metadata, "kind", str, "metadata")
    if kind not in KINDS:
        raise _BadFileError(
            f"unknown kind {kind!r}: this glassnet reads {', '.join(sorted(KINDS))}"
        )
    network = _parse_network(_field(metadata, "network", dict, "metadata"))
    arrays = _network_shapes(network)
    extra = _parse_extra(_field(metadata, "arrays", dict, "metadata"))
    payload = _field(metadata, "payload", dict, "metadata")
    return _Spec(kind, network, {**arrays, **extra}, tuple(extra), payload)


def _check_version(metadata: dict[str, Any]) -> None:
    version = _field(metadata, "format_version", int, "metadata")
    if version > FORMAT_VERSION:
        raise _BadFileError(
            f"it has format version {version} (written by glassnet "
            f"{_short(metadata.get('glassnet_version'))}); this glassnet {_glassnet_version()} "
            f"reads format version {FORMAT_VERSION}: upgrade glassnet "
            "(pip install --upgrade glassnet)"
        )
    if version < 1:
        raise _BadFileError(f"format_version {version} does not exist; versions start at 1")


def _parse_network(network: dict[str, Any]) -> dict[str, Any]:
    _only_keys(network, {"layer_sizes", "hidden", "output", "loss", "init", "dtype"}, "network")
    sizes = _field(network, "layer_sizes", list, "network")
    if not 2 <= len(sizes) <= MAX_LAYERS:
        raise _BadFileError(
            f"network.layer_sizes must list 2 to {MAX_LAYERS} sizes, got {len(sizes)}"
        )
    for i, size in enumerate(sizes):
        if not _is_int(size) or not 1 <= size <= MAX_UNITS:
            raise _BadFileError(
                f"network.layer_sizes[{i}] must be a whole number in 1..{MAX_UNITS}"
            )
    hidden = _field(network, "hidden", list, "network")
    if len(hidden) != len(sizes) - 2:
        raise _BadFileError(
            f"network.hidden names {len(hidden)} activation(s) for {len(sizes) - 2} hidden layer(s)"
        )
    for i, name in enumerate(hidden):
        _known(name, HIDDEN_ACTIVATIONS, f"network.hidden[{i}]", "hidden activation")
    output = _known(network.get("output"), LOSS_FOR_OUTPUT, "network.output", "output")
    loss = LOSS_FOR_OUTPUT[output].name
    if network.get("loss") != loss:
        raise _BadFileError(
            f"network.loss is {network.get('loss')!r}; a {output} output pairs with {loss!r}"
        )
    _known(network.get("init"), INITIALIZERS, "network.init", "initialiser")
    _known(network.get("dtype"), FLOAT_DTYPES, "network.dtype", "dtype")
    return network


def _network_shapes(network: dict[str, Any]) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    sizes, dtype = network["layer_sizes"], np.dtype(network["dtype"])
    shapes: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
    for l in range(1, len(sizes)):
        shapes[f"W{l}"] = ((sizes[l - 1], sizes[l]), dtype)  # W[l]: (n_{l-1}, n_l)
        shapes[f"b{l}"] = ((sizes[l],), dtype)  # b[l]: (n_l,)
    return shapes


def _parse_extra(arrays: dict[str, Any]) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    extra = {}
    for name, entry in arrays.items():
        if not EXTRA_NAME.fullmatch(name) or NETWORK_NAME.fullmatch(name) or name == METADATA:
            raise _BadFileError(f"arrays lists a reserved or malformed name {name!r}")
        where = f"arrays[{name!r}]"
        if not isinstance(entry, dict):
            raise _BadFileError(f"{where} must be an object with 'shape' and 'dtype'")
        _only_keys(entry, {"shape", "dtype"}, where)
        shape = _field(entry, "shape", list, where)
        if len(shape) > 4 or not all(_is_int(n) and 0 <= n <= MAX_UNITS for n in shape):
            raise _BadFileError(f"{where}.shape must be up to 4 whole numbers in 0..{MAX_UNITS}")
        dtype = _known(entry.get("dtype"), FLOAT_DTYPES, f"{where}.dtype", "dtype")
        extra[name] = (tuple(shape), np.dtype(dtype))
    return extra


def _build_network(spec: dict[str, Any], arrays: Mapping[str, Array]) -> Network:
    network = Network(
        spec["layer_sizes"],
        hidden=spec["hidden"],
        output=spec["output"],
        init=spec["init"],
        random_state=0,
        dtype=spec["dtype"],
    )
    for l in network.W:
        network.W[l], network.b[l] = arrays[f"W{l}"], arrays[f"b{l}"]
    return network


def _rebuild(spec: _Spec, network: Network, arrays: Mapping[str, Array]) -> Any:
    extra = {name: arrays[name] for name in spec.extra}
    try:
        return KINDS[spec.kind].from_payload(network, spec.payload, extra)
    except (GlassnetError, KeyError, TypeError, ValueError, OverflowError) as error:
        raise _BadFileError(f"invalid {spec.kind} payload: {error}") from None


def _field(mapping: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    """``mapping[key]``, which must exist and be of JSON type ``kind``."""
    if key not in mapping:
        raise _BadFileError(f"{where}.{key} is missing")
    value = mapping[key]
    ok = _is_int(value) if kind is int else isinstance(value, kind)
    if not ok:
        wanted = _JSON_TYPES.get(kind, "a whole number")
        raise _BadFileError(f"{where}.{key} must be {wanted}, got {_short(value)}")
    return value


def _known(name: Any, table: Mapping[str, Any] | tuple[str, ...], where: str, what: str) -> str:
    if not isinstance(name, str) or name not in table:
        raise _BadFileError(
            f"unknown {what} {_short(name)} in {where}: known are {', '.join(sorted(table))}"
        )
    return name


def _only_keys(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise _BadFileError(f"{where} has unknown field(s) {', '.join(map(repr, unknown[:10]))}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


# --- the built-in kinds ---------------------------------------------------------------


def _network_to_payload(network: Network) -> Payload:
    return Payload(network)


def _network_from_payload(
    network: Network, fields: dict[str, Any], arrays: dict[str, Array]
) -> Network:
    if fields or arrays:
        raise _BadFileError("a network file has an empty payload and no extra arrays")
    return network


TRAINED_MODEL_FIELDS = {
    "task",
    "feature_names",
    "target_name",
    "label_codec",
    "standardizer",
    "config",
    "metrics",
}
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
    _only_keys(fields, TRAINED_MODEL_FIELDS, "payload")
    names = _field(fields, "feature_names", list, "payload")
    if not all(isinstance(name, str) for name in names):
        raise _BadFileError("payload.feature_names must be a list of strings")
    target = fields.get("target_name")
    if target is not None and not isinstance(target, str):
        raise _BadFileError(f"payload.target_name must be a string or null, got {_short(target)}")
    with_standardizer = _field(fields, "standardizer", bool, "payload")
    try:
        return TrainedModel(
            network,
            _field(fields, "task", str, "payload"),
            standardizer=_standardizer(with_standardizer, arrays),
            label_codec=_label_codec(fields),
            feature_names=names,
            target_name=target,
            config=_field(fields, "config", dict, "payload"),
            metrics=_field(fields, "metrics", dict, "payload"),
        )
    except InputError as error:
        raise _BadFileError(f"the model's parts do not fit together: {error}") from None


def _standardizer(present: bool, arrays: dict[str, Array]) -> Standardizer | None:
    expected = set(STANDARDIZER_ARRAYS) if present else set()
    if set(arrays) != expected:
        raise _BadFileError(
            f"payload.standardizer is {str(present).lower()} but the extra arrays are "
            f"{sorted(arrays) or 'none'}; expected {sorted(expected) or 'none'}"
        )
    if not present:
        return None
    mean, scale = (arrays[name] for name in STANDARDIZER_ARRAYS)
    try:
        return Standardizer.from_dict({"mean": mean, "scale": scale})
    except InputError as error:
        raise _BadFileError(f"the standardizer is invalid: {error}") from None


def _label_codec(fields: dict[str, Any]) -> LabelCodec | None:
    if "label_codec" not in fields:
        raise _BadFileError("payload.label_codec is missing")
    codec = fields["label_codec"]
    if codec is None:
        return None
    if not isinstance(codec, dict):
        raise _BadFileError(f"payload.label_codec must be an object or null, got {_short(codec)}")
    _only_keys(codec, {"classes", "dtype"}, "payload.label_codec")
    classes = _field(codec, "classes", list, "payload.label_codec")
    dtype = _label_dtype(_field(codec, "dtype", str, "payload.label_codec"))
    wanted = {"U": (str,), "b": (bool,), "i": (int,), "u": (int,), "f": (int, float)}[dtype.kind]
    bools_ok = dtype.kind == "b"
    if not all(isinstance(c, wanted) and (bools_ok or not isinstance(c, bool)) for c in classes):
        raise _BadFileError(f"payload.label_codec.classes do not all match the dtype {dtype.str}")
    try:
        result = LabelCodec.from_dict({"classes": classes, "dtype": dtype.str})
    except (InputError, OverflowError) as error:
        raise _BadFileError(f"payload.label_codec is invalid: {error}") from None
    if result.classes_.tolist() != classes:
        raise _BadFileError(f"payload.label_codec.classes do not fit in the dtype {dtype.str}")
    return result


def _label_dtype(text: str) -> np.dtype:
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError, OverflowError):
        raise _BadFileError(
            f"payload.label_codec.dtype {_short(text)} is not a NumPy dtype"
        ) from None
    plain = dtype.shape == () and dtype.names is None and dtype.itemsize <= MAX_LABEL_BYTES
    if dtype.kind not in LABEL_KINDS or not plain:
        raise _BadFileError(
            f"payload.label_codec.dtype {_short(text)} is not a label dtype "
            "(bool, int, uint, float or str)"
        )
    return dtype


register_kind("network", Network, _network_to_payload, _network_from_payload)
register_kind("trained_model", TrainedModel, _trained_model_to_payload, _trained_model_from_payload)
