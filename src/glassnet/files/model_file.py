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
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet._version import __version__
from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.losses import LOSS_FOR_OUTPUT
from glassnet.core.network import Network
from glassnet.data.preprocessing import LabelCodec, Standardizer
from glassnet.errors import GlassnetError, InputError, ModelFileError
from glassnet.files.atomic import atomic_write
from glassnet.files.npz_reader import READ_ERRORS, BadFileError, NpzReader
from glassnet.files.trained_model import LABEL_KINDS, TrainedModel, json_safe
from glassnet.validation import FLOAT_DTYPES

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
METADATA = "metadata"
MAX_UNITS = 2**24  # units per layer a file may declare
MAX_LAYERS = 1024
MAX_LABEL_BYTES = 4 * 2**16  # itemsize of a string label dtype: 65,536 characters
EXTRA_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
NETWORK_NAME = re.compile(r"[Wb][0-9]+")
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}

Array = NDArray[np.floating]


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
                raise BadFileError(
                    f"{name} has shape {arrays[name].shape} and dtype {arrays[name].dtype}, "
                    f"the metadata implies {shape} and {dtype}"
                )
        _rebuild(spec, network, arrays)
    except BadFileError as problem:
        raise InputError(f"cannot save this model, it could not be loaded: {problem}") from None


def _glassnet_version() -> str:
    return __version__


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
    except BadFileError as problem:
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


def load_trained_model(
    path: str | os.PathLike[str],
    hint: str = "use the model.npz of a glassnet train run",
) -> TrainedModel:
    """Load a model file that must hold a :class:`TrainedModel`, not a bare network.

    Raises
    ------
    ModelFileError
        If the file is missing or damaged.
    InputError
        If it holds a bare network, which has no feature names, scaling or labels;
        the message ends with ``hint``.
    """
    model = load(path)
    if not isinstance(model, TrainedModel):
        raise InputError(
            f"{os.fspath(path)!r} holds a {type(model).__name__}, not a trained model with its "
            f"feature names, scaling and labels: {hint}"
        )
    return model


def _load(path: Path) -> Any:
    with NpzReader(path) as reader:  # checks the signature: a pickle is refused unread
        if METADATA not in reader.names():
            raise BadFileError(f"no {METADATA!r} entry: an .npz archive, but not a glassnet model")
        spec = _parse_metadata(reader.read_json(METADATA))
        reader.check_members([*spec.arrays, METADATA])
        arrays = {
            name: reader.read_finite(name, dtype, shape)
            for name, (shape, dtype) in spec.arrays.items()
        }
    network = _build_network(spec.network, arrays)
    return _rebuild(spec, network, arrays)


# --- the metadata, field by field -----------------------------------------------------


def _parse_metadata(metadata: Any) -> _Spec:
    if not isinstance(metadata, dict):
        raise BadFileError("the metadata is not a JSON object")
    if metadata.get("format") != FORMAT:
        raise BadFileError(f"format is {metadata.get('format')!r}, not {FORMAT!r}")
    _check_version(metadata)
    _only_keys(
        metadata,
        {"format", "format_version", "glassnet_version", "kind", "network", "arrays", "payload"},
        "metadata",
    )
    _field(metadata, "glassnet_version", str, "metadata")
    kind = _field(metadata, "kind", str, "metadata")
    if kind not in KINDS:
        raise BadFileError(f"unknown kind {kind!r}: this glassnet reads {', '.join(sorted(KINDS))}")
    network = _parse_network(_field(metadata, "network", dict, "metadata"))
    arrays = _network_shapes(network)
    extra = _parse_extra(_field(metadata, "arrays", dict, "metadata"))
    payload = _field(metadata, "payload", dict, "metadata")
    return _Spec(kind, network, {**arrays, **extra}, tuple(extra), payload)


def _check_version(metadata: dict[str, Any]) -> None:
    version = _field(metadata, "format_version", int, "metadata")
    if version > FORMAT_VERSION:
        raise BadFileError(
            f"it has format version {version} (written by glassnet "
            f"{_short(metadata.get('glassnet_version'))}); this glassnet {_glassnet_version()} "
            f"reads format version {FORMAT_VERSION}: upgrade glassnet "
            "(pip install --upgrade glassnet)"
        )
    if version < 1:
        raise BadFileError(f"format_version {version} does not exist; versions start at 1")


def _parse_network(network: dict[str, Any]) -> dict[str, Any]:
    _only_keys(network, {"layer_sizes", "hidden", "output", "loss", "init", "dtype"}, "network")
    sizes = _field(network, "layer_sizes", list, "network")
    if not 2 <= len(sizes) <= MAX_LAYERS:
        raise BadFileError(
            f"network.layer_sizes must list 2 to {MAX_LAYERS} sizes, got {len(sizes)}"
        )
    for i, size in enumerate(sizes):
        if not _is_int(size) or not 1 <= size <= MAX_UNITS:
            raise BadFileError(f"network.layer_sizes[{i}] must be a whole number in 1..{MAX_UNITS}")
    hidden = _field(network, "hidden", list, "network")
    if len(hidden) != len(sizes) - 2:
        raise BadFileError(
            f"network.hidden names {len(hidden)} activation(s) for {len(sizes) - 2} hidden layer(s)"
        )
    for i, name in enumerate(hidden):
        _known(name, HIDDEN_ACTIVATIONS, f"network.hidden[{i}]", "hidden activation")
    output = _known(network.get("output"), LOSS_FOR_OUTPUT, "network.output", "output")
    loss = LOSS_FOR_OUTPUT[output].name
    if network.get("loss") != loss:
        raise BadFileError(
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
            raise BadFileError(f"arrays lists a reserved or malformed name {name!r}")
        where = f"arrays[{name!r}]"
        if not isinstance(entry, dict):
            raise BadFileError(f"{where} must be an object with 'shape' and 'dtype'")
        _only_keys(entry, {"shape", "dtype"}, where)
        shape = _field(entry, "shape", list, where)
        if len(shape) > 4 or not all(_is_int(n) and 0 <= n <= MAX_UNITS for n in shape):
            raise BadFileError(f"{where}.shape must be up to 4 whole numbers in 0..{MAX_UNITS}")
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
        raise BadFileError(f"invalid {spec.kind} payload: {error}") from None


def _field(mapping: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    """``mapping[key]``, which must exist and be of JSON type ``kind``."""
    if key not in mapping:
        raise BadFileError(f"{where}.{key} is missing")
    value = mapping[key]
    ok = _is_int(value) if kind is int else isinstance(value, kind)
    if not ok:
        wanted = _JSON_TYPES.get(kind, "a whole number")
        raise BadFileError(f"{where}.{key} must be {wanted}, got {_short(value)}")
    return value


def _known(name: Any, table: Mapping[str, Any] | tuple[str, ...], where: str, what: str) -> str:
    if not isinstance(name, str) or name not in table:
        raise BadFileError(
            f"unknown {what} {_short(name)} in {where}: known are {', '.join(sorted(table))}"
        )
    return name


def _only_keys(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise BadFileError(f"{where} has unknown field(s) {', '.join(map(repr, unknown[:10]))}")


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
        raise BadFileError("a network file has an empty payload and no extra arrays")
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
        raise BadFileError("payload.feature_names must be a list of strings")
    target = fields.get("target_name")
    if target is not None and not isinstance(target, str):
        raise BadFileError(f"payload.target_name must be a string or null, got {_short(target)}")
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
        raise BadFileError(f"the model's parts do not fit together: {error}") from None


def _standardizer(present: bool, arrays: dict[str, Array]) -> Standardizer | None:
    expected = set(STANDARDIZER_ARRAYS) if present else set()
    if set(arrays) != expected:
        raise BadFileError(
            f"payload.standardizer is {str(present).lower()} but the extra arrays are "
            f"{sorted(arrays) or 'none'}; expected {sorted(expected) or 'none'}"
        )
    if not present:
        return None
    mean, scale = (arrays[name] for name in STANDARDIZER_ARRAYS)
    try:
        return Standardizer.from_dict({"mean": mean, "scale": scale})
    except InputError as error:
        raise BadFileError(f"the standardizer is invalid: {error}") from None


def _label_codec(fields: dict[str, Any]) -> LabelCodec | None:
    if "label_codec" not in fields:
        raise BadFileError("payload.label_codec is missing")
    codec = fields["label_codec"]
    if codec is None:
        return None
    if not isinstance(codec, dict):
        raise BadFileError(f"payload.label_codec must be an object or null, got {_short(codec)}")
    _only_keys(codec, {"classes", "dtype"}, "payload.label_codec")
    classes = _field(codec, "classes", list, "payload.label_codec")
    dtype = _label_dtype(_field(codec, "dtype", str, "payload.label_codec"))
    wanted = {"U": (str,), "b": (bool,), "i": (int,), "u": (int,), "f": (int, float)}[dtype.kind]
    bools_ok = dtype.kind == "b"
    if not all(isinstance(c, wanted) and (bools_ok or not isinstance(c, bool)) for c in classes):
        raise BadFileError(f"payload.label_codec.classes do not all match the dtype {dtype.str}")
    try:
        result = LabelCodec.from_dict({"classes": classes, "dtype": dtype.str})
    except (InputError, OverflowError) as error:
        raise BadFileError(f"payload.label_codec is invalid: {error}") from None
    if result.classes_.tolist() != classes:
        raise BadFileError(f"payload.label_codec.classes do not fit in the dtype {dtype.str}")
    return result


def _label_dtype(text: str) -> np.dtype:
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError, OverflowError):
        raise BadFileError(
            f"payload.label_codec.dtype {_short(text)} is not a NumPy dtype"
        ) from None
    plain = dtype.shape == () and dtype.names is None and dtype.itemsize <= MAX_LABEL_BYTES
    if dtype.kind not in LABEL_KINDS or not plain:
        raise BadFileError(
            f"payload.label_codec.dtype {_short(text)} is not a label dtype "
            "(bool, int, uint, float or str)"
        )
    return dtype


register_kind("network", Network, _network_to_payload, _network_from_payload)
register_kind("trained_model", TrainedModel, _trained_model_to_payload, _trained_model_from_payload)
