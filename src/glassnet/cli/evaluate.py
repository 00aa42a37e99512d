"""``glassnet evaluate``: score a model file on labelled data, as a table and as JSON.

A thin layer over :mod:`glassnet.runs.evaluation` (scikit-learn's metrics). The table goes
to standard output; with ``--json -`` the JSON goes there instead and the table to
standard error, so that standard output stays pure JSON for a pipe.
"""

import json
from dataclasses import asdict

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from glassnet.cli.app import EXIT_ERROR, EXIT_WRITE_FAILED, cli, fail
from glassnet.cli.options import nan_option, table_options, target_option
from glassnet.cli.output import STDOUT, open_output
from glassnet.cli.tables import confusion_table, facts_table
from glassnet.data.loading import DATASETS
from glassnet.errors import GlassnetError
from glassnet.runs.manifest import check_beside
from glassnet.runs.model import load_trained_model
from glassnet.runs.parts import PARTS
from glassnet.runs.scores import Evaluation

METRIC_LABELS = {  # a metric's JSON name: its row in the table
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "precision_macro": "precision (macro)",
    "recall_macro": "recall (macro)",
    "f1_macro": "F1 (macro)",
    "precision_weighted": "precision (weighted)",
    "recall_weighted": "recall (weighted)",
    "f1_weighted": "F1 (weighted)",
    "roc_auc": "ROC AUC",
    "roc_auc_ovr_macro": "ROC AUC (one-vs-rest, macro)",
    "r2": "R²",
    "mae": "MAE",
    "rmse": "RMSE",
}
DIGITS = 4


@cli.command(name="evaluate")
@click.argument("model", metavar="MODEL")
@click.option(
    "--data",
    required=True,
    metavar="NAME|PATH.csv",
    help=f"The labelled data: {', '.join(DATASETS)}, or a CSV or Parquet file with a header "
    "row whose columns are found by name (other columns are ignored).",
)
@target_option("The CSV's target column. Default: the target the model was trained on.")
@click.option(
    "--seed",
    type=int,
    help="Seed of a generated data set (moons, circles, xor, spiral), drawn with the training "
    "run's noise and size. Default: the run's seed + 1: new points, not the ones trained on.",
)
@click.option(
    "--part",
    type=click.Choice(PARTS),
    default="auto",
    help="held-out: only the rows the training run held out (its data split again with its "
    "seed); all: every row; auto: held-out for the run's own fixed data set, or for the very "
    "file it trained on (same size and SHA-256, as the run recorded them; a generated set gets "
    "new points instead, see --seed), else all. Default: auto.",
)
@click.option(
    "--json",
    "json_path",
    metavar="PATH|-",
    help="Also write the metrics as JSON to PATH (a regular file whole or not at all, a pipe "
    "or a device straight into), or to standard output with -, the table then going to "
    "standard error.",
)
@nan_option("A CSV cell", "leaves the row out (the count is shown)")
@table_options()
def evaluate_command(
    model: str,
    data: str,
    target: str | None,
    seed: int | None,
    part: str,
    json_path: str | None,
    nan: str | None,
    **reading: str | None,  # table_options(): sep, encoding, decimal, thousands
) -> None:
    """Score a model file on labelled data: accuracy, precision, recall, F1, ROC AUC and the
    confusion matrix for classification; R², MAE and RMSE for regression.

    Exit codes: 0 done; 2 a bad model, option or data; 1 the JSON could not be written.
    """
    from glassnet.runs.evaluation import evaluate  # reads tables: pandas, loaded on use

    try:
        trained = load_trained_model(model)
        check_beside(model)  # a file that loads, but from another run than its folder's
        evaluation = evaluate(
            trained, data, target=target, nan=nan, seed=seed, part=part, **reading
        )
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    record = {"model": model, "data": data, **asdict(evaluation)}
    text = json.dumps(record, indent=2, allow_nan=False) + "\n"
    if json_path is not None and json_path != STDOUT:
        try:
            with open_output(json_path) as handle:
                handle.write(text)
        except OSError as error:
            fail(f"could not write {json_path}: {error}", EXIT_WRITE_FAILED)
    console = Console(stderr=json_path == STDOUT)
    console.print(metrics_table(evaluation, model, data))
    if evaluation.confusion_matrix is not None and evaluation.classes is not None:
        console.print(Text("Confusion matrix (rows: true class, columns: predicted):"))
        console.print(confusion_table(evaluation.classes, evaluation.confusion_matrix))
    for note in evaluation.notes:
        console.print(Text(f"note: {note}"))
    if json_path == STDOUT:
        click.echo(text, nl=False)


def metrics_table(evaluation: Evaluation, model: str, data: str) -> Table:
    """The model, the data, and one row per metric (values to 4 decimals)."""
    samples = f"{evaluation.n_samples}"
    if evaluation.n_skipped:
        samples += f" ({evaluation.n_skipped} skipped: missing or non-numeric values)"
    rows = [("model", model), ("data", data), ("task", evaluation.task), ("samples", samples)]
    if evaluation.positive_class is not None:
        rows.append(("positive class", str(evaluation.positive_class)))
    rows += [(METRIC_LABELS[name], _format(value)) for name, value in evaluation.metrics.items()]
    return facts_table("glassnet evaluate", rows)


def _format(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.{DIGITS}f}"
