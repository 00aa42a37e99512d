"""``glassnet bench``: glassnet against scikit-learn's MLP and PyTorch, side by side."""

import sys

import click
from rich.console import Console
from rich.table import Table

from glassnet.bench.harness import WORKLOADS, run_all, summarize, to_markdown
from glassnet.cli.app import CONTEXT_SETTINGS, cli, fail
from glassnet.errors import GlassnetError
from glassnet.files.atomic import atomic_write


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--workload",
    "workloads",
    multiple=True,
    type=click.Choice(sorted(WORKLOADS)),
    help="A workload to run (repeatable). Default: all of W1, W2, W3.",
)
@click.option(
    "--repetitions", type=int, default=5, show_default=True, help="Runs of each implementation."
)
@click.option(
    "--quick",
    is_flag=True,
    help="About a minute: fewer iterations (W1 1000, W2 2000, W3 one epoch) and 2 repetitions.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the table as Markdown to this file (e.g. benchmarks/results.md).",
)
def bench(workloads: tuple[str, ...], repetitions: int, quick: bool, out: str | None) -> None:
    """Time glassnet, scikit-learn's MLPClassifier and PyTorch (when installed) on the same work.

    Each run is a fresh process; implementations are interleaved; the table gives medians,
    microseconds per step, how many times faster glassnet is than each peer, the final loss
    and accuracy (one shared float64 function) and peak memory. Timing is noisy on a busy
    machine: compare ratios within one run.
    """
    chosen = list(workloads) or list(WORKLOADS)
    reps = 2 if quick and repetitions == 5 else repetitions
    console = Console(stderr=True)
    try:
        results = run_all(chosen, reps, quick, echo=lambda line: console.print(line))
    except GlassnetError as error:
        fail(str(error))
    except RuntimeError as error:
        fail(str(error), 1)
    rows = summarize(results)
    table = Table(title="glassnet bench" + (" (quick)" if quick else ""))
    for column in ("workload", "implementation", "median s", "us/step", "glassnet x faster"):
        table.add_column(column, justify="right")
    for column in ("loss", "accuracy", "peak MB"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row["workload"],
            row["implementation"],
            f"{row['seconds']:.3f}",
            f"{row['us_per_step']:.1f}",
            f"{row['glassnet_speedup']:.2f}",
            f"{row['loss']:.4f}",
            f"{row['accuracy']:.4f}",
            f"{row['peak_mb']:.0f}",
        )
    Console().print(table)
    if out:
        program = "python benchmarks/run.py" if sys.argv[0].endswith("run.py") else "glassnet"
        command = " ".join([program, *sys.argv[1:]])
        with atomic_write(out, "w") as handle:
            handle.write(to_markdown(rows, command))
        click.echo(f"wrote {out}")
