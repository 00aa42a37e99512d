"""``glassnet plot RUN_FOLDER``: redraw a run folder's pictures and its report.html.

Everything comes from the folder (:func:`glassnet.runs.folder.read_run_folder`); when the
data cannot be had again, only what needs the history alone is redrawn.
"""

from pathlib import Path

import click

from glassnet.cli.app import EXIT_ERROR, EXIT_WRITE_FAILED, cli, fail
from glassnet.errors import GlassnetError, InputError
from glassnet.runs.folder import read_run_folder
from glassnet.runs.run import RunResult
from glassnet.training import grid as hidden_size_grid
from glassnet.viz.glassbox_plots import plot_boundary_grid
from glassnet.viz.report import write_report
from glassnet.viz.run_pictures import write_history_plots, write_plots

GRID_NAME = "boundary_grid.png"

PLOT_EPILOG = f"""
\b
Examples:
  # redraw the pictures and report.html
  glassnet plot runs/moons-20250101-120000
  # and the hidden-size grid (seconds: 7 networks)
  glassnet plot runs/moons-20250101-120000 --grid

Exit codes: 0 done; {EXIT_ERROR} not a run folder, or --grid on data it does not fit;
{EXIT_WRITE_FAILED} a picture or report.html could not be written.
"""


@cli.command(name="plot", epilog=PLOT_EPILOG)
@click.argument("run_folder", type=click.Path(path_type=Path))
@click.option(
    "--grid",
    is_flag=True,
    help=f"Also draw {GRID_NAME}: one [2, h, 1] tanh network per hidden size h = "
    f"{', '.join(map(str, hidden_size_grid.HIDDEN_SIZES))}, trained on the run's training "
    "part, and its decision boundary (2-D data with two classes only).",
)
def plot_command(run_folder: Path, grid: bool) -> None:
    """Redraw the pictures of RUN_FOLDER from what is in it, then its report.html.

    loss.png and confusion.png or regression.png always; boundary.png, hidden_units.png
    for 2-D data; roc.png for two classes; gradient_norms.png when the history has
    gradient norms (glassnet train --record-gradients).
    """
    try:
        run = read_run_folder(run_folder)
        result = run.result
        if result is None:
            written = write_history_plots(run.history, run.name, run_folder)
            skipped = f", not {GRID_NAME}" if grid else ""
            click.echo(
                f"warning: {run.problem}: redrew only history.csv's pictures{skipped}", err=True
            )
        else:
            if grid:
                _check_grid(result)  # before drawing anything
            written = write_plots(result, run_folder)
            if grid:
                written.append(_draw_grid(result, run_folder))
        report = write_report(run_folder)
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    except OSError as error:
        fail(f"could not write into the run folder: {error}", EXIT_WRITE_FAILED)
    click.echo(f"redrew {', '.join(path.name for path in written)} in {run_folder}")
    click.echo(f"wrote {report}")


def _check_grid(result: RunResult) -> None:
    n_features, n_classes = result.dataset.n_features, len(result.class_names)
    if n_features != 2 or n_classes != 2:
        kind = f"{n_classes} classes" if result.is_classification else "a real-valued target"
        raise InputError(
            f"--grid draws 2-D data with two classes; this run's data has {n_features} "
            f"feature(s) and {kind}"
        )


def _draw_grid(result: RunResult, folder: Path) -> Path:
    """The hidden-size grid: networks trained on the run's training part, as the run saw it."""
    X = result.features(result.parts.X_train)
    y = result.targets(result.parts.y_train)
    networks = hidden_size_grid.train_hidden_size_grid(X, y, random_state=result.config.seed)
    title = (
        f"[2, h, 1] networks, tanh hidden layer, {hidden_size_grid.EPOCHS} full-batch epochs "
        f"at learning rate {hidden_size_grid.LEARNING_RATE:g}"
    )
    return plot_boundary_grid(networks, X, y, folder / GRID_NAME, title=title)
