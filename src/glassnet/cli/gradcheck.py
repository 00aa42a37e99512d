"""``glassnet gradcheck``: backpropagation against central finite differences, in float64.

Builds the network ``glassnet train`` would build for the data (:mod:`glassnet.cli.problem`),
runs :func:`glassnet.core.gradcheck.check_gradients` on a few of the samples and prints one row
per parameter array::

    relative error = ||analytic - numeric|| / (||analytic|| + ||numeric||)

with ``numeric = (J(theta + eps) - J(theta - eps)) / (2 eps)`` entry by entry. The command
exits with 1 when any array's error reaches the tolerance, so scripts and CI can use it.
"""

from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from glassnet.cli.app import EXIT_ERROR, cli, fail
from glassnet.cli.problem import Problem, load_problem, problem_options
from glassnet.core.gradcheck import TOLERANCE, GradientCheck, check_gradients
from glassnet.errors import GlassnetError, InputError

EXIT_CHECK_FAILED = 1
CHECK_SETTINGS = ("alpha", "epsilon", "tolerance")  # options passed to check_gradients as they are

GRADCHECK_EPILOG = f"""
\b
Examples:
  glassnet gradcheck    # moons, 2 -> 5 tanh -> 3 tanh -> 1 sigmoid
  glassnet gradcheck --data spiral --hidden 8 --activation relu --alpha 0.1
  glassnet gradcheck --data cancer --hidden 4 --samples 10

Exit codes: 0 every parameter array passes; {EXIT_CHECK_FAILED} some array's relative error is at or
above the tolerance (a wrong derivative); {EXIT_ERROR} bad option or bad data.
"""


@cli.command(name="gradcheck", epilog=GRADCHECK_EPILOG)
@problem_options(hidden="5,3", samples=20)
@click.option(
    "--alpha",
    type=float,
    default=0.0,
    help="L2 strength: check the cost plus alpha/(2n) * sum ||W||^2. Default: 0.",
)
@click.option(
    "--epsilon",
    type=float,
    default=1e-5,
    help="The finite-difference step h: (J(theta + h) - J(theta - h)) / 2h. Default: 1e-5.",
)
@click.option(
    "--tolerance",
    type=float,
    default=TOLERANCE,
    help=f"An array passes when its relative error is below this. Default: {TOLERANCE:g}.",
)
def gradcheck_command(**options: Any) -> None:
    """Check backpropagation's gradients against finite differences, array by array.

    In float64, on a random few samples of the data (standardised, as glassnet train
    does) and the network glassnet train would start from. Prints each parameter
    array's shape, the norms of its analytic and numeric gradients, their relative
    error and whether it passes; exits with 0 when every array passes and 1 when any
    fails.
    """
    try:
        _check_step(options["epsilon"], "--epsilon")
        _check_step(options["tolerance"], "--tolerance")
        problem = load_problem(options)
        settings = {name: options[name] for name in CHECK_SETTINGS}
        report = check_gradients(problem.network, problem.X, problem.y, **settings)
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    console = Console()
    console.print(Text(_heading(problem)), soft_wrap=True)
    console.print(gradient_table(problem, report, options["epsilon"], options["alpha"]))
    failed = [name for name, error in report.relative_error.items() if not error < report.tolerance]
    console.print(Text(verdict(report, failed), style="red" if failed else "green"), soft_wrap=True)
    if failed:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


def _check_step(value: float, name: str) -> None:
    if not 0 < value < 1:
        raise InputError(f"{name} must be a number in (0, 1), got {value!r}")


def _heading(problem: Problem) -> str:
    m, n = problem.X.shape[0], problem.dataset.n_samples
    return f"{problem.dataset.name}, {m} of {n} samples: {problem.shape}, in float64"


def gradient_table(problem: Problem, report: GradientCheck, epsilon: float, alpha: float) -> Table:
    """One row per parameter array: name, shape, both norms, relative error, pass or FAIL."""
    title = f"Gradient check: central differences, epsilon {epsilon:g}, alpha {alpha:g}"
    table = Table(title=title, title_justify="left")
    table.add_column("array")
    table.add_column("shape")
    table.add_column("analytic norm", justify="right")
    table.add_column("numeric norm", justify="right")
    table.add_column("rel. error", justify="right")
    table.add_column(f"< {report.tolerance:g}")
    shapes = dict(zip(problem.network.parameter_names(), problem.network.parameters(), strict=True))
    for name, error in report.relative_error.items():
        passed = error < report.tolerance
        table.add_row(
            name,
            str(shapes[name].shape),
            f"{report.analytic_norm[name]:.6e}",
            f"{report.numeric_norm[name]:.6e}",
            f"{error:.2e}",
            Text("pass", style="green") if passed else Text("FAIL", style="bold red"),
        )
    return table


def verdict(report: GradientCheck, failed: list[str]) -> str:
    """The last line: every array passes, or which fail."""
    n = len(report.relative_error)
    if not failed:
        return (
            f"all {n} parameter arrays pass: largest relative error {report.max_error:.2e} "
            f"< {report.tolerance:g}"
        )
    return (
        f"{len(failed)} of {n} parameter arrays fail (relative error >= {report.tolerance:g}): "
        f"{', '.join(failed)}"
    )
