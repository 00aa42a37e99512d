"""``glassnet explain``: the first iteration of ``glassnet train``, written out step by step.

The network and rows come from train's own preparation (:func:`first_step_problem`);
:func:`glassnet.viz.explain.explain` writes the step out.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from glassnet.cli.app import EXIT_ERROR, EXIT_WRITE_FAILED, cli, fail
from glassnet.cli.options import config_fields, run_option
from glassnet.cli.problem import PROBLEM_OPTIONS, Problem, problem_options, sample_rows
from glassnet.core.initializers import INITIALIZERS
from glassnet.errors import GlassnetError
from glassnet.files.atomic import atomic_write
from glassnet.runs.config import RunConfig
from glassnet.runs.parts import Parts
from glassnet.runs.run import run_training
from glassnet.training.callbacks import Callback, TrainingState
from glassnet.viz.explain import FORMATS, explain

SPLIT_OPTIONS = ("test_size", "validation")  # train's options that choose the rows it fits
LEFT_OUT = {"n_test": "held out", "n_validation": "for validation"}  # Parts.sizes() key: its rows

EXPLAIN_EPILOG = f"""
\b
Examples:
  # the tutorial's 2-5-1 network
  glassnet explain --data moons --hidden 5 --activation tanh
  # every sample of a small batch
  glassnet explain --samples 8 --rows 8
  # 30 features, two hidden layers
  glassnet explain --data cancer --hidden 8,4 --activation relu
  # a handout, one heading per part
  glassnet explain --format markdown --out lesson.md

Exit codes: 0 done; {EXIT_ERROR} bad option or bad data;
{EXIT_WRITE_FAILED} the --out file could not be written.
"""


@cli.command(name="explain", epilog=EXPLAIN_EPILOG)
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
    help="Use the raw features. Default: standardise them with the training part's mean and "
    "standard deviation, as glassnet train does.",
)
@run_option(
    "--test-size",
    type=float,
    metavar="FRACTION",
    help="The fraction glassnet train holds out for testing: those rows are left out here too.",
)
@click.option(
    "--validation",
    type=float,
    metavar="FRACTION",
    help="The fraction of the training part glassnet train validates on: left out here too. "
    "Default: none.",
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
    """Write out glassnet train's first iteration: forward pass, cost, backward pass, update.

    The step is the one glassnet train takes first with the same options: the same
    data and seed, the same rows (the held-out part and any validation part left
    out), the features standardised with the training part's mean and standard
    deviation, the same initial weights and the output inferred from the target. So
    J is the first cost train prints (full batch, no L2). The numbers are those of
    glassnet's own forward and backward pass: Z1, A1, Z2, A2, the cost J, dZ2, dW2,
    db2, dA1, dZ1, dW1, db1 and the updated W and b.
    """
    try:
        problem, rows_note = first_step_problem(options)
        document = explain(
            problem.network,
            problem.X,
            problem.y,
            learning_rate=options["lr"],
            format=options["format_"],
            max_rows=options["rows"],
            decimals=options["decimals"],
            rows_note=rows_note,
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


class StartingWeights(Callback):
    """Keeps a copy of the network as training begins: the weights of the first step."""

    def on_train_begin(self, state: TrainingState) -> None:
        self.network = state.network.copy()


def first_step_problem(options: Mapping[str, Any]) -> tuple[Problem, str]:
    """The network and the rows of glassnet train's first step, and a line saying which rows.

    The options are the command's, by name, as :func:`glassnet.cli.problem.load_problem`
    takes them, with ``test_size`` and ``validation``. Train's own preparation makes
    them: :func:`~glassnet.runs.run.run_training` runs one epoch (no folder written) and
    the rows it fitted, prepared as it prepared them (the split, the features' and a
    regression target's scaling, a table's encoding, the labels), go with the weights
    it started from. ``samples`` then keeps a random N of those rows.

    Raises
    ------
    InputError
        For a bad option (checked as ``glassnet train`` checks it) or bad data.
    """
    chosen = {name: options[name] for name in (*PROBLEM_OPTIONS, *SPLIT_OPTIONS) if name in options}
    starting = StartingWeights()
    run = run_training(RunConfig(**config_fields(chosen), epochs=1), callbacks=[starting])
    parts = run.parts
    rows = sample_rows(len(parts.y_train), options.get("samples"), run.config.seed)
    X = run.features(parts.X_train[rows])  # (m, n_x), as train feeds the network
    y = run.training_targets(parts.y_train[rows])  # class indices, or (scaled) targets
    problem = Problem(run.dataset, starting.network, X, y)
    scaled = run.config.standardize, run.model.target_scaler is not None
    table = run.dataset.table is not None
    return problem, _rows_note(run.dataset.n_samples, parts, len(rows), scaled, table)


def _rows_note(n: int, parts: Parts, m: int, scaled: tuple[bool, bool], table: bool) -> str:
    """Which rows the step runs on: ``the 400 rows glassnet train fits, of 500 (100 held out)``.

    ``scaled`` says whether the features and whether the targets were standardised;
    ``table``, whether the data is a table (whose train takes the tabular recipe).
    """
    sizes = parts.sizes()
    fitted = sizes["n_train"]
    left_out = ", ".join(f"{sizes[key]} {what}" for key, what in LEFT_OUT.items() if sizes[key])
    which = f"the {fitted}" if m == fitted else f"{m} random rows of the {fitted}"
    note = f"{which} rows glassnet train fits, of {n}" + (f" ({left_out})" if left_out else "")
    features, targets = scaled
    note += "; standardised with the training part's mean and std" if features else "; raw features"
    note += "; targets standardised as train's" if targets else ""
    if m != fitted:
        return note
    recipe = " with --recipe tutorial (a table trains the tabular recipe by default)"
    return note + ": J is train's first cost" + (recipe if table else "")
