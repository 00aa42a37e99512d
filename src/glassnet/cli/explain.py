"""``glassnet explain``: one iteration of training written out, step by step.

Builds the network ``glassnet train`` would build for the data (:mod:`glassnet.cli.problem`)
and prints :func:`glassnet.viz.explain.explain`: the inputs, the forward pass (Z1, A1, Z2, A2,
...), the cost, the backward pass (dZ2, dW2, db2, dA1, dZ1, dW1, db1, ...) and one
gradient descent update, each with its formula, its shape and its first rows.
"""

from pathlib import Path
from typing import Any

import click

from glassnet.cli.app import CONTEXT_SETTINGS, EXIT_ERROR, EXIT_WRITE_FAILED, cli, fail
from glassnet.cli.problem import load_problem, problem_options
from glassnet.core.initializers import INITIALIZERS
from glassnet.errors import GlassnetError
from glassnet.files.atomic import atomic_write
from glassnet.viz.explain import FORMATS, explain

EXPLAIN_EPILOG = f"""
\b
Examples:
  glassnet explain --data moons --hidden 5 --activation tanh     the tutorial's 2-5-1 network
  glassnet explain --samples 8 --rows 8                          every sample of a small batch
  glassnet explain --data cancer --hidden 8,4 --activation relu  30 features, two hidden layers
  glassnet explain --format markdown --out lesson.md             a handout, one heading per part

\b
Exit codes: 0 done; {EXIT_ERROR} bad option or bad data;
{EXIT_WRITE_FAILED} the --out file could not be written.
"""


@cli.command(name="explain", epilog=EXPLAIN_EPILOG, context_settings=CONTEXT_SETTINGS)
@problem_options(hidden="5", samples=None)
@click.option(
    "--init",
    type=click.Choice(list(INITIALIZERS)),
    default="he",
    help="Weight initialisation, as glassnet train's. Default: he.",
)
@click.option(
    "--lr", type=float, default=0.3, help="Learning rate of the update step. Default: 0.3."
)
@click.option(
    "--no-standardize",
    is_flag=True,
    help="Use the raw features. Default: standardise them, as glassnet train does.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(list(FORMATS)),
    default="text",
    help="text for a terminal; markdown for a handout with a heading per part. Default: text.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the explanation to this file instead of printing it.",
)
@click.option(
    "--rows", type=int, default=4, help="Rows of each array shown before '...'. Default: 4."
)
@click.option("--decimals", type=int, default=4, help="Digits after the decimal point. Default: 4.")
def explain_command(**options: Any) -> None:
    """Write out one iteration of training: forward pass, cost, backward pass, update.

    The network is the one glassnet train would start from (same data, same seed,
    same initial weights; the output activation inferred from the target), and the
    numbers are those of glassnet's own forward and backward pass: Z1, A1, Z2, A2,
    the cost J, dZ2, dW2, db2, dA1, dZ1, dW1, db1 and the updated W and b.
    """
    try:
        problem = load_problem(options)
        document = explain(
            problem.network,
            problem.X,
            problem.y,
            learning_rate=options["lr"],
            format=options["format_"],
            max_rows=options["rows"],
            decimals=options["decimals"],
        )
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    out: Path | None = options["out"]
    if out is None:
        click.echo(document, nl=False)
        return
    try:
        with atomic_write(out, "w", encoding="utf-8") as handle:
            handle.write(document)
    except OSError as error:
        fail(f"could not write {str(out)!r}: {error}", EXIT_WRITE_FAILED)
    m = problem.X.shape[0]
    click.echo(
        f"wrote {out}: one iteration of {problem.shape} on {m} samples of {problem.dataset.name}"
    )
