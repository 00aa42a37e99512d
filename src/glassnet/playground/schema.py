"""The WebSocket messages a page may send, as plain tables, and their validation.

Every message is a JSON object with a ``type``. :data:`MESSAGES` names each type's
fields; :data:`SETUP_FIELDS` describes the ``setup`` message field by field (its kind,
its bounds or choices, its default). :func:`parse_message` turns the text of a frame
into a :class:`Command`, or raises :class:`MessageError` naming the field and the
fix: the server answers with an error frame and the session keeps running. Nothing a
page sends is executed or used as a file path: every value ends up a number, a bool,
or one of a fixed list of names.
"""

import json
import math
from dataclasses import dataclass, field
from typing import Any

from glassnet.core.activations import HIDDEN_ACTIVATIONS

MAX_MESSAGE_BYTES = 64 * 1024  # a setup with every clicked point fits in a few kilobytes
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 16
MAX_ADDED_POINTS = 500

DATASETS = ("moons", "circles", "xor", "spiral", "gaussians", "plane", "bumps", "csv")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
OUTPUTS = ("auto", "sigmoid", "softmax", "identity", "sigmoid_squared_error")
OPTIMIZERS = ("gd", "momentum", "adam")


class MessageError(ValueError):
    """A message the schema refuses; its text says which field and what to send instead."""


@dataclass(frozen=True)
class Field:
    """One field of the setup: ``kind`` is "int", "float", "choice", "names" or "layers"."""

    kind: str
    default: Any
    low: float = -math.inf
    high: float = math.inf
    choices: tuple[str, ...] = ()


SETUP_FIELDS: dict[str, Field] = {
    "data": Field("choice", "moons", choices=DATASETS),
    "noise": Field("float", 0.2, 0.0, 1.0),
    "points": Field("int", 500, 10, 2000),
    "train_ratio": Field("float", 0.5, 0.1, 0.9),
    "classes": Field("int", 2, 2, 5),
    "features": Field("names", ("x1", "x2"), choices=FEATURES),
    "hidden": Field("layers", (8, 8), 1, MAX_UNITS),
    "activations": Field("names", ("relu", "relu"), choices=HIDDEN_ACTIVATIONS),
    "output": Field("choice", "auto", choices=OUTPUTS),
    "optimizer": Field("choice", "adam", choices=OPTIMIZERS),
    "learning_rate": Field("float", 0.03, 1e-6, 100.0),
    "batch_size": Field("int", 10, 0, 2000),  # 0: the full batch
    "l2": Field("float", 0.0, 0.0, 10.0),
    "dropout": Field("float", 0.0, 0.0, 0.9),
    "seed": Field("int", 0, 0, 2**31 - 1),
    "steps_per_frame": Field("int", 5, 1, 200),
    "csv_x1": Field("column", ""),
    "csv_x2": Field("column", ""),
    "csv_target": Field("column", ""),
    "added": Field("added", ()),
}
"""Every setup field, its kind, bounds or choices, and the default the page starts from."""

MESSAGES: dict[str, tuple[str, ...]] = {
    "setup": tuple(SETUP_FIELDS),  # the whole setup: builds the data and a fresh network
    "play": (),
    "pause": (),
    "step": (),  # one mini-batch
    "epoch": (),  # the rest of the current epoch
    "reset": (),  # fresh weights, same setup
    "add_point": ("x1", "x2", "label"),  # a clicked point joins the training data
    "inspect": ("layer", "unit", "source"),  # the glass box of a unit (source -1) or a weight
    "ack": (),  # the page drew the last frame: the next may come
}
"""Each message type and the fields it may carry."""


@dataclass(frozen=True)
class Setup:
    """A checked setup: one attribute per :data:`SETUP_FIELDS` entry (the defaults are there)."""

    data: str
    noise: float
    points: int
    train_ratio: float
    classes: int
    features: tuple[str, ...]
    hidden: tuple[int, ...]
    activations: tuple[str, ...]
    output: str
    optimizer: str
    learning_rate: float
    batch_size: int
    l2: float
    dropout: float
    seed: int
    steps_per_frame: int
    csv_x1: str
    csv_x2: str
    csv_target: str
    added: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class Command:
    """One parsed message: its ``type`` and its checked fields."""

    type: str
    fields: dict[str, Any] = field(default_factory=dict)
    setup: Setup | None = None


def defaults() -> dict[str, Any]:
    """The default setup as JSON-ready values (what the page starts from)."""
    return {
        name: list(spec.default) if isinstance(spec.default, tuple) else spec.default
        for name, spec in SETUP_FIELDS.items()
    }


def hello_message(session: str, setup: dict[str, Any] | None = None) -> dict[str, Any]:
    """The first message a view gets: its session's name, the setup to start from (None:
    :func:`defaults`) and every choice the page offers."""
    return {
        "type": "hello",
        "session": session,
        "defaults": defaults() if setup is None else dict(setup),
        "choices": {
            name: list(spec.choices) for name, spec in SETUP_FIELDS.items() if spec.choices
        },
    }


def parse_message(text: str | bytes) -> Command:
    """Check one frame's text against the schema and return its :class:`Command`.

    Raises
    ------
    MessageError
        For binary, oversized or malformed frames, an unknown type or field, or a value
        out of its bounds; the message names the problem and what is accepted.
    """
    if isinstance(text, bytes):
        raise MessageError("binary messages are not accepted: send JSON text")
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise MessageError(f"message too large: at most {MAX_MESSAGE_BYTES} bytes")
    try:
        message = json.loads(text)
    except ValueError as error:
        raise MessageError(f"malformed JSON: {error}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise MessageError('a message must be a JSON object with a "type", e.g. {"type": "play"}')
    kind = message.pop("type")
    if kind not in MESSAGES:
        raise MessageError(f"unknown message type {kind[:40]!r}: known are {', '.join(MESSAGES)}")
    unknown = sorted(set(message) - set(MESSAGES[kind]))
    if unknown:
        known = ", ".join(MESSAGES[kind]) or "none"
        raise MessageError(f"{kind}: unknown field {unknown[0][:40]!r} (its fields: {known})")
    if kind == "setup":
        return Command(kind, setup=check_setup(message))
    if kind == "add_point":
        x1, x2, label = (_number(message.get(name), name, -1e6, 1e6) for name in MESSAGES[kind])
        return Command(kind, {"x1": x1, "x2": x2, "label": label})
    if kind == "inspect":
        return Command(
            kind, {name: _integer(message.get(name), name, -1, 64) for name in MESSAGES[kind]}
        )
    return Command(kind)


def check_setup(values: dict[str, Any]) -> Setup:
    """A :class:`Setup` from a ``setup`` message's fields; missing fields take their default."""
    checked = {
        name: _check(name, spec, values.get(name, spec.default))
        for name, spec in SETUP_FIELDS.items()
    }
    setup = Setup(**checked)
    if len(setup.activations) != len(setup.hidden):
        raise MessageError(
            f"activations: give one per hidden layer ({len(setup.hidden)}), "
            f"got {len(setup.activations)}"
        )
    if not setup.features:
        raise MessageError(f"features: choose at least one of {', '.join(FEATURES)}")
    if setup.data == "csv" and not (setup.csv_x1 and setup.csv_x2 and setup.csv_target):
        raise MessageError("csv: choose the two feature columns and the target column")
    return setup


def _check(name: str, spec: Field, value: Any) -> Any:
    if spec.kind == "int":
        return _integer(value, name, spec.low, spec.high)
    if spec.kind == "float":
        return _number(value, name, spec.low, spec.high)
    if spec.kind == "choice":
        if value not in spec.choices:
            raise MessageError(
                f"{name}: {str(value)[:40]!r} is not one of {', '.join(spec.choices)}"
            )
        return value
    if spec.kind == "names":
        names = _list(value, name, MAX_HIDDEN_LAYERS + len(FEATURES))
        for item in names:
            _check(name, Field("choice", None, choices=spec.choices), item)
        return tuple(dict.fromkeys(names)) if name == "features" else tuple(names)
    if spec.kind == "layers":
        sizes = _list(value, name, MAX_HIDDEN_LAYERS)
        return tuple(_integer(size, name, spec.low, spec.high) for size in sizes)
    if spec.kind == "column":
        if not isinstance(value, str) or len(value) > 200:
            raise MessageError(f"{name}: a column name, text of at most 200 characters")
        return value
    points = _list(value, name, MAX_ADDED_POINTS)
    return tuple(_point(point) for point in points)


def _point(value: Any) -> tuple[float, float, float]:
    if not isinstance(value, list) or len(value) != 3:
        raise MessageError("added: each point is [x1, x2, label]")
    x1, x2, label = (_number(item, "added", -1e6, 1e6) for item in value)
    return x1, x2, label


def _list(value: Any, name: str, longest: int) -> list[Any]:
    if not isinstance(value, list | tuple) or len(value) > longest:
        raise MessageError(f"{name}: a list of at most {longest} items")
    return list(value)


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MessageError(f"{name}: a number from {low:g} to {high:g}, got {str(value)[:40]!r}")
    if not low <= value <= high:
        raise MessageError(f"{name}: {value:g} is outside {low:g} to {high:g}")
    return float(value)


def _integer(value: Any, name: str, low: float, high: float) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MessageError(
            f"{name}: a whole number from {low:g} to {high:g}, got {str(value)[:40]!r}"
        )
    if not low <= value <= high:
        raise MessageError(f"{name}: {value} is outside {low:g} to {high:g}")
    return value
