"""Predict every row of a CSV or Parquet file in chunks, so that a file of any size fits in memory.

    file ──open_table: chunk_size rows at a time──> cells (text, for a CSV) or plain records
    cells ──RowReader: the model's columns by name, --nan──> the model's input
    input ──TrainedModel──> labels and class probabilities (or regression values)
    each row's cells, as read + prediction, probability_<class>... ──> a comma-separated out

Only one chunk of rows is ever held. Every cell is written back as it was read (its text,
for a CSV), so the columns the model does not use pass through untouched. A plain record
(:mod:`glassnet.data.plain_records`: numeric columns only, no quotes, finite numbers) is
written back as its line with the added cells joined on, in one call per chunk: byte for
byte what the cell-by-cell path writes for every other record.
"""

import contextlib
import csv
import io
import itertools
import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from glassnet.data.table_choices import DEFAULT_CHUNK_SIZE
from glassnet.errors import InputError
from glassnet.files.atomic import atomic_write
from glassnet.runs.blas_threads import blas_threads_for
from glassnet.runs.model import OUTPUT_CHUNK_ROWS, TrainedModel
from glassnet.training.metrics import predicted_indices

if TYPE_CHECKING:  # the readers load pandas: imported where a file is read
    from glassnet.data.reading import Rows
    from glassnet.runs.model_inputs import Inputs

PREDICTION = "prediction"
PROBABILITY = "probability_"  # + the class label: probability_yes, probability_0, ...


@dataclass(frozen=True)
class PredictionSummary:
    """What :func:`predict_csv` did: rows predicted, rows skipped, rows with unseen categories.

    ``unseen_categories`` lists, per column, a few of the categories never seen in training.
    """

    n_rows: int
    n_skipped: int
    n_unseen: int = 0
    unseen_categories: dict[str, list[str]] = field(default_factory=dict)


def output_columns(model: TrainedModel) -> list[str]:
    """The columns :func:`predict_csv` adds: ``prediction``, then one probability per class
    (several regression targets: ``prediction_<target>`` each)."""
    if model.classes_ is not None:
        return [PREDICTION, *(f"{PROBABILITY}{label}" for label in model.classes_.tolist())]
    n_outputs = model.network.layer_sizes[-1]
    if n_outputs == 1:
        return [PREDICTION]
    names = model.target_names
    if len(names) == n_outputs:
        return [f"{PREDICTION}_{name}" for name in names]
    return [f"{PREDICTION}_{i}" for i in range(n_outputs)]


def predict_csv(
    model: TrainedModel,
    source: str | os.PathLike[str] | IO[str] | IO[bytes],
    out: str | os.PathLike[str] | IO[str],
    *,
    nan: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
) -> PredictionSummary:
    """Write every row of a file with its prediction, reading ``chunk_size`` rows at a time.

    Parameters
    ----------
    model
        A trained model; the columns it reads are looked up in the file's header.
    source
        A CSV or Parquet path, or an open text stream of CSV.
    out
        A path, written atomically (nothing is left at ``out`` if anything fails),
        or an open text stream (what was written before a failure stays written).
    nan
        ``"impute"`` (the model's imputer fills a missing cell; the default for a model
        trained on a table), ``"skip"`` (the row is dropped and counted) or ``"error"``
        (the default for a model without an imputer).
    chunk_size
        Rows held in memory at once.
    sep, encoding, decimal, thousands
        The delimiter (``None``: sniffed), encoding (``None``: UTF-8) and number format
        (``None``: sniffed, :mod:`glassnet.data.number_format`) of a CSV.

    Raises
    ------
    InputError
        On a missing file or column, a row with too many fields, or a bad cell, naming
        its line and column.
    """
    from glassnet.data.reading import open_table
    from glassnet.runs.model_inputs import RowReader, resolve_nan

    with contextlib.ExitStack() as stack:
        sizes = model.network.layer_sizes  # small layers: one BLAS thread, as training takes
        stack.enter_context(blas_threads_for(sizes, OUTPUT_CHUNK_ROWS))
        table = stack.enter_context(
            open_table(source, sep=sep, encoding=encoding, decimal=decimal, thousands=thousands)
        )
        reader = RowReader(model, resolve_nan(model, nan), table.where, table.line_word)
        reader.check(table.columns)
        added = output_columns(model)
        clashes = [name for name in added if name in table.columns]
        if clashes:
            raise InputError(
                f"{table.where} already has a column {clashes[0]!r}, which the output adds: "
                "rename or drop it first"
            )
        numbers = reader.numeric if not reader.categorical else None  # plain records' columns
        chunks = ((rows, reader.read(rows)) for rows in table.chunks(chunk_size, numbers))
        first = next(chunks, None)  # checked before anything is written: a bad first row
        sink = stack.enter_context(_atomic_csv(out)) if isinstance(out, str | os.PathLike) else out
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow([*table.header, *added])
        n_rows = n_unseen = 0
        unseen: dict[str, list[str]] = {}
        for rows, inputs in chunks if first is None else itertools.chain([first], chunks):
            _write(sink, writer, model, rows, inputs)
            n_rows += int(inputs.kept.sum())
            n_unseen += int(inputs.unseen.sum())
            for name, values in inputs.unseen_categories.items():
                unseen[name] = list(dict.fromkeys([*unseen.get(name, []), *values]))[:5]
        return PredictionSummary(n_rows, reader.skipped, n_unseen, unseen)


def _write(sink: IO[str], writer: Any, model: TrainedModel, rows: "Rows", inputs: "Inputs") -> None:
    """Write the chunk's kept rows, each followed by its added cells: a plain record as its
    text, other rows cell by cell through ``writer`` (a ``csv.writer``, quoting where needed)."""
    if not inputs.kept.any():
        return
    A = model.output(inputs.X)  # A[L], (m, n_L): the chunk's one forward pass
    if rows.records is not None:
        records = itertools.compress(rows.records.split("\n"), inputs.kept)
        added = _added_cells(model, A, _as_cell)
        sink.write("\n".join(map(",".join, zip(records, *added, strict=True))) + "\n")
        return
    kept = rows.frame[inputs.kept]
    if not all(dtype.kind == "O" for dtype in kept.dtypes):  # a Parquet file's typed cells
        kept = kept.astype(object).where(kept.notna(), "")
    cells = kept.to_numpy(dtype=object).tolist()
    added = _added_cells(model, A, str)
    writer.writerows(
        [*row, *extra] for row, extra in zip(cells, zip(*added, strict=True), strict=True)
    )


def _added_cells(model: TrainedModel, A: Any, label_text: Any) -> list[list[str]]:
    """The added columns of each row, as text: the prediction, then each class's probability;
    ``label_text`` writes a class label (``str``, or :func:`_as_cell`, quoted where needed)."""
    if model.classes_ is None:
        values = model.predictions(A).reshape(len(A), -1)  # (m, n_outputs)
        return [_floats(values[:, j]) for j in range(values.shape[1])]
    P = model.probabilities(A)  # (m, k), columns in classes_ order
    texts = np.array([label_text(str(label)) for label in model.classes_.tolist()], dtype=object)
    labels = texts[predicted_indices(model.network.output, A)].tolist()  # model.predictions(A)
    return [labels, *(_floats(P[:, j]) for j in range(P.shape[1]))]


def _floats(values: Any) -> list[str]:
    """Each number at full precision: the shortest text that reads back to the same float."""
    return list(map(repr, values.tolist()))


def _as_cell(text: str) -> str:
    """``text`` as ``csv.writer`` writes it in a row: quoted if it holds a comma, quote or break."""
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow([text, ""])
    return line.getvalue()[:-1]  # without the "," before the empty cell


def _atomic_csv(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[IO[str]]:
    return atomic_write(path, "w", newline="", encoding="utf-8")
