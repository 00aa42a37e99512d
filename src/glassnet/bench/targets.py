"""Issue 14's targets, and whether a run met them.

Each :class:`Target` names a workload's measure, what it is compared against, and the
bound: ``x faster`` than a peer (the peer's median time over glassnet's), glassnet's time
over the floor's, the largest accuracy gap to a peer, W4's training memory over its data,
or W6's peak memory. :func:`check_targets` reads the rows of
:func:`~glassnet.bench.report.summarize`.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PEERS = ("sklearn", "torch")


@dataclass(frozen=True)
class Target:
    """One of issue 14's targets: ``value(rows)`` compared with ``bound`` by ``op``."""

    workload: str
    measure: str
    against: str  # "sklearn", "torch", "floor", or what the value is ("accuracy", "memory")
    op: str  # ">=", ">" or "<="
    bound: float

    def text(self) -> str:
        """The target in words, e.g. "W1 train: x faster than sklearn >= 2.5"."""
        what = {
            "floor": "glassnet / floor",
            "accuracy": "|accuracy - glassnet's| of each peer",
            "memory": "(training peak - libraries) / data",
            "peak MB": "glassnet's peak MB",
        }.get(self.against, f"x faster than {self.against}")
        return f"{self.workload} {self.measure}: {what} {self.op} {self.bound:g}"


OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
}
# each training workload's bounds: x faster than sklearn, x faster than torch, glassnet / floor
TRAINING_BOUNDS = {"W1": (2.5, 4, 1.15), "W2": (2.5, 4, 1.15), "W3": (2.5, 2, 2), "W4": (3, 1.5, 2)}
TARGETS = [
    *(
        target
        for w, (sklearn, torch, floor) in TRAINING_BOUNDS.items()
        for target in (
            Target(w, "train", "sklearn", ">=", sklearn),
            Target(w, "train", "torch", ">=", torch),
            Target(w, "train", "floor", "<=", floor),
        )
    ),
    Target("W4", "train", "accuracy", "<=", 0.005),
    Target("W4", "train", "memory", "<=", 1.25),
    Target("W5", "one row", "sklearn", ">", 1),
    Target("W5", "one row", "torch", ">", 1),
    Target("W5", "all rows", "torch", ">=", 1.5),
    Target("W6", "csv", "floor", "<=", 1.5),
    Target("W6", "csv", "peak MB", "<=", 300),
]


def _value(target: Target, rows: list[dict[str, Any]]) -> float | None:
    """The measured number a target is about, or None when the run did not measure it."""
    found = {
        r["implementation"]: r
        for r in rows
        if r["workload"] == target.workload and r["measure"] == target.measure
    }
    ours = found.get("glassnet")
    if ours is None:
        return None
    if target.against in PEERS:
        return found[target.against]["x_faster"] if target.against in found else None
    if target.against == "accuracy":
        gaps = [abs(found[p]["accuracy"] - ours["accuracy"]) for p in PEERS if p in found]
        return max(gaps) if gaps and "accuracy" in ours else None
    key = {"floor": "x_floor", "memory": "memory_over_data", "peak MB": "peak_mb"}[target.against]
    return ours.get(key)


def check_targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every target the run measured: its text, the measured value, and whether it is met."""
    checked = []
    for target in TARGETS:
        value = _value(target, rows)
        if value is not None:
            met = OPS[target.op](value, target.bound)
            checked.append({"target": target.text(), "value": value, "met": met})
    return checked
