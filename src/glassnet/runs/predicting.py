"""Predict every row of a CSV in chunks, so that a file of any size fits in a little memory.

    rows ──CsvChunks: the model's features by name, chunk_size rows at a time──> X (m, d)
    X ──TrainedModel──> labels and class probabilities (or regression values)
    each record's text, as it was in the file + "," + prediction, probability_<class>... ──> out

Only one chunk of rows is ever held: reading a 1 GB file takes the memory of
``chunk_size`` rows, not of the file. Every record is written back exactly as it
was read (its columns, their order, their quoting), so the columns the model does
not use pass through untouched; only its line ending becomes ``\n``.
"""

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from glassnet.data.csv_chunks import DEFAULT_CHUNK_SIZE, Chunk, CsvChunks
from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.files.trained_model import TrainedModel

PREDICTION = "prediction"
PROBABILITY = "probability_"  # + the class label: probability_yes, probability_0, ...
STDIN_NAME = "standard input"


@dataclass(frozen=True)
class PredictionSummary:
    """What :func:`predict_csv` did: rows predicted and rows skipped."""

    n_rows: int
    n_skipped: int


def output_columns(model: TrainedModel) -> list[str]:
    """The columns :func:`predict_csv` adds: ``prediction``, then one probability per class."""
    if model.classes_ is not None:
        return [PREDICTION, *(f"{PROBABILITY}{label}" for label in model.classes_.tolist())]
    n_outputs = model.network.layer_sizes[-1]
    return [PREDICTION] if n_outputs == 1 else [f"{PREDICTION}_{i}" for i in range(n_outputs)]


def predict_csv(
    model: TrainedModel,
    source: str | os.PathLike[str] | IO[str],
    out: str | os.PathLike[str] | IO[str],
    *,
    nan: str = "error",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> PredictionSummary:
    """Write every row of a CSV with its prediction, reading ``chunk_size`` rows at a time.

    Parameters
    ----------
    model
        A trained model; its ``feature_names`` are looked up in the CSV's header.
    source
        A CSV path, or an open text stream (read with ``newline=""``).
    out
        A path, written atomically (nothing is left at ``out`` if anything fails),
        or an open text stream (what was written before a failure stays written).
    nan
        ``"error"`` or ``"skip"``: what a missing or non-numeric feature cell does.
    chunk_size
        Rows held in memory at once.

    Returns
    -------
    PredictionSummary

    Raises
    ------
    InputError
        On a missing file or column, a ragged row, or (with ``nan="error"``) a bad
        cell, naming its line and column.
    """
    with contextlib.ExitStack() as stack:
        stream, where = _open_source(source, stack)
        chunks = CsvChunks(stream, where, model.feature_names, nan=nan, chunk_size=chunk_size)
        added = output_columns(model)
        clashes = [name for name in added if name in (cell.strip() for cell in chunks.header)]
        if clashes:
            raise InputError(
                f"{where} already has a column {clashes[0]!r}, which the output adds: "
                "rename or drop it first"
            )
        sink = stack.enter_context(_atomic_csv(out)) if isinstance(out, str | os.PathLike) else out
        header = f"{chunks.header_text},{','.join(map(quoted, added))}\n"
        n_rows = 0
        for chunk in chunks:  # the header waits for the first chunk: a bad first row writes nothing
            if n_rows == 0:
                sink.write(header)
            sink.writelines(_with_predictions(model, chunk))
            n_rows += len(chunk.texts)
        if n_rows == 0:  # no rows, or every row skipped
            sink.write(header)
        return PredictionSummary(n_rows, chunks.skipped)


def _with_predictions(model: TrainedModel, chunk: Chunk) -> Iterator[str]:
    """Each record's text followed by its prediction (and its class probabilities), a line each."""
    A = model.output(chunk.X)  # A[L], (m, n_L): the chunk's one forward pass
    if model.classes_ is None:
        values = model.predictions(A).tolist()  # (m,) or (m, n_outputs)
        cells = [repr(v) if isinstance(v, float) else ",".join(map(repr, v)) for v in values]
    else:
        label_cells = {label: quoted(str(label)) for label in model.classes_.tolist()}
        labels = [label_cells[label] for label in model.predictions(A).tolist()]
        P = model.probabilities(A).tolist()  # (m, k), columns in classes_ order
        cells = [f"{label},{','.join(map(repr, p))}" for label, p in zip(labels, P, strict=True)]
    return (f"{text},{cell}\n" for text, cell in zip(chunk.texts, cells, strict=True))


def quoted(cell: str) -> str:
    """``cell`` as a CSV field: in double quotes (doubled inside) when it needs them."""
    if any(mark in cell for mark in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _open_source(
    source: str | os.PathLike[str] | IO[str], stack: contextlib.ExitStack
) -> tuple[IO[str], str]:
    if not isinstance(source, str | os.PathLike):
        return source, _stream_name(source)
    path = Path(source)
    where = repr(str(path))
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"data file {where} {problem}: check the path")
    try:
        return stack.enter_context(path.open(newline="", encoding="utf-8-sig")), where
    except OSError as error:
        raise InputError(f"could not open {where}: {error.strerror}") from None


def _stream_name(stream: IO[str]) -> str:
    name = getattr(stream, "name", None)
    return repr(name) if isinstance(name, str) and not name.startswith("<") else STDIN_NAME


def _atomic_csv(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[IO[str]]:
    return atomic_write(path, "w", newline="", encoding="utf-8")
