"""``glassnet predict``: a model's predictions for every row of a CSV, streamed in chunks.

A thin layer over :func:`glassnet.runs.predicting.predict_csv`: standard input and
standard output by default, so that it composes in a pipe::

    glassnet predict runs/moons/model.npz --csv points.csv --out predictions.csv
    cat points.csv | glassnet predict runs/moons/model.npz | head
"""

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from glassnet.cli.app import (
    CONTEXT_SETTINGS,
    EXIT_ERROR,
    EXIT_WRITE_FAILED,
    cli,
    fail,
    quiet_broken_pipe,
)
from glassnet.cli.options import nan_option
from glassnet.data.csv_chunks import DEFAULT_CHUNK_SIZE
from glassnet.errors import GlassnetError, InputError
from glassnet.files.model_file import load_trained_model
from glassnet.runs.predicting import PredictionSummary, predict_csv

STDIO = "-"


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("model", metavar="MODEL")
@click.option(
    "--csv",
    "source",
    default=STDIO,
    metavar="PATH|-",
    help="The rows to predict: a CSV file with a header row. The model's feature columns are "
    "found by name; other columns are passed through unchanged. Default: standard input.",
)
@click.option(
    "--out",
    default=STDIO,
    metavar="PATH|-",
    help="Where to write the rows with a prediction column and, for classification, one "
    "probability_<class> column per class. A file is written whole or not at all. "
    "Default: standard output.",
)
@nan_option("A feature cell", "drops the row and counts it on standard error")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK_SIZE,
    metavar="ROWS",
    help="Rows read, predicted and written at a time: memory stays that of one chunk, "
    f"whatever the size of the file. Default: {DEFAULT_CHUNK_SIZE}.",
)
def predict(model: str, source: str, out: str, nan: str, chunk_size: int) -> None:
    """Predict every row of a CSV with a model file written by glassnet train.

    \b
    Exit codes: 0 done; 2 a bad model, option, column or cell; 1 the output could not be written.
    """
    if source == STDIO and sys.stdin.isatty():
        fail("no rows to predict: pass --csv FILE, or pipe a CSV in (... | glassnet predict MODEL)")
    try:
        trained = load_trained_model(model)
        if out != STDIO and Path(out).is_dir():
            raise InputError(f"--out {out!r} is a folder: give the name of the file to write")
        reading = _standard_stream(source, sys.stdin.buffer, "utf-8-sig")  # -sig: drop a BOM
        with reading as reader, _standard_stream(out, sys.stdout.buffer, "utf-8") as writer:
            summary = predict_csv(trained, reader, writer, nan=nan, chunk_size=chunk_size)
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


@contextlib.contextmanager
def _standard_stream(path: str, stream: IO[bytes], encoding: str) -> Iterator[str | IO[str]]:
    """The path, or the standard ``stream`` as UTF-8 text that keeps line endings (as csv wants)."""
    if path != STDIO:
        yield path
        return
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield text
    finally:
        text.detach()  # flushes, and leaves the standard stream itself open
