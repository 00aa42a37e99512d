"""Save and load models: one ``.npz`` of plain arrays plus JSON metadata, never pickle.

A model file is an uncompressed NumPy ``.npz`` archive (``np.savez``) holding

    W1, b1, ..., WL, bL      the network's parameters, in the network's dtype
    F, P                     a numeric embedding's frequencies and phases, (n_0, K), if any
    <extra arrays>           what a kind of model adds (a standardizer's mean and scale)
    metadata                 uint8 array: UTF-8 JSON describing everything else

Every name in the metadata (:mod:`glassnet.files.metadata`) is looked up in glassnet's own
closed tables: nothing named in a file is ever imported or run. ``docs/model-files.md``
describes every field.
"""

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.errors import GlassnetError, InputError, ModelFileError
from glassnet.files.atomic import atomic_write
from glassnet.files.kinds import KINDS, Payload, kind_named, kind_of, known_kinds, register_kind
from glassnet.files.metadata import METADATA, Spec, is_extra_name, metadata_record, parse_metadata
from glassnet.files.npz_reader import BadFileError, NpzReader
from glassnet.files.typed_json import json_safe
from glassnet.validation import FLOAT_DTYPES

__all__ = ["KINDS", "Payload", "load", "register_kind", "save"]

Array = NDArray[np.floating]


def save(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` to ``path`` as a glassnet model file, atomically.

    The file is written to a temporary name in the same folder, flushed to disk,
    then renamed over ``path``: a crash leaves the old file (or no file), never
    half of one. ``path`` is used exactly as given: no ``.npz`` suffix is
    appended (``np.savez`` would add one to a bare name; glassnet does not).

    Parameters
    ----------
    obj
        A :class:`Network`, a :class:`TrainedModel` (with its scikit-learn
        preprocessor and target scaler, if any), a fitted ``MLPClassifier`` or
        ``MLPRegressor`` or a scikit-learn ``Pipeline`` ending in one (kinds that
        :mod:`glassnet.estimators` registers), or an object of a kind added with
        :func:`register_kind`.
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
        store (non-finite weights, values that are not JSON-safe, a transformer or
        pipeline step of another class, an unfitted estimator); nothing is written.
    """
    target = Path(path)
    kind_name, kind = kind_of(obj)
    payload = kind.to_payload(obj)
    arrays = {**_network_arrays(payload.network), **_extra_arrays(payload.arrays)}
    fields = json_safe(payload.fields, "payload")
    record = metadata_record(kind_name, payload.network, payload.arrays, fields)
    blob = json.dumps(record, allow_nan=False).encode("utf-8")
    _check_loadable(blob, arrays)
    with atomic_write(target, "wb") as handle:  # temp file, fsync, os.replace
        np.savez(handle, allow_pickle=False, metadata=np.frombuffer(blob, np.uint8), **arrays)
    return target


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
        if not is_extra_name(name):
            raise InputError(f"extra array name {name!r} is reserved or malformed")
        if array.dtype.name not in FLOAT_DTYPES or not np.isfinite(array).all():
            raise InputError(f"extra array {name!r} must be finite float32 or float64")
    return dict(arrays)


def _check_loadable(blob: bytes, arrays: Mapping[str, Array]) -> None:
    """Refuse to write a file that :func:`load` would refuse: run its checks without the disk."""
    try:
        spec = parse_metadata(json.loads(blob), known_kinds())
        for name, (shape, dtype) in spec.arrays.items():
            if arrays[name].shape != shape or arrays[name].dtype != dtype:
                raise BadFileError(
                    f"{name} has shape {arrays[name].shape} and dtype {arrays[name].dtype}, "
                    f"the metadata implies {shape} and {dtype}"
                )
        _rebuild(spec, arrays)
    except BadFileError as problem:
        raise InputError(f"cannot save this model, it could not be loaded: {problem}") from None


def load(path: str | os.PathLike[str]) -> Any:
    """Read a model file written by :func:`save`, checking everything first.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    Network, TrainedModel, MLPClassifier, MLPRegressor or Pipeline
        The saved object (or one of a kind added with :func:`register_kind`),
        with bit-identical weights. The module of the file's kind is imported if it was
        not yet (:data:`~glassnet.files.kinds.KIND_MODULES`).

    Raises
    ------
    ModelFileError
        If the file is missing, not an ``.npz`` archive (a pickle is refused
        without being read), truncated or corrupted, of a newer format version,
        or if anything in it is unknown, inconsistent or non-finite. The message
        names the file and the problem; no partial model is ever returned.
        Only the file's problems are reported so: an error of glassnet's own
        code propagates as it is.
    """
    source = Path(path)
    try:
        with NpzReader(source) as reader:  # checks the signature: a pickle is refused unread
            if METADATA not in reader.names():
                raise BadFileError(
                    f"no {METADATA!r} entry: an .npz archive, but not a glassnet model"
                )
            spec = parse_metadata(reader.read_json(METADATA), known_kinds())
            reader.check_members([*spec.arrays, METADATA])
            arrays = {
                name: reader.read_finite(name, dtype, shape)
                for name, (shape, dtype) in spec.arrays.items()
            }
        return _rebuild(spec, arrays)
    except BadFileError as problem:
        # the zip or NumPy error behind a damaged file stays attached, for a traceback
        raise ModelFileError(f"cannot load model file {source}: {problem}") from problem.__cause__


def _rebuild(spec: Spec, arrays: Mapping[str, Array]) -> Any:
    """The saved object: its network from the checked weights, then its kind's payload."""
    network = spec.network
    n_layers = len(network["layer_sizes"]) - 1
    try:
        built = Network.from_weights(
            [arrays[f"W{l}"] for l in range(1, n_layers + 1)],
            [arrays[f"b{l}"] for l in range(1, n_layers + 1)],
            hidden=network["hidden"],
            output=network["output"],
            init=network["init"],
            dtype=network["dtype"],
            copy=False,  # read_finite gave contiguous arrays of the network's dtype
            F=arrays.get("F"),  # a numeric embedding's frequencies and phases, (n_0, K)
            P=arrays.get("P"),
            loss=network["loss"],  # the output's pair, or a teaching loss (checked in metadata)
        )
    except InputError as error:
        raise BadFileError(f"the network does not fit its weights: {error}") from None
    extra = {name: arrays[name] for name in spec.extra}
    try:
        return kind_named(spec.kind).from_payload(built, spec.payload, extra)
    except (GlassnetError, KeyError, TypeError, ValueError, OverflowError) as error:
        raise BadFileError(f"invalid {spec.kind} payload: {error}") from None
