"""What a model file can hold: its kinds, each found by name in one table.

A kind says how one type of object becomes a file's contents and comes back:

    obj ──to_payload──> Payload: the network, JSON fields, extra float arrays ──> file
    file ──checked──> network, fields, arrays ──from_payload──> obj

:data:`KIND_MODULES` names the module that defines each of glassnet's kinds beyond a bare
network; it is imported the first time a file of that kind is saved or loaded, so what loads
never depends on what was imported before. :func:`register_kind` teaches
:func:`glassnet.files.model_file.save` and :func:`~glassnet.files.model_file.load` a kind.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glassnet.core.network import Network
from glassnet.errors import InputError
from glassnet.files import metadata
from glassnet.files.npz_reader import BadFileError

Array = NDArray[np.floating]


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
# the module that registers each kind defined above files/, imported on first use
KIND_MODULES = {
    "trained_model": "glassnet.runs.model_payload",
    "estimator": "glassnet.estimators._file_kind",
    "pipeline": "glassnet.estimators._file_kind",
    "tabular_estimator": "glassnet.estimators.tabular_file",
}


def register_kind(
    name: str,
    types: type | tuple[type, ...],
    to_payload: Callable[[Any], Payload],
    from_payload: Callable[[Network, dict[str, Any], dict[str, Array]], Any],
) -> None:
    """Teach ``save`` and ``load`` a kind of object (registering a name again replaces it).

    Parameters
    ----------
    name
        The ``"kind"`` written in the metadata, e.g. ``"estimator"``.
    types
        The class (or classes) ``save`` recognises as this kind.
    to_payload
        ``obj -> Payload``: the network, JSON-safe fields and extra arrays.
    from_payload
        ``(network, fields, arrays) -> obj``: rebuild the object from a network
        whose weights are already checked. It must validate ``fields`` itself and
        raise :class:`InputError` (or ``KeyError``, ``TypeError``, ``ValueError``)
        on anything wrong; ``load`` turns those into :class:`ModelFileError`.
    """
    if not isinstance(name, str) or not metadata.EXTRA_NAME.fullmatch(name):
        raise InputError(f"a kind's name must be lower-case letters, digits and _, got {name!r}")
    KINDS[name] = Kind(types, to_payload, from_payload)


def known_kinds() -> set[str]:
    """The names of every kind this glassnet reads, registered yet or not."""
    return {*KINDS, *KIND_MODULES}


def kind_named(name: str) -> Kind:
    """The kind called ``name`` (one of :func:`known_kinds`), its module imported if need be."""
    if name not in KINDS:
        importlib.import_module(KIND_MODULES[name])  # registers the kind
    return KINDS[name]


def kind_of(obj: Any) -> tuple[str, Kind]:
    """The name and kind ``obj`` is saved as."""
    for name in [*KINDS, *(name for name in KIND_MODULES if name not in KINDS)]:
        kind = kind_named(name)
        if isinstance(obj, kind.types):
            return name, kind
    known = ", ".join(sorted(KINDS))
    raise InputError(f"cannot save a {type(obj).__name__}: glassnet saves {known}")


# --- a bare network -------------------------------------------------------------------


def _network_from_payload(
    network: Network, fields: dict[str, Any], arrays: dict[str, Array]
) -> Network:
    if fields or arrays:
        raise BadFileError("a network file has an empty payload and no extra arrays")
    return network


register_kind("network", Network, Payload, _network_from_payload)  # Payload(network)
