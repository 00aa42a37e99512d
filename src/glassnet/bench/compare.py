"""``glassnet bench``'s own table: glassnet against scikit-learn and PyTorch, for a user.

Three training runs a user can picture (two small full-batch networks and a wide
mini-batch one), each trained by every library installed, each run in a fresh
process; one row per workload and library, with the median time, how many times
glassnet's time the library took, and the accuracy (one shared function). The
internal speed targets stay in ``benchmarks/`` (``glassnet bench --targets``).
"""

from typing import Any

from rich.table import Table

from glassnet.bench.report import seconds_text, summarize
from glassnet.bench.workloads import WORKLOADS

COMPARED = ("glassnet", "sklearn", "torch")  # the floor is an internal yardstick: left out
NAMES = {"glassnet": "glassnet", "sklearn": "scikit-learn", "torch": "PyTorch"}
WORKLOADS_SHOWN = ("W1", "W2", "W3")
QUICK_WORKLOADS = ("W1", "W2")  # each in its small version: under a minute in all
EXPLANATION = (
    "Each library trains the same network on the same data from a fixed seed, each run in "
    "a fresh process, the libraries taking turns. 'time' is the median training time, after "
    "one untimed step that lets each library start up; "
    "'vs glassnet' is that time over glassnet's (2.0x: twice as long as glassnet; 0.5x: half "
    "as long). Times on a busy machine vary: compare within one run."
)


def comparison_table(results: list[dict[str, Any]], title: str) -> Table:
    """One row per workload and library: what ran, the median time, the ratio, the accuracy."""
    table = Table(title=title, pad_edge=False)
    for header, justify in (
        ("workload", "left"),
        ("library", "left"),
        ("time", "right"),
        ("vs glassnet", "right"),
        ("accuracy", "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    shown = ""
    for row in summarize(results):
        if row["implementation"] not in COMPARED:
            continue
        workload = WORKLOADS[row["workload"]]
        label = "" if row["workload"] == shown else f"{workload.name}: {workload.description}"
        shown = row["workload"]
        ours = row["implementation"] == "glassnet"
        ratio = "1.0x" if ours else _ratio(row["x_faster"])
        accuracy = row.get("accuracy")
        table.add_row(
            label,
            NAMES[row["implementation"]],
            seconds_text(row["seconds"]),
            ratio,
            "-" if accuracy is None else f"{accuracy:.4f}",
        )
    return table


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"
