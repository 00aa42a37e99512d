"""``glassnet bench``: glassnet against scikit-learn and PyTorch on this machine.

By default a short comparison a user runs (under a minute with ``--quick``): a few
workloads, each trained by every library installed in a fresh process, in one table.
``--targets`` runs the internal benchmark instead: every workload, the floor and the
speed targets, as ``benchmarks/run.py`` does.
"""

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from glassnet.bench.harness import run_all
from glassnet.bench.machine import machine
from glassnet.bench.report import environment, rich_tables, seconds_text, summarize, to_markdown
from glassnet.bench.workloads import WORKLOADS
from glassnet.cli.app import cli, fail
from glassnet.errors import GlassnetError
from glassnet.files.atomic import atomic_write

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


def _workloads(context: click.Context, parameter: click.Parameter, value: str | None) -> list[str]:
    """``--only W4,W5`` as ["W4", "W5"]; none given: an empty list (the default set)."""
    if value is None:
        return []
    names = [name.strip().upper() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown workload {', '.join(unknown) or repr(value)}: choose from "
            f"{', '.join(WORKLOADS)}, separated by commas (e.g. --only W4,W5)"
        )
    return names


@cli.command()
@click.option(
    "--only",
    "workloads",
    callback=_workloads,
    metavar="W1,W2,...",
    help=f"The workloads to run, separated by commas, of {', '.join(WORKLOADS)}. Default: "
    f"{', '.join(WORKLOADS_SHOWN)} ({', '.join(QUICK_WORKLOADS)} with --quick); with "
    "--targets all.",
)
@click.option(
    "--targets",
    is_flag=True,
    help="Run the internal benchmark instead (benchmarks/run.py): every workload, the floor "
    "(the fewest NumPy calls) and glassnet's speed targets. Takes many minutes.",
)
@click.option(
    "--repetitions",
    type=click.IntRange(min=1),
    help="Runs of each library. Default: 5 for W1-W3, 3 for W4-W6; with --quick 1 (2 with "
    "--targets).",
)
@click.option(
    "--quick",
    is_flag=True,
    help="A small version of each workload (W1 500 and W2 1000 iterations, W3 one epoch, "
    "W4 and W5 20,000 rows, W6 a 10 MB CSV): the comparison in under a minute.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Run BLAS, OpenMP and PyTorch on this many threads in the measuring processes "
    "(OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS set in their environment). "
    "Default: the libraries' own.",
)
@click.option(
    "--raw",
    type=click.Path(dir_okay=False),
    help="Also write every run's record as JSON to this file.",
)
@click.option(
    "--from-raw",
    type=click.Path(exists=True, dir_okay=False),
    help="Run nothing: make the tables from the records a --raw file holds.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the tables as Markdown to this file (e.g. benchmarks/results.md).",
)
def bench(
    workloads: list[str],
    targets: bool,
    repetitions: int | None,
    quick: bool,
    threads: int | None,
    raw: str | None,
    from_raw: str | None,
    out: str | None,
) -> None:
    """Time glassnet, scikit-learn and PyTorch (when installed) training the same networks.

    Each run is a fresh process and the libraries take turns; the table gives each one's
    median time, that time over glassnet's, and the accuracy (one shared function).
    With --targets: the internal benchmark, with the floor, peak memory and the targets.
    """
    if not targets:
        _compare(workloads, repetitions, quick, threads)
        return
    workloads = workloads or list(WORKLOADS)
    program = "python benchmarks/run.py" if sys.argv[0].endswith("run.py") else "glassnet"
    command = " ".join([program, *sys.argv[1:]])
    if from_raw:
        saved = json.loads(Path(from_raw).read_text(encoding="utf-8"))
        results, start, end = saved["results"], saved["start"], saved["end"]
        command = f"{saved['command']}`, its tables made again by `{command}"
    else:
        results, start, end = _run(workloads, repetitions, quick, threads)
    if raw:
        with atomic_write(raw, "w") as handle:
            json.dump({"command": command, "results": results, "start": start, "end": end}, handle)
    rows = summarize(results)
    for table in rich_tables(rows, "glassnet bench" + (" (quick)" if quick else "")):
        Console().print(table)
    if out:
        with atomic_write(out, "w") as handle:
            handle.write(to_markdown(rows, command, environment(results, start, end)))
        click.echo(f"wrote {out}")


def _compare(
    workloads: list[str], repetitions: int | None, quick: bool, threads: int | None
) -> None:
    """The user's comparison: a few workloads, glassnet and its peers, one table explained."""
    names = workloads or list(QUICK_WORKLOADS if quick else WORKLOADS_SHOWN)
    runs = repetitions or (1 if quick else None)
    results, _, _ = _run(names, runs, quick, threads, COMPARED)
    console = Console()
    title = "glassnet against scikit-learn and PyTorch" + (" (--quick)" if quick else "")
    console.print(comparison_table(results, title))
    console.print(Text(EXPLANATION))


def _run(
    workloads: list[str],
    repetitions: int | None,
    quick: bool,
    threads: int | None,
    only: tuple[str, ...] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """The runs' records, and the machine before and after them."""
    console = Console(stderr=True)
    start = machine()
    try:
        results = run_all(workloads, repetitions, quick, console.print, threads, only)
    except GlassnetError as error:
        fail(str(error))
    except RuntimeError as error:
        fail(str(error), 1)
    return results, start, machine()


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
