"""``glassnet predict``: a model's predictions for every row of a CSV or Parquet file, in chunks.

A thin layer over :func:`glassnet.runs.predicting.predict_csv`: standard input and
standard output by default, so that it composes in a pipe::

    glassnet predict runs/moons/model.npz --data points.csv --out predictions.csv
    cat points.csv | glassnet predict runs/moons/model.npz | head
"""

import sys
from pathlib import Path

import click

from glassnet.cli.app import EXIT_ERROR, EXIT_WRITE_FAILED, cli, fail, quiet_broken_pipe
from glassnet.cli.options import nan_option, table_options
from glassnet.cli.output import open_output
from glassnet.data.sources import text_encoding
from glassnet.data.table_choices import DEFAULT_CHUNK_SIZE
from glassnet.errors import GlassnetError, InputError
from glassnet.runs.manifest import check_beside
from glassnet.runs.model import load_trained_model
from glassnet.runs.predicting import PredictionSummary, predict_csv

STDIO = "-"


@cli.command()
@click.argument("model", metavar="MODEL")
@click.option(
    "--data",
    "--csv",
    "source",
    default=STDIO,
    metavar="PATH|-",
    help="The rows to predict: a CSV file with a header row (any delimiter; .gz, .bz2, .xz, "
    ".zip) or a Parquet file. The columns the model reads are found by name, raw as in "
    "training (text and missing cells included); every column is passed through. "
    "--csv is the same option, under its older name. Default: standard input.",
)
@click.option(
    "--out",
    default=STDIO,
    metavar="PATH|-",
    help="Where to write the rows, comma-separated, with a prediction column and, for "
    "classification, one probability_<class> column per class. A regular file is written "
    "whole or not at all; a pipe or a device (/dev/null) is written into; - is standard "
    "output. Default: standard output.",
)
@nan_option("A feature cell", "drops the row and counts it on standard error")
@table_options()
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK_SIZE,
    metavar="ROWS",
    help="Rows read, predicted and written at a time: memory stays that of one chunk, "
    f"whatever the size of the file. Default: {DEFAULT_CHUNK_SIZE}.",
)
def predict(
    model: str,
    source: str,
    out: str,
    nan: str | None,
    chunk_size: int,
    **reading: str | None,  # table_options(): sep, encoding, decimal, thousands
) -> None:
    """Predict every row of a CSV with a model file written by glassnet train.

    Exit codes: 0 done; 2 a bad model, option, column or cell; 1 the output could not be written.
    """
    if source == STDIO and sys.stdin.isatty():
        fail(
            "no rows to predict: pass --data FILE, or pipe a CSV in (... | glassnet predict MODEL)"
        )
    try:
        trained = load_trained_model(model)
        check_beside(model)  # a file that loads, but from another run than its folder's
        if out != STDIO and Path(out).is_dir():
            raise InputError(f"--out {out!r} is a folder: give the name of the file to write")
        text_encoding(reading["encoding"])  # an unknown encoding stops here, before any reading
        reader = sys.stdin.buffer if source == STDIO else source  # bytes: pandas decodes them
        with open_output(out, newline="") as writer:
            summary = predict_csv(
                trained, reader, writer, nan=nan, chunk_size=chunk_size, **reading
            )
    except GlassnetError as error:
        fail(str(error), EXIT_ERROR)
    except BrokenPipeError:
        quiet_broken_pipe()
    except OSError as error:
        fail(f"could not write {out}: {error}", EXIT_WRITE_FAILED)
    _report(summary)


def _report(summary: PredictionSummary) -> None:
    if summary.n_skipped:
        click.echo(f"skipped {summary.n_skipped} rows with missing or non-numeric values", err=True)
    if summary.n_unseen:
        shown = "; ".join(
            f"{name}: {', '.join(map(repr, values))}"
            for name, values in summary.unseen_categories.items()
        )
        click.echo(
            f"{summary.n_unseen} row(s) hold a category not seen in training ({shown}): their "
            "one-hot columns are all zeros",
            err=True,
        )
