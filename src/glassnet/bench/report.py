"""The report: medians, glassnet's speed-up over each peer, its distance to the floor, the targets.

:func:`summarize` turns the runs' records into one row per (workload, measure,
implementation) with the median time and two ratios, both computed from medians:

``x faster``  the peer's median time over glassnet's: how many times faster glassnet is
``x floor``   glassnet's median time over the floor's (on glassnet's row): 1.0 is the floor

:func:`~glassnet.bench.targets.check_targets` compares them with issue 14's targets;
:func:`to_markdown` and :func:`rich_tables` write both, the second narrow enough for an
80-column terminal.
"""

import statistics
from typing import Any

from rich.table import Table

from glassnet.bench.targets import PEERS, check_targets
from glassnet.bench.workloads import WORKLOADS

DETAILS = (  # the numbers besides the time that a row carries, as the median over its runs
    "us_per_step", "loss", "accuracy", "peak_mb", "data_mb", "base_mb", "before_mb",
    "rows_per_s", "megabytes_per_s", "predict_extra_mb", "rows", "rows_out", "steps",
)  # fmt: skip
PER_IMPLEMENTATION = ("pools", "torch_threads")  # what the environment lists per implementation
SEE_ALSO = """## See also

- [analysis.md](analysis.md): where the time goes for every missed target, with profiles.
- [before_after.md](before_after.md) compares the layered package with the flat one of ca3a073
  (issue #10): W1-W3, and the one-row `predict` / `predict_proba` latency and the 10,000-row
  `predict` throughput of a fitted 784-512-10 `MLPClassifier`, each measurement in its own
  process, before and after interleaved. Produced by
  `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/before_after.py`."""


def summarize(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Medians per (workload, measure, implementation), with ``x_faster`` and ``x_floor``."""
    rows = []
    for workload in dict.fromkeys(r["workload"] for r in results):
        mine = [r for r in results if r["workload"] == workload]
        for measure in dict.fromkeys(m for r in mine for m in r["times"]):
            medians = {}
            for implementation in dict.fromkeys(r["implementation"] for r in mine):
                runs = [r for r in mine if r["implementation"] == implementation]
                medians[implementation] = {
                    "seconds": statistics.median(r["times"][measure] for r in runs),
                    "runs": len(runs),
                    **_median_details(runs),
                }
            _probe_gaps(mine, medians)
            ours = medians.get("glassnet", {}).get("seconds")
            floor = medians.get("floor", {}).get("seconds")
            for implementation, median in medians.items():
                row = {"workload": workload, "measure": measure, "implementation": implementation}
                row |= median
                row["x_faster"] = (
                    median["seconds"] / ours if ours and implementation in PEERS else None
                )
                row["x_floor"] = ours / floor if floor and implementation == "glassnet" else None
                rows.append(row)
    return rows


def _probe_gaps(runs: list[dict[str, Any]], medians: dict[str, dict[str, Any]]) -> None:
    """W5's same-work check: the largest |P(y = 1) - glassnet's| over the probed rows."""
    probes = {r["implementation"]: r["probe"] for r in runs if r.get("probe")}
    if "glassnet" in probes:
        for implementation, probe in probes.items():
            gaps = [abs(a - b) for a, b in zip(probe, probes["glassnet"], strict=True)]
            medians[implementation]["probe_gap"] = max(gaps)


def _median_details(runs: list[dict[str, Any]]) -> dict[str, float]:
    details = {}
    for key in DETAILS:
        values = [r[key] for r in runs if isinstance(r.get(key), int | float)]
        if values:
            details[key] = statistics.median(values)
    if "peak_mb" in details and "data_mb" in details:  # training: (peak - libraries) / data
        details["memory_over_data"] = (details["peak_mb"] - details["base_mb"]) / details["data_mb"]
    return details


def seconds_text(seconds: float) -> str:
    """A duration in the unit that keeps it between 1 and 1000: "84.5us", "12.3ms", "4.20s"."""
    for unit, scale in (("us", 1e6), ("ms", 1e3)):
        if seconds * scale < 1000:
            return f"{seconds * scale:.1f}{unit}"
    return f"{seconds:.2f}s"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _number(row: dict[str, Any], key: str, form: str) -> str:
    return format(row[key], form) if key in row else ""


def table_cells(row: dict[str, Any]) -> list[str]:
    """A row's cells: workload, implementation, measure, median, ratios, accuracy, peak MB."""
    return [
        row["workload"],
        row["implementation"],
        row["measure"],
        seconds_text(row["seconds"]),
        _ratio(row["x_faster"]),
        _ratio(row["x_floor"]),
        _number(row, "accuracy", ".4f"),
        _number(row, "peak_mb", ".0f"),
    ]


HEADERS = ("work", "impl", "measure", "median", "x faster", "x floor", "acc", "peak MB")


def rich_tables(rows: list[dict[str, Any]], title: str) -> tuple[Table, Table]:
    """The results and the targets as two rich tables that fit 80 columns."""
    results = Table(title=title, pad_edge=False)
    for header in HEADERS:
        results.add_column(header, justify="left" if header in HEADERS[:3] else "right")
    for row in rows:
        results.add_row(*table_cells(row))
    targets = Table(title="targets", pad_edge=False)
    for header, justify in (("target", "left"), ("value", "right"), ("met", "left")):
        targets.add_column(header, justify=justify)  # type: ignore[arg-type]
    for target in check_targets(rows):
        targets.add_row(target["target"], f"{target['value']:.3g}", _met(target["met"]))
    return results, targets


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


def to_markdown(rows: list[dict[str, Any]], command: str, environment: dict[str, Any]) -> str:
    """The results, the targets and the environment as Markdown, with the command that ran."""
    names = [key for key in WORKLOADS if any(r["workload"] == key for r in rows)]
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}`: medians over the repetitions, each (implementation, "
        "repetition) in its own process, implementations interleaved. `x faster` is the "
        "peer's median time over glassnet's; `x floor` is glassnet's median time over the "
        "floor's. Loss and accuracy on the training data, by one shared float64 function.",
        "",
        *(f"- **{name}**: {WORKLOADS[name].description}" for name in names),
        "",
        "| workload | implementation | measure | runs | median | us/step | x faster | x floor "
        "| loss | accuracy | peak MB | throughput |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        work, impl, measure, median, faster, floor, accuracy, peak = table_cells(row)
        lines.append(
            f"| {work} | {impl} | {measure} | {row['runs']} | {median} | "
            f"{_number(row, 'us_per_step', '.1f')} | {faster} | {floor} | "
            f"{_number(row, 'loss', '.4f')} | {accuracy} | {peak} | {_throughput(row)} |"
        )
    lines += ["", *notes(rows)]
    lines += ["", "## Targets", "", "| target | measured | |", "| --- | ---: | --- |"]
    lines += [
        f"| {t['target']} | {t['value']:.3g} | {_met(t['met'])} |" for t in check_targets(rows)
    ]
    lines += ["", "## Environment", ""]
    lines += [f"- {key}: {value}" for key, value in environment.items()]
    return "\n".join([*lines, "", SEE_ALSO]) + "\n"


def notes(rows: list[dict[str, Any]]) -> list[str]:
    """W4's memory against its data, W5's agreement, W6's file: one sentence each, when measured."""
    found = {(r["workload"], r["implementation"]): r for r in rows}
    lines = []
    w4 = found.get(("W4", "glassnet"), {})
    if "memory_over_data" in w4:
        lines.append(
            f"- W4 memory: the data (X and y) take {w4['data_mb']:.0f} MB; glassnet's process "
            f"held {w4['base_mb']:.0f} MB before making them (Python and the libraries), "
            f"{w4['before_mb']:.0f} MB with them, and peaked at {w4['peak_mb']:.0f} MB while "
            f"training: (peak - libraries) / data = {w4['memory_over_data']:.2f}."
        )
    gaps = [r["probe_gap"] for r in rows if r["workload"] == "W5" and "probe_gap" in r]
    if gaps:
        lines.append(
            f"- W5 same work: every peer's P(y = 1) on the first rows is within {max(gaps):.1e} "
            "of glassnet's (the same float32 weights in all three)."
        )
    w6 = found.get(("W6", "glassnet"), {})
    if "rows" in w6:
        lines.append(
            f"- W6: the CSV has {w6['rows']:,.0f} rows of 50 columns; glassnet predict wrote "
            f"{w6.get('rows_out', 0):,.0f} predictions; times are each child's wall time, "
            "start to exit, and peak MB its ru_maxrss."
        )
    return lines


def _throughput(row: dict[str, Any]) -> str:
    if row["measure"] == "all rows" and "rows_per_s" in row:
        return f"{row['rows_per_s'] / 1e6:.2f}M rows/s"
    if "megabytes_per_s" in row:
        return f"{row['megabytes_per_s']:.0f} MB/s"
    return ""


def environment(
    results: list[dict[str, Any]], start: dict[str, Any], end: dict[str, Any]
) -> dict[str, Any]:
    """The machine (at the start; the load at both ends) and what the measuring children saw.

    The thread pools are listed per implementation: a library loaded after a
    ``--threads`` limit was set (SciPy's OpenBLAS, by the scoring after training) keeps
    its own thread count, and is listed with it.
    """
    seen: dict[str, list[str]] = {}
    for result in results:
        for key, value in result.get("seen", {}).items():
            label = f"{key} ({result['implementation']})" if key in PER_IMPLEMENTATION else key
            items = seen.setdefault(label, [])
            for item in value if isinstance(value, list) else [value]:
                if str(item) not in items:
                    items.append(str(item))
    described = {key: value for key, value in start.items() if key != "load"}
    described["load average (1, 5, 15 min) at the start"] = start["load"]
    described["load average at the end"] = end["load"]
    return described | {f"children saw {key}": "; ".join(items) for key, items in seen.items()}
