"""A model file's metadata: the JSON that describes everything beside the weights.

    format, format_version, glassnet_version    which file this is, and who wrote it
    kind                                        what it holds (see :mod:`glassnet.files.kinds`)
    network                                     layer_sizes, hidden, output, loss, init, dtype,
                                                embedding (K: only a network with one has it)
    arrays                                      each extra array's shape and dtype
    payload                                     the kind's own JSON fields

:func:`metadata_record` writes it; :func:`parse_metadata` reads it back, field by field,
looking every name up in glassnet's own closed tables. Any problem raises
:class:`~glassnet.files.npz_reader.BadFileError` naming the field.
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

from glassnet._version import __version__
from glassnet.core.activations import HIDDEN_ACTIVATIONS
from glassnet.core.initializers import INITIALIZERS
from glassnet.core.losses import LOSS_FOR_OUTPUT, OTHER_LOSSES
from glassnet.core.network import Network
from glassnet.files.npz_reader import BadFileError
from glassnet.validation import FLOAT_DTYPES

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
METADATA = "metadata"  # the archive entry holding the JSON
MAX_UNITS = 2**24  # units per layer a file may declare
MAX_LAYERS = 1024
EXTRA_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
NETWORK_NAME = re.compile(r"[Wb][0-9]+|[FP]")
TOP_FIELDS = {
    "format",
    "format_version",
    "glassnet_version",
    "kind",
    "network",
    "arrays",
    "payload",
}
NETWORK_FIELDS = {"layer_sizes", "hidden", "output", "loss", "init", "dtype", "embedding"}
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}

Shapes = dict[str, tuple[tuple[int, ...], np.dtype]]


@dataclass(frozen=True)
class Spec:
    """What the metadata promises: the kind, the network, every array's shape and dtype."""

    kind: str
    network: dict[str, Any]
    arrays: Shapes
    extra: tuple[str, ...]
    payload: dict[str, Any]


def metadata_record(
    kind: str, network: Network, arrays: Mapping[str, np.ndarray], payload: dict[str, Any]
) -> dict[str, Any]:
    """The metadata of a file holding ``network``, the extra ``arrays`` and a JSON ``payload``."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "kind": kind,
        "network": {
            "layer_sizes": list(network.layer_sizes),
            "hidden": network.hidden,
            "output": network.output,
            "loss": network.loss.name,
            "init": network.init,
            "dtype": network.dtype.name,
            **_embedding_field(network),
        },
        "arrays": {
            name: {"shape": list(array.shape), "dtype": array.dtype.name}
            for name, array in arrays.items()
        },
        "payload": payload,
    }


def _embedding_field(network: Network) -> dict[str, int]:
    """``{"embedding": K}`` for a network with a numeric embedding; nothing for one without."""
    return {} if network.embedding is None else {"embedding": network.embedding.n_frequencies}


def parse_metadata(metadata: Any, kinds: Collection[str]) -> Spec:
    """Check the metadata field by field; ``kinds`` are the kinds this glassnet reads."""
    if not isinstance(metadata, dict):
        raise BadFileError("the metadata is not a JSON object")
    if metadata.get("format") != FORMAT:
        raise BadFileError(f"format is {metadata.get('format')!r}, not {FORMAT!r}")
    _check_version(metadata)
    only_keys(metadata, TOP_FIELDS, "metadata")
    field(metadata, "glassnet_version", str, "metadata")
    kind = field(metadata, "kind", str, "metadata")
    if kind not in kinds:
        raise BadFileError(f"unknown kind {kind!r}: this glassnet reads {', '.join(sorted(kinds))}")
    network = _parse_network(field(metadata, "network", dict, "metadata"))
    extra = _parse_extra(field(metadata, "arrays", dict, "metadata"))
    payload = field(metadata, "payload", dict, "metadata")
    return Spec(kind, network, {**network_shapes(network), **extra}, tuple(extra), payload)


def _check_version(metadata: dict[str, Any]) -> None:
    version = field(metadata, "format_version", int, "metadata")
    if version > FORMAT_VERSION:
        raise BadFileError(
            f"it has format version {version} (written by glassnet "
            f"{short(metadata.get('glassnet_version'))}); this glassnet {__version__} "
            f"reads format version {FORMAT_VERSION}: upgrade glassnet "
            "(pip install --upgrade glassnet)"
        )
    if version < 1:
        raise BadFileError(f"format_version {version} does not exist; versions start at 1")


def _parse_network(network: dict[str, Any]) -> dict[str, Any]:
    only_keys(network, NETWORK_FIELDS, "network")
    sizes = field(network, "layer_sizes", list, "network")
    if not 2 <= len(sizes) <= MAX_LAYERS:
        raise BadFileError(
            f"network.layer_sizes must list 2 to {MAX_LAYERS} sizes, got {len(sizes)}"
        )
    for i, size in enumerate(sizes):
        if not is_int(size) or not 1 <= size <= MAX_UNITS:
            raise BadFileError(f"network.layer_sizes[{i}] must be a whole number in 1..{MAX_UNITS}")
    hidden = field(network, "hidden", list, "network")
    if len(hidden) != len(sizes) - 2:
        raise BadFileError(
            f"network.hidden names {len(hidden)} activation(s) for {len(sizes) - 2} hidden layer(s)"
        )
    for i, name in enumerate(hidden):
        known(name, HIDDEN_ACTIVATIONS, f"network.hidden[{i}]", "hidden activation")
    output = known(network.get("output"), LOSS_FOR_OUTPUT, "network.output", "output")
    pair, others = LOSS_FOR_OUTPUT[output].name, [n for out, n in OTHER_LOSSES if out == output]
    if network.get("loss") not in [pair, *others]:
        also = "".join(f" (or takes {other!r})" for other in others)
        raise BadFileError(
            f"network.loss is {network.get('loss')!r}; a {output} output pairs with {pair!r}{also}"
        )
    known(network.get("init"), INITIALIZERS, "network.init", "initialiser")
    known(network.get("dtype"), FLOAT_DTYPES, "network.dtype", "dtype")
    K = network.get("embedding")
    if K is not None and (not is_int(K) or not 1 <= K <= MAX_UNITS // sizes[0]):
        raise BadFileError(
            f"network.embedding must be a whole number in 1..{MAX_UNITS // sizes[0]}"
        )
    return network


def network_shapes(network: dict[str, Any]) -> Shapes:
    """``W1, b1, ...``: the shape and dtype of each parameter array of the network described."""
    sizes, dtype = network["layer_sizes"], np.dtype(network["dtype"])
    shapes: Shapes = {}
    K = network.get("embedding")
    if K is not None:  # F[j, k], P[j, k]: (n_0, K); A[0] = [X, sin(2 pi F x + P)], n_0 (1 + K) wide
        shapes["F"] = shapes["P"] = ((sizes[0], K), dtype)
    for l in range(1, len(sizes)):
        fan_in = sizes[0] * (1 + K) if l == 1 and K is not None else sizes[l - 1]
        shapes[f"W{l}"] = ((fan_in, sizes[l]), dtype)  # W[l]: (n_{l-1}, n_l)
        shapes[f"b{l}"] = ((sizes[l],), dtype)  # b[l]: (n_l,)
    return shapes


def _parse_extra(arrays: dict[str, Any]) -> Shapes:
    extra = {}
    for name, entry in arrays.items():
        if not is_extra_name(name):
            raise BadFileError(f"arrays lists a reserved or malformed name {name!r}")
        where = f"arrays[{name!r}]"
        if not isinstance(entry, dict):
            raise BadFileError(f"{where} must be an object with 'shape' and 'dtype'")
        only_keys(entry, {"shape", "dtype"}, where)
        shape = field(entry, "shape", list, where)
        if len(shape) > 4 or not all(is_int(n) and 0 <= n <= MAX_UNITS for n in shape):
            raise BadFileError(f"{where}.shape must be up to 4 whole numbers in 0..{MAX_UNITS}")
        dtype = known(entry.get("dtype"), FLOAT_DTYPES, f"{where}.dtype", "dtype")
        extra[name] = (tuple(shape), np.dtype(dtype))
    return extra


def is_extra_name(name: str) -> bool:
    """Whether ``name`` may name an extra array: lower case, not ``W1``-like, not the metadata."""
    reserved = NETWORK_NAME.fullmatch(name) or name == METADATA
    return bool(EXTRA_NAME.fullmatch(name)) and not reserved


# --- the checks of one JSON field ------------------------------------------------------


def field(mapping: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    """``mapping[key]``, which must exist and be of JSON type ``kind``."""
    if key not in mapping:
        raise BadFileError(f"{where}.{key} is missing")
    value = mapping[key]
    ok = is_int(value) if kind is int else isinstance(value, kind)
    if not ok:
        wanted = _JSON_TYPES.get(kind, "a whole number")
        raise BadFileError(f"{where}.{key} must be {wanted}, got {short(value)}")
    return value


def known(name: Any, table: Mapping[str, Any] | tuple[str, ...], where: str, what: str) -> str:
    """``name``, which must be one of ``table``'s names."""
    if not isinstance(name, str) or name not in table:
        raise BadFileError(
            f"unknown {what} {short(name)} in {where}: known are {', '.join(sorted(table))}"
        )
    return name


def only_keys(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Refuse any key of ``mapping`` outside ``allowed``."""
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise BadFileError(f"{where} has unknown field(s) {', '.join(map(repr, unknown[:10]))}")


def is_int(value: Any) -> TypeGuard[int]:
    """A JSON whole number (``true`` and ``false`` are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def short(value: Any) -> str:
    """``repr(value)``, cut to 60 characters for a message."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
