"""``glassnet bench``: glassnet against scikit-learn, PyTorch and the floor, side by side."""

import sys

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
    help="Limit BLAS, OpenMP and PyTorch to this many threads in the measuring processes "
    "(not in W6's glassnet predict). Default: the libraries' own.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the tables as Markdown to this file (e.g. benchmarks/results.md).",
)
def bench(
    workloads: list[str], repetitions: int | None, quick: bool, threads: int | None, out: str | None
) -> None:
    """Time glassnet, scikit-learn, PyTorch (when installed) and the floor on the same work.

    Each run is a fresh process; implementations are interleaved; the table gives medians,
    how many times faster glassnet is than each peer (x faster), glassnet's time over the
    floor's (x floor: the same step with the fewest NumPy calls, or the matrix products
    alone), the accuracy (one shared float64 function), peak memory, and the targets.
    Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset. Timing is noisy on a busy
    machine: compare ratios within one run.
    """
    console = Console(stderr=True)
    start = machine()
    try:
        results = run_all(workloads, repetitions, quick, console.print, threads)
    except GlassnetError as error:
        fail(str(error))
    except RuntimeError as error:
        fail(str(error), 1)
    rows = summarize(results)
    for table in rich_tables(rows, "glassnet bench" + (" (quick)" if quick else "")):
        Console().print(table)
    if out:
        program = "python benchmarks/run.py" if sys.argv[0].endswith("run.py") else "glassnet"
        command = " ".join([program, *sys.argv[1:]])
        with atomic_write(out, "w") as handle:
            handle.write(to_markdown(rows, command, environment(results, start, machine())))
        click.echo(f"wrote {out}")
