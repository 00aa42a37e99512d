"""``glassnet bench``: glassnet against scikit-learn, PyTorch and the floor, side by side."""

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from glassnet.bench.harness import run_all
from glassnet.bench.machine import machine
from glassnet.bench.report import environment, rich_tables, summarize, to_markdown
from glassnet.bench.workloads import WORKLOADS
from glassnet.cli.app import CONTEXT_SETTINGS, cli, fail
from glassnet.errors import GlassnetError
from glassnet.files.atomic import atomic_write


def _workloads(context: click.Context, parameter: click.Parameter, value: str | None) -> list[str]:
    """``--only W4,W5`` as ["W4", "W5"]; every workload when not given."""
    if value is None:
        return list(WORKLOADS)
    names = [name.strip().upper() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown workload {', '.join(unknown) or repr(value)}: choose from "
            f"{', '.join(WORKLOADS)}, separated by commas (e.g. --only W4,W5)"
        )
    return names


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--only",
    "workloads",
    callback=_workloads,
    metavar="W1,W2,...",
    help=f"The workloads to run, separated by commas. Default: all of {', '.join(WORKLOADS)}.",
)
@click.option(
    "--repetitions",
    type=click.IntRange(min=1),
    help="Runs of each implementation. Default: 5 for W1-W3, 3 for W4-W6, 2 with --quick.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="A small version of each workload (W1 1000 and W2 2000 iterations, W3 one epoch, "
    "W4 and W5 20,000 rows, W6 a 10 MB CSV): a smoke check of a few minutes.",
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
    repetitions: int | None,
    quick: bool,
    threads: int | None,
    raw: str | None,
    from_raw: str | None,
    out: str | None,
) -> None:
    """Time glassnet, scikit-learn, PyTorch (when installed) and the floor on the same work.

    Each run is a fresh process; implementations are interleaved; the table gives medians,
    how many times faster glassnet is than each peer (x faster), glassnet's time over the
    floor's (x floor: the same step with the fewest NumPy calls, or the matrix products
    alone), the accuracy (one shared float64 function), peak memory, and the targets.
    Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset. Timing is noisy on a busy
    machine: compare ratios within one run.
    """
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


def _run(
    workloads: list[str], repetitions: int | None, quick: bool, threads: int | None
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """The runs' records, and the machine before and after them."""
    console = Console(stderr=True)
    start = machine()
    try:
        results = run_all(workloads, repetitions, quick, console.print, threads)
    except GlassnetError as error:
        fail(str(error))
    except RuntimeError as error:
        fail(str(error), 1)
    return results, start, machine()
